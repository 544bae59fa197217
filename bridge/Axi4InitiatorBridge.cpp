#include "bridge/Axi4InitiatorBridge.h"

#include <cstring>

#include "bridge/AxiTlmResponse.h"
#include "bridge/PsTime.h"

namespace staleline {

using sc_core::sc_time;
using sc_core::sc_time_stamp;

Axi4InitiatorBridge::Axi4InitiatorBridge(sc_core::sc_module_name name, const ClockDomain& clock)
    : sc_module(name), socket("socket"), clock_(clock) {}

uint64_t Axi4InitiatorBridge::transport(AxiBurst& b, uint64_t cycle, bool sync) {
    const sc_time at = from_ps(clock_.time_ps(cycle));
    if (sync && at > sc_time_stamp()) {
        ++stats_.synchronised;
        sc_core::wait(at - sc_time_stamp());
    }
    const bool fixed = b.burst == AxiBurstType::Fixed;
    const unsigned beat = b.first_beat_bytes();
    uint64_t addr = b.addr;
    unsigned len, width;
    unsigned char* data = b.data;
    unsigned char* be = nullptr;
    if (b.is_write) {
        if (b.enabled == 0) {  // e.g. the strobe-less beats a soft reset sends: nothing to write
            ++stats_.empty_writes;
            b.resp = AxiResp::Okay;
            return cycle + 1;
        }
        // Without partial strobes (enable_filled false) the enabled bytes are contiguous.
        if (fixed) {
            len = beat * (b.len + 1);
            width = beat;
            if (b.enabled != len && b.enable_filled) be = b.enable;
        } else {
            addr += b.first_enabled;
            data += b.first_enabled;
            len = width = b.last_enabled - b.first_enabled + 1;
            if (b.enabled != len && b.enable_filled) be = b.enable + b.first_enabled;
        }
    } else {
        len = fixed ? beat * (b.len + 1) : b.span();
        width = fixed ? beat : len;
    }

    tlm::tlm_generic_payload& t = trans_;
    t.set_command(b.is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    t.set_address(addr);
    t.set_data_ptr(data);
    t.set_data_length(len);
    t.set_streaming_width(width);
    t.set_byte_enable_ptr(be);
    t.set_byte_enable_length(be ? len : 0);
    t.set_dmi_allowed(false);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    const sc_time now = sc_time_stamp();
    sc_time delay = at > now ? at - now : sc_core::SC_ZERO_TIME;
    purpose_.phase = (DevicePhase)b.purpose;
    {
        BurstPurposeScope labelled(t, purpose_);
        socket->b_transport(t, delay);
    }
    ++stats_.transactions;

    tlm::tlm_response_status s = t.get_response_status();
    b.resp = axi_resp_of(s);
    if (b.resp == AxiResp::DecErr) ++stats_.decode_errors;
    else if (b.resp != AxiResp::Okay) ++stats_.slave_errors;
    if (b.resp != AxiResp::Okay) {
        if (!b.is_write) std::memset(b.data, 0, len);
    } else if (b.is_write) {
        stats_.bytes_written += b.enabled;
    } else {
        stats_.bytes_read += len;
    }
    uint64_t ready = clock_.cycle_at(to_ps(sc_time_stamp() + delay));
    return ready > cycle ? ready : cycle + 1;
}

}  // namespace staleline
