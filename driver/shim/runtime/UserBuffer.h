// check_user_buffer: whether the kernel could copy to (or from) a caller's buffer.
//
// A buffer outside simulated memory (heap, stack, globals) is ordinary host memory and always
// copyable. A buffer in the HostArena is a mapping of a VMO (or a BAR): the copy works only
// where the pages are mapped, with write permission when the kernel writes the buffer, and
// not in a BAR (zx_vmo_read/write to device memory is not modelled). Otherwise the kernel's
// user copy faults and the call fails with ZX_ERR_INVALID_ARGS ("buffer is an invalid
// pointer"), never a crash.
#pragma once

#include <cstddef>

#include <zircon/types.h>

namespace staleline::zx {

class ShimRuntime;

zx_status_t check_user_buffer(ShimRuntime& rt, const void* buffer, size_t len, bool kernel_writes);

}  // namespace staleline::zx
