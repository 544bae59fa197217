#include "AccessObserver.h"

#include <algorithm>
#include <cstdio>

#include "ShimRuntime.h"
#include "SimThread.h"
#include "checker/SourceLocator.h"
#include "Vmo.h"

namespace staleline::zx {

using sc_core::sc_time;

namespace {

// The message names the memory by VMO and offset, never by host address (outputs must not
// depend on where the host put things).
[[noreturn]] void access_fault(ShimRuntime& rt, const char* what, const Region* r, uintptr_t a, bool is_write,
                               const void* pc) {
    char where[128] = "";
    if (r && r->kind == RegionKind::Bar)
        std::snprintf(where, sizeof where, " at BAR0+0x%llx of PCI slot %u", (unsigned long long)(a - r->start),
                      r->vmo->bar_slot());
    else if (r)
        std::snprintf(where, sizeof where, " at offset 0x%llx of VMO koid %llu", (unsigned long long)(a - r->start),
                      (unsigned long long)r->vmo->koid());
    rt.fault(std::string(is_write ? "store " : "load ") + what + where + " (" + describe_return_address(pc) + ")", pc);
}

}  // namespace

void observe_access(const void* addr, size_t len, bool is_write, const void* pc, AccessPath path, bool sync_first) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt || !len) return;
    ++rt->counters().hook_calls;
    uintptr_t a = (uintptr_t)addr;
    const uintptr_t end = len > ~(uintptr_t)0 - a ? ~(uintptr_t)0 : a + len;
    // Only the part inside the arena is simulated memory.
    a = std::max(a, g_arena_lo);
    const uintptr_t stop = std::min(end, g_arena_lo + g_arena_span);
    sc_time d = sc_core::SC_ZERO_TIME;
    ShimObserver* obs = rt->observer();
    SimThread& th = SimThread::current();
    if (sync_first) th.sync_if_due();  // wait here if at all, never after the cache access below
    while (a < stop) {
        const Region* r = rt->arena().find(a);
        if (!r) access_fault(*rt, "to memory of a destroyed VMO", nullptr, a, is_write, pc);
        if (r->kind == RegionKind::Bar) {
            // A load or store of driver code through a BAR pointer (a volatile register access):
            // the host access that follows faults on the BAR's reservation and the fault handler
            // performs it as MMIO. A library call cannot be emulated that way.
            if (path != AccessPath::Instrumented)
                access_fault(*rt, "to a mapped BAR by memcpy/memset/memmove or zx_vmo_read/write: MMIO must be "
                                  "single register accesses (volatile loads and stores, or readl/writel)",
                             r, a, is_write, pc);
            a = std::min<uintptr_t>(stop, r->end);
            continue;
        }
        Vmo* v = r->vmo;
        const uint64_t off = a - r->start;
        const uint64_t page = off / 4096;
        const size_t n = (size_t)std::min<uint64_t>({stop - a, 4096 - off % 4096, r->end - a});
        const bool cpu_view = r->kind == RegionKind::CpuView;
        if (!v->page_mapped(page) || cpu_view != v->cached())
            access_fault(*rt, "to VMO memory that is not mapped (zx_vmar_unmap'ed, or a pointer kept across a policy change)",
                         r, a, is_write, pc);
        if (is_write && !v->page_writable(page)) access_fault(*rt, "to a read-only mapping", r, a, is_write, pc);
        const uint64_t pa = v->pa(off);
        if (cpu_view) rt->platform().cache().access(pa, n, is_write, d);
        else d += rt->platform().memory().access_time(n);
        ++rt->counters().observed_accesses;
        if (obs) obs->on_cpu_access({v, off, pa, n, is_write, cpu_view, path, pc, th.now() + d});
        a += n;
    }
    th.last_access_pc = pc;
    th.charge_deferred(d);
}

}  // namespace staleline::zx
