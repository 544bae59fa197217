// Interrupt: an interrupt object. Either over one IrqController vector (pci_map_interrupt) or
// virtual (zx_interrupt_create with ZX_INTERRUPT_VIRTUAL), triggered by zx_interrupt_trigger.
//
// MSI (edge): zx_interrupt_wait consumes one pending edge of the vector, or blocks until one
// arrives. Legacy INTx (level): the wait returns while the line is high and then masks the
// object, as the kernel masks a level interrupt it has delivered; the next wait unmasks it, so a
// driver that waits again without clearing the device's interrupt condition is woken at once.
// Virtual: behaves as an edge interrupt. zx_interrupt_trigger latches one trigger (with the
// timestamp of the first trigger since the last wait returned); the next wait consumes it.
// zx_interrupt_destroy, or closing the last handle, cancels: waiters return ZX_ERR_CANCELED.
// A hardware interrupt whose PCI IRQ mode was changed (or whose vector was mapped again) is
// unregistered, as the 2018 kernel drops its handler: it never triggers again.
#pragma once

#include <cstdint>

#include <systemc>

#include "KernelObject.h"

namespace staleline::zx {

class ShimRuntime;

class Interrupt final : public KernelObject {
public:
    // A hardware interrupt on vector of the IrqController.
    Interrupt(ShimRuntime& rt, unsigned slot, unsigned vector, bool level);
    // A virtual interrupt.
    explicit Interrupt(ShimRuntime& rt);

    unsigned vector() const { return vector_; }
    bool level() const { return level_; }
    unsigned slot() const { return slot_; }
    bool is_virtual() const { return virtual_; }
    bool destroyed() const { return destroyed_; }

    // Blocks the calling simulated thread. ZX_OK with *timestamp (simulated ns) or
    // ZX_ERR_CANCELED. ZX_ERR_BAD_STATE outside a simulated thread when it would block.
    zx_status_t wait(zx_time_t* timestamp);
    // zx_interrupt_trigger after the handle checks: ZX_ERR_BAD_STATE (not virtual),
    // ZX_ERR_CANCELED (destroyed), else ZX_OK.
    zx_status_t trigger(zx_time_t timestamp);
    // Cancels current and future waits.
    void destroy();
    // The PCI bus dropped the handler of this interrupt (mode change, vector mapped again).
    void unregister() { unregistered_ = true; }
    void on_zero_handles() override { destroy(); }

private:
    ShimRuntime& rt_;
    unsigned slot_ = 0, vector_ = 0;
    bool level_ = false;
    bool virtual_ = false;
    bool destroyed_ = false;
    bool unregistered_ = false;
    bool masked_ = false;      // level: delivered and not yet re-armed
    bool triggered_ = false;   // virtual: a trigger not yet consumed by a wait
    zx_time_t timestamp_ = 0;  // virtual: of the first trigger since the last wait returned
    sc_core::sc_event cancel_;
    sc_core::sc_event triggered_event_;
};

}  // namespace staleline::zx
