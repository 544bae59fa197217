// IrqController: the platform's interrupt controller. Vectors are raised by edges (MSI
// messages, decoded by the PCI host) or driven by level lines (legacy INTx). Software
// (the shim's interrupt objects) waits on a vector's event and consumes edges.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include <systemc>

namespace staleline {

struct IrqStats {
    uint64_t msi_messages = 0;
    uint64_t level_assertions = 0;
};

class IrqController : public sc_core::sc_module {
public:
    static constexpr unsigned kVectors = 256;

    explicit IrqController(sc_core::sc_module_name name);

    // An edge (MSI): counted as pending until software consumes it.
    void raise_edge(unsigned vector);
    // A level line (INTx): high while the device asserts it.
    void set_level(unsigned vector, bool level);

    bool level(unsigned vector) const { return vectors_[vector % kVectors].level; }
    uint64_t edges_pending(unsigned vector) const { return vectors_[vector % kVectors].pending; }
    // Consume one pending edge; false when none.
    bool take_edge(unsigned vector);
    // Total interrupts delivered on this vector (edges + rising levels).
    uint64_t delivered(unsigned vector) const { return vectors_[vector % kVectors].delivered; }
    // Notified on every edge and on every level change of the vector.
    sc_core::sc_event& event(unsigned vector) { return vectors_[vector % kVectors].ev; }

    // Observer (trace/timeline): vector, is_msi, level.
    void set_listener(std::function<void(unsigned, bool, bool)> fn) { listener_ = std::move(fn); }
    const IrqStats& stats() const { return stats_; }

private:
    struct Vector {
        bool level = false;
        uint64_t pending = 0;
        uint64_t delivered = 0;
        sc_core::sc_event ev;
    };
    std::array<Vector, kVectors> vectors_;
    IrqStats stats_;
    std::function<void(unsigned, bool, bool)> listener_;
};

}  // namespace staleline
