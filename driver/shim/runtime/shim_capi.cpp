// C API of the shim (include/staleline/shim.h).
#include <cstdio>
#include <cstring>
#include <exception>

#include "DeviceManager.h"
#include "DriverLoader.h"
#include "HandleTable.h"
#include "ShimRuntime.h"
#include "SimThread.h"
#include "checker/SourceLocator.h"
#include "Vmo.h"
#include "platform/PlatformHandle.h"

#include <staleline/shim.h>

using namespace staleline::zx;
using staleline::set_error;
using staleline::describe_return_address;

struct sl_driver {
    DriverInstance* impl;
};

namespace {
std::vector<std::unique_ptr<sl_driver>>& handles() {
    static auto* h = new std::vector<std::unique_ptr<sl_driver>>;
    return *h;
}
}  // namespace

extern "C" {

zx_device_t* sl_shim_attach(sl_platform_t* p, unsigned slot) {
    if (!p) {
        set_error("sl_shim_attach: null platform");
        return nullptr;
    }
    try {
        ShimRuntime& rt = ShimRuntime::attach(staleline::impl(p));
        zx_device_t* dev = rt.devices().pci_device(slot);
        if (!dev) set_error("sl_shim_attach: PCI slot " + std::to_string(slot) + " is empty");
        return dev;
    } catch (const std::exception& e) {
        set_error(std::string("sl_shim_attach: ") + e.what());
        return nullptr;
    }
}

bool sl_shim_attached(void) { return ShimRuntime::get() != nullptr; }

void sl_shim_sync(void) { SimThread::current().sync(); }

uint64_t sl_shim_now_ns(void) { return SimThread::current().now_ns(); }

void sl_shim_set_log(FILE* f) {
    if (ShimRuntime* rt = ShimRuntime::get()) rt->set_log_file(f);
}

void sl_shim_cap_costs_at_defaults(void) {
    if (ShimRuntime* rt = ShimRuntime::get()) rt->cap_costs_at_defaults();
}

sl_driver_t* sl_driver_load(sl_platform_t* p, const char* name_or_path) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!p || !rt || &rt->platform() != &staleline::impl(p)) {
        set_error("sl_driver_load: attach the shim to this platform first (sl_shim_attach)");
        return nullptr;
    }
    std::string err;
    DriverInstance* d = rt->drivers().load(name_or_path ? name_or_path : "", &err);
    if (!d) {
        set_error(err);
        return nullptr;
    }
    handles().push_back(std::make_unique<sl_driver>(sl_driver{d}));
    return handles().back().get();
}

bool sl_driver_matches(const sl_driver_t* d, unsigned slot) {
    ShimRuntime* rt = ShimRuntime::get();
    return d && rt && rt->drivers().matches(*d->impl, slot);
}

zx_status_t sl_driver_bind(sl_driver_t* d, unsigned slot) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!d || !rt) return ZX_ERR_BAD_STATE;
    if (SimThread::current().can_wait()) return rt->drivers().bind_now(*d->impl, slot);
    return rt->drivers().bind_async(*d->impl, slot);
}

zx_status_t sl_driver_bind_status(const sl_driver_t* d) { return d ? d->impl->bind_status() : ZX_ERR_INVALID_ARGS; }

zx_status_t sl_driver_release(sl_driver_t* d) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!d || !rt) return ZX_ERR_BAD_STATE;
    if (SimThread::current().can_wait()) return rt->drivers().release_now(*d->impl);
    return rt->drivers().release_async(*d->impl);
}

const char* sl_driver_name(const sl_driver_t* d) { return d ? d->impl->name().c_str() : ""; }
const char* sl_driver_path(const sl_driver_t* d) { return d ? d->impl->path().c_str() : ""; }
bool sl_driver_instrumented(const sl_driver_t* d) { return d && d->impl->instrumented(); }

size_t sl_driver_device_count(const sl_driver_t* d) {
    ShimRuntime* rt = ShimRuntime::get();
    return d && rt ? rt->devices().devices_of(d->impl).size() : 0;
}

zx_device_t* sl_driver_device(const sl_driver_t* d, size_t i) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!d || !rt) return nullptr;
    auto devs = rt->devices().devices_of(d->impl);
    return i < devs.size() ? devs[i] : nullptr;
}

zx_device_t* sl_device_find(const char* name) {
    ShimRuntime* rt = ShimRuntime::get();
    return rt && name ? rt->devices().find(name) : nullptr;
}

