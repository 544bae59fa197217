// C API of the timeline (staleline/trace.h).
#include <exception>
#include <memory>
#include <string>

#include "platform/PlatformHandle.h"
#include "staleline/trace.h"
#include "trace/TimelineWriter.h"

using namespace staleline;

struct sl_timeline {
    std::unique_ptr<TimelineWriter> impl;
};

extern "C" {

sl_timeline_t* sl_timeline_open(sl_platform_t* p, const char* path, const char* categories) {
    clear_error();
    if (!p || !path || !*path) {
        set_error("sl_timeline_open: no platform or no path");
        return nullptr;
    }
    unsigned mask = (1u << kTraceCategoryCount) - 1;
    std::string bad;
    if (categories && !TimelineWriter::parse_categories(categories, &mask, &bad)) {
        set_error("unknown timeline category '" + bad + "' (expected driver, device, iommu, dram, findings or all)");
        return nullptr;
    }
    try {
        auto t = std::make_unique<sl_timeline>();
        t->impl = std::make_unique<TimelineWriter>(impl(p).trace(), path, mask);
        return t.release();
    } catch (const std::exception& e) {
        set_error(e.what());
        return nullptr;
    }
}

int sl_timeline_close(sl_timeline_t* t, sl_checker_t* chk) {
    if (!t) return 0;
    const size_t n = chk ? sl_checker_finding_count(chk) : 0;
    for (size_t i = 0; i < n; ++i) {
        sl_finding_t f;
        if (sl_checker_get_finding(chk, i, &f)) continue;
        t->impl->add_finding(sc_core::sc_time((double)f.time_ns, sc_core::SC_NS), f.kind ? f.kind : "",
                             f.message ? f.message : "", f.location.file ? f.location.file : "", f.location.line);
    }
    const bool ok = t->impl->close(sc_core::sc_time_stamp());
    delete t;
    if (!ok) return set_error("timeline: a write failed (disk full?)");
    return 0;
}

}  // extern "C"
