// C API over the CPU cache and the coherency port (staleline/cache.h), and din trace
// replay through a bare CacheArray.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <istream>
#include <streambuf>

#include "common/FileReadBuf.h"
#include "common/Payload.h"
#include "cache/Cache.h"
#include "cache/CacheArray.h"
#include "cache/CoherencyPort.h"
#include "common/DinTrace.h"
#include "config/ConfigHandle.h"
#include "memory/Memory.h"
#include "platform/PlatformHandle.h"
#include "staleline/cache.h"

using namespace staleline;

namespace {

// Timed calls wait for their cost, which only a simulated thread can do.
bool in_thread(const char* fn) {
    sc_core::sc_process_handle h = sc_core::sc_get_current_process_handle();
    if (sc_core::sc_is_running() && h.valid() && h.proc_kind() != sc_core::SC_METHOD_PROC_) return true;
    set_error(std::string(fn) + ": must be called from a simulated thread (sl_platform_spawn)");
    return false;
}

void to_c(const CacheStats& s, sl_cache_stats_t* o) {
    o->accesses = s.accesses;
    o->hits = s.hits;
    o->misses = s.misses;
    o->read_accesses = s.read_accesses;
    o->write_accesses = s.write_accesses;
    o->read_hits = s.read_hits;
    o->write_hits = s.write_hits;
    o->read_misses = s.read_misses;
    o->write_misses = s.write_misses;
    o->evictions = s.evictions;
    o->writebacks = s.writebacks;
    o->cleans = s.cleans;
    o->invalidates = s.invalidates;
    o->discarded_dirty_lines = s.discarded_dirty_lines;
    o->maintenance_lines = s.maintenance_lines;
    o->snoop_writebacks = s.snoop_writebacks;
    o->snoop_invalidates = s.snoop_invalidates;
    o->adversary_fills = s.adversary_fills;
    o->adversary_evictions = s.adversary_evictions;
}

void payload(tlm::tlm_generic_payload& t, bool is_write, uint64_t pa, void* data, size_t len) {
    prepare_payload(t, is_write, pa, data, len);
}

// Shared checks of the timed calls. Returns false with the error set.
bool check_args(const char* fn, sl_platform_t* p, const void* data, size_t len) {
    if (!p) { set_error(std::string(fn) + ": null platform"); return false; }
    if (!data && len) { set_error(std::string(fn) + ": null buffer"); return false; }
    if (len > 0xffffffffULL) { set_error(std::string(fn) + ": length exceeds 32 bits"); return false; }
    return in_thread(fn);
}

// Waits for the cost of a timed call that succeeded (outside any try block).
int waited(const sc_core::sc_time& delay, int rc) {
    if (rc == 0) sc_core::wait(delay);
    return rc;
}

// Runs fn, mapping exceptions to the C error convention. Nothing inside may wait():
// a killed thread unwinds through wait() with an exception that must not be caught.
template <typename Fn>
int guarded(Fn fn) {
    try {
        return fn();
    } catch (const ConfigError& e) {
        return set_error(e.what(), e.key());
    } catch (const std::exception& e) {
        return set_error(e.what());
    }
}

}  // namespace

