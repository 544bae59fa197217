// LatencyCollector: see LatencyCollector.h.
#include "trace/LatencyCollector.h"

#include <algorithm>

namespace staleline {

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
            done_.push_back(s);
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
        for (unsigned i = 0; i < e.nargs; ++i)
            if (std::string(e.args[i].key) == "phase") ev.phase = (int)e.args[i].value;
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

void LatencyCollector::stats(int stage, double* mean, uint64_t* p50, uint64_t* p99) const {
    std::vector<uint64_t> v;
    v.reserve(done_.size());
    for (const Stages& s : done_) {
        uint64_t x = 0;
        if (stage == SL_LB_STAGES)
            for (uint64_t y : s) x += y;
        else
            x = s[stage];
        v.push_back(x);
    }
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (uint64_t x : v) sum += (double)x;
    *mean = v.empty() ? 0.0 : sum / (double)v.size();
    // Nearest rank, as the workloads' own percentiles.
    auto rank = [&](unsigned q) -> uint64_t {
        if (v.empty()) return 0;
        size_t r = (size_t)((q * v.size() + 99) / 100);
        return v[r ? r - 1 : 0];
    };
    *p50 = rank(50);
    *p99 = rank(99);
}

}  // namespace staleline
