#include "bridge/AxiLiteTargetBridge.h"

#include <cstring>

#include "bridge/AxiTlmResponse.h"
#include "bridge/PsTime.h"
#include "pci/BarIndex.h"

namespace staleline {

using sc_core::sc_time;
using sc_core::sc_time_stamp;

namespace {

// A read: the calling thread waits on `ev` until the clock loop has the data.
struct BlockingAccess final : AxiLiteAccess {
    const ClockDomain* clock = nullptr;
    sc_core::sc_event ev;
    bool finished = false;
    void done(uint64_t cycle) override {
        finished = true;
        sc_time at = from_ps(clock->time_ps(cycle));
        ev.notify(at > sc_time_stamp() ? at - sc_time_stamp() : sc_core::SC_ZERO_TIME);
    }
};

// A posted write: nobody waits; it frees itself when done.
struct PostedAccess final : AxiLiteAccess {
    void done(uint64_t) override { delete this; }
    void abandon() override { delete this; }
};

bool in_thread() {
    sc_core::sc_process_handle h = sc_core::sc_get_current_process_handle();
    return h.valid() && h.proc_kind() == sc_core::SC_THREAD_PROC_;
}

}  // namespace

AxiLiteTargetBridge::AxiLiteTargetBridge(sc_core::sc_module_name name, AxiLiteAccessQueue& pins,
                                         const ClockDomain& clock, uint32_t window)
    : sc_module(name), socket("socket"), pins_(pins), clock_(clock), window_(window) {
    socket.register_b_transport(this, &AxiLiteTargetBridge::b_transport);
    socket.register_transport_dbg(this, &AxiLiteTargetBridge::transport_dbg);
}

uint64_t AxiLiteTargetBridge::due_cycle(const sc_time& delay) const {
    return clock_.cycle_at(to_ps(sc_time_stamp() + delay));
}

void AxiLiteTargetBridge::post_write(uint32_t word, uint32_t data, uint8_t strb, const sc_time& delay) {
    PostedAccess* a = new PostedAccess;
    a->is_write = true;
    a->addr = word;
    a->wdata = data;
    a->wstrb = strb;
    a->due = due_cycle(delay);
    pins_.post(a);
    posted_.notify(delay);
}

AxiResp AxiLiteTargetBridge::read_word(uint32_t word, const sc_time& delay, uint32_t* rdata) {
    BlockingAccess a;
    a.clock = &clock_;
    a.is_write = false;
    a.addr = word;
    a.due = due_cycle(delay);
    pins_.post(&a);
    posted_.notify(delay);
    do sc_core::wait(a.ev);  // done() notifies it for the time of the R handshake
    while (!a.finished);
    *rdata = a.rdata;
    return a.resp;
}

void AxiLiteTargetBridge::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();
    unsigned char* data = trans.get_data_ptr();
    const unsigned char* be = trans.get_byte_enable_ptr();
    const unsigned be_len = trans.get_byte_enable_length();
    auto refuse = [&](tlm::tlm_response_status s) {
        ++stats_.refused;
        trans.set_response_status(s);
    };
    if (trans.is_read() == trans.is_write()) {  // TLM_IGNORE_COMMAND
        trans.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    if (BarIndex::of(trans) != 0 || addr >= window_ || len > window_ - addr)
        return refuse(tlm::TLM_ADDRESS_ERROR_RESPONSE);  // the AXI4-Lite port is BAR0
    // PCIe byte enables: 1, 2 or 4 bytes inside one dword (WSTRB says which), an aligned qword.
    const bool lanes = len == 8 ? addr % 8 == 0 : (len == 1 || len == 2 || len == 4) && (addr % 4) + len <= 4;
    if (!lanes || !data || trans.get_streaming_width() < len)
        return refuse(tlm::TLM_BURST_ERROR_RESPONSE);
    if (be && be_len == 0) return refuse(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    if (trans.is_read() && !in_thread()) {
        SC_REPORT_WARNING("staleline/bridge", "register read from outside a SystemC thread cannot wait for the RTL");
        return refuse(tlm::TLM_GENERIC_ERROR_RESPONSE);
    }

    // Split into 32-bit words; strobes say which bytes of each word the access covers.
    AxiResp worst = AxiResp::Okay;
    for (unsigned done = 0; done < len;) {
        uint32_t word = (uint32_t)(addr + done) & ~3u;
        unsigned lane = (unsigned)(addr + done) & 3u;
        unsigned n = len - done < 4 - lane ? len - done : 4 - lane;
        uint8_t strb = 0;
        for (unsigned i = 0; i < n; ++i)
            if (!be || be[(done + i) % be_len]) strb |= (uint8_t)(1u << (lane + i));
        if (trans.is_write()) {
            uint32_t w = 0;
            for (unsigned i = 0; i < n; ++i) w |= (uint32_t)data[done + i] << (8 * (lane + i));
            if (strb) post_write(word, w, strb, delay);
        } else {
            uint32_t r = 0;
            AxiResp resp = read_word(word, delay, &r);
            delay = sc_core::SC_ZERO_TIME;  // the wait consumed it
            if (resp != AxiResp::Okay) {
                ++stats_.error_responses;
                if (worst == AxiResp::Okay || resp == AxiResp::DecErr) worst = resp;
            }
            for (unsigned i = 0; i < n; ++i)
                if (!be || be[(done + i) % be_len]) data[done + i] = (unsigned char)(r >> (8 * (lane + i)));
        }
        done += n;
    }
    ++(trans.is_write() ? stats_.writes : stats_.reads);
    trans.set_dmi_allowed(false);
    trans.set_response_status(tlm_resp_of(worst));
}

unsigned AxiLiteTargetBridge::transport_dbg(tlm::tlm_generic_payload&) { return 0; }

}  // namespace staleline