extern "C" {

int sl_cpu_read(sl_platform_t* p, uint64_t pa, void* dst, size_t len) {
    clear_error();
    if (!check_args("sl_cpu_read", p, dst, len)) return -1;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    return waited(delay, guarded([&] {
        tlm::tlm_generic_payload t;
        payload(t, false, pa, dst, len);
        impl(p).cache().cpu_b_transport(t, delay);
        if (t.is_response_error()) return set_error("sl_cpu_read: " + t.get_response_string());
        return 0;
    }));
}

int sl_cpu_write(sl_platform_t* p, uint64_t pa, const void* src, size_t len) {
    clear_error();
    if (!check_args("sl_cpu_write", p, src, len)) return -1;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    return waited(delay, guarded([&] {
        tlm::tlm_generic_payload t;
        payload(t, true, pa, const_cast<void*>(src), len);
        impl(p).cache().cpu_b_transport(t, delay);
        if (t.is_response_error()) return set_error("sl_cpu_write: " + t.get_response_string());
        return 0;
    }));
}

int sl_cpu_peek(sl_platform_t* p, uint64_t pa, void* dst, size_t len) {
    clear_error();
    if (!p || (!dst && len)) return set_error("sl_cpu_peek: null argument");
    if (len > 0xffffffffULL) return set_error("sl_cpu_peek: length exceeds 32 bits");
    if (len == 0) return 0;
    // Directly on the two stores (not via the sockets, which work only once the
    // simulation has started): valid lines from the view, the others from DRAM.
    if (len - 1 > ~0ULL - pa) return set_error("sl_cpu_peek: range runs past the top of memory");
    Cache& c = impl(p).cache();
    const SparsePages& dram = impl(p).memory().store();
    auto* out = static_cast<uint8_t*>(dst);
    for (size_t done = 0; done < len;) {
        uint64_t a = pa + done;
        size_t n = (size_t)std::min<uint64_t>(len - done, c.line_size() - (a & (c.line_size() - 1)));
        if (c.line_state(a) != CacheLineState::Invalid) c.view().read(a, out + done, n);
        else dram.read(a, out + done, n);
        done += n;
    }
    return 0;
}

int sl_cpu_view_write(sl_platform_t* p, uint64_t pa, const void* src, size_t len) {
    clear_error();
    if (!p || (!src && len)) return set_error("sl_cpu_view_write: null argument");
    if (len && len - 1 > ~0ULL - pa) return set_error("sl_cpu_view_write: range runs past the top of memory");
    impl(p).cache().view().write(pa, src, len);
    return 0;
}

int sl_cpu_view_read(sl_platform_t* p, uint64_t pa, void* dst, size_t len) {
    clear_error();
    if (!p || (!dst && len)) return set_error("sl_cpu_view_read: null argument");
    if (len && len - 1 > ~0ULL - pa) return set_error("sl_cpu_view_read: range runs past the top of memory");
    impl(p).cache().view().read(pa, dst, len);
    return 0;
}

int sl_cache_maintain(sl_platform_t* p, sl_cache_op_t op, uint64_t pa, size_t len) {
    clear_error();
    // C callers may pass any int; reading an out-of-range value as the C++ enum would be
    // undefined, so look at its bytes.
    int code;
    static_assert(sizeof code == sizeof op, "sl_cache_op_t is int-sized");
    std::memcpy(&code, &op, sizeof code);
    if (code != SL_CACHE_CLEAN && code != SL_CACHE_INVALIDATE && code != SL_CACHE_CLEAN_INVALIDATE)
        return set_error("sl_cache_maintain: unknown operation " + std::to_string(code));
    if (!p) return set_error("sl_cache_maintain: null platform");
    if (!in_thread("sl_cache_maintain")) return -1;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    return waited(delay, guarded([&] {
        Cache& c = impl(p).cache();
        if (code == SL_CACHE_CLEAN) c.clean(pa, len, delay);
        else if (code == SL_CACHE_INVALIDATE) c.invalidate(pa, len, delay);
        else c.clean_invalidate(pa, len, delay);
        return 0;
    }));
}

int sl_cache_line_state(sl_platform_t* p, uint64_t pa) {
    if (!p) return set_error("sl_cache_line_state: null platform");
    switch (impl(p).cache().line_state(pa)) {
    case CacheLineState::Invalid: return 0;
    case CacheLineState::Clean: return 1;
    case CacheLineState::Dirty: return 2;
    }
    return 0;
}

void sl_cache_get_stats(sl_platform_t* p, sl_cache_stats_t* out) {
    if (!p || !out) return;
    to_c(impl(p).cache().stats(), out);
}

int sl_device_write_dram(sl_platform_t* p, uint64_t pa, const void* src, size_t len) {
    clear_error();
    if (!check_args("sl_device_write_dram", p, src, len)) return -1;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    return waited(delay, guarded([&] {
        tlm::tlm_generic_payload t;
        payload(t, true, pa, const_cast<void*>(src), len);
        impl(p).coherency().b_transport(t, delay);
        if (t.is_response_error()) return set_error("sl_device_write_dram: " + t.get_response_string());
        return 0;
    }));
}

int sl_device_read_dram(sl_platform_t* p, uint64_t pa, void* dst, size_t len) {
    clear_error();
    if (!check_args("sl_device_read_dram", p, dst, len)) return -1;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    return waited(delay, guarded([&] {
        tlm::tlm_generic_payload t;
        payload(t, false, pa, dst, len);
        impl(p).coherency().b_transport(t, delay);
        if (t.is_response_error()) return set_error("sl_device_read_dram: " + t.get_response_string());
        return 0;
    }));
}

int sl_cache_replay_din(const sl_config_t* cfg, FILE* in, sl_cache_stats_t* out) {
    clear_error();
    if (!in || !out) return set_error("sl_cache_replay_din: null trace or output");
    return guarded([&] {
        Config defaults;
        std::unique_ptr<CacheArray> array = CacheArray::from_config(cfg ? cfg->cfg : defaults);
        FileReadBuf buf(in);
        std::istream is(&buf);
        DinTraceReader reader(is);
        DinRecord rec;
        while (reader.next(&rec)) array->access(rec.address, rec.is_write());
        if (std::ferror(in)) return set_error("line " + std::to_string(reader.line() + 1) + ": read error");
        to_c(array->stats(), out);
        return 0;
    });
}

}  // extern "C"
