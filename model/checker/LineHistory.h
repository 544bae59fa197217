// LineHistory: what the checker remembers about one cache line: the last CPU write, the last
// device write, the last fill, the last clean or invalidate (time and source location), and
// which bytes the device wrote since the CPU view of the line last matched DRAM.
//
// That byte mask is the heart of the checks. It is set by device writes and cleared where
// the CPU view is brought back in line with DRAM: a fill (view := DRAM), a write-back
// (DRAM := view), a conservative-mode refresh, and CPU stores to those bytes (the CPU's
// newer value supersedes). So a masked byte in a valid line is one whose cached copy
// predates a device write.
//
// The order state beside it is what the hazard rules read (docs/findings.md): which bytes the
// CPU stored since the line was last cleaned, which bytes a device wrote since the line was
// last invalidated, and the store that made the line dirty since its last clean or
// invalidate. It changes only with reported events (CPU accesses, cache operations, device
// writes), never with what the cache happened to hold, so a hazard is found on every run
// whatever the adversary or the seed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <unordered_map>
#include <vector>

#include <systemc>

#include "cache/CacheObserver.h"
#include "checker/SourceLocation.h"

namespace staleline {

struct Finding;

// A set of byte offsets within a line (line size <= 4096).
class ByteMask {
public:
    void resize(uint64_t line_size) { words_.assign((size_t)((line_size + 63) / 64), 0); }
    void set(uint64_t off, uint64_t len) { apply(off, len, true); }
    void clear(uint64_t off, uint64_t len) { apply(off, len, false); }
    void clear_all() { for (uint64_t& w : words_) w = 0; }
    bool test(uint64_t off) const { return (words_[(size_t)(off / 64)] >> (off % 64)) & 1; }
    bool any() const {
        for (uint64_t w : words_)
            if (w) return true;
        return false;
    }
    // Set bytes in [off, off+n); *first: the first of them.
    uint64_t count(uint64_t off, uint64_t n, uint64_t* first = nullptr) const {
        uint64_t k = 0;
        for (uint64_t i = off; i < off + n; ++i) {
            const uint64_t w = words_[(size_t)(i / 64)];
            if (!w) {  // skip an empty word
                i = (i / 64) * 64 + 63;
                continue;
            }
            if ((w >> (i % 64)) & 1) {
                if (!k && first) *first = i;
                ++k;
            }
        }
        return k;
    }

private:
    void apply(uint64_t off, uint64_t len, bool on) {
        for (uint64_t i = off; i < off + len;) {
            const uint64_t bit = i % 64, n = std::min<uint64_t>(64 - bit, off + len - i);
            const uint64_t m = (n == 64 ? ~0ULL : ((1ULL << n) - 1)) << bit;
            uint64_t& w = words_[(size_t)(i / 64)];
            w = on ? (w | m) : (w & ~m);
            i += n;
        }
    }
    std::vector<uint64_t> words_;
};

struct CpuWriteEvent {
    bool valid = false;
    sc_core::sc_time when;
    CodeSite site;
    uint64_t seq = 0;  // position in the checker's event order
};

struct DeviceWriteEvent {
    bool valid = false;
    sc_core::sc_time when;
    int requester = -1;
    uint64_t pa = 0, len = 0;     // the whole device transaction
    bool has_device_addr = false;
    uint64_t device_addr = 0;     // its device address (from the pin covering it)
    uint64_t transaction = 0;     // 1, 2, ... in device-transaction order
    CodeSite doorbell;            // the driver's last MMIO write to that device before it
    sc_core::sc_time doorbell_time;
    uint64_t seq = 0;             // position in the checker's event order
    uint64_t doorbell_seq = 0;    // 0: no doorbell known
    // It went to a page of a live pin that the driver never prepared (no cache operation since
    // the pin) while it prepared others of the same pin: which pin, and the page's index.
    uint64_t unprepared_pin = 0;
    uint64_t unprepared_index = 0;
};

struct MaintEvent {
    bool valid = false;
    sc_core::sc_time when;
    CodeSite site;
    MaintenanceOp op = MaintenanceOp::Clean;
    uint64_t seq = 0;
};

struct LineHistory {
    CpuWriteEvent cpu_write;
    DeviceWriteEvent device_write;
    bool filled = false;
    sc_core::sc_time fill_time;
    MaintEvent maint;
    ByteMask device_bytes;  // written by the device since the view last matched DRAM

    // Order state (the hazard rules).
    ByteMask cpu_unclean;   // stored by the CPU since the line was last cleaned
    ByteMask dev_unseen;    // written by a device since the line was last invalidated (and not by the CPU since)
    CpuWriteEvent dirtier;  // the first CPU store since the line's last clean or invalidate (valid: order-dirty)
    const Finding* lost_finding = nullptr;  // the lost-device-write reported for this dirty episode
};

class LineHistoryTable {
public:
    explicit LineHistoryTable(uint64_t line_size) : line_(line_size) {}
    uint64_t line_size() const { return line_; }
    uint64_t base(uint64_t pa) const { return pa & ~(line_ - 1); }

    LineHistory& at(uint64_t line) {
        auto it = lines_.find(line);
        if (it != lines_.end()) return it->second;
        LineHistory& h = lines_[line];
        h.device_bytes.resize(line_);
        h.cpu_unclean.resize(line_);
        h.dev_unseen.resize(line_);
        return h;
    }
    LineHistory* find(uint64_t line) {
        auto it = lines_.find(line);
        return it == lines_.end() ? nullptr : &it->second;
    }
    // Forget every line of [pa, pa+len) (pages handed to a new owner).
    void forget(uint64_t pa, uint64_t len) {
        if (!len) return;
        const uint64_t first = base(pa), last = base(pa + len - 1);
        if ((last - first) / line_ + 1 > lines_.size()) {
            for (auto it = lines_.begin(); it != lines_.end();)
                it = it->first >= first && it->first <= last ? lines_.erase(it) : std::next(it);
        } else {
            for (uint64_t l = first;; l += line_) {
                lines_.erase(l);
                if (l == last) break;
            }
        }
    }
    // Lines with a history in [first, last] (line addresses), in address order (so that what
    // callers derive from them does not depend on hash order).
    template <typename Fn>
    void for_each_in(uint64_t first, uint64_t last, Fn fn) {
        if ((last - first) / line_ + 1 > lines_.size()) {
            std::vector<uint64_t> keys;
            for (auto& kv : lines_)
                if (kv.first >= first && kv.first <= last) keys.push_back(kv.first);
            std::sort(keys.begin(), keys.end());
            for (uint64_t l : keys) fn(l, lines_.find(l)->second);
        } else {
            for (uint64_t l = first;; l += line_) {
                auto it = lines_.find(l);
                if (it != lines_.end()) fn(l, it->second);
                if (l == last) break;
            }
        }
    }
    size_t size() const { return lines_.size(); }

private:
    uint64_t line_;
    std::unordered_map<uint64_t, LineHistory> lines_;
};

}  // namespace staleline
