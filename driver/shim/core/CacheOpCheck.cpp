#include "CacheOpCheck.h"

namespace staleline::zx {

namespace {
VmoOpCheck vmo_fail(zx_status_t status, const char* reason) {
    VmoOpCheck check;
    check.status = status;
    check.reason = reason;
    return check;
}

VmoOpCheck needs(zx_rights_t rights, zx_rights_t any_of, const char* reason) {
    if (rights & any_of) return VmoOpCheck{};
    return vmo_fail(ZX_ERR_ACCESS_DENIED, reason);
}
}  // namespace

VmoOpCheck check_vmo_op_range(uint32_t op, uint64_t offset, uint64_t size, uint64_t vmo_size,
                              zx_rights_t rights, bool allow_invalidate) {
    CacheMaintenance m;
    switch (op) {
        // "ZX_VMO_OP_COMMIT ... Requires the ZX_RIGHT_WRITE right." (DECOMMIT, ZERO alike)
        case ZX_VMO_OP_COMMIT:
        case ZX_VMO_OP_DECOMMIT:
        case ZX_VMO_OP_ZERO:
            return needs(rights, ZX_RIGHT_WRITE, "the operation requires ZX_RIGHT_WRITE");
        // "ZX_VMO_OP_LOCK ... Requires the ZX_RIGHT_READ or ZX_RIGHT_WRITE right."
        case ZX_VMO_OP_LOCK:
        case ZX_VMO_OP_TRY_LOCK:
        case ZX_VMO_OP_UNLOCK:
            return needs(rights, ZX_RIGHT_READ | ZX_RIGHT_WRITE,
                         "the operation requires ZX_RIGHT_READ or ZX_RIGHT_WRITE");
        // Hints need no right.
        case ZX_VMO_OP_DONT_NEED:
        case ZX_VMO_OP_ALWAYS_NEED:
            return VmoOpCheck{};
        // "ZX_VMO_OP_CACHE_SYNC ... Requires the ZX_RIGHT_READ right."
        case ZX_VMO_OP_CACHE_SYNC:
            if (!(rights & ZX_RIGHT_READ)) {
                return vmo_fail(ZX_ERR_ACCESS_DENIED, "ZX_VMO_OP_CACHE_SYNC requires ZX_RIGHT_READ");
            }
            m.sync_insn = true;
            break;
        // "ZX_VMO_OP_CACHE_INVALIDATE ... only available when kernel.enable-debugging-syscalls
        // is true. When debugging syscalls are not enabled, this operation will fail with
        // ZX_ERR_NOT_SUPPORTED. Requires the ZX_RIGHT_WRITE right."
        case ZX_VMO_OP_CACHE_INVALIDATE:
            if (!allow_invalidate) {
                return vmo_fail(ZX_ERR_NOT_SUPPORTED,
                                "ZX_VMO_OP_CACHE_INVALIDATE needs debugging syscalls "
                                "(shim.allow_cache_invalidate=false)");
            }
            // It may drop dirty lines, i.e. modify the VMO: hence WRITE, not READ.
            if (!(rights & ZX_RIGHT_WRITE)) {
                return vmo_fail(ZX_ERR_ACCESS_DENIED,
                                "ZX_VMO_OP_CACHE_INVALIDATE requires ZX_RIGHT_WRITE");
            }
            m.invalidate = true;
            break;
        // "ZX_VMO_OP_CACHE_CLEAN ... Requires the ZX_RIGHT_READ right."
        case ZX_VMO_OP_CACHE_CLEAN:
            if (!(rights & ZX_RIGHT_READ)) {
                return vmo_fail(ZX_ERR_ACCESS_DENIED, "ZX_VMO_OP_CACHE_CLEAN requires ZX_RIGHT_READ");
            }
            m.clean = true;
            break;
        // "ZX_VMO_OP_CACHE_CLEAN_INVALIDATE ... Requires the ZX_RIGHT_READ right."
        case ZX_VMO_OP_CACHE_CLEAN_INVALIDATE:
            if (!(rights & ZX_RIGHT_READ)) {
                return vmo_fail(ZX_ERR_ACCESS_DENIED,
                                "ZX_VMO_OP_CACHE_CLEAN_INVALIDATE requires ZX_RIGHT_READ");
            }
            m.clean = true;
            m.invalidate = true;
            break;
        // "ZX_ERR_INVALID_ARGS ... op is not a valid operation"
        default:
            return vmo_fail(ZX_ERR_INVALID_ARGS, "op is not a valid operation");
    }

    // "ZX_ERR_INVALID_ARGS ... size is zero and op is a cache operation"
    if (size == 0) {
        return vmo_fail(ZX_ERR_INVALID_ARGS, "size is zero for a cache operation");
    }
    // "ZX_ERR_OUT_OF_RANGE An invalid memory range specified by offset and size."
    if (offset + size < offset || offset + size > vmo_size) {
        return vmo_fail(ZX_ERR_OUT_OF_RANGE, "offset + size is outside the vmo");
    }

    VmoOpCheck ok;
    ok.cache_op = true;
    ok.maintenance = m;
    return ok;
}

CacheFlushCheck check_cache_flush(uint32_t options) {
    // The vDSO accepts exactly these combinations: "ZX_CACHE_FLUSH_INVALIDATE (valid only when
    // combined with ZX_CACHE_FLUSH_DATA)" and "At least one of ZX_CACHE_FLUSH_DATA and
    // ZX_CACHE_FLUSH_INSN must be included in options."
    CacheFlushCheck check;
    switch (options) {
        case ZX_CACHE_FLUSH_INSN:
            check.maintenance.sync_insn = true;
            return check;
        case ZX_CACHE_FLUSH_DATA:
            check.maintenance.clean = true;
            return check;
        case ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INSN:
            check.maintenance.clean = true;
            check.maintenance.sync_insn = true;
            return check;
        case ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE:
            check.maintenance.clean = true;
            check.maintenance.invalidate = true;
            return check;
        case ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE | ZX_CACHE_FLUSH_INSN:
            check.maintenance.clean = true;
            check.maintenance.invalidate = true;
            check.maintenance.sync_insn = true;
            return check;
        default:
            check.status = ZX_ERR_INVALID_ARGS;
            check.reason = (options & ZX_CACHE_FLUSH_INVALIDATE) && !(options & ZX_CACHE_FLUSH_DATA)
                               ? "ZX_CACHE_FLUSH_INVALIDATE is valid only with ZX_CACHE_FLUSH_DATA"
                           : options == 0 ? "options must include ZX_CACHE_FLUSH_DATA or ZX_CACHE_FLUSH_INSN"
                                          : "options contains an undefined flag";
            return check;
    }
}

}  // namespace staleline::zx
