// BehaviouralDevice: a PCI function whose model is C code against staleline/device.h (a
// device module with `ops`). The platform side of every sl_dev_* service:
//   - CPU register accesses reach ops->read/write with the index of the memory BAR they hit
//     (BarIndex), 1/2/4 bytes anywhere inside a dword or an aligned qword, at the time they arrive (the calling
//     thread synchronises first, so posted writes and reads keep PCIe order);
//   - scheduled callbacks run on the device's own SC_THREAD in time order; DMA from there is
//     a TLM transaction through the PCI host and the IOMMU that blocks that thread;
//   - INTx through the PCI host (not while MSI or MSI-X is enabled), MSI and MSI-X messages as
//     the device's memory writes;
//   - busy/idle published on the platform's DeviceActivity; named counters for statistics.
#pragma once

#include <cstdint>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "device/DeviceKinds.h"
#include "device/PciDevice.h"
#include "staleline/device.h"

namespace staleline {
class BehaviouralDevice;
}
// The opaque sl_dev_t of staleline/device.h.
struct sl_dev {
    staleline::BehaviouralDevice* self;
};

namespace staleline {

class BehaviouralDevice : public sc_core::sc_module, public PciDevice {
public:
    // Reads 8 ns per register access on top of the PCIe hops: a small device's decode.
    static constexpr unsigned kRegisterNs = 8;

    static std::unique_ptr<PciDevice> make(const DeviceContext& ctx);
    // `name`: the instance name (a parameter, so the module scope spans the constructor).
    BehaviouralDevice(sc_core::sc_module_name name, const DeviceContext& ctx);  // throws ConfigError (unknown key, create failed)
    ~BehaviouralDevice() override;

    void bind(PciHost& host) override;
    void write_stats(StatsSink::Group& g) const override;

    // ---- the services (staleline/device.h) ----
    uint64_t param(const char* key) const;
    uint64_t now_ns() const;
    void schedule(uint64_t delay_ns, void (*fn)(void*, void*), void* arg);
    void wait_ns(uint64_t ns);
    sl_dma_status_t dma(bool is_write, uint64_t addr, void* buf, size_t len, int purpose = SL_DMA_FOR_DATA);
    void set_irq(bool level);
    bool msi();
    bool msi_enabled() const;
    bool msix(unsigned vector);
    bool msix_enabled() const;
    void set_busy(bool busy);
    void count(const char* name, uint64_t delta);
    void fail(const char* why) { failure_ = why ? why : "unknown reason"; }

private:
    SC_HAS_PROCESS(BehaviouralDevice);
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    // A register access the model can take: what a PCIe request with byte enables carries.
    static bool lane_access(uint64_t offset, unsigned len);
    unsigned transport_dbg(tlm::tlm_generic_payload&) { return 0; }  // registers have side effects
    void worker();
    bool on_worker() const;

    struct Timed {
        sc_core::sc_time due;
        uint64_t seq;
        void (*fn)(void*, void*);
        void* arg;
        bool operator>(const Timed& o) const { return due != o.due ? due > o.due : seq > o.seq; }
    };

    tlm_utils::simple_target_socket<BehaviouralDevice> regs_;
    tlm_utils::simple_initiator_socket<BehaviouralDevice> dma_;
    const sl_device_kind_t& desc_;
    PciHost& pci_;
    DeviceActivity& activity_;
    uint16_t rid_;
    sl_dev handle_;
    void* model_ = nullptr;
    std::string failure_;
    std::map<std::string, uint64_t> params_;
    std::priority_queue<Timed, std::vector<Timed>, std::greater<Timed>> timed_;
    uint64_t seq_ = 0;
    sc_core::sc_event wake_;
    sc_core::sc_process_handle worker_;
    bool irq_ = false, busy_ = false;
    // Statistics: the host's own, then the model's named counters.
    uint64_t reg_reads_ = 0, reg_writes_ = 0, dma_reads_ = 0, dma_writes_ = 0;
    uint64_t dma_bytes_read_ = 0, dma_bytes_written_ = 0, dma_errors_ = 0, msi_messages_ = 0;
    std::map<std::string, uint64_t> counters_;
};

}  // namespace staleline
