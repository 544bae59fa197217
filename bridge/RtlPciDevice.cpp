#include "bridge/RtlPciDevice.h"

#include <cstring>

#include <jansson.h>

#include "bridge/PsTime.h"
#include "config/Config.h"
#include "device/DeviceActivity.h"
#include "pci/PciHost.h"

namespace staleline {

using sc_core::sc_time;
using sc_core::sc_time_stamp;

std::unique_ptr<PciDevice> RtlPciDevice::make(const DeviceContext& ctx) {
    const std::string who = "device '" + ctx.spec.name + "' (" + ctx.kind.desc->name + ")";
    const auto* factory = static_cast<const RtlFactory*>(ctx.kind.desc->rtl);
    if (factory->abi != RtlFactory::kAbi || !factory->create)
        throw ConfigError("platform.devices", who + ": built against other bridge headers (rebuild it)");
    uint64_t mhz = ctx.kind.desc->clock_mhz ? ctx.kind.desc->clock_mhz : (uint64_t)ctx.cfg.get_int("rtl.clock_mhz");
    for (const auto& kv : ctx.spec.keys) {
        if (kv.first != "clock_mhz")
            throw ConfigError("platform.devices", who + ": unknown key '" + kv.first +
                                                      "' (an RTL device takes: clock_mhz, name, slot, vendor_id, device_id, msi)");
        uint64_t v = 0;
        if (!parse_size(kv.second, &v) || v < 1 || v > 5000)
            throw ConfigError("platform.devices", who + ": clock_mhz=" + kv.second + " is not a number in 1..5000");
        mhz = v;
    }
    return std::make_unique<RtlPciDevice>(ctx.spec.name.c_str(), ctx, *factory, mhz);
}

RtlPciDevice::RtlPciDevice(sc_core::sc_module_name name, const DeviceContext& ctx, const RtlFactory& factory,
                           uint64_t clock_mhz)
    : sc_module(name),
      PciDevice(ctx.spec.name, ctx.kind.desc->name, ctx.slot),
      clock_(clock_mhz),
      pci_(ctx.pci),
      activity_(ctx.activity),
      core_(factory.create(*this, clock_, (uint32_t)ctx.info.bar0_size)),
      ports_(core_->ports()),
      regs_("regs", *core_, clock_, (uint32_t)ctx.info.bar0_size),
      dma_("dma", clock_) {
    // The same quantum every decoupled initiator of the platform uses.
    tlm::tlm_global_quantum::instance().set(sc_time((double)ctx.cfg.get_int("sim.quantum_ns"), sc_core::SC_NS));
    if (!ports_.msi) msi_burst_ = std::make_unique<AxiBurst>();
    SC_THREAD(clock_loop);
    set_stack_size(1 << 20);  // TLM calls into PCI host, IOMMU and memory run on this stack
}

RtlPciDevice::~RtlPciDevice() {
    if (wave_) core_->stop_vcd();  // flushes into wave_, which closes after it
}

void RtlPciDevice::bind(PciHost& host) {
    host.bar_socket.bind(regs_.socket);
    dma_.socket.bind(host.upstream_socket);
}

sc_time RtlPciDevice::ahead() const {
    sc_time t = from_ps(clock_.time_ps(core_->cycle()));
    return t > sc_time_stamp() ? t - sc_time_stamp() : sc_core::SC_ZERO_TIME;
}

void RtlPciDevice::sync_to(uint64_t cycle) {
    sc_time t = from_ps(clock_.time_ps(cycle));
    if (t > sc_time_stamp()) sc_core::wait(t - sc_time_stamp());
    qk_.reset();
}

void RtlPciDevice::drive_msi() {
    const PciConfigSpace& c = pci_.config_space(slot());
    msi_on_ = c.msi_enabled();
    msi_addr_ = c.msi_address();
    msi_data_ = c.msi_data();
    if (ports_.msi) core_->set_msi(msi_on_, msi_addr_, msi_data_);
}

void RtlPciDevice::clock_loop() {
    core_->reset(4);
    qk_.reset();
    for (;;) {
        drive_msi();
        uint64_t until = clock_.cycle_at(to_ps(qk_.next_sync_point()));
        RtlModel::Stop stop = core_->run(until);
        if (stop == RtlModel::Stop::Idle) {
            report_busy(false);
            // Catch the kernel up to where the device went idle, then sleep until the next
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

uint64_t RtlPciDevice::transport(AxiBurst& b, uint64_t cycle) {
    // An MSI raises the interrupt the moment the PCI host sees it: issue it on time.
    bool msi = ports_.msi && b.is_write && msi_on_ && b.addr == msi_addr_;
    if (msi) ++msi_writes_;
    else report_busy(true);
    uint64_t ready = dma_.transport(b, cycle, msi);
    if (msi) qk_.reset();
    return ready;
}

void RtlPciDevice::report_busy(bool busy) {
    if (busy == busy_reported_) return;
    busy_reported_ = busy;
    activity_.publish(DeviceActivityEvent{PciHost::requester_id(slot()), busy, sc_time_stamp()});
}

void RtlPciDevice::irq_changed(bool level, uint64_t cycle) {
    sync_to(cycle);
    const bool msix = !ports_.msi && pci_.config_space(slot()).msix_enabled();
    if (ports_.msi || (!msi_on_ && !msix)) {
        pci_.set_intx(slot(), level);
        return;
    }
    // MSI or MSI-X enabled and the device has no MSI ports: a rising edge is one message (MSI-X:
    // entry 0, held pending while masked), and the INTx line stays quiet (PCI 3.0, 6.8.1.3).
    pci_.set_intx(slot(), false);
    if (!level) return;
    uint64_t addr = msi_addr_;
    uint32_t data = msi_data_;
    if (msix && pci_.msix_signal(slot(), 0, &addr, &data) != PciHost::MsixAction::Send) return;
    AxiBurst& b = *msi_burst_;
    b.is_write = true;
    b.addr = addr;
    b.len = 0;
    b.size = 2;
    b.burst = AxiBurstType::Incr;
    b.id = 0;
    std::memcpy(b.data, &data, 4);
    b.enable_filled = false;
    b.enabled = 4;
    b.first_enabled = 0;
    b.last_enabled = 3;
    b.resp = AxiResp::Okay;
    ++msi_writes_;
    dma_.transport(b, cycle, true);
    qk_.reset();
}

void RtlPciDevice::start_vcd(const std::string& path) { core_->start_vcd(path); }
void RtlPciDevice::stop_vcd() { core_->stop_vcd(); }
bool RtlPciDevice::vcd_open() const { return core_->vcd_open(); }

void RtlPciDevice::start_wave(const std::string& path, const std::vector<WaveWindow>& windows) {
    finish_wave();
    wave_ = std::make_unique<WaveWriter>(path);
    core_->start_wave(wave_.get(), windows);
}

void RtlPciDevice::finish_wave() {
    if (!wave_) return;
    core_->stop_vcd();
    std::unique_ptr<WaveWriter> w = std::move(wave_);
    wave_signals_ = w->signals();
    w->close();
}

RtlDeviceStats RtlPciDevice::stats() const {
    RtlCoreStats c = core_->stats();
    const Axi4InitiatorStats& d = dma_.stats();
    RtlDeviceStats s;
    s.cycles = core_->cycle();
    s.cycles_evaluated = c.cycles_evaluated;
    s.evals = c.evals;
    s.cycles_waiting = c.cycles_waiting;
    s.cycles_idle = c.cycles_idle;
    // An idle device's clock catches up only when it wakes; count the time since as idle.
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

void RtlPciDevice::write_stats(StatsSink::Group& g) const {
    RtlDeviceStats d = stats();
    g.count("cycles", d.cycles)
        .count("cycles_evaluated", d.cycles_evaluated)
        .count("evals", d.evals)
        .count("cycles_waiting", d.cycles_waiting)
        .count("cycles_idle", d.cycles_idle);
    // Time the device had work (not idle): what device-bound throughput is measured against.
    g.count("busy_ns", (d.cycles - d.cycles_idle) * 1000 / clock_.mhz());
    g.count("reg_reads", d.reg_reads)
        .count("reg_writes", d.reg_writes)
        .count("read_bursts", d.read_bursts)
        .count("write_bursts", d.write_bursts)
        .count("bytes_read", d.bytes_read)
        .count("bytes_written", d.bytes_written)
        .count("error_responses", d.error_responses)
        .count("msi_writes", d.msi_writes)
        .count("irq_edges", d.irq_edges);
}

}  // namespace staleline
