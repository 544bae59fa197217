// copy_to_user: how every system call writes its results into the caller's memory (out
// handles, zx_bti_pin's addrs, zx_object_get_info's records and counts, sizes, timestamps,
// mapped addresses, zx_vmo_read's bytes).
//
// The kernel writes results through the CPU: a result buffer that is a cached mapping of a VMO
// (a PRP list a device reads, say) gets its bytes in the CPU cache, not in DRAM. So the
// writer is installed by whoever models memory: the shim runtime stores through the cache
// model, attributed to the calling line (pc), after checking that the kernel could write
// there (mapped, writable, not a BAR). Without an installed writer (the model-free core on its
// own) a result is a plain host store.
//
// A destination the kernel cannot write (NULL, unmapped or read-only simulated memory, a BAR)
// is ZX_ERR_INVALID_ARGS, as the kernel's copy_to_user answers any fault, and nothing is
// written.
#pragma once

#include <cstddef>

#include <zircon/types.h>

namespace staleline::zx {

// check: could the kernel write [dst, dst + len)? write: store it (only after check said
// ZX_OK). pc: return address of the system call in the caller's code.
struct UserWriter {
    zx_status_t (*check)(void* dst, size_t len);
    void (*write)(void* dst, const void* src, size_t len, const void* pc);
};
// Installs the writer every call uses from now on (nullptr: plain host stores).
void set_user_writer(const UserWriter* writer);

// Whether a result of len bytes can be written at dst (ZX_ERR_INVALID_ARGS for NULL).
zx_status_t check_user_out(void* dst, size_t len);
// check_user_out, then the store. len 0 writes nothing and succeeds whatever dst is.
zx_status_t copy_to_user(void* dst, const void* src, size_t len, const void* pc);

template <class T>
zx_status_t copy_to_user(T* dst, const T& value, const void* pc) {
    return copy_to_user(static_cast<void*>(dst), &value, sizeof(T), pc);
}

}  // namespace staleline::zx
