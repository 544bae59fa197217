// C API over PciHost, SystemBus and IrqController (staleline/pci.h).
#include "staleline/pci.h"

#include "platform/PlatformHandle.h"

using namespace staleline;

namespace {
int resp_code(tlm::tlm_response_status s) {
    switch (s) {
    case tlm::TLM_OK_RESPONSE: return SL_RESP_OK;
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return SL_RESP_ADDRESS_ERROR;
    case tlm::TLM_GENERIC_ERROR_RESPONSE: return SL_RESP_GENERIC_ERROR;
    default: return SL_RESP_OTHER_ERROR;
    }
}
uint64_t ns(const sc_core::sc_time& t) { return (uint64_t)(t / sc_core::sc_time(1, sc_core::SC_NS)); }
}  // namespace

extern "C" {

unsigned sl_pci_device_count(sl_platform_t* p) { return impl(p).pci().device_count(); }
uint16_t sl_pci_requester_id(unsigned slot) { return PciHost::requester_id(slot); }
int sl_pci_scratch_slot(sl_platform_t* p) { return impl(p).scratch_slot(); }

uint32_t sl_pci_config_read(sl_platform_t* p, unsigned slot, unsigned offset, unsigned size) {
    return impl(p).pci().config_read(slot, offset, size);
}

void sl_pci_config_write(sl_platform_t* p, unsigned slot, unsigned offset, unsigned size, uint32_t value) {
    impl(p).pci().config_write(slot, offset, size, value);
}

int sl_cpu_transport(sl_platform_t* p, int is_write, uint64_t addr, void* data, size_t len, int uncached) {
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    auto s = impl(p).cpu_transport(is_write != 0, addr, data, len, uncached != 0, delay);
    sc_core::wait(delay);
    return resp_code(s);
}

int sl_scratch_dma(sl_platform_t* p, int is_write, uint64_t dev_addr, void* data, size_t len) {
    ScratchDevice* d = impl(p).scratch();
    if (!d) return set_error("no scratch device: set pci.scratch_device=true", "pci.scratch_device"), SL_RESP_OTHER_ERROR;
    return resp_code(d->transfer(is_write != 0, dev_addr, data, len));
}

int sl_device_transport(sl_platform_t* p, uint16_t rid, int is_write, uint64_t dev_addr, void* data, size_t len) {
    return resp_code(impl(p).device_transport(rid, is_write != 0, dev_addr, data, len));
}

void sl_pci_set_intx(sl_platform_t* p, unsigned slot, int level) { impl(p).pci().set_intx(slot, level != 0); }

size_t sl_pci_master_abort_count(sl_platform_t* p) { return impl(p).pci().master_aborts().size(); }

int sl_pci_get_master_abort(sl_platform_t* p, size_t i, sl_pci_master_abort_t* out) {
    const auto& v = impl(p).pci().master_aborts();
    if (i >= v.size()) return -1;
    out->requester = v[i].requester;
    out->address = v[i].address;
    out->is_write = v[i].is_write;
    out->time_ns = ns(v[i].time);
    return 0;
}

uint64_t sl_irq_delivered(sl_platform_t* p, unsigned vector) { return impl(p).irq().delivered(vector); }
int sl_irq_level(sl_platform_t* p, unsigned vector) { return impl(p).irq().level(vector); }

int sl_irq_wait(sl_platform_t* p, unsigned vector, uint64_t timeout_ns) {
    IrqController& irq = impl(p).irq();
    sc_core::sc_time deadline = sc_core::sc_time_stamp() + sc_core::sc_time((double)timeout_ns, sc_core::SC_NS);
    for (;;) {
        if (irq.take_edge(vector) || irq.level(vector)) return 1;
        if (timeout_ns == 0) {
            sc_core::wait(irq.event(vector));
        } else {
            if (sc_core::sc_time_stamp() >= deadline) return 0;
            sc_core::wait(deadline - sc_core::sc_time_stamp(), irq.event(vector));
        }
    }
}

}  // extern "C"
