// ClockDomain: the RTL clock as a mapping between cycle numbers and picoseconds.
// Edge k of the clock happens at time_ps(k) = floor(k * 1e6 / MHz); cycle_at(t) is the
// first edge at or after t. Plain C++ (no SystemC), shared by the RTL core and the bridges.
#pragma once

#include <cstdint>
#include <stdexcept>

namespace staleline {

class ClockDomain {
public:
    explicit ClockDomain(uint64_t mhz) : mhz_(mhz) {
        if (mhz == 0) throw std::invalid_argument("clock frequency must be at least 1 MHz");
    }
    uint64_t mhz() const { return mhz_; }
    // Time of edge `cycle`, in ps.
    uint64_t time_ps(uint64_t cycle) const { return (uint64_t)((unsigned __int128)cycle * 1000000u / mhz_); }
    // First edge at or after `ps`.
    uint64_t cycle_at(uint64_t ps) const {
        return (uint64_t)(((unsigned __int128)ps * mhz_ + 999999u) / 1000000u);
    }
    // Length of one cycle, in ps (rounded down: 3003 ps at 333 MHz).
    uint64_t period_ps() const { return 1000000u / mhz_; }

private:
    uint64_t mhz_;
};

}  // namespace staleline
