/* Staleline C API: the DRAM model (what devices see).
 * DRAM spans the whole 64-bit physical space, stored sparsely in 4 KiB pages; bytes
 * never written read as zero. sl_dram_read/sl_dram_write (platform.h) are the untimed
 * way in; the calls here exercise the model's TLM side. */
#ifndef STALELINE_MEMORY_H
#define STALELINE_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "staleline/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t reads, writes;              /* timed transactions */
    uint64_t bytes_read, bytes_written;
    uint64_t debug_accesses;             /* untimed debug transactions */
    uint64_t dmi_grants;                 /* direct-memory pointers handed out */
    uint64_t pages_touched;              /* 4 KiB pages held now (freed VMO pages are given back) */
} sl_memory_stats_t;

void sl_memory_get_stats(sl_platform_t* p, sl_memory_stats_t* out);

/* Cost of one DRAM transaction of len bytes: dram.latency_ns + len / dram.bandwidth_gbps,
 * in picoseconds. */
uint64_t sl_memory_access_time_ps(sl_platform_t* p, size_t len);

/* One timed transaction straight to the DRAM model (no cache, no IOMMU). Its cost is
 * returned in *delay_ps (may be NULL) and not waited for, so this may be called outside
 * simulated threads. byte_enable: NULL, or be_len bytes repeated over the data
 * (0x00 = disabled, anything else = enabled). streaming_width: 0 or >= len for none,
 * else the data streams through [pa, pa+streaming_width). Returns 0, or -1 with
 * sl_error() naming the TLM response. */
int sl_memory_transport(sl_platform_t* p, int is_write, uint64_t pa, void* data, size_t len,
                        const uint8_t* byte_enable, size_t be_len, size_t streaming_width, uint64_t* delay_ps);

/* A direct-memory-interface grant: host pointer to DRAM bytes [start, end]. */
typedef struct {
    uint8_t* ptr;                /* host address of byte `start` */
    uint64_t start, end;         /* inclusive */
    int read_allowed, write_allowed;
    uint64_t read_latency_ps, write_latency_ps;
} sl_dmi_t;

/* Ask DRAM for DMI covering pa (granted per 4 KiB page). 0, or -1 when refused. The
 * pointer stays valid until the page's backing changes (see Memory::map_host). */
int sl_memory_dmi(sl_platform_t* p, uint64_t pa, sl_dmi_t* out);

#ifdef __cplusplus
}
#endif
#endif
