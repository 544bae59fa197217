#include "SparsePages.h"

#include <sys/mman.h>

#include "common/AddressSanitizer.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace staleline {

SparsePages::~SparsePages() {
    for (auto& [n, c] : chunks_)
        if (c->owned) munmap(c->owned, kChunkPages * kPageSize);
}

const SparsePages::Chunk* SparsePages::chunk(uint64_t pn) const {
    auto it = chunks_.find(pn / kChunkPages);
    return it == chunks_.end() ? nullptr : it->second.get();
}

SparsePages::Chunk* SparsePages::chunk(uint64_t pn, bool allocate) {
    auto it = chunks_.find(pn / kChunkPages);
    if (it != chunks_.end()) return it->second.get();
    if (!allocate) return nullptr;
    return chunks_.emplace(pn / kChunkPages, std::make_unique<Chunk>()).first->second.get();
}

uint8_t* SparsePages::owned_page(Chunk& c, unsigned i) {
    if (!c.owned) {
        // Reserved, not committed: the host backs a page (with zeros) when it is first touched.
        void* m = mmap(nullptr, kChunkPages * kPageSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED) throw std::bad_alloc();
        // A new mapping is addressable whatever its addresses once held: a SystemC coroutine
        // stack freed with frames still on it leaves their redzones in ASan's shadow.
        asan_unpoison(m, kChunkPages * kPageSize);
        c.owned = static_cast<uint8_t*>(m);
    }
    return c.owned + (size_t)i * kPageSize;
}

void SparsePages::forget(Chunk& c, unsigned i) {
    if (!c.data[i]) return;
    // Decommit: the page reads as zero the next time it is owned.
    if (c.owns(c.data[i])) madvise(c.data[i], kPageSize, MADV_DONTNEED);
    c.data[i] = nullptr;
    --c.present;
    --pages_;
}

void SparsePages::forget_recent() const {
    for (Recent& r : recent_) r = Recent{};
}

const uint8_t* SparsePages::find(uint64_t addr) const {
    uint64_t pn = addr / kPageSize;
    const Recent& r = recent_[pn % kRecent];
    if (r.pn == pn) return r.data;
    const Chunk* c = chunk(pn);
    return c ? c->data[pn % kChunkPages] : nullptr;
}

uint8_t* SparsePages::page_slow(uint64_t pn, bool allocate) {
    Chunk* c = chunk(pn, allocate);
    if (!c) return nullptr;
    unsigned i = (unsigned)(pn % kChunkPages);
    if (!c->data[i]) {
        if (!allocate) return nullptr;
        c->data[i] = owned_page(*c, i);
        ++c->present;
        ++pages_;
    }
    recent_[pn % kRecent] = Recent{pn, c->data[i]};
    return c->data[i];
}

void SparsePages::read(uint64_t addr, void* dst_v, size_t len) const {
    auto* dst = static_cast<uint8_t*>(dst_v);
    while (len) {
        size_t off = addr & kPageMask;
        size_t n = std::min<size_t>(len, kPageSize - off);
        const uint8_t* p = find(addr);
        if (p) std::memcpy(dst, p + off, n);
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
        const uint8_t* p = find(addr);
        if (p) std::memcpy(dst.page(addr, true) + off, p + off, n);
        else if (uint8_t* d = dst.page(addr, false)) std::memset(d + off, 0, n);
        addr += n; len -= n;
    }
}

void SparsePages::map_host(uint64_t addr, size_t len, uint8_t* host, bool keep) {
    forget_recent();
    for (size_t done = 0; done < len; done += kPageSize) {
        uint64_t pn = (addr + done) / kPageSize;
        Chunk& c = *chunk(pn, true);
        unsigned i = (unsigned)(pn % kChunkPages);
        if (c.data[i]) {
            if (keep) std::memcpy(host + done, c.data[i], kPageSize);
            forget(c, i);
        } else if (keep) {
            std::memset(host + done, 0, kPageSize);
        }
        c.data[i] = host + done;
        ++c.present;
        ++pages_;
    }
}

void SparsePages::unmap_host(uint64_t addr, size_t len) {
    forget_recent();
    for (size_t done = 0; done < len; done += kPageSize) {
        uint64_t pn = (addr + done) / kPageSize;
        Chunk* c = chunk(pn, false);
        unsigned i = (unsigned)(pn % kChunkPages);
        if (!c || !c->data[i] || c->owns(c->data[i])) continue;
        uint8_t* own = owned_page(*c, i);
        std::memcpy(own, c->data[i], kPageSize);
        c->data[i] = own;
    }
}

void SparsePages::discard(uint64_t addr, size_t len) {
    forget_recent();
    for (size_t done = 0; done < len; done += kPageSize) {
        uint64_t pn = (addr + done) / kPageSize;
        Chunk* c = chunk(pn, false);
        if (!c) continue;
        forget(*c, (unsigned)(pn % kChunkPages));
        if (c->present == 0) {
            if (c->owned) munmap(c->owned, kChunkPages * kPageSize);
            chunks_.erase(pn / kChunkPages);
        }
    }
}

}  // namespace staleline
