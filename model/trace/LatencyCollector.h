// LatencyCollector: listens to the platform's trace channel and, for every operation a
// workload marks (TraceKind::OpBegin .. OpEnd), splits its time into stages with
// sl_latency_breakdown (staleline/trace.h) from the events seen while it was in flight.
// Memory does not grow with the number of operations: per stage a count of each duration to
// the nanosecond (DurationHistogram: bounded by the durations' spread) gives exact percentiles
// in ns, and only the first kKeptOperations operations are kept whole (for the per-operation
// plot).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "staleline/trace.h"
#include "trace/DurationHistogram.h"
#include "trace/TraceEvent.h"

namespace staleline {

class LatencyCollector {
public:
    explicit LatencyCollector(TraceEvents& ch);
    ~LatencyCollector();
    LatencyCollector(const LatencyCollector&) = delete;
    LatencyCollector& operator=(const LatencyCollector&) = delete;

    using Stages = std::array<uint64_t, SL_LB_STAGES>;  // ps
    static constexpr size_t kKeptOperations = 1000;
    // Operations broken down so far.
    uint64_t count() const { return count_; }
    // The first min(count(), kKeptOperations) operations, in order of completion.
    const std::vector<Stages>& operations() const { return kept_; }
    // The workload's id of kept operation i (the `op` of its marks).
    uint64_t operation_id(size_t i) const { return kept_ids_[i]; }
    // Stage `stage` (SL_LB_STAGES: the total) over the operations: mean in ps, p50 and p99
    // in ns (each operation's duration in ps cut to whole ns first).
    void stats(int stage, double* mean_ps, uint64_t* p50_ns, uint64_t* p99_ns) const;

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
    uint64_t count_ = 0;
    std::vector<Stages> kept_;
    std::vector<uint64_t> kept_ids_;
    // Per stage (SL_LB_STAGES: the total): sum of durations (ps), and how often each duration
    // (ns) came.
    std::array<unsigned __int128, SL_LB_STAGES + 1> sum_{};
    std::array<DurationHistogram, SL_LB_STAGES + 1> seen_;
};

}  // namespace staleline
