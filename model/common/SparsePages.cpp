#include "SparsePages.h"

#include <algorithm>
#include <cstring>

namespace staleline {

const SparsePages::Page* SparsePages::find(uint64_t addr) const {
    auto it = pages_.find(addr / kPageSize);
    return it == pages_.end() ? nullptr : &it->second;
}

uint8_t* SparsePages::page(uint64_t addr, bool allocate) {
    uint64_t pn = addr / kPageSize;
    if (pn == last_pn_) return last_data_;
    auto it = pages_.find(pn);
    if (it == pages_.end()) {
        if (!allocate) return nullptr;
        Page p;
        p.owned.reset(new uint8_t[kPageSize]());
        p.data = p.owned.get();
        it = pages_.emplace(pn, std::move(p)).first;
    }
    last_pn_ = pn;
    last_data_ = it->second.data;
    return last_data_;
}

void SparsePages::read(uint64_t addr, void* dst_v, size_t len) const {
    auto* dst = static_cast<uint8_t*>(dst_v);
    while (len) {
        size_t off = addr & kPageMask;
        size_t n = std::min<size_t>(len, kPageSize - off);
        const Page* p = find(addr);
        if (p) std::memcpy(dst, p->data + off, n);
        else std::memset(dst, 0, n);
        addr += n; dst += n; len -= n;
    }
}

void SparsePages::write(uint64_t addr, const void* src_v, size_t len) {
    auto* src = static_cast<const uint8_t*>(src_v);
    while (len) {
        size_t off = addr & kPageMask;
        size_t n = std::min<size_t>(len, kPageSize - off);
        std::memcpy(page(addr, true) + off, src, n);
        addr += n; src += n; len -= n;
    }
}

void SparsePages::fill(uint64_t addr, uint8_t value, size_t len) {
    while (len) {
        size_t off = addr & kPageMask;
        size_t n = std::min<size_t>(len, kPageSize - off);
        std::memset(page(addr, true) + off, value, n);
        addr += n; len -= n;
    }
}

void SparsePages::copy_to(SparsePages& dst, uint64_t addr, size_t len) const {
    while (len) {
        size_t off = addr & kPageMask;
        size_t n = std::min<size_t>(len, kPageSize - off);
        const Page* p = find(addr);
        if (p) std::memcpy(dst.page(addr, true) + off, p->data + off, n);
        else if (dst.page(addr, false)) std::memset(dst.page(addr, false) + off, 0, n);
        addr += n; len -= n;
    }
}

void SparsePages::map_host(uint64_t addr, size_t len, uint8_t* host) {
    last_pn_ = ~0ULL;
    for (size_t done = 0; done < len; done += kPageSize) {
        uint64_t pn = (addr + done) / kPageSize;
        Page& p = pages_[pn];
        if (p.data) std::memcpy(host + done, p.data, kPageSize);
        else std::memset(host + done, 0, kPageSize);
        p.owned.reset();
        p.data = host + done;
    }
}

void SparsePages::unmap_host(uint64_t addr, size_t len) {
    last_pn_ = ~0ULL;
    for (size_t done = 0; done < len; done += kPageSize) {
        auto it = pages_.find((addr + done) / kPageSize);
        if (it == pages_.end() || it->second.owned) continue;
        Page& p = it->second;
        p.owned.reset(new uint8_t[kPageSize]);
        std::memcpy(p.owned.get(), p.data, kPageSize);
        p.data = p.owned.get();
    }
}

}  // namespace staleline
