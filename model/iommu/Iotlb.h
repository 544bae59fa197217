// Iotlb: the IOMMU's translation cache. Pure logic (no SystemC), shared by the Iommu
// model, IOTLB trace replay and the benchmark.
//
// An entry maps one page of one requester: a 4 KiB page (tag = device page number) or a
// 2 MiB block (tag = device page number >> 9). Geometry is `entries` slots in
// entries/ways sets (ways 0 = one set, fully associative). Set index:
//   set = (tag XOR requester * 0x9E3779B1) mod sets
// so requester 0 uses set = tag mod sets (what the tests compute by hand). A lookup
// probes the 4 KiB set first, then the 2 MiB set when any block entry is cached.
// Replacement among full sets comes from common/Replacement.h; invalid ways are
// always filled first (lowest way first). Sets wider than kWideWays find entries through
// a hash index instead of scanning, and keep lru/fifo order in an O(1) RecencyList that
// makes the same choices as the Replacement.h policies.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/Replacement.h"
#include "iommu/IotlbIndex.h"
#include "iommu/RecencyList.h"

namespace staleline {

// What a hit returns: the physical base of the whole page or block and its permissions.
struct IotlbTranslation {
    uint64_t pa_base = 0;      // physical address of the page (4 KiB) or block (2 MiB) start
    unsigned perms = 0;        // Iommu::kRead | Iommu::kWrite
    uint64_t page_size = 4096; // 4096 or 2 MiB
    // When the entry becomes usable, in the caller's time unit (0: at once). The Iommu
    // stores the end of the walk that filled it, so a lookup before then waits for it.
    uint64_t ready = 0;

    // Physical address of device page `dpn` inside this page or block.
    uint64_t pa_of_page(uint64_t dpn) const { return pa_base + ((dpn << 12) & (page_size - 1)); }
};

struct IotlbStats {
    uint64_t lookups = 0, hits = 0, misses = 0, inserts = 0, evictions = 0, invalidated_entries = 0;
};

class Iotlb {
public:
    static constexpr uint64_t kPageSize = 4096;
    static constexpr uint64_t kBlockSize = 2ULL << 20;
    static constexpr unsigned kPagesPerBlock = 512;
    static constexpr unsigned kWideWays = 16;

    // Throws std::invalid_argument on a bad geometry (entries 0, entries not divisible by
    // ways, ways > entries) or an unknown policy.
    Iotlb(unsigned entries, unsigned ways /*0 = fully associative*/, const std::string& policy, uint64_t seed);

    // Looks up device page `dpn` of requester `rid`. On a hit fills *out (may be null) and
    // updates the replacement state. Counts a lookup and a hit or a miss.
    bool lookup(uint16_t rid, uint64_t dpn, IotlbTranslation* out);
    // Same search without counting or touching replacement state.
    bool probe(uint16_t rid, uint64_t dpn, IotlbTranslation* out) const;

    // Caches the translation of `dpn` (any page inside the block when t.page_size is 2 MiB).
    // Replaces an existing entry with the same tag; otherwise fills an invalid way or
    // evicts the policy's victim (counted). Returns true when something was evicted.
    bool insert(uint16_t rid, uint64_t dpn, const IotlbTranslation& t);

    // Each returns the number of entries it removed (also added to invalidated_entries).
    // A block entry is removed when any of its pages is in the range.
    unsigned invalidate_page(uint16_t rid, uint64_t dpn);
    unsigned invalidate_range(uint16_t rid, uint64_t dpn_first, uint64_t count);
    unsigned invalidate_requester(uint16_t rid);
    unsigned invalidate_all();

    const IotlbStats& stats() const { return stats_; }
    void reset_stats() { stats_ = IotlbStats(); }

    unsigned entries() const { return sets_ * ways_; }
    unsigned sets() const { return sets_; }
    unsigned ways() const { return ways_; }
    unsigned valid_entries() const { return valid_total_; }
    const std::string& policy() const { return policy_name_; }
    // The set an entry of this requester and tag (dpn, or dpn >> 9 for a block) lives in.
    unsigned set_of(uint16_t rid, uint64_t tag) const;

private:
    // Slot identity besides the tag: requester, block flag, valid flag.
    static uint32_t ident(uint16_t rid, bool block) { return (uint32_t)rid << 2 | (block ? 2u : 0u) | 1u; }

    int find(unsigned set, uint64_t tag, uint32_t id) const;  // slot index or -1
    int locate(uint16_t rid, uint64_t dpn) const;              // 4 KiB entry, else block; -1
    void read_slot(unsigned slot, IotlbTranslation* out) const;
    void drop(unsigned slot);
    void touch(unsigned set, unsigned slot);
    void filled(unsigned set, unsigned slot, bool fresh);
    unsigned victim(unsigned set);
    unsigned invalidate_tag(uint16_t rid, uint64_t tag, bool block);
    template <typename Pred>
    unsigned invalidate_where(Pred pred);

    unsigned sets_, ways_;
    bool sets_pow2_;
    bool wide_;       // ways > kWideWays: hash index instead of scanning the ways
    bool recency_;    // wide and lru/fifo: order kept in recency_list_
    bool lru_;        // (with recency_) hits move an entry to the front
    std::string policy_name_;
    std::unique_ptr<ReplacementPolicy> policy_;  // unless recency_
    std::unique_ptr<RecencyList> recency_list_;
    // Slot arrays, slot = set * ways + way. id_ 0 means invalid.
    std::vector<uint64_t> tag_;
    std::vector<uint32_t> id_;
    std::vector<uint64_t> pa_;
    std::vector<uint8_t> perms_;
    std::vector<uint64_t> ready_;
    std::vector<unsigned> valid_in_set_;
    std::vector<unsigned> first_free_;  // per set: no invalid way below this one
    IotlbIndex index_;
    unsigned valid_total_ = 0;
    unsigned valid_blocks_ = 0;
    IotlbStats stats_;
};

}  // namespace staleline
