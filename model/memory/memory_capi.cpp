// C API over the DRAM model (staleline/memory.h).
#include <exception>

#include "memory/Memory.h"
#include "platform/PlatformHandle.h"
#include "staleline/memory.h"

using namespace staleline;

namespace {
uint64_t to_ps(const sc_core::sc_time& t) { return (uint64_t)(t.value() * sc_core::sc_get_time_resolution().to_seconds() * 1e12 + 0.5); }
}  // namespace

extern "C" {

void sl_memory_get_stats(sl_platform_t* p, sl_memory_stats_t* out) {
    if (!p || !out) return;
    const MemoryStats& s = impl(p).memory().stats();
    out->reads = s.reads;
    out->writes = s.writes;
    out->bytes_read = s.bytes_read;
    out->bytes_written = s.bytes_written;
    out->debug_accesses = s.debug_accesses;
    out->dmi_grants = s.dmi_grants;
    out->pages_touched = impl(p).memory().store().pages_touched();
}

uint64_t sl_memory_access_time_ps(sl_platform_t* p, size_t len) {
    return p ? to_ps(impl(p).memory().access_time(len)) : 0;
}

int sl_memory_transport(sl_platform_t* p, int is_write, uint64_t pa, void* data, size_t len,
                        const uint8_t* byte_enable, size_t be_len, size_t streaming_width, uint64_t* delay_ps) {
    clear_error();
    if (!p) return set_error("sl_memory_transport: null platform");
    if (len > 0xffffffffULL) return set_error("sl_memory_transport: length exceeds 32 bits");
    tlm::tlm_generic_payload t;
    t.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    t.set_address(pa);
    t.set_data_ptr(static_cast<unsigned char*>(data));
    t.set_data_length((unsigned)len);
    t.set_streaming_width((unsigned)(streaming_width ? streaming_width : len));
    t.set_byte_enable_ptr(const_cast<unsigned char*>(byte_enable));
    t.set_byte_enable_length((unsigned)be_len);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    impl(p).memory().b_transport(t, delay);
    if (delay_ps) *delay_ps = to_ps(delay);
    if (t.is_response_error()) return set_error("DRAM transaction failed: " + t.get_response_string());
    return 0;
}

int sl_memory_dmi(sl_platform_t* p, uint64_t pa, sl_dmi_t* out) {
    clear_error();
    if (!p || !out) return set_error("sl_memory_dmi: null argument");
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_address(pa);
    tlm::tlm_dmi dmi;
    if (!impl(p).memory().get_direct_mem_ptr(t, dmi)) return set_error("DRAM refused DMI");
    out->ptr = dmi.get_dmi_ptr();
    out->start = dmi.get_start_address();
    out->end = dmi.get_end_address();
    out->read_allowed = dmi.is_read_allowed();
    out->write_allowed = dmi.is_write_allowed();
    out->read_latency_ps = to_ps(dmi.get_read_latency());
    out->write_latency_ps = to_ps(dmi.get_write_latency());
    return 0;
}

}  // extern "C"
