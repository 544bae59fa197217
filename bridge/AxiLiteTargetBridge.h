// AxiLiteTargetBridge: TLM-2.0 target socket -> register accesses on a pin-level AXI4-Lite
// slave (the TLM half; the pin half is AxiLitePinMaster, run by the clock loop that owns
// the model). An access of 1, 2 or 4 bytes becomes one 32-bit AXI4-Lite access with the
// matching WSTRB (TLM byte enables narrow it further); 8 bytes become two, low word first.
// Writes are posted, as PCIe memory writes are: queued for the clock loop with the time
// they arrive (sc_time_stamp() + delay) and b_transport returns at once. Reads wait (the
// calling thread blocks) until the R handshake; the delay then is zero.
// Responses: SLVERR -> TLM_GENERIC_ERROR_RESPONSE, DECERR -> TLM_ADDRESS_ERROR_RESPONSE.
// Requests the slave cannot take: outside the window -> TLM_ADDRESS_ERROR_RESPONSE; other
// sizes, misaligned, streaming -> TLM_BURST_ERROR_RESPONSE. transport_dbg reads nothing:
// registers cannot be looked at without clocking the RTL.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "bridge/AxiLiteAccess.h"
#include "bridge/ClockDomain.h"

namespace staleline {

struct AxiLiteTargetStats {
    uint64_t reads = 0, writes = 0;      // TLM transactions accepted
    uint64_t refused = 0;                // answered with an error before reaching the pins
    uint64_t error_responses = 0;        // the slave answered SLVERR/DECERR (reads only: writes are posted)
};

class AxiLiteTargetBridge : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<AxiLiteTargetBridge> socket;

    // `pins`: where accesses go (the clock loop). `window`: bytes the slave decodes.
    AxiLiteTargetBridge(sc_core::sc_module_name name, AxiLiteAccessQueue& pins, const ClockDomain& clock,
                        uint32_t window = 4096);

    // Notified, at the time an access is due, whenever one is posted: the clock loop
    // sleeps on it while the RTL is idle.
    const sc_core::sc_event& access_event() const { return posted_; }

    const AxiLiteTargetStats& stats() const { return stats_; }

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    // One 32-bit access at word address `word`; returns the AXI response, read data in *rdata.
    AxiResp read_word(uint32_t word, const sc_core::sc_time& delay, uint32_t* rdata);
    void post_write(uint32_t word, uint32_t data, uint8_t strb, const sc_core::sc_time& delay);
    uint64_t due_cycle(const sc_core::sc_time& delay) const;

    AxiLiteAccessQueue& pins_;
    const ClockDomain& clock_;
    uint32_t window_;
    sc_core::sc_event posted_;
    AxiLiteTargetStats stats_;
};

}  // namespace staleline
