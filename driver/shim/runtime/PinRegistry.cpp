#include "PinRegistry.h"

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
    return records_.back();
}

std::vector<const PinRecord*> PinRegistry::live() const {
    std::vector<const PinRecord*> out;
    for (const PinRecord& r : records_)
        if (r.live()) out.push_back(&r);
    return out;
}

const PinRecord* PinRegistry::find_device(uint16_t rid, uint64_t a) const {
    const PinRecord* retired = nullptr;
    for (auto it = records_.rbegin(); it != records_.rend(); ++it) {
        if (it->requester != rid || !it->run_for_device(a)) continue;
        if (it->live()) return &*it;
        if (!retired) retired = &*it;
    }
    return retired;
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
