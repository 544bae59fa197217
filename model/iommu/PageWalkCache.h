// PageWalkCache: the IOMMU's cache of non-leaf page-table entries (Intel VT-d
// "paging-structure caches", AMD "page directory cache", Arm SMMU walk caches). Pure
// logic, no SystemC.
//
// An entry is one table entry at level L >= 1 (0 = leaf level) that points at the table
// of level L - 1, keyed by (requester, L, device address >> (12 + 9 L)): the address bits
// that index down to and including that level, so one entry covers span(L) bytes (2 MiB
// at level 1, 1 GiB at level 2, 512 GiB at level 3). Block entries are leaves and live in
// the IOTLB, never here. Fully associative, LRU (fills and the hit that starts a walk are
// uses); 0 entries disables it.
//
// Each entry carries the time its walk read it (`ready`, caller's time unit): a walk that
// starts earlier (another walker, in flight at the same time) cannot use it yet.
#pragma once

#include <cstdint>
#include <list>
#include <unordered_map>

namespace staleline {

struct PageWalkCacheStats {
    uint64_t lookups = 0, hits = 0, misses = 0, inserts = 0, evictions = 0, invalidated_entries = 0;
};

class PageWalkCache {
public:
    static constexpr unsigned kMaxEntries = 4096;

    // Throws std::invalid_argument above kMaxEntries.
    explicit PageWalkCache(unsigned entries);

    bool enabled() const { return capacity_ != 0; }
    unsigned capacity() const { return capacity_; }
    unsigned size() const { return (unsigned)lru_.size(); }

    // The deepest cached entry on the path to `iova` in a table of `levels` levels that
    // is ready at `now`: returns its level (1 .. levels - 1) and *next_table (the table
    // it points at, of level - 1), or 0 when none is (the walk starts at the root).
    // Counts a lookup and a hit or a miss; a hit makes the entry most recently used.
    unsigned lookup(uint16_t rid, uint64_t iova, unsigned levels, uint64_t now, uint64_t* next_table);

    // Caches the table entry of `level` on the path to `iova`, pointing at `next_table`,
    // read at `ready`. An entry already there is refreshed (kept ready at the earlier of
    // the two times). A full cache evicts its least recently used entry.
    void insert(uint16_t rid, unsigned level, uint64_t iova, uint64_t next_table, uint64_t ready);

    // Each returns the number of entries removed. invalidate_range removes the entries
    // of `rid` whose span intersects [first, last] (device addresses, inclusive).
    unsigned invalidate_range(uint16_t rid, uint64_t first, uint64_t last);
    unsigned invalidate_requester(uint16_t rid);
    unsigned invalidate_all();

    // Whether an entry for (rid, level, iova) is cached (no stats, no LRU update).
    bool contains(uint16_t rid, unsigned level, uint64_t iova) const;

    const PageWalkCacheStats& stats() const { return stats_; }

private:
    struct Entry {
        uint64_t key;
        uint16_t rid;
        unsigned level;
        uint64_t base;        // first device address the entry covers
        uint64_t next_table;  // physical address of the level - 1 table
        uint64_t ready;
    };
    // 16-bit requester, 2-bit level, 44-bit prefix (a 48-bit address at level 1 has 27).
    static uint64_t key_of(uint16_t rid, unsigned level, uint64_t iova);
    template <typename Pred>
    unsigned remove_if(Pred pred);

    unsigned capacity_;
    std::list<Entry> lru_;  // most recently used first
    std::unordered_map<uint64_t, std::list<Entry>::iterator> index_;
    PageWalkCacheStats stats_;
};

}  // namespace staleline
