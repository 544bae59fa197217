#include "Interrupt.h"

#include "ShimRuntime.h"
#include "SimThread.h"

namespace staleline::zx {

using namespace sc_core;

Interrupt::Interrupt(ShimRuntime& rt, unsigned slot, unsigned vector, bool level)
    : KernelObject(ZX_OBJ_TYPE_INTERRUPT), rt_(rt), slot_(slot), vector_(vector), level_(level), cancel_() {}

zx_status_t Interrupt::wait(zx_time_t* timestamp) {
    SimThread& th = SimThread::current();
    if (!th.can_wait()) return ZX_ERR_BAD_STATE;
    th.sync();  // the interrupt may already have been raised in the time we ran ahead
    IrqController& irq = rt_.platform().irq();
    if (level_) masked_ = false;  // re-arm what the previous wait delivered
    for (;;) {
        if (destroyed_) return ZX_ERR_CANCELED;
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

void Interrupt::destroy() {
    if (destroyed_) return;
    destroyed_ = true;
    // Waking waiters needs the kernel; outside a running simulation there are none.
    if (sc_is_running()) cancel_.notify(SC_ZERO_TIME);
}

}  // namespace staleline::zx
