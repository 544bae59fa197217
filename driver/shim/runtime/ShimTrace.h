// ShimTrace: what driver threads do, published on the platform's trace channel
// (trace/TraceEvent.h, category Driver, one track per simulated thread): shim calls as spans,
// cache operations, MMIO accesses, interrupt wakes and the workload's operation marks.
// Every function returns at once when nobody listens.
#pragma once

#include <cstdint>

#include <systemc>

#include "trace/TraceEvent.h"

namespace staleline::zx {

class ShimRuntime;
class SimThread;

// The platform's trace channel when someone listens for events of kind k, else nullptr.
TraceEvents* shim_trace_channel(TraceKind k);

// A shim call as a span on the calling thread's track, from construction to destruction.
class SyscallSpan {
public:
    explicit SyscallSpan(const char* name);
    ~SyscallSpan();
    SyscallSpan(const SyscallSpan&) = delete;
    SyscallSpan& operator=(const SyscallSpan&) = delete;

private:
    const char* name_;
    bool active_;
};

void trace_cache_op(uint64_t pa, uint64_t len, bool clean, bool invalidate, const sc_core::sc_time& at);
void trace_cache_op(uint64_t pa, uint64_t len, bool clean, bool invalidate, const sc_core::sc_time& at,
                    const sc_core::sc_time& dur);
void trace_mmio(unsigned slot, uint64_t offset, unsigned size, uint64_t value, bool is_write,
                const sc_core::sc_time& at, const sc_core::sc_time& dur);
void trace_irq_wake(const sc_core::sc_time& at);

}  // namespace staleline::zx
