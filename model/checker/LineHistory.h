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
#include <memory>
#include <unordered_map>
#include <vector>

#include <systemc>

#include "cache/CacheObserver.h"
#include "checker/SourceLocation.h"

namespace staleline {

struct Finding;

// A set of byte offsets within a line (line size <= 4096). Lines of up to 256 bytes (every
// line size a real CPU has) keep their bits inline, so a line's history costs no allocation.
class ByteMask {
public:
    ByteMask() = default;
    ByteMask(const ByteMask& o) { *this = o; }
    ByteMask& operator=(const ByteMask& o) {
        if (this == &o) return *this;
        resize(o.nwords_ * 64);
        std::copy(o.words(), o.words() + o.nwords_, words());
        return *this;
    }
    void resize(uint64_t line_size) {
        nwords_ = (uint32_t)((line_size + 63) / 64);
        heap_.reset(nwords_ > kInlineWords ? new uint64_t[nwords_] : nullptr);
        clear_all();
    }
    void set(uint64_t off, uint64_t len) { apply(off, len, true); }
    void clear(uint64_t off, uint64_t len) { apply(off, len, false); }
    void clear_all() {
        if (nwords_ == 1) inline_[0] = 0;  // every line of up to 64 bytes: no call to memset
        else std::fill(words(), words() + nwords_, 0);
    }
    bool test(uint64_t off) const { return (words()[(size_t)(off / 64)] >> (off % 64)) & 1; }
    bool any() const {
        for (uint32_t i = 0; i < nwords_; ++i)
            if (words()[i]) return true;
        return false;
    }
    // Set bytes in [off, off+n); *first: the first of them.
    uint64_t count(uint64_t off, uint64_t n, uint64_t* first = nullptr) const {
        uint64_t k = 0;
        const uint64_t end = off + n;
        for (uint64_t i = off; i < end;) {  // a word at a time
            const uint64_t bit = i % 64, m = std::min<uint64_t>(64 - bit, end - i);
            uint64_t w = words()[(size_t)(i / 64)] >> bit;
            if (m < 64) w &= (1ULL << m) - 1;
            if (w) {
                if (!k && first) *first = i + (uint64_t)__builtin_ctzll(w);
                k += (uint64_t)__builtin_popcountll(w);
            }
            i += m;
        }
        return k;
    }

private:
    static constexpr uint32_t kInlineWords = 4;
    uint64_t* words() { return heap_ ? heap_.get() : inline_; }
    const uint64_t* words() const { return heap_ ? heap_.get() : inline_; }
    void apply(uint64_t off, uint64_t len, bool on) {
        uint64_t* ws = words();
        for (uint64_t i = off; i < off + len;) {
            const uint64_t bit = i % 64, n = std::min<uint64_t>(64 - bit, off + len - i);
            const uint64_t m = (n == 64 ? ~0ULL : ((1ULL << n) - 1)) << bit;
            uint64_t& w = ws[(size_t)(i / 64)];
            w = on ? (w | m) : (w & ~m);
            i += n;
        }
    }
    // The size and the heap pointer first: with the first inline word they share a host cache line.
    std::unique_ptr<uint64_t[]> heap_;
    uint32_t nwords_ = 0;
    uint64_t inline_[kInlineWords] = {0, 0, 0, 0};
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

// The masks and flags that every cache event and access reads come first, the event records
// (read when a finding is made, written by accesses) after them: the histories of a large
// working set do not fit the host's caches, and an event then touches fewer host cache lines.
struct LineHistory {
    ByteMask device_bytes;  // written by the device since the view last matched DRAM

    // Order state (the hazard rules).
    ByteMask dev_unseen;    // written by a device since the line was last invalidated (and not by the CPU since)
    ByteMask cpu_unclean;   // stored by the CPU since the line was last cleaned
    const Finding* lost_finding = nullptr;  // the lost-device-write reported for this dirty episode
    bool filled = false;
    sc_core::sc_time fill_time;

    CpuWriteEvent dirtier;  // the first CPU store since the line's last clean or invalidate (valid: order-dirty)
    CpuWriteEvent cpu_write;
    MaintEvent maint;
    DeviceWriteEvent device_write;
};

// The histories of the lines the checker has seen, stored densely per 4 KiB page: one hash
// lookup finds a page's array (none at all while accesses stay in pages looked up lately),
// and a line's history is a slot of that array, so no line costs a heap node of its own.
// A history stays where it is until its page is forgotten, so references to it stay valid.
class LineHistoryTable {
public:
    explicit LineHistoryTable(uint64_t line_size)
        : line_(line_size), page_(std::max<uint64_t>(kPage, line_size)), per_page_(page_ / line_size) {
        fresh_.device_bytes.resize(line_);
        fresh_.cpu_unclean.resize(line_);
        fresh_.dev_unseen.resize(line_);
    }
    uint64_t line_size() const { return line_; }
    uint64_t base(uint64_t pa) const { return pa & ~(line_ - 1); }

