// RtlModel: a Verilated device behind a small interface without SystemC or Verilator types,
// so SystemC code can drive it (the two sets of headers do not mix: rtl/README.md), and so a
// device module built by staleline_add_device() can hand its model to the platform across a
// shared-object boundary. RtlCoreT<Top> (RtlCoreT.h) implements it for any Verilated top that
// meets the port contract of docs/devices.md. It owns the VerilatedContext, the model and its
// waveform writer, and runs the clock loop: per evaluated cycle the AXI4-Lite pin master and
// the AXI4 pin slave drive the inputs with the clock low, handshakes are sampled, then the
// rising edge.
//
// The loop does not evaluate a cycle in which nothing can change: while the device's optional
// `waiting` output is high, no register access is due and no AXI response is due yet, it
// jumps to the edge where the next one is (rtl/README.md explains why that is exact); when
// nothing at all is owed and its optional `idle` output is high it returns Stop::Idle and the
// caller stops clocking until a register access is posted. Bursts go to Client::transport
// (the TLM side), interrupt level changes to Client::irq_changed; both are called from inside
// run() and may block the calling SystemC thread (that is how the bridge synchronises).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bridge/AxiBurst.h"
#include "bridge/AxiLiteAccess.h"
#include "bridge/ClockDomain.h"

namespace staleline {

struct RtlCoreStats {
    uint64_t cycles_evaluated = 0;  // clock cycles the model was evaluated for
    uint64_t evals = 0;             // eval() calls: one per evaluated cycle, two with a VCD open
    bool one_eval_per_cycle = false;  // the generated model allows it (see RtlCoreT.h)
    uint64_t cycles_waiting = 0;    // skipped: device waiting for an AXI response that was not due
    uint64_t cycles_idle = 0;       // skipped: device idle (nothing owed, nothing to do)
    uint64_t reg_reads = 0, reg_writes = 0;
    uint64_t read_bursts = 0, write_bursts = 0;
    uint64_t read_beats = 0, write_beats = 0;
    uint64_t error_responses = 0;   // bursts answered SLVERR/DECERR
    uint64_t unsupported_bursts = 0;
    uint64_t wlast_errors = 0;
    uint64_t irq_edges = 0;         // changes of the irq pin
};

// What the device's top offers beyond the mandatory ports (docs/devices.md).
struct RtlPorts {
    bool idle = false;     // `idle` hint
    bool waiting = false;  // `waiting` hint
    bool msi = false;      // msi_enable/msi_addr/msi_data: the device writes its own MSIs
};

// Where a waveform goes when the host writes the file itself (start_wave): the Verilated VCD
// tracer's text, as it is produced. The host keeps it, or converts it (FST: WaveWriter.h).
class WaveSink {
public:
    virtual ~WaveSink() = default;
    virtual void write(const char* data, size_t len) = 0;
};

// A span of simulated time to record, in ps, both ends included.
struct WaveWindow {
    uint64_t from_ps = 0;
    uint64_t to_ps = UINT64_MAX;
};

class RtlModel : public AxiLiteAccessQueue {
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

    RtlModel() = default;
    ~RtlModel() override = default;
    RtlModel(const RtlModel&) = delete;
    RtlModel& operator=(const RtlModel&) = delete;

    virtual RtlPorts ports() const = 0;

    // rst_n low for `cycles` evaluated clocks; the AXI side drops anything in flight and a
    // register access under way completes with SLVERR.
    virtual void reset(unsigned cycles) = 0;
    // Run from cycle() up to edge `until` (exclusive), or until the engine is idle with nothing
    // owed and no register access queued (Stop::Idle; cycle() is then where it went idle).
    virtual Stop run(uint64_t until) = 0;
    // Advance the clock to `cycle` without evaluating it: only while idle (run() said so and
    // nothing was posted since that is due earlier). Counted as idle cycles.
    virtual void jump_to(uint64_t cycle) = 0;

    void post(AxiLiteAccess* access) override = 0;
    virtual bool access_queued() const = 0;

    // MSI capability inputs (from PCI config space). Re-evaluates the model if they changed.
    virtual void set_msi(bool enable, uint64_t addr, uint32_t data) = 0;

    virtual uint64_t cycle() const = 0;   // next edge to process
    virtual bool idle() const = 0;        // `idle` output and nothing owed on the bus
    virtual bool irq() const = 0;

    // Waveform of every evaluated cycle (two time steps per cycle, times in ps). Cycles that
    // are skipped leave the signals as they are, which is what they are. Throws
    // std::runtime_error if the file cannot be written.
    virtual void start_vcd(const std::string& path) = 0;
    virtual void stop_vcd() = 0;
    virtual bool vcd_open() const = 0;
    // The same waveform (VCD text) into `sink` instead of a file, dumped only at times inside
    // one of `windows` (sorted, disjoint; empty: the whole run). Signals keep the values of the
    // last dumped time step until the next window starts. stop_vcd() ends it; `sink` must
    // outlive that.
    virtual void start_wave(WaveSink* sink, const std::vector<WaveWindow>& windows) = 0;

    virtual RtlCoreStats stats() const = 0;
};

// How a device module hands out its model: create() builds one for `client`, clocked by
// `clock`, decoding `bar0_size` bytes of registers. abi guards against a module built with other bridge headers.
struct RtlFactory {
    static constexpr uint32_t kAbi = 3;  // 2: start_wave; 3: AxiBurst::purpose
    uint32_t abi = kAbi;
    RtlModel* (*create)(RtlModel::Client& client, const ClockDomain& clock, uint32_t bar0_size);
};

}  // namespace staleline
