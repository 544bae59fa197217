// IrqController: the platform's interrupt controller. Vectors are raised by edges (MSI
// messages, decoded by the PCI host) or driven by level lines (legacy INTx). Software
// (the shim's interrupt objects) waits on a vector's event and consumes edges.
#pragma once

#include <array>
#include <deque>
#include <cstdint>
#include <functional>

#include <systemc>

#include "common/StatsSink.h"

namespace staleline {

struct IrqStats {
    uint64_t msi_messages = 0;
    uint64_t level_assertions = 0;
};

class IrqController : public sc_core::sc_module {
public:
    static constexpr unsigned kVectors = 256;

    explicit IrqController(sc_core::sc_module_name name);

    // An edge (MSI) that arrives at `at` (a loosely timed initiator may deliver it ahead of
    // its time: it becomes visible then): pending until software consumes it.
    void raise_edge(unsigned vector, const sc_core::sc_time& at);
    void raise_edge(unsigned vector) { raise_edge(vector, sc_core::sc_time_stamp()); }
    // A level line (INTx): high while the device asserts it.
    void set_level(unsigned vector, bool level);

    bool level(unsigned vector) const { return vectors_[vector % kVectors].level; }
    // Edges raised and not consumed, including any that have not arrived yet.
    uint64_t edges_pending(unsigned vector) const { return vectors_[vector % kVectors].edges.size(); }
    // Consume the edges that have arrived by now (one wake for all of them), the oldest's
    // arrival time in *at; false when none.
    // Either way event() is then due when the next edge still on its way arrives, so a waiter
    // loops: take_edge, else wait on event().
    bool take_edge(unsigned vector, sc_core::sc_time* at = nullptr);
    // When the level last rose (meaningful while level() is true).
    const sc_core::sc_time& level_since(unsigned vector) const { return vectors_[vector % kVectors].level_since; }
    // Total interrupts delivered on this vector (edges + rising levels).
    uint64_t delivered(unsigned vector) const { return vectors_[vector % kVectors].delivered; }
    // Notified on every edge and on every level change of the vector.
    sc_core::sc_event& event(unsigned vector) { return vectors_[vector % kVectors].ev; }

    // Observer (trace/timeline): vector, is_msi, level.
    void set_listener(std::function<void(unsigned, bool, bool)> fn) { listener_ = std::move(fn); }
    const IrqStats& stats() const { return stats_; }
    void write_stats(StatsSink::Group& g) const;

private:
    struct Vector {
        bool level = false;
        sc_core::sc_time level_since;
        std::deque<sc_core::sc_time> edges;  // arrival times of pending edges, oldest first
        uint64_t delivered = 0;
        sc_core::sc_event ev;
    };
    std::array<Vector, kVectors> vectors_;
    IrqStats stats_;
    std::function<void(unsigned, bool, bool)> listener_;
};

}  // namespace staleline
