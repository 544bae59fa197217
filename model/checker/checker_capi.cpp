// C API of the coherency checker (staleline/checker.h).
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <string>

#include <jansson.h>

#include "checker/CoherencyChecker.h"
#include "checker/FindingJson.h"
#include "checker/SarifWriter.h"
#include "platform/PlatformHandle.h"
#include "staleline/checker.h"

using namespace staleline;

struct sl_checker {
    std::unique_ptr<CoherencyChecker> impl;
    sl_platform_t* platform = nullptr;
    std::deque<SourceLocation> located;  // results of sl_checker_locate, kept for their strings
    SourceLocation last;                 // the location last given, as given
    CodeSite last_site;
};

namespace {

sl_checker* g_checker = nullptr;  // one platform per process, so one checker

sc_core::sc_time now() { return sc_core::sc_time_stamp(); }

CodeSite site(sl_checker* c, const sl_source_location_t* w) {
    if (!w) return CodeSite{};
    // Callers report the same location many times in a row (a loop): skip the interning.
    const char* file = w->file ? w->file : "";
    const char* fn = w->function ? w->function : "";
    if (c->last_site.known() && w->line == c->last.line && c->last.file == file && c->last.function == fn)
        return c->last_site;
    c->last.file = file;
    c->last.line = w->line;
    c->last.function = fn;
    c->last_site = c->impl->label(c->last);
    return c->last_site;
}

void to_c(const SourceLocation& l, sl_source_location_t* o) {
    o->file = l.file.c_str();
    o->line = l.line;
    o->function = l.function.c_str();
}

bool check(sl_checker_t* c, const char* fn) {
    if (c && c->impl) return true;
    set_error(std::string(fn) + ": null checker");
    return false;
}

template <typename Fn>
int guarded(const char* fn, Fn body) {
    try {
        body();
        return 0;
    } catch (const std::exception& e) {
        return set_error(std::string(fn) + ": " + e.what());
    }
}

}  // namespace

static_assert(staleline::kFindingKindCount == SL_FINDING_KIND_COUNT, "the C API and the checker list the same finding kinds");

