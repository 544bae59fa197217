/* A queue of protocol operations shared by the ring, sgblock, stream and random workloads:
 * issues up to queue_depth operations, waits for them (wait_all), hands each finished one to
 * the workload for checking, and measures the latency of each operation (zx_clock_get_monotonic
 * at submission and at completion) and the throughput of the measured phase (the operations
 * after workload.warmup). */
#ifndef SL_WL_PIPE_H
#define SL_WL_PIPE_H

#include <stdint.h>
#include <zircon/types.h>

#include "workload.h"

typedef struct wl_pipe_job {
    uint64_t index;      /* operation number, from 0 */
    dma_xfer_op_t op;
    zx_time_t t_submit, t_done;
    zx_status_t status;
    void* user;          /* the workload's check data (freed by its done callback) */
} wl_pipe_job_t;

/* Called for every finished operation, in submission order. */
typedef void (*wl_pipe_done_fn)(void* ctx, wl_pipe_job_t* job, sl_workload_result_t* res);

typedef struct wl_pipe {
    const dma_xfer_protocol_t* dma;
    sl_workload_result_t* res;
    const char* name;
    uint32_t depth;
    uint64_t warmup;
    wl_pipe_done_fn done;
    void* ctx;
    /* state */
    wl_pipe_job_t* jobs;
    uint32_t n;
    uint64_t issued;
    uint64_t* lat;       /* latencies of measured operations (ns) */
    uint64_t lat_count, lat_cap;
    zx_time_t measure_start, last_done;
    uint64_t measured_bytes;
} wl_pipe_t;

/* depth 0 is taken as 1. Returns ZX_OK or ZX_ERR_NO_MEMORY (recorded in res). */
zx_status_t wl_pipe_init(wl_pipe_t* p, const dma_xfer_protocol_t* dma, sl_workload_result_t* res, const char* name,
                         uint32_t depth, uint64_t warmup, wl_pipe_done_fn done, void* ctx);
/* Queue one operation (synchronous when depth is 1). user goes to the done callback. Returns
 * the status of the submission; a refused operation is still handed to done. */
zx_status_t wl_pipe_submit(wl_pipe_t* p, const dma_xfer_op_t* op, void* user);
/* Wait for everything queued and finish it. */
void wl_pipe_drain(wl_pipe_t* p);
/* Drain, write the latency percentiles and measured throughput into res, free. */
void wl_pipe_finish(wl_pipe_t* p);

/* Nearest-rank percentile (q in 0..100) of n sorted values; 0 when n is 0. */
uint64_t wl_percentile(const uint64_t* sorted, uint64_t n, unsigned q);

/* Compare [off, off + len) of vmo (what the CPU sees) with want; record the first difference. */
void wl_compare(sl_workload_result_t* res, zx_handle_t vmo, uint64_t off, const uint8_t* want, uint64_t len,
                const char* label);

#endif
