#include "PageTable.h"

#include <algorithm>
#include <cstdio>

#include "iommu/Pte.h"

namespace staleline {

namespace {
std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
    return b;
}
// Only level 1 (one above the leaf) holds blocks; the B bit elsewhere is ignored.
bool is_leaf(uint64_t e, unsigned level) { return level == 0 || (level == 1 && pte::is_block(e)); }
}  // namespace

PageTable::PageTable(PteMemory& mem, PhysAllocator& pages, unsigned levels, bool block_2m)
    : mem_(mem), pages_(pages), levels_(levels), block_2m_(block_2m) {}

uint64_t PageTable::rd(uint64_t pa) {
    uint64_t v = 0;
    if (!mem_.read_pte_dbg(pa, &v)) throw MemoryError{pa};
    return v;
}

void PageTable::wr(uint64_t pa, uint64_t v) {
    if (!mem_.write_pte_dbg(pa, v)) throw MemoryError{pa};
}

uint64_t PageTable::alloc_table() {
    uint64_t pa = 0;
    if (!pages_.alloc_contiguous(1, 1, &pa)) return 0;
    // RAM pages are recycled: a fresh table must not inherit old bytes.
    if (!mem_.zero_page_dbg(pa)) {
        pages_.free_page(pa);
        throw MemoryError{pa};
    }
    used_[pa] = 0;
    return pa;
}

void PageTable::free_table(uint64_t pa) {
    used_.erase(pa);
    pages_.free_page(pa);
    ++tables_freed_;
}

bool PageTable::check_range(uint64_t iova, uint64_t len, std::string* err) const {
    if (len == 0) {
        *err = "empty range";
        return false;
    }
    if ((iova | len) & (kPageSize - 1)) {
        *err = "device address " + hex(iova) + " and length " + hex(len) + " must be 4 KiB aligned";
        return false;
    }
    uint64_t limit = 1ULL << address_bits();
    if (iova >= limit || len > limit - iova) {
        *err = "range " + hex(iova) + "+" + hex(len) + " is beyond the " + std::to_string(address_bits()) +
               "-bit device address space of " + std::to_string(levels_) + " levels";
        return false;
    }
    return true;
}

bool PageTable::overlaps(uint64_t table, unsigned level, uint64_t lo, uint64_t hi) {
    uint64_t span = pte::span(level);
    for (uint64_t a = lo; a < hi;) {
        uint64_t ebase = a & ~(span - 1), ehi = std::min(hi, ebase + span);
        uint64_t e = rd(table + 8ULL * pte::index(a, level));
        if (pte::present(e)) {
            if (is_leaf(e, level)) return true;
            // a present table is never empty, so wanting its whole span is an overlap
            if (a == ebase && ehi == ebase + span) return true;
            if (overlaps(pte::addr(e), level - 1, a, ehi)) return true;
        }
        a = ehi;
    }
    return false;
}

bool PageTable::fill(uint64_t table, unsigned level, uint64_t lo, uint64_t hi, uint64_t pa_lo,
                     unsigned perms) {
    uint64_t span = pte::span(level);
    for (uint64_t a = lo; a < hi;) {
        uint64_t ebase = a & ~(span - 1), ehi = std::min(hi, ebase + span);
        uint64_t epa = table + 8ULL * pte::index(a, level);
        uint64_t pa = pa_lo + (a - lo);
        if (level == 0) {
            wr(epa, pte::leaf(pa, perms));
            ++used_[table];
            mapped_bytes_ += kPageSize;
        } else if (level == 1 && block_2m_ && a == ebase && ehi == ebase + span && pa % span == 0) {
            wr(epa, pte::block(pa, perms));
            ++used_[table];
            mapped_bytes_ += kBlockSize;
        } else {
            uint64_t e = rd(epa), child;
            if (pte::present(e)) {
                child = pte::addr(e);
            } else {
                child = alloc_table();
                if (!child) return false;
                wr(epa, pte::table(child));
                ++used_[table];
            }
            if (!fill(child, level - 1, a, ehi, pa, perms)) return false;
        }
        a = ehi;
    }
    return true;
}

