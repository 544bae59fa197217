// The caller's memory as the simulated kernel reads and writes it.
//
// check_user_buffer: whether the kernel could copy to (or from) a caller's buffer. A buffer
// outside simulated memory (heap, stack, globals) is ordinary host memory and always
// copyable. A buffer in the HostArena is a mapping of a VMO (or a BAR): the copy works only
// where the pages are mapped (else ZX_ERR_NOT_FOUND, "buffer address does not map to address
// in address space"), with write permission when the kernel writes the buffer, and not in a
// BAR (zx_vmo_read/write to device memory is not modelled); those two are ZX_ERR_INVALID_ARGS
// ("buffer is an invalid pointer"). Never a crash.
//
// store_to_user: the one way the kernel's stores reach driver-visible memory. Each piece is a
// CPU store through the cache model attributed to pc (the calling line), then the host
// store. zx_vmo_read's copy uses it, and so does every result a call writes (copy_to_user of
// shim/core/UserCopy.h, which this file installs as the runtime's writer).
#pragma once

#include <cstddef>

#include <zircon/types.h>

#include "ShimObserver.h"

namespace staleline::zx {

class ShimRuntime;

zx_status_t check_user_buffer(ShimRuntime& rt, const void* buffer, size_t len, bool kernel_writes);

// Store len bytes from src at dst (already vetted by check_user_buffer). sync_first=false:
// the caller has just touched the cache model for the same operation and must not wait
// between that and this store (see observe_access).
// path: how the observer is told the store came about.
void store_to_user(void* dst, const void* src, size_t len, const void* pc, bool sync_first = true,
                   AccessPath path = AccessPath::SyscallOut);

}  // namespace staleline::zx
