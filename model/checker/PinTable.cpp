#include "checker/PinTable.h"

#include <algorithm>

namespace staleline {

const char* to_string(PinState s) {
    switch (s) {
    case PinState::Pinned: return "pinned";
    case PinState::Quarantined: return "quarantined";
    case PinState::Unpinned: return "unpinned";
    }
    return "?";
}

Pin& PinTable::add(std::shared_ptr<Pin> p) {
    p->id = ++made_;
    Pin& pin = *p;
    pins_[pin.id] = Kept{std::move(p), 0};
    live_.insert(pin.id);
    for (size_t r = 0; r < pin.runs.size(); ++r) {
        longest_run_ = std::max(longest_run_, pin.runs[r].len);
        live_pa_.emplace(pin.runs[r].pa, Ref{&pin, r});
        live_dev_.emplace(pin.runs[r].device_addr, Ref{&pin, r});
    }
    return pin;
}

void PinTable::unindex(Index& idx, bool by_device, const Pin& p) {
    for (const PinRange& r : p.runs) {
        auto range = idx.equal_range(by_device ? r.device_addr : r.pa);
        for (auto it = range.first; it != range.second;)
            it = it->second.pin == &p ? idx.erase(it) : std::next(it);
    }
}

void PinTable::index_retired(Index& idx, bool by_device, const Pin& p) {
    for (size_t r = 0; r < p.runs.size(); ++r) {
        const uint64_t start = by_device ? p.runs[r].device_addr : p.runs[r].pa;
        // Keep only the newest retired pin of this requester starting here.
        auto range = idx.equal_range(start);
        for (auto it = range.first; it != range.second;) {
            const Pin* other = it->second.pin;
            if (other != &p && other->requester == p.requester) {
                it = idx.erase(it);
                release(other->id);
            } else {
                ++it;
            }
        }
        idx.emplace(start, Ref{&p, r});
        ++pins_[p.id].retired_refs;
    }
}

void PinTable::release(uint64_t id) {
    auto k = pins_.find(id);
    if (k == pins_.end() || --k->second.retired_refs) return;
    pins_.erase(k);
    --retired_kept_;
}

void PinTable::drop_retired(uint64_t id) {
    auto k = pins_.find(id);
    if (k == pins_.end() || k->second.pin->live()) return;
    unindex(retired_pa_, false, *k->second.pin);
    unindex(retired_dev_, true, *k->second.pin);
    pins_.erase(k);
    --retired_kept_;
}

void PinTable::retire(uint64_t id) {
    auto k = pins_.find(id);
    if (k == pins_.end() || !live_.erase(id)) return;
    std::shared_ptr<Pin> keep = k->second.pin;  // index_retired may reach it through release()
    unindex(live_pa_, false, *keep);
    unindex(live_dev_, true, *keep);
    ++retired_kept_;
    if (keep->runs.empty()) {
        pins_.erase(k);
        --retired_kept_;
        return;
    }
    index_retired(retired_pa_, false, *keep);
    index_retired(retired_dev_, true, *keep);
    retired_order_.push_back(id);
    // The window: the oldest retired pins still kept go first.
    while (retired_kept_ > kRetiredWindow && !retired_order_.empty()) {
        drop_retired(retired_order_.front());
        retired_order_.pop_front();
    }
    // Ids of pins dropped by replacement: compact now and then, so the order stays bounded.
    if (retired_order_.size() > 2 * kRetiredWindow) {
        std::deque<uint64_t> still;
        for (uint64_t r : retired_order_)
            if (pins_.count(r)) still.push_back(r);
        retired_order_.swap(still);
    }
}

void PinTable::clear() {
    pins_.clear();
    live_.clear();
    retired_order_.clear();
    retired_kept_ = 0;
    live_pa_.clear();
    live_dev_.clear();
    retired_pa_.clear();
    retired_dev_.clear();
    longest_run_ = 0;
    made_ = 0;
}

Pin* PinTable::get(uint64_t id) {
    auto k = pins_.find(id);
    return k == pins_.end() ? nullptr : k->second.pin.get();
}

const Pin* PinTable::get(uint64_t id) const {
    auto k = pins_.find(id);
    return k == pins_.end() ? nullptr : k->second.pin.get();
}

const Pin* PinTable::search(const Index& idx, bool by_device, uint64_t a, int rid, const PinRange** run,
                            unsigned perms) const {
    const Pin* best = nullptr;
    const PinRange* best_run = nullptr;
    auto it = idx.upper_bound(a);
    while (it != idx.begin()) {
        --it;
        if (a - it->first >= longest_run_) break;  // runs starting further down cannot reach a
        const Pin& p = *it->second.pin;
        const PinRange& r = p.runs[it->second.run];
        const uint64_t start = by_device ? r.device_addr : r.pa;
        if (a - start >= r.len) continue;
        if (rid >= 0 && p.requester >= 0 && p.requester != rid) continue;
        if ((p.perms & perms) != perms) continue;
        if (!best || p.id > best->id) {
            best = &p;
            best_run = &r;
        }
    }
    if (run) *run = best_run;
    return best;
}

const Pin* PinTable::find_pa(uint64_t pa, int rid, bool live_only, const PinRange** run, unsigned perms) const {
    if (const Pin* p = search(live_pa_, false, pa, rid, run, perms)) return p;
    return live_only ? nullptr : search(retired_pa_, false, pa, rid, run, perms);
}

const Pin* PinTable::find_device(uint64_t a, int rid, bool live_only, const PinRange** run, unsigned perms) const {
    if (const Pin* p = search(live_dev_, true, a, rid, run, perms)) return p;
    return live_only ? nullptr : search(retired_dev_, true, a, rid, run, perms);
}

void PinTable::for_each_live(const std::function<void(const Pin&)>& fn) const {
    for (uint64_t id : live_) fn(*pins_.at(id).pin);
}

}  // namespace staleline
