// BtiPinCheck: zx_bti_pin's argument checks as a pure function, so the shim and the tests
// share one definition of which status a call gets.
//
// The reference page (docs/reference/syscalls/bti_pin.md) lists the errors without an order;
// the order here is the Zircon kernel's (sys_bti_pin, BusTransactionInitiatorDispatcher::Pin,
// the IOMMU's Map, PinnedMemoryTokenDispatcher::EncodeAddrs). The shim resolves the handles
// around it:
//   1. BTI handle: ZX_OBJ_TYPE_BTI with ZX_RIGHT_MAP          (HandleTable::get)
//   2. bti_pin_range_aligned(offset, size), else INVALID_ARGS
//   3. VMO handle: ZX_OBJ_TYPE_VMO, any rights                 (HandleTable::get)
//   4. check_bti_pin(request, target): everything else, in order.
#pragma once

#include <zircon/types.h>

#include <cstddef>
#include <cstdint>

namespace staleline::zx {

// The caller's arguments.
struct BtiPinRequest {
    uint32_t options = 0;
    uint64_t offset = 0;
    uint64_t size = 0;
    size_t addrs_count = 0;
    bool addrs_given = true;  // addrs != NULL
    bool pmt_given = true;    // pmt != NULL
};

// What the shim knows about the objects behind the handles.
struct BtiPinTarget {
    zx_rights_t vmo_rights = 0;
    uint64_t vmo_size = 0;
    bool vmo_contiguous = false;            // created by zx_vmo_create_contiguous
    uint64_t minimum_contiguity = ZX_PAGE_SIZE;  // ZX_INFO_BTI; a power of two >= ZX_PAGE_SIZE
    bool bti_quarantine_empty = true;       // false: new pins get ZX_ERR_BAD_STATE
};

// What a valid call does.
struct BtiPinPlan {
    uint32_t device_perms = 0;   // ZX_BTI_PERM_* granted to the device
    bool compress = false;       // ZX_BTI_COMPRESS
    bool contiguous = false;     // ZX_BTI_CONTIGUOUS
    size_t addrs_count = 0;      // entries written to addrs
    uint64_t run_bytes = 0;      // bytes each entry stands for (the last one may be shorter)
};

struct BtiPinCheck {
    zx_status_t status = ZX_OK;
    const char* reason = "";     // which rule failed, for messages and findings
    BtiPinPlan plan;             // meaningful when status == ZX_OK
};

// "offset must be aligned to page boundaries"; the kernel checks size alike.
bool bti_pin_range_aligned(uint64_t offset, uint64_t size);

// Entries zx_bti_pin writes for size bytes: "1. If neither is set, one per page
// (size / PAGE_SIZE). 2. If ZX_BTI_COMPRESS is set, size/minimum-contiguity, rounded up ...
// 3. If ZX_BTI_CONTIGUOUS is set, the single address of the start of the memory."
// 0 when minimum_contiguity is not a power of two >= ZX_PAGE_SIZE.
size_t bti_pin_addrs_count(bool compress, bool contiguous, uint64_t size, uint64_t minimum_contiguity);

// All checks after the handles have been resolved (alignment included, so the function is
// complete on its own). Never fails on bad input: a malformed target (minimum_contiguity not
// a power of two >= ZX_PAGE_SIZE) gives ZX_ERR_INTERNAL.
BtiPinCheck check_bti_pin(const BtiPinRequest& request, const BtiPinTarget& target);

}  // namespace staleline::zx
