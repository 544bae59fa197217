#include "Iotlb.h"

#include <stdexcept>

namespace staleline {

Iotlb::Iotlb(unsigned entries, unsigned ways, const std::string& policy, uint64_t seed) : policy_name_(policy) {
    if (entries == 0) throw std::invalid_argument("iotlb: entries must be at least 1");
    if (ways == 0) ways = entries;
    if (ways > entries) throw std::invalid_argument("iotlb: ways (" + std::to_string(ways) + ") exceed entries (" +
                                                    std::to_string(entries) + ")");
    if (entries % ways)
        throw std::invalid_argument("iotlb: entries (" + std::to_string(entries) + ") not divisible by ways (" +
                                    std::to_string(ways) + ")");
    ways_ = ways;
    sets_ = entries / ways;
    sets_pow2_ = (sets_ & (sets_ - 1)) == 0;
    wide_ = ways_ > kWideWays;
    recency_ = wide_ && (policy == "lru" || policy == "fifo");
    lru_ = policy == "lru";
    if (recency_) recency_list_ = std::make_unique<RecencyList>(sets_, ways_);
    else policy_ = ReplacementPolicy::create(policy, sets_, ways_, seed);
    tag_.assign(entries, 0);
    id_.assign(entries, 0);
    pa_.assign(entries, 0);
    perms_.assign(entries, 0);
    ready_.assign(entries, 0);
    valid_in_set_.assign(sets_, 0);
    first_free_.assign(sets_, 0);
    if (wide_) index_.reset(entries);
}

unsigned Iotlb::set_of(uint16_t rid, uint64_t tag) const {
    uint64_t h = tag ^ ((uint64_t)rid * 0x9E3779B1ULL);
    return sets_pow2_ ? (unsigned)(h & (sets_ - 1)) : (unsigned)(h % sets_);
}

int Iotlb::find(unsigned set, uint64_t tag, uint32_t id) const {
    if (wide_) return index_.find(tag, id);
    unsigned base = set * ways_;
    const uint64_t* t = &tag_[base];
    const uint32_t* d = &id_[base];
    // Branch-free: which way matches is unpredictable, a mispredicted early exit costs more.
    uint32_t match = 0;
    for (unsigned w = 0; w < ways_; ++w) match |= (uint32_t)((t[w] == tag) & (d[w] == id)) << w;
    return match ? (int)(base + (unsigned)__builtin_ctz(match)) : -1;
}

int Iotlb::locate(uint16_t rid, uint64_t dpn) const {
    int slot = find(set_of(rid, dpn), dpn, ident(rid, false));
    if (slot < 0 && valid_blocks_) {
        uint64_t b = dpn / kPagesPerBlock;
        slot = find(set_of(rid, b), b, ident(rid, true));
    }
    return slot;
}

void Iotlb::read_slot(unsigned slot, IotlbTranslation* out) const {
    if (!out) return;
    out->pa_base = pa_[slot];
    out->perms = perms_[slot];
    out->page_size = (id_[slot] & 2u) ? kBlockSize : kPageSize;
    out->ready = ready_[slot];
}

bool Iotlb::lookup(uint16_t rid, uint64_t dpn, IotlbTranslation* out) {
    ++stats_.lookups;
    int slot = locate(rid, dpn);
    if (slot < 0) {
        ++stats_.misses;
        return false;
    }
    ++stats_.hits;
    touch((unsigned)slot / ways_, (unsigned)slot);
    read_slot((unsigned)slot, out);
    return true;
}

bool Iotlb::probe(uint16_t rid, uint64_t dpn, IotlbTranslation* out) const {
    int slot = locate(rid, dpn);
    if (slot < 0) return false;
    read_slot((unsigned)slot, out);
    return true;
}

bool Iotlb::insert(uint16_t rid, uint64_t dpn, const IotlbTranslation& t) {
    bool block = t.page_size == kBlockSize;
    if (!block && t.page_size != kPageSize)
        throw std::invalid_argument("iotlb: page size must be 4 KiB or 2 MiB, got " + std::to_string(t.page_size));
    uint64_t tag = block ? dpn / kPagesPerBlock : dpn;
    uint32_t id = ident(rid, block);
    unsigned set = set_of(rid, tag);
    unsigned base = set * ways_;
    int slot = find(set, tag, id);
    bool evicted = false, fresh = slot < 0;
    ++stats_.inserts;
    if (fresh) {
        if (valid_in_set_[set] < ways_) {
            // every way below the hint is valid, so this finds the lowest invalid way
            unsigned w = first_free_[set];
            while (id_[base + w]) ++w;
            slot = (int)(base + w);
            first_free_[set] = w + 1;
        } else {
            slot = (int)victim(set);
            drop((unsigned)slot);
            ++stats_.evictions;
            evicted = true;
        }
        tag_[slot] = tag;
        id_[slot] = id;
        ++valid_in_set_[set];
        ++valid_total_;
        if (block) ++valid_blocks_;
        if (wide_) index_.insert(tag, id, (unsigned)slot);
    }
    pa_[slot] = t.pa_base & ~(t.page_size - 1);
    perms_[slot] = (uint8_t)t.perms;
    ready_[slot] = t.ready;
    filled(set, (unsigned)slot, fresh);
    return evicted;
}

void Iotlb::touch(unsigned set, unsigned slot) {
    if (!recency_) policy_->touch(set, slot - set * ways_);
    else if (lru_) recency_list_->to_front(set, slot);
}

void Iotlb::filled(unsigned set, unsigned slot, bool fresh) {
    if (!recency_) policy_->fill(set, slot - set * ways_);
    else if (fresh) recency_list_->push_front(set, slot);
    else recency_list_->to_front(set, slot);  // re-inserting a cached tag is a fill for lru and fifo
}

unsigned Iotlb::victim(unsigned set) {
    return recency_ ? recency_list_->back(set) : set * ways_ + policy_->victim(set);
}

void Iotlb::drop(unsigned slot) {
    if (!id_[slot]) return;
    if (wide_) index_.erase(tag_[slot], id_[slot]);
    if (recency_) recency_list_->unlink(slot / ways_, slot);
    if (id_[slot] & 2u) --valid_blocks_;
    id_[slot] = 0;
    tag_[slot] = 0;
    unsigned set = slot / ways_, way = slot % ways_;
    --valid_in_set_[set];
    if (way < first_free_[set]) first_free_[set] = way;
    --valid_total_;
}

unsigned Iotlb::invalidate_tag(uint16_t rid, uint64_t tag, bool block) {
    int slot = find(set_of(rid, tag), tag, ident(rid, block));
    if (slot < 0) return 0;
    drop((unsigned)slot);
    return 1;
}

template <typename Pred>
unsigned Iotlb::invalidate_where(Pred pred) {
    unsigned n = 0;
    for (unsigned s = 0; s < (unsigned)id_.size(); ++s)
        if (id_[s] && pred(s)) {
            drop(s);
            ++n;
        }
    return n;
}

unsigned Iotlb::invalidate_page(uint16_t rid, uint64_t dpn) { return invalidate_range(rid, dpn, 1); }

unsigned Iotlb::invalidate_range(uint16_t rid, uint64_t first, uint64_t count) {
    if (count == 0 || valid_total_ == 0) return 0;
    uint64_t last = first + count - 1;
    if (last < first) last = ~0ULL;  // clamp at the top of the address space
    uint64_t bfirst = first / kPagesPerBlock, blast = last / kPagesPerBlock;
    unsigned n = 0;
    // Probe tag by tag while that is cheaper than scanning every slot.
    uint64_t probes = (last - first + 1) + (valid_blocks_ ? blast - bfirst + 1 : 0);
    if (last - first < (uint64_t)entries() && probes <= (uint64_t)entries()) {
        for (uint64_t p = first;; ++p) {
            n += invalidate_tag(rid, p, false);
            if (p == last) break;
        }
        if (valid_blocks_)
            for (uint64_t b = bfirst; b <= blast; ++b) n += invalidate_tag(rid, b, true);
    } else {
        uint32_t page_id = ident(rid, false), block_id = ident(rid, true);
        n = invalidate_where([&](unsigned s) {
            if (id_[s] == page_id) return tag_[s] >= first && tag_[s] <= last;
            if (id_[s] == block_id) return tag_[s] >= bfirst && tag_[s] <= blast;
            return false;
        });
    }
    stats_.invalidated_entries += n;
    return n;
}

unsigned Iotlb::invalidate_requester(uint16_t rid) {
    unsigned n = invalidate_where([&](unsigned s) { return (id_[s] >> 2) == rid; });
    stats_.invalidated_entries += n;
    return n;
}

unsigned Iotlb::invalidate_all() {
    unsigned n = invalidate_where([](unsigned) { return true; });
    stats_.invalidated_entries += n;
    return n;
}

}  // namespace staleline