    LineHistory& at(uint64_t line) {
        Page& p = page_at(line);
        const uint64_t i = slot(line);
        if (!p.present[i]) {
            p.present[i] = true;
            ++p.count;
            ++lines_;
        }
        return p.lines[i];
    }
    LineHistory* find(uint64_t line) {
        Page* p = page_of(line);
        if (!p) return nullptr;
        const uint64_t i = slot(line);
        return p->present[i] ? &p->lines[i] : nullptr;
    }
    // Forget every line of [pa, pa+len) (pages handed to a new owner).
    void forget(uint64_t pa, uint64_t len) {
        if (!len) return;
        const uint64_t first = base(pa), last = base(pa + len - 1);
        for_each_page(first, last, [&](uint64_t pno, Page& p) {
            const uint64_t lo = std::max(first, pno * page_), hi = std::min(last, pno * page_ + page_ - line_);
            for (uint64_t l = lo;; l += line_) {
                const uint64_t i = slot(l);
                if (p.present[i]) {
                    p.lines[i] = fresh_;
                    p.present[i] = false;
                    --p.count;
                    --lines_;
                }
                if (l == hi) break;
            }
            if (!p.count) drop(pno);
        });
    }
    // Lines with a history in [first, last] (line addresses), in address order (so that what
    // callers derive from them does not depend on hash order).
    template <typename Fn>
    void for_each_in(uint64_t first, uint64_t last, Fn fn) {
        for_each_page(first, last, [&](uint64_t pno, Page& p) {
            const uint64_t lo = std::max(first, pno * page_), hi = std::min(last, pno * page_ + page_ - line_);
            for (uint64_t l = lo;; l += line_) {
                const uint64_t i = slot(l);
                if (p.present[i]) fn(l, p.lines[i]);
                if (l == hi) break;
            }
        });
    }
    size_t size() const { return lines_; }

private:
    static constexpr uint64_t kPage = 4096;
    struct Page {
        std::vector<LineHistory> lines;
        std::vector<bool> present;
        uint64_t count = 0;
    };

    uint64_t slot(uint64_t line) const { return (line % page_) / line_; }
    Page* page_of(uint64_t line) {
        const uint64_t pno = line / page_;
        Recent& r = recent_[pno % kRecent];
        if (r.page && r.pno == pno) return r.page;
        auto it = pages_.find(pno);
        if (it == pages_.end()) return nullptr;
        r = Recent{pno, it->second.get()};
        return r.page;
    }
    Page& page_at(uint64_t line) {
        if (Page* p = page_of(line)) return *p;
        const uint64_t pno = line / page_;
        std::unique_ptr<Page>& slotp = pages_[pno];
        if (!spare_.empty()) {  // every line of a dropped page was reset when it was forgotten
            slotp = std::move(spare_.back());
            spare_.pop_back();
        } else {
            slotp.reset(new Page);
            slotp->lines.assign((size_t)per_page_, fresh_);
            slotp->present.assign((size_t)per_page_, false);
        }
        recent_[pno % kRecent] = Recent{pno, slotp.get()};
        return *slotp;
    }
    void drop(uint64_t pno) {
        Recent& r = recent_[pno % kRecent];
        if (r.pno == pno) r = Recent{};
        auto it = pages_.find(pno);
        if (spare_.size() < kSpares) spare_.push_back(std::move(it->second));
        pages_.erase(it);
    }
    // Pages with a history that overlap [first, last], in address order; fn may drop the page.
    template <typename Fn>
    void for_each_page(uint64_t first, uint64_t last, Fn fn) {
        const uint64_t p0 = first / page_, p1 = last / page_;
        if (p1 - p0 + 1 > pages_.size()) {
            std::vector<uint64_t> keys;
            for (auto& kv : pages_)
                if (kv.first >= p0 && kv.first <= p1) keys.push_back(kv.first);
            std::sort(keys.begin(), keys.end());
            for (uint64_t k : keys) fn(k, *pages_.find(k)->second);
        } else {
            for (uint64_t k = p0;; ++k) {
                auto it = pages_.find(k);
                if (it != pages_.end()) fn(k, *it->second);
                if (k == p1) break;
            }
        }
    }

    uint64_t line_, page_, per_page_;
    LineHistory fresh_;  // a line with no history, masks sized for the line
    std::unordered_map<uint64_t, std::unique_ptr<Page>> pages_;
    size_t lines_ = 0;
    // Pages looked up lately, direct-mapped by page number: a copy alternates between its
    // source and destination pages, and evictions touch older ones.
    static constexpr unsigned kRecent = 64;
    struct Recent {
        uint64_t pno = 0;
        Page* page = nullptr;
    };
    Recent recent_[kRecent];
    // Dropped pages kept for reuse (a page of histories is tens of KiB to build), a few: a
    // pool of 1,024 cost 10,000 more host page faults in a 16x copy run than it saved.
    static constexpr size_t kSpares = 64;
    std::vector<std::unique_ptr<Page>> spare_;
};

}  // namespace staleline
