// TimelineWriter: see TimelineWriter.h.
#include "trace/TimelineWriter.h"

#include <algorithm>
#include <cinttypes>
#include <stdexcept>

namespace staleline {

namespace {

const char* const kCategoryNames[kTraceCategoryCount] = {"driver", "device", "iommu", "dram", "findings"};
const char* const kProcessNames[kTraceCategoryCount] = {"driver threads", "devices", "IOMMU", "DRAM", "findings"};

uint64_t ps(const sc_core::sc_time& t) { return t.value() * (uint64_t)(sc_core::sc_get_time_resolution().to_seconds() * 1e12 + 0.5); }

// Microseconds with six decimals: exact for picosecond times, the same bytes on every host.
std::string us(uint64_t t_ps) {
    char b[48];
    snprintf(b, sizeof b, "%" PRIu64 ".%06" PRIu64, t_ps / 1000000, t_ps % 1000000);
    return b;
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += (char)c;
        } else if (c < 0x20) {
            char b[8];
            snprintf(b, sizeof b, "\\u%04x", c);
            out += b;
        } else {
            out += (char)c;
        }
    }
    return out + "\"";
}

// The kinds of event each category's tracks draw.
uint32_t kinds_of(unsigned categories) {
    using K = TraceKind;
    auto b = [](K k) { return TraceEvents::bit(k); };
    const uint32_t per[kTraceCategoryCount] = {
        b(K::Syscall) | b(K::CacheOp) | b(K::Mmio) | b(K::IrqWake) | b(K::OpBegin) | b(K::OpSubmitted) | b(K::OpEnd),
        b(K::DeviceBurst) | b(K::DeviceStall) | b(K::IrqRaise),
        b(K::Translate) | b(K::Invalidate) | b(K::StaleHit) | b(K::DeferredWindow),
        b(K::DramAccess),
        0,  // findings come from the checker at the end
    };
    uint32_t k = 0;
    for (unsigned c = 0; c < kTraceCategoryCount; ++c)
        if (categories & (1u << c)) k |= per[c];
    return k;
}

}  // namespace

bool TimelineWriter::parse_categories(const std::string& list, unsigned* mask, std::string* bad) {
    unsigned m = 0;
    size_t at = 0;
    while (at <= list.size()) {
        size_t comma = list.find(',', at);
        if (comma == std::string::npos) comma = list.size();
        const std::string name = list.substr(at, comma - at);
        bool found = name == "all";
        if (found) m |= (1u << kTraceCategoryCount) - 1;
        for (unsigned i = 0; i < kTraceCategoryCount && !found; ++i)
            if (name == kCategoryNames[i]) {
                m |= 1u << i;
                found = true;
            }
        if (!found) {
            if (bad) *bad = name;
            return false;
        }
        at = comma + 1;
    }
    *mask = m;
    return true;
}

TimelineWriter::TimelineWriter(TraceEvents& ch, const std::string& path, unsigned categories)
    : ch_(&ch), mask_(categories) {
    f_ = fopen(path.c_str(), "w");
    if (!f_) throw std::runtime_error("cannot write " + path);
    fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"clock\":\"simulated time\",\"producer\":\"staleline\"},"
          "\"traceEvents\":[\n",
          f_);
    for (unsigned c = 0; c < kTraceCategoryCount; ++c)
        if (mask_ & (1u << c)) {
            metadata(c + 1, 0, "process_name", kProcessNames[c]);
            line("{\"ph\":\"M\",\"name\":\"process_sort_index\",\"ts\":0,\"pid\":" + std::to_string(c + 1) +
                 ",\"tid\":0,\"args\":{\"sort_index\":" + std::to_string(c + 1) + "}}");
        }
    token_ = ch_->subscribe([this](const TraceEvent& e) { on_event(e); }, kinds_of(mask_));
}

TimelineWriter::~TimelineWriter() {
    close(sc_core::sc_time_stamp());
}

void TimelineWriter::line(const std::string& text) {
    if (!f_) return;
    if (!first_ && fputs(",\n", f_) < 0) ok_ = false;
    first_ = false;
    if (fputs(text.c_str(), f_) < 0) ok_ = false;
    ++written_;
}

void TimelineWriter::metadata(unsigned pid, unsigned tid, const char* what, const std::string& name) {
    line(std::string("{\"ph\":\"M\",\"name\":\"") + what + "\",\"ts\":0,\"pid\":" + std::to_string(pid) +
         ",\"tid\":" + std::to_string(tid) + ",\"args\":{\"name\":" + quoted(name) + "}}");
}

