// Response mapping between AXI and TLM-2.0, both ways:
//   TLM_OK_RESPONSE            <-> OKAY (EXOKAY too: no exclusive access at the TLM side)
//   TLM_ADDRESS_ERROR_RESPONSE <-> DECERR (nothing at that address: IOMMU fault, decode miss)
//   any other TLM error        <-> SLVERR (the target refused: bus mastering off, bad size, ...)
#pragma once

#include <tlm>

#include "bridge/AxiBurst.h"

namespace staleline {

inline AxiResp axi_resp_of(tlm::tlm_response_status s) {
    switch (s) {
    case tlm::TLM_OK_RESPONSE: return AxiResp::Okay;
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return AxiResp::DecErr;
    default: return AxiResp::SlvErr;  // generic, command, burst, byte-enable errors; incomplete
    }
}

inline tlm::tlm_response_status tlm_resp_of(AxiResp r) {
    switch (r) {
    case AxiResp::Okay:
    case AxiResp::ExOkay: return tlm::TLM_OK_RESPONSE;
    case AxiResp::DecErr: return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    default: return tlm::TLM_GENERIC_ERROR_RESPONSE;
    }
}

}  // namespace staleline
