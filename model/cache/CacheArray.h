// CacheArray: the bookkeeping of a set-associative, write-back, write-allocate cache:
// tags, valid and dirty bits, and a replacement policy. No data and no SystemC, so the
// same code serves the Cache model, trace replay and the benchmark.
//
// Tags are flat arrays (set-major); a line is identified by its line number
// (address >> log2(line)), and an invalid way holds kInvalid. The slot of the last
// access is remembered: a repeated access to that line is a hit that cannot change the
// replacement order of any policy, so it skips the set search entirely.
//
// lru and fifo are kept here as age stamps per slot (0 = invalid), so a miss finds the
// lowest invalid way or else the oldest way in one branch-free pass, without a virtual
// call; they behave exactly like the stamp policies of common/Replacement. plru and
// random use common/Replacement.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cache/CacheLineState.h"
#include "cache/CacheStats.h"
#include "common/Replacement.h"

namespace staleline {

class Config;

// The outcome of one line access.
struct LineAccess {
    bool hit;
    bool evicted;       // a valid line was replaced to make room
    bool victim_dirty;  // ... and it held dirty data, which must be written back
    uint64_t victim;    // address of the replaced line (when evicted)
};

class CacheArray {
public:
    // size and line in bytes; line a power of two >= 8; size divisible by line * ways.
    // policy: lru | fifo | random | plru (random is seeded with seed). Throws
    // std::invalid_argument on a bad geometry or policy.
    CacheArray(uint64_t size, uint64_t line, unsigned ways, const std::string& policy, uint64_t seed);
    // From cache.size, cache.line, cache.ways, cache.policy and sim.seed. Throws
    // ConfigError naming the offending key.
    static std::unique_ptr<CacheArray> from_config(const Config& cfg);

    uint64_t line_size() const { return 1ULL << shift_; }
    uint64_t line_base(uint64_t addr) const { return addr & ~(line_size() - 1); }
    unsigned line_shift() const { return shift_; }
    unsigned sets() const { return sets_; }
    unsigned ways() const { return ways_; }

    // Access the line holding addr: a hit updates the replacement state, a miss installs
    // the line (in the lowest invalid way, else the policy's victim). is_write marks the
    // line dirty. Counts hits, misses, evictions and write-backs of dirty victims.
    inline LineAccess access(uint64_t addr, bool is_write);

    // Install the line holding addr as a clean line (a miss that is not counted as an
    // access: speculative fills of the cache adversary). The line must not be present.
    LineAccess install(uint64_t addr);

    CacheLineState state(uint64_t addr) const;
    // Maintenance primitives; they return the state the line had and count nothing
    // (the caller knows whether it is a clean, an invalidate or a snoop).
    CacheLineState set_clean(uint64_t addr);  // dirty -> clean
    CacheLineState drop(uint64_t addr);       // -> invalid, dirty data is forgotten

    // Addresses of every valid line, in slot order, appended to out.
    void valid_lines(std::vector<uint64_t>* out) const;

    // Access counters (accesses, hits, misses, read/write split, evictions, and the
    // write-backs caused by evictions); the maintenance fields are zero here.
    CacheStats stats() const;

private:
    static constexpr uint64_t kInvalid = ~0ULL;  // no line number reaches it: lines are >= 8 bytes
    size_t find(uint64_t ln) const;  // slot holding line number ln, or npos
    static constexpr size_t npos = ~(size_t)0;
    unsigned set_of(uint64_t ln) const { return (unsigned)(sets_pow2_ ? (ln & set_mask_) : (ln % sets_)); }
    LineAccess miss(uint64_t ln, bool is_write);
    enum class Kind : uint8_t { Lru, Fifo, Other };

    unsigned shift_, sets_, ways_;
    bool sets_pow2_;
    uint64_t set_mask_;
    std::vector<uint64_t> tags_;  // sets * ways line numbers
    std::vector<uint8_t> dirty_;  // sets * ways
    Kind kind_;
    std::vector<uint64_t> stamp_;  // lru/fifo: when each slot was last used/filled; 0 = invalid
    uint64_t clock_ = 0;
    std::unique_ptr<ReplacementPolicy> policy_;  // plru/random only
    size_t last_slot_ = 0;
    uint64_t count_[2][2] = {};   // [is_write][hit]
    uint64_t evictions_ = 0, dirty_evictions_ = 0;
};

inline LineAccess CacheArray::access(uint64_t addr, bool is_write) {
    const uint64_t ln = addr >> shift_;
    if (tags_[last_slot_] == ln) {  // the most recently used line: nothing to reorder
        ++count_[is_write][1];
        dirty_[last_slot_] |= (uint8_t)is_write;
        return {true, false, false, 0};
    }
    const unsigned set = set_of(ln);
    const size_t base = (size_t)set * ways_;
    const uint64_t* t = &tags_[base];
    // Scan every way without an early exit: the compiler makes it branch-free, which
    // beats a loop that mispredicts its exit on every hit.
    unsigned way = ways_;
    for (unsigned w = 0; w < ways_; ++w) way = t[w] == ln ? w : way;
    if (way == ways_) return miss(ln, is_write);
    ++count_[is_write][1];
    last_slot_ = base + way;
    dirty_[last_slot_] |= (uint8_t)is_write;
    if (kind_ == Kind::Lru) stamp_[last_slot_] = ++clock_;
    else if (kind_ == Kind::Other) policy_->touch(set, way);
    return {true, false, false, 0};
}

}  // namespace staleline
