/* lib/sync/completion.h: Zircon's sync completion (libsync), a one-shot event a thread waits
 * on until another signals it.
 *
 * Semantics are Zircon's: signal() wakes every waiter and leaves the completion signalled
 * until reset(); wait() returns at once on a signalled completion. Under Staleline the
 * waiting is on simulated threads and the timeouts are simulated time (shim/runtime/
 * SyncCompletion.cpp): a wait on a completion nobody signals ends with ZX_ERR_TIMED_OUT at
 * its deadline, or, with ZX_TIME_INFINITE, when the simulation runs out of events. */
#ifndef LIB_SYNC_COMPLETION_H_
#define LIB_SYNC_COMPLETION_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct sync_completion {
    zx_futex_t futex; /* 0: unsignalled, 1: signalled */
#ifdef __cplusplus
    sync_completion() : futex(0) {}
#endif
} sync_completion_t;

#if !defined(__cplusplus)
#define SYNC_COMPLETION_INIT ((sync_completion_t){0})
#endif

/* Wait until signalled or `timeout` has passed: ZX_OK or ZX_ERR_TIMED_OUT. */
zx_status_t sync_completion_wait(sync_completion_t* completion, zx_duration_t timeout);
/* The same with an absolute deadline (ZX_CLOCK_MONOTONIC). */
zx_status_t sync_completion_wait_deadline(sync_completion_t* completion, zx_time_t deadline);
/* Signal: wake every waiter; later waits return at once until reset. */
void sync_completion_signal(sync_completion_t* completion);
/* Signal; Zircon moves the waiters to `futex` instead of waking them. Here they are woken,
 * which a caller of Zircon's requeue must already tolerate (spurious wake-ups). */
void sync_completion_signal_requeue(sync_completion_t* completion, zx_futex_t* futex);
/* Back to unsignalled. */
void sync_completion_reset(sync_completion_t* completion);

__END_CDECLS

#endif /* LIB_SYNC_COMPLETION_H_ */
