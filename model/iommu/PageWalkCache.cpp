#include "PageWalkCache.h"

#include <stdexcept>
#include <string>

#include "iommu/Pte.h"

namespace staleline {

PageWalkCache::PageWalkCache(unsigned entries) : capacity_(entries) {
    if (entries > kMaxEntries)
        throw std::invalid_argument("page-walk cache: at most " + std::to_string(kMaxEntries) + " entries, got " +
                                    std::to_string(entries));
    index_.reserve(entries);
}

uint64_t PageWalkCache::key_of(uint16_t rid, unsigned level, uint64_t iova) {
    const uint64_t prefix = (iova >> (pte::kPageShift + pte::kBitsPerLevel * level)) & ((1ULL << 44) - 1);
    return (uint64_t)rid << 48 | (uint64_t)(level & 3) << 44 | prefix;
}

unsigned PageWalkCache::lookup(uint16_t rid, uint64_t iova, unsigned levels, uint64_t now, uint64_t* next_table) {
    if (!enabled()) return 0;
    ++stats_.lookups;
    // Deepest first: the entry nearest the leaf skips the most reads.
    for (unsigned level = 1; level < levels; ++level) {
        auto it = index_.find(key_of(rid, level, iova));
        if (it == index_.end() || it->second->ready > now) continue;
        lru_.splice(lru_.begin(), lru_, it->second);
        *next_table = it->second->next_table;
        ++stats_.hits;
        return level;
    }
    ++stats_.misses;
    return 0;
}

void PageWalkCache::insert(uint16_t rid, unsigned level, uint64_t iova, uint64_t next_table, uint64_t ready) {
    if (!enabled()) return;
    const uint64_t key = key_of(rid, level, iova);
    auto it = index_.find(key);
    if (it != index_.end()) {
        Entry& e = *it->second;
        e.next_table = next_table;
        if (ready < e.ready) e.ready = ready;
        lru_.splice(lru_.begin(), lru_, it->second);
        return;
    }
    if (lru_.size() >= capacity_) {
        index_.erase(lru_.back().key);
        lru_.pop_back();
        ++stats_.evictions;
    }
    const uint64_t base = iova & ~(pte::span(level) - 1);
    lru_.push_front(Entry{key, rid, level, base, next_table, ready});
    index_.emplace(key, lru_.begin());
    ++stats_.inserts;
}

template <typename Pred>
unsigned PageWalkCache::remove_if(Pred pred) {
    unsigned n = 0;
    for (auto it = lru_.begin(); it != lru_.end();) {
        if (pred(*it)) {
            index_.erase(it->key);
            it = lru_.erase(it);
            ++n;
        } else {
            ++it;
        }
    }
    stats_.invalidated_entries += n;
    return n;
}

unsigned PageWalkCache::invalidate_range(uint16_t rid, uint64_t first, uint64_t last) {
    if (lru_.empty() || last < first) return 0;
    return remove_if([&](const Entry& e) {
        const uint64_t e_last = e.base + (pte::span(e.level) - 1);
        return e.rid == rid && e.base <= last && e_last >= first;
    });
}

unsigned PageWalkCache::invalidate_requester(uint16_t rid) {
    return remove_if([&](const Entry& e) { return e.rid == rid; });
}

unsigned PageWalkCache::invalidate_all() {
    return remove_if([](const Entry&) { return true; });
}

bool PageWalkCache::contains(uint16_t rid, unsigned level, uint64_t iova) const {
    return index_.count(key_of(rid, level, iova)) != 0;
}

}  // namespace staleline
