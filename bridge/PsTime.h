// Conversions between sc_time and integer picoseconds (the unit of ClockDomain).
#pragma once

#include <cstdint>

#include <systemc>

namespace staleline {

inline uint64_t sc_time_units_per_ps() {
    static const uint64_t u = (uint64_t)sc_core::sc_time(1, sc_core::SC_PS).value();  // 0 if resolution > 1 ps
    return u;
}

inline uint64_t to_ps(const sc_core::sc_time& t) {
    uint64_t u = sc_time_units_per_ps();
    return u ? (uint64_t)t.value() / u : (uint64_t)(t.to_seconds() * 1e12 + 0.5);
}

inline sc_core::sc_time from_ps(uint64_t ps) {
    uint64_t u = sc_time_units_per_ps();
    return u ? sc_core::sc_time::from_value(ps * u) : sc_core::sc_time((double)ps, sc_core::SC_PS);
}

}  // namespace staleline
