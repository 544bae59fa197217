#include "UserBuffer.h"

#include <algorithm>

#include "HostArena.h"
#include "ShimRuntime.h"
#include "Vmo.h"

namespace staleline::zx {

zx_status_t check_user_buffer(ShimRuntime& rt, const void* buffer, size_t len, bool kernel_writes) {
    const uintptr_t p = (uintptr_t)buffer;
    if (len > ~(uintptr_t)0 - p) return ZX_ERR_INVALID_ARGS;  // wraps around the address space
    const uintptr_t lo = std::max(p, g_arena_lo), hi = std::min(p + len, g_arena_lo + g_arena_span);
    for (uintptr_t a = lo; a < hi;) {
        const Region* r = rt.arena().find(a);
        if (!r || r->kind == RegionKind::Bar) return ZX_ERR_INVALID_ARGS;
        const Vmo* v = r->vmo;
        const uint64_t off = a - r->start, page = off / 4096;
        if (!v->page_mapped(page) || (r->kind == RegionKind::CpuView) != v->cached()) return ZX_ERR_INVALID_ARGS;
        if (kernel_writes && !v->page_writable(page)) return ZX_ERR_INVALID_ARGS;
        a = std::min<uintptr_t>(hi, r->start + (page + 1) * 4096);
    }
    return ZX_OK;
}

}  // namespace staleline::zx
