// DurationHistogram: see DurationHistogram.h.
#include "trace/DurationHistogram.h"

namespace staleline {

void DurationHistogram::add(uint64_t ns) {
    const uint64_t index = ns / kSlots;
    if (index != last_index_) {
        std::unique_ptr<Block>& b = blocks_[index];
        if (!b) b = std::make_unique<Block>(Block{});
        last_ = b.get();
        last_index_ = index;
    }
    uint16_t& slot = (*last_)[ns % kSlots];
    if (slot == UINT16_MAX) {
        carry_[ns] += (uint64_t)UINT16_MAX + 1;
        slot = 0;
    } else {
        ++slot;
    }
    ++count_;
}

uint64_t DurationHistogram::percentile(unsigned q) const {
    if (!count_) return 0;
    uint64_t rank = (q * count_ + 99) / 100, below = 0;
    if (!rank) rank = 1;
    auto carry = carry_.begin();
    uint64_t last_seen = 0;
    for (const auto& [index, block] : blocks_) {
        for (unsigned i = 0; i < kSlots; ++i) {
            const uint64_t ns = index * kSlots + i;
            uint64_t n = (*block)[i];
            while (carry != carry_.end() && carry->first < ns) ++carry;
            if (carry != carry_.end() && carry->first == ns) n += carry->second;
            if (!n) continue;
            last_seen = ns;
            if ((below += n) >= rank) return ns;
        }
    }
    return last_seen;
}

}  // namespace staleline
