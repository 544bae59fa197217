// PciFunction: the simulated PCI bus driver's view of one PCI slot, and the pci_protocol_t a
// driver gets from its parent device. Configuration accesses go through the ECAM window
// (timed, like a real config cycle); BARs are mapped as BAR VMOs; the function's BTI carries
// its requester id; interrupt objects sit on the IrqController vector of the current mode
// (MSI: the vector the shim programs into the MSI capability, PciHost::kMsiVectorBase + slot;
// MSI-X: entry i's data, PciHost::msix_vector_base(slot) + i, programmed into the table in BAR0;
// legacy: the function's INTx line from the interrupt line register).
//
// IRQ modes, their numbers and every status code follow one Fuchsia generation: the late-2018
// DDK, whose PCI protocol the devhost proxy forwards to the kernel's PCIe driver (kpci/proxy.c,
// kernel/object/pci_device_dispatcher.cpp, kernel/dev/pcie/pcie_irqs.cpp). docs/api-coverage.md
// lists each code with its source.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ddk/protocol/pci.h>

namespace staleline::zx {

class Bti;
class Interrupt;
class ShimRuntime;

class PciFunction {
public:
    PciFunction(ShimRuntime& rt, unsigned slot);
    // The bus driver lets go of the function's BTI (see Bti::release_by_bus).
    ~PciFunction();
    PciFunction(const PciFunction&) = delete;
    PciFunction& operator=(const PciFunction&) = delete;

    unsigned slot() const { return slot_; }
    uint16_t requester() const { return rid_; }
    // The protocol a driver gets with device_get_protocol(parent, ZX_PROTOCOL_PCI, ...).
    pci_protocol_t protocol() { return {&ops_, this}; }
    static pci_protocol_ops_t* ops() { return &ops_; }
    // The function's BTI (one per function, created on first use).
    std::shared_ptr<Bti> bti();
    zx_pci_irq_mode_t irq_mode() const { return irq_mode_; }

    // ---- the protocol methods (status codes as documented in ddk/protocol/pci.h) ----
    zx_status_t get_bar(uint32_t bar_id, zx_pci_bar_t* out);
    // pc: return address of the driver's call (a cacheable policy is reported there).
    zx_status_t map_bar(uint32_t bar_id, uint32_t cache_policy, void** vaddr, size_t* size, zx_handle_t* out_handle,
                        const void* pc);
    // pc: return address of the driver's call (the last enabling call is named when release
    // leaves bus mastering on).
    zx_status_t enable_bus_master(bool enable, const void* pc = nullptr);
    // Where the driver last turned bus mastering on (a return address), or nullptr.
    const void* bus_master_enabled_at() const { return bus_master_pc_; }
    zx_status_t reset_device();
    zx_status_t map_interrupt(int32_t which_irq, zx_handle_t* out);
    zx_status_t query_irq_mode(zx_pci_irq_mode_t mode, uint32_t* out_max);
    zx_status_t set_irq_mode(zx_pci_irq_mode_t mode, uint32_t count);
    zx_status_t get_device_info(zx_pcie_device_info_t* out);
    zx_status_t config_read(uint16_t offset, size_t width, uint32_t* out);
    zx_status_t config_write(uint16_t offset, size_t width, uint32_t value);
    uint8_t get_next_capability(uint8_t type, uint8_t offset);
    zx_status_t get_bti(uint32_t index, zx_handle_t* out);

    // Timed configuration access through ECAM, charged to the calling thread.
    uint32_t cfg_read(unsigned offset, unsigned width);
    void cfg_write(unsigned offset, unsigned width, uint32_t value);

private:
    // How many vectors a mode offers (0: not supported).
    uint32_t vectors(zx_pci_irq_mode_t mode) const;
    // Programs the function for mode (MSI capability, MSI-X capability and table with `count`
    // entries, INTx disable) and drops the handlers of the interrupts of the mode it leaves.
    void enter_mode(zx_pci_irq_mode_t mode, uint32_t count = 0);
    // Timed MMIO dword write to BAR0 (the MSI-X table).
    void bar_write32(uint64_t offset, uint32_t value);
    // A BAR VMO of memory BAR bar_id (memory decoding turned on).
    zx_status_t new_bar_vmo(uint32_t bar_id, zx_handle_t* out, size_t* size);
    // ZX_ERR_NOT_FOUND for a BAR the device lacks, logged with the device and its BARs.
    zx_status_t missing_bar(const char* call, uint32_t bar_id);
    std::string describe_bars() const;  // "BAR0 I/O of 256 bytes, BAR2 64-bit memory of 4096 bytes"
    std::string name() const;           // "PCI slot 0 (rtl8168)"

    static pci_protocol_ops_t ops_;
    const void* bus_master_pc_ = nullptr;
    ShimRuntime& rt_;
    unsigned slot_;
    uint16_t rid_;
    std::shared_ptr<Bti> bti_;
    zx_pci_irq_mode_t irq_mode_ = ZX_PCIE_IRQ_MODE_DISABLED;
    // Vectors pci_map_interrupt accepts: the count of the last successful pci_set_irq_mode (the
    // kernel's irqs_avail_cnt_, kept when a later mode change fails).
    uint32_t irq_count_ = 0;
    // The interrupt registered on each vector of the current mode (a new pci_map_interrupt of
    // the same vector replaces it, as the kernel's handler table does).
    std::vector<std::weak_ptr<Interrupt>> interrupts_;
};

}  // namespace staleline::zx
