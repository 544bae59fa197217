// SystemBus: the CPU side of the platform. Cached RAM accesses go through the CPU cache,
// uncached RAM accesses straight to DRAM, and the ECAM and PCI MMIO windows to the PCI
// host bridge. Anything else is a decode error.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace staleline {

class SystemBus : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<SystemBus> cached_socket;    // CPU accesses through cacheable mappings
    tlm_utils::simple_target_socket<SystemBus> uncached_socket;  // uncached / device mappings
    tlm_utils::simple_initiator_socket<SystemBus> cache_socket;
    tlm_utils::simple_initiator_socket<SystemBus> memory_socket;
    tlm_utils::simple_initiator_socket<SystemBus> pci_socket;

    SystemBus(sc_core::sc_module_name name, uint64_t ram_base, uint64_t ram_size);

    bool is_ram(uint64_t addr, uint64_t len) const {
        return addr >= ram_base_ && len <= ram_size_ && addr - ram_base_ <= ram_size_ - len;
    }
    static bool is_pci(uint64_t addr);

private:
    void route(bool cached, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned route_dbg(bool cached, tlm::tlm_generic_payload& trans);
    void cached_b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& d) { route(true, t, d); }
    void uncached_b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& d) { route(false, t, d); }
    unsigned cached_dbg(tlm::tlm_generic_payload& t) { return route_dbg(true, t); }
    unsigned uncached_dbg(tlm::tlm_generic_payload& t) { return route_dbg(false, t); }
    uint64_t ram_base_, ram_size_;
};

}  // namespace staleline
