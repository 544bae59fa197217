#include "DeviceManager.h"

#include <cstdio>
#include <cstring>

#include "PciFunction.h"
#include "pci/PciHost.h"
#include "ShimRuntime.h"
#include "SimThread.h"
#include "checker/SourceLocator.h"

namespace staleline::zx {

DeviceManager::DeviceManager(ShimRuntime& rt) : rt_(rt) {
    // Which devices are working, for release: the models publish busy and idle.
    activity_ = std::make_unique<ScopedSubscription<DeviceActivityEvent>>(
        rt_.platform().device_activity(), [this](const DeviceActivityEvent& e) {
            if (e.busy) busy_since_.emplace(e.requester, e.time);
            else busy_since_.erase(e.requester);
        });
}

DeviceManager::~DeviceManager() = default;

zx_device_t* DeviceManager::pci_device(unsigned slot) {
    PciFunction* fn = rt_.function(slot);
    if (!fn) return nullptr;
    if (pci_.size() <= slot) pci_.resize(slot + 1, nullptr);
    if (!pci_[slot]) {
        auto dev = std::make_unique<zx_device>();
        char name[32];
        std::snprintf(name, sizeof name, "pci-00:%02x.0", slot);
        dev->name = name;
        dev->ctx = fn;
        dev->proto_id = ZX_PROTOCOL_PCI;
        dev->proto_ops = PciFunction::ops();
        dev->slot = slot;
        pci_[slot] = dev.get();
        devices_.push_back(std::move(dev));
    }
    return pci_[slot];
}

zx_status_t DeviceManager::add(DriverInstance* driver, zx_device_t* parent, const device_add_args_t* args,
                               zx_device_t** out) {
    if (!args || args->version != DEVICE_ADD_ARGS_VERSION) return ZX_ERR_INVALID_ARGS;
    if (!args->ops || args->ops->version != DEVICE_OPS_VERSION) return ZX_ERR_INVALID_ARGS;
    if (!args->name || std::strlen(args->name) > ZX_DEVICE_NAME_MAX) return ZX_ERR_INVALID_ARGS;
    if (!out || !parent) return ZX_ERR_INVALID_ARGS;
    if (parent->removed) return ZX_ERR_BAD_STATE;
    auto dev = std::make_unique<zx_device>();
    dev->name = args->name;
    dev->ctx = args->ctx;
    dev->ops = args->ops;
    dev->proto_id = args->proto_id;
    dev->proto_ops = args->proto_ops;
    dev->parent = parent;
    dev->driver = driver;
    dev->flags = args->flags;
    dev->slot = parent->slot;
    dev->visible = !(args->flags & DEVICE_ADD_INVISIBLE);
    if (args->props && args->prop_count) dev->props.assign(args->props, args->props + args->prop_count);
    parent->children.push_back(dev.get());
    *out = dev.get();
    devices_.push_back(std::move(dev));
    return ZX_OK;
}

void DeviceManager::mark_removed(zx_device_t* dev) {
    if (dev->removed) return;
    dev->removed = true;
    // Children go first, each through its unbind hook if it has one (which should call
    // device_remove() on it), as the device manager unbinds a subtree.
    for (zx_device* child : dev->children) {
        if (child->removed) continue;
        if (child->ops && child->ops->unbind) child->ops->unbind(child->ctx);
        if (!child->removed) mark_removed(child);
    }
    releases_.push_back(dev);
}

zx_status_t DeviceManager::remove(zx_device_t* dev) {
    if (!dev) return ZX_ERR_INVALID_ARGS;
    if (dev->removed) return ZX_ERR_BAD_STATE;
    mark_removed(dev);
    // Release hooks run later, on their own thread, never inside the caller's hook.
    if (!flusher_scheduled_ && sc_core::sc_is_running()) {
        flusher_scheduled_ = true;
        rt_.spawn("devmgr_release", nullptr, [this] {
            flusher_scheduled_ = false;
            flush_releases();
        });
    }
    return ZX_OK;
}

void DeviceManager::flush_releases() {
    while (!releases_.empty()) {
        zx_device* dev = releases_.front();
        releases_.pop_front();
        if (dev->released) continue;
        dev->released = true;
        if (dev->ops && dev->ops->release) {
            SimThread& th = SimThread::current();
            DriverInstance* saved = th.driver;
            th.driver = dev->driver;
            dev->ops->release(dev->ctx);
            th.driver = saved;
            check_bus_master_off(dev);
        }
    }
}

void DeviceManager::check_bus_master_off(zx_device_t* dev) {
    // The driver's device on the PCI function, the last of them released: the function is the
    // driver's no longer, and a device still able to master the bus may write memory that is
    // being given back (Zircon's intel-ethernet learned this at 03691e7). A device still working
    // has DMA in flight into memory release is giving back, whether or not it may still master.
    zx_device* parent = dev->parent;
    if (!parent || parent->driver || parent->proto_id != ZX_PROTOCOL_PCI) return;
    for (const zx_device* sibling : parent->children)
        if (sibling != dev && !sibling->released) return;
    PciFunction* fn = rt_.function(dev->slot);
    if (!fn) return;
    const bool mastering = rt_.platform().pci().config_space(dev->slot).bus_master();
    const auto busy = busy_since_.find(PciHost::requester_id(dev->slot));
    if (!mastering && busy == busy_since_.end()) return;
    std::string msg = "release of device '" + dev->name + "' returned ";
    if (busy != busy_since_.end()) {
        msg += "with DMA in flight: the device on PCI slot " + std::to_string(dev->slot) + " has been working since " +
               std::to_string((unsigned long long)(busy->second / sc_core::sc_time(1, sc_core::SC_NS))) + " ns and is not done";
        msg += mastering ? ", and bus mastering is still enabled" : " (its next access is refused: bus mastering is off)";
    } else {
        msg += "with bus mastering still enabled on PCI slot " + std::to_string(dev->slot);
    }
    if (mastering)
        if (const void* at = fn->bus_master_enabled_at()) msg += " (enabled at " + describe_call_site(at) + ")";
    msg += busy != busy_since_.end() ? "; stop the device and wait until it is idle, then disable bus mastering with "
                                       "pci_enable_bus_master(..., false), before unpinning"
                                     : "; disable it with pci_enable_bus_master(..., false) after stopping the device";
    // The location is the release hook itself (its first line): a return address one past the
    // function's entry resolves to it.
    rt_.warn("bus-master-left-enabled", msg, (const char*)(const void*)dev->ops->release + 1);
}

zx_device_t* DeviceManager::find(const std::string& name) const {
    for (const auto& d : devices_)
        if (!d->removed && d->name == name) return d.get();
    return nullptr;
}

std::vector<zx_device_t*> DeviceManager::devices_of(const DriverInstance* driver) const {
    std::vector<zx_device_t*> out;
    for (const auto& d : devices_)
        if (d->driver == driver) out.push_back(d.get());
    return out;
}

std::vector<zx_device_t*> DeviceManager::all() const {
    std::vector<zx_device_t*> out;
    for (const auto& d : devices_) out.push_back(d.get());
    return out;
}

}  // namespace staleline::zx
