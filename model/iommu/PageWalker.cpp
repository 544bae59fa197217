#include "PageWalker.h"

#include "iommu/Pte.h"

namespace staleline {

WalkResult PageWalker::walk(uint64_t root, uint64_t iova, PageTableLeaf* out, sc_core::sc_time& delay,
                            unsigned* reads) {
    ++walks_;
    *reads = 0;
    if (iova >> (12 + 9 * levels_)) return WalkResult::NotMapped;  // beyond the address space
    uint64_t table = root;
    for (int level = (int)levels_ - 1; level >= 0; --level) {
        uint64_t e = 0;
        ++*reads;
        ++reads_;
        bool ok = mem_.read_pte_timed(table + 8ULL * pte::index(iova, (unsigned)level), &e, delay);
        delay += step_;
        if (!ok) return WalkResult::MemoryError;
        if (!pte::present(e)) return WalkResult::NotMapped;
        if (level == 0 || (level == 1 && pte::is_block(e))) {
            out->page_size = pte::span((unsigned)level);
            out->pa_base = pte::addr(e) & ~(out->page_size - 1);
            out->perms = pte::perms(e);
            return WalkResult::Mapped;
        }
        table = pte::addr(e);
    }
    return WalkResult::NotMapped;  // not reached: level 0 always returns
}

}  // namespace staleline
