/* fill: FILL of VMO ranges with 64-bit patterns, lengths from 1 byte to workload.max_size,
 * any start offset. Byte i of a range must be (pattern >> 8 * (i % 8)) & 0xff; WL_GUARD bytes
 * around it must be untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "wl_util.h"
#include "workloads.h"

typedef struct fill_job {
    uint64_t index;
    zx_handle_t vmo;
    uint64_t vmo_size, off, len, pattern;
    uint8_t* want;
    zx_status_t status;
} fill_job_t;

static void on_complete(void* cookie, zx_status_t status) { ((fill_job_t*)cookie)->status = status; }

static int setup(fill_job_t* j, wl_rng_t* r, const sl_workload_params_t* p, sl_workload_result_t* res) {
    j->len = (j->index + 1 == p->transfers) ? p->max_size : wl_rng_size(r, p->min_size, p->max_size);
    j->off = (j->index % 2) ? wl_rng_below(r, 4096) : 0;
    wl_rng_fill(r, (uint8_t*)&j->pattern, sizeof j->pattern); /* no byte equals the guard byte */
    j->want = malloc(j->len);
    if (!j->want) {
        wl_status(res, ZX_ERR_NO_MEMORY, "fill #%llu: host buffer", (unsigned long long)j->index);
        return -1;
    }
    for (uint64_t i = 0; i < j->len; ++i) j->want[i] = (uint8_t)(j->pattern >> (8 * (i % 8)));
    if (wl_vmo_create(res, j->off + j->len + WL_GUARD, &j->vmo, &j->vmo_size) != ZX_OK) return -1;
    /* Guard bytes around the range, and something else than the pattern inside it. */
    const uint64_t lo = j->off > WL_GUARD ? j->off - WL_GUARD : 0;
    zx_status_t st = wl_vmo_set(j->vmo, lo, j->off + j->len + WL_GUARD - lo, WL_GUARD_BYTE);
    if (st != ZX_OK) {
        wl_status(res, st, "fill #%llu: preparing the buffer", (unsigned long long)j->index);
        return -1;
    }
    return 0;
}

static void finish(fill_job_t* j, sl_workload_result_t* res) {
    if (j->want && j->vmo) {
        char label[120];
        snprintf(label, sizeof label, "fill #%llu (%llu bytes at +%llu, pattern 0x%016llx)",
                 (unsigned long long)j->index, (unsigned long long)j->len, (unsigned long long)j->off,
                 (unsigned long long)j->pattern);
        res->operations++;
        if (j->status == ZX_OK) {
            res->bytes += j->len;
            wl_verify(res, j->vmo, j->vmo_size, j->off, j->want, j->len, label);
        } else {
            wl_status(res, j->status, "%s", label);
        }
    }
    if (j->vmo) zx_handle_close(j->vmo);
    free(j->want);
    memset(j, 0, sizeof *j);
}

void wl_fill_run(const dma_xfer_protocol_t* dma, const sl_workload_params_t* p, sl_workload_result_t* res) {
    wl_rng_t r;
    wl_rng_seed(&r, p->seed, "fill");
    const uint32_t depth = p->queue_depth ? p->queue_depth : 1;
    fill_job_t* jobs = calloc(depth, sizeof *jobs);
    if (!jobs) {
        wl_status(res, ZX_ERR_NO_MEMORY, "fill: job table");
        return;
    }
    int broken = 0;
    for (uint64_t i = 0; i < p->transfers && !broken;) {
        const uint32_t n = (uint32_t)(p->transfers - i < depth ? p->transfers - i : depth);
        uint32_t started = 0;
        for (; started < n; ++started) {
            fill_job_t* j = &jobs[started];
            j->index = i + started;
            if (setup(j, &r, p, res)) {
                broken = 1;
                free(j->want); /* not issued: not counted as an operation */
                j->want = NULL;
                finish(j, res);
                break;
            }
            dma_xfer_op_t op = dma_xfer_op_fill(j->vmo, j->off, j->len, j->pattern);
            if (depth == 1) {
                j->status = dma_xfer_transfer(dma, &op);
            } else {
                j->status = ZX_ERR_INTERNAL;
                op.complete = on_complete;
                op.cookie = j;
                zx_status_t st = dma_xfer_queue(dma, &op);
                if (st != ZX_OK) j->status = st;
            }
        }
        if (depth > 1) dma_xfer_wait_all(dma);
        for (uint32_t k = 0; k < started; ++k) finish(&jobs[k], res);
        i += n;
    }
    free(jobs);
}
