// IovaAllocator: device (IOMMU) address ranges of one BTI. First fit over a free list, page
// granular. Device addresses start at a base far from RAM so that a driver handing the device
// a physical or CPU address gets an IOMMU fault, not a lucky hit.
#pragma once

#include <cstdint>
#include <map>

namespace staleline::zx {

class IovaAllocator {
public:
    // [base, base + size), both page aligned.
    IovaAllocator(uint64_t base, uint64_t size);
    // bytes (page multiple) aligned to align (a power of two >= 4096). false when no room.
    bool allocate(uint64_t bytes, uint64_t align, uint64_t* out);
    void free(uint64_t addr, uint64_t bytes);
    uint64_t bytes_free() const { return free_bytes_; }

private:
    std::map<uint64_t, uint64_t> free_;  // start -> length
    uint64_t free_bytes_;
};

}  // namespace staleline::zx
