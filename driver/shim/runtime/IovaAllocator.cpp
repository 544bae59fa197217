#include "IovaAllocator.h"

#include <iterator>

namespace staleline::zx {

IovaAllocator::IovaAllocator(uint64_t base, uint64_t size) : free_bytes_(size) {
    if (size) free_[base] = size;
}

bool IovaAllocator::allocate(uint64_t bytes, uint64_t align, uint64_t* out) {
    if (!bytes) return false;
    for (auto it = free_.begin(); it != free_.end(); ++it) {
        const uint64_t start = it->first, len = it->second;
        const uint64_t at = (start + align - 1) & ~(align - 1);
        if (at < start || at - start >= len || len - (at - start) < bytes) continue;
        free_.erase(it);
        if (at > start) free_[start] = at - start;
        const uint64_t tail = len - (at - start) - bytes;
        if (tail) free_[at + bytes] = tail;
        free_bytes_ -= bytes;
        *out = at;
        return true;
    }
    return false;
}

void IovaAllocator::free(uint64_t addr, uint64_t bytes) {
    if (!bytes) return;
    free_bytes_ += bytes;
    uint64_t start = addr, len = bytes;
    auto next = free_.lower_bound(addr);
    if (next != free_.end() && next->first == addr + bytes) {
        len += next->second;
        next = free_.erase(next);
    }
    if (next != free_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second == start) {
            prev->second += len;
            return;
        }
    }
    free_[start] = len;
}

}  // namespace staleline::zx