unsigned TimelineWriter::track_of(TraceCategory c, const char* name) {
    const unsigned pid = (unsigned)c + 1;
    auto key = std::make_pair(pid, std::string(name ? name : ""));
    auto it = track_index_.find(key);
    if (it != track_index_.end()) return it->second;
    const unsigned tid = ++next_tid_[pid];
    tracks_.push_back(Track{pid, key.second, {tid}, {{}}});
    metadata(pid, tid, "thread_name", key.second);
    line("{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"ts\":0,\"pid\":" + std::to_string(pid) + ",\"tid\":" +
         std::to_string(tid) + ",\"args\":{\"sort_index\":" + std::to_string(tid) + "}}");
    track_index_.emplace(key, (unsigned)tracks_.size() - 1);
    return (unsigned)tracks_.size() - 1;
}

std::string TimelineWriter::args_json(const TraceEvent& e) {
    std::string a;
    for (unsigned i = 0; i < e.nargs; ++i) {
        a += a.empty() ? "" : ",";
        a += quoted(e.args[i].key) + ":";
        char b[32];
        if (e.args[i].hex) snprintf(b, sizeof b, "\"0x%" PRIx64 "\"", e.args[i].value);
        else snprintf(b, sizeof b, "%" PRIu64, e.args[i].value);
        a += b;
    }
    if (e.text) a += (a.empty() ? "" : ",") + std::string("\"detail\":") + quoted(e.text);
    return a;
}

void TimelineWriter::push(uint64_t ts, uint64_t dur, unsigned track, char phase, std::string name, std::string args) {
    buffer_.push(Pending{ts, dur, seq_++, track, phase, std::move(name), std::move(args)});
}

void TimelineWriter::on_event(const TraceEvent& e) {
    if (closed_ || !(mask_ & (1u << (unsigned)e.category))) return;
    const uint64_t now = ps(sc_core::sc_time_stamp());
    if (e.kind == TraceKind::DramAccess) {
        dram_access(ps(e.ts), e.nargs ? e.args[0].value : 0);
    } else {
        const unsigned t = track_of(e.category, e.track);
        const uint64_t ts = ps(e.ts);
        if (e.phase == 'B') {
            open_[t].push_back(Open{ts, e.name, args_json(e), e.kind});
            open_starts_.insert(ts);
        } else if (e.phase == 'E') {
            auto& stack = open_[t];
            if (!stack.empty()) {
                Open o = std::move(stack.back());
                stack.pop_back();
                std::string args = o.args;
                const std::string more = args_json(e);
                if (!more.empty()) args += (args.empty() ? "" : ",") + more;
                if (o.streamed) {
                    push(std::max(ts, o.ts), 0, t, 'E', std::move(o.name), more);
                } else {
                    open_starts_.erase(open_starts_.find(o.ts));
                    push(o.ts, ts > o.ts ? ts - o.ts : 0, t, 'X', std::move(o.name), std::move(args));
                }
            }
        } else {
            push(ts, e.phase == 'X' ? ps(e.dur) : 0, t, e.phase, e.name, args_json(e));
        }
    }
    stream_old_spans(now);
    uint64_t horizon = now;
    if (!open_starts_.empty()) horizon = std::min(horizon, *open_starts_.begin());
    flush_before(horizon);
}

void TimelineWriter::stream_old_spans(uint64_t now) {
    while (!open_starts_.empty() && *open_starts_.begin() + kMaxHoldPs < now) {
        const uint64_t oldest = *open_starts_.begin();
        open_starts_.erase(open_starts_.begin());
        for (auto& [t, stack] : open_)
            for (Open& o : stack)
                if (!o.streamed && o.ts == oldest) {
                    o.streamed = true;
                    push(o.ts, UINT64_MAX, t, 'B', o.name, o.args);  // before the slices it holds
                    goto next;
                }
    next:;
    }
}

void TimelineWriter::flush_before(uint64_t horizon) {
    dram_flush_before(horizon);
    while (!buffer_.empty() && buffer_.top().ts < horizon) {
        emit(buffer_.top());
        buffer_.pop();
    }
}

