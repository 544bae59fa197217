// libsync's completion (lib/sync/completion.h) on simulated threads.
//
// The state is the completion's futex word, in the driver's memory (0 unsignalled, 1
// signalled); waiters block on a SystemC event kept per completion address. Deadlines are
// simulated monotonic time, as zx_deadline_after() gives them.
#include <map>
#include <memory>

#include <systemc>

#include "ShimRuntime.h"
#include "SimThread.h"

#include <lib/sync/completion.h>
#include <zircon/time.h>

using namespace staleline::zx;
using namespace sc_core;

namespace {

// The event its waiters block on, per completion address, while anyone waits there: the last
// waiter to leave frees it, so that a driver's completions at ever new addresses (one per
// request in freshly allocated memory) do not add one for good each. A signal with nobody
// waiting has nothing to wake. A waiter that leaves by an exception (a killed thread at the end
// of the simulation) leaves the event alone: it may be going away with the kernel.
struct Waiters {
    std::unique_ptr<sc_event> event;
    unsigned count = 0;
};

std::map<const void*, Waiters>& waiters() {
    static auto* table = new std::map<const void*, Waiters>;
    return *table;
}

sc_event& enter_wait(const void* completion) {
    Waiters& w = waiters()[completion];
    // Unnamed: SystemC keeps the name of every named event in its object table for good, even
    // after the event is gone (one entry per wait of a long run); an unnamed event made while
    // the simulation runs is not entered there.
    if (!w.event) w.event = std::make_unique<sc_event>();
    ++w.count;
    return *w.event;
}

void leave_wait(const void* completion) {
    auto it = waiters().find(completion);
    if (it != waiters().end() && --it->second.count == 0) waiters().erase(it);
}

int load(const zx_futex_t* f) { return __atomic_load_n(f, __ATOMIC_ACQUIRE); }
void store(zx_futex_t* f, int v) { __atomic_store_n(f, v, __ATOMIC_RELEASE); }

}  // namespace

extern "C" {

zx_status_t sync_completion_wait_deadline(sync_completion_t* completion, zx_time_t deadline) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return ZX_ERR_BAD_STATE;
    if (!completion) rt->fault("sync_completion_wait on a NULL completion");
    SimThread& th = rt->enter_call();
    th.sync();  // the signal that happened before this thread's now is seen
    while (!load(&completion->futex)) {
        const zx_time_t now = (zx_time_t)th.now_ns();
        if (deadline <= now) return ZX_ERR_TIMED_OUT;
        if (!th.can_wait()) return ZX_ERR_BAD_STATE;  // outside a simulated thread nobody could signal
        sc_event& e = enter_wait(completion);
        if (deadline == ZX_TIME_INFINITE) th.wait(e);
        else th.wait(sc_time((double)(deadline - now), SC_NS), e);
        leave_wait(completion);
    }
    return ZX_OK;
}

zx_status_t sync_completion_wait(sync_completion_t* completion, zx_duration_t timeout) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return ZX_ERR_BAD_STATE;
    const zx_time_t now = (zx_time_t)SimThread::current().now_ns();
    return sync_completion_wait_deadline(completion, zx_time_add_duration(now, timeout));
}

void sync_completion_signal(sync_completion_t* completion) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!completion) {
        if (rt) rt->fault("sync_completion_signal on a NULL completion");
        return;
    }
    store(&completion->futex, 1);
    if (!rt) return;
    SimThread& th = rt->enter_call();
    th.sync();  // waiters wake at the signaller's time
    if (!sc_is_running()) return;
    auto it = waiters().find(completion);
    if (it != waiters().end()) it->second.event->notify(SC_ZERO_TIME);
}

void sync_completion_signal_requeue(sync_completion_t* completion, zx_futex_t* futex) {
    (void)futex;
    sync_completion_signal(completion);
}

void sync_completion_reset(sync_completion_t* completion) {
    if (!completion) {
        if (ShimRuntime* rt = ShimRuntime::get()) rt->fault("sync_completion_reset on a NULL completion");
        return;
    }
    store(&completion->futex, 0);
}

}  // extern "C"
