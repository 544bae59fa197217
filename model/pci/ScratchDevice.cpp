#include "ScratchDevice.h"

#include <cstring>

namespace staleline {

using namespace sc_core;

ScratchDevice::ScratchDevice(sc_module_name name, uint64_t bar_size)
    : sc_module(name), regs("regs"), dma("dma"), storage_(bar_size, 0) {
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
    trans.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans.set_address(addr);
    trans.set_data_ptr(static_cast<unsigned char*>(data));
    trans.set_data_length((unsigned)len);
    trans.set_streaming_width((unsigned)len);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    dma->b_transport(trans, delay);
    wait(delay);
    return trans.get_response_status();
}

}  // namespace staleline
