// ShimObserver: how the coherency checker (and tracing) follow what the driver does through
// the shim. Every hook has an empty default; install one with ShimRuntime::set_observer().
// Times are the calling thread's simulated time (kernel time plus its local offset); pc is
// the return address into driver code of the call or access (0 when unknown).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <systemc>

namespace staleline::zx {

class Vmo;
struct PinRecord;

// How a CPU access reached the cache model.
enum class AccessPath : uint8_t {
    Instrumented,  // a plain load/store of driver code (__tsan_readN/writeN, atomics)
    MemFunction,   // memcpy/memset/memmove called by the driver (sl_driver_mem*)
    VmoCall,       // zx_vmo_read / zx_vmo_write
    SyscallOut,    // a system call storing its results (copy_to_user: addrs, records, handles)
};

struct CpuAccess {
    const Vmo* vmo;
    uint64_t vmo_offset;
    uint64_t pa;           // physical address of the first byte (the access stays in one page)
    size_t len;
    bool is_write;
    bool cached;           // false: an uncached mapping, straight to DRAM
    AccessPath path;
    const void* pc;
    sc_core::sc_time when;
};

// A cache operation the driver asked for (zx_vmo_op_range, zx_cache_flush), one physically
// contiguous piece at a time.
struct CacheOpEvent {
    const Vmo* vmo;
    uint64_t vmo_offset;
    uint64_t pa;
    size_t len;
    bool clean;
    bool invalidate;
    bool by_address;       // zx_cache_flush rather than zx_vmo_op_range
    const void* pc;
    sc_core::sc_time when;
};

// A readb/w/l/ll or writeb/w/l/ll of a mapped BAR (the doorbell a device error is blamed on).
struct MmioAccess {
    unsigned slot;         // PCI slot of the device
    uint64_t offset;       // register offset in BAR0
    unsigned size;
    bool is_write;
    const void* pc;
    sc_core::sc_time when;  // when the device sees it
};

class ShimObserver {
public:
    virtual ~ShimObserver() = default;
    virtual void on_cpu_access(const CpuAccess&) {}
    virtual void on_cache_op(const CacheOpEvent&) {}
    virtual void on_mmio(const MmioAccess&) {}
    // A pin was made; its record stays valid for the life of the runtime.
    virtual void on_pin(const PinRecord&) {}
    // A pin's state changed (unpinned, quarantined, released from quarantine).
    virtual void on_pin_state(const PinRecord&) {}
    virtual void on_vmo_created(const Vmo&) {}
    // Called before the VMO's pages go back to the allocator.
    virtual void on_vmo_destroyed(const Vmo&) {}
    // A misuse the simulated kernel accepts (ShimRuntime::warn): kind, message with the
    // source location, pc of the call.
    virtual void on_driver_warning(const std::string&, const std::string&, const void*, sc_core::sc_time) {}
};

}  // namespace staleline::zx
