// Interrupt: an interrupt object over one IrqController vector (pci_map_interrupt).
//
// MSI (edge): zx_interrupt_wait consumes one pending edge of the vector, or blocks until one
// arrives. Legacy INTx (level): the wait returns while the line is high and then masks the
// object, as the kernel masks a level interrupt it has delivered; the next wait unmasks it, so a
// driver that waits again without clearing the device's interrupt condition is woken at once.
// zx_interrupt_destroy, or closing the last handle, cancels: waiters return ZX_ERR_CANCELED.
#pragma once

#include <cstdint>

#include <systemc>

#include "KernelObject.h"

namespace staleline::zx {

class ShimRuntime;

class Interrupt final : public KernelObject {
public:
    Interrupt(ShimRuntime& rt, unsigned slot, unsigned vector, bool level);

    unsigned vector() const { return vector_; }
    bool level() const { return level_; }
    unsigned slot() const { return slot_; }
    bool destroyed() const { return destroyed_; }

    // Blocks the calling simulated thread. ZX_OK with *timestamp (simulated ns) or
    // ZX_ERR_CANCELED. ZX_ERR_BAD_STATE outside a simulated thread.
    zx_status_t wait(zx_time_t* timestamp);
    // Cancels current and future waits.
    void destroy();
    void on_zero_handles() override { destroy(); }

private:
    ShimRuntime& rt_;
    unsigned slot_, vector_;
    bool level_;
    bool destroyed_ = false;
    bool masked_ = false;  // level: delivered and not yet re-armed
    sc_core::sc_event cancel_;
};

}  // namespace staleline::zx
