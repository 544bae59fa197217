// PhysAllocator: hands out 4 KiB physical pages of simulated RAM, for VMOs and IOMMU
// page tables. Non-contiguous requests get deliberately scattered pages (seeded), so a
// driver that wrongly assumes physical contiguity fails here as it would on hardware.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace staleline {

class PhysAllocator {
public:
    static constexpr uint64_t kPageSize = 4096;

    PhysAllocator(uint64_t base, uint64_t size, uint64_t seed);

    // Returns false when not enough free RAM (no partial allocation is left behind).
    bool alloc_contiguous(uint64_t npages, uint64_t align_pages, uint64_t* out_base);
    bool alloc_scattered(uint64_t npages, std::vector<uint64_t>* out_pages);
    void free_page(uint64_t pa);
    void free_range(uint64_t pa, uint64_t npages);

    uint64_t base() const { return base_; }
    uint64_t size() const { return npages_ * kPageSize; }
    uint64_t pages_free() const { return free_; }
    bool is_allocated(uint64_t pa) const;

    // Pages freed since the memory stores last forgot their bytes. A page's owner may leave
    // bytes behind (an IOMMU table, or a write-back of a cache line that outlived its VMO);
    // whoever sweeps this list (Vmo::release_memory) forgets the bytes of the pages that are
    // still free once nothing can store into them any more, so memory follows the working set.
    // Order and duplicates do not matter; nothing here changes which pages are handed out.
    struct FreedPages {
        std::vector<uint64_t> pages;
        size_t sweep_at = 64;  // sweep when pages reaches this size
    };
    FreedPages& freed() { return freed_; }

private:
    bool test(uint64_t i) const { return bits_[i / 64] >> (i % 64) & 1; }
    void mark(uint64_t i, bool v) {
        if (v) bits_[i / 64] |= 1ULL << (i % 64);
        else bits_[i / 64] &= ~(1ULL << (i % 64));
    }
    uint64_t base_, npages_, free_;
    uint64_t cursor_ = 0;  // next-fit start for contiguous searches
    std::vector<uint64_t> bits_;
    std::mt19937_64 rng_;
    FreedPages freed_;
};

}  // namespace staleline
