/* stream: a streaming copy of large buffers. workload.transfers COPYs of workload.max_size
 * bytes (at most workload.pool_size) walk through a source and a destination VMO of
 * workload.pool_size bytes each, chunk after chunk, wrapping at the end, as a copy offload
 * engine streams a large buffer. The source holds random bytes (at most its first 16 MiB;
 * the rest stays zero); every destination chunk is compared with the source when its batch is
 * done. A chunk is reused only after pool_size / max_size copies: the queue depth is capped
 * at that. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "wl_alloc.h"
#include "wl_queue.h"
#include "wl_util.h"
#include "workloads.h"

#define STREAM_FILL_MAX (16u << 20)

typedef struct stream_wl {
    zx_handle_t dst;
    const uint8_t* src_shadow;
} stream_wl_t;

static void on_done(void* ctx, wl_queue_job_t* j, sl_workload_result_t* res) {
    stream_wl_t* w = ctx;
    if (j->status != ZX_OK) return;
    char label[96];
    snprintf(label, sizeof label, "stream #%llu (+%llu, %llu bytes)", (unsigned long long)j->index,
             (unsigned long long)j->op.dst_offset, (unsigned long long)j->op.length);
    wl_compare(res, w->dst, j->op.dst_offset, w->src_shadow + j->op.src_offset, j->op.length, label);
}

void wl_stream_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res) {
    const dma_xfer_protocol_t* dma = proto;
    dma_xfer_info_t info;
    zx_status_t st = dma_xfer_get_info(dma, &info);
    if (st != ZX_OK) {
        wl_status(res, st, "stream: get_info");
        return;
    }
    if (!(info.ops_supported & (1u << DMA_XFER_OP_COPY))) {
        wl_status(res, ZX_ERR_NOT_SUPPORTED, "stream: the driver does not offer COPY");
        return;
    }
    if (p->pool_size > (1ull << 30)) {
        wl_status(res, ZX_ERR_OUT_OF_RANGE, "stream: workload.pool_size above 1 GiB");
        return;
    }
    const uint64_t chunk = p->max_size < p->pool_size ? p->max_size : p->pool_size;
    const uint64_t chunks = p->pool_size / chunk;
    uint64_t depth = p->queue_depth ? p->queue_depth : 1;
    if (depth > chunks) depth = chunks;
    stream_wl_t w = {.dst = ZX_HANDLE_INVALID};
    zx_handle_t src = ZX_HANDLE_INVALID;
    uint64_t size = 0;
    uint8_t* shadow = wl_calloc(1, p->pool_size);
    const wl_queue_config_t qc = {.name = "stream", .measure = true, .depth = (uint32_t)depth, .warmup = p->warmup,
                                  .done = on_done, .ctx = &w};
    wl_queue_t q;
    if (wl_queue_init(&q, dma, res, &qc) != ZX_OK) goto out;
    if (!shadow) {
        wl_status(res, ZX_ERR_NO_MEMORY, "stream: shadow");
        goto out;
    }
    w.src_shadow = shadow;
    if (wl_vmo_create(res, p->pool_size, &src, &size) != ZX_OK || wl_vmo_create(res, p->pool_size, &w.dst, &size) != ZX_OK)
        goto out;
    wl_rng_t r;
    wl_rng_seed(&r, p->seed, "stream");
    const uint64_t fill = p->pool_size < STREAM_FILL_MAX ? p->pool_size : STREAM_FILL_MAX;
    wl_rng_fill(&r, shadow, fill);
    if ((st = zx_vmo_write(src, shadow, 0, fill)) != ZX_OK) {
        wl_status(res, st, "stream: filling the source");
        goto out;
    }
    for (uint64_t k = 0; k < p->warmup + p->transfers; ++k) {
        const uint64_t off = (k % chunks) * chunk;
        /* A chunk is reused only after pool_size / max_size copies, more than the queue holds. */
        wl_queue_reserve(&q, NULL);
        dma_xfer_op_t op = dma_xfer_op_copy(src, off, w.dst, off, chunk);
        wl_queue_submit(&q, &op, NULL, NULL);
    }
out:
    wl_queue_finish(&q);
    if (src != ZX_HANDLE_INVALID) zx_handle_close(src);
    if (w.dst != ZX_HANDLE_INVALID) zx_handle_close(w.dst);
    wl_free(shadow);
}
