#include "IrqController.h"

namespace staleline {

IrqController::IrqController(sc_core::sc_module_name name) : sc_core::sc_module(name) {}

void IrqController::raise_edge(unsigned vector) {
    Vector& v = vectors_[vector % kVectors];
    ++v.pending;
    ++v.delivered;
    ++stats_.msi_messages;
    v.ev.notify(sc_core::SC_ZERO_TIME);
    if (listener_) listener_(vector % kVectors, true, true);
}

void IrqController::set_level(unsigned vector, bool level) {
    Vector& v = vectors_[vector % kVectors];
    if (v.level == level) return;
    v.level = level;
    if (level) {
        ++v.delivered;
        ++stats_.level_assertions;
    }
    v.ev.notify(sc_core::SC_ZERO_TIME);
    if (listener_) listener_(vector % kVectors, false, level);
}

bool IrqController::take_edge(unsigned vector) {
    Vector& v = vectors_[vector % kVectors];
    if (!v.pending) return false;
    --v.pending;
    return true;
}

}  // namespace staleline
