/* wl_queue: the one way a workload issues protocol operations.
 *
 * Up to `depth` operations are queued (dma_xfer_queue with completion callbacks; with depth 1
 * each one is a synchronous dma_xfer_transfer), then waited for together (wait_all) and
 * handed, in submission order, to the workload's done callback for checking. The queue
 * counts operations and bytes and records failures. With `measure` it also measures every
 * operation after `warmup`: its latency from submission to completion and the throughput of
 * that measured phase. Measuring reads zx_clock_get_monotonic twice per operation, and a clock
 * read is a shim call that costs simulated time (shim.syscall_ns): it shifts the timing of
 * the whole run, and with it which races a buggy driver loses. Workloads whose runs the bug
 * catalogue and the tests pin down (copy, fill, blockio) therefore do not measure.
 *
 * Hazards: an operation may declare the VMO range it touches (wl_range_t). The queue then
 * drains before it accepts an operation whose range meets a queued one where either of the
 * two is a device write, so a device write never races another access to the same bytes (or
 * the same cache line: ranges are rounded out to hazard_align bytes).
 *
 * The loop of a workload:
 *     wl_queue_reserve(&q, &range);   // drains if the queue is full or the range conflicts
 *     ... prepare the operation's buffers (no queued operation touches them now) ...
 *     wl_queue_submit(&q, &op, &range, job);
 *   and at the end wl_queue_finish(&q), which drains and writes the measurements. */
#ifndef SL_WL_QUEUE_H
#define SL_WL_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

#include "workload.h"

/* Hazard granularity of the workloads that share one buffer between queued operations: the
 * cache lines of the default geometry (and up to 256-byte lines) stay apart. */
#define WL_QUEUE_HAZARD_ALIGN 256u

/* A latency and how many measured operations took it: latencies are whole clock cycles and
 * repeat, so counting them keeps memory by distinct values, not by operations. */
typedef struct {
    uint64_t ns, count;
} wl_latency_t;

typedef struct wl_queue_job {
    uint64_t index;      /* operation number, from 0 */
    dma_xfer_op_t op;
    zx_time_t t_submit, t_done;
    zx_status_t status;
    void* user;          /* the workload's data for this operation (its done callback frees it) */
    int has_range;       /* range holds its declared range, rounded out to hazard_align */
    struct {
        zx_handle_t vmo;
        uint64_t lo, hi;
        int device_writes;
    } range;
} wl_queue_job_t;

/* The bytes an operation touches: [off, off + len) of vmo, and whether the device writes them. */
typedef struct wl_range {
    zx_handle_t vmo;
    uint64_t off, len;
    int device_writes;
} wl_range_t;

/* Called for every finished operation (failed ones too), in submission order, once the queue
 * has counted it; job->status says how it ended. */
typedef void (*wl_queue_done_fn)(void* ctx, wl_queue_job_t* job, sl_workload_result_t* res);
/* Names an operation in the detail of a failure (default: "NAME #index (opcode N, L bytes)"). */
typedef void (*wl_queue_label_fn)(void* ctx, const wl_queue_job_t* job, char* buf, size_t len);

typedef struct wl_queue_config {
    const char* name;        /* the workload's name, for messages */
    uint32_t depth;          /* operations in flight; 0 is taken as 1 (synchronous) */
    bool measure;            /* measure latency and throughput (costs simulated time, see above) */
    uint64_t warmup;         /* with measure: operations before the measured phase */
    uint32_t hazard_align;   /* power of two that declared ranges are rounded out to; 0: exact */
    wl_queue_done_fn done;   /* optional */
    wl_queue_label_fn label; /* optional */
    void* ctx;               /* passed to done and label */
} wl_queue_config_t;

typedef struct wl_queue {
    const dma_xfer_protocol_t* dma;
    sl_workload_result_t* res;
    wl_queue_config_t cfg;
    /* state */
    wl_queue_job_t* jobs;
    uint32_t n;              /* operations queued */
    uint64_t issued;         /* operations submitted so far */
    wl_latency_t* lat;       /* latencies of measured operations (ns) and how often each came */
    uint64_t lat_used, lat_cap; /* entries of lat */
    uint64_t lat_count;      /* measured operations */
    zx_time_t measure_start, last_done;
    uint64_t measured_bytes;
} wl_queue_t;

/* Returns ZX_OK, or ZX_ERR_INVALID_ARGS / ZX_ERR_NO_MEMORY (recorded in res, nothing left
 * to free); wl_queue_finish may be called either way. */
zx_status_t wl_queue_init(wl_queue_t* q, const dma_xfer_protocol_t* dma, sl_workload_result_t* res,
                          const wl_queue_config_t* cfg);
/* Make room for the next operation before preparing its buffers: drains when the queue is
 * full or when range (NULL: none declared) conflicts with a queued one. It does not drain at
 * the end of the warm-up (submit does): preparing the first measured operation may overlap
 * the last warm-up operations, which is safe because its range does not conflict with theirs. */
void wl_queue_reserve(wl_queue_t* q, const wl_range_t* range);
/* Queue one operation (synchronous when depth is 1); range as for reserve (it is kept while
 * the operation is queued), user goes to the done callback. The measured phase starts with
 * an empty queue: the first operation after the warm-up drains it first. Returns the status
 * of the submission; a refused operation is still handed to done. */
zx_status_t wl_queue_submit(wl_queue_t* q, const dma_xfer_op_t* op, const wl_range_t* range, void* user);
/* Wait for everything queued and finish it. */
void wl_queue_drain(wl_queue_t* q);
/* Drain, write the latency percentiles and measured throughput into res, free. */
void wl_queue_finish(wl_queue_t* q);

/* Nearest-rank percentile (q in 0..100) of n sorted values; 0 when n is 0. */
uint64_t wl_percentile(const uint64_t* sorted, uint64_t n, unsigned q);
/* Nearest-rank percentile of the n operations counted in sorted (value, count) pairs. */
uint64_t wl_percentile_counted(const wl_latency_t* sorted, uint64_t pairs, uint64_t n, unsigned q);

#endif
