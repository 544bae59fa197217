// Pte: the format of an IOMMU page-table entry as it sits in simulated DRAM
// (64-bit little-endian, 512 per 4 KiB table page). docs/models-iommu.md has the picture.
//   bit 0      P   present (valid)
//   bit 1      R   device may read  (leaf and block entries)
//   bit 2      W   device may write (leaf and block entries)
//   bit 7      B   block: at level 1 (one above the leaf) maps a 2 MiB block
//   bits 12-51 ADDR next-level table, 4 KiB page or (2 MiB aligned) block physical address
// Other bits are written as zero and ignored by the walker. A table entry (non-leaf,
// not a block) has only P and ADDR set; permissions live in leaf and block entries.
#pragma once

#include <cstdint>

namespace staleline {
namespace pte {

constexpr uint64_t kPresent = 1ULL << 0;
constexpr uint64_t kRead = 1ULL << 1;
constexpr uint64_t kWrite = 1ULL << 2;
constexpr uint64_t kBlock = 1ULL << 7;
constexpr uint64_t kAddrMask = 0x000FFFFFFFFFF000ULL;  // bits 12..51

constexpr unsigned kEntriesPerTable = 512;
constexpr unsigned kBitsPerLevel = 9;
constexpr unsigned kPageShift = 12;

// Index into the table at `level` (0 = leaf level) for device address `iova`.
constexpr unsigned index(uint64_t iova, unsigned level) {
    return (unsigned)(iova >> (kPageShift + kBitsPerLevel * level)) & (kEntriesPerTable - 1);
}
// Bytes one entry at `level` covers: 4 KiB at level 0, 2 MiB at level 1, 1 GiB at 2.
constexpr uint64_t span(unsigned level) { return 1ULL << (kPageShift + kBitsPerLevel * level); }

// perms: Iommu::kRead (1) | Iommu::kWrite (2)
constexpr uint64_t leaf(uint64_t pa, unsigned perms) {
    return (pa & kAddrMask) | kPresent | ((perms & 1) ? kRead : 0) | ((perms & 2) ? kWrite : 0);
}
constexpr uint64_t block(uint64_t pa, unsigned perms) { return leaf(pa, perms) | kBlock; }
constexpr uint64_t table(uint64_t table_pa) { return (table_pa & kAddrMask) | kPresent; }

constexpr bool present(uint64_t e) { return e & kPresent; }
constexpr bool is_block(uint64_t e) { return e & kBlock; }
constexpr uint64_t addr(uint64_t e) { return e & kAddrMask; }
constexpr unsigned perms(uint64_t e) { return ((e & kRead) ? 1u : 0u) | ((e & kWrite) ? 2u : 0u); }

}  // namespace pte
}  // namespace staleline
