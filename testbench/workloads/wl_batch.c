/* The batched submission loop of the copy and fill workloads (wl_batch.h). */
#include "wl_batch.h"

#include <stdlib.h>
#include <string.h>

#include "wl_util.h"

static void on_complete(void* cookie, zx_status_t status) { ((wl_job_t*)cookie)->status = status; }

void wl_batch_run(const dma_xfer_protocol_t* dma, uint64_t transfers, uint32_t queue_depth, const wl_batch_ops_t* ops,
                  void* ctx, sl_workload_result_t* res, const char* name) {
    const uint32_t depth = queue_depth ? queue_depth : 1;
    uint8_t* jobs = calloc(depth, ops->job_size);
    if (!jobs) {
        wl_status(res, ZX_ERR_NO_MEMORY, "%s: job table", name);
        return;
    }
    int broken = 0;
    for (uint64_t i = 0; i < transfers && !broken;) {
        const uint32_t n = (uint32_t)(transfers - i < depth ? transfers - i : depth);
        uint32_t started = 0;
        for (; started < n; ++started) {
            wl_job_t* j = (wl_job_t*)(jobs + (size_t)started * ops->job_size);
            j->index = i + started;
            dma_xfer_op_t op;
            if (ops->setup(ctx, j, &op)) {
                broken = 1;
                ops->discard(ctx, j);
                memset(j, 0, ops->job_size);
                break;
            }
            if (depth == 1) {
                j->status = dma_xfer_transfer(dma, &op);
            } else {
                j->status = ZX_ERR_INTERNAL; /* until the completion callback says otherwise */
                op.complete = on_complete;
                op.cookie = j;
                zx_status_t st = dma_xfer_queue(dma, &op);
                if (st != ZX_OK) j->status = st;
            }
        }
        if (depth > 1) dma_xfer_wait_all(dma); /* per-job statuses come from the callbacks */
        for (uint32_t k = 0; k < started; ++k) {
            wl_job_t* j = (wl_job_t*)(jobs + (size_t)k * ops->job_size);
            ops->finish(ctx, j);
            memset(j, 0, ops->job_size);
        }
        i += n;
    }
    free(jobs);
}
