#include "Replacement.h"

#include <stdexcept>

namespace staleline {

namespace {

// Age stamps: the victim is the way with the oldest stamp. LRU stamps on fill and hit,
// FIFO on fill only.
class StampPolicy : public ReplacementPolicy {
public:
    StampPolicy(unsigned sets, unsigned ways, bool on_hit)
        : ways_(ways), on_hit_(on_hit), stamp_((size_t)sets * ways, 0) {}
    void touch(unsigned set, unsigned way) override {
        if (on_hit_) stamp_[(size_t)set * ways_ + way] = ++clock_;
    }
    void fill(unsigned set, unsigned way) override { stamp_[(size_t)set * ways_ + way] = ++clock_; }
    unsigned victim(unsigned set) override {
        const uint64_t* s = &stamp_[(size_t)set * ways_];
        unsigned best = 0;
        for (unsigned w = 1; w < ways_; ++w)
            if (s[w] < s[best]) best = w;
        return best;
    }
private:
    unsigned ways_;
    bool on_hit_;
    uint64_t clock_ = 0;
    std::vector<uint64_t> stamp_;
};

class RandomPolicy : public ReplacementPolicy {
public:
    RandomPolicy(unsigned ways, uint64_t seed) : ways_(ways), rng_(seed) {}
    void touch(unsigned, unsigned) override {}
    void fill(unsigned, unsigned) override {}
    unsigned victim(unsigned) override { return (unsigned)(rng_() % ways_); }
private:
    unsigned ways_;
    std::mt19937_64 rng_;
};

// Tree pseudo-LRU: ways-1 bits per set; each bit points to the less recently used half.
class PlruPolicy : public ReplacementPolicy {
public:
    PlruPolicy(unsigned sets, unsigned ways) : ways_(ways), bits_((size_t)sets * ways, 0) {
        if (ways == 0 || (ways & (ways - 1))) throw std::invalid_argument("plru needs a power-of-two number of ways");
    }
    void touch(unsigned set, unsigned way) override { point_away(set, way); }
    void fill(unsigned set, unsigned way) override { point_away(set, way); }
    unsigned victim(unsigned set) override {
        if (ways_ == 1) return 0;
        uint8_t* b = &bits_[(size_t)set * ways_];
        unsigned node = 1, lo = 0, span = ways_;
        while (span > 1) {
            span /= 2;
            if (b[node]) { lo += span; node = node * 2 + 1; }
            else node = node * 2;
        }
        return lo;
    }
private:
    // Walk from the root to `way`, setting each node to point at the other half.
    void point_away(unsigned set, unsigned way) {
        if (ways_ == 1) return;
        uint8_t* b = &bits_[(size_t)set * ways_];
        unsigned node = 1, lo = 0, span = ways_;
        while (span > 1) {
            span /= 2;
            bool upper = way >= lo + span;
            b[node] = upper ? 0 : 1;
            if (upper) { lo += span; node = node * 2 + 1; }
            else node = node * 2;
        }
    }
    unsigned ways_;
    std::vector<uint8_t> bits_;  // index 1..ways-1 used per set
};

}  // namespace

std::unique_ptr<ReplacementPolicy> ReplacementPolicy::create(const std::string& name, unsigned sets, unsigned ways,
                                                             uint64_t seed) {
    if (name == "lru") return std::make_unique<StampPolicy>(sets, ways, true);
    if (name == "fifo") return std::make_unique<StampPolicy>(sets, ways, false);
    if (name == "random") return std::make_unique<RandomPolicy>(ways, seed);
    if (name == "plru") return std::make_unique<PlruPolicy>(sets, ways);
    throw std::invalid_argument("unknown replacement policy '" + name + "'");
}

}  // namespace staleline
