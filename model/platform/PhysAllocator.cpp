#include "PhysAllocator.h"

namespace staleline {

PhysAllocator::PhysAllocator(uint64_t base, uint64_t size, uint64_t seed)
    : base_(base), npages_(size / kPageSize), free_(size / kPageSize), bits_((npages_ + 63) / 64, 0), rng_(seed) {}

bool PhysAllocator::is_allocated(uint64_t pa) const {
    if (pa < base_) return false;
    uint64_t i = (pa - base_) / kPageSize;
    return i < npages_ && test(i);
}

bool PhysAllocator::alloc_contiguous(uint64_t n, uint64_t align, uint64_t* out) {
    if (n == 0 || n > free_) return false;
    if (align == 0) align = 1;
    // next-fit over the bitmap, two passes (from the cursor, then from the start)
    for (int pass = 0; pass < 2; ++pass) {
        uint64_t i = pass == 0 ? cursor_ : 0;
        uint64_t end = pass == 0 ? npages_ : cursor_ + n;
        if (end > npages_) end = npages_;
        while (i + n <= end) {
            uint64_t abs = (base_ / kPageSize) + i;
            if (abs % align) { i += align - abs % align; continue; }
            uint64_t j = 0;
            while (j < n && !test(i + j)) ++j;
            if (j == n) {
                for (uint64_t k = 0; k < n; ++k) mark(i + k, true);
                free_ -= n;
                cursor_ = i + n;
                *out = base_ + i * kPageSize;
                return true;
            }
            i += j + 1;
        }
    }
    return false;
}

bool PhysAllocator::alloc_scattered(uint64_t n, std::vector<uint64_t>* out) {
    if (n > free_) return false;
    out->clear();
    out->reserve(n);
    for (uint64_t k = 0; k < n; ++k) {
        // random probe, then linear scan from there: cheap, seeded, and rarely adjacent
        uint64_t i = rng_() % npages_;
        while (test(i)) i = (i + 1) % npages_;
        mark(i, true);
        out->push_back(base_ + i * kPageSize);
    }
    free_ -= n;
    return true;
}

void PhysAllocator::free_page(uint64_t pa) {
    if (!is_allocated(pa)) return;
    mark((pa - base_) / kPageSize, false);
    ++free_;
    freed_.pages.push_back(pa);
}

void PhysAllocator::free_range(uint64_t pa, uint64_t n) {
    for (uint64_t k = 0; k < n; ++k) free_page(pa + k * kPageSize);
}

}  // namespace staleline
