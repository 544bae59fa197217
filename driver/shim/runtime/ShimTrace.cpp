// ShimTrace: see ShimTrace.h.
#include "ShimTrace.h"

#include "ShimRuntime.h"
#include "SimThread.h"
#include "staleline/shim_trace.h"

namespace staleline::zx {

TraceEvents* shim_trace_channel(TraceKind k) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return nullptr;
    TraceEvents& ch = rt->platform().trace();
    return ch.wants(k) ? &ch : nullptr;
}

namespace {

TraceEvent driver_event(TraceKind kind, char phase, const char* name, const sc_core::sc_time& at) {
    TraceEvent e;
    e.category = TraceCategory::Driver;
    e.kind = kind;
    e.phase = phase;
    e.track = SimThread::current().name().c_str();
    e.name = name;
    e.ts = at;
    return e;
}

void op_mark(TraceKind kind, const char* name, uint64_t op) {
    TraceEvents* ch = shim_trace_channel(kind);
    if (!ch) return;
    TraceEvent e = driver_event(kind, 'i', name, SimThread::current().now());
    e.arg("op", op);
    ch->publish(e);
}

}  // namespace

SyscallSpan::SyscallSpan(const char* name) : name_(name), active_(false) {
    TraceEvents* ch = shim_trace_channel(TraceKind::Syscall);
    if (!ch) return;
    active_ = true;
    ch->publish(driver_event(TraceKind::Syscall, 'B', name_, SimThread::current().now()));
}

SyscallSpan::~SyscallSpan() {
    if (!active_) return;
    // Published to whoever still listens (a listener that left ends the span itself).
    if (TraceEvents* ch = shim_trace_channel(TraceKind::Syscall))
        ch->publish(driver_event(TraceKind::Syscall, 'E', name_, SimThread::current().now()));
}

void trace_cache_op(uint64_t pa, uint64_t len, bool clean, bool invalidate, const sc_core::sc_time& at) {
    trace_cache_op(pa, len, clean, invalidate, at, sc_core::SC_ZERO_TIME);
}

void trace_cache_op(uint64_t pa, uint64_t len, bool clean, bool invalidate, const sc_core::sc_time& at,
                    const sc_core::sc_time& dur) {
    TraceEvents* ch = shim_trace_channel(TraceKind::CacheOp);
    if (!ch) return;
    TraceEvent e = driver_event(TraceKind::CacheOp, 'X',
                                clean && invalidate ? "clean+invalidate" : clean ? "clean" : "invalidate", at);
    e.dur = dur;
    e.arg("pa", pa, true).arg("len", len);
    ch->publish(e);
}

void trace_mmio(unsigned slot, uint64_t offset, unsigned size, uint64_t value, bool is_write,
                const sc_core::sc_time& at, const sc_core::sc_time& dur) {
    TraceEvents* ch = shim_trace_channel(TraceKind::Mmio);
    if (!ch) return;
    TraceEvent e = driver_event(TraceKind::Mmio, 'X', is_write ? "MMIO write" : "MMIO read", at);
    e.dur = dur;
    e.is_write = is_write;
    e.requester = (uint16_t)(slot << 3);
    e.arg("slot", slot).arg("offset", offset, true).arg("size", size).arg("value", value, true);
    ch->publish(e);
}

void trace_irq_wake(const sc_core::sc_time& at) {
    if (TraceEvents* ch = shim_trace_channel(TraceKind::IrqWake)) ch->publish(driver_event(TraceKind::IrqWake, 'i', "interrupt wake", at));
}

}  // namespace staleline::zx

extern "C" {

void sl_trace_op_begin(uint64_t op) { staleline::zx::op_mark(staleline::TraceKind::OpBegin, "operation begins", op); }
void sl_trace_op_submitted(uint64_t op) {
    staleline::zx::op_mark(staleline::TraceKind::OpSubmitted, "operation submitted", op);
}
void sl_trace_op_end(uint64_t op) { staleline::zx::op_mark(staleline::TraceKind::OpEnd, "operation completes", op); }

}  // extern "C"
