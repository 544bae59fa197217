#include "bridge/DmaEngineDevice.h"

#include "bridge/PsTime.h"
#include "checker/CoherencyChecker.h"
#include "pci/PciHost.h"

namespace staleline {

using sc_core::sc_time;
using sc_core::sc_time_stamp;

PciDeviceInfo DmaEngineDevice::pci_info() {
    PciDeviceInfo info;
    info.vendor_id = 0x1b36;
    info.device_id = 0x5d00;
    info.class_code = 0x088000;  // system peripheral, other
    info.bar0_size = 4096;
    info.msi_capable = true;
    info.interrupt_pin = 1;
    return info;
}

DmaEngineDevice::DmaEngineDevice(sc_core::sc_module_name name, const Config& cfg, PciHost& pci, unsigned slot)
    : sc_module(name),
      clock_((uint64_t)cfg.get_int("rtl.clock_mhz")),
      pci_(pci),
      slot_(slot),
      core_(new RtlCore(*this, clock_)),
      regs_("regs", *core_, clock_, 4096),
      dma_("dma", clock_) {
    // The same quantum every decoupled initiator of the platform uses.
    tlm::tlm_global_quantum::instance().set(sc_time((double)cfg.get_int("sim.quantum_ns"), sc_core::SC_NS));
    SC_THREAD(clock_loop);
    set_stack_size(1 << 20);  // TLM calls into PCI host, IOMMU and memory run on this stack
}

DmaEngineDevice::~DmaEngineDevice() = default;

sc_time DmaEngineDevice::ahead() const {
    sc_time t = from_ps(clock_.time_ps(core_->cycle()));
    return t > sc_time_stamp() ? t - sc_time_stamp() : sc_core::SC_ZERO_TIME;
}

void DmaEngineDevice::sync_to(uint64_t cycle) {
    sc_time t = from_ps(clock_.time_ps(cycle));
    if (t > sc_time_stamp()) sc_core::wait(t - sc_time_stamp());
    qk_.reset();
}

void DmaEngineDevice::drive_msi() {
    const PciConfigSpace& c = pci_.config_space(slot_);
    msi_on_ = c.msi_enabled();
    msi_addr_ = c.msi_address();
    core_->set_msi(msi_on_, msi_addr_, c.msi_data());
}

void DmaEngineDevice::clock_loop() {
    core_->reset(4);
    qk_.reset();
    for (;;) {
        drive_msi();
        uint64_t until = clock_.cycle_at(to_ps(qk_.next_sync_point()));
        RtlCore::Stop stop = core_->run(until);
        if (stop == RtlCore::Stop::Idle) {
            report_busy(false);
            // Catch the kernel up to where the engine went idle, then sleep until the next
            // register access; skipped time costs nothing.
            sc_time a = ahead();
            if (a > sc_core::SC_ZERO_TIME) sc_core::wait(a);
            if (!core_->access_queued()) {
                ++idle_sleeps_;
                sc_core::wait(regs_.access_event());
            }
            core_->jump_to(clock_.cycle_at(to_ps(sc_time_stamp())));
            qk_.reset();
            continue;
        }
        qk_.set(ahead());
        if (qk_.need_sync()) {
            ++quantum_syncs_;
            qk_.sync();
        }
    }
}

uint64_t DmaEngineDevice::transport(AxiBurst& b, uint64_t cycle) {
    // An MSI raises the interrupt the moment the PCI host sees it: issue it on time.
    bool msi = b.is_write && msi_on_ && b.addr == msi_addr_;
    if (msi) ++msi_writes_;
    else report_busy(true);
    uint64_t ready = dma_.transport(b, cycle, msi);
    if (msi) qk_.reset();
    return ready;
}

void DmaEngineDevice::report_busy(bool busy) {
    if (busy == busy_reported_) return;
    busy_reported_ = busy;
    if (CoherencyChecker* c = CoherencyChecker::current()) {
        const int rid = PciHost::requester_id(slot_);
        if (busy) c->device_busy(rid, sc_time_stamp());
        else c->device_idle(rid, sc_time_stamp());
    }
}

void DmaEngineDevice::irq_changed(bool level, uint64_t cycle) {
    sync_to(cycle);
    pci_.set_intx(slot_, level);
}

void DmaEngineDevice::start_vcd(const std::string& path) { core_->start_vcd(path); }
void DmaEngineDevice::stop_vcd() { core_->stop_vcd(); }
bool DmaEngineDevice::vcd_open() const { return core_->vcd_open(); }

DmaEngineStats DmaEngineDevice::stats() const {
    RtlCoreStats c = core_->stats();
    const Axi4InitiatorStats& d = dma_.stats();
    DmaEngineStats s;
    s.cycles = core_->cycle();
    s.cycles_evaluated = c.cycles_evaluated;
    s.evals = c.evals;
    s.cycles_waiting = c.cycles_waiting;
    s.cycles_idle = c.cycles_idle;
    // An idle engine's clock catches up only when it wakes; count the time since as idle.
    uint64_t now = clock_.cycle_at(to_ps(sc_time_stamp()));
    if (core_->idle() && now > s.cycles) {
        s.cycles_idle += now - s.cycles;
        s.cycles = now;
    }
    s.reg_reads = c.reg_reads;
    s.reg_writes = c.reg_writes;
    s.read_bursts = c.read_bursts;
    s.write_bursts = c.write_bursts;
    s.bytes_read = d.bytes_read;
    s.bytes_written = d.bytes_written;
    s.error_responses = c.error_responses;
    s.msi_writes = msi_writes_;
    s.irq_edges = c.irq_edges;
    s.quantum_syncs = quantum_syncs_;
    s.idle_sleeps = idle_sleeps_;
    return s;
}

}  // namespace staleline
