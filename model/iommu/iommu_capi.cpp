// C API over Iommu and IOTLB trace replay (staleline/iommu.h).
#include <exception>
#include <istream>
#include <streambuf>

#include "common/FileReadBuf.h"
#include "common/Payload.h"
#include "common/DinTrace.h"
#include "common/RequesterId.h"
#include "config/ConfigHandle.h"
#include "iommu/IotlbReplay.h"
#include "platform/PlatformHandle.h"
#include "staleline/iommu.h"
#include "staleline/pci.h"

using namespace staleline;

namespace {

int fault_code(IommuFaultReason r) {
    switch (r) {
    case IommuFaultReason::NotMapped: return SL_IOMMU_FAULT_NOT_MAPPED;
    case IommuFaultReason::ReadDenied: return SL_IOMMU_FAULT_READ_DENIED;
    case IommuFaultReason::WriteDenied: return SL_IOMMU_FAULT_WRITE_DENIED;
    case IommuFaultReason::NoContext: return SL_IOMMU_FAULT_NO_CONTEXT;
    }
    return -1;
}

uint64_t ns(const sc_core::sc_time& t) { return (uint64_t)(t / sc_core::sc_time(1, sc_core::SC_NS)); }

int resp_code(tlm::tlm_response_status s) {
    switch (s) {
    case tlm::TLM_OK_RESPONSE: return SL_RESP_OK;
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return SL_RESP_ADDRESS_ERROR;
    case tlm::TLM_GENERIC_ERROR_RESPONSE: return SL_RESP_GENERIC_ERROR;
    default: return SL_RESP_OTHER_ERROR;
    }
}

}  // namespace

