// RtlPciDevice: a Verilated device (any top meeting the port contract of docs/devices.md,
// behind an RtlModel) as a PCI function. It owns the model and both bridges:
//   regs  BAR0 target -> AxiLiteTargetBridge -> AXI4-Lite slave pins
//   dma   AXI4 master pins -> Axi4InitiatorBridge -> upstream initiator (PCI host)
// and runs the RTL clock in one SC_THREAD with temporal decoupling: the loop runs the
// model ahead of the kernel up to the quantum boundary (sim.quantum_ns, through a
// tlm_quantumkeeper) and synchronises there, before each interrupt edge and before an MSI
// write. While the device only waits for a memory response it does not evaluate cycles
// (it jumps to the edge the response is due: the `waiting` hint); while it is idle (`idle`)
// it does not run at all: it waits on the register bridge's event and, on the next register
// access, jumps the clock to that time.
//
// Interrupts: a device with msi_* ports (the DMA engine) writes its own MSIs, and its `irq`
// is the INTx line. Any other device's `irq` is INTx while MSI is off, and with MSI enabled
// each rising edge becomes one MSI message, written upstream by the bridge.
//
// Timing: the device clock. An AXI response starts at the first edge at or after the time
// the TLM target's annotated delay says (PCIe hops, IOMMU, DRAM), then one beat per clock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "bridge/Axi4InitiatorBridge.h"
#include "bridge/AxiLiteTargetBridge.h"
#include "bridge/ClockDomain.h"
#include "bridge/RtlModel.h"
#include "bridge/WaveWriter.h"
#include "device/DeviceKinds.h"
#include "device/PciDevice.h"

namespace staleline {

class DeviceActivity;
class PciHost;

struct RtlDeviceStats {
    uint64_t cycles = 0;             // clock edges since time 0 (simulated time / period)
    uint64_t cycles_evaluated = 0;   // of which the model was evaluated
    uint64_t evals = 0;              // eval() calls (1 per evaluated cycle, 2 with a VCD open)
    uint64_t cycles_waiting = 0;     // skipped while waiting for a response not yet due
    uint64_t cycles_idle = 0;        // skipped while idle
    uint64_t reg_reads = 0, reg_writes = 0;
    uint64_t read_bursts = 0, write_bursts = 0;
    uint64_t bytes_read = 0, bytes_written = 0;
    uint64_t error_responses = 0;    // bursts answered SLVERR/DECERR
    uint64_t msi_writes = 0;
    uint64_t irq_edges = 0;          // interrupt line changes
    uint64_t quantum_syncs = 0;      // waits at a quantum boundary
    uint64_t idle_sleeps = 0;        // times the clock stopped because the device was idle
};

class RtlPciDevice : public sc_core::sc_module, public PciDevice, private RtlModel::Client {
public:
    // The RTL form's DeviceMaker: the kind's RtlFactory, clock from the kind, the spec
    // (clock_mhz=) or rtl.clock_mhz.
    static std::unique_ptr<PciDevice> make(const DeviceContext& ctx);

    // `name`: the instance name (a parameter, so the module scope spans the constructor).
    RtlPciDevice(sc_core::sc_module_name name, const DeviceContext& ctx, const RtlFactory& factory, uint64_t clock_mhz);
    ~RtlPciDevice() override;

    void bind(PciHost& host) override;
    void write_stats(StatsSink::Group& g) const override;
    bool free_running() const override { return !ports_.idle; }

    const ClockDomain& clock() const { return clock_; }

    // Dump the RTL signals of every evaluated cycle to a VCD file from now on (GTKWave).
    // Throws std::runtime_error if the file cannot be written. stop_vcd() closes it.
    bool has_waveform() const override { return true; }
    void start_vcd(const std::string& path) override;
    void stop_vcd() override;
    bool vcd_open() const override;
    // `staleline run --wave`: the waveform into FILE as FST (FILE.fst) or VCD, dumped only
    // inside `windows` (sorted, disjoint; empty: all). Throws std::runtime_error if the file
    // cannot be written. finish_wave() stops it and completes the file (throws if a write
    // failed); the signal names stay available.
    void start_wave(const std::string& path, const std::vector<WaveWindow>& windows);
    void finish_wave();
    const std::vector<std::string>& wave_signals() const { return wave_signals_; }

    RtlDeviceStats stats() const;

private:
    SC_HAS_PROCESS(RtlPciDevice);
    void clock_loop();
    void drive_msi();
    void sync_to(uint64_t cycle);   // wait until the time of edge `cycle` (if ahead)
    sc_core::sc_time ahead() const; // how far the model is ahead of the kernel
    // Busy from the device's first DMA access after idle, idle when the clock loop stops for
    // lack of work: published on the platform's DeviceActivity.
    void report_busy(bool busy);

    // RtlModel::Client
    uint64_t transport(AxiBurst& b, uint64_t cycle) override;
    void irq_changed(bool level, uint64_t cycle) override;

    // A quantum keeper whose next sync point the clock loop can turn into an edge number.
    class QuantumKeeper : public tlm_utils::tlm_quantumkeeper {
    public:
        sc_core::sc_time next_sync_point() const { return m_next_sync_point; }
    };

    ClockDomain clock_;
    PciHost& pci_;
    DeviceActivity& activity_;
    std::unique_ptr<WaveWriter> wave_;  // before core_: the model's tracer writes into it
    std::vector<std::string> wave_signals_;
    std::unique_ptr<RtlModel> core_;
    RtlPorts ports_;
    AxiLiteTargetBridge regs_;
    Axi4InitiatorBridge dma_;
    QuantumKeeper qk_;
    bool msi_on_ = false;
    uint64_t msi_addr_ = 0;
    uint32_t msi_data_ = 0;
    std::unique_ptr<AxiBurst> msi_burst_;  // the bridge's own MSI writes (devices without msi_* ports)
    uint64_t msi_writes_ = 0, quantum_syncs_ = 0, idle_sleeps_ = 0;
    bool busy_reported_ = false;
};

}  // namespace staleline
