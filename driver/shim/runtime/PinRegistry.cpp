#include "PinRegistry.h"

#include <algorithm>

namespace staleline::zx {

const char* to_string(PinState s) {
    switch (s) {
        case PinState::Pinned: return "pinned";
        case PinState::Quarantined: return "quarantined";
        case PinState::Unpinned: return "unpinned";
    }
    return "?";
}

const PinRun* PinRecord::run_for_device(uint64_t a) const {
    for (const PinRun& r : runs)
        if (a - r.device_addr < r.len) return &r;
    return nullptr;
}

PinRecord& PinRegistry::add(PinRecord r) {
    r.id = records_.size() + 1;
    records_.push_back(std::move(r));
    const size_t index = records_.size() - 1;
    for (const PinRun& run : records_.back().runs) {
        by_device_[{records_.back().requester, run.device_addr}].push_back(index);
        longest_run_ = std::max(longest_run_, run.len);
    }
    return records_.back();
}

std::vector<const PinRecord*> PinRegistry::live() const {
    std::vector<const PinRecord*> out;
    for (const PinRecord& r : records_)
        if (r.live()) out.push_back(&r);
    return out;
}

const PinRecord* PinRegistry::find_device(uint16_t rid, uint64_t a) const {
    const PinRecord* live = nullptr;
    const PinRecord* retired = nullptr;
    auto it = by_device_.upper_bound({rid, a});
    while (it != by_device_.begin()) {
        --it;
        if (it->first.first != rid || a - it->first.second >= longest_run_) break;
        for (size_t index : it->second) {
            const PinRecord& r = records_[index];
            if (!r.run_for_device(a)) continue;
            const PinRecord*& best = r.live() ? live : retired;
            if (!best || r.id > best->id) best = &r;
        }
    }
    return live ? live : retired;
}

std::vector<const PinRecord*> PinRegistry::find_pa(uint64_t pa) const {
    std::vector<const PinRecord*> out;
    for (const PinRecord& r : records_) {
        if (!r.live()) continue;
        for (const PinRun& run : r.runs)
            if (pa - run.pa < run.len) {
                out.push_back(&r);
                break;
            }
    }
    return out;
}

size_t PinRegistry::live_count() const {
    size_t n = 0;
    for (const PinRecord& r : records_) n += r.live();
    return n;
}

}  // namespace staleline::zx
