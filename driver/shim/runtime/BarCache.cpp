#include "BarCache.h"

#include <cstring>

namespace staleline::zx {

BarCache::Line& BarCache::line_for(uint64_t off, const WordAccess& device) {
    const uint64_t base = off - off % line_;
    auto it = lines_.find(base);
    if (it != lines_.end()) return it->second;
    Line l;
    l.bytes.resize(line_);
    l.dirty.assign(line_, false);
    for (unsigned w = 0; w + 4 <= line_; w += 4) {
        uint32_t v = 0;
        device(base + w, false, &v);
        std::memcpy(&l.bytes[w], &v, 4);
    }
    return lines_.emplace(base, std::move(l)).first->second;
}

void BarCache::read(uint64_t off, void* data, unsigned size, const WordAccess& device) {
    Line& l = line_for(off, device);
    std::memcpy(data, &l.bytes[off % line_], size);
}

void BarCache::write(uint64_t off, const void* data, unsigned size, const WordAccess& device) {
    Line& l = line_for(off, device);
    std::memcpy(&l.bytes[off % line_], data, size);
    for (unsigned i = 0; i < size; ++i) l.dirty[off % line_ + i] = true;
}

void BarCache::write_back(uint64_t base, Line& l, const WordAccess& device) {
    for (unsigned w = 0; w + 4 <= line_; w += 4) {
        if (!l.dirty[w] && !l.dirty[w + 1] && !l.dirty[w + 2] && !l.dirty[w + 3]) continue;
        uint32_t v;
        std::memcpy(&v, &l.bytes[w], 4);
        device(base + w, true, &v);
        for (unsigned i = 0; i < 4; ++i) l.dirty[w + i] = false;
    }
}

void BarCache::maintain(uint64_t off, uint64_t len, bool clean, bool invalidate, const WordAccess& device) {
    const uint64_t first = off - off % line_, end = off + len;
    for (auto it = lines_.lower_bound(first); it != lines_.end() && it->first < end;) {
        if (clean) write_back(it->first, it->second, device);
        if (invalidate) it = lines_.erase(it);
        else ++it;
    }
}

uint64_t BarCache::dirty_bytes() const {
    uint64_t n = 0;
    for (const auto& [base, l] : lines_)
        for (bool d : l.dirty) n += d;
    return n;
}

}  // namespace staleline::zx
