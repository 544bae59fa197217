// Platform: the assembled system. It builds every model from a Config and binds them:
//
//   CPU threads --> SystemBus --cached--> Cache --> Memory
//                       |   --uncached-------------> Memory
//                       +--> PciHost --BAR--> devices
//   devices --upstream--> PciHost --> Iommu --> CoherencyPort --> Memory
//                                       +--walks------------------> Memory
//
// The devices are the configuration's device list (platform.devices, `--device`), each a
// kind from DeviceKinds in its PCI slot; they publish busy/idle on device_activity().
//
// Only one Platform can exist per process (SystemC elaborates once).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "cache/Cache.h"
#include "cache/CoherencyPort.h"
#include "common/EventChannel.h"
#include "config/Config.h"
#include "iommu/Iommu.h"
#include "irq/IrqController.h"
#include "memory/Memory.h"
#include "device/DeviceActivity.h"
#include "device/DeviceKinds.h"
#include "device/PciDevice.h"
#include "pci/PciHost.h"
#include "pci/ScratchDevice.h"
#include "platform/PhysAllocator.h"
#include "platform/SystemBus.h"
#include "trace/TraceEvent.h"

struct json_t;

namespace staleline {

class CoherencyChecker;

// The CPU's initiator: shim, C API and tests issue CPU-side transactions through it.
class CpuPort : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<CpuPort> cached;
    tlm_utils::simple_initiator_socket<CpuPort> uncached;
    explicit CpuPort(sc_core::sc_module_name name) : sc_module(name), cached("cached"), uncached("uncached") {}
};

class Platform {
public:
    explicit Platform(const Config& cfg);  // throws ConfigError on a bad configuration
    ~Platform();
    Platform(const Platform&) = delete;
    Platform& operator=(const Platform&) = delete;

    const Config& config() const { return cfg_; }
    uint64_t seed() const { return (uint64_t)cfg_.get_int("sim.seed"); }

    Memory& memory() { return *memory_; }
    Cache& cache() { return *cache_; }
    CoherencyPort& coherency() { return *coherency_; }
    Iommu& iommu() { return *iommu_; }
    IrqController& irq() { return *irq_; }
    PciHost& pci() { return *pci_; }
    PhysAllocator& phys() { return *phys_; }
    SystemBus& bus() { return *bus_; }
    // The devices in slot order (devices()[i]->slot() == i).
    const std::vector<std::unique_ptr<PciDevice>>& devices() const { return devices_; }
    // The first device of kind `kind`, or nullptr.
    PciDevice* device_of_kind(const std::string& kind) const;
    PciDevice* device_named(const std::string& name) const;
    DeviceActivity& device_activity() { return activity_; }
    // The coherency checker attached to this platform, or nullptr. The checker registers itself
    // (at most one); whoever follows it (the driver shim) subscribes to checker_events(): the
    // checker when it attaches, nullptr when it goes.
    CoherencyChecker* checker() const { return checker_; }
    EventChannel<CoherencyChecker*>& checker_events() { return checker_events_; }
    void set_checker(CoherencyChecker* c) {
        checker_ = c;
        checker_events_.publish(c);
    }
    // What the models did, as it happens (trace/TraceEvent.h): the timeline and the latency
    // breakdown subscribe; models publish only while someone does.
    TraceEvents& trace() { return trace_; }
    DeviceKinds& device_kinds() { return kinds_; }
    // The scratch device (pci.scratch_device=true or kind "scratch"), or nullptr / -1.
    ScratchDevice* scratch() const { return dynamic_cast<ScratchDevice*>(device_of_kind("scratch")); }
    int scratch_slot() const { return scratch() ? (int)scratch()->slot() : -1; }

    // A CPU-side transaction issued now by the calling simulated thread; the cost is
    // added to `delay` (the caller decides when to synchronise).
    tlm::tlm_response_status cpu_transport(bool is_write, uint64_t addr, void* data, size_t len, bool uncached,
                                           sc_core::sc_time& delay);
    // A device-side transaction from requester `rid`, through the PCI host and the IOMMU;
    // waits for its completion.
    tlm::tlm_response_status device_transport(uint16_t rid, bool is_write, uint64_t dev_addr, void* data, size_t len);

    // Simulated threads and running.
    // external: started through the C API (sl_platform_spawn), not by the driver runtime.
    void spawn(const std::string& name, std::function<void()> fn, bool external = false);
    // Run until nothing is left to do (or for limit of simulated time). Throws on errors.
    void run(const sc_core::sc_time& limit);
    unsigned threads_running() const { return threads_running_; }
    // Ends the spawned threads still suspended (a run stopped by a limit, or one that never
    // finished) by unwinding their stacks, so that what their frames hold is released; only
    // the external ones if external_only. ~Platform calls it first for all. Returns how many
    // were ended; -1 when the kernel cannot run (not started, stopped, after an error) or
    // when called from inside a simulated thread.
    int unwind_threads(bool external_only = false);

    // Statistics of every model, as a new JSON object (caller owns the reference).
    json_t* stats_json() const;

    // Called first thing in ~Platform, in the order added, while every model still exists
    // (the driver shim releases its VMOs and pins here).
    void add_destroy_hook(std::function<void()> fn) { destroy_hooks_.push_back(std::move(fn)); }

private:
    // The device list from the configuration, each spec named and placed in its slot.
    std::vector<DeviceSpec> device_list() const;
    void add_devices();

    Config cfg_;
    std::unique_ptr<PhysAllocator> phys_;
    std::unique_ptr<Memory> memory_;
    std::unique_ptr<Cache> cache_;
    std::unique_ptr<CoherencyPort> coherency_;
    std::unique_ptr<Iommu> iommu_;
    std::unique_ptr<IrqController> irq_;
    std::unique_ptr<PciHost> pci_;
    std::unique_ptr<SystemBus> bus_;
    std::unique_ptr<CpuPort> cpu_;
    DeviceActivity activity_;
    CoherencyChecker* checker_ = nullptr;
    EventChannel<CoherencyChecker*> checker_events_;
    TraceEvents trace_;
    DeviceKinds kinds_;
    std::vector<std::unique_ptr<PciDevice>> devices_;
    unsigned threads_running_ = 0;
    // The spawned threads (terminated ones pruned as the list grows), for unwind_threads().
    struct Spawned {
        sc_core::sc_process_handle handle;
        bool external;
    };
    std::vector<Spawned> threads_;
    size_t threads_prune_at_ = 64;
    std::vector<std::function<void()>> destroy_hooks_;
};

}  // namespace staleline
