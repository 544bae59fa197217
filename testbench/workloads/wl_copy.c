/* copy: COPY between two VMOs, lengths from 1 byte to workload.max_size, aligned and
 * unaligned offsets on both sides. Every destination byte and WL_GUARD bytes around it are
 * checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "wl_alloc.h"
#include "wl_queue.h"
#include "wl_util.h"
#include "workloads.h"

typedef struct copy_job {
    zx_handle_t src, dst;
    uint64_t src_size, dst_size, src_off, dst_off, len;
    uint8_t* data;
} copy_job_t;

/* Lengths at the edges of words, cache lines, pages and the engine's burst and FIFO sizes. */
static const uint64_t kEdgeSizes[] = {1, 2, 7, 8, 9, 63, 64, 65, 127, 128, 511, 512, 513, 4095, 4096, 4097,
                                      3 * 4096 + 17, 65536, 65536 + 3, 1u << 20, (1u << 20) + 1};

static uint64_t pick_size(wl_rng_t* r, const sl_workload_params_t* p, uint64_t i) {
    if (i + 1 == p->transfers) return p->max_size; /* the largest always runs */
    if (i % 3 == 0) {
        uint64_t e = kEdgeSizes[(i / 3) % (sizeof kEdgeSizes / sizeof kEdgeSizes[0])];
        if (e >= p->min_size && e <= p->max_size) return e;
    }
    return wl_rng_size(r, p->min_size, p->max_size);
}

/* Page aligned, both anywhere in a page, and one side 1..63 bytes off a line. */
static void pick_offsets(wl_rng_t* r, uint64_t i, uint64_t* src_off, uint64_t* dst_off) {
    switch (i % 4) {
    case 0: *src_off = 0, *dst_off = 0; break;
    case 1: *src_off = wl_rng_below(r, 4096), *dst_off = wl_rng_below(r, 4096); break;
    case 2: *src_off = 0, *dst_off = 1 + wl_rng_below(r, 63); break;
    default: *src_off = 1 + wl_rng_below(r, 63), *dst_off = 0; break;
    }
}

static void release(copy_job_t* j) {
    if (j->src) zx_handle_close(j->src);
    if (j->dst) zx_handle_close(j->dst);
    wl_free(j->data);
    wl_free(j);
}

/* A job's buffers: the source holds random bytes, the destination range and WL_GUARD bytes
 * around it the guard byte. NULL (the error recorded) when they cannot be made. */
static copy_job_t* prepare(wl_rng_t* r, const sl_workload_params_t* p, sl_workload_result_t* res, uint64_t index,
                           dma_xfer_op_t* op) {
    copy_job_t* j = wl_calloc(1, sizeof *j);
    if (!j) {
        wl_status(res, ZX_ERR_NO_MEMORY, "copy #%llu: job", (unsigned long long)index);
        return NULL;
    }
    j->len = pick_size(r, p, index);
    pick_offsets(r, index, &j->src_off, &j->dst_off);
    j->data = wl_malloc(j->len);
    if (!j->data) {
        wl_status(res, ZX_ERR_NO_MEMORY, "copy #%llu: host buffer", (unsigned long long)index);
        goto fail;
    }
    wl_rng_fill(r, j->data, j->len);
    if (wl_vmo_create(res, j->src_off + j->len, &j->src, &j->src_size) != ZX_OK) goto fail;
    if (wl_vmo_create(res, j->dst_off + j->len + WL_GUARD, &j->dst, &j->dst_size) != ZX_OK) goto fail;
    zx_status_t st = zx_vmo_write(j->src, j->data, j->src_off, j->len);
    if (st == ZX_OK) st = wl_vmo_guard(j->dst, j->dst_off, j->len);
    if (st != ZX_OK) {
        wl_status(res, st, "copy #%llu: filling the buffers", (unsigned long long)index);
        goto fail;
    }
    *op = dma_xfer_op_copy(j->src, j->src_off, j->dst, j->dst_off, j->len);
    return j;
fail: /* never issued: not an operation */
    release(j);
    return NULL;
}

static void label(void* ctx, const wl_queue_job_t* qj, char* buf, size_t len) {
    (void)ctx;
    const copy_job_t* j = qj->user;
    snprintf(buf, len, "copy #%llu (%llu bytes, src +%llu, dst +%llu)", (unsigned long long)qj->index,
             (unsigned long long)j->len, (unsigned long long)j->src_off, (unsigned long long)j->dst_off);
}

static void on_done(void* ctx, wl_queue_job_t* qj, sl_workload_result_t* res) {
    copy_job_t* j = qj->user;
    if (qj->status == ZX_OK) {
        char text[160];
        label(ctx, qj, text, sizeof text);
        wl_verify(res, j->dst, j->dst_size, j->dst_off, j->data, j->len, text);
    }
    release(j);
}

void wl_copy_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res) {
    const dma_xfer_protocol_t* dma = proto;
    wl_rng_t r;
    wl_rng_seed(&r, p->seed, "copy");
    wl_queue_t q;
    const wl_queue_config_t qc = {.name = "copy", .depth = p->queue_depth, .done = on_done, .label = label};
    if (wl_queue_init(&q, dma, res, &qc) == ZX_OK) {
        for (uint64_t i = 0; i < p->transfers; ++i) {
            wl_queue_reserve(&q, NULL); /* every copy has buffers of its own */
            dma_xfer_op_t op;
            copy_job_t* j = prepare(&r, p, res, i, &op);
            if (!j) break;
            wl_queue_submit(&q, &op, NULL, j);
        }
    }
    wl_queue_finish(&q);
}
