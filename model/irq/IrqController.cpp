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
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    const bool taken = !v.edges.empty() && v.edges.front() <= now;
    if (taken) {
        if (at) *at = v.edges.front();
        // Every edge that has arrived goes with this one: an interrupt object is triggered or
        // not (Zircon does not count MSIs), and edges taken one per wait pile up whenever a
        // driver handles several events per wake.
        while (!v.edges.empty() && v.edges.front() <= now) v.edges.pop_front();
    }
    // An sc_event keeps only its earliest notification: one for a later edge may have been
    // dropped, or cancelled by a level change. Re-arm for the oldest edge still on its way, so
    // a waiter that looks, finds nothing and waits on event() is woken when it arrives.
    if (!v.edges.empty() && v.edges.front() > now) v.ev.notify(v.edges.front() - now);
    return taken;
}

}  // namespace staleline

namespace staleline {

// Group "irq" of the platform's statistics.
void IrqController::write_stats(StatsSink::Group& g) const {
    g.count("msi_messages", stats_.msi_messages).count("level_assertions", stats_.level_assertions);
}

}  // namespace staleline
