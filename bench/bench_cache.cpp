// bench_cache: throughput of the cache bookkeeping on a large deterministic trace.
//
//   bench_cache [accesses]        (default 20M)
//
// Replays the same trace through
//   - CacheArray with each replacement policy (what trace replay and the Cache use),
//   - a straightforward baseline written here: per-set std::list LRU with a
//     std::unordered_map from line to list node,
//   - the full Cache model (Cache::access over a bound Memory, fills and write-backs as
//     TLM transactions), the hot path of instrumented driver loads/stores,
// and prints accesses per second and the ratio to the baseline. Prints, asserts nothing;
// the LRU counts of CacheArray and the baseline must agree, and the output says so.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include <systemc>

#include "cache/Cache.h"
#include "cache/CacheArray.h"
#include "config/Config.h"
#include "memory/Memory.h"

using namespace staleline;
using Clock = std::chrono::steady_clock;

namespace {

// splitmix64: small, fast, and the same sequence everywhere.
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
};

// Mixed locality, like a driver: 8-byte accesses, bit 0 = write (30%).
//   50% streaming: sequential through a 256 MiB buffer (memcpy-like loops)
//   30% hot: anywhere in 24 KiB (descriptors, registers shadow; fits the cache)
//   15% warm: anywhere in 1 MiB (ring buffers)
//    5% cold: anywhere in 1 GiB
std::vector<uint64_t> make_trace(size_t n) {
    std::vector<uint64_t> t(n);
    Rng r{12345};
    const uint64_t base = 0x80000000ULL;
    uint64_t cursor = 0;
    for (size_t i = 0; i < n; ++i) {
        uint64_t x = r.next();
        unsigned pick = (unsigned)(x % 100);
        uint64_t off;
        if (pick < 50) { off = (cursor += 8) % (256ULL << 20); }
        else if (pick < 80) off = (x >> 8) % (24 << 10);
        else if (pick < 95) off = (1ULL << 30) + (x >> 8) % (1 << 20);
        else off = (2ULL << 30) + (x >> 8) % (1ULL << 30);
        bool write = ((x >> 48) % 10) < 3;
        t[i] = ((base + off) & ~7ULL) | (write ? 1 : 0);
    }
    return t;
}

struct Counts {
    uint64_t hits = 0, misses = 0, evictions = 0, writebacks = 0;
};

// The baseline: what one writes first. One std::list per set (front = most recent) and
// one hash map from line number to its list node.
class ListLru {
public:
    ListLru(uint64_t size, uint64_t line, unsigned ways) : ways_(ways), sets_(size / (line * ways)) {
        while ((1ULL << shift_) < line) ++shift_;
        lists_.resize(sets_);
    }
    void access(uint64_t addr, bool is_write) {
        uint64_t ln = addr >> shift_;
        auto& l = lists_[ln % sets_];
        auto it = map_.find(ln);
        if (it != map_.end()) {
            ++c.hits;
            l.splice(l.begin(), l, it->second);
            it->second->dirty |= is_write;
            return;
        }
        ++c.misses;
        if (l.size() == ways_) {
            ++c.evictions;
            c.writebacks += l.back().dirty;
            map_.erase(l.back().line);
            l.pop_back();
        }
        l.push_front({ln, is_write});
        map_[ln] = l.begin();
    }
    Counts c;

private:
    struct Entry {
        uint64_t line;
        bool dirty;
    };
    unsigned ways_;
    uint64_t sets_;
    unsigned shift_ = 0;
    std::vector<std::list<Entry>> lists_;
    std::unordered_map<uint64_t, std::list<Entry>::iterator> map_;
};

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Best of `reps` runs of fn(), in seconds.
template <typename Fn>
double best_of(int reps, Fn fn) {
    double best = 1e30;
    for (int i = 0; i < reps; ++i) {
        auto t0 = Clock::now();
        fn();
        best = std::min(best, seconds(t0, Clock::now()));
    }
    return best;
}

void row(const char* what, size_t n, double s, double baseline_s, const Counts& c) {
    std::printf("%-34s %8.3f s %10.1f M acc/s %8.2fx   hit rate %6.2f%%  evictions %" PRIu64 "  writebacks %" PRIu64 "\n",
                what, s, n / s / 1e6, baseline_s / s, 100.0 * c.hits / (double)(c.hits + c.misses), c.evictions,
                c.writebacks);
}

