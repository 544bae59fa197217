#include "CheckerBridge.h"

#include <cstdio>
#include <memory>

#include "PinRegistry.h"
#include "ShimObserver.h"
#include "SimThread.h"
#include "Vmo.h"
#include "checker/CallStacks.h"
#include "checker/CoherencyChecker.h"
#include "pci/PciHost.h"

#include <zircon/types.h>

namespace staleline::zx {

namespace {

// The calling thread's shadow call stack (SimThread), interned, without its outermost frame:
// the return address of the first driver function entered, which lies in the code that called
// the driver (the shim's bind or thread start, a workload), not in the driver. Consecutive
// events of one function share the id without a lookup.
uint32_t current_stack() {
    SimThread& th = SimThread::current();
    const size_t n = th.depth() > 1 ? th.depth() - 1 : 0;
    static const void* last[SimThread::kMaxFrames];
    static size_t last_n = 0;
    static uint32_t last_id = 0;
    bool same = n == last_n;
    for (size_t i = 0; same && i < n; ++i) same = last[i] == th.frame(i);
    if (same) return last_id;
    for (size_t i = 0; i < n; ++i) last[i] = th.frame(i);
    last_n = n;
    last_id = CallStacks::instance().intern(last, n);
    return last_id;
}

CodeSite site(const void* pc) { return driver_site(pc); }

class CheckerBridge final : public ShimObserver {
public:
    explicit CheckerBridge(CoherencyChecker& c) : c_(c) {}

    void on_cpu_access(const CpuAccess& a) override {
        c_.cpu_access(a.pa, a.len, a.is_write, site(a.pc), a.when, vmo_ref(a.vmo, a.vmo_offset), a.cached);
    }

    void on_cache_op(const CacheOpEvent& e) override {
        const MaintenanceOp op = e.clean && e.invalidate ? MaintenanceOp::CleanInvalidate
                                 : e.clean               ? MaintenanceOp::Clean
                                                         : MaintenanceOp::Invalidate;
        c_.cache_op(op, e.pa, e.len, site(e.pc), e.when, vmo_ref(e.vmo, e.vmo_offset));
    }

    void on_driver_warning(const std::string& kind, const std::string& message, const void* pc,
                           sc_core::sc_time when) override {
        c_.driver_finding(kind, message, site(pc), when);
    }

    void on_mmio(const MmioAccess& m) override {
        if (m.is_write) c_.mmio_write(PciHost::requester_id(m.slot), m.offset, site(m.pc), m.when);
    }

    // The record is in the registry the checker reads: it needs only the id.
    void on_pin(const PinRecord& r) override { c_.pinned(r.id); }

    void on_pin_state(const PinRecord& r) override {
        if (r.state == PinState::Quarantined) c_.quarantined(r.id);
        else if (r.state == PinState::Unpinned) c_.unpinned(r.id);
    }

    // Fresh pages (zeroed in both copies) or pages going back: their history is over.
    void on_vmo_created(const Vmo& v) override { forget(v); }
    void on_vmo_destroyed(const Vmo& v) override { forget(v); }

private:
    static VmoRef vmo_ref(const Vmo* v, uint64_t offset) { return v ? VmoRef{v->koid(), offset} : VmoRef{}; }
    void forget(const Vmo& v) {
        if (v.is_mmio()) return;
        for (uint64_t i = 0; i < v.pages(); ++i) c_.forget(v.page_pa(i), 4096);
    }

    CoherencyChecker& c_;
};

}  // namespace

CodeSite driver_site(const void* pc) { return CodeSite::at_pc(pc, pc ? current_stack() : 0); }

std::unique_ptr<ShimObserver> make_checker_bridge(CoherencyChecker& c) { return std::make_unique<CheckerBridge>(c); }

}  // namespace staleline::zx
