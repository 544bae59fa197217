// bench_iotlb: IOTLB lookups per second on a large deterministic device-address trace.
//
//   bench_iotlb [lookups]        (default 20M)
//
// Replays the same trace of (requester, device page) lookups, a miss inserting the
// translation, through
//   - Iotlb (what the Iommu model and `staleline trace --model iotlb` use) for several
//     geometries and each replacement policy,
//   - a straightforward baseline written here: LRU with a std::list per set and one
//     std::map from (requester, page) to list node,
// and prints lookups per second and the ratio to the baseline of the same geometry.
// Prints, asserts nothing; the LRU hit counts of Iotlb and the baseline must agree, and
// the output says whether they do.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <list>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "iommu/Iotlb.h"

using namespace staleline;
using Clock = std::chrono::steady_clock;

namespace {

struct Rng {  // splitmix64: small, fast, the same sequence everywhere
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
};

struct Access {
    uint16_t rid;
    uint64_t dpn;
};

// Eight devices doing DMA, per lookup:
//   60% streaming: 64-byte bursts walking a 16 MiB ring per device (a page every 64 lookups)
//   25% descriptors: one of 4 hot pages per device
//   15% scattered: any page of a 1 GiB window per device (packet buffers, pinned user memory)
std::vector<Access> make_trace(size_t n) {
    std::vector<Access> t(n);
    Rng r{2024};
    const unsigned kDevices = 8;
    uint64_t cursor[kDevices] = {};
    for (size_t i = 0; i < n; ++i) {
        uint64_t x = r.next();
        unsigned dev = (unsigned)(x & 7);
        unsigned pick = (unsigned)((x >> 3) % 100);
        uint64_t base = 0x100000ULL * (dev + 1);  // each device's IOVA space starts elsewhere
        uint64_t dpn;
        if (pick < 60) dpn = base + ((cursor[dev] += 64) >> 12) % 4096;
        else if (pick < 85) dpn = base + 0x10000 + ((x >> 16) & 3);
        else dpn = base + 0x20000 + (x >> 20) % 262144;
        t[i] = Access{(uint16_t)(8 * (dev + 1)), dpn};
    }
    return t;
}

// The baseline: the obvious LRU. Same set index as Iotlb so the counts can be compared.
class ListLru {
public:
    ListLru(unsigned entries, unsigned ways) : ways_(ways ? ways : entries), sets_(entries / ways_), lists_(sets_) {}
    bool access(uint16_t rid, uint64_t dpn) {
        auto key = std::make_pair(rid, dpn);
        auto it = map_.find(key);
        unsigned set = (unsigned)((dpn ^ ((uint64_t)rid * 0x9E3779B1ULL)) % sets_);
        auto& l = lists_[set];
        if (it != map_.end()) {
            l.splice(l.begin(), l, it->second);  // most recent first
            return true;
        }
        if (l.size() == ways_) {
            map_.erase(l.back());
            l.pop_back();
        }
        l.push_front(key);
        map_[key] = l.begin();
        return false;
    }
private:
    using Key = std::pair<uint16_t, uint64_t>;
    unsigned ways_, sets_;
    std::vector<std::list<Key>> lists_;
    std::map<Key, std::list<Key>::iterator> map_;
};

struct Result {
    double seconds;
    uint64_t hits;
};

Result run_iotlb(const std::vector<Access>& trace, unsigned entries, unsigned ways, const char* policy) {
    Iotlb tlb(entries, ways, policy, 1);
    auto t0 = Clock::now();
    IotlbTranslation tr;
    for (const Access& a : trace) {
        if (tlb.lookup(a.rid, a.dpn, &tr)) continue;
        tr.pa_base = a.dpn << 12;
        tr.perms = 3;
        tr.page_size = Iotlb::kPageSize;
        tlb.insert(a.rid, a.dpn, tr);
    }
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    return Result{s, tlb.stats().hits};
}

Result run_baseline(const std::vector<Access>& trace, unsigned entries, unsigned ways) {
    ListLru lru(entries, ways);
    uint64_t hits = 0;
    auto t0 = Clock::now();
    for (const Access& a : trace) hits += lru.access(a.rid, a.dpn);
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    return Result{s, hits};
}

}  // namespace

int main(int argc, char** argv) {
    size_t n = 20000000;
    if (argc > 1) {
        char* end = nullptr;
        n = std::strtoull(argv[1], &end, 10);
        if (!end || *end || n == 0) {
            std::fprintf(stderr, "usage: bench_iotlb [lookups]   (a positive number, default 20000000)\n");
            return 2;
        }
    }
    std::printf("bench_iotlb: %zu lookups, 8 requesters (60%% streaming, 25%% descriptors, 15%% scattered)\n", n);
    auto trace = make_trace(n);

    struct Geometry {
        unsigned entries, ways;
    };
    const Geometry geometries[] = {{64, 0}, {512, 8}, {4096, 16}, {1024, 0}};
    const char* policies[] = {"lru", "fifo", "plru", "random"};

    std::printf("\n%-22s %-7s %12s %10s %14s %9s\n", "geometry", "policy", "Mlookups/s", "hit rate", "baseline Ml/s",
                "ratio");
    bool all_agree = true;
    for (const Geometry& g : geometries) {
        Result base = run_baseline(trace, g.entries, g.ways);
        double base_rate = (double)n / base.seconds / 1e6;
        char name[64];
        if (g.ways) std::snprintf(name, sizeof name, "%u entries, %u-way", g.entries, g.ways);
        else std::snprintf(name, sizeof name, "%u entries, full", g.entries);
        for (const char* p : policies) {
            Result r = run_iotlb(trace, g.entries, g.ways, p);
            double rate = (double)n / r.seconds / 1e6;
            bool lru = std::string(p) == "lru";
            if (lru && r.hits != base.hits) all_agree = false;
            char base_col[32] = "";
            if (lru) std::snprintf(base_col, sizeof base_col, "%.1f", base_rate);
            std::printf("%-22s %-7s %12.1f %9.2f%% %14s %8.2fx\n", name, p, rate, 100.0 * (double)r.hits / (double)n,
                        base_col, rate / base_rate);
        }
    }
    std::printf("\nLRU hit counts of Iotlb and the std::map/std::list baseline %s.\n",
                all_agree ? "agree for every geometry" : "DIFFER (a bug in one of them)");
    return 0;
}
