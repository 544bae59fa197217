#include "ScratchDevice.h"
#include "common/Payload.h"

#include <cstring>

#include "config/Config.h"
#include "pci/PciHost.h"

namespace staleline {

using namespace sc_core;

const sl_device_kind_t* ScratchDevice::device_kind() {
    static const sl_device_kind_t k = {
        SL_DEVICE_ABI_VERSION, "scratch", "plain register BAR + DMA master, no RTL (tests and tools)",
        0x1b36, 0x5c00, 0x088000, 1, 4096, true, 1, 0, nullptr, nullptr, nullptr, 0, 0, {}};
    return &k;
}

std::unique_ptr<PciDevice> ScratchDevice::make(const DeviceContext& ctx) {
    if (!ctx.spec.keys.empty())
        throw ConfigError("platform.devices", "device '" + ctx.spec.name + "' (scratch): unknown key '" +
                                                  ctx.spec.keys.begin()->first + "'");
    return std::make_unique<ScratchDevice>(ctx.spec.name.c_str(), ctx.info.bar0_size, ctx.slot);
}

void ScratchDevice::bind(PciHost& host) {
    host.bar_socket.bind(regs);
    dma.bind(host.upstream_socket);
}

ScratchDevice::ScratchDevice(sc_module_name name, uint64_t bar_size, unsigned slot)
    : sc_module(name), PciDevice((const char*)name, "scratch", slot), regs("regs"), dma("dma"), storage_(bar_size, 0) {
    regs.register_b_transport(this, &ScratchDevice::b_transport);
    regs.register_transport_dbg(this, &ScratchDevice::transport_dbg);
}

void ScratchDevice::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
    ++accesses_;
    delay += sc_time(4, SC_NS);  // register file access inside the device
    transport_dbg(trans);
}

unsigned ScratchDevice::transport_dbg(tlm::tlm_generic_payload& trans) {
    uint64_t a = trans.get_address();
    unsigned len = trans.get_data_length();
    if (a + len > storage_.size()) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return 0;
    }
    if (trans.is_read()) std::memcpy(trans.get_data_ptr(), &storage_[a], len);
    else std::memcpy(&storage_[a], trans.get_data_ptr(), len);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return len;
}

tlm::tlm_response_status ScratchDevice::transfer(bool is_write, uint64_t addr, void* data, size_t len) {
    tlm::tlm_generic_payload trans;
    prepare_payload(trans, is_write, addr, data, len);
    sc_time delay = SC_ZERO_TIME;
    dma->b_transport(trans, delay);
    wait(delay);
    return trans.get_response_status();
}

}  // namespace staleline
