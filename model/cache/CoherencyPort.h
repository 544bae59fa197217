// CoherencyPort: where device traffic meets memory. Translated device transactions
// (from the IOMMU, or from the PCI host in bypass mode) arrive on device_socket and go
// on to Memory. With platform.coherent=false (the point of Staleline) they pass straight
// through: devices see DRAM only. With platform.coherent=true the CPU cache is snooped
// first (x86-like), which is how coherency bugs hide.
//
// DMI is forwarded to memory only when nothing needs to see each access: not coherent,
// no device-access hook or listener installed and no cache adversary.
//
// On a non-coherent platform the cache hears of every device transaction before and after
// memory does (Cache::device_access_begin/end), which is where cache.adversary acts.
#pragma once

#include <cstdint>
#include <functional>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "cache/Cache.h"
#include "config/Config.h"

namespace staleline {

// One device transaction as memory accepted it (for the coherency checker).
struct DeviceAccess {
    bool is_write;
    uint64_t pa;             // physical address of the first byte
    size_t len;              // bytes touched (a streaming transaction: its window)
    int requester;           // PCI requester id, or -1 when the transaction carries none
    sc_core::sc_time when;   // completion time
};

struct CoherencyPortStats {
    uint64_t device_reads = 0;
    uint64_t device_writes = 0;
    uint64_t bytes_read = 0;
    uint64_t bytes_written = 0;
    uint64_t errors = 0;         // transactions memory answered with an error
    uint64_t dmi_forwarded = 0;  // DMI requests passed on to memory
    uint64_t dmi_refused = 0;
};

class CoherencyPort : public sc_core::sc_module {
public:
    // Called after every device transaction memory accepted: direction, physical
    // range and the simulated time the transaction completed.
    using DeviceAccessHook = std::function<void(bool is_write, uint64_t pa, size_t len, sc_core::sc_time when)>;

    tlm_utils::simple_target_socket<CoherencyPort> device_socket;   // translated device transactions
    tlm_utils::simple_initiator_socket<CoherencyPort> mem_socket;   // to Memory

    CoherencyPort(sc_core::sc_module_name name, const Config& cfg, Cache& cache);  // platform.coherent

    // Installing (or removing) a hook revokes device DMI pointers, so that from now on
    // every access goes through b_transport and is seen.
    void set_device_access_hook(DeviceAccessHook hook);
    // The same, with the requester id (the checker's hook). Revokes DMI pointers likewise.
    using DeviceAccessListener = std::function<void(const DeviceAccess&)>;
    void set_device_access_listener(DeviceAccessListener fn);

    bool coherent() const { return coherent_; }
    const CoherencyPortStats& stats() const { return stats_; }

    // device_socket's entry points, public so the C API can act as a device directly.
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);

private:
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

    Cache& cache_;
    bool coherent_;
    DeviceAccessHook hook_;
    DeviceAccessListener listener_;
    bool watched() const { return hook_ || listener_; }
    CoherencyPortStats stats_;
};

}  // namespace staleline
