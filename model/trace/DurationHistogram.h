// DurationHistogram: how often each duration, to the nanosecond, came; exact nearest-rank
// percentiles in memory bounded by the spread of the durations, not by how many there were.
// Counts live in blocks of kSlots consecutive nanoseconds (16-bit counters, a carry map for
// the few values seen 65,536 times or more), allocated as values land in them: a run of 10^6
// operations whose durations span the same range as 10^4 holds the same blocks.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>

namespace staleline {

class DurationHistogram {
public:
    void add(uint64_t ns);
    uint64_t count() const { return count_; }
    // The smallest duration with at least ceil(q * count() / 100) durations at or below it
    // (at least one); 0 when empty.
    uint64_t percentile(unsigned q) const;

private:
    static constexpr unsigned kSlots = 64;
    using Block = std::array<uint16_t, kSlots>;
    std::map<uint64_t, std::unique_ptr<Block>> blocks_;  // by ns / kSlots
    std::map<uint64_t, uint64_t> carry_;                  // ns -> count beyond its 16-bit slot
    uint64_t last_index_ = UINT64_MAX;                    // the block add() used last
    Block* last_ = nullptr;
    uint64_t count_ = 0;
};

}  // namespace staleline
