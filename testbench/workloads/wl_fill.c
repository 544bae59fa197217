/* fill: FILL of VMO ranges with 64-bit patterns, lengths from 1 byte to workload.max_size,
 * any start offset. Byte i of a range must be (pattern >> 8 * (i % 8)) & 0xff; WL_GUARD bytes
 * around it must be untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "wl_alloc.h"
#include "wl_queue.h"
#include "wl_util.h"
#include "workloads.h"

typedef struct fill_job {
    zx_handle_t vmo;
    uint64_t vmo_size, off, len, pattern;
    uint8_t* want;
} fill_job_t;

static void release(fill_job_t* j) {
    if (j->vmo) zx_handle_close(j->vmo);
    wl_free(j->want);
    wl_free(j);
}

/* A job's buffer: the range and WL_GUARD bytes around it hold the guard byte (never a pattern
 * byte). NULL (the error recorded) when it cannot be made. */
static fill_job_t* prepare(wl_rng_t* r, const sl_workload_params_t* p, sl_workload_result_t* res, uint64_t index,
                           dma_xfer_op_t* op) {
    fill_job_t* j = wl_calloc(1, sizeof *j);
    if (!j) {
        wl_status(res, ZX_ERR_NO_MEMORY, "fill #%llu: job", (unsigned long long)index);
        return NULL;
    }
    j->len = (index + 1 == p->transfers) ? p->max_size : wl_rng_size(r, p->min_size, p->max_size);
    j->off = (index % 2) ? wl_rng_below(r, 4096) : 0;
    wl_rng_fill(r, (uint8_t*)&j->pattern, sizeof j->pattern); /* no byte equals the guard byte */
    j->want = wl_malloc(j->len);
    if (!j->want) {
        wl_status(res, ZX_ERR_NO_MEMORY, "fill #%llu: host buffer", (unsigned long long)index);
        goto fail;
    }
    for (uint64_t i = 0; i < j->len; ++i) j->want[i] = (uint8_t)(j->pattern >> (8 * (i % 8)));
    if (wl_vmo_create(res, j->off + j->len + WL_GUARD, &j->vmo, &j->vmo_size) != ZX_OK) goto fail;
    zx_status_t st = wl_vmo_guard(j->vmo, j->off, j->len);
    if (st != ZX_OK) {
        wl_status(res, st, "fill #%llu: preparing the buffer", (unsigned long long)index);
        goto fail;
    }
    *op = dma_xfer_op_fill(j->vmo, j->off, j->len, j->pattern);
    return j;
fail: /* never issued: not an operation */
    release(j);
    return NULL;
}

static void label(void* ctx, const wl_queue_job_t* qj, char* buf, size_t len) {
    (void)ctx;
    const fill_job_t* j = qj->user;
    snprintf(buf, len, "fill #%llu (%llu bytes at +%llu, pattern 0x%016llx)", (unsigned long long)qj->index,
             (unsigned long long)j->len, (unsigned long long)j->off, (unsigned long long)j->pattern);
}

static void on_done(void* ctx, wl_queue_job_t* qj, sl_workload_result_t* res) {
    fill_job_t* j = qj->user;
    if (qj->status == ZX_OK) {
        char text[160];
        label(ctx, qj, text, sizeof text);
        wl_verify(res, j->vmo, j->vmo_size, j->off, j->want, j->len, text);
    }
    release(j);
}

void wl_fill_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res) {
    const dma_xfer_protocol_t* dma = proto;
    wl_rng_t r;
    wl_rng_seed(&r, p->seed, "fill");
    wl_queue_t q;
    const wl_queue_config_t qc = {.name = "fill", .depth = p->queue_depth, .done = on_done, .label = label};
    if (wl_queue_init(&q, dma, res, &qc) == ZX_OK) {
        for (uint64_t i = 0; i < p->transfers; ++i) {
            wl_queue_reserve(&q, NULL); /* every fill has a buffer of its own */
            dma_xfer_op_t op;
            fill_job_t* j = prepare(&r, p, res, i, &op);
            if (!j) break;
            wl_queue_submit(&q, &op, NULL, j);
        }
    }
    wl_queue_finish(&q);
}
