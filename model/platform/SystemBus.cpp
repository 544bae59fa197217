#include "SystemBus.h"

#include "pci/PciHost.h"

namespace staleline {

using namespace sc_core;

SystemBus::SystemBus(sc_module_name name, uint64_t ram_base, uint64_t ram_size)
    : sc_module(name),
      cached_socket("cached_socket"),
      uncached_socket("uncached_socket"),
      cache_socket("cache_socket"),
      memory_socket("memory_socket"),
      pci_socket("pci_socket"),
      ram_base_(ram_base),
      ram_size_(ram_size) {
    cached_socket.register_b_transport(this, &SystemBus::cached_b_transport);
    uncached_socket.register_b_transport(this, &SystemBus::uncached_b_transport);
    cached_socket.register_transport_dbg(this, &SystemBus::cached_dbg);
    uncached_socket.register_transport_dbg(this, &SystemBus::uncached_dbg);
}

bool SystemBus::is_pci(uint64_t a) {
    return (a >= PciHost::kEcamBase && a - PciHost::kEcamBase < PciHost::kEcamSize) ||
           (a >= PciHost::kMmioBase && a - PciHost::kMmioBase < PciHost::kMmioSize);
}

void SystemBus::route(bool cached, tlm::tlm_generic_payload& t, sc_time& d) {
    uint64_t a = t.get_address();
    if (is_ram(a, t.get_data_length())) {
        if (cached) cache_socket->b_transport(t, d);
        else memory_socket->b_transport(t, d);
    } else if (is_pci(a)) {
        pci_socket->b_transport(t, d);
    } else {
        t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    }
}

unsigned SystemBus::route_dbg(bool cached, tlm::tlm_generic_payload& t) {
    uint64_t a = t.get_address();
    if (is_ram(a, t.get_data_length())) return cached ? cache_socket->transport_dbg(t) : memory_socket->transport_dbg(t);
    if (is_pci(a)) return pci_socket->transport_dbg(t);
    return 0;
}

}  // namespace staleline
