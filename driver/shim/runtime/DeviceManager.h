// DeviceManager: the simulated device tree. Each PCI slot has a parent device offering
// ZX_PROTOCOL_PCI (its PciFunction); drivers publish children with device_add(), whose
// name, context, hooks and protocol a workload then uses (find(), the device's protocol ops).
//
// device_remove() marks a device (and its children) removed and queues its release hook;
// queued release hooks run on a separate simulated thread, after the call that removed the
// device has returned, as the device manager does (or at once in flush_releases()).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include <ddk/binding.h>
#include <ddk/device.h>
#include <ddk/driver.h>

#include "common/EventChannel.h"
#include "device/DeviceActivity.h"

namespace staleline::zx {
class DriverInstance;
class ShimRuntime;
}  // namespace staleline::zx

// The opaque zx_device_t of ddk/driver.h.
struct zx_device {
    std::string name;
    void* ctx = nullptr;
    zx_protocol_device_t* ops = nullptr;
    uint32_t proto_id = 0;
    void* proto_ops = nullptr;
    zx_device* parent = nullptr;
    std::vector<zx_device*> children;
    staleline::zx::DriverInstance* driver = nullptr;  // null for the bus's own devices
    std::vector<zx_device_prop_t> props;
    uint32_t flags = 0;
    unsigned slot = 0;       // PCI slot the device sits under
    bool visible = true;
    bool removed = false;
    bool released = false;
};

namespace staleline::zx {

class DeviceManager {
public:
    explicit DeviceManager(ShimRuntime& rt);
    ~DeviceManager();

    // The device node of PCI slot `slot` (created on first use); nullptr if the slot is empty.
    zx_device_t* pci_device(unsigned slot);

    // device_add_from_driver (errors as documented in ddk/driver.h).
    zx_status_t add(DriverInstance* driver, zx_device_t* parent, const device_add_args_t* args, zx_device_t** out);
    // device_remove: mark dev and its subtree removed (children first: unbind hook if they have
    // one, else removed directly) and queue release hooks.
    zx_status_t remove(zx_device_t* dev);
    // Run every queued release hook now, on the calling thread.
    void flush_releases();
    size_t pending_releases() const { return releases_.size(); }

    // The first device (not removed) with this name, or nullptr.
    zx_device_t* find(const std::string& name) const;
    std::vector<zx_device_t*> devices_of(const DriverInstance* driver) const;
    std::vector<zx_device_t*> all() const;

private:
    void mark_removed(zx_device_t* dev);
    // After dev's release hook: a bus-master-left-enabled finding when dev was the last device
    // of its driver on a PCI function and bus mastering is still on, or the device is still
    // working (DMA in flight).
    void check_bus_master_off(zx_device_t* dev);

    ShimRuntime& rt_;
    std::vector<std::unique_ptr<zx_device>> devices_;  // every device ever added, in order
    std::vector<zx_device*> pci_;                      // per slot
    std::deque<zx_device*> releases_;
    bool flusher_scheduled_ = false;
    // Devices working now (their DeviceActivity), by requester id: since when.
    std::map<uint16_t, sc_core::sc_time> busy_since_;
    std::unique_ptr<ScopedSubscription<DeviceActivityEvent>> activity_;
};

}  // namespace staleline::zx
