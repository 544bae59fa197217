/* fill: FILL of VMO ranges with 64-bit patterns, lengths from 1 byte to workload.max_size,
 * any start offset. Byte i of a range must be (pattern >> 8 * (i % 8)) & 0xff; WL_GUARD bytes
 * around it must be untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "wl_batch.h"
#include "wl_util.h"
#include "workloads.h"

typedef struct fill_job {
    wl_job_t job; /* index and status */
    zx_handle_t vmo;
    uint64_t vmo_size, off, len, pattern;
    uint8_t* want;
} fill_job_t;

typedef struct fill_ctx {
    wl_rng_t r;
    const sl_workload_params_t* p;
    sl_workload_result_t* res;
} fill_ctx_t;

static int setup(void* ctx, wl_job_t* job, dma_xfer_op_t* op) {
    fill_ctx_t* c = ctx;
    fill_job_t* j = (fill_job_t*)job;
    wl_rng_t* r = &c->r;
    const sl_workload_params_t* p = c->p;
    sl_workload_result_t* res = c->res;
    const uint64_t index = j->job.index;
    j->len = (index + 1 == p->transfers) ? p->max_size : wl_rng_size(r, p->min_size, p->max_size);
    j->off = (index % 2) ? wl_rng_below(r, 4096) : 0;
    wl_rng_fill(r, (uint8_t*)&j->pattern, sizeof j->pattern); /* no byte equals the guard byte */
    j->want = malloc(j->len);
    if (!j->want) {
        wl_status(res, ZX_ERR_NO_MEMORY, "fill #%llu: host buffer", (unsigned long long)index);
        return -1;
    }
    for (uint64_t i = 0; i < j->len; ++i) j->want[i] = (uint8_t)(j->pattern >> (8 * (i % 8)));
    if (wl_vmo_create(res, j->off + j->len + WL_GUARD, &j->vmo, &j->vmo_size) != ZX_OK) return -1;
    /* Guard bytes around the range, and something else than the pattern inside it. */
    const uint64_t lo = j->off > WL_GUARD ? j->off - WL_GUARD : 0;
    zx_status_t st = wl_vmo_set(j->vmo, lo, j->off + j->len + WL_GUARD - lo, WL_GUARD_BYTE);
    if (st != ZX_OK) {
        wl_status(res, st, "fill #%llu: preparing the buffer", (unsigned long long)index);
        return -1;
    }
    *op = dma_xfer_op_fill(j->vmo, j->off, j->len, j->pattern);
    return 0;
}

static void finish(void* ctx, wl_job_t* job) {
    fill_job_t* j = (fill_job_t*)job;
    sl_workload_result_t* res = ((fill_ctx_t*)ctx)->res;
    if (j->want && j->vmo) {
        char label[120];
        snprintf(label, sizeof label, "fill #%llu (%llu bytes at +%llu, pattern 0x%016llx)",
                 (unsigned long long)j->job.index, (unsigned long long)j->len, (unsigned long long)j->off,
                 (unsigned long long)j->pattern);
        res->operations++;
        if (j->job.status == ZX_OK) {
            res->bytes += j->len;
            wl_verify(res, j->vmo, j->vmo_size, j->off, j->want, j->len, label);
        } else {
            wl_status(res, j->job.status, "%s", label);
        }
    }
    if (j->vmo) zx_handle_close(j->vmo);
    free(j->want);
}

/* Not issued: not counted as an operation; its buffer is released. */
static void discard(void* ctx, wl_job_t* job) {
    fill_job_t* j = (fill_job_t*)job;
    free(j->want);
    j->want = NULL;
    finish(ctx, job);
}

void wl_fill_run(const dma_xfer_protocol_t* dma, const sl_workload_params_t* p, sl_workload_result_t* res) {
    static const wl_batch_ops_t ops = {sizeof(fill_job_t), setup, discard, finish};
    fill_ctx_t c = {.p = p, .res = res};
    wl_rng_seed(&c.r, p->seed, "fill");
    wl_batch_run(dma, p->transfers, p->queue_depth, &ops, &c, res, "fill");
}
