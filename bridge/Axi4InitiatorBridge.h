// Axi4InitiatorBridge: AXI4 bursts of a pin-level master -> TLM-2.0 transactions on an
// initiator socket (the TLM half; the pin half is Axi4PinSlave). A whole burst is ONE
// blocking transaction, issued at the time of the clock edge that completed it (reads: the
// AR handshake, writes: the last W beat), with the local time offset of that edge as the
// annotated delay (temporal decoupling):
//   INCR   data length = bytes of the burst, streaming width = length;
//   FIXED  data length = beats * beat bytes, streaming width = beat bytes;
//   writes: trimmed to the first..last byte the strobes enable, with a byte-enable array
//           only if some byte in between is disabled; no enabled byte: no transaction, OKAY.
// The delay the target returns becomes the edge at which the response starts (first R
// beat, or B). Responses map per AxiTlmResponse.h (ADDRESS_ERROR <-> DECERR, else SLVERR);
// every beat of a failed read carries the error and zero data. No DMI: a device master
// goes through translation on every access (the IOMMU refuses DMI anyway).
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "bridge/AxiBurst.h"
#include "bridge/ClockDomain.h"
#include "trace/BurstPurpose.h"

namespace staleline {

struct Axi4InitiatorStats {
    uint64_t transactions = 0;
    uint64_t bytes_read = 0, bytes_written = 0;
    uint64_t empty_writes = 0;     // write bursts with no strobe set (no transaction)
    uint64_t decode_errors = 0;    // TLM_ADDRESS_ERROR_RESPONSE -> DECERR
    uint64_t slave_errors = 0;     // other TLM errors -> SLVERR
    uint64_t synchronised = 0;     // transactions issued after waiting for their time
};

class Axi4InitiatorBridge : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<Axi4InitiatorBridge> socket;

    Axi4InitiatorBridge(sc_core::sc_module_name name, const ClockDomain& clock);

    // Carry out `b` as of clock edge `cycle`, from a SystemC thread. `sync`: first wait until
    // that time (for transactions others observe at once, like an MSI write, which raises an
    // interrupt when it arrives). Returns the first edge at which the response may start.
    uint64_t transport(AxiBurst& b, uint64_t cycle, bool sync);

    const Axi4InitiatorStats& stats() const { return stats_; }

private:
    const ClockDomain& clock_;
    tlm::tlm_generic_payload trans_;  // reused: one transaction at a time, no extensions kept
    BurstPurpose purpose_;            // set on trans_ for one transaction when not data
    Axi4InitiatorStats stats_;
};

}  // namespace staleline
