#include "memory/Memory.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace staleline {

using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_PS;

Memory::Memory(sc_core::sc_module_name name, const Config& cfg)
    : sc_module(name),
      socket("socket"),
      latency_((double)cfg.get_int("dram.latency_ns"), SC_NS),
      ps_per_byte_(1000.0 / cfg.get_double("dram.bandwidth_gbps")) {  // GB/s == bytes/ns
    socket.register_b_transport(this, &Memory::b_transport_cb);
    socket.register_transport_dbg(this, &Memory::transport_dbg_cb);
    socket.register_get_direct_mem_ptr(this, &Memory::get_direct_mem_ptr_cb);
}

sc_time Memory::access_time(size_t len) const {
    if (len >= kTimedLengths) return latency_ + sc_time(std::round((double)len * ps_per_byte_), SC_PS);
    if (time_known_.empty()) {
        time_of_len_.resize(kTimedLengths);
        time_known_.resize(kTimedLengths);
    }
    if (!time_known_[len]) {
        time_of_len_[len] = latency_ + sc_time(std::round((double)len * ps_per_byte_), SC_PS);
        time_known_[len] = true;
    }
    return time_of_len_[len];
}

bool Memory::move_data(tlm::tlm_generic_payload& trans) {
    const uint64_t addr = trans.get_address();
    const size_t len = trans.get_data_length();
    uint8_t* data = trans.get_data_ptr();
    const uint8_t* be = trans.get_byte_enable_ptr();
    const size_t be_len = trans.get_byte_enable_length();
    size_t sw = trans.get_streaming_width();
    if (sw == 0 || sw > len) sw = len;  // 0: initiators that never set it mean "no streaming"

    if (len == 0 || trans.is_read() == trans.is_write()) return true;  // nothing to move (or IGNORE)
    if (!data) {
        trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return false;
    }
    if (be && be_len == 0) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return false;
    }
    if (sw - 1 > ~0ULL - addr) {  // would wrap past the top of the 64-bit space
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return false;
    }
    if (!be && sw == len) {
        const size_t off = addr & SparsePages::kPageMask;
        if (off + len <= SparsePages::kPageSize) {  // one page (every cache line): use the page lookup cache
            if (trans.is_write()) std::memcpy(store_.page(addr, true) + off, data, len);
            else if (const uint8_t* pg = store_.page(addr, false)) std::memcpy(data, pg + off, len);
            else std::memset(data, 0, len);
            return true;
        }
        if (trans.is_read()) store_.read(addr, data, len);
        else store_.write(addr, data, len);
        return true;
    }
    // Byte enables and/or a streaming (FIFO-like) window: byte by byte.
    for (size_t i = 0; i < len; ++i) {
        if (be && be[i % be_len] == 0) continue;  // TLM_BYTE_DISABLED
        uint64_t a = addr + i % sw;
        if (trans.is_read()) store_.read(a, data + i, 1);
        else *store_.byte(a) = data[i];
    }
    return true;
}

void Memory::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (!move_data(trans)) return;
    const size_t len = trans.get_data_length();
    if (trans.is_read()) { ++stats_.reads; stats_.bytes_read += len; }
    else if (trans.is_write()) { ++stats_.writes; stats_.bytes_written += len; }
    if (tracing(trace_, TraceKind::DramAccess)) {
        TraceEvent e;
        e.category = TraceCategory::Dram;
        e.kind = TraceKind::DramAccess;
        e.track = "dram";
        e.name = "access";
        e.ts = sc_core::sc_time_stamp() + delay;
        e.dur = access_time(len);
        e.is_write = trans.is_write();
        e.arg("bytes", len);
        trace_->publish(e);
    }
    delay += access_time(len);
    trans.set_dmi_allowed(true);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int Memory::transport_dbg(tlm::tlm_generic_payload& trans) {
    ++stats_.debug_accesses;
    const uint64_t addr = trans.get_address();
    size_t len = trans.get_data_length();
    uint8_t* data = trans.get_data_ptr();
    if (!data || len == 0) return 0;
    if (len - 1 > ~0ULL - addr) len = (size_t)(~0ULL - addr) + 1;  // stop at the top of the space
    if (trans.is_read()) store_.read(addr, data, len);
    else if (trans.is_write()) store_.write(addr, data, len);
    else return 0;
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return (unsigned int)len;
}

bool Memory::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    const uint64_t page = trans.get_address() & ~SparsePages::kPageMask;
    dmi.set_dmi_ptr(store_.page(page, true));
    dmi.set_start_address(page);
    dmi.set_end_address(page + SparsePages::kPageMask);
    dmi.allow_read_write();
    dmi.set_read_latency(latency_);
    dmi.set_write_latency(latency_);
    ++stats_.dmi_grants;
    return true;
}

void Memory::map_host(uint64_t pa, size_t len, uint8_t* host) {
    store_.map_host(pa, len, host);
    if (len) invalidate_dmi(pa, pa + len - 1);
}

void Memory::unmap_host(uint64_t pa, size_t len) {
    store_.unmap_host(pa, len);
    if (len) invalidate_dmi(pa, pa + len - 1);
}

void Memory::discard(uint64_t pa, size_t len) {
    store_.discard(pa, len);
    if (len) invalidate_dmi(pa, pa + len - 1);
}

void Memory::invalidate_dmi(uint64_t start, uint64_t end) {
    for (unsigned i = 0; i < socket.size(); ++i) socket[i]->invalidate_direct_mem_ptr(start, end);
}

}  // namespace staleline
