/* Staleline C API: the timeline of a run and the per-operation latency breakdown.
 *
 * Models publish what they do on the platform's trace channel while someone listens
 * (docs/timeline.md); these are the listeners:
 *   sl_timeline_open/close   a Chrome trace-event JSON file (Perfetto, chrome://tracing)
 *   sl_latency_attach/...    where the time of each workload operation went, by stage
 * Workloads mark their operations with sl_trace_op_begin/submitted/end (staleline/shim_trace.h).
 * Close or detach them before sl_platform_destroy(). */
#ifndef STALELINE_TRACE_H
#define STALELINE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "staleline/checker.h"
#include "staleline/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- timeline ---- */

typedef struct sl_timeline sl_timeline_t;

/* Start writing the timeline of p into path. categories: NULL (all) or a comma-separated
 * subset of driver,device,iommu,dram,findings. NULL with sl_error() on an unknown category or
 * a file that cannot be written. */
sl_timeline_t* sl_timeline_open(sl_platform_t* p, const char* path, const char* categories);
/* Write the findings of chk (NULL: none) as instants, finish the file, free t. 0, or -1 with
 * sl_error() when a write failed. */
int sl_timeline_close(sl_timeline_t* t, sl_checker_t* chk);

/* ---- latency breakdown ---- */

typedef enum {
    SL_LB_DRIVER_PREP,         /* first driver call to the doorbell: pins, cache maintenance */
    SL_LB_DOORBELL,            /* the doorbell MMIO write */
    SL_LB_DEVICE_QUEUEING,     /* doorbell to the device's first burst */
    SL_LB_DESCRIPTOR_FETCH,    /* bursts the device names descriptor fetches, and the gaps before them */
    SL_LB_TRANSLATION,         /* IOMMU time inside bursts: IOTLB hits, misses, walks and their waits */
    SL_LB_MEMORY,              /* the rest of data bursts, and the gaps before them */
    SL_LB_STATUS_WRITEBACK,    /* bursts the device names status write-backs, and the gaps before them */
    SL_LB_INTERRUPT_DELIVERY,  /* last burst to the driver's interrupt wait returning */
    SL_LB_DRIVER_COMPLETION,   /* from there to completion: invalidate, unpin, callback */
    SL_LB_STAGES
} sl_lb_stage_t;

/* "driver_prep", "doorbell", "device_queueing", "descriptor_fetch", "translation", "memory",
 * "status_writeback", "interrupt_delivery", "driver_completion"; NULL out of range. */
const char* sl_lb_stage_name(int stage);

typedef enum {
    SL_LB_EV_MMIO_WRITE, /* a driver register write (on_op_thread: by the thread that began the op) */
    SL_LB_EV_BURST,      /* a device's upstream read or write; phase as below */
    SL_LB_EV_TRANSLATE,  /* an IOMMU translation (hit or walk) */
    SL_LB_EV_IRQ_RAISE,  /* a device raised an interrupt */
    SL_LB_EV_IRQ_WAKE    /* a driver thread's interrupt wait returned */
} sl_lb_event_kind_t;

#define SL_LB_PHASE_DATA 0
#define SL_LB_PHASE_DESCRIPTOR 1
#define SL_LB_PHASE_STATUS 2

typedef struct {
    sl_lb_event_kind_t kind;
    uint64_t ts, dur; /* any unit, the same as begin/end */
    int phase;        /* bursts: SL_LB_PHASE_* */
    int on_op_thread; /* MMIO writes */
} sl_lb_event_t;

/* Split [begin, end) of one operation into stages (a pure function of its arguments):
 *   doorbell   the last MMIO write by the op's thread within [begin, submitted]; none there
 *              (a driver that batches doorbells): its first one after submitted
 *   W          the last interrupt wake after the doorbell (none: end), R the last raise before W
 *   bursts     those starting in [doorbell end, R or W)
 * then, walking forward from begin: driver_prep to the doorbell, doorbell, device_queueing to
 * the first burst, each burst as translation (the translations overlapping it) plus its phase's
 * stage (gaps between bursts go to the next burst's stage; the gap after the last one, up to
 * R, to the last burst's stage), interrupt_delivery from there to W and driver_completion to
 * end (no wake: driver_completion from the device's end). Overlapping parts are counted once, so out[] adds up to
 * end - begin exactly. submitted: end when unknown. 0, or -1 when end < begin or out is NULL. */
int sl_latency_breakdown(uint64_t begin, uint64_t submitted, uint64_t end, const sl_lb_event_t* ev, size_t n,
                         uint64_t out[SL_LB_STAGES]);

typedef struct sl_latency sl_latency_t;
/* Listen to p's trace channel and break down every operation the workload marks. */
sl_latency_t* sl_latency_attach(sl_platform_t* p);
/* Operations broken down so far. */
size_t sl_latency_operations(const sl_latency_t* l);
/* Stage `stage` (SL_LB_STAGES: the total) of the operations, in ns: mean, and nearest-rank
 * percentiles 50 and 99. -1 on a bad stage. */
int sl_latency_stage_stats(const sl_latency_t* l, int stage, double* mean_ns, uint64_t* p50_ns, uint64_t* p99_ns);
/* Stage durations (ns) of operation i, in order of completion; only the first 1000 are kept
 * (memory does not grow with a run's length). -1 when out of range or not kept. */
int sl_latency_operation(const sl_latency_t* l, size_t i, uint64_t out_ns[SL_LB_STAGES]);
/* The same in ps, exact (they add up to the operation's time), with the workload's id of the
 * operation (the `op` of its marks) in *op when op is not NULL. */
int sl_latency_operation_ps(const sl_latency_t* l, size_t i, uint64_t* op, uint64_t out_ps[SL_LB_STAGES]);
void sl_latency_detach(sl_latency_t* l);

#ifdef __cplusplus
}
#endif
#endif
