// PageWalker: the IOMMU's hardware table walker. Each step reads one 8-byte entry with a
// real timed memory transaction (its latency comes from the memory model) and costs
// iommu.walk_latency_ns on top. A 4 KiB translation takes `levels` reads, a 2 MiB block
// levels - 1, a hole stops at the first non-present entry. No page-walk cache.
#pragma once

#include <cstdint>
#include <systemc>

#include "iommu/PageTable.h"
#include "iommu/PteMemory.h"

namespace staleline {

enum class WalkResult { Mapped, NotMapped, MemoryError };

class PageWalker {
public:
    PageWalker(PteMemory& mem, unsigned levels, sc_core::sc_time step_latency)
        : mem_(mem), levels_(levels), step_(step_latency) {}

    // Walk the table rooted at `root` for device address `iova`; adds each step's cost to
    // `delay` and the number of memory reads made to *reads.
    WalkResult walk(uint64_t root, uint64_t iova, PageTableLeaf* out, sc_core::sc_time& delay, unsigned* reads);

    uint64_t walks() const { return walks_; }
    uint64_t reads() const { return reads_; }

private:
    PteMemory& mem_;
    unsigned levels_;
    sc_core::sc_time step_;
    uint64_t walks_ = 0, reads_ = 0;
};

}  // namespace staleline
