// Cache: the CPU data cache, write-back and write-allocate, and NOT coherent with DMA.
//
// It owns the second copy of memory, the CPU view (view()): what the CPU sees. DRAM
// (Memory::store()) is what devices see. While a line is valid in the cache the view
// bytes of that line ARE the cache contents; while it is invalid they are stale and the
// next access refills them from DRAM. Hence a device write to DRAM stays invisible to
// the CPU until the line is invalidated (or evicted) and refilled, and a CPU write stays
// invisible to devices until the line is cleaned (or evicted).
//
// Time is charged loosely timed: every operation adds its cost to the caller's delay.
//   hit: cache.hit_latency_ns per line
//   miss: cache.miss_latency_ns + the DRAM fill (+ the DRAM write-back of a dirty victim)
//   clean / invalidate: cache.maint_line_ns per line of the range + any DRAM write-backs
//   snoops: only the DRAM write-backs they cause
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "cache/CacheAdversary.h"
#include "cache/CacheArray.h"
#include "cache/CacheLineState.h"
#include "cache/CacheObserver.h"
#include "cache/CacheStats.h"
#include "common/SparsePages.h"
#include "config/Config.h"
#include "common/StatsSink.h"

namespace staleline {

class Cache : public sc_core::sc_module {
public:
    // CPU loads/stores by physical address: data to/from the CPU view, through the cache.
    // Optional: a platform whose CPU side calls access() directly may leave it unbound.
    tlm_utils::simple_target_socket_optional<Cache> cpu_socket;
    // Line fills and write-backs: timed b_transport to Memory.
    tlm_utils::simple_initiator_socket<Cache> mem_socket;

    // cache.size/line/ways/policy/hit_latency_ns/miss_latency_ns/maint_line_ns, sim.seed.
    // Throws ConfigError on a bad geometry.
    Cache(sc_core::sc_module_name name, const Config& cfg);

    SparsePages& view() { return view_; }  // the CPU view: what the CPU sees
    const SparsePages& view() const { return view_; }

    // Observe a CPU access: make every line of [pa, pa+len) present (a miss fills it from
    // DRAM into the view; a dirty victim is written back from the view to DRAM), mark the
    // lines dirty if is_write, add the cost to delay. The caller then reads or writes the
    // view bytes itself.
    void access(uint64_t pa, size_t len, bool is_write, sc_core::sc_time& delay);

    // Maintenance over every line overlapping [pa, pa+len).
    void clean(uint64_t pa, size_t len, sc_core::sc_time& delay);             // write back dirty lines, keep them
    void invalidate(uint64_t pa, size_t len, sc_core::sc_time& delay);        // drop lines, DISCARDING dirty bytes
    void clean_invalidate(uint64_t pa, size_t len, sc_core::sc_time& delay);  // write back, then drop

    // Coherent platform only (called by the CoherencyPort).
    void snoop_read(uint64_t pa, size_t len, sc_core::sc_time& delay);   // a device read: write back dirty lines first
    void snoop_write(uint64_t pa, size_t len, sc_core::sc_time& delay);  // a device write: clean and drop lines first

    // Device transactions on a non-coherent platform (called by the CoherencyPort before and
    // after memory sees them), so that the adversary (cache.adversary) can act around them.
    // `when` is the transaction's time; what the adversary does costs the device nothing.
    void device_access_begin(bool is_write, uint64_t pa, size_t len, const sc_core::sc_time& when);
    void device_access_end(bool is_write, uint64_t pa, size_t len, const sc_core::sc_time& when);
    CacheAdversary& adversary() { return adversary_; }

    // For the checker's conservative mode, where plain CPU stores reach the view unseen:
    // make the line holding pa present and dirty WITHOUT filling it (its view bytes become
    // the cache contents, as if the unseen stores had allocated it); a dirty victim is
    // written back. Counted as a write access.
    void adopt_cpu_writes(uint64_t pa, sc_core::sc_time& delay);
    // Copy DRAM into the view for every line of [pa, pa+len) that is not in the cache, so that
    // unseen loads read what a refill would bring. Untimed.
    void refresh_view(uint64_t pa, size_t len);

    CacheLineState line_state(uint64_t pa) const { return array_->state(pa); }
    uint64_t line_size() const { return array_->line_size(); }
    const CacheArray& array() const { return *array_; }
    const CacheStats& stats() const;
    void write_stats(StatsSink::Group& g) const;  // CacheStats.cpp

    void set_observer(CacheObserver* obs) { observer_ = obs; }

    // cpu_socket's entry points, public so the C API can issue CPU accesses directly.
    // b_transport = access() + copy to/from the view (byte enables honoured, streaming
    // refused). transport_dbg shows what the CPU would see without changing any state:
    // valid lines from the view, the others from DRAM.
    void cpu_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned int cpu_transport_dbg(tlm::tlm_generic_payload& trans);

private:
    void on_miss(uint64_t line, const LineAccess& r, sc_core::sc_time& delay);
    // Write back (if dirty) and report the victim a fill replaced.
    void evict_victim(const LineAccess& r, sc_core::sc_time& delay);
    // One line-sized DRAM transaction between the view and memory.
    void bus(tlm::tlm_command cmd, uint64_t line, sc_core::sc_time& delay);
    void write_back(uint64_t line, WritebackCause cause, sc_core::sc_time& delay);
    void drop(uint64_t line, DropCause cause, bool was_dirty, sc_core::sc_time& delay);
    // Lines of [pa, pa+len) as [first, last] line numbers; false when len == 0.
    bool line_range(uint64_t pa, size_t len, uint64_t* first, uint64_t* last) const;
    // Calls op(line address) for each line of [pa, pa+len) that may be present: every
    // line for small ranges, only the cached ones (in address order) for ranges larger
    // than the cache. Returns the number of lines in the range.
    template <typename Op>
    uint64_t for_lines(uint64_t pa, size_t len, Op op);
    // Per-line cost of a maintenance operation over `lines` lines.
    void account_maintenance(uint64_t lines, sc_core::sc_time& delay);
    void maintenance_begin(MaintenanceOp op, uint64_t pa, size_t len, const sc_core::sc_time& delay);
    void maintenance_end(MaintenanceOp op, uint64_t pa, size_t len, const sc_core::sc_time& delay);
    // Adversary actions (time `when`, cost charged to nobody).
    void speculative_fill(uint64_t line, const sc_core::sc_time& when);
    void force_out(uint64_t line, const sc_core::sc_time& when);
    sc_core::sc_time now(const sc_core::sc_time& delay) const { return sc_core::sc_time_stamp() + delay; }

    std::unique_ptr<CacheArray> array_;
    SparsePages view_;
    sc_core::sc_time hit_latency_, miss_latency_, maint_line_;
    tlm::tlm_generic_payload bus_;  // reused for every fill and write-back
    CacheObserver* observer_ = nullptr;
    CacheAdversary adversary_;
    CacheStats maint_;              // maintenance and snoop counters (access counters live in the array)
    mutable CacheStats stats_;      // merged view returned by stats()
    std::vector<uint64_t> scratch_;
};

}  // namespace staleline
