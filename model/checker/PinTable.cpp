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

CheckerPin& PinTable::add(CheckerPin p) {
    p.id = pins_.size() + 1;
    pins_.push_back(std::move(p));
    const size_t i = pins_.size() - 1;
    for (const PinRange& r : pins_[i].runs) longest_run_ = std::max(longest_run_, r.len);
    insert(live_pa_, false, i, false);
    insert(live_dev_, true, i, false);
    return pins_[i];
}

void PinTable::insert(Index& idx, bool by_device, size_t pin, bool replace_older) {
    const CheckerPin& p = pins_[pin];
    for (size_t r = 0; r < p.runs.size(); ++r) {
        const uint64_t start = by_device ? p.runs[r].device_addr : p.runs[r].pa;
        if (replace_older) {
            // Keep only the newest retired pin of this requester starting here.
            auto range = idx.equal_range(start);
            for (auto it = range.first; it != range.second;)
                it = pins_[it->second.pin].requester == p.requester ? idx.erase(it) : std::next(it);
        }
        idx.emplace(start, Ref{pin, r});
    }
}

void PinTable::retire(uint64_t id) {
    CheckerPin* p = get(id);
    if (!p) return;
    const size_t i = (size_t)(id - 1);
    for (Index* idx : {&live_pa_, &live_dev_})
        for (auto it = idx->begin(); it != idx->end();) it = it->second.pin == i ? idx->erase(it) : std::next(it);
    insert(retired_pa_, false, i, true);
    insert(retired_dev_, true, i, true);
}

CheckerPin* PinTable::search(const Index& idx, bool by_device, uint64_t a, int rid, const PinRange** run) {
    CheckerPin* best = nullptr;
    const PinRange* best_run = nullptr;
    auto it = idx.upper_bound(a);
    while (it != idx.begin()) {
        --it;
        if (a - it->first >= longest_run_) break;  // runs starting further down cannot reach a
        CheckerPin& p = pins_[it->second.pin];
        const PinRange& r = p.runs[it->second.run];
        const uint64_t start = by_device ? r.device_addr : r.pa;
        if (a - start >= r.len) continue;
        if (rid >= 0 && p.requester >= 0 && p.requester != rid) continue;
        if (!best || p.id > best->id) {
            best = &p;
            best_run = &r;
        }
    }
    if (run) *run = best_run;
    return best;
}

CheckerPin* PinTable::find_pa(uint64_t pa, int rid, bool live_only, const PinRange** run) {
    if (CheckerPin* p = search(live_pa_, false, pa, rid, run)) return p;
    return live_only ? nullptr : search(retired_pa_, false, pa, rid, run);
}

CheckerPin* PinTable::find_device(uint64_t a, int rid, bool live_only, const PinRange** run) {
    if (CheckerPin* p = search(live_dev_, true, a, rid, run)) return p;
    return live_only ? nullptr : search(retired_dev_, true, a, rid, run);
}

}  // namespace staleline
