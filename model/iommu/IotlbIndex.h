// IotlbIndex: a flat open-addressing hash map (requester/size id, tag) -> IOTLB slot, for
// wide sets where scanning every way on each lookup would dominate. Linear probing over a
// power-of-two table at most half full; erase shifts followers back (no tombstones).
#pragma once

#include <cstdint>
#include <vector>

namespace staleline {

class IotlbIndex {
public:
    explicit IotlbIndex(unsigned max_entries = 0) { reset(max_entries); }

    void reset(unsigned max_entries) {
        unsigned cap = 16;
        while (cap < 2u * max_entries) cap *= 2;
        mask_ = cap - 1;
        tag_.assign(cap, 0);
        id_.assign(cap, 0);
        slot_.assign(cap, 0);
    }

    // id is never 0 (0 marks an empty bucket).
    int find(uint64_t tag, uint32_t id) const {
        for (unsigned b = home(tag, id);; b = (b + 1) & mask_) {
            if (id_[b] == 0) return -1;
            if (tag_[b] == tag && id_[b] == id) return (int)slot_[b];
        }
    }

    void insert(uint64_t tag, uint32_t id, unsigned slot) {
        unsigned b = home(tag, id);
        while (id_[b] != 0 && !(tag_[b] == tag && id_[b] == id)) b = (b + 1) & mask_;
        tag_[b] = tag;
        id_[b] = id;
        slot_[b] = slot;
    }

    void erase(uint64_t tag, uint32_t id) {
        unsigned b = home(tag, id);
        while (true) {
            if (id_[b] == 0) return;
            if (tag_[b] == tag && id_[b] == id) break;
            b = (b + 1) & mask_;
        }
        // Backward-shift: move later members of the cluster into the hole when their home
        // position allows it.
        unsigned hole = b;
        for (unsigned n = (b + 1) & mask_; id_[n] != 0; n = (n + 1) & mask_) {
            unsigned h = home(tag_[n], id_[n]);
            bool movable = hole <= n ? (h <= hole || h > n) : (h <= hole && h > n);
            if (movable) {
                tag_[hole] = tag_[n];
                id_[hole] = id_[n];
                slot_[hole] = slot_[n];
                hole = n;
            }
        }
        id_[hole] = 0;
        tag_[hole] = 0;
    }

private:
    unsigned home(uint64_t tag, uint32_t id) const {
        uint64_t h = (tag ^ ((uint64_t)id << 40)) * 0x9E3779B97F4A7C15ULL;
        return (unsigned)(h >> 32) & mask_;
    }
    unsigned mask_ = 0;
    std::vector<uint64_t> tag_;
    std::vector<uint32_t> id_;
    std::vector<uint32_t> slot_;
};

}  // namespace staleline
