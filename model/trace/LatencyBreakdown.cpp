// sl_latency_breakdown: where the time of one operation went, by stage (staleline/trace.h
// states the rules). A pure function: the same events give the same split, and the stages
// tile [begin, end) without overlap, so they add up to the operation's time exactly.
#include <algorithm>
#include <vector>

#include "staleline/trace.h"

namespace {

const char* const kStageNames[SL_LB_STAGES] = {"driver_prep",     "doorbell",         "device_queueing",
                                               "descriptor_fetch", "translation",      "memory",
                                               "status_writeback", "interrupt_delivery", "driver_completion"};

// Walks forward from begin; take() gives the time up to `to` (clipped to [cursor, end]) to a stage.
struct Cursor {
    uint64_t at, end;
    uint64_t* out;
    void take(int stage, uint64_t to) {
        if (to > end) to = end;
        if (to <= at) return;
        out[stage] += to - at;
        at = to;
    }
};

int stage_of_phase(int phase) {
    return phase == SL_LB_PHASE_DESCRIPTOR ? SL_LB_DESCRIPTOR_FETCH
           : phase == SL_LB_PHASE_STATUS   ? SL_LB_STATUS_WRITEBACK
                                           : SL_LB_MEMORY;
}

}  // namespace

extern "C" {

const char* sl_lb_stage_name(int stage) { return stage >= 0 && stage < SL_LB_STAGES ? kStageNames[stage] : nullptr; }

int sl_latency_breakdown(uint64_t begin, uint64_t submitted, uint64_t end, const sl_lb_event_t* ev, size_t n,
                         uint64_t out[SL_LB_STAGES]) {
    if (!out || end < begin || (n && !ev)) return -1;
    for (int s = 0; s < SL_LB_STAGES; ++s) out[s] = 0;
    if (submitted < begin || submitted > end) submitted = end;
    // The doorbell: the op thread's last register write before its submission returned.
    const sl_lb_event_t* bell = nullptr;
    for (size_t i = 0; i < n; ++i) {
        const sl_lb_event_t& e = ev[i];
        if (e.kind == SL_LB_EV_MMIO_WRITE && e.on_op_thread && e.ts >= begin && e.ts <= submitted &&
            (!bell || e.ts >= bell->ts))
            bell = &e;
    }
    // None: a driver that batches rang it later, at a later operation's submission (its first
    // register write after this submission).
    const bool rang = bell != nullptr;
    for (size_t i = 0; i < n && !rang; ++i) {
        const sl_lb_event_t& e = ev[i];
        if (e.kind == SL_LB_EV_MMIO_WRITE && e.on_op_thread && e.ts > submitted && e.ts <= end && (!bell || e.ts < bell->ts))
            bell = &e;
    }
    const uint64_t bell_start = bell ? bell->ts : begin;
    const uint64_t bell_end = bell ? bell->ts + bell->dur : begin;
    // The completion: the last interrupt wake after the doorbell, and the last raise before it.
    bool have_wake = false, have_raise = false;
    uint64_t wake = end, raise = end;
    for (size_t i = 0; i < n; ++i)
        if (ev[i].kind == SL_LB_EV_IRQ_WAKE && ev[i].ts >= bell_end && ev[i].ts <= end && (!have_wake || ev[i].ts >= wake)) {
            wake = ev[i].ts;
            have_wake = true;
        }
    for (size_t i = 0; i < n; ++i)
        if (ev[i].kind == SL_LB_EV_IRQ_RAISE && ev[i].ts >= bell_end && ev[i].ts <= wake &&
            (!have_raise || ev[i].ts >= raise)) {
            raise = ev[i].ts;
            have_raise = true;
        }
    const uint64_t device_until = have_raise ? raise : wake;  // wake is end when there is none
    std::vector<const sl_lb_event_t*> bursts;
    for (size_t i = 0; i < n; ++i)
        if (ev[i].kind == SL_LB_EV_BURST && ev[i].ts >= bell_end && ev[i].ts < device_until) bursts.push_back(&ev[i]);
    std::stable_sort(bursts.begin(), bursts.end(),
                     [](const sl_lb_event_t* a, const sl_lb_event_t* b) { return a->ts < b->ts; });

    // Translations by start, for the overlap of each burst: those starting before the burst's
    // end and ending after its start, found from the first that could (no scan of all events
    // per burst: an operation of a large transfer has thousands of both).
    std::vector<const sl_lb_event_t*> xlates;
    uint64_t longest = 0;
    for (size_t i = 0; i < n; ++i)
        if (ev[i].kind == SL_LB_EV_TRANSLATE) {
            xlates.push_back(&ev[i]);
            longest = std::max(longest, ev[i].dur);
        }
    std::stable_sort(xlates.begin(), xlates.end(),
                     [](const sl_lb_event_t* a, const sl_lb_event_t* b) { return a->ts < b->ts; });

    Cursor c{begin, end, out};
    c.take(SL_LB_DRIVER_PREP, bell_start);
    c.take(SL_LB_DOORBELL, bell_end);
    for (size_t b = 0; b < bursts.size(); ++b) {
        const sl_lb_event_t& e = *bursts[b];
        const int stage = stage_of_phase(e.phase);
        c.take(b == 0 ? SL_LB_DEVICE_QUEUEING : stage, e.ts);
        // The part of the burst not yet counted: translation first (what overlaps it), then its stage.
        const uint64_t from = c.at, to = std::min(e.ts + e.dur, device_until);
        if (to <= from) continue;
        uint64_t xlate = 0;
        const uint64_t earliest = from > longest ? from - longest : 0;  // none starting before can reach `from`
        auto first = std::lower_bound(xlates.begin(), xlates.end(), earliest,
                                      [](const sl_lb_event_t* x, uint64_t t) { return x->ts < t; });
        for (auto it = first; it != xlates.end() && (*it)->ts < to; ++it) {
            const uint64_t lo = std::max((*it)->ts, from), hi = std::min((*it)->ts + (*it)->dur, to);
            if (hi > lo) xlate += hi - lo;
        }
        c.take(SL_LB_TRANSLATION, from + std::min(xlate, to - from));
        c.take(stage, to);
    }
    // The device's time after its last burst until it raised the interrupt.
    if (have_raise) c.take(bursts.empty() ? SL_LB_DEVICE_QUEUEING : stage_of_phase(bursts.back()->phase), raise);
    if (have_wake) c.take(SL_LB_INTERRUPT_DELIVERY, wake);
    c.take(SL_LB_DRIVER_COMPLETION, end);
    return 0;
}

}  // extern "C"