void TimelineWriter::emit(const Pending& p) {
    Track& tr = tracks_[p.track];
    unsigned tid = tr.lane_tids[0];
    if (p.phase == 'X') {
        // The first lane where the slice starts after the open ones end, or nests in the innermost.
        const uint64_t end = p.ts + p.dur;
        size_t lane = 0;
        for (;; ++lane) {
            if (lane == tr.lane_ends.size()) {
                tr.lane_ends.emplace_back();
                tr.lane_tids.push_back(++next_tid_[tr.pid]);
                const std::string name = tr.name + " #" + std::to_string(lane + 1);
                metadata(tr.pid, tr.lane_tids.back(), "thread_name", name);
                line("{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"ts\":0,\"pid\":" + std::to_string(tr.pid) +
                     ",\"tid\":" + std::to_string(tr.lane_tids.back()) + ",\"args\":{\"sort_index\":" +
                     std::to_string(tr.lane_tids[0]) + "}}");
            }
            auto& ends = tr.lane_ends[lane];
            while (!ends.empty() && ends.back() <= p.ts) ends.pop_back();
            if (ends.empty() || end <= ends.back()) {
                ends.push_back(end);
                break;
            }
        }
        tid = tr.lane_tids[lane];
    }
    std::string text = "{\"ph\":\"";
    text += p.phase;
    text += "\",\"name\":" + quoted(p.name) + ",\"cat\":\"" + kCategoryNames[tr.pid - 1] + "\",\"ts\":" + us(p.ts);
    if (p.phase == 'X') text += ",\"dur\":" + us(p.dur);
    if (p.phase == 'i') text += ",\"s\":\"t\"";
    text += ",\"pid\":" + std::to_string(tr.pid) + ",\"tid\":" + std::to_string(tid);
    if (!p.args.empty()) text += ",\"args\":{" + p.args + "}";
    line(text + "}");
}

void TimelineWriter::dram_access(uint64_t ts, uint64_t bytes) { dram_bytes_[ts / kDramBucketPs] += bytes; }

void TimelineWriter::dram_flush_before(uint64_t horizon) {
    while (!dram_bytes_.empty()) {
        auto it = dram_bytes_.begin();
        if ((it->first + 1) * kDramBucketPs > horizon) break;  // the bucket may still grow
        const unsigned t = track_of(TraceCategory::Dram, "bandwidth");
        // After a gap, the counter drops to zero where the traffic stopped.
        if (dram_last_bucket_ != UINT64_MAX && it->first > dram_last_bucket_ + 1 && dram_last_nonzero_)
            push((dram_last_bucket_ + 1) * kDramBucketPs, 0, t, 'C', "DRAM bandwidth", "\"MB/s\":0");
        // bytes per microsecond is MB/s
        char v[48];
        snprintf(v, sizeof v, "\"MB/s\":%" PRIu64, it->second * 1000000 / kDramBucketPs);
        push(it->first * kDramBucketPs, 0, t, 'C', "DRAM bandwidth", v);
        dram_last_bucket_ = it->first;
        dram_last_nonzero_ = it->second != 0;
        dram_bytes_.erase(it);
    }
}

void TimelineWriter::add_finding(const sc_core::sc_time& at, const std::string& kind, const std::string& message,
                                 const std::string& file, unsigned line) {
    if (closed_ || !(mask_ & (1u << (unsigned)TraceCategory::Findings))) return;
    findings_.push_back(Finding{ps(at), kind, message, file, line});
}

bool TimelineWriter::close(const sc_core::sc_time& end) {
    if (closed_) return ok_;
    closed_ = true;
    ch_->unsubscribe(token_);
    const uint64_t end_ps = ps(end);
    // Spans still open end with the run.
    for (auto& [t, stack] : open_)
        while (!stack.empty()) {
            Open& o = stack.back();
            if (o.streamed) push(std::max(end_ps, o.ts), 0, t, 'E', o.name, "");
            else push(o.ts, end_ps > o.ts ? end_ps - o.ts : 0, t, 'X', o.name, o.args);
            stack.pop_back();
        }
    open_starts_.clear();
    flush_before(UINT64_MAX);
    std::stable_sort(findings_.begin(), findings_.end(),
                     [](const Finding& a, const Finding& b) { return a.ts < b.ts; });
    if (!findings_.empty()) {
        const unsigned t = track_of(TraceCategory::Findings, "findings");
        for (const Finding& fd : findings_) {
            const std::string where = fd.file.empty() ? "" : fd.file + ":" + std::to_string(fd.line);
            std::string args = "\"message\":" + quoted(fd.message) + ",\"location\":" + quoted(where);
            push(fd.ts, 0, t, 'i', fd.kind, std::move(args));
        }
        flush_before(UINT64_MAX);
    }
    if (f_) {
        if (fputs("\n]}\n", f_) < 0) ok_ = false;
        if (fclose(f_)) ok_ = false;
        f_ = nullptr;
    }
    return ok_;
}

}  // namespace staleline
