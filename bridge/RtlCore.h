// RtlCore: the Verilated DMA engine (Vdma_engine) behind a small interface without
// SystemC or Verilator types, so SystemC code can use it (the two sets of headers do not
// mix: rtl/README.md). It owns the VerilatedContext, the model and its VCD writer, and
// runs the clock loop: per evaluated cycle the AXI4-Lite pin master and the AXI4 pin slave
// drive the inputs with the clock low, handshakes are sampled, then the rising edge.
//
// The loop does not evaluate a cycle in which nothing can change: while the engine's
// `waiting` output is high, no register access is due and no AXI response is due yet, it
// jumps to the edge where the next one is (rtl/README.md explains why that is exact); when
// nothing at all is owed it returns Stop::Idle and the caller stops clocking until a
// register access is posted. Bursts go to Client::transport (the TLM side), interrupt
// level changes to Client::irq_changed; both are called from inside run() and may block
// the calling SystemC thread (that is how the bridge synchronises).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bridge/AxiBurst.h"
#include "bridge/AxiLiteAccess.h"
#include "bridge/ClockDomain.h"

namespace staleline {

struct RtlCoreStats {
    uint64_t cycles_evaluated = 0;  // clock cycles the model was evaluated for
    uint64_t evals = 0;             // eval() calls: one per evaluated cycle, two with a VCD open
    bool one_eval_per_cycle = false;  // the generated model allows it (see RtlCore.cpp)
    uint64_t cycles_waiting = 0;    // skipped: engine waiting for an AXI response that was not due
    uint64_t cycles_idle = 0;       // skipped: engine idle (nothing owed, nothing to do)
    uint64_t reg_reads = 0, reg_writes = 0;
    uint64_t read_bursts = 0, write_bursts = 0;
    uint64_t read_beats = 0, write_beats = 0;
    uint64_t error_responses = 0;   // bursts answered SLVERR/DECERR
    uint64_t unsupported_bursts = 0;
    uint64_t wlast_errors = 0;
    uint64_t irq_edges = 0;         // changes of the irq pin
};

class RtlCore final : public AxiLiteAccessQueue {
public:
    class Client {
    public:
        virtual ~Client() = default;
        // One AXI4 burst of the engine's master port, handed over at edge `cycle`. Reads fill
        // b.data; both set b.resp. Returns the first edge at which the response may start.
        virtual uint64_t transport(AxiBurst& b, uint64_t cycle) = 0;
        // The irq pin changed to `level` at edge `cycle`.
        virtual void irq_changed(bool level, uint64_t cycle) = 0;
    };

    enum class Stop { Until, Idle };

    RtlCore(Client& client, const ClockDomain& clock);
    ~RtlCore() override;
    RtlCore(const RtlCore&) = delete;
    RtlCore& operator=(const RtlCore&) = delete;

    // rst_n low for `cycles` evaluated clocks; the AXI side drops anything in flight and a
    // register access under way completes with SLVERR.
    void reset(unsigned cycles);
    // Run from cycle() up to edge `until` (exclusive), or until the engine is idle with nothing
    // owed and no register access queued (Stop::Idle; cycle() is then where it went idle).
    Stop run(uint64_t until);
    // Advance the clock to `cycle` without evaluating it: only while idle (run() said so and
    // nothing was posted since that is due earlier). Counted as idle cycles.
    void jump_to(uint64_t cycle);

    void post(AxiLiteAccess* access) override;
    bool access_queued() const;

    // MSI capability inputs (from PCI config space). Re-evaluates the model if they changed.
    void set_msi(bool enable, uint64_t addr, uint32_t data);

    uint64_t cycle() const;   // next edge to process
    bool idle() const;        // `idle` output and nothing owed on the bus
    bool irq() const;

    // Waveform of every evaluated cycle (two time steps per cycle, times in ps). Cycles that
    // are skipped leave the signals as they are, which is what they are. Throws
    // std::runtime_error if the file cannot be written.
    void start_vcd(const std::string& path);
    void stop_vcd();
    bool vcd_open() const;

    RtlCoreStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace staleline
