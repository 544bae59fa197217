// TimelineWriter: streams the platform's trace events (TraceEvent.h) into a Chrome
// trace-event file (the JSON Object Format that Perfetto's UI and chrome://tracing load),
// with simulated time as the clock. docs/timeline.md describes the tracks.
//
// Events arrive in the order models publish them, which with temporal decoupling is not the
// order of their times. The writer keeps a reorder buffer and writes an event once no later
// publication can precede it: every publisher stamps events at or after the kernel's time,
// so events older than the kernel's time are final, except inside spans still open (a
// syscall waiting for an interrupt), which hold the horizon at their start. Memory is bounded
// by what happens within one quantum or one open span (at most 50 us of simulated time; a
// span open longer is written as a 'B' and an 'E' event instead of one 'X'), not by the run's
// length.
//
// Tracks: one process per category (driver threads, devices, IOMMU, DRAM, findings), one
// thread per track name, numbered in order of first appearance (deterministic). Spans that
// overlap on a track without nesting (a device's outstanding bursts) go to numbered lanes of
// the track ("dma_engine read #2"), so every lane is a properly nested stack of slices.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "trace/TraceEvent.h"

namespace staleline {

class TimelineWriter {
public:
    // Category mask: bit (1 << TraceCategory). Throws std::runtime_error when path cannot be
    // written. Subscribes to ch until close().
    TimelineWriter(TraceEvents& ch, const std::string& path, unsigned categories);
    ~TimelineWriter();
    TimelineWriter(const TimelineWriter&) = delete;
    TimelineWriter& operator=(const TimelineWriter&) = delete;

    // Parses "driver,device,iommu,dram,findings" (any subset, any order; "all"); false on an
    // unknown name, which *bad names.
    static bool parse_categories(const std::string& list, unsigned* mask, std::string* bad);

    // A finding, as an instant on the findings track (call before close()).
    void add_finding(const sc_core::sc_time& at, const std::string& kind, const std::string& message,
                     const std::string& file, unsigned line);
    // Writes everything still buffered (open spans end at `end`), the findings, and closes
    // the file. false if a write failed. Later calls do nothing.
    bool close(const sc_core::sc_time& end);

    uint64_t events_written() const { return written_; }

private:
    struct Track {
        unsigned pid;
        std::string name;
        std::vector<unsigned> lane_tids;               // tid of each lane (0: the track's own)
        std::vector<std::vector<uint64_t>> lane_ends;  // per lane, the ends of its open slices (ps)
    };
    struct Open {  // a 'B' waiting for its 'E'
        uint64_t ts;
        std::string name, args;
        TraceKind kind;
        bool streamed = false;  // written as a 'B' event already (open too long to hold back)
    };
    struct Pending {
        uint64_t ts, dur, seq;
        unsigned track;
        char phase;
        std::string name, args;
        bool operator<(const Pending& o) const {  // priority_queue: the smallest (ts, -dur, seq) on top
            if (ts != o.ts) return ts > o.ts;
            if ((phase == 'E') != (o.phase == 'E')) return o.phase == 'E';  // a span ends before the next begins
            if (dur != o.dur) return dur < o.dur;  // the enclosing slice first
            return seq > o.seq;
        }
    };
    struct Finding {
        uint64_t ts;
        std::string kind, message, file;
        unsigned line;
    };

    void on_event(const TraceEvent& e);
    unsigned track_of(TraceCategory c, const char* name);
    static std::string args_json(const TraceEvent& e);
    void push(uint64_t ts, uint64_t dur, unsigned track, char phase, std::string name, std::string args);
    void flush_before(uint64_t horizon);
    void emit(const Pending& p);
    void dram_access(uint64_t ts, uint64_t bytes);
    void dram_flush_before(uint64_t horizon);
    void line(const std::string& text);
    void metadata(unsigned pid, unsigned tid, const char* what, const std::string& name);

    TraceEvents* ch_;
    uint64_t token_ = 0;
    unsigned mask_;
    FILE* f_ = nullptr;
    bool ok_ = true, first_ = true, closed_ = false;
    uint64_t seq_ = 0, written_ = 0;
    std::vector<Track> tracks_;
    std::map<std::pair<unsigned, std::string>, unsigned> track_index_;
    std::map<unsigned, unsigned> next_tid_;          // per pid
    std::map<unsigned, std::vector<Open>> open_;     // per track: its open spans, innermost last
    std::multiset<uint64_t> open_starts_;            // every open span's start: the horizon's floor
    // A span open longer than this (an idle thread's interrupt wait) stops holding the horizon
    // back: it is written as a 'B' event and later an 'E', so memory stays bounded.
    static constexpr uint64_t kMaxHoldPs = 50000000;  // 50 us
    void stream_old_spans(uint64_t now);
    std::priority_queue<Pending> buffer_;
    std::vector<Finding> findings_;
    // DRAM bandwidth: bytes per bucket of kDramBucketPs, written as a counter.
    static constexpr uint64_t kDramBucketPs = 1000000;  // 1 us
    std::map<uint64_t, uint64_t> dram_bytes_;            // bucket -> bytes
    uint64_t dram_last_bucket_ = UINT64_MAX;             // last bucket written
    bool dram_last_nonzero_ = false;
};

}  // namespace staleline
