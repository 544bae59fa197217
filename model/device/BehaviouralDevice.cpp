#include "device/BehaviouralDevice.h"
#include "common/Payload.h"

#include <cstring>

#include <jansson.h>

#include "config/Config.h"
#include "device/DeviceActivity.h"
#include "pci/BarIndex.h"
#include "pci/PciHost.h"
#include "trace/BurstPurpose.h"

namespace staleline {

using namespace sc_core;

namespace {
const char* const kKey = "platform.devices";

std::string describe(const DeviceContext& ctx) {
    return "device '" + ctx.spec.name + "' (" + ctx.kind.desc->name + ")";
}
}  // namespace

std::unique_ptr<PciDevice> BehaviouralDevice::make(const DeviceContext& ctx) {
    return std::make_unique<BehaviouralDevice>(ctx.spec.name.c_str(), ctx);
}

BehaviouralDevice::BehaviouralDevice(sc_module_name name, const DeviceContext& ctx)
    : sc_module(name),
      PciDevice(ctx.spec.name, ctx.kind.desc->name, ctx.slot),
      regs_("regs"),
      dma_("dma"),
      desc_(*ctx.kind.desc),
      pci_(ctx.pci),
      activity_(ctx.activity),
      rid_(PciHost::requester_id(ctx.slot)),
      handle_{this} {
    // The kind's parameters: declared defaults, then the user's values, each checked.
    std::string known;
    for (const sl_dev_param_decl_t* p = desc_.params; p && p->key; ++p) {
        params_[p->key] = p->default_value;
        known += std::string(known.empty() ? "" : ", ") + p->key;
    }
    for (const auto& kv : ctx.spec.keys) {
        const sl_dev_param_decl_t* decl = nullptr;
        for (const sl_dev_param_decl_t* p = desc_.params; p && p->key; ++p)
            if (kv.first == p->key) decl = p;
        if (!decl)
            throw ConfigError(kKey, describe(ctx) + ": unknown key '" + kv.first + "' (it takes: " +
                                        (known.empty() ? "" : known + ", ") + "name, slot, vendor_id, device_id, msi)");
        uint64_t v = 0;
        if (!parse_size(kv.second, &v) || v < decl->min || v > decl->max)
            throw ConfigError(kKey, describe(ctx) + ": " + kv.first + "=" + kv.second + " is not a number in " +
                                        std::to_string(decl->min) + ".." + std::to_string(decl->max));
        params_[kv.first] = v;
    }
    regs_.register_b_transport(this, &BehaviouralDevice::b_transport);
    regs_.register_transport_dbg(this, &BehaviouralDevice::transport_dbg);
    SC_THREAD(worker);
    set_stack_size(1 << 20);  // model callbacks and the TLM calls they make run on this stack
    model_ = desc_.ops->create(&handle_);
    if (!model_)
        throw ConfigError(kKey, describe(ctx) + ": the model could not be created: " +
                                    (failure_.empty() ? "create() returned NULL" : failure_));
}

BehaviouralDevice::~BehaviouralDevice() {
    if (model_ && desc_.ops->destroy) desc_.ops->destroy(model_);
}

void BehaviouralDevice::bind(PciHost& host) {
    host.bar_socket.bind(regs_);
    dma_.bind(host.upstream_socket);
}

bool BehaviouralDevice::lane_access(uint64_t off, unsigned len) {
    // PCIe byte enables: 1, 2 or 4 bytes inside one dword, or an aligned qword.
    if (len == 8) return off % 8 == 0;
    return (len == 1 || len == 2 || len == 4) && (off % 4) + len <= 4;
}

void BehaviouralDevice::b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
    const uint64_t off = t.get_address();
    const unsigned len = t.get_data_length();
    const unsigned bar = BarIndex::of(t);
    const PciConfigSpace& cs = pci_.config_space(slot());
    const PciBarType type = cs.bar_type(bar);
    const uint64_t bar_size = type == PciBarType::Mem64 || type == PciBarType::Mem32 ? cs.bar_size(bar) : 0;
    if (off >= bar_size || len > bar_size - off) {
        t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (!lane_access(off, len) || t.get_byte_enable_ptr() || t.get_streaming_width() < len) {
        t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    // The access reaches the model at its arrival time, in the order accesses arrive.
    sc_process_handle caller = sc_get_current_process_handle();
    if (caller.valid() && caller.proc_kind() == SC_THREAD_PROC_) {
        wait(delay);
        delay = SC_ZERO_TIME;
    }
    uint8_t* data = t.get_data_ptr();
    if (t.is_write()) {
        uint64_t v = 0;
        std::memcpy(&v, data, len);  // little-endian host, as the platform
        ++reg_writes_;
        desc_.ops->write(model_, bar, off, len, v);
    } else {
        ++reg_reads_;
        uint64_t v = desc_.ops->read(model_, bar, off, len);
        std::memcpy(data, &v, len);
        delay += sc_time(kRegisterNs, SC_NS);
    }
    t.set_response_status(tlm::TLM_OK_RESPONSE);
}

void BehaviouralDevice::worker() {
    worker_ = sc_get_current_process_handle();
    for (;;) {
        if (timed_.empty()) {
            wait(wake_);
            continue;
        }
        const sc_time due = timed_.top().due;
        if (due > sc_time_stamp()) {
            wait(due - sc_time_stamp(), wake_);  // an earlier callback may be scheduled meanwhile
            continue;
        }
        Timed t = timed_.top();
        timed_.pop();
        t.fn(model_, t.arg);
    }
}

bool BehaviouralDevice::on_worker() const {
    return worker_.valid() && sc_get_current_process_handle() == worker_;
}

uint64_t BehaviouralDevice::param(const char* key) const {
    auto it = key ? params_.find(key) : params_.end();
    return it == params_.end() ? 0 : it->second;
}

uint64_t BehaviouralDevice::now_ns() const { return (uint64_t)(sc_time_stamp() / sc_time(1, SC_NS)); }

void BehaviouralDevice::schedule(uint64_t delay_ns, void (*fn)(void*, void*), void* arg) {
    if (!fn) return;
    timed_.push(Timed{sc_time_stamp() + sc_time((double)delay_ns, SC_NS), seq_++, fn, arg});
    wake_.notify(SC_ZERO_TIME);
}

void BehaviouralDevice::wait_ns(uint64_t ns) {
    if (on_worker() && ns) wait(sc_time((double)ns, SC_NS));
}

sl_dma_status_t BehaviouralDevice::dma(bool is_write, uint64_t addr, void* buf, size_t len, int purpose) {
    if (!on_worker()) return SL_DMA_MISUSE;
    if (len == 0) return SL_DMA_OK;
    tlm::tlm_generic_payload t;
    prepare_payload(t, is_write, addr, buf, len);
    sc_time delay = SC_ZERO_TIME;
    BurstPurpose label(purpose == SL_DMA_FOR_DESCRIPTOR ? DevicePhase::DescriptorFetch
                       : purpose == SL_DMA_FOR_STATUS   ? DevicePhase::StatusWriteback
                                                        : DevicePhase::Data);
    {
        BurstPurposeScope labelled(t, label);
        dma_->b_transport(t, delay);
    }
    wait(delay);
    ++(is_write ? dma_writes_ : dma_reads_);
    (is_write ? dma_bytes_written_ : dma_bytes_read_) += len;
    if (t.is_response_ok()) return SL_DMA_OK;
    ++dma_errors_;
    if (!is_write) std::memset(buf, 0, len);
    return pci_.config_space(slot()).bus_master() ? SL_DMA_FAULT : SL_DMA_MASTER_ABORT;
}

void BehaviouralDevice::set_irq(bool level) {
    irq_ = level;
    // A function with MSI or MSI-X enabled must not use its INTx line (PCI 3.0, 6.8.1.3, 6.8.2.3).
    pci_.set_intx(slot(), level && !msi_enabled() && !msix_enabled());
}

bool BehaviouralDevice::msi_enabled() const { return pci_.config_space(slot()).msi_enabled(); }

bool BehaviouralDevice::msi() {
    if (!msi_enabled() || !on_worker()) return false;
    const PciConfigSpace& c = pci_.config_space(slot());
    uint32_t data = c.msi_data();
    ++msi_messages_;
    return dma(true, c.msi_address(), &data, 4) == SL_DMA_OK;
}

bool BehaviouralDevice::msix_enabled() const { return pci_.config_space(slot()).msix_enabled(); }

bool BehaviouralDevice::msix(unsigned vector) {
    if (!on_worker()) return false;
    uint64_t addr = 0;
    uint32_t data = 0;
    switch (pci_.msix_signal(slot(), vector, &addr, &data)) {
    case PciHost::MsixAction::Off: return false;
    case PciHost::MsixAction::Pending: return true;  // the host sends it on unmask
    case PciHost::MsixAction::Send: break;
    }
    ++msi_messages_;
    return dma(true, addr, &data, 4) == SL_DMA_OK;
}

void BehaviouralDevice::set_busy(bool busy) {
    if (busy == busy_) return;
    busy_ = busy;
    activity_.publish(DeviceActivityEvent{rid_, busy, sc_time_stamp()});
}

void BehaviouralDevice::count(const char* name, uint64_t delta) {
    if (name) counters_[name] += delta;
}

void BehaviouralDevice::write_stats(StatsSink::Group& g) const {
    g.text("kind", kind_name())
        .count("slot", slot())
        .count("reg_reads", reg_reads_)
        .count("reg_writes", reg_writes_)
        .count("dma_reads", dma_reads_)
        .count("dma_writes", dma_writes_)
        .count("bytes_read", dma_bytes_read_)
        .count("bytes_written", dma_bytes_written_)
        .count("dma_errors", dma_errors_)
        .count("msi_writes", msi_messages_);
    StatsSink::Group model = g.group("model");  // the model's own counters (sl_dev_count)
    for (const auto& c : counters_) model.count(c.first.c_str(), c.second);
}

}  // namespace staleline

// ---- the C services of staleline/device.h ----

using staleline::BehaviouralDevice;

extern "C" {

const char* sl_dev_name(const sl_dev_t* dev) { return dev ? dev->self->instance().c_str() : ""; }
uint64_t sl_dev_param(const sl_dev_t* dev, const char* key) { return dev ? dev->self->param(key) : 0; }
uint64_t sl_dev_now_ns(const sl_dev_t* dev) { return dev ? dev->self->now_ns() : 0; }
void sl_dev_schedule(sl_dev_t* dev, uint64_t delay_ns, void (*fn)(void*, void*), void* arg) {
    if (dev) dev->self->schedule(delay_ns, fn, arg);
}
void sl_dev_wait_ns(sl_dev_t* dev, uint64_t ns) {
    if (dev) dev->self->wait_ns(ns);
}
sl_dma_status_t sl_dev_dma_read(sl_dev_t* dev, uint64_t addr, void* buf, size_t len) {
    return dev && buf ? dev->self->dma(false, addr, buf, len) : SL_DMA_MISUSE;
}
sl_dma_status_t sl_dev_dma_write(sl_dev_t* dev, uint64_t addr, const void* buf, size_t len) {
    // TLM wants a non-const data pointer; a write does not change the bytes.
    return dev && buf ? dev->self->dma(true, addr, const_cast<void*>(buf), len) : SL_DMA_MISUSE;
}
sl_dma_status_t sl_dev_dma_read_for(sl_dev_t* dev, sl_dma_purpose_t purpose, uint64_t addr, void* buf, size_t len) {
    return dev && buf ? dev->self->dma(false, addr, buf, len, (int)purpose) : SL_DMA_MISUSE;
}
sl_dma_status_t sl_dev_dma_write_for(sl_dev_t* dev, sl_dma_purpose_t purpose, uint64_t addr, const void* buf,
                                     size_t len) {
    return dev && buf ? dev->self->dma(true, addr, const_cast<void*>(buf), len, (int)purpose) : SL_DMA_MISUSE;
}
void sl_dev_set_irq(sl_dev_t* dev, bool level) {
    if (dev) dev->self->set_irq(level);
}
bool sl_dev_msi(sl_dev_t* dev) { return dev && dev->self->msi(); }
bool sl_dev_msi_enabled(const sl_dev_t* dev) { return dev && dev->self->msi_enabled(); }
bool sl_dev_msix(sl_dev_t* dev, unsigned vector) { return dev && dev->self->msix(vector); }
bool sl_dev_msix_enabled(const sl_dev_t* dev) { return dev && dev->self->msix_enabled(); }
void sl_dev_set_busy(sl_dev_t* dev, bool busy) {
    if (dev) dev->self->set_busy(busy);
}
void sl_dev_count(sl_dev_t* dev, const char* name, uint64_t delta) {
    if (dev) dev->self->count(name, delta);
}
void sl_dev_fail(sl_dev_t* dev, const char* why) {
    if (dev) dev->self->fail(why);
}

}  // extern "C"
