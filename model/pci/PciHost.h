// PciHost: the PCI host bridge and bus 0. CPU-side accesses to the ECAM window become
// config-space accesses; accesses to a memory BAR window are routed to that device's register
// socket, tagged with the BAR's index (BarIndex) and addressed by the offset in the BAR. Device-initiated (upstream) transactions get their requester id, are refused
// when bus mastering is off, are decoded as MSI messages when they hit the MSI window,
// and otherwise go on to the IOMMU. Legacy INTx lines go to the interrupt controller.
// The MSI-X table and pending-bit array of a function are served here, not by the device:
// they are a standard structure, and the host sends a pending message when it is unmasked.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "config/Config.h"
#include "irq/IrqController.h"
#include "pci/PciConfigSpace.h"
#include "trace/TraceEvent.h"
#include "common/StatsSink.h"

namespace staleline {

// A device transaction the host bridge refused (bus mastering off).
struct PciMasterAbort {
    uint16_t requester;
    uint64_t address;
    bool is_write;
    sc_core::sc_time time;
};

struct PciStats {
    uint64_t config_reads = 0, config_writes = 0;
    uint64_t mmio_reads = 0, mmio_writes = 0, mmio_unclaimed = 0;
    uint64_t upstream_reads = 0, upstream_writes = 0, upstream_bytes = 0;
    uint64_t msi_messages = 0, bus_master_refusals = 0;
};

class PciHost : public sc_core::sc_module {
public:
    // Fixed physical address map of the PCI side (documented in docs/models-pci.md).
    static constexpr uint64_t kEcamBase = 0xd0000000ULL, kEcamSize = 1ULL << 20;  // bus 0
    static constexpr uint64_t kMmioBase = 0xe0000000ULL, kMmioSize = 0x10000000ULL;
    // I/O BARs get port addresses from here; the platform decodes no I/O space.
    static constexpr uint64_t kIoBase = 0x1000ULL;
    static constexpr unsigned kMaxSlots = 32;
    static constexpr unsigned kIntxVectorBase = 16;  // INTx of slot s -> vector 16 + s (the "interrupt line")
    static constexpr unsigned kMsiVectorBase = 64;   // firmware-assigned MSI data: 64 + slot
    // MSI-X vectors: 96..255, handed out at add_device in slot order, table size each.
    static constexpr unsigned kMsixVectorBase = 96, kMsixVectorEnd = 256;

    // What a device that signals an MSI-X entry does (msix_signal).
    enum class MsixAction { Off, Pending, Send };

    tlm_utils::simple_target_socket<PciHost> cpu_socket;                    // ECAM + BAR windows
    // Zero or more devices: a platform without PCI functions still elaborates.
    tlm_utils::multi_passthrough_initiator_socket<PciHost, 32, tlm::tlm_base_protocol_types, 0, sc_core::SC_ZERO_OR_MORE_BOUND> bar_socket;  // to device registers, slot order
    tlm_utils::multi_passthrough_target_socket<PciHost, 32, tlm::tlm_base_protocol_types, 0, sc_core::SC_ZERO_OR_MORE_BOUND> upstream_socket;  // from device masters, slot order
    tlm_utils::simple_initiator_socket<PciHost> iommu_socket;               // upstream traffic, onwards

    PciHost(sc_core::sc_module_name name, const Config& cfg, IrqController& irq);

    // Register a device before binding its sockets (slot = registration order). Its
    // requester id is bus 0, device `slot`, function 0.
    unsigned add_device(const PciDeviceInfo& info);
    unsigned device_count() const { return (unsigned)slots_.size(); }
    PciConfigSpace& config_space(unsigned slot) { return slots_.at(slot)->cfg; }
    // Untimed config access (firmware, debugger, tests); an absent function reads all ones.
    uint32_t config_read(unsigned slot, unsigned offset, unsigned size) const;
    void config_write(unsigned slot, unsigned offset, unsigned size, uint32_t value);
    static uint16_t requester_id(unsigned slot) { return (uint16_t)(slot << 3); }

    // What firmware does at boot: size and place every BAR in the MMIO window and give
    // each device an interrupt line, through ordinary config accesses.
    void assign_resources();

    // A device's legacy interrupt line.
    void set_intx(unsigned slot, bool level);

    // The first of the slot's MSI-X vectors on the interrupt controller (entry i: + i).
    unsigned msix_vector_base(unsigned slot) const { return slots_.at(slot)->msix_base; }
    // A device signals MSI-X entry `vector`: Send with the entry's address and data (the
    // device then writes them upstream), Pending when the function or the entry is masked
    // (the pending bit is set), Off when MSI-X is disabled or there is no such entry.
    MsixAction msix_signal(unsigned slot, unsigned vector, uint64_t* addr, uint32_t* data);

    // Push a transaction upstream as if device `rid` issued it (tests and tools); a rid
    // that names no slot skips the bus-master check.
    void upstream_transport(uint16_t rid, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

    const std::vector<PciMasterAbort>& master_aborts() const { return aborts_; }
    void set_master_abort_listener(std::function<void(const PciMasterAbort&)> fn) { abort_listener_ = std::move(fn); }
    const PciStats& stats() const { return stats_; }
    void write_stats(StatsSink::Group& g) const;
    sc_core::sc_time hop_latency() const { return hop_; }
    // Publish every upstream burst and interrupt of the devices on ch (the platform's trace
    // channel), on tracks named after each slot's device (names[slot]).
    void set_trace(TraceEvents* ch, const std::vector<std::string>& names);

private:
    struct Slot {
        explicit Slot(const PciDeviceInfo& i) : cfg(i) {}
        PciConfigSpace cfg;
        bool intx = false;
        unsigned msix_base = 0;
    };
    void cpu_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned cpu_transport_dbg(tlm::tlm_generic_payload& trans);
    void upstream_b_transport(int slot, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned upstream_transport_dbg(int slot, tlm::tlm_generic_payload& trans);
    void config_access(tlm::tlm_generic_payload& trans);
    // The slot (or -1) and the memory BAR whose window holds addr.
    int slot_for_bar(uint64_t addr, unsigned* bar) const;
    void update_intx(unsigned slot);
    void forward_upstream(uint16_t rid, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    void msix_access(unsigned slot, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    // Send the messages held pending whose entries are now unmasked, as the function's writes.
    void deliver_msix_pending(unsigned slot, sc_core::sc_time delay);

    IrqController& irq_;
    sc_core::sc_time hop_;
    uint64_t msi_base_;
    unsigned next_msix_vector_ = kMsixVectorBase;
    std::vector<std::unique_ptr<Slot>> slots_;
    std::vector<PciMasterAbort> aborts_;
    std::function<void(const PciMasterAbort&)> abort_listener_;
    PciStats stats_;
    // Tracing (set_trace): the channel and per slot its track names.
    TraceEvents* trace_ = nullptr;
    std::vector<std::array<std::string, 5>> trace_tracks_;  // read, write, irq, read stalls, write stalls
    // start/end: the burst from issue to completion; asked/answered: its request at the IOMMU
    // and the answer (translation and memory), for the stall span inside it.
    void trace_burst(uint16_t rid, const tlm::tlm_generic_payload& trans, const sc_core::sc_time& start,
                     const sc_core::sc_time& end, const sc_core::sc_time& asked, const sc_core::sc_time& answered);
    void trace_irq(unsigned slot, const char* how, unsigned vector, const sc_core::sc_time& at);
};

}  // namespace staleline