Counts from(const CacheStats& s) { return Counts{s.hits, s.misses, s.evictions, s.writebacks}; }

}  // namespace

int sc_main(int argc, char** argv) {
    size_t n = 20000000;
    if (argc > 1) {
        char* end = nullptr;
        n = std::strtoull(argv[1], &end, 0);
        if (!end || *end || n == 0) {
            std::fprintf(stderr, "usage: bench_cache [accesses]\n");
            return 2;
        }
    }
    Config cfg;  // defaults: 32 KiB, 64 B lines, 8 ways
    const uint64_t size = cfg.get_size("cache.size"), line = cfg.get_size("cache.line");
    const unsigned ways = (unsigned)cfg.get_int("cache.ways");

    auto g0 = Clock::now();
    std::vector<uint64_t> trace = make_trace(n);
    std::printf("trace: %zu accesses (50%% streaming, 30%% hot 24 KiB, 15%% warm 1 MiB, 5%% cold 1 GiB; 30%% writes), "
                "generated in %.2f s\n", n, seconds(g0, Clock::now()));
    std::printf("cache: %" PRIu64 " B, %" PRIu64 " B lines, %u ways; best of 3 runs\n\n", size, line, ways);

    Counts base;
    double base_s = best_of(3, [&] {
        ListLru b(size, line, ways);
        for (uint64_t a : trace) b.access(a & ~1ULL, a & 1);
        base = b.c;
    });
    row("baseline (std::list + unordered_map)", n, base_s, base_s, base);

    Counts lru;
    for (const char* policy : {"lru", "plru", "fifo", "random"}) {
        Counts c;
        double s = best_of(3, [&] {
            CacheArray a(size, line, ways, policy, 1);
            for (uint64_t x : trace) a.access(x & ~1ULL, x & 1);
            c = from(a.stats());
        });
        std::string what = std::string("CacheArray ") + policy;
        row(what.c_str(), n, s, base_s, c);
        if (std::string(policy) == "lru") lru = c;
    }

    // The full model: Cache::access with real TLM fills and write-backs to Memory.
    Memory mem("dram", cfg);
    Cache cache("cache", cfg);
    cache.mem_socket.bind(mem.socket);
    Counts model;
    double model_s = 0, hot_s = 0;
    // The hit path alone: 8-byte accesses within a 24 KiB working set (fits the cache).
    std::vector<uint64_t> hot(n);
    Rng r{777};
    for (uint64_t& a : hot) {
        uint64_t x = r.next();
        a = ((0x80000000ULL + (x >> 8) % (24 << 10)) & ~7ULL) | ((x >> 48) % 10 < 3);
    }
    sc_core::sc_spawn([&] {
        sc_core::sc_time delay;
        auto t0 = Clock::now();
        for (uint64_t x : trace) cache.access(x & ~1ULL, 8, x & 1, delay);
        model_s = seconds(t0, Clock::now());
        model = from(cache.stats());
        t0 = Clock::now();
        for (uint64_t x : hot) cache.access(x & ~1ULL, 8, x & 1, delay);
        hot_s = seconds(t0, Clock::now());
    });
    sc_core::sc_start();
    row("Cache::access (SystemC model, 1 run)", n, model_s, base_s, model);
    CacheStats after = cache.stats();
    Counts hot_c{after.hits - model.hits, after.misses - model.misses, after.evictions - model.evictions,
                 after.writebacks - model.writebacks};
    row("Cache::access, 24 KiB working set", n, hot_s, base_s, hot_c);
    std::printf("  (the model pays for every miss with TLM fills/write-backs into sparse DRAM and CPU-view pages\n"
                "   allocated on first touch; the mixed trace touches about 1.2 GiB of them)\n");

    bool agree = lru.hits == base.hits && lru.misses == base.misses && lru.evictions == base.evictions &&
                 lru.writebacks == base.writebacks && model.hits == lru.hits && model.writebacks == lru.writebacks;
    std::printf("\nLRU counts of baseline, CacheArray and Cache agree: %s\n", agree ? "yes" : "NO");
    return 0;
}
