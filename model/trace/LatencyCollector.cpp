// LatencyCollector: see LatencyCollector.h.
#include "trace/LatencyCollector.h"

#include <algorithm>

namespace staleline {

static_assert((int)DevicePhase::Data == SL_LB_PHASE_DATA && (int)DevicePhase::DescriptorFetch == SL_LB_PHASE_DESCRIPTOR &&
                  (int)DevicePhase::StatusWriteback == SL_LB_PHASE_STATUS,
              "a burst's DevicePhase is its breakdown phase");

namespace {
uint64_t ps(const sc_core::sc_time& t) { return (uint64_t)(t.to_seconds() * 1e12 + 0.5); }
}  // namespace

LatencyCollector::LatencyCollector(TraceEvents& ch)
    : ch_(ch),
      token_(ch.subscribe([this](const TraceEvent& e) { on_event(e); },
                          TraceEvents::bit(TraceKind::OpBegin) | TraceEvents::bit(TraceKind::OpSubmitted) |
                              TraceEvents::bit(TraceKind::OpEnd) | TraceEvents::bit(TraceKind::Mmio) |
                              TraceEvents::bit(TraceKind::IrqWake) | TraceEvents::bit(TraceKind::DeviceBurst) |
                              TraceEvents::bit(TraceKind::Translate) | TraceEvents::bit(TraceKind::IrqRaise))) {}

LatencyCollector::~LatencyCollector() { ch_.unsubscribe(token_); }

void LatencyCollector::on_event(const TraceEvent& e) {
    const uint64_t op = e.nargs ? e.args[0].value : 0;
    switch (e.kind) {
    case TraceKind::OpBegin: open_[op] = InFlight{ps(e.ts), UINT64_MAX, e.track, {}}; return;
    case TraceKind::OpSubmitted: {
        auto it = open_.find(op);
        if (it != open_.end()) it->second.submitted = ps(e.ts);
        return;
    }
    case TraceKind::OpEnd: {
        auto it = open_.find(op);
        if (it == open_.end()) return;
        const InFlight& f = it->second;
        const uint64_t end = std::max(ps(e.ts), f.begin);
        uint64_t out[SL_LB_STAGES];
        if (sl_latency_breakdown(f.begin, f.submitted == UINT64_MAX ? end : f.submitted, end, f.events.data(),
                                 f.events.size(), out) == 0) {
            Stages s;
            std::copy(out, out + SL_LB_STAGES, s.begin());
            if (kept_.size() < kKeptOperations) {
                kept_.push_back(s);
                kept_ids_.push_back(op);
            }
            uint64_t total = 0;
            for (int k = 0; k < SL_LB_STAGES; ++k) {
                total += s[k];
                sum_[k] += s[k];
                seen_[k].add(s[k] / 1000);
            }
            sum_[SL_LB_STAGES] += total;
            seen_[SL_LB_STAGES].add(total / 1000);
            ++count_;
        }
        open_.erase(it);
        return;
    }
    default: break;
    }
    if (open_.empty()) return;
    sl_lb_event_t ev{SL_LB_EV_BURST, ps(e.ts), ps(e.dur), SL_LB_PHASE_DATA, 0};
    switch (e.kind) {
    case TraceKind::Mmio:
        if (!e.is_write) return;
        ev.kind = SL_LB_EV_MMIO_WRITE;
        break;
    case TraceKind::DeviceBurst:
        ev.kind = SL_LB_EV_BURST;
        ev.phase = (int)e.device_phase;  // DevicePhase's values are SL_LB_PHASE_*
        break;
    case TraceKind::Translate: ev.kind = SL_LB_EV_TRANSLATE; break;
    case TraceKind::IrqRaise: ev.kind = SL_LB_EV_IRQ_RAISE; break;
    case TraceKind::IrqWake: ev.kind = SL_LB_EV_IRQ_WAKE; break;
    default: return;
    }
    for (auto& [id, f] : open_) {
        ev.on_op_thread = ev.kind == SL_LB_EV_MMIO_WRITE && f.thread == e.track;
        f.events.push_back(ev);
    }
}

void LatencyCollector::stats(int stage, double* mean_ps, uint64_t* p50_ns, uint64_t* p99_ns) const {
    *mean_ps = count_ ? (double)sum_[(size_t)stage] / (double)count_ : 0.0;
    // Nearest rank, as the workloads' own percentiles. Cutting each duration to whole ns
    // before ranking gives the cut of the ps percentile: the cut keeps the order.
    *p50_ns = seen_[(size_t)stage].percentile(50);
    *p99_ns = seen_[(size_t)stage].percentile(99);
}

}  // namespace staleline
