#include "Interrupt.h"

#include "ShimRuntime.h"
#include "SimThread.h"

namespace staleline::zx {

using namespace sc_core;

Interrupt::Interrupt(ShimRuntime& rt, unsigned slot, unsigned vector, bool level)
    : KernelObject(ZX_OBJ_TYPE_INTERRUPT), rt_(rt), slot_(slot), vector_(vector), level_(level), cancel_() {}

Interrupt::Interrupt(ShimRuntime& rt) : KernelObject(ZX_OBJ_TYPE_INTERRUPT), rt_(rt), virtual_(true) {}

zx_status_t Interrupt::wait(zx_time_t* timestamp) {
    SimThread& th = SimThread::current();
    if (virtual_) {
        for (;;) {
            if (destroyed_) return ZX_ERR_CANCELED;
            if (triggered_) {
                triggered_ = false;
                if (timestamp) *timestamp = timestamp_;
                timestamp_ = 0;
                return ZX_OK;
            }
            if (!th.can_wait()) return ZX_ERR_BAD_STATE;
            th.wait(triggered_event_ | cancel_);
        }
    }
    if (!th.can_wait()) return ZX_ERR_BAD_STATE;
    th.sync();  // the interrupt may already have been raised in the time we ran ahead
    IrqController& irq = rt_.platform().irq();
    if (level_) masked_ = false;  // re-arm what the previous wait delivered
    for (;;) {
        if (destroyed_) return ZX_ERR_CANCELED;
        if (unregistered_) {  // no handler any more: only a cancel ends the wait
            th.wait(cancel_);
            continue;
        }
        sc_time at;
        if (!level_ ? irq.take_edge(vector_, &at) : irq.level(vector_)) {
            if (level_) {
                masked_ = true;
                at = irq.level_since(vector_);
            }
            // Zircon reports when the interrupt was triggered, not when the wait returned.
            if (timestamp) *timestamp = (zx_time_t)(at / sc_time(1, SC_NS));
            return ZX_OK;
        }
        th.wait(irq.event(vector_) | cancel_);
    }
}

zx_status_t Interrupt::trigger(zx_time_t timestamp) {
    if (!virtual_) return ZX_ERR_BAD_STATE;
    // The kernel records the timestamp of the first trigger since the last wait, even on a
    // destroyed object.
    if (!timestamp_) timestamp_ = timestamp;
    if (destroyed_) return ZX_ERR_CANCELED;
    // A waiter must not see the trigger before the triggering thread's own time.
    SimThread& th = SimThread::current();
    if (th.can_wait()) th.sync();
    triggered_ = true;
    if (sc_is_running()) triggered_event_.notify(SC_ZERO_TIME);
    return ZX_OK;
}

void Interrupt::destroy() {
    if (destroyed_) return;
    destroyed_ = true;
    // Waking waiters needs the kernel; outside a running simulation there are none.
    if (sc_is_running()) cancel_.notify(SC_ZERO_TIME);
}

}  // namespace staleline::zx
