#include "Iommu.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "common/RequesterId.h"

namespace staleline {

using sc_core::sc_time;
using sc_core::SC_NS;

const char* to_string(IommuFaultReason r) {
    switch (r) {
    case IommuFaultReason::NotMapped: return "not-mapped";
    case IommuFaultReason::ReadDenied: return "read-denied";
    case IommuFaultReason::WriteDenied: return "write-denied";
    case IommuFaultReason::NoContext: return "no-context";
    }
    return "unknown";
}

namespace {
constexpr uint64_t kPage = 4096;
constexpr uint16_t kNoRequester = 0xffff;

Iotlb make_iotlb(const Config& cfg) {
    try {
        return Iotlb((unsigned)cfg.get_int("iotlb.entries"), (unsigned)cfg.get_int("iotlb.ways"),
                     cfg.get_string("iotlb.policy"), (uint64_t)cfg.get_int("sim.seed"));
    } catch (const std::invalid_argument& e) {
        throw ConfigError("iotlb.ways", e.what());
    }
}
PageWalkCache make_pwc(const Config& cfg) {
    int64_t n = cfg.get_int("iommu.pwc_entries");
    if (n < 0 || n > (int64_t)PageWalkCache::kMaxEntries)
        throw ConfigError("iommu.pwc_entries", "must be 0.." + std::to_string(PageWalkCache::kMaxEntries) + ", got " +
                                                   std::to_string(n));
    return PageWalkCache((unsigned)n);
}
WalkerPool make_walkers(const Config& cfg) {
    int64_t n = cfg.get_int("iommu.walkers");
    if (n < 1 || n > 64) throw ConfigError("iommu.walkers", "must be 1..64, got " + std::to_string(n));
    return WalkerPool((unsigned)n);
}
}  // namespace

Iommu::Iommu(sc_core::sc_module_name name, const Config& cfg, PhysAllocator& table_pages)
    : sc_core::sc_module(name),
      upstream("upstream"),
      downstream("downstream"),
      walk_socket("walk_socket"),
      bypass_(cfg.get_string("iommu.mode") == "bypass"),
      deferred_(cfg.get_string("iommu.invalidation") == "deferred"),
      block_2m_(cfg.get_bool("iommu.block_2m")),
      levels_((unsigned)cfg.get_int("iommu.levels")),
      hit_latency_((double)cfg.get_int("iotlb.hit_latency_ns"), SC_NS),
      deferred_batch_((uint64_t)cfg.get_int("iommu.deferred_batch")),
      deferred_timeout_((double)cfg.get_int("iommu.deferred_timeout_ns"), SC_NS),
      table_pages_(table_pages),
      iotlb_(make_iotlb(cfg)),
      pwc_(make_pwc(cfg)),
      walker_(*this, levels_, sc_time((double)cfg.get_int("iommu.walk_latency_ns"), SC_NS), &pwc_),
      walkers_(make_walkers(cfg)) {
    upstream.register_b_transport(this, &Iommu::b_transport);
    upstream.register_transport_dbg(this, &Iommu::transport_dbg);
    upstream.register_get_direct_mem_ptr(this, &Iommu::get_direct_mem_ptr);
}

// ---------------------------------------------------------------- table memory

bool Iommu::dbg_access(tlm::tlm_command cmd, uint64_t pa, uint8_t* data, unsigned len) {
    tlm::tlm_generic_payload g;
    g.set_command(cmd);
    g.set_address(pa);
    g.set_data_ptr(data);
    g.set_data_length(len);
    g.set_streaming_width(len);
    return walk_socket->transport_dbg(g) == len;
}

// Entries are stored little-endian whatever the host is.
bool Iommu::read_pte_dbg(uint64_t pa, uint64_t* value) {
    uint8_t b[8];
    if (!dbg_access(tlm::TLM_READ_COMMAND, pa, b, 8)) return false;
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | b[i];
    *value = v;
    return true;
}

bool Iommu::write_pte_dbg(uint64_t pa, uint64_t value) {
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = (uint8_t)(value >> (8 * i));
    return dbg_access(tlm::TLM_WRITE_COMMAND, pa, b, 8);
}

bool Iommu::zero_page_dbg(uint64_t pa) {
    static const uint8_t zeros[kPage] = {};
    return dbg_access(tlm::TLM_WRITE_COMMAND, pa, const_cast<uint8_t*>(zeros), kPage);
}

bool Iommu::read_pte_timed(uint64_t pa, uint64_t* value, sc_time& delay) {
    uint8_t b[8] = {};
    tlm::tlm_generic_payload g;
    g.set_command(tlm::TLM_READ_COMMAND);
    g.set_address(pa);
    g.set_data_ptr(b);
    g.set_data_length(8);
    g.set_streaming_width(8);
    g.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    walk_socket->b_transport(g, delay);
    if (!g.is_response_ok()) return false;
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | b[i];
    *value = v;
    return true;
}

bool Iommu::tables_writable() {
    // Before the end of elaboration a port call aborts inside SystemC, or (multi-target
    // sockets, like Memory's) silently reaches nothing.
    if ((sc_core::sc_get_status() & (sc_core::SC_ELABORATION | sc_core::SC_BEFORE_END_OF_ELABORATION)) == 0 &&
        walk_socket.get_interface())
        return true;
    error_ = "page tables live in simulated DRAM, reachable only once the simulation has elaborated: "
             "map/unmap from a simulated thread (or after the platform first ran)";
    return false;
}

// ---------------------------------------------------------------- software side

const PageTable* Iommu::page_table(uint16_t rid) const {
    auto it = tables_.find(rid);
    return it == tables_.end() ? nullptr : it->second.get();
}

bool Iommu::map(uint16_t rid, uint64_t iova, uint64_t pa, uint64_t len, unsigned perms) {
    error_.clear();
    if (!tables_writable()) return false;
    auto& table = tables_[rid];
    if (!table) {
        PteMemory& mem = *this;  // the base is private: convert here, not inside make_unique
        table = std::make_unique<PageTable>(mem, table_pages_, levels_, block_2m_);
    }
    // An address whose invalidation is still queued may sit in the IOTLB with its old
    // translation: the kernel must not hand it out again before the flush.
    if (pending_pages_ && len && (iova & (kPage - 1)) == 0 &&
        is_pending(rid, iova / kPage, (iova + len - 1) / kPage))
        flush_deferred();
    if (!table->map(iova, pa, len, perms, &error_)) {
        if (!table->has_root()) tables_.erase(rid);
        return false;
    }
    return true;
}

bool Iommu::unmap(uint16_t rid, uint64_t iova, uint64_t len) {
    error_.clear();
    if (!tables_writable()) return false;
    auto it = tables_.find(rid);
    if (it == tables_.end()) {
        error_ = "requester " + std::to_string(rid) + " has no page table";
        return false;
    }
    const uint64_t freed_before = it->second->tables_freed();
    if (!it->second->unmap(iova, len, &error_)) return false;
    // Table pages go back to the allocator at once, so cached non-leaf entries over the
    // range are dropped now in both modes when any table was freed (a leaf-only unmap
    // changes no non-leaf entry and keeps them, as Linux's leaf-only invalidation hint).
    if (it->second->tables_freed() != freed_before) pwc_invalidate_range(rid, iova, iova + len - 1);
    uint64_t dpn = iova / kPage, count = len / kPage;
    if (deferred_) {
        check_deferred_timeout(sc_core::sc_time_stamp());
        queue_invalidation(rid, dpn, count);
    } else {
        invalidation_issued(rid);
        stats_.invalidated_entries += iotlb_.invalidate_range(rid, dpn, count);
    }
    return true;
}

bool Iommu::unmap(uint16_t rid, const std::vector<std::pair<uint64_t, uint64_t>>& ranges) {
    error_.clear();
    if (ranges.empty()) return true;
    if (!tables_writable()) return false;
    auto it = tables_.find(rid);
    if (it == tables_.end()) {
        error_ = "requester " + std::to_string(rid) + " has no page table";
        return false;
    }
    if (deferred_) check_deferred_timeout(sc_core::sc_time_stamp());
    else invalidation_issued(rid);
    for (const auto& r : ranges) {
        const uint64_t freed_before = it->second->tables_freed();
        if (!it->second->unmap(r.first, r.second, &error_)) return false;
        if (it->second->tables_freed() != freed_before) pwc_invalidate_range(rid, r.first, r.first + r.second - 1);
        if (deferred_) queue_invalidation(rid, r.first / kPage, r.second / kPage);
        else stats_.invalidated_entries += iotlb_.invalidate_range(rid, r.first / kPage, r.second / kPage);
    }
    return true;
}

void Iommu::invalidation_issued(uint16_t rid) {
    ++stats_.invalidation_commands;
    events_.publish(IommuEvent{IommuEventKind::InvalidationIssued, rid, 0, sc_core::sc_time_stamp()});
    if (tracing(trace_, TraceKind::Invalidate)) {
        TraceEvent e;
        e.category = TraceCategory::Iommu;
        e.kind = TraceKind::Invalidate;
        e.phase = 'i';
        e.track = "invalidations";
        e.name = deferred_ && rid == 0xffff ? "deferred flush" : "invalidate";
        e.ts = sc_core::sc_time_stamp();
        e.requester = rid;
        e.arg("requester", rid, true);
        trace_->publish(e);
    }
}

void Iommu::trace_deferred_window(char phase, const sc_time& at) {
    TraceEvent e;
    e.category = TraceCategory::Iommu;
    e.kind = TraceKind::DeferredWindow;
    e.phase = phase;
    e.track = "deferred window";
    e.name = "stale translations usable";
    e.ts = at;
    trace_->publish(e);
}

void Iommu::trace_translation(uint16_t rid, uint64_t iova, const sc_time& at, const sc_time& dur, const char* what,
                              unsigned walk_reads, bool waited) {
    TraceEvent e;
    e.category = TraceCategory::Iommu;
    e.kind = TraceKind::Translate;
    e.track = walk_reads ? "page walks" : "iotlb";
    e.name = what;
    e.ts = at;
    e.dur = dur;
    e.requester = rid;
    e.arg("iova", iova & ~(uint64_t)(kPage - 1), true).arg("requester", rid, true);
    if (walk_reads) e.arg("walk_reads", walk_reads);
    if (waited) e.arg("waited_for_walker", 1);
    trace_->publish(e);
}

unsigned Iommu::iotlb_invalidate(uint16_t rid, uint64_t dpn, uint64_t count) {
    invalidation_issued(rid);
    unsigned n = iotlb_.invalidate_range(rid, dpn, count);
    stats_.invalidated_entries += n;
    return n;
}

void Iommu::pwc_invalidate_range(uint16_t rid, uint64_t first, uint64_t last) {
    if (pwc_.enabled()) stats_.pwc_invalidated += pwc_.invalidate_range(rid, first, last);
}

// Explicit commands say nothing about which entries changed: they also drop the cached
// non-leaf entries that translate the range.
void Iommu::invalidate_page(uint16_t rid, uint64_t iova) {
    iotlb_invalidate(rid, iova / kPage, 1);
    const uint64_t base = iova & ~(kPage - 1);
    pwc_invalidate_range(rid, base, base + (kPage - 1));
}

void Iommu::invalidate_range(uint16_t rid, uint64_t iova, uint64_t len) {
    if (len == 0) return;
    uint64_t first = iova / kPage, last = (iova + len - 1) / kPage;
    if (iova + len - 1 < iova) last = ~0ULL / kPage;
    iotlb_invalidate(rid, first, last - first + 1);
    pwc_invalidate_range(rid, first * kPage, last * kPage + (kPage - 1));
}

void Iommu::invalidate_requester(uint16_t rid) {
    invalidation_issued(rid);
    stats_.invalidated_entries += iotlb_.invalidate_requester(rid);
    stats_.pwc_invalidated += pwc_.invalidate_requester(rid);
}

void Iommu::invalidate_all() {
    invalidation_issued(0xffff);
    stats_.invalidated_entries += iotlb_.invalidate_all();
    stats_.pwc_invalidated += pwc_.invalidate_all();
}

void Iommu::queue_invalidation(uint16_t rid, uint64_t dpn, uint64_t count) {
    if (pending_pages_ == 0) {
        first_pending_ = sc_core::sc_time_stamp();
        if (tracing(trace_, TraceKind::DeferredWindow)) trace_deferred_window('B', first_pending_);
    }
    pending_[{rid, dpn}] = count;
    pending_pages_ += count;
    if (pending_pages_ >= deferred_batch_) flush_deferred();
}

void Iommu::flush_deferred() { flush_deferred_at(sc_core::sc_time_stamp()); }

void Iommu::flush_deferred_at(const sc_time& now) {
    if (pending_.empty()) return;
    ++stats_.deferred_flushes;
    const sc_time open = now > first_pending_ ? now - first_pending_ : sc_core::SC_ZERO_TIME;
    stats_.deferred_window_total += open;
    if (open > stats_.deferred_window_max) stats_.deferred_window_max = open;
    if (tracing(trace_, TraceKind::DeferredWindow)) trace_deferred_window('E', now > first_pending_ ? now : first_pending_);
    // One batched invalidation command for the whole queue (Linux's flush queue issues one
    // IOTLB flush per batch: that is what deferring saves). It removes exactly the queued
    // ranges' entries.
    invalidation_issued(0xffff);
    for (const auto& p : pending_) stats_.invalidated_entries += iotlb_.invalidate_range(p.first.first, p.first.second, p.second);
    pending_.clear();
    pending_pages_ = 0;
}

bool Iommu::is_pending(uint16_t rid, uint64_t first, uint64_t last) const {
    // the queued range starting last at or before `last` is the only candidate (ranges are disjoint)
    auto it = pending_.upper_bound({rid, last});
    if (it == pending_.begin()) return false;
    --it;
    return it->first.first == rid && it->first.second + it->second > first;
}

void Iommu::check_deferred_timeout(const sc_time& now) {
    if (pending_pages_ && now >= first_pending_ + deferred_timeout_) flush_deferred_at(now);
}

bool Iommu::translate_debug(uint16_t rid, uint64_t iova, uint64_t* pa, unsigned* perms) {
    if (bypass_) {
        if (pa) *pa = iova;
        if (perms) *perms = kRead | kWrite;
        return true;
    }
    auto it = tables_.find(rid);
    PageTableLeaf leaf;
    if (it == tables_.end() || !tables_writable() || !it->second->lookup(iova, &leaf)) return false;
    if (pa) *pa = leaf.pa_base + (iova & (leaf.page_size - 1));
    if (perms) *perms = leaf.perms;
    return true;
}

// ---------------------------------------------------------------- device side

void Iommu::record_fault(uint16_t rid, uint64_t addr, bool is_write, IommuFaultReason reason, const sc_time& at) {
    ++stats_.faults;
    faults_.push_back(IommuFault{rid, addr, is_write, reason, at});
    if (listener_) listener_(faults_.back());
}

bool Iommu::translate(uint16_t rid, uint64_t iova, bool is_write, sc_time& delay, uint64_t* pa,
                      IommuFaultReason* reason) {
    ++stats_.translations;
    if (deferred_) check_deferred_timeout(sc_core::sc_time_stamp() + delay);
    auto it = tables_.find(rid);
    if (it == tables_.end()) {
        *reason = IommuFaultReason::NoContext;
        return false;
    }
    uint64_t dpn = iova / kPage;
    IotlbTranslation t;
    const sc_time now = sc_core::sc_time_stamp();
    if (iotlb_.lookup(rid, dpn, &t)) {
        ++stats_.iotlb_hits;
        sc_time cost = hit_latency_;
        // The entry of a walk still in flight (a miss merged under it): usable from the
        // walk's end. The lookup overlaps the wait, so the hit costs max(hit latency, rest).
        if (t.ready > (now + delay).value()) {
            ++stats_.hits_pending;
            const sc_time rest = sc_time::from_value(t.ready) - (now + delay);
            if (rest > cost) cost = rest;
        }
        delay += cost;
        stats_.time_translating += cost;
        const bool stale = pending_pages_ && is_pending(rid, dpn, dpn);
        if (stale) {
            ++stats_.stale_hits;
            events_.publish(IommuEvent{IommuEventKind::StaleHit, rid, dpn, now});
            if (tracing(trace_, TraceKind::StaleHit)) {
                TraceEvent e;
                e.category = TraceCategory::Iommu;
                e.kind = TraceKind::StaleHit;
                e.phase = 'i';
                e.track = "invalidations";
                e.name = "stale hit";
                e.ts = now + delay;
                e.requester = rid;
                e.arg("iova", dpn * kPage, true).arg("requester", rid, true);
                trace_->publish(e);
            }
        }
        if (tracing(trace_, TraceKind::Translate)) trace_translation(rid, iova, now + delay - cost, cost, stale ? "stale hit" : "hit", 0, false);
    } else {
        ++stats_.iotlb_misses;
        ++stats_.walks;
        PageTableLeaf leaf;
        WalkSteps steps;
        const sc_time before = delay;
        // Wait for a free walker; the walk then keeps it busy until it ends.
        sc_time start;
        const unsigned w = walkers_.acquire(now + delay, &start);
        if (start > now + delay) {
            ++stats_.walks_waited;
            stats_.walk_wait += start - (now + delay);
            delay = start - now;
        }
        WalkResult r = walker_.walk(rid, it->second->root(), iova, now, &leaf, delay, &steps);
        walkers_.release_at(w, now + delay);
        stats_.walk_reads += steps.reads;
        if (steps.skipped) {
            ++stats_.pwc_hits;
            stats_.pwc_levels_skipped += steps.skipped;
        } else if (steps.pwc_lookup) {
            ++stats_.pwc_misses;
        }
        stats_.time_translating += delay - before;
        if (tracing(trace_, TraceKind::Translate))
            trace_translation(rid, iova, now + before, delay - before, "miss + walk", steps.reads, start > now + before);
        if (r == WalkResult::MemoryError)
            SC_REPORT_WARNING(name(), "page walk read refused by memory; reporting the page as not mapped");
        if (r != WalkResult::Mapped) {
            *reason = IommuFaultReason::NotMapped;
            return false;
        }
        t.pa_base = leaf.pa_base;
        t.perms = leaf.perms;
        t.page_size = leaf.page_size;
        t.ready = (now + delay).value();  // a lookup arriving before the walk ends waits for it
        iotlb_.insert(rid, dpn, t);  // cached with its permissions, even if this access is denied
    }
    if (!(t.perms & (is_write ? kWrite : kRead))) {
        *reason = is_write ? IommuFaultReason::WriteDenied : IommuFaultReason::ReadDenied;
        return false;
    }
    *pa = t.pa_of_page(dpn) + (iova & (kPage - 1));
    return true;
}

void Iommu::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
    if (bypass_) {
        downstream->b_transport(trans, delay);
        return;
    }
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    unsigned char* const data = trans.get_data_ptr();
    unsigned char* const be = trans.get_byte_enable_ptr();
    const unsigned be_len = trans.get_byte_enable_length();
    const bool is_write = trans.is_write();
    trans.set_dmi_allowed(false);
    const unsigned sw = trans.get_streaming_width();
    if (sw != 0 && sw < len) {  // a FIFO-style stream has no page split
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    int r = requester_of(trans);
    if (r < 0) {
        record_fault(kNoRequester, addr, is_write, IommuFaultReason::NoContext, sc_core::sc_time_stamp() + delay);
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    const uint16_t rid = (uint16_t)r;
    std::vector<unsigned char> be_chunk;
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    // One downstream transaction per 4 KiB page (as PCIe never crosses 4 KiB either).
    for (unsigned off = 0; off < len || (len == 0 && off == 0);) {
        uint64_t iova = addr + off;
        unsigned chunk = (unsigned)std::min<uint64_t>(len - off, kPage - (iova & (kPage - 1)));
        uint64_t pa = 0;
        IommuFaultReason reason;
        if (!translate(rid, iova, is_write, delay, &pa, &reason)) {
            record_fault(rid, iova, is_write, reason, sc_core::sc_time_stamp() + delay);
            status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
            break;
        }
        trans.set_address(pa);
        trans.set_data_ptr(data + off);
        trans.set_data_length(chunk);
        trans.set_streaming_width(chunk);
        if (be) {
            if (be_len >= len) {
                trans.set_byte_enable_ptr(be + off);
                trans.set_byte_enable_length(chunk);
            } else {  // a repeating pattern: rotate it to this chunk
                be_chunk.resize(chunk);
                for (unsigned i = 0; i < chunk; ++i) be_chunk[i] = be[(off + i) % be_len];
                trans.set_byte_enable_ptr(be_chunk.data());
                trans.set_byte_enable_length(chunk);
            }
        }
        trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        downstream->b_transport(trans, delay);
        status = trans.get_response_status();
        if (status != tlm::TLM_OK_RESPONSE || len == 0) break;
        off += chunk;
    }
    trans.set_address(addr);
    trans.set_data_ptr(data);
    trans.set_data_length(len);
    trans.set_streaming_width(len);
    trans.set_byte_enable_ptr(be);
    trans.set_byte_enable_length(be_len);
    trans.set_dmi_allowed(false);  // whatever memory said: DMI would bypass translation
    trans.set_response_status(status);
}

unsigned int Iommu::transport_dbg(tlm::tlm_generic_payload& trans) {
    if (bypass_) return downstream->transport_dbg(trans);
    int r = requester_of(trans);
    auto it = r < 0 ? tables_.end() : tables_.find((uint16_t)r);
    if (it == tables_.end()) return 0;
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    unsigned char* const data = trans.get_data_ptr();
    unsigned done = 0;
    // Debug access: mapping only, no permission check, no IOTLB, no stats, no time.
    while (done < len) {
        uint64_t iova = addr + done;
        unsigned chunk = (unsigned)std::min<uint64_t>(len - done, kPage - (iova & (kPage - 1)));
        PageTableLeaf leaf;
        if (!it->second->lookup(iova, &leaf)) break;
        trans.set_address(leaf.pa_base + (iova & (leaf.page_size - 1)));
        trans.set_data_ptr(data + done);
        trans.set_data_length(chunk);
        trans.set_streaming_width(chunk);
        unsigned n = downstream->transport_dbg(trans);
        done += n;
        if (n < chunk) break;
    }
    trans.set_address(addr);
    trans.set_data_ptr(data);
    trans.set_data_length(len);
    trans.set_streaming_width(len);
    return done;
}

bool Iommu::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    // Devices must go through translation on every access.
    dmi.allow_none();
    return false;
}

}  // namespace staleline
