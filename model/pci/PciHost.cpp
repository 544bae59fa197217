#include "PciHost.h"

#include <cstring>
#include <string>

#include "common/Payload.h"
#include "pci/BarIndex.h"
#include "common/RequesterId.h"
#include "trace/BurstPurpose.h"

namespace staleline {

using namespace sc_core;
using tlm::tlm_generic_payload;

PciHost::PciHost(sc_module_name name, const Config& cfg, IrqController& irq)
    : sc_module(name),
      cpu_socket("cpu_socket"),
      bar_socket("bar_socket"),
      upstream_socket("upstream_socket"),
      iommu_socket("iommu_socket"),
      irq_(irq),
      hop_(sc_time((double)cfg.get_int("pci.hop_latency_ns"), SC_NS)),
      msi_base_(cfg.get_size("pci.msi_address")) {
    cpu_socket.register_b_transport(this, &PciHost::cpu_b_transport);
    cpu_socket.register_transport_dbg(this, &PciHost::cpu_transport_dbg);
    upstream_socket.register_b_transport(this, &PciHost::upstream_b_transport);
    upstream_socket.register_transport_dbg(this, &PciHost::upstream_transport_dbg);
}

unsigned PciHost::add_device(const PciDeviceInfo& info) {
    if (slots_.size() >= kMaxSlots) SC_REPORT_ERROR("staleline/pci", "too many PCI devices");
    const PciConfigSpace probe(info);  // the BARs as the function will have them
    for (unsigned i = 0; i < PciConfigSpace::kBarCount; ++i) {
        const uint64_t size = probe.bar_size(i);
        const uint64_t min = probe.bar_type(i) == PciBarType::Io ? 4 : 4096;
        if (probe.bar_type(i) != PciBarType::None && (size < min || (size & (size - 1))))
            SC_REPORT_ERROR("staleline/pci", "BAR size must be a power of two >= 4 KiB (I/O: >= 4 bytes)");
    }
    if (info.msix_vectors) {
        if (info.msix_vectors > 8 || info.msix_table_offset % 8 || probe.bar_type(0) == PciBarType::Io ||
            info.msix_table_offset + (uint64_t)PciConfigSpace::kMsixEntryBytes * info.msix_vectors + 8 > probe.bar0_size())
            SC_REPORT_ERROR("staleline/pci", "MSI-X: 1..8 vectors, table 8-byte aligned, table and PBA inside BAR0");
        if (next_msix_vector_ + info.msix_vectors > kMsixVectorEnd)
            throw ConfigError("platform.devices", "the MSI-X devices need more than " +
                                                      std::to_string(kMsixVectorEnd - kMsixVectorBase) +
                                                      " interrupt vectors in all");
    }
    slots_.push_back(std::make_unique<Slot>(info));
    if (info.msix_vectors) {
        slots_.back()->msix_base = next_msix_vector_;
        next_msix_vector_ += info.msix_vectors;
    }
    return (unsigned)slots_.size() - 1;
}

void PciHost::assign_resources() {
    uint64_t next = kMmioBase;
    uint64_t next_io = kIoBase;
    for (unsigned s = 0; s < slots_.size(); ++s) {
        PciConfigSpace& c = slots_[s]->cfg;
        for (unsigned i = 0; i < PciConfigSpace::kBarCount; ++i) {
            // probe the BAR the way firmware does: write ones, read back type and size mask
            const unsigned reg = PciConfigSpace::kBar0 + 4 * i;
            c.write(reg, 4, 0xffffffffu);
            const uint32_t lo = c.read(reg, 4);
            if (lo == 0) continue;  // not implemented
            if (lo & 1) {           // I/O: placed in the (undecoded) port space
                const uint64_t size = (uint64_t)(uint32_t)~(lo & ~0x3u) + 1;
                next_io = (next_io + size - 1) & ~(size - 1);
                c.write(reg, 4, (uint32_t)next_io);
                next_io += size;
                continue;
            }
            const bool is64 = (lo & 0x6) == 0x4;
            uint64_t mask = 0xffffffff00000000ULL | (lo & ~0xfu);
            if (is64) {
                c.write(reg + 4, 4, 0xffffffffu);
                mask = ((uint64_t)c.read(reg + 4, 4) << 32) | (lo & ~0xfu);
            }
            const uint64_t size = ~mask + 1;
            next = (next + size - 1) & ~(size - 1);
            c.write(reg, 4, (uint32_t)next);
            if (is64) c.write(reg + 4, 4, (uint32_t)(next >> 32));
            next += size;
            if (is64) ++i;
        }
        if (c.info().interrupt_pin) c.write(PciConfigSpace::kIntLine, 1, kIntxVectorBase + s);
    }
}

uint32_t PciHost::config_read(unsigned slot, unsigned offset, unsigned size) const {
    // an absent function reads as all ones, which is how software enumerates
    uint32_t ones = size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    return slot < slots_.size() ? slots_[slot]->cfg.read(offset, size) : ones;
}

void PciHost::config_write(unsigned slot, unsigned offset, unsigned size, uint32_t value) {
    if (slot >= slots_.size()) return;
    slots_[slot]->cfg.write(offset, size, value);
    update_intx(slot);  // interrupt disable or the interrupt line may have changed
    if (slots_[slot]->cfg.msix_capable()) deliver_msix_pending(slot, SC_ZERO_TIME);  // enable / function unmask
}

int PciHost::slot_for_bar(uint64_t addr, unsigned* bar) const {
    for (unsigned s = 0; s < slots_.size(); ++s) {
        const PciConfigSpace& c = slots_[s]->cfg;
        if (!c.memory_enabled()) continue;
        for (unsigned i = 0; i < PciConfigSpace::kBarCount; ++i) {
            const PciBarType t = c.bar_type(i);
            if ((t != PciBarType::Mem64 && t != PciBarType::Mem32) || c.bar_base(i) == 0) continue;
            if (addr >= c.bar_base(i) && addr - c.bar_base(i) < c.bar_size(i)) {
                *bar = i;
                return (int)s;
            }
        }
    }
    return -1;
}

void PciHost::config_access(tlm_generic_payload& trans) {
    uint64_t off = trans.get_address() - kEcamBase;
    unsigned len = trans.get_data_length();
    unsigned dev = (unsigned)(off >> 15) & 31, fn = (unsigned)(off >> 12) & 7, reg = (unsigned)off & 0xfff;
    if ((len != 1 && len != 2 && len != 4) || (reg & (len - 1)) || trans.get_byte_enable_ptr()) {
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    // only function 0 exists; other functions are absent
    unsigned slot = fn == 0 ? dev : kMaxSlots;
    uint8_t* data = trans.get_data_ptr();
    if (trans.is_read()) {
        ++stats_.config_reads;
        uint32_t v = config_read(slot, reg, len);
        std::memcpy(data, &v, len);
    } else {
        ++stats_.config_writes;
        uint32_t v = 0;
        std::memcpy(&v, data, len);
        config_write(slot, reg, len, v);
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void PciHost::cpu_b_transport(tlm_generic_payload& trans, sc_time& delay) {
    uint64_t a = trans.get_address();
    if (a >= kEcamBase && a - kEcamBase < kEcamSize) {
        delay += 2 * hop_;  // a non-posted round trip to the function
        config_access(trans);
        return;
    }
    unsigned bar = 0;
    int s = slot_for_bar(a, &bar);
    if (s < 0) {
        ++stats_.mmio_unclaimed;
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (trans.is_read()) ++stats_.mmio_reads;
    else ++stats_.mmio_writes;
    // reads are non-posted (there and back), writes are posted but still travel one hop
    delay += trans.is_read() ? 2 * hop_ : hop_;
    trans.set_address(a - slots_[s]->cfg.bar_base(bar));
    if (bar == 0 && slots_[s]->cfg.in_msix_region(trans.get_address(), trans.get_data_length())) {
        msix_access((unsigned)s, trans, delay);
        trans.set_address(a);
        return;
    }
    {
        BarIndexScope tag(trans, bar);
        bar_socket[s]->b_transport(trans, delay);
    }
    trans.set_address(a);
}

unsigned PciHost::cpu_transport_dbg(tlm_generic_payload& trans) {
    uint64_t a = trans.get_address();
    if (a >= kEcamBase && a - kEcamBase < kEcamSize) {
        config_access(trans);
        return trans.is_response_ok() ? trans.get_data_length() : 0;
    }
    unsigned bar = 0;
    int s = slot_for_bar(a, &bar);
    if (s < 0) return 0;
    trans.set_address(a - slots_[s]->cfg.bar_base(bar));
    if (bar == 0 && slots_[s]->cfg.in_msix_region(trans.get_address(), trans.get_data_length())) {
        // debug reads only: a write could unmask and send a message
        unsigned len = trans.get_data_length();
        bool ok = trans.is_read() && (len == 4 || len == 8) && trans.get_address() % len == 0;
        if (ok) {
            uint64_t v = slots_[s]->cfg.msix_read(trans.get_address(), len);
            std::memcpy(trans.get_data_ptr(), &v, len);
        }
        trans.set_address(a);
        return ok ? len : 0;
    }
    unsigned n = 0;
    {
        BarIndexScope tag(trans, bar);
        n = bar_socket[s]->transport_dbg(trans);
    }
    trans.set_address(a);
    return n;
}

void PciHost::forward_upstream(uint16_t rid, tlm_generic_payload& trans, sc_time& delay) {
    uint64_t a = trans.get_address();
    unsigned len = trans.get_data_length();
    if (trans.is_write() && a >= msi_base_ && a - msi_base_ < 4096) {
        // An MSI message: the data names the vector. It never reaches memory.
        uint32_t data = 0;
        std::memcpy(&data, trans.get_data_ptr(), len < 4 ? len : 4);
        ++stats_.msi_messages;
        delay += hop_;
        if (tracing(trace_, TraceKind::IrqRaise)) trace_irq(rid >> 3, "MSI", data & 0xff, sc_core::sc_time_stamp() + delay);
        irq_.raise_edge(data & 0xff, sc_core::sc_time_stamp() + delay);
        trans.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    if (trans.is_read()) ++stats_.upstream_reads;
    else ++stats_.upstream_writes;
    stats_.upstream_bytes += len;
    const sc_time start = delay;  // for the trace: the burst from its issue to its completion
    delay += hop_;
    // Tag the transaction with its requester for the IOMMU; restore any previous tag.
    RequesterId* prev = nullptr;
    trans.get_extension(prev);
    RequesterId ext(rid);
    if (prev) trans.clear_extension(prev);
    trans.set_extension(&ext);
    const sc_time asked = delay;  // the request reaches the IOMMU
    iommu_socket->b_transport(trans, delay);
    const sc_time answered = delay;  // translated and served by memory
    trans.clear_extension(&ext);
    if (prev) trans.set_extension(prev);
    if (trans.is_read()) delay += hop_;  // completion travels back
    if (tracing(trace_, TraceKind::DeviceBurst))
        trace_burst(rid, trans, sc_time_stamp() + start, sc_time_stamp() + delay, sc_time_stamp() + asked,
                    sc_time_stamp() + answered);
}

void PciHost::upstream_b_transport(int slot, tlm_generic_payload& trans, sc_time& delay) {
    PciConfigSpace& c = slots_.at(slot)->cfg;
    if (!c.bus_master()) {
        // The root port refuses requests of a function whose bus mastering is off.
        PciMasterAbort ab{requester_id(slot), trans.get_address(), trans.is_write(), sc_time_stamp() + delay};
        aborts_.push_back(ab);
        ++stats_.bus_master_refusals;
        c.set_status_bits(PciConfigSpace::kStatusSignaledAbort);
        trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        if (abort_listener_) abort_listener_(ab);
        return;
    }
    forward_upstream(requester_id(slot), trans, delay);
}

void PciHost::upstream_transport(uint16_t rid, tlm_generic_payload& trans, sc_time& delay) {
    unsigned slot = rid >> 3;
    if ((rid & 7) == 0 && slot < slots_.size()) upstream_b_transport((int)slot, trans, delay);
    else forward_upstream(rid, trans, delay);
}

unsigned PciHost::upstream_transport_dbg(int slot, tlm_generic_payload& trans) {
    RequesterId ext(requester_id(slot));
    RequesterId* prev = nullptr;
    trans.get_extension(prev);
    if (prev) trans.clear_extension(prev);
    trans.set_extension(&ext);
    unsigned n = iommu_socket->transport_dbg(trans);
    trans.clear_extension(&ext);
    if (prev) trans.set_extension(prev);
    return n;
}

void PciHost::msix_access(unsigned slot, tlm_generic_payload& trans, sc_time& delay) {
    PciConfigSpace& c = slots_[slot]->cfg;
    const uint64_t off = trans.get_address();
    const unsigned len = trans.get_data_length();
    // The table takes dword and qword accesses, naturally aligned (PCI 3.0, 6.8.2).
    if ((len != 4 && len != 8) || off % len || trans.get_byte_enable_ptr() || trans.get_streaming_width() < len) {
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    uint64_t v = 0;
    if (trans.is_read()) {
        v = c.msix_read(off, len);
        std::memcpy(trans.get_data_ptr(), &v, len);
    } else {
        std::memcpy(&v, trans.get_data_ptr(), len);
        c.msix_write(off, len, v);
        deliver_msix_pending(slot, delay);  // a vector may have been unmasked
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

PciHost::MsixAction PciHost::msix_signal(unsigned slot, unsigned vector, uint64_t* addr, uint32_t* data) {
    PciConfigSpace& c = slots_.at(slot)->cfg;
    if (!c.msix_enabled() || vector >= c.info().msix_vectors) return MsixAction::Off;
    if (c.msix_function_masked() || c.msix_vector_masked(vector)) {
        c.set_msix_pending(vector, true);
        return MsixAction::Pending;
    }
    *addr = c.msix_address(vector);
    *data = c.msix_data(vector);
    return MsixAction::Send;
}

void PciHost::deliver_msix_pending(unsigned slot, sc_time delay) {
    PciConfigSpace& c = slots_[slot]->cfg;
    if (!c.msix_enabled() || c.msix_function_masked()) return;
    for (unsigned v = 0; v < c.info().msix_vectors; ++v) {
        if (!c.msix_pending(v) || c.msix_vector_masked(v)) continue;
        c.set_msix_pending(v, false);
        uint32_t data = c.msix_data(v);
        tlm_generic_payload t;
        prepare_payload(t, true, c.msix_address(v), &data, 4);
        upstream_b_transport((int)slot, t, delay);
    }
}

void PciHost::set_intx(unsigned slot, bool level) {
    Slot& s = *slots_.at(slot);
    s.intx = level;
    update_intx(slot);
}

void PciHost::update_intx(unsigned slot) {
    Slot& s = *slots_.at(slot);
    s.cfg.set_intx_status(s.intx);  // status shows the device's request even when disabled
    if (!s.cfg.info().interrupt_pin) return;
    bool line = s.intx && !s.cfg.intx_disabled();
    if (line && tracing(trace_, TraceKind::IrqRaise)) trace_irq(slot, "INTx", s.cfg.interrupt_line(), sc_time_stamp());
    irq_.set_level(s.cfg.interrupt_line(), line);
}

void PciHost::set_trace(TraceEvents* ch, const std::vector<std::string>& names) {
    trace_ = ch;
    trace_tracks_.clear();
    for (size_t i = 0; i < slots_.size(); ++i) {
        const std::string n = i < names.size() ? names[i] : "slot " + std::to_string(i);
        trace_tracks_.push_back({n + " read", n + " write", n + " irq", n + " read stalls", n + " write stalls"});
    }
}

void PciHost::trace_burst(uint16_t rid, const tlm_generic_payload& trans, const sc_time& start, const sc_time& end,
                          const sc_time& asked, const sc_time& answered) {
    const unsigned slot = rid >> 3;
    if (slot >= trace_tracks_.size()) return;  // a tool's requester id (tests)
    TraceEvent e;
    e.category = TraceCategory::Device;
    e.kind = TraceKind::DeviceBurst;
    e.is_write = trans.is_write();
    e.track = trace_tracks_[slot][e.is_write ? 1 : 0].c_str();
    // What the device said the burst was for (BurstPurpose.h); unlabelled bursts are data.
    e.device_phase = purpose_of(trans);
    e.name = e.device_phase == DevicePhase::DescriptorFetch   ? "descriptor fetch"
             : e.device_phase == DevicePhase::StatusWriteback ? "status write-back"
             : e.is_write                                     ? "write burst"
                                                              : "read burst";
    e.ts = start;
    e.dur = end - start;
    e.requester = rid;
    e.arg("addr", trans.get_address(), true).arg("size", trans.get_data_length());
    if (!trans.is_response_ok()) e.text = "error response";
    trace_->publish(e);
    // The part of it the device waited for the IOMMU and memory (translation, walks, a
    // walker, DRAM), between the link's hops: on a track beside the channel's (nested in the
    // burst it would land under whichever overlapping burst the viewer's lanes put it with).
    if (answered > asked && tracing(trace_, TraceKind::DeviceStall)) {
        TraceEvent s;
        s.category = TraceCategory::Device;
        s.kind = TraceKind::DeviceStall;
        s.is_write = e.is_write;
        s.track = trace_tracks_[slot][e.is_write ? 4 : 3].c_str();
        s.name = e.is_write ? "write stall" : "read stall";
        s.ts = asked;
        s.dur = answered - asked;
        s.requester = rid;
        s.text = "waiting for the IOMMU and memory";
        trace_->publish(s);
    }
}

void PciHost::trace_irq(unsigned slot, const char* how, unsigned vector, const sc_time& at) {
    if (slot >= trace_tracks_.size()) return;
    TraceEvent e;
    e.category = TraceCategory::Device;
    e.kind = TraceKind::IrqRaise;
    e.phase = 'i';
    e.track = trace_tracks_[slot][2].c_str();
    e.name = how;
    e.ts = at;
    e.requester = (uint16_t)(slot << 3);
    e.arg("vector", vector);
    trace_->publish(e);
}

}  // namespace staleline

namespace staleline {

// Group "pci" of the platform's statistics.
void PciHost::write_stats(StatsSink::Group& g) const {
    g.count("config_reads", stats_.config_reads)
        .count("config_writes", stats_.config_writes)
        .count("mmio_reads", stats_.mmio_reads)
        .count("mmio_writes", stats_.mmio_writes)
        .count("upstream_reads", stats_.upstream_reads)
        .count("upstream_writes", stats_.upstream_writes)
        .count("upstream_bytes", stats_.upstream_bytes)
        .count("msi_messages", stats_.msi_messages)
        .count("bus_master_refusals", stats_.bus_master_refusals);
}

}  // namespace staleline
