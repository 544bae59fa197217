// CacheAdversary: the liberties a real cache may take at any time, made to happen on
// purpose so that a driver which relies on luck fails visibly (cache.adversary,
// cache.adversary_rate, seeded by sim.seed):
//
//   prefetch  just before a device writes a line that is not in the cache, speculatively
//             fill it (the CPU then holds the pre-DMA bytes: a driver that invalidated only
//             before the DMA, not after, reads stale data);
//   evict     after a device write, force each dirty line it touched out of the cache (write
//             back + drop), and once per device transaction force out one random dirty line
//             (dirty CPU data lands over what the device wrote);
//   random    both.
//
// Each action happens with probability `rate`, decided by a generator of its own, so a run
// is reproducible. The cache asks this class what to do; it does not touch the cache itself.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>

namespace staleline {

class Config;

enum class AdversaryMode { None, Prefetch, Evict, Random };
const char* to_string(AdversaryMode m);  // "none", "prefetch", "evict", "random"

class CacheAdversary {
public:
    // cache.adversary, cache.adversary_rate, sim.seed.
    explicit CacheAdversary(const Config& cfg);
    CacheAdversary(AdversaryMode mode, double rate, uint64_t seed);

    AdversaryMode mode() const { return mode_; }
    bool prefetches() const { return mode_ == AdversaryMode::Prefetch || mode_ == AdversaryMode::Random; }
    bool evicts() const { return mode_ == AdversaryMode::Evict || mode_ == AdversaryMode::Random; }
    double rate() const { return rate_; }

    // One decision: true with probability rate().
    bool strike();
    // A uniform index in [0, n) (n > 0).
    uint64_t pick(uint64_t n);

    // Lines the adversary must not fill (e.g. lines whose CPU view holds writes the cache
    // model never saw, in the checker's conservative mode). Unset: every line may be filled.
    using LineFilter = std::function<bool(uint64_t line)>;
    void set_prefetch_filter(LineFilter f) { filter_ = std::move(f); }
    bool may_prefetch(uint64_t line) const { return !filter_ || filter_(line); }

private:
    AdversaryMode mode_;
    double rate_;
    std::mt19937_64 rng_;  // the standard fixes its output sequence: same seed, same run
    LineFilter filter_;
};

}  // namespace staleline
