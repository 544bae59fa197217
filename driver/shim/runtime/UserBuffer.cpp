#include "UserBuffer.h"

#include <algorithm>
#include <cstring>

#include "AccessObserver.h"
#include "HostArena.h"
#include "ShimRuntime.h"
#include "UserCopy.h"
#include "Vmo.h"

namespace staleline::zx {

zx_status_t check_user_buffer(ShimRuntime& rt, const void* buffer, size_t len, bool kernel_writes) {
    const uintptr_t p = (uintptr_t)buffer;
    if (len > ~(uintptr_t)0 - p) return ZX_ERR_INVALID_ARGS;  // wraps around the address space
    const uintptr_t lo = std::max(p, g_arena_lo), hi = std::min(p + len, g_arena_lo + g_arena_span);
    for (uintptr_t a = lo; a < hi;) {
        const Region* r = rt.arena().find(a);
        if (!r) return ZX_ERR_NOT_FOUND;  // a destroyed VMO's buffer: nothing maps there
        if (r->kind == RegionKind::Bar) return ZX_ERR_INVALID_ARGS;
        const Vmo* v = r->vmo;
        const uint64_t off = a - r->start, page = off / 4096;
        // Not mapped, or a pointer kept across a cache policy change (the mapping is elsewhere).
        if (!v->page_mapped(page) || (r->kind == RegionKind::CpuView) != v->cached()) return ZX_ERR_NOT_FOUND;
        if (kernel_writes && !v->page_writable(page)) return ZX_ERR_INVALID_ARGS;
        a = std::min<uintptr_t>(hi, r->start + (page + 1) * 4096);
    }
    return ZX_OK;
}

namespace {

// The kernel's copy_to_user of a result does not resolve faults the way a VMO copy does: any
// fault is ZX_ERR_INVALID_ARGS ("an invalid pointer"), unmapped memory included.
zx_status_t runtime_check(void* dst, size_t len) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return ZX_OK;
    return check_user_buffer(*rt, dst, len, true) == ZX_OK ? ZX_OK : ZX_ERR_INVALID_ARGS;
}

void runtime_write(void* dst, const void* src, size_t len, const void* pc) { store_to_user(dst, src, len, pc); }

const UserWriter kRuntimeWriter{runtime_check, runtime_write};

// Installed when the shim library is linked in (it is linked whole): from then on every
// system call's results go through the cache model whenever a runtime is attached.
const bool g_writer_installed = [] {
    set_user_writer(&kRuntimeWriter);
    return true;
}();

}  // namespace

void store_to_user(void* dst, const void* src, size_t len, const void* pc, bool sync_first, AccessPath path) {
    (void)g_writer_installed;
    auto* d = static_cast<uint8_t*>(dst);
    const auto* s = static_cast<const uint8_t*>(src);
    ShimRuntime* rt = ShimRuntime::get();
    const uint64_t line = rt ? rt->platform().cache().line_size() : len;
    while (len) {
        // One cache line at a time, each observed just before its host store: a larger piece
        // could evict its own first lines (a cache smaller than the piece) before the store.
        size_t n = len;
        if (rt && in_arena(d)) n = (size_t)std::min<uint64_t>(len, line - ((uintptr_t)d % line));
        else if ((uintptr_t)d < g_arena_lo && len > g_arena_lo - (uintptr_t)d) n = g_arena_lo - (uintptr_t)d;
        if (rt) maybe_observe_range(d, n, true, pc, path, sync_first);
        std::memcpy(d, s, n);
        sync_first = false;
        d += n;
        s += n;
        len -= n;
    }
}

}  // namespace staleline::zx
