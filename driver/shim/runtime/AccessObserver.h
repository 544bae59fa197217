// observe_access: the slow path of every access hook (instrumented loads and stores, atomics,
// memcpy/memset/memmove of drivers, readl/writel on VMO memory). The caller has already seen
// that the address lies in the HostArena; this translates it to a VMO page and physical
// address, checks the mapping (mapped, writable, not a BAR), tells the cache model (a miss
// fills the line from DRAM into the CPU view, a store marks it dirty) and charges the time to
// the calling thread. Uncached mappings cost a DRAM access. Violations raise a DriverFault.
#pragma once

#include <cstddef>

#include "HostArena.h"
#include "ShimObserver.h"

namespace staleline::zx {

void observe_access(const void* addr, size_t len, bool is_write, const void* pc, AccessPath path);

// The hook's fast path: one compare for addresses outside simulated memory.
inline void maybe_observe(const void* addr, size_t len, bool is_write, const void* pc, AccessPath path) {
    if (in_arena(addr)) observe_access(addr, len, is_write, pc, path);
}

// For ranges (memcpy & co): observed if either end lies in the arena.
inline void maybe_observe_range(const void* addr, size_t len, bool is_write, const void* pc, AccessPath path) {
    if (len && (in_arena(addr) || in_arena((const char*)addr + len - 1))) observe_access(addr, len, is_write, pc, path);
}

}  // namespace staleline::zx
