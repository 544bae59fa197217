// Memory: the DRAM model. The whole 64-bit physical space is RAM, stored sparsely
// (SparsePages): untouched bytes read as zero. This is the copy of memory that devices
// see; the CPU sees it only through the cache (see cache/Cache.h).
//
// Timing: a transaction of N bytes costs dram.latency_ns + N / dram.bandwidth_gbps,
// added to the caller's delay (loosely timed, no wait() inside). DMI is granted per
// 4 KiB page, read and write.
#pragma once

#include <cstdint>
#include <vector>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "trace/TraceEvent.h"
#include "common/SparsePages.h"
#include "config/Config.h"
#include "memory/MemoryStats.h"
#include "common/StatsSink.h"

namespace staleline {

class Memory : public sc_core::sc_module {
public:
    // Any number of initiators (cache, coherency port, IOMMU walker) bind here.
    tlm_utils::multi_passthrough_target_socket<Memory> socket;

    Memory(sc_core::sc_module_name name, const Config& cfg);  // dram.latency_ns, dram.bandwidth_gbps

    SparsePages& store() { return store_; }  // DRAM contents, direct untimed access
    const SparsePages& store() const { return store_; }

    sc_core::sc_time access_time(size_t len) const;  // latency + len / bandwidth
    sc_core::sc_time latency() const { return latency_; }
    const MemoryStats& stats() const { return stats_; }
    void write_stats(StatsSink::Group& g) const;  // MemoryStats.cpp

    // The socket's entry points, public so that the C API and tests can call them
    // without binding an initiator. Byte enables and streaming width are honoured.
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);

    // Back [pa, pa+len) (page aligned) with host memory, or detach it again, and revoke
    // the DMI pointers of every bound initiator for that range (they point at the old
    // backing).
    void map_host(uint64_t pa, size_t len, uint8_t* host);
    void unmap_host(uint64_t pa, size_t len);
    // Forget [pa, pa+len) (page aligned): it reads as zero again, its memory goes back to the
    // host and DMI pointers into it are revoked. For pages the physical allocator took back.
    void discard(uint64_t pa, size_t len);
    // Tell every bound initiator to drop DMI pointers overlapping [start, end].
    void invalidate_dmi(uint64_t start, uint64_t end);

    // Publish every timed access (its bytes) on ch: the timeline's DRAM bandwidth track.
    void set_trace(TraceEvents* ch) { trace_ = ch; }

private:
    TraceEvents* trace_ = nullptr;
    void b_transport_cb(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) { b_transport(trans, delay); }
    unsigned int transport_dbg_cb(int id, tlm::tlm_generic_payload& trans) { return transport_dbg(trans); }
    bool get_direct_mem_ptr_cb(int id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
        return get_direct_mem_ptr(trans, dmi);
    }
    // Copies the payload's data to/from the store. Returns false (and sets the response)
    // on a malformed payload.
    bool move_data(tlm::tlm_generic_payload& trans);

    SparsePages store_;
    sc_core::sc_time latency_;
    double ps_per_byte_;
    // access_time() of lengths up to a page, computed once each: building an sc_time from a
    // double costs more than the copy it times (every cache fill and write-back asks).
    static constexpr size_t kTimedLengths = 4097;
    mutable std::vector<sc_core::sc_time> time_of_len_;
    mutable std::vector<bool> time_known_;
    MemoryStats stats_;
};

}  // namespace staleline
