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

// The thread synchronises (may wait) only BEFORE touching the cache model, never between the
// model's bookkeeping and the host load/store that follows the hook: another process running in
// that window (an eviction by the cache adversary or another thread) could drop the line, and
// the store would land in a line the model no longer holds. sync_first=false: the caller has
// just observed another range for the same operation (memcpy: source, then destination).
void observe_access(const void* addr, size_t len, bool is_write, const void* pc, AccessPath path,
                    bool sync_first = true);

// The hook's fast path: one compare for addresses outside simulated memory.
inline void maybe_observe(const void* addr, size_t len, bool is_write, const void* pc, AccessPath path) {
    if (in_arena(addr)) observe_access(addr, len, is_write, pc, path);
}

// For ranges (memcpy & co): observed if either end lies in the arena.
inline void maybe_observe_range(const void* addr, size_t len, bool is_write, const void* pc, AccessPath path,
                                bool sync_first = true) {
    if (len && (in_arena(addr) || in_arena((const char*)addr + len - 1)))
        observe_access(addr, len, is_write, pc, path, sync_first);
}

}  // namespace staleline::zx
