// C API of the latency breakdown collector (staleline/trace.h).
#include <exception>
#include <memory>

#include "platform/PlatformHandle.h"
#include "staleline/trace.h"
#include "trace/LatencyCollector.h"

using namespace staleline;

struct sl_latency {
    std::unique_ptr<LatencyCollector> impl;
};

extern "C" {

sl_latency_t* sl_latency_attach(sl_platform_t* p) {
    clear_error();
    if (!p) {
        set_error("sl_latency_attach: no platform");
        return nullptr;
    }
    auto l = std::make_unique<sl_latency>();
    l->impl = std::make_unique<LatencyCollector>(impl(p).trace());
    return l.release();
}

size_t sl_latency_operations(const sl_latency_t* l) { return l ? (size_t)l->impl->count() : 0; }

int sl_latency_stage_stats(const sl_latency_t* l, int stage, double* mean_ns, uint64_t* p50_ns, uint64_t* p99_ns) {
    if (!l || stage < 0 || stage > SL_LB_STAGES) return -1;
    double mean;
    uint64_t p50, p99;
    l->impl->stats(stage, &mean, &p50, &p99);
    if (mean_ns) *mean_ns = mean / 1000.0;
    if (p50_ns) *p50_ns = p50;
    if (p99_ns) *p99_ns = p99;
    return 0;
}

int sl_latency_operation(const sl_latency_t* l, size_t i, uint64_t out_ns[SL_LB_STAGES]) {
    if (!l || !out_ns || i >= l->impl->operations().size()) return -1;
    for (int s = 0; s < SL_LB_STAGES; ++s) out_ns[s] = l->impl->operations()[i][s] / 1000;
    return 0;
}

int sl_latency_operation_ps(const sl_latency_t* l, size_t i, uint64_t* op, uint64_t out_ps[SL_LB_STAGES]) {
    if (!l || !out_ps || i >= l->impl->operations().size()) return -1;
    for (int s = 0; s < SL_LB_STAGES; ++s) out_ps[s] = l->impl->operations()[i][s];
    if (op) *op = l->impl->operation_id(i);
    return 0;
}

void sl_latency_detach(sl_latency_t* l) { delete l; }

}  // extern "C"
