// Iommu: translates device transactions (device addresses, tagged with the PCI requester
// id) into physical memory transactions, with per-requester page tables in simulated
// DRAM, an IOTLB, a timed page walker, permission checks, fault records and strict or
// deferred IOTLB invalidation, and an optional page-walk cache of non-leaf entries.
// docs/models-iommu.md describes formats, costs, walk concurrency (iommu.walkers, hits on
// entries whose walk is still in flight), the page-walk cache and the deferred window.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "common/EventChannel.h"
#include "config/Config.h"
#include "iommu/Iotlb.h"
#include "iommu/PageTable.h"
#include "iommu/PageWalkCache.h"
#include "iommu/PageWalker.h"
#include "iommu/PteMemory.h"
#include "iommu/WalkerPool.h"
#include "platform/PhysAllocator.h"
#include "trace/TraceEvent.h"
#include "common/StatsSink.h"

namespace staleline {

enum class IommuFaultReason { NotMapped, ReadDenied, WriteDenied, NoContext /* requester has no tables */ };
const char* to_string(IommuFaultReason r);  // "not-mapped", "read-denied", "write-denied", "no-context"

struct IommuFault {
    uint16_t requester;    // 0xffff when the transaction carried no requester id
    uint64_t device_addr;  // first byte of the transaction that could not be translated
    bool is_write;
    IommuFaultReason reason;
    sc_core::sc_time time;  // sc_time_stamp() + the transaction's delay when it faulted
};

struct IommuStats {
    uint64_t translations = 0;  // 4 KiB pages translated (a burst over N pages counts N)
    uint64_t iotlb_hits = 0, iotlb_misses = 0;
    uint64_t walks = 0, walk_reads = 0;
    uint64_t walks_waited = 0;  // walks that found every walker busy and queued
    sc_core::sc_time walk_wait = sc_core::SC_ZERO_TIME;  // time those walks queued, summed
    uint64_t hits_pending = 0;  // IOTLB hits on an entry whose walk had not ended yet (merged misses)
    uint64_t faults = 0;
    uint64_t invalidation_commands = 0;  // IOTLB invalidations issued (strict unmap, explicit, per flushed range)
    uint64_t invalidated_entries = 0;    // IOTLB entries they removed
    uint64_t deferred_flushes = 0;
    uint64_t stale_hits = 0;  // translations served from a deferred-invalidated, not yet flushed entry
    // Deferred mode: how long each flushed batch left stale translations usable, from its
    // first queued invalidation to the flush (the longest, and the sum over flushes).
    sc_core::sc_time deferred_window_max = sc_core::SC_ZERO_TIME;
    sc_core::sc_time deferred_window_total = sc_core::SC_ZERO_TIME;
    // Page-walk cache (iommu.pwc_entries > 0): walks that started below the root thanks to
    // it, the levels they skipped in total, walks that found nothing cached, and cached
    // non-leaf entries dropped by unmaps and invalidation commands.
    uint64_t pwc_hits = 0, pwc_levels_skipped = 0, pwc_misses = 0, pwc_invalidated = 0;
    // IOTLB hit latency + walk cost + waits for a walker or an in-flight walk, as charged
    sc_core::sc_time time_translating = sc_core::SC_ZERO_TIME;
};

// What the IOMMU publishes (Iommu::events()): an invalidation command issued to the IOTLB
// (strict unmap, explicit command, one batched deferred flush), and a translation served from
// an entry whose invalidation is still queued (deferred mode: a stale translation).
enum class IommuEventKind { InvalidationIssued, StaleHit };
struct IommuEvent {
    IommuEventKind kind;
    uint16_t requester;     // StaleHit: the device; InvalidationIssued: the requester, or 0xffff for
                            // a command that spans requesters (invalidate_all, a batched flush)
    uint64_t device_page;   // StaleHit: the page translated
    sc_core::sc_time time;  // sc_time_stamp() when published
};
using IommuEvents = EventChannel<IommuEvent>;

class Iommu : public sc_core::sc_module, private PteMemory {
public:
    tlm_utils::simple_target_socket<Iommu> upstream;        // device transactions (device addresses + RequesterId)
    tlm_utils::simple_initiator_socket<Iommu> downstream;   // translated transactions to memory
    tlm_utils::simple_initiator_socket<Iommu> walk_socket;  // page-walk reads / table writes to memory

    // Reads iommu.*, iotlb.* and sim.seed. Throws ConfigError on a bad IOTLB geometry.
    Iommu(sc_core::sc_module_name name, const Config& cfg, PhysAllocator& table_pages);

    // What `upstream` does with a device transaction (which must carry a RequesterId),
    // callable directly: the C API's sl_iommu_transport, tests.
    void transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) { b_transport(trans, delay); }

    static constexpr unsigned kRead = 1, kWrite = 2;

