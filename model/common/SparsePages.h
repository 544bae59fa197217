// SparsePages: a 64-bit byte-addressed space stored as 4 KiB host pages allocated on
// first touch. Untouched bytes read as zero. Both copies of memory use it: DRAM (what
// devices see) and the CPU view (what the CPU sees through its cache).
//
// Pages live in 2 MiB chunks: one table of 512 page pointers and one lazily committed
// anonymous mapping for the pages the store owns, so a page costs no heap block of its own
// and a discarded page gives its memory back to the host (memory follows the working set,
// not the bytes ever moved).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace staleline {

class SparsePages {
public:
    static constexpr uint64_t kPageSize = 4096;
    static constexpr uint64_t kPageMask = kPageSize - 1;

    // Host pointer to the page holding `addr` (page aligned), or nullptr when the page
    // was never touched and `allocate` is false.
    uint8_t* page(uint64_t addr, bool allocate) {
        const uint64_t pn = addr / kPageSize;
        const Recent& r = recent_[pn % kRecent];
        if (r.pn == pn) return r.data;
        return page_slow(pn, allocate);
    }
    // Pointer to the byte at `addr`, allocating its page.
    uint8_t* byte(uint64_t addr) { return page(addr, true) + (addr & kPageMask); }

    void read(uint64_t addr, void* dst, size_t len) const;   // zeros where untouched
    void write(uint64_t addr, const void* src, size_t len);
    void fill(uint64_t addr, uint8_t value, size_t len);
    void copy_to(SparsePages& dst, uint64_t addr, size_t len) const;  // same addresses in dst

    // Back the page-aligned range [addr, addr+len) with caller-owned host memory, so that a
    // contiguous host buffer (a VMO mapping) aliases these addresses. Existing contents are
    // copied into `host` (untouched pages: zeros), unless `keep` is false: then the caller
    // fills `host` itself and the old contents are dropped. The caller keeps `host` alive
    // until unmap_host().
    void map_host(uint64_t addr, size_t len, uint8_t* host, bool keep = true);
    // Detach caller memory again; its current contents are copied into owned pages.
    void unmap_host(uint64_t addr, size_t len);
    // Forget the page-aligned range: it reads as zero again and its memory (owned pages) is
    // returned to the host; caller memory mapped there is detached without a copy.
    void discard(uint64_t addr, size_t len);

    size_t pages_touched() const { return pages_; }

    SparsePages() = default;
    ~SparsePages();
    SparsePages(const SparsePages&) = delete;
    SparsePages& operator=(const SparsePages&) = delete;

private:
    static constexpr unsigned kChunkPages = 512;
    struct Chunk {
        uint8_t* data[kChunkPages] = {};  // page i, owned or caller memory; nullptr: untouched
        uint8_t* owned = nullptr;         // kChunkPages pages of anonymous memory, committed on touch
        unsigned present = 0;             // non-null entries of data
        bool owns(const uint8_t* p) const { return owned && p >= owned && p < owned + kChunkPages * kPageSize; }
    };
    Chunk* chunk(uint64_t pn, bool allocate);
    const Chunk* chunk(uint64_t pn) const;
    uint8_t* owned_page(Chunk& c, unsigned i);
    void forget(Chunk& c, unsigned i);  // drop page i (zero and decommit if owned)
    const uint8_t* find(uint64_t addr) const;
    uint8_t* page_slow(uint64_t pn, bool allocate);
    void forget_recent() const;
    std::unordered_map<uint64_t, std::unique_ptr<Chunk>> chunks_;  // key: page number / kChunkPages
    size_t pages_ = 0;
    // Lookup cache of present pages, direct-mapped by page number: the cache's fills and
    // write-backs alternate between a few pages (a copy's source and destination), so one
    // entry would miss on every other access. Emptied whenever a page changes its memory.
    static constexpr unsigned kRecent = 64;
    struct Recent {
        uint64_t pn = ~0ULL;
        uint8_t* data = nullptr;
    };
    mutable Recent recent_[kRecent];
};

}  // namespace staleline