extern "C" {

int sl_iommu_map(sl_platform_t* p, uint16_t rid, uint64_t iova, uint64_t pa, uint64_t len, unsigned perms) {
    clear_error();
    if (!p) return set_error("sl_iommu_map: null platform");
    Iommu& m = impl(p).iommu();
    if (m.bypass()) return set_error("sl_iommu_map: the IOMMU is in bypass mode (iommu.mode=bypass)", "iommu.mode");
    if (!m.map(rid, iova, pa, len, perms)) return set_error("sl_iommu_map: " + m.last_error());
    return 0;
}

int sl_iommu_unmap(sl_platform_t* p, uint16_t rid, uint64_t iova, uint64_t len) {
    clear_error();
    if (!p) return set_error("sl_iommu_unmap: null platform");
    Iommu& m = impl(p).iommu();
    if (m.bypass()) return set_error("sl_iommu_unmap: the IOMMU is in bypass mode (iommu.mode=bypass)", "iommu.mode");
    if (!m.unmap(rid, iova, len)) return set_error("sl_iommu_unmap: " + m.last_error());
    return 0;
}

void sl_iommu_invalidate_page(sl_platform_t* p, uint16_t rid, uint64_t iova) { impl(p).iommu().invalidate_page(rid, iova); }
void sl_iommu_invalidate_range(sl_platform_t* p, uint16_t rid, uint64_t iova, uint64_t len) {
    impl(p).iommu().invalidate_range(rid, iova, len);
}
void sl_iommu_invalidate_requester(sl_platform_t* p, uint16_t rid) { impl(p).iommu().invalidate_requester(rid); }
void sl_iommu_invalidate_all(sl_platform_t* p) { impl(p).iommu().invalidate_all(); }
void sl_iommu_flush_deferred(sl_platform_t* p) { impl(p).iommu().flush_deferred(); }
uint64_t sl_iommu_pending_invalidations(sl_platform_t* p) { return impl(p).iommu().pending_invalidation_pages(); }

int sl_iommu_translate(sl_platform_t* p, uint16_t rid, uint64_t iova, uint64_t* pa, unsigned* perms) {
    return impl(p).iommu().translate_debug(rid, iova, pa, perms) ? 1 : 0;
}

uint64_t sl_iommu_table_pages(sl_platform_t* p, uint16_t rid) {
    const PageTable* t = impl(p).iommu().page_table(rid);
    return t ? t->table_pages() : 0;
}

size_t sl_iommu_fault_count(sl_platform_t* p) { return impl(p).iommu().faults().size(); }

int sl_iommu_get_fault(sl_platform_t* p, size_t i, sl_iommu_fault_t* out) {
    const auto& f = impl(p).iommu().faults();
    if (i >= f.size() || !out) return set_error("sl_iommu_get_fault: index " + std::to_string(i) + " out of range (" +
                                                std::to_string(f.size()) + " faults)");
    out->requester = f[i].requester;
    out->device_addr = f[i].device_addr;
    out->is_write = f[i].is_write ? 1 : 0;
    out->reason = fault_code(f[i].reason);
    out->time_ns = ns(f[i].time);
    return 0;
}

const char* sl_iommu_fault_reason_name(int reason) {
    switch (reason) {
    case SL_IOMMU_FAULT_NOT_MAPPED: return to_string(IommuFaultReason::NotMapped);
    case SL_IOMMU_FAULT_READ_DENIED: return to_string(IommuFaultReason::ReadDenied);
    case SL_IOMMU_FAULT_WRITE_DENIED: return to_string(IommuFaultReason::WriteDenied);
    case SL_IOMMU_FAULT_NO_CONTEXT: return to_string(IommuFaultReason::NoContext);
    }
    return "unknown";
}

void sl_iommu_get_stats(sl_platform_t* p, sl_iommu_stats_t* out) {
    Iommu& m = impl(p).iommu();
    const IommuStats& s = m.stats();
    out->translations = s.translations;
    out->iotlb_hits = s.iotlb_hits;
    out->iotlb_misses = s.iotlb_misses;
    out->iotlb_evictions = m.iotlb().stats().evictions;
    out->walks = s.walks;
    out->walk_reads = s.walk_reads;
    out->faults = s.faults;
    out->invalidation_commands = s.invalidation_commands;
    out->invalidated_entries = s.invalidated_entries;
    out->deferred_flushes = s.deferred_flushes;
    out->stale_hits = s.stale_hits;
    out->time_translating_ns = ns(s.time_translating);
    out->deferred_window_max_ns = ns(s.deferred_window_max);
    out->deferred_window_total_ns = ns(s.deferred_window_total);
    out->walks_waited = s.walks_waited;
    out->walk_wait_ns = ns(s.walk_wait);
    out->iotlb_hits_pending = s.hits_pending;
    out->pwc_hits = s.pwc_hits;
    out->pwc_levels_skipped = s.pwc_levels_skipped;
    out->pwc_misses = s.pwc_misses;
    out->pwc_invalidated = s.pwc_invalidated;
}

int sl_iommu_transport(sl_platform_t* p, uint16_t rid, int is_write, uint64_t iova, void* data, size_t len,
                       uint64_t* delay_ns) {
    clear_error();
    if (!p || !delay_ns || (!data && len)) {
        set_error("sl_iommu_transport: null argument");
        return SL_RESP_OTHER_ERROR;
    }
    if (len > 0xffffffffu) {
        set_error("sl_iommu_transport: length " + std::to_string(len) + " does not fit a TLM transaction");
        return SL_RESP_OTHER_ERROR;
    }
    tlm::tlm_generic_payload t;
    prepare_payload(t, is_write, iova, data, len);
    RequesterId ext(rid);
    t.set_extension(&ext);
    sc_core::sc_time delay((double)*delay_ns, sc_core::SC_NS);
    impl(p).iommu().transport(t, delay);
    t.clear_extension(&ext);
    *delay_ns = ns(delay);
    return resp_code(t.get_response_status());
}

int sl_iotlb_replay_din(const sl_config_t* cfg, FILE* in, sl_iotlb_replay_stats_t* out) {
    clear_error();
    if (!cfg || !in || !out) return set_error("sl_iotlb_replay_din: null argument");
    try {
        FileReadBuf buf(in);
        std::istream is(&buf);
        IotlbReplayStats s = replay_iotlb_din(cfg->cfg, is);
        out->accesses = s.accesses;
        out->hits = s.hits;
        out->misses = s.misses;
        out->read_misses = s.read_misses;
        out->write_misses = s.write_misses;
        out->evictions = s.evictions;
        out->writebacks = 0;
        return 0;
    } catch (const ConfigError& e) {
        return set_error(e.what(), e.key());
    } catch (const std::exception& e) {  // TraceError: "line N: ..."
        return set_error(e.what());
    }
}

}  // extern "C"
