/* wl_batch: the submission loop of the copy and fill workloads. Operations are prepared and
 * issued up to queue_depth at a time (one synchronous transfer at a time when the depth is
 * 1), then waited for together and checked in the order they were issued. The first
 * operation that cannot be prepared ends the run after its batch. */
#ifndef SL_WL_BATCH_H
#define SL_WL_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

#include "workload.h"

/* The head of every job record a batch works on. */
typedef struct wl_job {
    uint64_t index;     /* the operation number, from 0 */
    zx_status_t status; /* its result */
} wl_job_t;

typedef struct wl_batch_ops {
    size_t job_size; /* size of the workload's job record, which starts with a wl_job_t */
    /* Prepare the job (its index is set) and describe its operation; nonzero when it could not
     * be prepared (the error is recorded by the callback). */
    int (*setup)(void* ctx, wl_job_t* job, dma_xfer_op_t* op);
    /* Release a job that was prepared in part and never issued: it is not an operation. */
    void (*discard)(void* ctx, wl_job_t* job);
    /* Check a completed (or failed) job and release it. */
    void (*finish)(void* ctx, wl_job_t* job);
} wl_batch_ops_t;

/* Runs `transfers` jobs; `name` labels an allocation failure. */
void wl_batch_run(const dma_xfer_protocol_t* dma, uint64_t transfers, uint32_t queue_depth, const wl_batch_ops_t* ops,
                  void* ctx, sl_workload_result_t* res, const char* name);

#endif
