// PageTable: one requester's multi-level IOMMU page table, kept in simulated DRAM.
// `levels` (2..4) levels of 512 x 8-byte entries (format in Pte.h) translate a
// 12 + 9 * levels bit device address space. This is the software side (what the kernel
// does under zx_bti_pin / zx_pmt_unpin): it writes entries with untimed debug accesses
// and takes table pages from the PhysAllocator. Intermediate tables that become empty
// are freed again, so a present table entry always leads to at least one mapping.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "iommu/PteMemory.h"
#include "platform/PhysAllocator.h"

namespace staleline {

// A translation found by walking the table.
struct PageTableLeaf {
    uint64_t pa_base = 0;       // physical address of the 4 KiB page or the 2 MiB block
    unsigned perms = 0;         // Iommu::kRead | Iommu::kWrite
    uint64_t page_size = 4096;  // 4096 or 2 MiB
};

class PageTable {
public:
    static constexpr uint64_t kPageSize = 4096;
    static constexpr uint64_t kBlockSize = 2ULL << 20;

    PageTable(PteMemory& mem, PhysAllocator& pages, unsigned levels, bool block_2m);

    // Map [iova, iova+len) to [pa, pa+len) with perms (kRead=1 | kWrite=2, not 0). On
    // failure returns false with *err set and the table unchanged: misaligned or empty
    // range, outside the address space, overlap with an existing mapping, out of table
    // pages, table memory not accessible. With block_2m, uses a 2 MiB block entry for
    // every 2 MiB of the range where iova and pa are both 2 MiB aligned.
    bool map(uint64_t iova, uint64_t pa, uint64_t len, unsigned perms, std::string* err);
    // Unmap [iova, iova+len). Every page must be mapped and no 2 MiB block may be split;
    // otherwise false with *err set and nothing changed.
    bool unmap(uint64_t iova, uint64_t len, std::string* err);
    // Untimed software walk. false when not mapped (or no root yet).
    bool lookup(uint64_t iova, PageTableLeaf* out);

    bool has_root() const { return root_ != 0; }
    uint64_t root() const { return root_; }
    unsigned levels() const { return levels_; }
    unsigned address_bits() const { return 12 + 9 * levels_; }
    uint64_t table_pages() const { return used_.size(); }  // including the root
    uint64_t mapped_bytes() const { return mapped_bytes_; }
    // Table pages freed so far (emptied by unmap, or rolled back by a failed map). A
    // freed table's parent entry was cleared: caches of non-leaf entries must drop it.
    uint64_t tables_freed() const { return tables_freed_; }

private:
    struct MemoryError {
        uint64_t pa;
    };
    uint64_t rd(uint64_t pa);
    void wr(uint64_t pa, uint64_t v);
    uint64_t alloc_table();  // 0 when RAM is exhausted
    void free_table(uint64_t pa);
    bool check_range(uint64_t iova, uint64_t len, std::string* err) const;

    // Recursive helpers over the device addresses [lo, hi) that the table page `table`
    // at `level` (0 = leaf) covers.
    bool overlaps(uint64_t table, unsigned level, uint64_t lo, uint64_t hi);
    bool fill(uint64_t table, unsigned level, uint64_t lo, uint64_t hi, uint64_t pa_lo,
              unsigned perms);
    bool check_mapped(uint64_t table, unsigned level, uint64_t lo, uint64_t hi, std::string* err);
    void clear(uint64_t table, unsigned level, uint64_t lo, uint64_t hi);

    PteMemory& mem_;
    PhysAllocator& pages_;
    unsigned levels_;
    bool block_2m_;
    uint64_t root_ = 0;
    uint64_t mapped_bytes_ = 0;
    uint64_t tables_freed_ = 0;
    std::unordered_map<uint64_t, unsigned> used_;  // table page -> present entries
};

}  // namespace staleline
