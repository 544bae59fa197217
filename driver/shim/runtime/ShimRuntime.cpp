#include "ShimRuntime.h"

#include <algorithm>

#include "CheckerBridge.h"
#include "checker/CoherencyChecker.h"
#include "DeviceManager.h"
#include "common/DeviceAddressSpace.h"
#include "DriverLoader.h"
#include "FaultHandler.h"
#include "HandleTable.h"
#include "PciFunction.h"
#include "RootVmar.h"
#include "SimThread.h"
#include "checker/SourceLocator.h"

namespace staleline::zx {

using namespace sc_core;

ShimRuntime* ShimRuntime::instance_ = nullptr;
uint64_t ShimRuntime::generation_ = 0;

namespace {

sc_time ns(int64_t v) { return sc_time((double)v, SC_NS); }
}  // namespace

ShimRuntime& ShimRuntime::attach(Platform& p) {
    if (instance_) {
        if (&instance_->platform_ != &p) throw std::runtime_error("the shim is already attached to another platform");
        return *instance_;
    }
    ++generation_;
    instance_ = new ShimRuntime(p);
    p.add_destroy_hook([] { ShimRuntime::detach(); });
    // The platform's coherency checker: the one attached before the shim, and any that comes or goes later.
    ShimRuntime* rt = instance_;
    rt->checker_follow_ = std::make_unique<ScopedSubscription<CoherencyChecker*>>(
        p.checker_events(), [rt](CoherencyChecker* c) { rt->follow_checker(c); });
    if (p.checker()) rt->follow_checker(p.checker());
    return *instance_;
}

void ShimRuntime::follow_checker(CoherencyChecker* c) {
    if (checker_bridge_) {
        if (observer_ == checker_bridge_.get()) observer_ = nullptr;
        pins_.set_on_destroy(nullptr);
        checker_bridge_.reset();
    }
    if (!c) return;
    if (observer_) {
        std::fprintf(log_, "staleline: the shim already has an observer; the coherency checker is not connected\n");
        return;
    }
    checker_bridge_ = make_checker_bridge(*c);
    observer_ = checker_bridge_.get();
    c->read_pins(&pins_);
    pins_.set_on_destroy([c] { c->read_pins(nullptr); });
}

void ShimRuntime::cap_costs_at_defaults() {
    const Config defaults;
    auto cap = [&](sc_time& cost, const char* key) { cost = std::min(cost, ns(defaults.get_int(key))); };
    cap(syscall_cost_, "shim.syscall_ns");
    cap(pin_page_cost_, "shim.pin_page_ns");
    cap(mmio_extra_cost_, "shim.mmio_extra_ns");
    cap(invalidation_cost_, "iommu.invalidation_ns");
}

ShimRuntime::ShimRuntime(Platform& p) : platform_(p) {
    const Config& cfg = p.config();
    syscall_cost_ = ns(cfg.get_int("shim.syscall_ns"));
    pin_page_cost_ = ns(cfg.get_int("shim.pin_page_ns"));
    mmio_extra_cost_ = ns(cfg.get_int("shim.mmio_extra_ns"));
    invalidation_cost_ = ns(cfg.get_int("iommu.invalidation_ns"));
    allow_invalidate_ = cfg.get_bool("shim.allow_cache_invalidate");
    tlm::tlm_global_quantum::instance().set(ns(cfg.get_int("sim.quantum_ns")));

    // Device addresses: 9 bits per level over 4 KiB pages; BTIs hand them out from a base far
    // above RAM (and never below the top half of a small space), so a physical address given to
    // a device does not translate.
    if (p.iommu().bypass()) {
        aspace_size_ = ~0ULL;
        iova_base_ = 0;
    } else {
        const DeviceAddressRange r = bti_device_addresses(p.iommu().levels());
        aspace_size_ = r.size;
        iova_base_ = r.first;
    }

    // Host address space for VMO buffers: two copies of all of RAM plus BARs, with room to
    // spare since freed ranges are reused only after the rest.
    const uint64_t phys = cfg.get_size("platform.phys_size");
    uint64_t arena = phys > (1ULL << 40) ? (4ULL << 40) : std::max<uint64_t>(4 * phys + (1ULL << 30), 8ULL << 30);
    arena_ = std::make_unique<HostArena>(arena);

    devices_ = std::make_unique<DeviceManager>(*this);
    drivers_ = std::make_unique<DriverLoader>(*this);
    root_vmar_ = std::make_shared<RootVmar>(*this);
    HandleTable::current().add(root_vmar_,
                               ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE,
                               &root_vmar_handle_);
    install_fault_handler();
}

ShimRuntime::~ShimRuntime() = default;

void ShimRuntime::detach() {
    ShimRuntime* rt = instance_;
    if (!rt) return;
    // Tear down while instance_ still names the runtime, so that objects going away return
    // their pages and unmap their pins through the live models.
    rt->root_vmar_->clear();
    HandleTable::reset_current();
    for (auto& fn : rt->functions_) fn.reset();
    rt->functions_.clear();
    rt->root_vmar_.reset();
    rt->pins_.clear();
    SimThread::forget_all();
    instance_ = nullptr;
    delete rt;
}

PciFunction* ShimRuntime::function(unsigned slot) {
    if (slot >= platform_.pci().device_count()) return nullptr;
    if (functions_.size() <= slot) functions_.resize(slot + 1);
    if (!functions_[slot]) functions_[slot] = std::make_unique<PciFunction>(*this, slot);
    return functions_[slot].get();
}

SimThread& ShimRuntime::enter_call() {
    ++counters_.syscalls;
    SimThread& th = SimThread::current();
    th.charge(syscall_cost_);
    return th;
}

void ShimRuntime::spawn(const std::string& name, DriverInstance* driver, std::function<void()> fn) {
    platform_.spawn(name, [driver, fn = std::move(fn)] {
        SimThread& th = SimThread::current();
        th.driver = driver;
        th.shim_thread = true;
        try {
            fn();
        } catch (const ThreadExit&) {
            // thrd_exit(): the thread ends here; its result was recorded by thrd_exit.
        }
        SimThread::current().sync();
        SimThread::forget(sc_get_current_process_b());
    });
}

void ShimRuntime::fault(const std::string& msg) { fault(msg, nullptr); }

void ShimRuntime::fault(const std::string& msg, const void* pc) {
    SimThread& th = SimThread::current();
    std::fprintf(log_, "staleline: driver fault at %llu ns: %s\n", (unsigned long long)th.now_ns(), msg.c_str());
    std::fflush(log_);
    if (observer_) observer_->on_driver_warning("driver-fault", msg, pc, th.now());
    throw DriverFault(msg);
}

void ShimRuntime::warn(const std::string& kind, const std::string& message, const void* pc) {
    SimThread& th = SimThread::current();
    std::string text = message + " (" + describe_call_site(pc) + ")";
    std::fprintf(log_, "staleline: finding [%s] at %llu ns: %s\n", kind.c_str(), (unsigned long long)th.now_ns(),
                 text.c_str());
    std::fflush(log_);
    warnings_.push_back({kind, text, pc, th.now()});
    if (observer_) observer_->on_driver_warning(warnings_.back().kind, warnings_.back().message, pc, th.now());
}

}  // namespace staleline::zx
