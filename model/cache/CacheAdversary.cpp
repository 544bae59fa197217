#include "cache/CacheAdversary.h"

#include "config/Config.h"

namespace staleline {

const char* to_string(AdversaryMode m) {
    switch (m) {
    case AdversaryMode::None: return "none";
    case AdversaryMode::Prefetch: return "prefetch";
    case AdversaryMode::Evict: return "evict";
    case AdversaryMode::Random: return "random";
    }
    return "?";
}

namespace {

AdversaryMode mode_of(const std::string& s) {
    if (s == "prefetch") return AdversaryMode::Prefetch;
    if (s == "evict") return AdversaryMode::Evict;
    if (s == "random") return AdversaryMode::Random;
    if (s == "none") return AdversaryMode::None;
    throw ConfigError("cache.adversary", "unknown adversary '" + s + "'");
}

}  // namespace

CacheAdversary::CacheAdversary(const Config& cfg)
    : CacheAdversary(mode_of(cfg.get_string("cache.adversary")), cfg.get_double("cache.adversary_rate"),
                     (uint64_t)cfg.get_int("sim.seed")) {}

// A generator of its own (seed mixed with a constant), so that enabling the adversary does not
// shift the draws of random replacement or page allocation.
CacheAdversary::CacheAdversary(AdversaryMode mode, double rate, uint64_t seed)
    : mode_(mode), rate_(rate < 0 ? 0 : rate > 1 ? 1 : rate), rng_(seed ^ 0xad7e55a27ULL) {}

bool CacheAdversary::strike() {
    // 53 random bits as a double in [0, 1): exact and the same on every host, unlike
    // std::uniform_real_distribution whose algorithm is left to the library.
    const double u = (double)(rng_() >> 11) * (1.0 / 9007199254740992.0);
    return u < rate_;
}

uint64_t CacheAdversary::pick(uint64_t n) { return n ? rng_() % n : 0; }

}  // namespace staleline
