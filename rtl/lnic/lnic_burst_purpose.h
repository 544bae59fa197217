// What lnic's bursts are for (staleline_add_device BURST_PURPOSE, bridge/RtlCoreT.h): the
// sequencer reads a TX and an RX descriptor at the addresses it computed from the rings'
// heads (txd_at, rxd_at) and writes the RX descriptor's bytes 8..15 back (lnic_seq.v, S_DESC and
// S_WB); everything else is frame data. Registers as the model holds them when the burst is
// handed over.
#pragma once

#include <cstdint>

namespace staleline {

// SL_RTL_TOP: the Verilated class of this build (Vlnic, Vlnic_msix), set by the generated entry.
template <>
struct RtlBurstPurpose<SL_RTL_TOP> {
    static uint8_t of(const SL_RTL_TOP& m, const AxiBurst& b) {
        const uint64_t txd = m.rootp->lnic__DOT__u_seq__DOT__txd_at;
        const uint64_t rxd = m.rootp->lnic__DOT__u_seq__DOT__rxd_at;
        if (!b.is_write && (b.addr == txd || b.addr == rxd)) return 1;  // descriptor fetch
        if (b.is_write && b.addr == rxd + 8) return 2;                  // status write-back
        return 0;
    }
};

}  // namespace staleline
