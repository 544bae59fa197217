// RequesterId: the PCI requester id (bus/device/function) a device-initiated TLM
// transaction carries upstream, so that the IOMMU can pick that device's page tables.
#pragma once

#include <tlm>

namespace staleline {

struct RequesterId : tlm::tlm_extension<RequesterId> {
    uint16_t rid = 0;
    explicit RequesterId(uint16_t r = 0) : rid(r) {}
    tlm_extension_base* clone() const override { return new RequesterId(rid); }
    void copy_from(const tlm_extension_base& ext) override { rid = static_cast<const RequesterId&>(ext).rid; }
};

// The requester id of a transaction, or -1 when it carries none.
inline int requester_of(tlm::tlm_generic_payload& trans) {
    RequesterId* ext = nullptr;
    trans.get_extension(ext);
    return ext ? ext->rid : -1;
}

}  // namespace staleline
