#include "PageWalker.h"

#include "iommu/Pte.h"

namespace staleline {

WalkResult PageWalker::walk(uint16_t rid, uint64_t root, uint64_t iova, const sc_core::sc_time& now,
                            PageTableLeaf* out, sc_core::sc_time& delay, WalkSteps* steps) {
    ++walks_;
    *steps = WalkSteps();
    if (iova >> (12 + 9 * levels_)) return WalkResult::NotMapped;  // beyond the address space
    uint64_t table = root;
    int level = (int)levels_ - 1;
    if (pwc_ && pwc_->enabled()) {
        steps->pwc_lookup = true;
        uint64_t next = 0;
        if (unsigned cached = pwc_->lookup(rid, iova, levels_, (now + delay).value(), &next)) {
            steps->skipped = levels_ - cached;
            table = next;
            level = (int)cached - 1;
        }
    }
    for (; level >= 0; --level) {
        uint64_t e = 0;
        ++steps->reads;
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
        // A present table entry: usable by later walks once this step has read it.
        if (pwc_) pwc_->insert(rid, (unsigned)level, iova, table, (now + delay).value());
    }
    return WalkResult::NotMapped;  // not reached: level 0 always returns
}

}  // namespace staleline
