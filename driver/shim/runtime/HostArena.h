// HostArena: the host address range in which the shim places every buffer a driver can point
// into: the two host copies of each VMO (CPU view and DRAM) and the PROT_NONE reservations that
// stand for mapped BARs. One contiguous reservation means the access hooks can dismiss an
// address that is not simulated memory with a single compare (see in_arena()).
//
// Regions record what each buffer is, so a hook can translate an address to a VMO and page.
// Freed buffers become PROT_NONE (a late access faults and the fault handler can say which
// kind of memory it was) and are reused only once the never-used part of the arena runs out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace staleline::zx {

class Vmo;

// Bounds of the arena, read by the access hooks. span 0 while no arena exists.
extern uintptr_t g_arena_lo;
extern uintptr_t g_arena_span;
inline bool in_arena(const void* p) { return (uintptr_t)p - g_arena_lo < g_arena_span; }

enum class RegionKind : uint8_t {
    CpuView,  // what the CPU sees of a VMO: cached mappings point here
    Dram,     // the DRAM copy of a VMO: uncached mappings point here
    Bar,      // a BAR reservation (PROT_NONE): only readl/writel may use it
};
const char* to_string(RegionKind k);

struct Region {
    uintptr_t start = 0, end = 0;  // [start, end)
    RegionKind kind = RegionKind::CpuView;
    Vmo* vmo = nullptr;            // the VMO (Bar: the BAR's VMO)
};

class HostArena {
public:
    // Reserves bytes of address space (rounded up to pages); throws std::runtime_error if the
    // host refuses even a small reservation.
    explicit HostArena(uint64_t bytes);
    ~HostArena();
    HostArena(const HostArena&) = delete;
    HostArena& operator=(const HostArena&) = delete;

    // A zero-filled, page-aligned buffer; readable and writable unless reserve_only (BARs).
    // nullptr when the arena is full.
    uint8_t* allocate(uint64_t bytes, bool reserve_only = false);
    // Returns a buffer: it becomes PROT_NONE and its host memory is given back.
    void release(uint8_t* p, uint64_t bytes);

    void add_region(const Region& r);
    void remove_region(uintptr_t start);
    // The region containing p, or nullptr.
    const Region* find(uintptr_t p) const {
        if (last_ && p - last_->start < last_->end - last_->start) return last_;
        return find_slow(p);
    }
    // Whether p lies in a buffer that was released (for the fault handler).
    bool released(uintptr_t p) const;

    uintptr_t base() const { return base_; }
    uint64_t size() const { return size_; }
    uint64_t bytes_in_use() const { return in_use_; }

private:
    const Region* find_slow(uintptr_t p) const;

    uintptr_t base_ = 0;
    uint64_t size_ = 0;
    uint64_t bump_ = 0;                    // never-used part starts at base_ + bump_
    uint64_t in_use_ = 0;
    std::map<uintptr_t, uint64_t> free_;   // released buffers: start -> bytes
    // By start, disjoint. A map, not a sorted vector: removing one of many live regions (a
    // run that ends with tens of thousands of VMOs) must not move the others.
    std::map<uintptr_t, Region> regions_;
    mutable const Region* last_ = nullptr;
};

}  // namespace staleline::zx
