#include "PciFunction.h"

#include <cstdio>
#include <cstring>

#include "Bti.h"
#include "HandleTable.h"
#include "Interrupt.h"
#include "RootVmar.h"
#include "ShimRuntime.h"
#include "SimThread.h"
#include "checker/SourceLocator.h"
#include "Vmo.h"

namespace staleline::zx {

using sc_core::sc_time;

namespace {
// MSI capability layout of PciConfigSpace (64-bit address, no per-vector masking).
constexpr unsigned kMsiControl = 0x52, kMsiAddrLo = 0x54, kMsiAddrHi = 0x58, kMsiData = 0x5c;
constexpr uint16_t kCmdMemory = 1u << 1, kCmdBusMaster = 1u << 2, kCmdIntxDisable = 1u << 10;

PciFunction* self(void* ctx) { return static_cast<PciFunction*>(ctx); }

// A plain function, not a lambda, so that its caller is the driver's code: the inline
// pci_map_bar wrapper, inlined into the driver or (unoptimised) a function of its own, whose
// caller is then the driver's line (driver_call_site).
zx_status_t op_map_bar(void* c, uint32_t id, uint32_t policy, void** vaddr, size_t* size, zx_handle_t* h) {
    const void* pc = __builtin_return_address(0);
    if (policy == ZX_CACHE_POLICY_CACHED) pc = driver_call_site(pc);  // only needed for the finding
    return self(c)->map_bar(id, policy, vaddr, size, h, pc);
}
// A named function, not a lambda: a lambda's pointer calls it through an invoker, so in an
// unoptimised build its return address would be the invoker's, not the driver's call.
zx_status_t op_enable_bus_master(void* c, bool enable) {
    const void* pc = __builtin_return_address(0);
    return self(c)->enable_bus_master(enable, enable ? driver_call_site(pc) : nullptr);
}
}  // namespace

pci_protocol_ops_t PciFunction::ops_ = {
    [](void* c, uint32_t id, zx_pci_bar_t* out) { return self(c)->get_bar(id, out); },
    op_map_bar,
    op_enable_bus_master,
    [](void* c) { return self(c)->reset_device(); },
    [](void* c, int32_t which, zx_handle_t* out) { return self(c)->map_interrupt(which, out); },
    [](void* c, zx_pci_irq_mode_t mode, uint32_t* out) { return self(c)->query_irq_mode(mode, out); },
    [](void* c, zx_pci_irq_mode_t mode, uint32_t n) { return self(c)->set_irq_mode(mode, n); },
    [](void* c, zx_pcie_device_info_t* out) { return self(c)->get_device_info(out); },
    [](void* c, uint16_t off, size_t w, uint32_t* out) { return self(c)->config_read(off, w, out); },
    [](void* c, uint16_t off, size_t w, uint32_t v) { return self(c)->config_write(off, w, v); },
    [](void* c, uint8_t type, uint8_t off) { return self(c)->get_next_capability(type, off); },
    [](void* c, const char*, void*, size_t, size_t*) -> zx_status_t {
        ShimRuntime::get()->enter_call();
        return ZX_ERR_NOT_SUPPORTED;  // no ACPI in the simulated platform
    },
    [](void* c, uint32_t index, zx_handle_t* out) { return self(c)->get_bti(index, out); },
};

PciFunction::PciFunction(ShimRuntime& rt, unsigned slot) : rt_(rt), slot_(slot), rid_(PciHost::requester_id(slot)) {}

PciFunction::~PciFunction() {
    if (bti_) bti_->release_by_bus();
}

std::shared_ptr<Bti> PciFunction::bti() {
    if (!bti_) bti_ = std::make_shared<Bti>(rt_, slot_, rid_);
    return bti_;
}

uint32_t PciFunction::cfg_read(unsigned offset, unsigned width) {
    uint32_t v = 0;
    sc_time d = sc_core::SC_ZERO_TIME;
    rt_.platform().cpu_transport(false, PciHost::kEcamBase | (uint64_t)slot_ << 15 | offset, &v, width, true, d);
    SimThread::current().charge(d);
    return v;
}

void PciFunction::cfg_write(unsigned offset, unsigned width, uint32_t value) {
    sc_time d = sc_core::SC_ZERO_TIME;
    rt_.platform().cpu_transport(true, PciHost::kEcamBase | (uint64_t)slot_ << 15 | offset, &value, width, true, d);
    SimThread::current().charge(d);
}

std::string PciFunction::describe_bars() const {
    const PciConfigSpace& cs = rt_.platform().pci().config_space(slot_);
    std::string out;
    for (unsigned i = 0; i < PciConfigSpace::kBarCount; ++i) {
        const PciBarType t = cs.bar_type(i);
        if (t == PciBarType::None) continue;
        out += (out.empty() ? "" : ", ") + std::string("BAR") + std::to_string(i) + " " +
               (t == PciBarType::Io ? "I/O" : t == PciBarType::Mem32 ? "32-bit memory" : "64-bit memory") + " of " +
               std::to_string(cs.bar_size(i)) + " bytes";
    }
    return out.empty() ? "no BARs" : out;
}

std::string PciFunction::name() const {
    std::string s = "PCI slot " + std::to_string(slot_);
    for (const auto& d : rt_.platform().devices())
        if (d->slot() == slot_) return s + " (" + d->instance() + ")";
    return s;
}

zx_status_t PciFunction::missing_bar(const char* call, uint32_t bar_id) {
    std::fprintf(rt_.log_file(), "staleline: %s(BAR%u) of %s: ZX_ERR_NOT_FOUND, the device does not implement BAR%u (it has %s)\n",
                 call, bar_id, name().c_str(), bar_id, describe_bars().c_str());
    return ZX_ERR_NOT_FOUND;
}

zx_status_t PciFunction::new_bar_vmo(uint32_t bar_id, zx_handle_t* out, size_t* size) {
    PciConfigSpace& cs = rt_.platform().pci().config_space(slot_);
    // The bus driver turns on memory decoding of a function whose BAR is handed out.
    uint16_t cmd = (uint16_t)cfg_read(PciConfigSpace::kCommand, 2);
    if (!(cmd & kCmdMemory)) cfg_write(PciConfigSpace::kCommand, 2, cmd | kCmdMemory);
    auto vmo = Vmo::create_mmio(rt_, slot_, cs.bar_size(bar_id), bar_id);
    if (!vmo) return ZX_ERR_NO_MEMORY;
    *size = cs.bar_size(bar_id);
    return HandleTable::current().add(vmo, ZX_DEFAULT_VMO_RIGHTS, out);
}

// sys_pci_get_bar (kernel/syscalls/ddk_pci.cpp, 2018): an index past the last BAR is
// ZX_ERR_INVALID_ARGS, a BAR of size 0 ZX_ERR_NOT_FOUND; a memory BAR comes back as a VMO
// handle, an I/O BAR as its port base and size (type ZX_PCI_BAR_TYPE_PIO, no handle).
zx_status_t PciFunction::get_bar(uint32_t bar_id, zx_pci_bar_t* out) {
    rt_.enter_call();
    if (!out || bar_id >= ZX_PCI_MAX_BAR_REGS) return ZX_ERR_INVALID_ARGS;
    const PciConfigSpace& cs = rt_.platform().pci().config_space(slot_);
    const PciBarType type = cs.bar_type(bar_id);
    if (type == PciBarType::None) return missing_bar("pci_get_bar", bar_id);
    std::memset(out, 0, sizeof *out);
    out->id = bar_id;
    out->size = cs.bar_size(bar_id);
    if (type == PciBarType::Io) {
        out->type = ZX_PCI_BAR_TYPE_PIO;
        out->addr = (uintptr_t)cs.bar_base(bar_id);
        return ZX_OK;
    }
    zx_handle_t h = ZX_HANDLE_INVALID;
    size_t size = 0;
    zx_status_t st = new_bar_vmo(bar_id, &h, &size);
    if (st != ZX_OK) return st;
    out->type = ZX_PCI_BAR_TYPE_MMIO;
    out->handle = h;
    return ZX_OK;
}

// The devhost proxy's pci_op_map_bar (kpci/proxy.c, 2018): argument checks, get_bar, then an
// I/O BAR (no VMO) is ZX_ERR_WRONG_TYPE.
zx_status_t PciFunction::map_bar(uint32_t bar_id, uint32_t cache_policy, void** vaddr, size_t* size,
                                 zx_handle_t* out_handle, const void* pc) {
    rt_.enter_call();
    if (!vaddr || !size || !out_handle) return ZX_ERR_INVALID_ARGS;
    if (bar_id >= ZX_PCI_MAX_BAR_REGS) return ZX_ERR_INVALID_ARGS;
    const PciBarType type = rt_.platform().pci().config_space(slot_).bar_type(bar_id);
    if (type == PciBarType::None) return missing_bar("pci_map_bar", bar_id);
    if (type == PciBarType::Io) {
        std::fprintf(rt_.log_file(),
                     "staleline: pci_map_bar(BAR%u) of %s: ZX_ERR_WRONG_TYPE, BAR%u is an I/O BAR (no memory to map; "
                     "the device has %s)\n",
                     bar_id, name().c_str(), bar_id, describe_bars().c_str());
        return ZX_ERR_WRONG_TYPE;
    }
    // zx_vmo_set_cache_policy's first check.
    if (cache_policy & ~ZX_CACHE_POLICY_MASK) return ZX_ERR_INVALID_ARGS;
    zx_handle_t h = ZX_HANDLE_INVALID;
    size_t bar_size = 0;
    zx_status_t st = new_bar_vmo(bar_id, &h, &bar_size);
    if (st != ZX_OK) return st;
    std::shared_ptr<Vmo> vmo;
    HandleTable::current().get_as<Vmo>(h, ZX_RIGHT_NONE, &vmo);
    sc_time d = sc_core::SC_ZERO_TIME;
    vmo->set_cache_policy(cache_policy, d);
    if (cache_policy == ZX_CACHE_POLICY_CACHED) {
        // Fuchsia maps it; on hardware the registers then sit behind the CPU cache (loads may
        // be stale, stores linger until cleaned). The BAR VMO now has a BarCache that does so.
        char msg[200];
        std::snprintf(msg, sizeof msg,
                      "pci_map_bar of BAR%u of PCI slot %u with ZX_CACHE_POLICY_CACHED: device registers behind the "
                      "CPU cache (loads may be stale, stores stay in the cache); map BARs "
                      "ZX_CACHE_POLICY_UNCACHED_DEVICE",
                      bar_id, slot_);
        rt_.warn("cached-bar-mapping", msg, pc);
    }
    *vaddr = (void*)rt_.root_vmar().map(vmo, 0, bar_size, true);
    *size = bar_size;
    *out_handle = h;
    return ZX_OK;
}

zx_status_t PciFunction::enable_bus_master(bool enable, const void* pc) {
    rt_.enter_call();
    if (enable) bus_master_pc_ = pc;
    uint16_t cmd = (uint16_t)cfg_read(PciConfigSpace::kCommand, 2);
    cmd = enable ? (uint16_t)(cmd | kCmdBusMaster) : (uint16_t)(cmd & ~kCmdBusMaster);
    cfg_write(PciConfigSpace::kCommand, 2, cmd);
    return ZX_OK;
}

zx_status_t PciFunction::reset_device() {
    rt_.enter_call();
    return ZX_ERR_NOT_SUPPORTED;  // the modelled functions have no function-level reset
}

uint32_t PciFunction::vectors(zx_pci_irq_mode_t mode) const {
    const PciDeviceInfo& info = rt_.platform().pci().config_space(slot_).info();
    switch (mode) {
        case ZX_PCIE_IRQ_MODE_LEGACY: return info.interrupt_pin ? 1 : 0;
        case ZX_PCIE_IRQ_MODE_MSI: return info.msi_capable ? 1 : 0;  // one message, no multi-message
        case ZX_PCIE_IRQ_MODE_MSI_X: return info.msix_vectors;      // the table size
        default: return 0;
    }
}

// pcie_irqs.cpp QueryIrqModeCapabilitiesLocked: DISABLED is always supported (0 vectors);
// LEGACY without an interrupt pin and MSI without the capability are ZX_ERR_NOT_SUPPORTED; any
// other number is ZX_ERR_INVALID_ARGS. The 2018 kernel had no MSI-X ("finish MSI-X
// implementation"); the shim answers MSI-X as that function answers MSI: the table size, or
// ZX_ERR_NOT_SUPPORTED without the capability.
zx_status_t PciFunction::query_irq_mode(zx_pci_irq_mode_t mode, uint32_t* out_max) {
    rt_.enter_call();
    if (!out_max) return ZX_ERR_INVALID_ARGS;  // the 2018 proxy would fault; see api-coverage.md
    if (mode > ZX_PCIE_IRQ_MODE_MSI_X) return ZX_ERR_INVALID_ARGS;
    if (mode == ZX_PCIE_IRQ_MODE_DISABLED) {
        *out_max = 0;
        return ZX_OK;
    }
    uint32_t n = vectors(mode);
    if (!n) return ZX_ERR_NOT_SUPPORTED;
    *out_max = n;
    return ZX_OK;
}

void PciFunction::bar_write32(uint64_t offset, uint32_t value) {
    sc_time d = sc_core::SC_ZERO_TIME;
    rt_.platform().cpu_transport(true, rt_.platform().pci().config_space(slot_).bar_base(0) + offset, &value, 4, true, d);
    SimThread::current().charge(d);
}

void PciFunction::enter_mode(zx_pci_irq_mode_t mode, uint32_t count) {
    // The kernel drops the handler table of the mode it leaves: the interrupt objects of that
    // mode stay valid handles but never trigger again.
    for (auto& w : interrupts_)
        if (auto irq = w.lock()) irq->unregister();
    interrupts_.clear();
    const PciDeviceInfo& info = rt_.platform().pci().config_space(slot_).info();
    uint16_t cmd = (uint16_t)cfg_read(PciConfigSpace::kCommand, 2);
    if (info.msi_capable) {
        if (mode == ZX_PCIE_IRQ_MODE_MSI) {
            // Where and what the function writes to signal: the platform's MSI window, data =
            // the vector reserved for this slot.
            uint64_t addr = rt_.platform().config().get_size("pci.msi_address");
            cfg_write(kMsiAddrLo, 4, (uint32_t)addr);
            cfg_write(kMsiAddrHi, 4, (uint32_t)(addr >> 32));
            cfg_write(kMsiData, 2, PciHost::kMsiVectorBase + slot_);
            cfg_write(kMsiControl, 2, 1);
        } else {
            cfg_write(kMsiControl, 2, 0);
        }
    }
    if (info.msix_vectors) {
        if (mode == ZX_PCIE_IRQ_MODE_MSI_X) {
            // As the bus driver does: enable with the function masked, fill the table (entries
            // past `count` stay masked), then unmask. The table is BAR0 memory: decode it.
            if (!(cmd & kCmdMemory)) {
                cmd = (uint16_t)(cmd | kCmdMemory);
                cfg_write(PciConfigSpace::kCommand, 2, cmd);
            }
            const unsigned ctl = PciConfigSpace::kMsixCap + 2;
            cfg_write(ctl, 2, PciConfigSpace::kMsixEnable | PciConfigSpace::kMsixFunctionMask);
            const uint64_t addr = rt_.platform().config().get_size("pci.msi_address");
            const uint64_t table = rt_.platform().pci().config_space(slot_).msix_table_offset();
            const unsigned base = rt_.platform().pci().msix_vector_base(slot_);
            for (unsigned i = 0; i < info.msix_vectors; ++i) {
                const uint64_t e = table + (uint64_t)PciConfigSpace::kMsixEntryBytes * i;
                if (i < count) {
                    bar_write32(e, (uint32_t)addr);
                    bar_write32(e + 4, (uint32_t)(addr >> 32));
                    bar_write32(e + 8, base + i);
                }
                bar_write32(e + 12, i < count ? 0 : PciConfigSpace::kMsixVectorMasked);
            }
            cfg_write(ctl, 2, PciConfigSpace::kMsixEnable);
        } else {
            cfg_write(PciConfigSpace::kMsixCap + 2, 2, 0);
        }
    }
    // INTx only in legacy mode (a function must not assert INTx with MSI or MSI-X enabled).
    uint16_t want = mode == ZX_PCIE_IRQ_MODE_LEGACY ? (uint16_t)(cmd & ~kCmdIntxDisable) : (uint16_t)(cmd | kCmdIntxDisable);
    if (want != cmd) cfg_write(PciConfigSpace::kCommand, 2, want);
    irq_mode_ = mode;
}

// pci_device_dispatcher.cpp SetIrqMode (DISABLED forces the count to 0; the count of vectors
// pci_map_interrupt accepts changes only on success) over pcie_irqs.cpp SetIrqModeLocked: a
// mode number past MSI-X or a count of 0 is ZX_ERR_INVALID_ARGS; then the current mode is
// left (open interrupt objects included), and entering LEGACY without a pin or with more than
// one vector, or MSI without the capability or with more vectors than it offers, is
// ZX_ERR_NOT_SUPPORTED with the function left with interrupts disabled. MSI-X (not in the 2018
// kernel) follows the MSI rule: without the capability or with more vectors than the table
// has, ZX_ERR_NOT_SUPPORTED.
zx_status_t PciFunction::set_irq_mode(zx_pci_irq_mode_t mode, uint32_t count) {
    rt_.enter_call();
    if (mode == ZX_PCIE_IRQ_MODE_DISABLED) count = 0;
    if (mode > ZX_PCIE_IRQ_MODE_MSI_X) return ZX_ERR_INVALID_ARGS;
    if (mode != ZX_PCIE_IRQ_MODE_DISABLED && count < 1) return ZX_ERR_INVALID_ARGS;
    const uint32_t n = vectors(mode);
    if (mode != ZX_PCIE_IRQ_MODE_DISABLED && (!n || count > n)) {
        if (irq_mode_ != ZX_PCIE_IRQ_MODE_DISABLED) enter_mode(ZX_PCIE_IRQ_MODE_DISABLED);
        return ZX_ERR_NOT_SUPPORTED;
    }
    enter_mode(mode, count);
    irq_count_ = count;
    return ZX_OK;
}

// The proxy checks out_handle; the kernel checks which_irq against the vectors of the last
// successful pci_set_irq_mode (ZX_ERR_INVALID_ARGS), then registering the handler fails with
// ZX_ERR_BAD_STATE while interrupts are disabled.
zx_status_t PciFunction::map_interrupt(int32_t which_irq, zx_handle_t* out) {
    rt_.enter_call();
    if (!out) return ZX_ERR_INVALID_ARGS;
    if (which_irq < 0 || (uint32_t)which_irq >= irq_count_) return ZX_ERR_INVALID_ARGS;
    if (irq_mode_ == ZX_PCIE_IRQ_MODE_DISABLED) return ZX_ERR_BAD_STATE;
    unsigned vector;
    bool level = irq_mode_ == ZX_PCIE_IRQ_MODE_LEGACY;
    if (level) vector = cfg_read(PciConfigSpace::kIntLine, 1);
    else if (irq_mode_ == ZX_PCIE_IRQ_MODE_MSI_X) vector = rt_.platform().pci().msix_vector_base(slot_) + (unsigned)which_irq;
    else vector = cfg_read(kMsiData, 2) & 0xff;
    auto irq = std::make_shared<Interrupt>(rt_, slot_, vector, level);
    zx_status_t st = HandleTable::current().add(irq, ZX_DEFAULT_PCI_INTERRUPT_RIGHTS, out);
    if (st != ZX_OK) return st;
    if (interrupts_.size() <= (size_t)which_irq) interrupts_.resize((size_t)which_irq + 1);
    if (auto previous = interrupts_[(size_t)which_irq].lock()) previous->unregister();
    interrupts_[(size_t)which_irq] = irq;
    return ZX_OK;
}

zx_status_t PciFunction::get_device_info(zx_pcie_device_info_t* out) {
    rt_.enter_call();
    if (!out) return ZX_ERR_INVALID_ARGS;
    uint32_t id = cfg_read(0x00, 4), cls = cfg_read(0x08, 4);
    std::memset(out, 0, sizeof *out);
    out->vendor_id = (uint16_t)id;
    out->device_id = (uint16_t)(id >> 16);
    out->revision_id = (uint8_t)cls;
    out->program_interface = (uint8_t)(cls >> 8);
    out->sub_class = (uint8_t)(cls >> 16);
    out->base_class = (uint8_t)(cls >> 24);
    out->bus_id = 0;
    out->dev_id = (uint8_t)slot_;
    out->func_id = 0;
    return ZX_OK;
}

zx_status_t PciFunction::config_read(uint16_t offset, size_t width, uint32_t* out) {
    rt_.enter_call();
    if ((width != 1 && width != 2 && width != 4) || !out || (offset & (width - 1))) return ZX_ERR_INVALID_ARGS;
    if (offset + width > ZX_PCI_EXTENDED_CONFIG_SIZE) return ZX_ERR_OUT_OF_RANGE;
    *out = cfg_read(offset, (unsigned)width);
    return ZX_OK;
}

zx_status_t PciFunction::config_write(uint16_t offset, size_t width, uint32_t value) {
    rt_.enter_call();
    if ((width != 1 && width != 2 && width != 4) || (offset & (width - 1))) return ZX_ERR_INVALID_ARGS;
    if (offset + width > ZX_PCI_EXTENDED_CONFIG_SIZE) return ZX_ERR_OUT_OF_RANGE;
    cfg_write(offset, (unsigned)width, value);
    return ZX_OK;
}

uint8_t PciFunction::get_next_capability(uint8_t type, uint8_t offset) {
    rt_.enter_call();
    // The byte after a capability's id is the pointer to the next one; a walk from 0x33
    // starts at the capabilities pointer. At most 48 capabilities fit in 192 bytes: a loop
    // longer than that is a corrupt list.
    uint8_t ptr = (uint8_t)(cfg_read((unsigned)offset + 1, 1) & 0xfc);
    for (int guard = 0; ptr && guard < 48; ++guard) {
        if ((cfg_read(ptr, 1) & 0xff) == type) return ptr;
        ptr = (uint8_t)(cfg_read((unsigned)ptr + 1, 1) & 0xfc);
    }
    return 0;
}

zx_status_t PciFunction::get_bti(uint32_t index, zx_handle_t* out) {
    rt_.enter_call();
    if (!out) return ZX_ERR_INVALID_ARGS;
    if (index != 0) return ZX_ERR_OUT_OF_RANGE;
    return HandleTable::current().add(bti(), ZX_DEFAULT_BTI_RIGHTS, out);
}

}  // namespace staleline::zx