bool PageTable::map(uint64_t iova, uint64_t pa, uint64_t len, unsigned perms, std::string* err) {
    if (perms == 0 || (perms & ~3u)) {
        *err = "permissions must be read (1), write (2) or both, got " + std::to_string(perms);
        return false;
    }
    if (!check_range(iova, len, err)) return false;
    if (pa & (kPageSize - 1)) {
        *err = "physical address " + hex(pa) + " must be 4 KiB aligned";
        return false;
    }
    if (pa + len < pa || ((pa + len - 1) & ~(pte::kAddrMask | 0xfff))) {
        *err = "physical range " + hex(pa) + "+" + hex(len) + " does not fit the 52-bit entry address";
        return false;
    }
    bool new_root = false;
    try {
        if (!root_) {
            root_ = alloc_table();
            if (!root_) {
                *err = "out of RAM for page-table pages";
                return false;
            }
            new_root = true;
        }
        unsigned top = levels_ - 1;
        if (overlaps(root_, top, iova, iova + len)) {
            *err = "range " + hex(iova) + "+" + hex(len) + " overlaps an existing mapping";
        } else if (!fill(root_, top, iova, iova + len, pa, perms)) {
            // undo what was written and free the tables made for it
            clear(root_, top, iova, iova + len);
            *err = "out of RAM for page-table pages";
        } else {
            return true;
        }
        if (new_root && used_[root_] == 0) {
            free_table(root_);
            root_ = 0;
        }
        return false;
    } catch (const MemoryError& e) {
        *err = "page-table memory at " + hex(e.pa) + " is not accessible";
        return false;
    }
}

bool PageTable::check_mapped(uint64_t table, unsigned level, uint64_t lo, uint64_t hi,
                             std::string* err) {
    uint64_t span = pte::span(level);
    for (uint64_t a = lo; a < hi;) {
        uint64_t ebase = a & ~(span - 1), ehi = std::min(hi, ebase + span);
        uint64_t e = rd(table + 8ULL * pte::index(a, level));
        if (!pte::present(e)) {
            *err = "device address " + hex(a) + " is not mapped";
            return false;
        }
        if (level == 1 && pte::is_block(e)) {
            if (a != ebase || ehi != ebase + span) {
                *err = "range would split the 2 MiB block at " + hex(ebase);
                return false;
            }
        } else if (level > 0 && !check_mapped(pte::addr(e), level - 1, a, ehi, err)) {
            return false;
        }
        a = ehi;
    }
    return true;
}

void PageTable::clear(uint64_t table, unsigned level, uint64_t lo, uint64_t hi) {
    uint64_t span = pte::span(level);
    for (uint64_t a = lo; a < hi;) {
        uint64_t ebase = a & ~(span - 1), ehi = std::min(hi, ebase + span);
        uint64_t epa = table + 8ULL * pte::index(a, level);
        uint64_t e = rd(epa);
        if (pte::present(e)) {
            if (is_leaf(e, level)) {
                wr(epa, 0);
                --used_[table];
                mapped_bytes_ -= level == 0 ? kPageSize : kBlockSize;
            } else {
                uint64_t child = pte::addr(e);
                clear(child, level - 1, a, ehi);
                auto it = used_.find(child);
                if (it != used_.end() && it->second == 0) {
                    free_table(child);
                    wr(epa, 0);
                    --used_[table];
                }
            }
        }
        a = ehi;
    }
}

bool PageTable::unmap(uint64_t iova, uint64_t len, std::string* err) {
    if (!check_range(iova, len, err)) return false;
    if (!root_) {
        *err = "no page table (nothing was ever mapped for this requester)";
        return false;
    }
    try {
        unsigned top = levels_ - 1;
        if (!check_mapped(root_, top, iova, iova + len, err)) return false;
        clear(root_, top, iova, iova + len);
        return true;
    } catch (const MemoryError& e) {
        *err = "page-table memory at " + hex(e.pa) + " is not accessible";
        return false;
    }
}

bool PageTable::lookup(uint64_t iova, PageTableLeaf* out) {
    if (!root_ || (iova >> address_bits())) return false;
    try {
        uint64_t table = root_;
        for (int level = (int)levels_ - 1; level >= 0; --level) {
            uint64_t e = rd(table + 8ULL * pte::index(iova, (unsigned)level));
            if (!pte::present(e)) return false;
            if (is_leaf(e, (unsigned)level)) {
                out->page_size = pte::span((unsigned)level);
                out->pa_base = pte::addr(e) & ~(out->page_size - 1);
                out->perms = pte::perms(e);
                return true;
            }
            table = pte::addr(e);
        }
    } catch (const MemoryError&) {
    }
    return false;
}

}  // namespace staleline
