/* Staleline C API: the IOMMU (per-requester page tables in simulated DRAM, IOTLB, page
 * walker, faults) and IOTLB trace replay. docs/models-iommu.md describes the model.
 *
 * The software-side calls (map, unmap, invalidate, flush) are untimed, like the kernel
 * editing page tables; they work once the platform has elaborated, i.e. from a simulated
 * thread (sl_platform_spawn) or after sl_platform_run() has been called. Device
 * transactions go through sl_device_transport() (staleline/pci.h). */
#ifndef STALELINE_IOMMU_H
#define STALELINE_IOMMU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "staleline/config.h"
#include "staleline/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SL_IOMMU_READ 1
#define SL_IOMMU_WRITE 2

/* Fault reasons. */
#define SL_IOMMU_FAULT_NOT_MAPPED 0   /* no present entry for the device address */
#define SL_IOMMU_FAULT_READ_DENIED 1  /* mapped without SL_IOMMU_READ, device read */
#define SL_IOMMU_FAULT_WRITE_DENIED 2 /* mapped without SL_IOMMU_WRITE, device wrote */
#define SL_IOMMU_FAULT_NO_CONTEXT 3   /* requester has no page table (or no requester id) */

typedef struct {
    uint16_t requester;   /* 0xffff: the transaction carried no requester id */
    uint64_t device_addr; /* first byte that could not be translated */
    int is_write;
    int reason;           /* SL_IOMMU_FAULT_* */
    uint64_t time_ns;     /* simulated time of the fault */
} sl_iommu_fault_t;

/* Map [iova, iova+len) of requester rid to physical [pa, pa+len) with perms
 * (SL_IOMMU_READ | SL_IOMMU_WRITE). 4 KiB aligned. Returns 0, or -1 with sl_error() set
 * (misaligned, outside the device address space, overlap, out of table pages). */
int sl_iommu_map(sl_platform_t* p, uint16_t rid, uint64_t iova, uint64_t pa, uint64_t len, unsigned perms);
/* Unmap a fully mapped range; invalidates the IOTLB per iommu.invalidation (strict: at
 * once; deferred: queued). Returns 0, or -1 with sl_error() set and nothing changed. */
int sl_iommu_unmap(sl_platform_t* p, uint16_t rid, uint64_t iova, uint64_t len);
/* Explicit IOTLB invalidation commands (immediate in both modes). */
void sl_iommu_invalidate_page(sl_platform_t* p, uint16_t rid, uint64_t iova);
void sl_iommu_invalidate_range(sl_platform_t* p, uint16_t rid, uint64_t iova, uint64_t len);
void sl_iommu_invalidate_requester(sl_platform_t* p, uint16_t rid);
void sl_iommu_invalidate_all(sl_platform_t* p);
/* Apply every queued (deferred) invalidation now. */
void sl_iommu_flush_deferred(sl_platform_t* p);
/* Pages whose invalidation is queued (deferred mode). */
uint64_t sl_iommu_pending_invalidations(sl_platform_t* p);

/* Untimed table walk (no IOTLB, no statistics). Returns 1 and fills *pa / *perms (either
 * may be NULL) when mapped, 0 when not. Bypass mode: identity, read+write. */
int sl_iommu_translate(sl_platform_t* p, uint16_t rid, uint64_t iova, uint64_t* pa, unsigned* perms);
/* Page-table pages in use by requester rid (0 when it has none). */
uint64_t sl_iommu_table_pages(sl_platform_t* p, uint16_t rid);

size_t sl_iommu_fault_count(sl_platform_t* p);
/* Fault i in order of occurrence. Returns 0, or -1 when i is out of range. */
int sl_iommu_get_fault(sl_platform_t* p, size_t i, sl_iommu_fault_t* out);
/* "not-mapped", "read-denied", "write-denied", "no-context", or "unknown". */
const char* sl_iommu_fault_reason_name(int reason);

typedef struct {
    uint64_t translations;          /* 4 KiB pages translated */
    uint64_t iotlb_hits, iotlb_misses;
    uint64_t iotlb_evictions;
    uint64_t walks, walk_reads;     /* page walks and the 8-byte memory reads they made */
    uint64_t faults;
    uint64_t invalidation_commands; /* strict unmaps, explicit commands, flushed queue ranges */
    uint64_t invalidated_entries;   /* IOTLB entries those commands removed */
    uint64_t deferred_flushes;
    uint64_t stale_hits;            /* translations served by a deferred-invalidated entry */
    uint64_t time_translating_ns;   /* hit latency + walk cost + the waits below, charged to transactions */
    uint64_t deferred_window_max_ns;   /* longest time a flushed batch left stale translations usable */
    uint64_t deferred_window_total_ns; /* that time summed over the flushes */
    uint64_t walks_waited;          /* walks that found all iommu.walkers busy and queued */
    uint64_t walk_wait_ns;          /* time those walks queued for a walker, summed */
    uint64_t iotlb_hits_pending;    /* hits on an entry whose walk had not ended yet (they wait for it) */
    /* page-walk cache (iommu.pwc_entries > 0; all 0 without one) */
    uint64_t pwc_hits;              /* walks that started below the root thanks to a cached non-leaf entry */
    uint64_t pwc_levels_skipped;    /* levels (memory reads + walk steps) those walks did not make */
    uint64_t pwc_misses;            /* walks that found nothing cached and started at the root */
    uint64_t pwc_invalidated;       /* cached non-leaf entries dropped by unmaps and invalidation commands */
} sl_iommu_stats_t;
void sl_iommu_get_stats(sl_platform_t* p, sl_iommu_stats_t* out);

/* A timed device transaction of requester rid straight into the IOMMU (no PCI hop), as a
 * loosely-timed initiator with several requests in flight issues it: it arrives at
 * sl_time_ns() + *delay_ns, and returns with the IOMMU's and memory's time added to
 * *delay_ns, without waiting. Call it from a simulated thread. Returns an SL_RESP_* code
 * (staleline/pci.h); SL_RESP_OTHER_ERROR with sl_error() set on a null argument. */
int sl_iommu_transport(sl_platform_t* p, uint16_t rid, int is_write, uint64_t iova, void* data, size_t len,
                       uint64_t* delay_ns);

/* ---- IOTLB trace replay (no SystemC, no platform) ---- */
typedef struct {
    uint64_t accesses, hits, misses, read_misses, write_misses, evictions;
    uint64_t writebacks; /* always 0: an IOTLB holds no dirty data */
} sl_iotlb_replay_stats_t;
/* Replay a Dinero IV din trace through an IOTLB built from cfg (iotlb.entries, ways,
 * policy, page_size, sim.seed): addresses are device addresses of requester 0, each access
 * is a lookup and a miss inserts. Returns 0, or -1 with sl_error() set ("line N: ..." on
 * a malformed line, or the configuration error). */
int sl_iotlb_replay_din(const sl_config_t* cfg, FILE* in, sl_iotlb_replay_stats_t* out);

#ifdef __cplusplus
}
#endif
#endif
