// TraceEvent: what a model did and when, published on the platform's trace channel
// (Platform::trace()) for whoever subscribes: the timeline writer (a Chrome trace-event file),
// the latency breakdown. Models publish only when the channel has a subscriber, so a run
// without one pays a single empty-channel check per place.
//
// Strings (track, name, text, arg keys) need only live during publish(); subscribers copy
// what they keep. Times are simulated: ts when the thing began, dur how long it took.
#pragma once

#include <cstdint>

#include <systemc>

#include "common/EventChannel.h"

namespace staleline {

// The timeline's process groups; also the --timeline-categories filter (bit 1 << category).
enum class TraceCategory : uint8_t { Driver = 0, Device = 1, Iommu = 2, Dram = 3, Findings = 4 };
constexpr unsigned kTraceCategoryCount = 5;

// What happened, for subscribers that interpret events (the latency breakdown) rather than
// draw them.
enum class TraceKind : uint8_t {
    Other,
    Syscall,       // a shim call of a driver thread (Begin/End)
    CacheOp,       // a clean/invalidate of a range
    Mmio,          // a register read or write (args: offset, value; is_write)
    IrqWake,       // a driver thread's interrupt wait returned
    OpBegin,       // a workload operation: the first driver call (args: op)
    OpSubmitted,   // ... the call that submitted it returned (args: op)
    OpEnd,         // ... and its completion seen by the workload (args: op)
    DeviceBurst,   // an upstream read or write of a device (args: addr, size; is_write; device_phase)
    DevicePhase,   // (unused: a burst's purpose travels on the burst, TraceEvent::device_phase)
    IrqRaise,      // a device raised an interrupt (MSI or INTx)
    Translate,     // the IOMMU translated a page (hit, or miss with its walk)
    Invalidate,    // an IOTLB invalidation command
    StaleHit,      // a translation served from a deferred-invalidated entry
    DeferredWindow,// stale translations were usable over [ts, ts + dur)
    DramAccess,    // bytes moved at DRAM (args: bytes)
    DeviceStall,   // the part of a burst the device waited for the IOMMU and memory
};

// What a device says a burst of its is for (BurstPurpose.h); the values are staleline/trace.h's
// SL_LB_PHASE_* and staleline/device.h's SL_DMA_FOR_*.
enum class DevicePhase : uint8_t { Data = 0, DescriptorFetch = 1, StatusWriteback = 2 };

struct TraceArg {
    const char* key = nullptr;
    uint64_t value = 0;
    bool hex = false;  // written as a "0x..." string
};

struct TraceEvent {
    TraceCategory category = TraceCategory::Driver;
    TraceKind kind = TraceKind::Other;
    char phase = 'X';              // 'X' complete, 'B'/'E' begin/end of a span on the track, 'i' instant
    const char* track = "";        // the thread or lane within the category ("run", "dma0 read")
    const char* name = "";
    sc_core::sc_time ts = sc_core::SC_ZERO_TIME;
    sc_core::sc_time dur = sc_core::SC_ZERO_TIME;
    bool is_write = false;
    uint16_t requester = 0xffff;   // device events: the PCI requester id
    DevicePhase device_phase = DevicePhase::Data;  // DeviceBurst: what the device said it was for
    uint8_t nargs = 0;
    TraceArg args[4];
    const char* text = nullptr;    // an optional free-text argument ("detail")

    TraceEvent& arg(const char* key, uint64_t value, bool hex = false) {
        if (nargs < 4) args[nargs++] = TraceArg{key, value, hex};
        return *this;
    }
};

// The channel, with the kinds of event its subscribers asked for: a publisher checks
// wants(kind) first, so a run pays only for what someone listens to (the latency breakdown
// takes no DRAM accesses; a timeline of the driver tracks takes no IOMMU events).
class TraceEvents : public EventChannel<TraceEvent> {
public:
    static constexpr uint32_t kAllKinds = ~0u;
    static constexpr uint32_t bit(TraceKind k) { return 1u << (unsigned)k; }

    uint64_t subscribe(Listener fn, uint32_t kinds) {
        const uint64_t token = EventChannel<TraceEvent>::subscribe(std::move(fn));
        masks_[token] = kinds;
        wanted_ |= kinds;
        return token;
    }
    void unsubscribe(uint64_t token) {
        EventChannel<TraceEvent>::unsubscribe(token);
        masks_.erase(token);
        wanted_ = 0;
        for (const auto& m : masks_) wanted_ |= m.second;
    }
    bool wants(TraceKind k) const { return wanted_ & bit(k); }

private:
    using EventChannel<TraceEvent>::subscribe;  // every subscriber says what it wants
    std::map<uint64_t, uint32_t> masks_;
    uint32_t wanted_ = 0;
};

// The check every publisher makes first: nothing is built when nobody listens for the kind.
inline bool tracing(const TraceEvents* ch, TraceKind k) { return ch && ch->wants(k); }

}  // namespace staleline
