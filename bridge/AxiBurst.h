// AxiBurst: one AXI4 burst as the bridge hands it to the transaction level: the address
// channel fields, the bytes it moves (in address order from `addr`) and, for writes, which
// of them the write strobes enabled. Plain C++ (no SystemC, no Verilator).
//
// Bytes of an INCR burst: beat 0 carries [addr, aligned(addr, size) + 2^size), beat n
// carries [aligned(addr, size) + n * 2^size, +2^size). A FIXED burst repeats beat 0's bytes.
// On a bus of B bytes a byte at address a travels on lane a % B.
#pragma once

#include <cstdint>

namespace staleline {

enum class AxiResp : uint8_t { Okay = 0, ExOkay = 1, SlvErr = 2, DecErr = 3 };
enum class AxiBurstType : uint8_t { Fixed = 0, Incr = 1, Wrap = 2 };

struct AxiBurst {
    static constexpr unsigned kMaxBusBytes = 32;               // data buses up to 256 bits
    static constexpr unsigned kMaxBytes = 256 * kMaxBusBytes;  // AXI4: up to 256 beats

    bool is_write = false;
    uint64_t addr = 0;     // AxADDR
    unsigned len = 0;      // AxLEN: beats - 1
    unsigned size = 3;     // AxSIZE: 2^size bytes per beat
    AxiBurstType burst = AxiBurstType::Incr;
    unsigned id = 0;

    // Bytes per beat and the bytes beat 0 carries (fewer when addr is not size-aligned).
    unsigned beat_bytes() const { return 1u << size; }
    unsigned first_beat_bytes() const { return beat_bytes() - (unsigned)(addr & (beat_bytes() - 1)); }
    // Bytes the burst spans: [addr, addr + span()). FIXED: one beat's bytes.
    unsigned span() const {
        return burst == AxiBurstType::Fixed ? first_beat_bytes() : first_beat_bytes() + len * beat_bytes();
    }
    // Address of beat n's first byte.
    uint64_t beat_addr(unsigned n) const {
        if (n == 0 || burst == AxiBurstType::Fixed) return addr;
        return (addr & ~(uint64_t)(beat_bytes() - 1)) + (uint64_t)n * beat_bytes();
    }

    // Data: data[i] is the byte at addr + i (reads: filled by the target; writes: from W).
    // FIXED bursts keep beat after beat: data[n * first_beat_bytes() + i].
    uint8_t data[kMaxBytes];
    // Writes: `enabled` bytes were enabled by the strobes, the first at offset first_enabled,
    // the last at last_enabled. Only if some beat had partial strobes (enable_filled) does
    // enable[i] say which: 0xFF (TLM_BYTE_ENABLED) or 0; otherwise they are exactly
    // [first_enabled, last_enabled] and enable[] is not filled (saves a pass per burst).
    uint8_t enable[kMaxBytes];
    bool enable_filled = false;
    unsigned enabled = 0;
    unsigned first_enabled = 0, last_enabled = 0;  // offsets, valid when enabled > 0

    AxiResp resp = AxiResp::Okay;

    // What the device's kind says the burst is for (RtlBurstPurpose, RtlCoreT.h): the
    // values of DevicePhase (model/trace/TraceEvent.h), 0 data. Only the trace reads it.
    uint8_t purpose = 0;
};

}  // namespace staleline
