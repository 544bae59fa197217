#include "IrqController.h"

#include <algorithm>

namespace staleline {

IrqController::IrqController(sc_core::sc_module_name name) : sc_core::sc_module(name) {}

void IrqController::raise_edge(unsigned vector, const sc_core::sc_time& at) {
    Vector& v = vectors_[vector % kVectors];
    // Kept in arrival order (edges from several initiators may be raised out of order).
    v.edges.insert(std::upper_bound(v.edges.begin(), v.edges.end(), at), at);
    ++v.delivered;
    ++stats_.msi_messages;
    // Waiters that see the edge before it arrives wait until its time (next_edge).
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    v.ev.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
    if (listener_) listener_(vector % kVectors, true, true);
}

void IrqController::set_level(unsigned vector, bool level) {
    Vector& v = vectors_[vector % kVectors];
    if (v.level == level) return;
    v.level = level;
    if (level) {
        v.level_since = sc_core::sc_time_stamp();
        ++v.delivered;
        ++stats_.level_assertions;
    }
    v.ev.notify(sc_core::SC_ZERO_TIME);
    if (listener_) listener_(vector % kVectors, false, level);
}

bool IrqController::take_edge(unsigned vector, sc_core::sc_time* at) {
    Vector& v = vectors_[vector % kVectors];
    if (v.edges.empty() || v.edges.front() > sc_core::sc_time_stamp()) return false;
    if (at) *at = v.edges.front();
    v.edges.pop_front();
    return true;
}

bool IrqController::next_edge(unsigned vector, sc_core::sc_time* at) const {
    const Vector& v = vectors_[vector % kVectors];
    if (v.edges.empty()) return false;
    *at = v.edges.front();
    return true;
}

}  // namespace staleline
