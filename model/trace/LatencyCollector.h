// LatencyCollector: listens to the platform's trace channel and, for every operation a
// workload marks (TraceKind::OpBegin .. OpEnd), splits its time into stages with
// sl_latency_breakdown (staleline/trace.h) from the events seen while it was in flight.
// Keeps the stage durations of every operation (9 numbers each) for the percentiles.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "staleline/trace.h"
#include "trace/TraceEvent.h"

namespace staleline {

class LatencyCollector {
public:
    explicit LatencyCollector(TraceEvents& ch);
    ~LatencyCollector();
    LatencyCollector(const LatencyCollector&) = delete;
    LatencyCollector& operator=(const LatencyCollector&) = delete;

    using Stages = std::array<uint64_t, SL_LB_STAGES>;  // ps
    const std::vector<Stages>& operations() const { return done_; }
    // Stage `stage` (SL_LB_STAGES: the total) over the operations: mean, p50, p99 in ps.
    void stats(int stage, double* mean, uint64_t* p50, uint64_t* p99) const;

private:
    struct InFlight {
        uint64_t begin, submitted;
        std::string thread;
        std::vector<sl_lb_event_t> events;
    };
    void on_event(const TraceEvent& e);

    TraceEvents& ch_;
    uint64_t token_;
    std::map<uint64_t, InFlight> open_;
    std::vector<Stages> done_;
};

}  // namespace staleline
