// ShimRuntime: the Zircon/DDK shim attached to a Platform. One per process (a platform is one
// per process too). It owns what the simulated kernel owns: the host arena of VMO buffers, the
// root VMAR, the PCI functions (with their BTI, BAR and interrupts), the device tree, the pin
// registry and the loaded drivers. Handles live in HandleTable::current().
//
// Lifetime: attach() once the platform exists (before or during the run); the runtime detaches
// itself when the platform is destroyed (Platform::add_destroy_hook), closing every handle and
// returning every page while the models still exist.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemc>

#include "platform/Platform.h"

#include "HostArena.h"
#include "PinRegistry.h"
#include "ShimObserver.h"

#include <zircon/types.h>

struct zx_device;

namespace staleline::zx {

class DeviceManager;
class DriverInstance;
class DriverLoader;
class SimThread;
class PciFunction;
class RootVmar;

// A driver did something the simulated kernel would kill it for (a raw dereference of a BAR
// pointer, an access to unmapped VMO memory ...). Thrown from the driver's thread; the
// simulation stops and sl_platform_run() reports the message.
class DriverFault : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ShimRuntime {
public:
    // Attach the shim to p (idempotent for the same platform). Throws std::runtime_error when
    // another platform is attached or the host refuses the address space.
    static ShimRuntime& attach(Platform& p);
    // The attached runtime, or nullptr.
    static ShimRuntime* get() { return instance_; }
    // Detach now (also done by the platform's destructor).
    static void detach();
    // Incremented by every attach: objects remember it to know whether their runtime still exists.
    static uint64_t generation() { return generation_; }
    static bool alive(uint64_t gen) { return instance_ && generation_ == gen; }

    Platform& platform() { return platform_; }
    HostArena& arena() { return *arena_; }
    PinRegistry& pins() { return pins_; }
    RootVmar& root_vmar() { return *root_vmar_; }
    zx_handle_t root_vmar_handle() const { return root_vmar_handle_; }
    DeviceManager& devices() { return *devices_; }
    DriverLoader& drivers() { return *drivers_; }
    // The shim's view of PCI slot `slot` (created on first use); nullptr if the slot is empty.
    PciFunction* function(unsigned slot);

    // Configuration (shim.*, sim.quantum_ns).
    const sc_core::sc_time& syscall_cost() const { return syscall_cost_; }
    const sc_core::sc_time& pin_page_cost() const { return pin_page_cost_; }
    // iommu.invalidation_ns: charged per IOTLB invalidation command a pin or unpin issues.
    const sc_core::sc_time& invalidation_cost() const { return invalidation_cost_; }
    const sc_core::sc_time& mmio_extra_cost() const { return mmio_extra_cost_; }
    bool allow_cache_invalidate() const { return allow_invalidate_; }
    // The shim's own costs above are at most their defaults from now on
    // (sl_shim_cap_costs_at_defaults).
    void cap_costs_at_defaults();
    // Bytes the device address space of a BTI covers (2^(12 + 9 * iommu.levels); bypass: 2^64 - 1).
    uint64_t device_aspace_size() const { return aspace_size_; }
    uint64_t iova_base() const { return iova_base_; }

    ShimObserver* observer() const { return observer_; }
    void set_observer(ShimObserver* o) { observer_ = o; }
    // Connects the shim to checker c (the platform's, when it attaches; nullptr when it goes):
    // the checker hears of the driver's accesses, cache operations, MMIO and pins, and reads the
    // pin registry directly. A test's own observer is kept (and the checker is not connected).
    void follow_checker(CoherencyChecker* c);

    // Where driver log lines (zxlogf) go; stderr by default.
    FILE* log_file() const { return log_; }
    void set_log_file(FILE* f) { log_ = f ? f : stderr; }

    // Common entry of every shim call: counts it and charges shim.syscall_ns to the calling
    // thread, whose record it returns.
    SimThread& enter_call();

    // Start fn as a simulated thread running code of driver (may be null); a thrd_exit() in it
    // ends the thread. Uses Platform::spawn (8 MiB stack).
    void spawn(const std::string& name, DriverInstance* driver, std::function<void()> fn);

    // Raise a DriverFault with msg (also written to the log). The observer is told first, with
    // pc (the faulting instruction or the call, as a return address; null: unknown), so the
    // fault is a `driver-fault` finding at the driver's line.
    [[noreturn]] void fault(const std::string& msg);
    [[noreturn]] void fault(const std::string& msg, const void* pc);

    // A misuse of the API that Fuchsia accepts but that breaks the driver on real hardware (a
    // BAR mapped with a cacheable policy): the run goes on, the warning is logged with the
    // source line of pc and kept for the run's report, and the observer is told.
    struct DriverWarning {
        std::string kind;     // stable name, e.g. "cached-bar-mapping"
        std::string message;  // includes the source location
        const void* pc;       // return address of the call in driver code
        sc_core::sc_time when;
    };
    void warn(const std::string& kind, const std::string& message, const void* pc);
    const std::vector<DriverWarning>& warnings() const { return warnings_; }

    // Counters for statistics.
    struct Counters {
        uint64_t syscalls = 0;
        uint64_t hook_calls = 0;       // instrumentation hooks that fell into simulated memory
        uint64_t observed_accesses = 0;
        uint64_t mmio_reads = 0, mmio_writes = 0, mmio_errors = 0;
        uint64_t vmos_created = 0, pins = 0, unpins = 0;
    };
    Counters& counters() { return counters_; }

    ~ShimRuntime();

private:
    explicit ShimRuntime(Platform& p);
    static ShimRuntime* instance_;
    static uint64_t generation_;

    Platform& platform_;
    std::unique_ptr<HostArena> arena_;
    PinRegistry pins_;
    std::shared_ptr<RootVmar> root_vmar_;
    zx_handle_t root_vmar_handle_ = ZX_HANDLE_INVALID;
    std::unique_ptr<DeviceManager> devices_;
    std::unique_ptr<DriverLoader> drivers_;
    std::vector<std::unique_ptr<PciFunction>> functions_;
    sc_core::sc_time syscall_cost_, pin_page_cost_, mmio_extra_cost_, invalidation_cost_;
    bool allow_invalidate_;
    uint64_t aspace_size_, iova_base_;
    ShimObserver* observer_ = nullptr;
    FILE* log_ = stderr;
    Counters counters_;
    std::vector<DriverWarning> warnings_;
    // The platform's coherency checker, followed (follow_checker): the bridge that tells it what
    // the driver does, and the subscription that says when it comes and goes.
    std::unique_ptr<ShimObserver> checker_bridge_;
    std::unique_ptr<ScopedSubscription<CoherencyChecker*>> checker_follow_;
};

}  // namespace staleline::zx
