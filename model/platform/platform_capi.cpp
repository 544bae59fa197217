// C API over Platform (staleline/platform.h).
#include <cstdlib>
#include <exception>
#include <memory>

#include <jansson.h>

#include "config/ConfigHandle.h"
#include "platform/PlatformHandle.h"

using namespace staleline;

extern "C" {

sl_platform_t* sl_platform_create(const sl_config_t* cfg) {
    clear_error();
    try {
        auto p = std::make_unique<sl_platform>();  // freed if the platform cannot be built
        p->impl = new Platform(cfg->cfg);
        return p.release();
    } catch (const ConfigError& e) {
        set_error(e.what(), e.key());
    } catch (const std::exception& e) {
        set_error(e.what());
    }
    return nullptr;
}

void sl_platform_destroy(sl_platform_t* p) {
    if (!p) return;
    delete p->impl;
    delete p;
}

int sl_platform_spawn(sl_platform_t* p, const char* name, sl_thread_fn fn, void* arg) {
    if (!p || !fn) return set_error("sl_platform_spawn: null platform or function");
    impl(p).spawn(name ? name : "thread", [fn, arg] { fn(arg); }, true);
    return 0;
}

int sl_platform_unwind_spawned(sl_platform_t* p) {
    if (!p) return set_error("sl_platform_unwind_spawned: null platform");
    clear_error();
    try {
        const int n = impl(p).unwind_threads(true);
        return n < 0 ? set_error("sl_platform_unwind_spawned: the simulation cannot run any more") : n;
    } catch (const std::exception& e) {
        return set_error(std::string("simulation error: ") + e.what());
    }
}

int sl_platform_run(sl_platform_t* p, uint64_t limit_ns) {
    clear_error();
    try {
        impl(p).run(sc_core::sc_time((double)limit_ns, sc_core::SC_NS));
        return 0;
    } catch (const std::exception& e) {
        return set_error(std::string("simulation error: ") + e.what());
    }
}

uint64_t sl_platform_next_activity_ns(sl_platform_t*) {
    if (!sc_core::sc_pending_activity()) return UINT64_MAX;
    const sc_core::sc_time next = sc_core::sc_time_stamp() + sc_core::sc_time_to_pending_activity();
    return (uint64_t)(next / sc_core::sc_time(1, sc_core::SC_NS));
}

uint64_t sl_time_ns(void) { return (uint64_t)(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS)); }

void sl_wait_ns(uint64_t ns) { sc_core::wait(sc_core::sc_time((double)ns, sc_core::SC_NS)); }

char* sl_platform_stats_json(sl_platform_t* p) {
    json_t* j = impl(p).stats_json();
    char* s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

int sl_dram_read(sl_platform_t* p, uint64_t pa, void* dst, size_t len) {
    impl(p).memory().store().read(pa, dst, len);
    return 0;
}

int sl_dram_write(sl_platform_t* p, uint64_t pa, const void* src, size_t len) {
    impl(p).memory().store().write(pa, src, len);
    return 0;
}

int sl_phys_alloc(sl_platform_t* p, uint64_t npages, int contiguous, uint64_t* pages_out) {
    PhysAllocator& a = impl(p).phys();
    if (contiguous) {
        uint64_t base;
        if (!a.alloc_contiguous(npages, 1, &base)) return set_error("out of simulated RAM");
        for (uint64_t i = 0; i < npages; ++i) pages_out[i] = base + i * PhysAllocator::kPageSize;
        return 0;
    }
    std::vector<uint64_t> pages;
    if (!a.alloc_scattered(npages, &pages)) return set_error("out of simulated RAM");
    for (uint64_t i = 0; i < npages; ++i) pages_out[i] = pages[i];
    return 0;
}

}  // extern "C"
