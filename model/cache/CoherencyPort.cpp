#include "cache/CoherencyPort.h"

#include "common/RequesterId.h"

namespace staleline {

CoherencyPort::CoherencyPort(sc_core::sc_module_name name, const Config& cfg, Cache& cache)
    : sc_module(name),
      device_socket("device_socket"),
      mem_socket("mem_socket"),
      cache_(cache),
      coherent_(cfg.get_bool("platform.coherent")) {
    device_socket.register_b_transport(this, &CoherencyPort::b_transport);
    device_socket.register_transport_dbg(this, &CoherencyPort::transport_dbg);
    device_socket.register_get_direct_mem_ptr(this, &CoherencyPort::get_direct_mem_ptr);
    mem_socket.register_invalidate_direct_mem_ptr(this, &CoherencyPort::invalidate_direct_mem_ptr);
}

void CoherencyPort::set_device_access_hook(DeviceAccessHook hook) {
    hook_ = std::move(hook);
    invalidate_direct_mem_ptr(0, ~0ULL);
}

void CoherencyPort::set_device_access_listener(DeviceAccessListener fn) {
    listener_ = std::move(fn);
    invalidate_direct_mem_ptr(0, ~0ULL);
}

void CoherencyPort::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const uint64_t pa = trans.get_address();
    size_t len = trans.get_data_length();
    // A streaming transaction touches only its window.
    const size_t sw = trans.get_streaming_width();
    const size_t span = sw != 0 && sw < len ? sw : len;
    const bool is_write = trans.is_write();
    const bool moves = span != 0 && (is_write || trans.is_read());
    if (coherent_ && moves) {
        if (is_write) cache_.snoop_write(pa, span, delay);
        else cache_.snoop_read(pa, span, delay);
    }
    const bool adversary = !coherent_ && moves && cache_.adversary().mode() != AdversaryMode::None;
    if (adversary) cache_.device_access_begin(is_write, pa, span, sc_core::sc_time_stamp() + delay);
    trans.set_dmi_allowed(false);
    mem_socket->b_transport(trans, delay);
    if (trans.is_response_error()) {
        ++stats_.errors;
        return;
    }
    if (!trans.is_read() && !is_write) return;  // IGNORE
    if (is_write) { ++stats_.device_writes; stats_.bytes_written += len; }
    else { ++stats_.device_reads; stats_.bytes_read += len; }
    const sc_core::sc_time when = sc_core::sc_time_stamp() + delay;
    if (hook_) hook_(is_write, pa, span, when);
    if (listener_) listener_(DeviceAccess{is_write, pa, span, requester_of(trans), when});
    if (adversary) cache_.device_access_end(is_write, pa, span, when);
    // Memory allows DMI; only tell the device when we would grant it.
    trans.set_dmi_allowed(!coherent_ && !watched() && cache_.adversary().mode() == AdversaryMode::None);
}

unsigned int CoherencyPort::transport_dbg(tlm::tlm_generic_payload& trans) {
    return mem_socket->transport_dbg(trans);
}

bool CoherencyPort::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    if (coherent_ || watched() || cache_.adversary().mode() != AdversaryMode::None) {
        ++stats_.dmi_refused;
        // Deny for the whole space: every access must come through b_transport.
        dmi.set_start_address(0);
        dmi.set_end_address(~0ULL);
        dmi.allow_none();
        return false;
    }
    ++stats_.dmi_forwarded;
    return mem_socket->get_direct_mem_ptr(trans, dmi);
}

void CoherencyPort::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    // Before the end of elaboration no device holds a pointer (and the port is unresolved).
    if (device_socket.get_base_port().size() > 0) device_socket->invalidate_direct_mem_ptr(start, end);
}

}  // namespace staleline
