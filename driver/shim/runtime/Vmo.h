// Vmo: a virtual memory object over simulated RAM (or over a BAR, for pci_map_bar).
//
// A RAM VMO owns physical pages from Platform::phys() (scattered, or contiguous for
// zx_vmo_create_contiguous) and two host buffers of its size in the HostArena:
//   dram(): aliased page by page into Memory::store() (SparsePages::map_host), so uncached
//           mappings point straight at what devices see;
//   cpu_view(): aliased the same way into Cache::view(), so cached mappings point at what the
//           CPU sees. The cache model moves bytes between the two.
// Pages are committed at creation and read as zero. DRAM under them is zero too, or, with
// dram.fresh_pages=garbage, holds earlier bytes under dirty zero lines of the
// CPU cache, as after the kernel zeroed them through the cache (Vmo.cpp, zero_through_cache).
//
// A BAR VMO (kind Mmio) has no pages: its "buffer" is a PROT_NONE reservation the size of the
// BAR; mapping it hands out that reservation, and readl/writel turn addresses in it into MMIO.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "KernelObject.h"

#include "CacheOpCheck.h"

namespace staleline::zx {

class BarCache;
class ShimRuntime;

class Vmo final : public KernelObject {
public:
    enum class Kind : uint8_t { Paged, Contiguous, Mmio };

    // RAM VMO of size bytes (a multiple of the page size). contiguous: one physical run
    // aligned to align_pages pages. ZX_ERR_NO_MEMORY when RAM or the arena runs out.
    static zx_status_t create(ShimRuntime& rt, uint64_t size, bool contiguous, uint64_t align_pages,
                              std::shared_ptr<Vmo>* out);
    // BAR VMO of slot's memory BAR `bar` (size bytes); nullptr if the arena is full.
    static std::shared_ptr<Vmo> create_mmio(ShimRuntime& rt, unsigned slot, uint64_t size, unsigned bar = 0);

    ~Vmo() override;

    Kind kind() const { return kind_; }
    bool is_mmio() const { return kind_ == Kind::Mmio; }
    bool contiguous() const { return kind_ == Kind::Contiguous; }
    uint64_t size() const { return size_; }
    uint64_t pages() const { return size_ / 4096; }
    unsigned bar_slot() const { return bar_slot_; }
    unsigned bar_index() const { return bar_index_; }  // which BAR of the slot (BAR VMOs)

    // Physical address of the byte at offset (RAM VMOs; offset < size).
    uint64_t pa(uint64_t offset) const { return pages_[offset >> 12] + (offset & 4095); }
    uint64_t page_pa(uint64_t page) const { return pages_[page]; }
    // Bytes from offset that stay physically contiguous (at most to the end of the VMO).
    uint64_t contiguous_bytes(uint64_t offset) const;

    uint8_t* cpu_view() const { return cpu_; }
    uint8_t* dram() const { return dram_; }
    uint8_t* bar_reservation() const { return cpu_; }  // Mmio: the same slot holds the reservation

    // zx_vmo_create options (resizing and discarding are not modelled; zx_vmar_map asks for
    // ZX_VM_ALLOW_FAULTS on such VMOs, as the kernel does).
    bool resizable() const { return resizable_; }
    bool discardable() const { return discardable_; }
    void set_create_options(bool resizable, bool discardable) {
        resizable_ = resizable;
        discardable_ = discardable;
    }

    // ---- cache policy ----
    uint32_t cache_policy() const { return policy_; }
    bool cached() const { return !is_mmio() && policy_ == ZX_CACHE_POLICY_CACHED; }
    // zx_vmo_set_cache_policy after the handle checks: ZX_ERR_BAD_STATE while mapped or pinned,
    // or (committed pages) when leaving a non-cached policy. Cached -> uncached cleans and
    // invalidates the pages, as the kernel does; the cost goes to delay.
    zx_status_t set_cache_policy(uint32_t policy, sc_core::sc_time& delay);
    // A BAR VMO whose policy is cacheable: the lines the CPU cache holds of its registers
    // (nullptr otherwise).
    BarCache* bar_cache() const { return bar_cache_.get(); }
    // Where a mapping of this VMO points (cpu_view() when cached, dram() when not).
    uint8_t* mapping_base() const { return cached() || is_mmio() ? cpu_ : dram_; }

    // ---- CPU access (zx_vmo_read/write) ----
    // Cached: through the cache model then to/from the CPU view. Caller checked the range and
    // the policy, and the host buffer (check_user_buffer). A host buffer in simulated memory
    // (a mapping of another VMO) goes through the cache model on its side too.
    void cpu_read(void* dst, uint64_t offset, size_t len, const void* pc, sc_core::sc_time& delay);
    void cpu_write(const void* src, uint64_t offset, size_t len, const void* pc, sc_core::sc_time& delay);
    // ZX_VMO_OP_ZERO (and DECOMMIT, whose pages stay): the kernel zeroes through its cached
    // physmap, i.e. CPU writes of zeros (cached VMOs; caller checked the range).
    void zero(uint64_t offset, uint64_t len, const void* pc, sc_core::sc_time& delay);

    // Cache maintenance on [offset, offset + len) (RAM VMOs; caller checked the range).
    void cache_op(uint64_t offset, uint64_t len, const CacheMaintenance& m, bool by_address, const void* pc,
                  sc_core::sc_time& delay);

    // ---- mappings and pins (bookkeeping for policy changes and the access hooks) ----
    // Pages of [offset, offset + len) gain (delta +1) or lose (-1) a mapping.
    void count_pages(uint64_t offset, uint64_t len, bool writable, int delta);
    // Mappings of the VMO (ZX_INFO_VMO num_mappings; set_cache_policy refuses while > 0).
    void count_mappings(long delta) { mappings_ = (size_t)((long)mappings_ + delta); }
    size_t mapping_count() const { return mappings_; }
    bool page_mapped(uint64_t page) const { return page < map_count_.size() && map_count_[page] != 0; }
    bool page_writable(uint64_t page) const { return page < write_count_.size() && write_count_[page] != 0; }
    void add_pin() { ++pins_; }
    void remove_pin() { if (pins_) --pins_; }
    size_t pin_count() const { return pins_; }

    zx_status_t info_record(uint32_t topic, void* record, size_t record_size) const override;

private:
    // zx_vmo_read/write through the cache model, one cache line at a time
    void cpu_copy(bool is_write, uint8_t* host, uint64_t offset, size_t len, const void* pc, sc_core::sc_time& delay);
    Vmo(ShimRuntime& rt, Kind kind, uint64_t size);
    void release_memory();

    ShimRuntime& rt_;
    const uint64_t runtime_generation_;
    Kind kind_;
    uint64_t size_;
    unsigned bar_slot_ = 0;
    unsigned bar_index_ = 0;
    std::vector<uint64_t> pages_;  // physical address of each page
    uint8_t* cpu_ = nullptr;       // CPU view (Mmio: the BAR reservation)
    uint8_t* dram_ = nullptr;      // DRAM copy
    uint32_t policy_ = ZX_CACHE_POLICY_CACHED;
    std::vector<uint32_t> map_count_, write_count_;  // per page
    size_t mappings_ = 0;
    size_t pins_ = 0;
    bool resizable_ = false, discardable_ = false;
    std::unique_ptr<BarCache> bar_cache_;
};

}  // namespace staleline::zx
