// ScratchDevice: a minimal PCI function for tests and tools: a BAR of plain registers
// (4 KiB of storage that reads back what was written) and a DMA master that issues
// upstream transactions on request. It exercises routing, probing, bus mastering and
// MSI without the RTL. The built-in device kind "scratch" (pci.scratch_device=true adds one).
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "device/DeviceKinds.h"
#include "device/PciDevice.h"

namespace staleline {

class ScratchDevice : public sc_core::sc_module, public PciDevice {
public:
    tlm_utils::simple_target_socket<ScratchDevice> regs;     // BAR0
    tlm_utils::simple_initiator_socket<ScratchDevice> dma;   // upstream

    static const sl_device_kind_t* device_kind();
    static std::unique_ptr<PciDevice> make(const DeviceContext& ctx);

    ScratchDevice(sc_core::sc_module_name name, uint64_t bar_size, unsigned slot);

    void bind(PciHost& host) override;
    void write_stats(StatsSink::Group&) const override {}  // nothing to report: a tool, not a model

    // Issue one upstream transaction from the calling simulated thread; returns the
    // TLM response status.
    tlm::tlm_response_status transfer(bool is_write, uint64_t addr, void* data, size_t len);

    uint64_t register_accesses() const { return accesses_; }

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    std::vector<uint8_t> storage_;
    uint64_t accesses_ = 0;
};

}  // namespace staleline
