// PageWalker: the IOMMU's hardware table walker. Each step reads one 8-byte entry with a
// real timed memory transaction (its latency comes from the memory model) and costs
// iommu.walk_latency_ns on top. A 4 KiB translation takes `levels` reads, a 2 MiB block
// levels - 1, a hole stops at the first non-present entry. With a page-walk cache
// (iommu.pwc_entries > 0) the walk starts below the deepest cached non-leaf entry on its
// path: the levels above cost nothing. The table entries it reads are cached as it goes.
#pragma once

#include <cstdint>
#include <systemc>

#include "iommu/PageTable.h"
#include "iommu/PageWalkCache.h"
#include "iommu/PteMemory.h"

namespace staleline {

enum class WalkResult { Mapped, NotMapped, MemoryError };

// What one walk did.
struct WalkSteps {
    unsigned reads = 0;    // 8-byte memory reads made
    unsigned skipped = 0;  // levels the page-walk cache saved (0: the walk began at the root)
    bool pwc_lookup = false;  // the page-walk cache was consulted (enabled, address in range)
};

class PageWalker {
public:
    // `pwc` may be null (no page-walk cache); it must outlive the walker.
    PageWalker(PteMemory& mem, unsigned levels, sc_core::sc_time step_latency, PageWalkCache* pwc = nullptr)
        : mem_(mem), levels_(levels), step_(step_latency), pwc_(pwc) {}

    // Walk requester `rid`'s table rooted at `root` for device address `iova`, starting at
    // absolute time `now` + `delay`; adds each step's cost to `delay`.
    WalkResult walk(uint16_t rid, uint64_t root, uint64_t iova, const sc_core::sc_time& now, PageTableLeaf* out,
                    sc_core::sc_time& delay, WalkSteps* steps);

    uint64_t walks() const { return walks_; }
    uint64_t reads() const { return reads_; }

private:
    PteMemory& mem_;
    unsigned levels_;
    sc_core::sc_time step_;
    PageWalkCache* pwc_;
    uint64_t walks_ = 0, reads_ = 0;
};

}  // namespace staleline
