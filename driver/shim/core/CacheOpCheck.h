// CacheOpCheck: argument checks of zx_vmo_op_range and zx_cache_flush as pure functions,
// and what each accepted call asks of the cache model.
//
// Order of zx_vmo_op_range (Zircon's sys_vmo_op_range -> VmObjectDispatcher::RangeOp ->
// VmObject::CacheOp): handle (BAD_HANDLE, WRONG_TYPE; no right yet), then the op switch: an
// unknown op is INVALID_ARGS; CACHE_INVALIDATE is NOT_SUPPORTED unless debugging syscalls are
// enabled, before its right is checked; then the op's right (ACCESS_DENIED); then, for cache
// ops, size 0 (INVALID_ARGS) and the range (OUT_OF_RANGE).
//
// zx_cache_flush is a vDSO function with no handle; it only validates options (a fixed list
// of accepted combinations) and never checks the range.
//
// Maintenance semantics are arm64's (the platform is not DMA-coherent): clean writes dirty
// lines back and keeps them; invalidate drops lines, losing dirty data; sync_insn makes the
// instruction cache coherent with the data cache, which does not make data visible to devices.
#pragma once

#include <zircon/types.h>

#include <cstdint>

namespace staleline::zx {

struct CacheMaintenance {
    bool clean = false;       // write dirty lines back to memory
    bool invalidate = false;  // drop the lines (after the write-back if clean is also set)
    bool sync_insn = false;   // instruction cache sync only
};

struct VmoOpCheck {
    zx_status_t status = ZX_OK;
    const char* reason = "";
    bool cache_op = false;       // one of the four ZX_VMO_OP_CACHE_* ops
    CacheMaintenance maintenance;  // for cache ops
};

// zx_vmo_op_range after the VMO handle has been resolved. rights are the handle's rights,
// vmo_size the VMO's size; allow_invalidate is the config switch shim.allow_cache_invalidate
// (Fuchsia's kernel.enable-debugging-syscalls). Non-cache ops (COMMIT, DECOMMIT, ZERO, LOCK,
// TRY_LOCK, UNLOCK, DONT_NEED, ALWAYS_NEED) get their rights checked only; their range rules
// belong to the VMO implementation.
VmoOpCheck check_vmo_op_range(uint32_t op, uint64_t offset, uint64_t size, uint64_t vmo_size,
                              zx_rights_t rights, bool allow_invalidate);

struct CacheFlushCheck {
    zx_status_t status = ZX_OK;
    const char* reason = "";
    CacheMaintenance maintenance;
};

// zx_cache_flush(addr, size, options): only options can be wrong.
CacheFlushCheck check_cache_flush(uint32_t options);

}  // namespace staleline::zx
