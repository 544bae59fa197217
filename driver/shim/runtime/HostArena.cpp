#include "HostArena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace staleline::zx {

uintptr_t g_arena_lo = 0;
uintptr_t g_arena_span = 0;

namespace {
constexpr uint64_t kPage = 4096;
uint64_t round_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }
}  // namespace

const char* to_string(RegionKind k) {
    switch (k) {
        case RegionKind::CpuView: return "cpu-view";
        case RegionKind::Dram: return "dram";
        case RegionKind::Bar: return "bar";
    }
    return "?";
}

HostArena::HostArena(uint64_t bytes) {
    uint64_t want = round_up(bytes);
    // Address space only: nothing is committed until allocate() opens a buffer. The arena
    // sits at a fixed address when it is free, so the virtual addresses a driver sees (and
    // any finding that quotes one, e.g. a CPU address given to the device) are the same
    // from run to run; otherwise the kernel picks.
    constexpr uintptr_t kPreferredBase = 0x6a0000000000ULL;
    while (want >= (64ULL << 20)) {
        void* p = mmap((void*)kPreferredBase, want, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
                       -1, 0);
        if (p == MAP_FAILED) p = mmap(nullptr, want, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p != MAP_FAILED) {
            base_ = (uintptr_t)p;
            size_ = want;
            break;
        }
        want /= 2;
    }
    if (!base_) throw std::runtime_error(std::string("cannot reserve host address space for VMOs: ") + std::strerror(errno));
    g_arena_lo = base_;
    g_arena_span = size_;
}

HostArena::~HostArena() {
    if (g_arena_lo == base_) {
        g_arena_lo = 0;
        g_arena_span = 0;
    }
    munmap((void*)base_, size_);
}

uint8_t* HostArena::allocate(uint64_t bytes, bool reserve_only) {
    const uint64_t n = round_up(bytes ? bytes : 1);
    uintptr_t at = 0;
    if (n <= size_ - bump_) {
        at = base_ + bump_;
        bump_ += n;
    } else {
        // First fit among released buffers.
        for (auto it = free_.begin(); it != free_.end(); ++it) {
            if (it->second < n) continue;
            at = it->first;
            uint64_t rest = it->second - n;
            free_.erase(it);
            if (rest) free_[at + n] = rest;
            break;
        }
        if (!at) return nullptr;
    }
    if (!reserve_only && mprotect((void*)at, n, PROT_READ | PROT_WRITE) != 0) {
        release((uint8_t*)at, n);
        return nullptr;
    }
    in_use_ += n;
    return (uint8_t*)at;
}

void HostArena::release(uint8_t* p, uint64_t bytes) {
    if (!p) return;
    const uint64_t n = round_up(bytes ? bytes : 1);
    mprotect(p, n, PROT_NONE);
    madvise(p, n, MADV_DONTNEED);  // give the memory back; the next user sees zeros
    in_use_ -= std::min(in_use_, n);
    uintptr_t at = (uintptr_t)p;
    uint64_t len = n;
    // Merge with released neighbours.
    auto next = free_.lower_bound(at);
    if (next != free_.end() && next->first == at + len) {
        len += next->second;
        next = free_.erase(next);
    }
    if (next != free_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second == at) {
            prev->second += len;
            return;
        }
    }
    free_[at] = len;
}

void HostArena::add_region(const Region& r) {
    regions_[r.start] = r;
    last_ = nullptr;
}

void HostArena::remove_region(uintptr_t start) {
    regions_.erase(start);
    last_ = nullptr;
}

const Region* HostArena::find_slow(uintptr_t p) const {
    auto it = regions_.upper_bound(p);
    if (it == regions_.begin()) return nullptr;
    --it;
    if (p >= it->second.end) return nullptr;
    last_ = &it->second;
    return last_;
}

bool HostArena::released(uintptr_t p) const {
    auto it = free_.upper_bound(p);
    if (it == free_.begin()) return false;
    --it;
    return p < it->first + it->second;
}

}  // namespace staleline::zx
