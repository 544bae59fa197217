#include "BtiPinCheck.h"

namespace staleline::zx {

namespace {
bool valid_contiguity(uint64_t c) { return c >= ZX_PAGE_SIZE && (c & (c - 1)) == 0; }

BtiPinCheck fail(zx_status_t status, const char* reason) {
    BtiPinCheck check;
    check.status = status;
    check.reason = reason;
    return check;
}
}  // namespace

bool bti_pin_range_aligned(uint64_t offset, uint64_t size) {
    return (offset & ZX_PAGE_MASK) == 0 && (size & ZX_PAGE_MASK) == 0;
}

size_t bti_pin_addrs_count(bool compress, bool contiguous, uint64_t size, uint64_t minimum_contiguity) {
    if (compress) {
        if (!valid_contiguity(minimum_contiguity)) return 0;
        return static_cast<size_t>(size / minimum_contiguity + (size % minimum_contiguity != 0));
    }
    if (contiguous) return 1;
    return static_cast<size_t>(size / ZX_PAGE_SIZE);
}

BtiPinCheck check_bti_pin(const BtiPinRequest& req, const BtiPinTarget& target) {
    if (!valid_contiguity(target.minimum_contiguity)) {
        return fail(ZX_ERR_INTERNAL, "BTI minimum contiguity is not a power of two >= page size");
    }

    // "ZX_ERR_INVALID_ARGS ... offset or size is not page-aligned."
    if (!bti_pin_range_aligned(req.offset, req.size)) {
        return fail(ZX_ERR_INVALID_ARGS, "offset or size is not page aligned");
    }

    // "vmo must be of type ZX_OBJ_TYPE_VMO and have ZX_RIGHT_MAP."
    if (!(target.vmo_rights & ZX_RIGHT_MAP)) {
        return fail(ZX_ERR_ACCESS_DENIED, "vmo handle lacks ZX_RIGHT_MAP");
    }

    // "In order for the call to succeed, vmo must have the READ/WRITE rights corresponding to
    // the permissions flags set in options. (Note: ZX_BTI_PERM_EXECUTE requires ZX_RIGHT_READ,
    // not ZX_RIGHT_EXECUTE.)"
    uint32_t options = req.options;
    BtiPinPlan plan;
    if (options & ZX_BTI_PERM_READ) {
        if (!(target.vmo_rights & ZX_RIGHT_READ)) {
            return fail(ZX_ERR_ACCESS_DENIED, "ZX_BTI_PERM_READ needs ZX_RIGHT_READ on the vmo");
        }
        plan.device_perms |= ZX_BTI_PERM_READ;
        options &= ~ZX_BTI_PERM_READ;
    }
    if (options & ZX_BTI_PERM_WRITE) {
        if (!(target.vmo_rights & ZX_RIGHT_WRITE)) {
            return fail(ZX_ERR_ACCESS_DENIED, "ZX_BTI_PERM_WRITE needs ZX_RIGHT_WRITE on the vmo");
        }
        plan.device_perms |= ZX_BTI_PERM_WRITE;
        options &= ~ZX_BTI_PERM_WRITE;
    }
    if (options & ZX_BTI_PERM_EXECUTE) {
        if (!(target.vmo_rights & ZX_RIGHT_READ)) {
            return fail(ZX_ERR_ACCESS_DENIED, "ZX_BTI_PERM_EXECUTE needs ZX_RIGHT_READ on the vmo");
        }
        plan.device_perms |= ZX_BTI_PERM_EXECUTE;
        options &= ~ZX_BTI_PERM_EXECUTE;
    }

    // "ZX_BTI_COMPRESS and ZX_BTI_CONTIGUOUS are mutually exclusive."
    // "ZX_BTI_CONTIGUOUS is only allowed if vmo was allocated via zx_vmo_create_contiguous()"
    // "ZX_ERR_INVALID_ARGS options ... contains an undefined flag"
    // The kernel strips the flags it accepts and rejects whatever is left over.
    const bool both = (options & ZX_BTI_COMPRESS) && (options & ZX_BTI_CONTIGUOUS);
    if (both) {
        return fail(ZX_ERR_INVALID_ARGS, "ZX_BTI_COMPRESS and ZX_BTI_CONTIGUOUS are mutually exclusive");
    }
    if (options & ZX_BTI_COMPRESS) {
        plan.compress = true;
        options &= ~ZX_BTI_COMPRESS;
    }
    if (options & ZX_BTI_CONTIGUOUS) {
        if (!target.vmo_contiguous) {
            return fail(ZX_ERR_INVALID_ARGS, "ZX_BTI_CONTIGUOUS on a vmo not created contiguous");
        }
        plan.contiguous = true;
        options &= ~ZX_BTI_CONTIGUOUS;
    }
    if (options) {
        return fail(ZX_ERR_INVALID_ARGS, "options contains an undefined flag");
    }

    // BusTransactionInitiatorDispatcher::Pin: a zero-sized pin is invalid.
    if (req.size == 0) {
        return fail(ZX_ERR_INVALID_ARGS, "size is 0");
    }

    // "ZX_ERR_OUT_OF_RANGE offset + size is out of the bounds of vmo."
    if (req.offset + req.size < req.offset || req.offset + req.size > target.vmo_size) {
        return fail(ZX_ERR_OUT_OF_RANGE, "offset + size is out of the bounds of the vmo");
    }

    // Pin refuses new pins while PMTs sit in the BTI's quarantine.
    if (!target.bti_quarantine_empty) {
        return fail(ZX_ERR_BAD_STATE, "the BTI has quarantined PMTs (zx_bti_release_quarantine)");
    }

    // "ZX_ERR_INVALID_ARGS options is 0": the IOMMU refuses a mapping with no permission.
    if (plan.device_perms == 0) {
        return fail(ZX_ERR_INVALID_ARGS, "options grants the device no permission");
    }

    // "num_addrs is the number of entries in the addrs array. It is an error for num_addrs to
    // not match the value calculated above."
    plan.addrs_count = bti_pin_addrs_count(plan.compress, plan.contiguous, req.size,
                                           target.minimum_contiguity);
    plan.run_bytes = plan.compress ? target.minimum_contiguity
                                   : plan.contiguous ? req.size : ZX_PAGE_SIZE;
    if (req.addrs_count != plan.addrs_count) {
        return fail(ZX_ERR_INVALID_ARGS, "num_addrs does not match the number of entries returned");
    }

    // "either addrs or pmt is not a valid pointer": found when the results are copied out.
    if (!req.addrs_given) return fail(ZX_ERR_INVALID_ARGS, "addrs is NULL");
    if (!req.pmt_given) return fail(ZX_ERR_INVALID_ARGS, "pmt is NULL");

    BtiPinCheck ok;
    ok.plan = plan;
    return ok;
}

}  // namespace staleline::zx
