/* Staleline C API: how a workload marks its operations for the latency breakdown and the
 * timeline (staleline/trace.h, docs/timeline.md). Each call stamps the calling simulated
 * thread's time and costs no simulated time; with nobody listening it does nothing. */
#ifndef STALELINE_SHIM_TRACE_H
#define STALELINE_SHIM_TRACE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Operation `op` starts: its first driver call follows (ids are the workload's, unique while
 * the operation is in flight). */
void sl_trace_op_begin(uint64_t op);
/* The call that submitted it returned (queued operations; optional). */
void sl_trace_op_submitted(uint64_t op);
/* The workload learned that it completed. */
void sl_trace_op_end(uint64_t op);

#ifdef __cplusplus
}
#endif
#endif
