// Replacement policies shared by set-associative structures (Cache, Iotlb):
// lru, fifo, random (seeded) and tree pseudo-LRU. State is per set; the owner tells
// the policy about hits (touch) and fills, and asks it for a victim among full ways.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace staleline {

class ReplacementPolicy {
public:
    virtual ~ReplacementPolicy() = default;
    virtual void touch(unsigned set, unsigned way) = 0;  // a hit
    virtual void fill(unsigned set, unsigned way) = 0;   // a line/entry was installed
    virtual unsigned victim(unsigned set) = 0;           // all ways valid: which to evict

    // name: lru | fifo | random | plru. Throws std::invalid_argument on an unknown name.
    static std::unique_ptr<ReplacementPolicy> create(const std::string& name, unsigned sets, unsigned ways,
                                                     uint64_t seed);
};

}  // namespace staleline
