/* Staleline C API: the CPU data cache, which is NOT coherent with DMA.
 *
 * Two copies of memory: DRAM is what devices see, the CPU view is what the CPU sees.
 * A miss copies a line from DRAM into the view; a dirty eviction or a clean copies it
 * back; an invalidate drops it (discarding dirty bytes). So a device write stays
 * invisible to the CPU until the line is invalidated and refilled, and a CPU write
 * stays invisible to devices until the line is cleaned. With platform.coherent=true the
 * device side snoops the cache instead (x86-like). See docs/models-cache.md.
 *
 * Timed calls (sl_cpu_*, sl_cache_maintain, sl_device_*) must run in a simulated thread
 * (sl_platform_spawn); they return -1 with sl_error() set otherwise. */
#ifndef STALELINE_CACHE_H
#define STALELINE_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "staleline/config.h"
#include "staleline/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Counts are per cache line: an access spanning two lines is two accesses. */
typedef struct {
    uint64_t accesses, hits, misses;
    uint64_t read_accesses, write_accesses;
    uint64_t read_hits, write_hits, read_misses, write_misses;
    uint64_t evictions;              /* valid lines replaced by a fill */
    uint64_t writebacks;             /* dirty lines copied to DRAM (evictions, cleans, snoops) */
    uint64_t cleans;                 /* dirty lines written back by clean / clean+invalidate */
    uint64_t invalidates;            /* valid lines dropped by invalidate / clean+invalidate */
    uint64_t discarded_dirty_lines;  /* dirty lines dropped by invalidate, their writes lost */
    uint64_t maintenance_lines;      /* lines covered by maintenance ranges, present or not */
    uint64_t snoop_writebacks;       /* coherent platform: write-backs for device accesses */
    uint64_t snoop_invalidates;      /* coherent platform: lines dropped for device writes */
    uint64_t adversary_fills;        /* speculative fills by cache.adversary=prefetch|random */
    uint64_t adversary_evictions;    /* dirty lines forced out by cache.adversary=evict|random */
} sl_cache_stats_t;

typedef enum {
    SL_CACHE_CLEAN = 1,
    SL_CACHE_INVALIDATE = 2,
    SL_CACHE_CLEAN_INVALIDATE = 3,
    /* Gives the enum the range of an int, so that a bad value passed from C is a
     * checked error in the C++ implementation rather than undefined behaviour. */
    SL_CACHE_OP_FORCE_INT = 0x7fffffff
} sl_cache_op_t;

/* A CPU load/store by physical address through the cache; waits for its cost. */
int sl_cpu_read(sl_platform_t* p, uint64_t pa, void* dst, size_t len);
int sl_cpu_write(sl_platform_t* p, uint64_t pa, const void* src, size_t len);
/* What a CPU load would return now, without touching cache state or time (valid lines
 * from the CPU view, the others from DRAM). Callable from anywhere. */
int sl_cpu_peek(sl_platform_t* p, uint64_t pa, void* dst, size_t len);

/* The CPU view itself, bypassing the cache model: a plain store / load of a driver built
 * without access instrumentation (the checker's conservative mode), which the cache never
 * hears of. Untimed; callable from anywhere. */
int sl_cpu_view_write(sl_platform_t* p, uint64_t pa, const void* src, size_t len);
int sl_cpu_view_read(sl_platform_t* p, uint64_t pa, void* dst, size_t len);

/* Clean / invalidate / clean+invalidate every line overlapping [pa, pa+len); waits. */
int sl_cache_maintain(sl_platform_t* p, sl_cache_op_t op, uint64_t pa, size_t len);
/* 0 invalid, 1 clean, 2 dirty (-1 on a null platform). */
int sl_cache_line_state(sl_platform_t* p, uint64_t pa);
void sl_cache_get_stats(sl_platform_t* p, sl_cache_stats_t* out);

/* A device transaction on the device side of the coherency port (after the IOMMU): it
 * reads/writes DRAM, snooping the cache only when platform.coherent=true; waits. */
int sl_device_write_dram(sl_platform_t* p, uint64_t pa, const void* src, size_t len);
int sl_device_read_dram(sl_platform_t* p, uint64_t pa, void* dst, size_t len);

/* Replay a Dinero "din" trace (`<0|1|2> <hex address>` per line) through a cache of
 * the configured geometry (cache.size, cache.line, cache.ways, cache.policy, sim.seed;
 * cfg NULL = defaults). Each record is one access to the line holding its address.
 * No SystemC involved. 0 ok; -1 with sl_error() "line N: ..." on a malformed line, or
 * naming the key of a bad cache parameter. */
int sl_cache_replay_din(const sl_config_t* cfg, FILE* in, sl_cache_stats_t* out);

#ifdef __cplusplus
}
#endif
#endif
