// DmaEngineDevice: the DMA engine RTL (rtl/dma_engine.v, Verilated) as a PCI function.
// It owns the model (through RtlCore) and both bridges:
//   regs_socket()  BAR0 (4 KiB) target -> AxiLiteTargetBridge -> AXI4-Lite slave pins
//   dma_socket()   AXI4 master pins -> Axi4InitiatorBridge -> upstream initiator (PCI host)
// and runs the RTL clock in one SC_THREAD with temporal decoupling: the loop runs the
// model ahead of the kernel up to the quantum boundary (sim.quantum_ns, through a
// tlm_quantumkeeper) and synchronises there, before each interrupt edge and before an MSI
// write. While the engine only waits for a memory response it does not evaluate cycles
// (it jumps to the edge the response is due); while it is idle it does not run at all:
// it waits on the register bridge's event and, on the next register access, jumps the
// clock to that time. The legacy interrupt goes to PciHost::set_intx(slot); an MSI is the
// engine's own AXI write to the address in its MSI capability, which the PCI host
// decodes. msi_enable/msi_addr/msi_data are driven from the function's config space.
//
// Timing: rtl.clock_mhz. An AXI response starts at the first edge at or after the time
// the TLM target's annotated delay says (PCIe hops, IOMMU, DRAM), then one beat per clock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "bridge/Axi4InitiatorBridge.h"
#include "bridge/AxiLiteTargetBridge.h"
#include "bridge/ClockDomain.h"
#include "bridge/RtlCore.h"
#include "config/Config.h"
#include "pci/PciConfigSpace.h"

namespace staleline {

class PciHost;

struct DmaEngineStats {
    uint64_t cycles = 0;             // RTL clock edges since time 0 (simulated time / period)
    uint64_t cycles_evaluated = 0;   // of which the model was evaluated
    uint64_t evals = 0;              // eval() calls (1 per evaluated cycle, 2 with a VCD open)
    uint64_t cycles_waiting = 0;     // skipped while waiting for a response not yet due
    uint64_t cycles_idle = 0;        // skipped while idle
    uint64_t reg_reads = 0, reg_writes = 0;
    uint64_t read_bursts = 0, write_bursts = 0;
    uint64_t bytes_read = 0, bytes_written = 0;
    uint64_t error_responses = 0;    // bursts answered SLVERR/DECERR
    uint64_t msi_writes = 0;
    uint64_t irq_edges = 0;          // legacy interrupt line changes
    uint64_t quantum_syncs = 0;      // waits at a quantum boundary
    uint64_t idle_sleeps = 0;        // times the clock stopped because the engine was idle
};

class DmaEngineDevice : public sc_core::sc_module, private RtlCore::Client {
public:
    // The PCI identity driver/dmac/dmac-hw.h expects, BAR0 4 KiB, MSI, INTA.
    static PciDeviceInfo pci_info();

    // `slot`: the function's PCI slot in `pci` (PciHost::add_device(pci_info()) first).
    DmaEngineDevice(sc_core::sc_module_name name, const Config& cfg, PciHost& pci, unsigned slot);
    ~DmaEngineDevice() override;

    tlm_utils::simple_target_socket<AxiLiteTargetBridge>& regs_socket() { return regs_.socket; }
    tlm_utils::simple_initiator_socket<Axi4InitiatorBridge>& dma_socket() { return dma_.socket; }

    unsigned slot() const { return slot_; }
    const ClockDomain& clock() const { return clock_; }

    // Dump the RTL signals of every evaluated cycle to a VCD file from now on (GTKWave).
    // Throws std::runtime_error if the file cannot be written. stop_vcd() closes it.
    void start_vcd(const std::string& path);
    void stop_vcd();
    bool vcd_open() const;

    DmaEngineStats stats() const;

private:
    SC_HAS_PROCESS(DmaEngineDevice);
    void clock_loop();
    void drive_msi();
    void sync_to(uint64_t cycle);   // wait until the time of edge `cycle` (if ahead)
    sc_core::sc_time ahead() const; // how far the model is ahead of the kernel
    // Tell the coherency checker (if any) that the engine started or stopped working: busy
    // from its first DMA access after idle, idle when the clock loop stops for lack of work.
    void report_busy(bool busy);

    // RtlCore::Client
    uint64_t transport(AxiBurst& b, uint64_t cycle) override;
    void irq_changed(bool level, uint64_t cycle) override;

    // A quantum keeper whose next sync point the clock loop can turn into an edge number.
    class QuantumKeeper : public tlm_utils::tlm_quantumkeeper {
    public:
        sc_core::sc_time next_sync_point() const { return m_next_sync_point; }
    };

    ClockDomain clock_;
    PciHost& pci_;
    unsigned slot_;
    std::unique_ptr<RtlCore> core_;
    AxiLiteTargetBridge regs_;
    Axi4InitiatorBridge dma_;
    QuantumKeeper qk_;
    bool msi_on_ = false;
    uint64_t msi_addr_ = 0;
    uint64_t msi_writes_ = 0, quantum_syncs_ = 0, idle_sleeps_ = 0;
    bool busy_reported_ = false;
};

}  // namespace staleline