extern "C" {

const char* sl_finding_kind_name(unsigned i) {
    return i < kFindingKindCount ? to_string((FindingKind)i) : nullptr;
}

sl_checker_t* sl_checker_attach(sl_platform_t* p) {
    clear_error();
    if (!p) {
        set_error("sl_checker_attach: null platform");
        return nullptr;
    }
    if (g_checker) {
        if (g_checker->platform == p) return g_checker;
        set_error("sl_checker_attach: a checker is attached to another platform");
        return nullptr;
    }
    try {
        auto c = std::make_unique<sl_checker>();
        c->impl = std::make_unique<CoherencyChecker>(impl(p));
        c->platform = p;
        g_checker = c.release();
        // The checker goes with the platform, while the models it observes still exist.
        impl(p).add_destroy_hook([] {
            delete g_checker;
            g_checker = nullptr;
        });
        return g_checker;
    } catch (const ConfigError& e) {
        set_error(e.what(), e.key());
    } catch (const std::exception& e) {
        set_error(std::string("sl_checker_attach: ") + e.what());
    }
    return nullptr;
}

sl_checker_t* sl_checker_get(sl_platform_t* p) { return g_checker && g_checker->platform == p ? g_checker : nullptr; }

void sl_checker_set_conservative(sl_checker_t* c, int on) {
    if (c && c->impl) c->impl->set_conservative(on != 0);
}

int sl_checker_cpu_access(sl_checker_t* c, uint64_t pa, size_t len, int is_write, const sl_source_location_t* where) {
    clear_error();
    if (!check(c, "sl_checker_cpu_access")) return -1;
    if (len > 0xffffffffULL) return set_error("sl_checker_cpu_access: length exceeds 32 bits");
    return guarded("sl_checker_cpu_access",
                   [&] { c->impl->cpu_access(pa, len, is_write != 0, site(c, where), now()); });
}

int sl_checker_cache_op(sl_checker_t* c, sl_cache_op_t op, uint64_t pa, size_t len, const sl_source_location_t* where) {
    clear_error();
    if (!check(c, "sl_checker_cache_op")) return -1;
    int code;
    std::memcpy(&code, &op, sizeof code);  // any int may come from C
    MaintenanceOp m;
    if (code == SL_CACHE_CLEAN) m = MaintenanceOp::Clean;
    else if (code == SL_CACHE_INVALIDATE) m = MaintenanceOp::Invalidate;
    else if (code == SL_CACHE_CLEAN_INVALIDATE) m = MaintenanceOp::CleanInvalidate;
    else return set_error("sl_checker_cache_op: unknown operation " + std::to_string(code));
    return guarded("sl_checker_cache_op", [&] { c->impl->cache_op(m, pa, len, site(c, where), now()); });
}

uint64_t sl_checker_pin(sl_checker_t* c, const sl_checker_pin_t* pin, const sl_source_location_t* where) {
    clear_error();
    if (!check(c, "sl_checker_pin")) return 0;
    if (!pin || (pin->nruns && !pin->runs)) {
        set_error("sl_checker_pin: null pin or runs");
        return 0;
    }
    if (pin->perms & ~3u) {
        set_error("sl_checker_pin: unknown permission bits " + std::to_string(pin->perms));
        return 0;
    }
    PinRequest req;
    req.requester = pin->requester;
    req.vmo = pin->vmo;
    req.perms = pin->perms;
    for (size_t i = 0; i < pin->nruns; ++i) {
        const sl_pin_run_t& r = pin->runs[i];
        if (r.len == 0 || r.len - 1 > ~0ULL - r.pa || r.len - 1 > ~0ULL - r.device_addr) {
            set_error("sl_checker_pin: run " + std::to_string(i) + " is empty or wraps around the address space");
            return 0;
        }
        req.runs.push_back({r.device_addr, r.pa, r.len, r.vmo_offset});
    }
    uint64_t id = 0;
    if (guarded("sl_checker_pin", [&] { id = c->impl->pin(req, site(c, where), now()); }) != 0) return 0;
    return id;
}

int sl_checker_unpin(sl_checker_t* c, uint64_t id, const sl_source_location_t* where) {
    clear_error();
    if (!check(c, "sl_checker_unpin")) return -1;
    if (id == 0 || id > c->impl->own_pins().made())
        return set_error("sl_checker_unpin: no pin " + std::to_string(id));
    return guarded("sl_checker_unpin", [&] { c->impl->unpin(id, site(c, where), now()); });
}

int sl_checker_quarantine(sl_checker_t* c, uint64_t id, const sl_source_location_t* where) {
    clear_error();
    if (!check(c, "sl_checker_quarantine")) return -1;
    if (id == 0 || id > c->impl->own_pins().made())
        return set_error("sl_checker_quarantine: no pin " + std::to_string(id));
    return guarded("sl_checker_quarantine", [&] { c->impl->quarantine(id, site(c, where), now()); });
}

int sl_checker_mmio_write(sl_checker_t* c, int requester, uint64_t reg_offset, const sl_source_location_t* where) {
    clear_error();
    if (!check(c, "sl_checker_mmio_write")) return -1;
    return guarded("sl_checker_mmio_write",
                   [&] { c->impl->mmio_write(requester, reg_offset, site(c, where), now()); });
}

int sl_checker_device_state(sl_checker_t* c, int requester, int busy) {
    clear_error();
    if (!check(c, "sl_checker_device_state")) return -1;
    if (busy) c->impl->device_busy(requester, now());
    else c->impl->device_idle(requester, now());
    return 0;
}

void sl_checker_forget(sl_checker_t* c, uint64_t pa, uint64_t len) {
    if (c && c->impl) c->impl->forget(pa, len);
}

int sl_checker_end_of_run(sl_checker_t* c) {
    clear_error();
    if (!check(c, "sl_checker_end_of_run")) return -1;
    return guarded("sl_checker_end_of_run", [&] { c->impl->end_of_run(now()); });
}

size_t sl_checker_finding_count(sl_checker_t* c) { return c && c->impl ? c->impl->findings().size() : 0; }

int sl_checker_get_finding(sl_checker_t* c, size_t i, sl_finding_t* out) {
    if (!c || !c->impl || !out || i >= c->impl->findings().size()) return -1;
    const Finding& f = c->impl->findings().all()[i];
    std::memset(out, 0, sizeof *out);
    out->kind = to_string(f.kind);
    out->message = f.message.c_str();
    out->address = f.address;
    out->size = f.size;
    out->has_device_address = f.has_device_address;
    out->device_address = f.device_address;
    out->requester = f.requester;
    out->vmo = f.vmo;
    out->vmo_offset = f.vmo_offset;
    out->time_ns = time_ns(f.when);
    to_c(f.where, &out->location);
    out->count = f.count;
    out->has_related = f.related.present();
    out->related_kind = f.related.what.c_str();
    out->related_time_ns = time_ns(f.related.when);
    to_c(f.related.where, &out->related_location);
    out->related_message = f.related.message.c_str();
    out->evidence = f.evidence.c_str();
    return 0;
}

size_t sl_checker_count_kind(sl_checker_t* c, const char* kind) {
    FindingKind k;
    if (!c || !c->impl || !kind || !parse_finding_kind(kind, &k)) return 0;
    return c->impl->findings().count(k);
}

size_t sl_checker_finding_stack_depth(sl_checker_t* c, size_t i) {
    if (!c || !c->impl || i >= c->impl->findings().size()) return 0;
    return c->impl->findings().all()[i].stack.size();
}

int sl_checker_get_finding_frame(sl_checker_t* c, size_t i, size_t k, sl_source_location_t* out) {
    if (!c || !c->impl || !out || i >= c->impl->findings().size()) return -1;
    const std::vector<SourceLocation>& st = c->impl->findings().all()[i].stack;
    if (k >= st.size()) return -1;
    to_c(st[k], out);
    return 0;
}

uint64_t sl_checker_suppressed(sl_checker_t* c) { return c && c->impl ? c->impl->findings().suppressed() : 0; }

char* sl_checker_findings_json(sl_checker_t* c) {
    clear_error();
    if (!check(c, "sl_checker_findings_json")) return nullptr;
    json_t* a = findings_json(c->impl->findings());
    char* s = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(a);
    return s;
}

int sl_checker_write_sarif(sl_checker_t* c, const char* path) { return sl_checker_write_sarif_run(c, path, nullptr); }

int sl_checker_write_sarif_run(sl_checker_t* c, const char* path, const sl_sarif_invocation_t* inv) {
    clear_error();
    if (!check(c, "sl_checker_write_sarif")) return -1;
    if (!path || !*path) return set_error("sl_checker_write_sarif: no path");
    SarifWriter w(c->impl->help_uri(), c->impl->locator().source_root());
    if (inv) {
        SarifInvocation run;
        run.has_exit_code = true;
        run.exit_code = inv->exit_code;
        run.execution_successful = inv->execution_successful != 0;
        if (inv->notification && *inv->notification)
            run.notifications.push_back({inv->notification_id ? inv->notification_id : "run",
                                         inv->notification_level ? inv->notification_level : "error",
                                         inv->notification});
        w.set_invocation(std::move(run));
    }
    std::string err;
    if (!w.write(c->impl->findings(), path, &err)) return set_error(err);
    return 0;
}

int sl_checker_locate(sl_checker_t* c, const void* addr, int is_return_address, sl_source_location_t* out) {
    clear_error();
    if (!check(c, "sl_checker_locate")) return -1;
    if (!out) return set_error("sl_checker_locate: null output");
    SourceLocator& l = c->impl->locator();
    c->located.push_back(is_return_address ? l.locate_return(addr) : l.locate(addr));
    to_c(c->located.back(), out);
    return c->located.back().known() ? 0 : -1;
}

}  // extern "C"
