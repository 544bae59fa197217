/* Staleline C API: a simulated platform (DRAM, non-coherent CPU cache, IOMMU + IOTLB,
 * PCI host bridge, interrupt controller and the devices in its PCI slots).
 *
 * SystemC elaborates once per process: create at most one platform per process, run
 * it, read its statistics, destroy it. Code that uses simulated time (CPU accesses
 * through the cache, MMIO, device transactions, waits) runs in threads spawned with
 * sl_platform_spawn(), which are SystemC threads with a large stack. */
#ifndef STALELINE_PLATFORM_H
#define STALELINE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "staleline/config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_platform sl_platform_t;

/* NULL on error (sl_error() says why; configuration errors name their key). */
sl_platform_t* sl_platform_create(const sl_config_t* cfg);
void sl_platform_destroy(sl_platform_t* p);

typedef void (*sl_thread_fn)(void* arg);
/* Start fn(arg) as a simulated thread (stack: 8 MiB) when the simulation runs. */
int sl_platform_spawn(sl_platform_t* p, const char* name, sl_thread_fn fn, void* arg);
/* Run until every spawned thread has returned and nothing else is scheduled, or until
 * limit_ns of simulated time have passed (0: no limit). Returns 0, or -1 on a
 * simulation error (sl_error()). May be called again to continue. */
int sl_platform_run(sl_platform_t* p, uint64_t limit_ns);

/* Simulated time now, in ns (includes the calling thread's local time offset). */
uint64_t sl_time_ns(void);
/* Let simulated time pass in the calling simulated thread. */
void sl_wait_ns(uint64_t ns);

/* Statistics of every model as one JSON object; the caller frees. */
char* sl_platform_stats_json(sl_platform_t* p);

/* ---- DRAM and RAM allocation (untimed: these are the simulator's hands, not the CPU's) ---- */
int sl_dram_read(sl_platform_t* p, uint64_t pa, void* dst, size_t len);
int sl_dram_write(sl_platform_t* p, uint64_t pa, const void* src, size_t len);
/* Allocate npages 4 KiB RAM pages, contiguous or scattered; pages_out gets each page's
 * address. Returns 0, or -1 when RAM is exhausted. */
int sl_phys_alloc(sl_platform_t* p, uint64_t npages, int contiguous, uint64_t* pages_out);

#ifdef __cplusplus
}
#endif
#endif
