// prepare_payload: a plain TLM read or write of len bytes at addr, ready for b_transport (every
// model and C API that issues a transaction starts from this).
#pragma once

#include <cstddef>
#include <cstdint>

#include <tlm>

namespace staleline {

inline void prepare_payload(tlm::tlm_generic_payload& t, bool is_write, uint64_t addr, void* data, size_t len) {
    t.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    t.set_address(addr);
    t.set_data_ptr(static_cast<unsigned char*>(data));
    t.set_data_length((unsigned)len);
    t.set_streaming_width((unsigned)len);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

}  // namespace staleline