    // ---- software side (the kernel under zx_bti_pin / zx_pmt_unpin); untimed ----
    // false on overlap with an existing mapping, misalignment, outside the device address
    // space, bad perms, or table pages exhausted; last_error() says which. Nothing changes
    // on failure. Mapping a range whose invalidation is still queued flushes the queue first.
    bool map(uint16_t rid, uint64_t iova, uint64_t pa, uint64_t len, unsigned perms);
    // Clears the PTEs of a fully mapped range and invalidates the IOTLB per iommu.invalidation
    // (strict: now; deferred: queued). false (nothing changed) if a page in the range is not
    // mapped, a 2 MiB block would be split, or the range is misaligned.
    bool unmap(uint16_t rid, uint64_t iova, uint64_t len);
    // The same for the page ranges of one scattered pin ({iova, len} each, iommu.scatter): one
    // invalidation command for them all (strict), as an IOMMU driver invalidates the pin's
    // whole device-address block at once; deferred: each range is queued. Stops at the first
    // range that cannot be unmapped (false; the ranges before it stay unmapped).
    bool unmap(uint16_t rid, const std::vector<std::pair<uint64_t, uint64_t>>& ranges);
    // Explicit invalidation commands: act at once in both modes.
    void invalidate_page(uint16_t rid, uint64_t iova);
    void invalidate_range(uint16_t rid, uint64_t iova, uint64_t len);
    void invalidate_requester(uint16_t rid);
    void invalidate_all();
    void flush_deferred();  // apply every queued invalidation now (no-op when none)

    // Walks the tables untimed; no stats, no IOTLB. In bypass mode: identity, read+write.
    bool translate_debug(uint16_t rid, uint64_t iova, uint64_t* pa, unsigned* perms);
    bool bypass() const { return bypass_; }
    bool deferred() const { return deferred_; }
    unsigned levels() const { return levels_; }
    unsigned walkers() const { return walkers_.size(); }

    const std::vector<IommuFault>& faults() const { return faults_; }
    void set_fault_listener(std::function<void(const IommuFault&)> fn) { listener_ = std::move(fn); }
    const IommuStats& stats() const { return stats_; }
    void write_stats(StatsSink::Group& g) const;  // IommuStats.cpp
    IommuEvents& events() { return events_; }
    // Publish translations, walks, invalidations and deferred windows on ch (the platform's
    // trace channel; trace/TraceEvent.h).
    void set_trace(TraceEvents* ch) { trace_ = ch; }
    Iotlb& iotlb() { return iotlb_; }
    const PageWalkCache& page_walk_cache() const { return pwc_; }

    const std::string& last_error() const { return error_; }  // why the last map/unmap failed
    uint64_t pending_invalidation_pages() const { return pending_pages_; }
    // The requester's page table, or nullptr when it has none.
    const PageTable* page_table(uint16_t rid) const;

private:
    // tlm target side
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);

    // PteMemory over walk_socket
    bool read_pte_dbg(uint64_t pa, uint64_t* value) override;
    bool write_pte_dbg(uint64_t pa, uint64_t value) override;
    bool zero_page_dbg(uint64_t pa) override;
    bool read_pte_timed(uint64_t pa, uint64_t* value, sc_core::sc_time& delay) override;
    bool dbg_access(tlm::tlm_command cmd, uint64_t pa, uint8_t* data, unsigned len);

    // One 4 KiB page of a device transaction: true with *pa, or false with *reason.
    bool translate(uint16_t rid, uint64_t iova, bool is_write, sc_core::sc_time& delay, uint64_t* pa,
                   IommuFaultReason* reason);
    void record_fault(uint16_t rid, uint64_t addr, bool is_write, IommuFaultReason reason, const sc_core::sc_time& at);
    bool tables_writable();  // ports are usable only once elaboration has bound them

    // deferred invalidation queue
    void queue_invalidation(uint16_t rid, uint64_t dpn, uint64_t count);
    bool is_pending(uint16_t rid, uint64_t dpn_first, uint64_t dpn_last) const;
    void check_deferred_timeout(const sc_core::sc_time& now);
    void flush_deferred_at(const sc_core::sc_time& now);
    unsigned iotlb_invalidate(uint16_t rid, uint64_t dpn, uint64_t count);  // one command
    void pwc_invalidate_range(uint16_t rid, uint64_t first, uint64_t last);  // device addresses, inclusive

    bool bypass_, deferred_, block_2m_;
    unsigned levels_;
    sc_core::sc_time hit_latency_;
    uint64_t deferred_batch_;
    sc_core::sc_time deferred_timeout_;
    PhysAllocator& table_pages_;
    Iotlb iotlb_;
    PageWalkCache pwc_;  // before walker_, which points at it
    PageWalker walker_;
    WalkerPool walkers_;  // iommu.walkers walks in progress at once
    std::map<uint16_t, std::unique_ptr<PageTable>> tables_;
    std::vector<IommuFault> faults_;
    std::function<void(const IommuFault&)> listener_;
    IommuEvents events_;
    // Counts the command and tells the subscribers.
    void invalidation_issued(uint16_t rid);
    IommuStats stats_;
    std::string error_;
    TraceEvents* trace_ = nullptr;
    void trace_translation(uint16_t rid, uint64_t iova, const sc_core::sc_time& at, const sc_core::sc_time& dur,
                           const char* what, unsigned walk_reads, bool waited);
    void trace_deferred_window(char phase, const sc_core::sc_time& at);

    // Queued invalidations, keyed (requester, first device page) -> page count. Ranges of
    // one requester never overlap: an address can only be unmapped again after it was
    // mapped again, and mapping flushes an overlapping queue first.
    std::map<std::pair<uint16_t, uint64_t>, uint64_t> pending_;
    uint64_t pending_pages_ = 0;
    sc_core::sc_time first_pending_;
};

}  // namespace staleline