zx_status_t sl_device_info(zx_device_t* dev, uint32_t* proto_id, void** proto_ops, void** ctx, bool* removed) {
    if (!dev) return ZX_ERR_INVALID_ARGS;
    if (proto_id) *proto_id = dev->proto_id;
    if (proto_ops) *proto_ops = dev->proto_ops;
    if (ctx) *ctx = dev->ctx;
    if (removed) *removed = dev->removed;
    return ZX_OK;
}

size_t sl_shim_pin_count(void) {
    ShimRuntime* rt = ShimRuntime::get();
    return rt ? rt->pins().made() : 0;
}

size_t sl_shim_live_pin_count(void) {
    ShimRuntime* rt = ShimRuntime::get();
    return rt ? rt->pins().live_count() : 0;
}

int sl_shim_pin_info(size_t i, sl_pin_info_t* out) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt || !out) return -1;
    const PinRecord* kept = rt->pins().record(i + 1);  // retired pins are kept for a while only
    if (!kept) return -1;
    const PinRecord& r = *kept;
    std::memset(out, 0, sizeof *out);
    out->id = r.id;
    out->pmt_koid = r.pmt_koid;
    out->vmo_koid = r.vmo_koid;
    out->bti_koid = r.bti_koid;
    out->slot = r.slot;
    out->vmo_offset = r.vmo_offset;
    out->size = r.size;
    out->options = r.options;
    out->device_perms = r.device_perms;
    out->first_device_addr = r.runs.empty() ? 0 : r.runs.front().device_addr;
    out->runs = r.runs.size();
    out->state = r.state == staleline::PinState::Pinned ? SL_PIN_PINNED
                 : r.state == staleline::PinState::Quarantined ? SL_PIN_QUARANTINED
                                                     : SL_PIN_UNPINNED;
    const sc_core::sc_time ns(1, sc_core::SC_NS);
    out->pinned_ns = (uint64_t)(r.pinned_at / ns);
    out->unpinned_ns = (uint64_t)(r.unpinned_at / ns);
    out->pin_pc = r.pin_pc;
    return 0;
}

long sl_shim_find_pin(uint16_t rid, uint64_t dev_addr) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return -1;
    const PinRecord* r = rt->pins().find_for_device(rid, dev_addr);
    return r ? (long)(r->id - 1) : -1;
}

size_t sl_shim_describe_pc(const void* pc, char* buf, size_t len) {
    std::string s = describe_return_address(pc);
    if (buf && len) {
        size_t n = std::min(s.size(), len - 1);
        std::memcpy(buf, s.data(), n);
        buf[n] = 0;
        return n;
    }
    return 0;
}

size_t sl_shim_warning_count(void) {
    ShimRuntime* rt = ShimRuntime::get();
    return rt ? rt->warnings().size() : 0;
}

int sl_shim_warning(size_t i, char* kind, size_t kind_len, char* message, size_t message_len) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt || i >= rt->warnings().size()) return -1;
    const ShimRuntime::DriverWarning& w = rt->warnings()[i];
    if (kind && kind_len) std::snprintf(kind, kind_len, "%s", w.kind.c_str());
    if (message && message_len) std::snprintf(message, message_len, "%s", w.message.c_str());
    return 0;
}

void sl_shim_get_stats(sl_shim_stats_t* out) {
    if (!out) return;
    std::memset(out, 0, sizeof *out);
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return;
    const ShimRuntime::Counters& c = rt->counters();
    out->syscalls = c.syscalls;
    out->hook_calls = c.hook_calls;
    out->observed_accesses = c.observed_accesses;
    out->mmio_reads = c.mmio_reads;
    out->mmio_writes = c.mmio_writes;
    out->mmio_errors = c.mmio_errors;
    out->vmos_created = c.vmos_created;
    out->pins = c.pins;
    out->unpins = c.unpins;
}

zx_status_t sl_shim_vmo_phys(zx_handle_t vmo, uint64_t offset, uint64_t* pa) {
    if (!ShimRuntime::get()) return ZX_ERR_BAD_STATE;
    std::shared_ptr<Vmo> v;
    zx_status_t st = HandleTable::current().get_as<Vmo>(vmo, ZX_RIGHT_NONE, &v);
    if (st != ZX_OK) return st;
    if (v->is_mmio() || offset >= v->size()) return ZX_ERR_OUT_OF_RANGE;
    if (!pa) return ZX_ERR_INVALID_ARGS;
    *pa = v->pa(offset);
    return ZX_OK;
}

}  // extern "C"
