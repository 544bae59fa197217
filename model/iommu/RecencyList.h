// RecencyList: exact LRU / FIFO order for wide IOTLB sets in O(1) per operation: one
// intrusive doubly linked list of valid slots per set, most recent at the head, victim at
// the tail. Gives the same victims as the stamp-based lru/fifo of common/Replacement.h
// (which scans every way on each eviction, too slow for a 1024-way fully associative IOTLB).
#pragma once

#include <cstdint>
#include <vector>

namespace staleline {

class RecencyList {
public:
    static constexpr uint32_t kNone = 0xffffffffu;

    RecencyList(unsigned sets, unsigned ways)
        : prev_((size_t)sets * ways, kNone), next_((size_t)sets * ways, kNone), head_(sets, kNone), tail_(sets, kNone) {}

    void push_front(unsigned set, uint32_t slot) {
        prev_[slot] = kNone;
        next_[slot] = head_[set];
        if (head_[set] != kNone) prev_[head_[set]] = slot;
        else tail_[set] = slot;
        head_[set] = slot;
    }
    void unlink(unsigned set, uint32_t slot) {
        uint32_t p = prev_[slot], n = next_[slot];
        if (p != kNone) next_[p] = n;
        else head_[set] = n;
        if (n != kNone) prev_[n] = p;
        else tail_[set] = p;
        prev_[slot] = next_[slot] = kNone;
    }
    void to_front(unsigned set, uint32_t slot) {
        if (head_[set] == slot) return;
        unlink(set, slot);
        push_front(set, slot);
    }
    uint32_t back(unsigned set) const { return tail_[set]; }

private:
    std::vector<uint32_t> prev_, next_;
    std::vector<uint32_t> head_, tail_;
};

}  // namespace staleline
