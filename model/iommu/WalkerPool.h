// WalkerPool: the IOMMU's page walkers as a resource. A real IOMMU walks only a few
// translations at once; a miss that finds every walker busy queues behind the one that
// frees first. Loosely timed: each walker is just the time it is busy until, so a walk is
// placed when its transaction reaches the IOMMU (in call order), never earlier than it
// arrived. Walks arriving out of time order are served in call order (a walker's idle
// gap before its last walk is not reused); time never goes backwards.
#pragma once

#include <stdexcept>
#include <vector>

#include <systemc>

namespace staleline {

class WalkerPool {
public:
    // Throws std::invalid_argument when walkers is 0.
    explicit WalkerPool(unsigned walkers) {
        if (walkers == 0) throw std::invalid_argument("iommu: at least one page walker is needed");
        busy_until_.assign(walkers, sc_core::SC_ZERO_TIME);
    }

    // The walker that frees first, for a walk arriving at `arrival` (absolute time), and
    // when that walk can start: max(arrival, the walker's busy-until time).
    unsigned acquire(const sc_core::sc_time& arrival, sc_core::sc_time* start) const {
        unsigned best = 0;
        for (unsigned w = 1; w < (unsigned)busy_until_.size(); ++w)
            if (busy_until_[w] < busy_until_[best]) best = w;
        *start = busy_until_[best] > arrival ? busy_until_[best] : arrival;
        return best;
    }

    // Walker `w` is busy until `end` (the end of the walk acquire() placed on it).
    void release_at(unsigned w, const sc_core::sc_time& end) {
        if (end > busy_until_[w]) busy_until_[w] = end;
    }

    unsigned size() const { return (unsigned)busy_until_.size(); }
    const sc_core::sc_time& busy_until(unsigned w) const { return busy_until_[w]; }

private:
    std::vector<sc_core::sc_time> busy_until_;
};

}  // namespace staleline
