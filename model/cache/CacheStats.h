// CacheStats: what the CPU cache counts. Every access is counted per cache line it
// touches, so accesses == hits + misses even for accesses that span lines.
#pragma once

#include <cstdint>

namespace staleline {

struct CacheStats {
    uint64_t accesses = 0;          // line accesses (hits + misses)
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t read_accesses = 0;
    uint64_t write_accesses = 0;
    uint64_t read_hits = 0;
    uint64_t write_hits = 0;
    uint64_t read_misses = 0;
    uint64_t write_misses = 0;
    uint64_t evictions = 0;         // valid lines replaced by a fill (clean or dirty)
    uint64_t writebacks = 0;        // dirty lines copied to DRAM: evictions + cleans + snoops
    uint64_t cleans = 0;            // dirty lines written back by clean / clean+invalidate
    uint64_t invalidates = 0;       // valid lines dropped by invalidate / clean+invalidate
    uint64_t discarded_dirty_lines = 0;  // dirty lines dropped by invalidate without write-back
    uint64_t maintenance_lines = 0; // lines covered by maintenance operations, present or not
    uint64_t snoop_writebacks = 0;  // coherent platform: dirty lines written back for a device access
    uint64_t snoop_invalidates = 0; // coherent platform: lines dropped for a device write
    uint64_t adversary_fills = 0;      // speculative fills by cache.adversary (prefetch, random)
    uint64_t adversary_evictions = 0;  // dirty lines forced out by cache.adversary (evict, random)
};

}  // namespace staleline
