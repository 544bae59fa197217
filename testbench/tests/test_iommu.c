/* IOMMU, IOTLB and page walker: translation across pages, permission faults, unmap in
 * strict and deferred invalidation, IOTLB geometry and policies, walk reads and timing,
 * walk concurrency (iommu.walkers, hits on walks in flight), the page-walk cache
 * (iommu.pwc_entries), bypass, 2 MiB blocks,
 * table-page exhaustion, IOTLB trace replay.
 *
 * Timing used throughout (see base_config): PCI hop 100 ns, DRAM 50 ns + 8 bytes/ns,
 * walk step 10 ns, IOTLB hit 2 ns. So one walk step = 50 + 1 (8 bytes) + 10 = 61 ns, a
 * 4-level walk 244 ns, an 8-byte data access 51 ns. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"
#include "staleline/iommu.h"
#include "staleline/staleline.h"

#define RID 0x10 /* bus 0, device 2: no slot, so no bus-master check */
#define PAGE 4096ULL
#define MIB2 (2ULL << 20)
#define STEP_NS 61ULL
#define HOP_NS 100ULL
#define DATA8_NS 51ULL

static sl_platform_t* P;

static sl_config_t* base_config(void) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.hop_latency_ns", "100"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "dram.latency_ns", "50"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "dram.bandwidth_gbps", "8"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "iommu.walk_latency_ns", "10"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "iotlb.hit_latency_ns", "2"), 0);
    return c;
}

/* Build the platform with extra "key=value" settings (NULL terminated), run fn in a
 * simulated thread, destroy. */
static void run_with(sl_thread_fn fn, const char* const* sets) {
    sl_config_t* c = base_config();
    for (; sets && *sets; ++sets) CU_ASSERT_EQUAL_FATAL(sl_config_set_assignment(c, *sets), 0);
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", fn, NULL), 0);
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
    sl_platform_destroy(P);
    P = NULL;
}

static uint64_t alloc_page(void) {
    uint64_t pa = 0;
    CU_ASSERT_EQUAL_FATAL(sl_phys_alloc(P, 1, 0, &pa), 0);
    return pa;
}

static int dev_read(uint64_t iova, void* buf, size_t len) { return sl_device_transport(P, RID, 0, iova, buf, len); }
static int dev_write(uint64_t iova, const void* buf, size_t len) {
    return sl_device_transport(P, RID, 1, iova, (void*)buf, len);
}

static sl_iommu_stats_t stats(void) {
    sl_iommu_stats_t s;
    sl_iommu_get_stats(P, &s);
    return s;
}

static void fill(uint8_t* b, size_t n, uint8_t seed) {
    for (size_t i = 0; i < n; ++i) b[i] = (uint8_t)(seed + i * 7);
}

/* ---------------------------------------------------------------- translation */

/* A 64-byte burst over the boundary of two device pages mapped to non-contiguous
 * physical pages lands in both; reading it back through the IOMMU returns it. */
static void cross_page_thread(void* arg) {
    uint64_t pa[2] = {alloc_page(), alloc_page()};
    CU_ASSERT_NOT_EQUAL(pa[1], pa[0] + PAGE);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x10000, pa[0], PAGE, SL_IOMMU_READ | SL_IOMMU_WRITE), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x11000, pa[1], PAGE, SL_IOMMU_READ | SL_IOMMU_WRITE), 0);
    uint8_t out[64], in[64], d0[32], d1[32];
    fill(out, sizeof out, 3);
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(dev_write(0x10fe0, out, 64), SL_RESP_OK);
    /* hop + per page (walk 4 steps + 32-byte write: 50 + 4 ns) */
    CU_ASSERT_EQUAL(sl_time_ns() - t0, HOP_NS + 2 * (4 * STEP_NS + 54));
    sl_dram_read(P, pa[0] + 0xfe0, d0, 32);
    sl_dram_read(P, pa[1], d1, 32);
    CU_ASSERT_EQUAL(memcmp(d0, out, 32), 0);
    CU_ASSERT_EQUAL(memcmp(d1, out + 32, 32), 0);
    memset(in, 0, sizeof in);
    CU_ASSERT_EQUAL(dev_read(0x10fe0, in, 64), SL_RESP_OK);
    CU_ASSERT_EQUAL(memcmp(in, out, 64), 0);
    uint64_t tpa = 0;
    unsigned perms = 0;
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, 0x11abc, &tpa, &perms), 1);
    CU_ASSERT_EQUAL(tpa, pa[1] + 0xabc);
    CU_ASSERT_EQUAL(perms, SL_IOMMU_READ | SL_IOMMU_WRITE);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.translations, 4);
    CU_ASSERT_EQUAL(s.iotlb_misses, 2);
    CU_ASSERT_EQUAL(s.iotlb_hits, 2);
    CU_ASSERT_EQUAL(s.walks, 2);
    CU_ASSERT_EQUAL(s.walk_reads, 8);
    CU_ASSERT_EQUAL(s.faults, 0);
    CU_ASSERT_EQUAL(s.time_translating_ns, 2 * 4 * STEP_NS + 2 * 2);
    /* root + one table per lower level */
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 4);
}
static void test_cross_page_transfer(void) { run_with(cross_page_thread, NULL); }

/* ---------------------------------------------------------------- faults */

static void read_fault_thread(void* arg) {
    uint64_t pa = alloc_page();
    uint8_t pattern[16], buf[16];
    fill(pattern, 16, 9);
    sl_dram_write(P, pa + 0x10, pattern, 16);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x20000, pa, PAGE, SL_IOMMU_WRITE), 0);
    memset(buf, 0xaa, sizeof buf);
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(dev_read(0x20010, buf, 16), SL_RESP_ADDRESS_ERROR);
    for (int i = 0; i < 16; ++i) CU_ASSERT_EQUAL(buf[i], 0xaa); /* memory never read */
    CU_ASSERT_EQUAL_FATAL(sl_iommu_fault_count(P), 1);
    sl_iommu_fault_t f;
    CU_ASSERT_EQUAL(sl_iommu_get_fault(P, 0, &f), 0);
    CU_ASSERT_EQUAL(f.requester, RID);
    CU_ASSERT_EQUAL(f.device_addr, 0x20010);
    CU_ASSERT_EQUAL(f.is_write, 0);
    CU_ASSERT_EQUAL(f.reason, SL_IOMMU_FAULT_READ_DENIED);
    CU_ASSERT_EQUAL(f.time_ns, t0 + HOP_NS + 4 * STEP_NS); /* detected after the walk */
    CU_ASSERT_STRING_EQUAL(sl_iommu_fault_reason_name(f.reason), "read-denied");
    CU_ASSERT_EQUAL(sl_iommu_get_fault(P, 1, &f), -1);
    /* the write permission works */
    CU_ASSERT_EQUAL(dev_write(0x20010, buf, 16), SL_RESP_OK);
    uint8_t d[16];
    sl_dram_read(P, pa + 0x10, d, 16);
    CU_ASSERT_EQUAL(memcmp(d, buf, 16), 0);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.faults, 1);
    CU_ASSERT_EQUAL(s.iotlb_misses, 1); /* the denied walk cached the translation */
    CU_ASSERT_EQUAL(s.iotlb_hits, 1);
}
static void test_read_permission_fault(void) { run_with(read_fault_thread, NULL); }

static void write_fault_thread(void* arg) {
    uint64_t pa = alloc_page();
    uint8_t pattern[8], buf[8];
    fill(pattern, 8, 1);
    fill(buf, 8, 100);
    sl_dram_write(P, pa + 8, pattern, 8);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x30000, pa, PAGE, SL_IOMMU_READ), 0);
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(dev_write(0x30008, buf, 8), SL_RESP_ADDRESS_ERROR);
    uint8_t d[8];
    sl_dram_read(P, pa + 8, d, 8);
    CU_ASSERT_EQUAL(memcmp(d, pattern, 8), 0); /* memory untouched */
    CU_ASSERT_EQUAL_FATAL(sl_iommu_fault_count(P), 1);
    sl_iommu_fault_t f;
    CU_ASSERT_EQUAL(sl_iommu_get_fault(P, 0, &f), 0);
    CU_ASSERT_EQUAL(f.requester, RID);
    CU_ASSERT_EQUAL(f.device_addr, 0x30008);
    CU_ASSERT_EQUAL(f.is_write, 1);
    CU_ASSERT_EQUAL(f.reason, SL_IOMMU_FAULT_WRITE_DENIED);
    CU_ASSERT_EQUAL(f.time_ns, t0 + HOP_NS + 4 * STEP_NS);
    /* reading is allowed */
    CU_ASSERT_EQUAL(dev_read(0x30008, d, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(memcmp(d, pattern, 8), 0);
}
static void test_write_permission_fault(void) { run_with(write_fault_thread, NULL); }

/* A 3-page write: page A writable, page B read-only, page C writable. A is written; the
 * fault at B stops the burst: neither B nor C is touched. */
static void burst_fault_thread(void* arg) {
    uint64_t pa[3] = {alloc_page(), alloc_page(), alloc_page()};
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x50000, pa[0], PAGE, SL_IOMMU_READ | SL_IOMMU_WRITE), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x51000, pa[1], PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x52000, pa[2], PAGE, SL_IOMMU_READ | SL_IOMMU_WRITE), 0);
    static uint8_t out[3 * 4096], d[4096], zero[4096];
    fill(out, sizeof out, 5);
    CU_ASSERT_EQUAL(dev_write(0x50000, out, sizeof out), SL_RESP_ADDRESS_ERROR);
    sl_dram_read(P, pa[0], d, PAGE);
    CU_ASSERT_EQUAL(memcmp(d, out, PAGE), 0);
    sl_dram_read(P, pa[1], d, PAGE);
    CU_ASSERT_EQUAL(memcmp(d, zero, PAGE), 0);
    sl_dram_read(P, pa[2], d, PAGE);
    CU_ASSERT_EQUAL(memcmp(d, zero, PAGE), 0);
    sl_iommu_fault_t f;
    CU_ASSERT_EQUAL_FATAL(sl_iommu_fault_count(P), 1);
    sl_iommu_get_fault(P, 0, &f);
    CU_ASSERT_EQUAL(f.device_addr, 0x51000);
    CU_ASSERT_EQUAL(f.reason, SL_IOMMU_FAULT_WRITE_DENIED);
    CU_ASSERT_EQUAL(stats().translations, 2); /* page C was never translated */
}
static void test_burst_stops_at_faulting_page(void) { run_with(burst_fault_thread, NULL); }

/* A requester without page tables faults with no-context; an unmapped hole of a
 * requester that has tables faults with not-mapped. */
static void no_context_thread(void* arg) {
    uint8_t b[4];
    CU_ASSERT_EQUAL(sl_device_transport(P, 0x20, 0, 0x1000, b, 4), SL_RESP_ADDRESS_ERROR);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x1000, alloc_page(), PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(dev_read(0x2000, b, 4), SL_RESP_ADDRESS_ERROR);
    sl_iommu_fault_t f;
    CU_ASSERT_EQUAL_FATAL(sl_iommu_fault_count(P), 2);
    sl_iommu_get_fault(P, 0, &f);
    CU_ASSERT_EQUAL(f.requester, 0x20);
    CU_ASSERT_EQUAL(f.reason, SL_IOMMU_FAULT_NO_CONTEXT);
    sl_iommu_get_fault(P, 1, &f);
    CU_ASSERT_EQUAL(f.requester, RID);
    CU_ASSERT_EQUAL(f.device_addr, 0x2000);
    CU_ASSERT_EQUAL(f.reason, SL_IOMMU_FAULT_NOT_MAPPED);
    /* 0x1000 and 0x2000 share all tables: the walk reads 4 entries, the leaf is empty */
    CU_ASSERT_EQUAL(stats().walk_reads, 4);
}
static void test_no_context_and_hole(void) { run_with(no_context_thread, NULL); }

/* ---------------------------------------------------------------- unmap, strict */

static void strict_unmap_thread(void* arg) {
    uint64_t pa = alloc_page();
    uint8_t b[8];
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x40000, pa, PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(dev_read(0x40000, b, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(dev_read(0x40000, b, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x40000, PAGE), 0);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.invalidation_commands, 1);
    CU_ASSERT_EQUAL(s.invalidated_entries, 1);
    /* the emptied tables are freed again: only the root is left */
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 1);
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, 0x40000, NULL, NULL), 0);
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(dev_read(0x40000, b, 8), SL_RESP_ADDRESS_ERROR);
    sl_iommu_fault_t f;
    CU_ASSERT_EQUAL_FATAL(sl_iommu_fault_count(P), 1);
    sl_iommu_get_fault(P, 0, &f);
    CU_ASSERT_EQUAL(f.reason, SL_IOMMU_FAULT_NOT_MAPPED);
    CU_ASSERT_EQUAL(f.device_addr, 0x40000);
    CU_ASSERT_EQUAL(f.time_ns, t0 + HOP_NS + STEP_NS); /* one read: the root entry is empty */
    s = stats();
    CU_ASSERT_EQUAL(s.walk_reads, 4 + 1);
    CU_ASSERT_EQUAL(s.iotlb_hits, 1);
    CU_ASSERT_EQUAL(s.iotlb_misses, 2);
    /* a second unmap of the same range is refused */
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x40000, PAGE), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "not mapped"));
}
static void test_fault_after_unmap_strict(void) { run_with(strict_unmap_thread, NULL); }

/* ---------------------------------------------------------------- unmap, deferred */

static const char* const kDeferred[] = {"iommu.invalidation=deferred", "iommu.deferred_batch=4",
                                        "iommu.deferred_timeout_ns=10000", NULL};

/* The window stays open until an explicit flush; re-mapping a pending address flushes. */
static void deferred_flush_thread(void* arg) {
    uint64_t pa = alloc_page(), pa2 = alloc_page();
    uint8_t pattern[8], b[8];
    fill(pattern, 8, 40);
    sl_dram_write(P, pa, pattern, 8);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x60000, pa, PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(dev_read(0x60000, b, 8), SL_RESP_OK);
    const uint64_t t_unmap = sl_time_ns();
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x60000, PAGE), 0);
    CU_ASSERT_EQUAL(sl_iommu_pending_invalidations(P), 1);
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, 0x60000, NULL, NULL), 0); /* tables say unmapped */
    memset(b, 0, 8);
    CU_ASSERT_EQUAL(dev_read(0x60000, b, 8), SL_RESP_OK); /* ... the IOTLB still translates */
    CU_ASSERT_EQUAL(memcmp(b, pattern, 8), 0);
    CU_ASSERT_EQUAL(dev_read(0x60000, b, 8), SL_RESP_OK);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.stale_hits, 2);
    CU_ASSERT_EQUAL(s.invalidation_commands, 0);
    CU_ASSERT_EQUAL(s.faults, 0);
    CU_ASSERT_EQUAL(s.deferred_window_max_ns, 0); /* nothing flushed yet */
    const uint64_t t_flush = sl_time_ns();
    CU_ASSERT(t_flush > t_unmap);
    sl_iommu_flush_deferred(P);
    CU_ASSERT_EQUAL(sl_iommu_pending_invalidations(P), 0);
    /* the window: stale translations stayed usable from the unmap to the flush */
    CU_ASSERT_EQUAL(stats().deferred_window_max_ns, t_flush - t_unmap);
    CU_ASSERT_EQUAL(stats().deferred_window_total_ns, t_flush - t_unmap);
    CU_ASSERT_EQUAL(dev_read(0x60000, b, 8), SL_RESP_ADDRESS_ERROR);
    s = stats();
    CU_ASSERT_EQUAL(s.deferred_flushes, 1);
    CU_ASSERT_EQUAL(s.invalidation_commands, 1);
    CU_ASSERT_EQUAL(s.invalidated_entries, 1);
    CU_ASSERT_EQUAL(s.faults, 1);
    CU_ASSERT_EQUAL(s.stale_hits, 2);

    /* re-mapping an address whose invalidation is pending flushes first, so the new
     * mapping is what the device sees */
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x61000, pa, PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(dev_read(0x61000, b, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x61000, PAGE), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x61000, pa2, PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(stats().deferred_flushes, 2);
    uint8_t zero[8] = {0};
    CU_ASSERT_EQUAL(dev_read(0x61000, b, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(memcmp(b, zero, 8), 0);
    CU_ASSERT_EQUAL(stats().stale_hits, 2);
}
static void test_deferred_window_flush(void) { run_with(deferred_flush_thread, kDeferred); }

/* The queue is flushed when deferred_batch (4) pages are pending. */
static void deferred_batch_thread(void* arg) {
    uint8_t b[8];
    for (int i = 0; i < 4; ++i) {
        CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x70000 + i * 0x10000ULL, alloc_page(), PAGE, SL_IOMMU_READ), 0);
        CU_ASSERT_EQUAL(dev_read(0x70000 + i * 0x10000ULL, b, 8), SL_RESP_OK);
    }
    for (int i = 0; i < 3; ++i) CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x70000 + i * 0x10000ULL, PAGE), 0);
    CU_ASSERT_EQUAL(sl_iommu_pending_invalidations(P), 3);
    for (int i = 0; i < 4; ++i) CU_ASSERT_EQUAL(dev_read(0x70000 + i * 0x10000ULL, b, 8), SL_RESP_OK);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.stale_hits, 3);
    CU_ASSERT_EQUAL(s.deferred_flushes, 0);
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x70000 + 3 * 0x10000ULL, PAGE), 0); /* 4th page: batch full */
    CU_ASSERT_EQUAL(sl_iommu_pending_invalidations(P), 0);
    s = stats();
    CU_ASSERT_EQUAL(s.deferred_flushes, 1);
    CU_ASSERT_EQUAL(s.invalidation_commands, 1); /* one batched command for the four queued pages */
    CU_ASSERT_EQUAL(s.invalidated_entries, 4);
    for (int i = 0; i < 4; ++i) CU_ASSERT_EQUAL(dev_read(0x70000 + i * 0x10000ULL, b, 8), SL_RESP_ADDRESS_ERROR);
    CU_ASSERT_EQUAL(sl_iommu_fault_count(P), 4);
}
static void test_deferred_window_batch(void) { run_with(deferred_batch_thread, kDeferred); }

/* The queue is flushed by the first translation at or after first-pending + 10000 ns. */
static void deferred_timeout_thread(void* arg) {
    uint8_t b[8];
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x80000, alloc_page(), PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(dev_read(0x80000, b, 8), SL_RESP_OK);
    uint64_t t_unmap = sl_time_ns();
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x80000, PAGE), 0);
    /* translated at t_unmap + 9999 (the hop comes first): still open */
    sl_wait_ns(10000 - HOP_NS - 1);
    CU_ASSERT_EQUAL(dev_read(0x80000, b, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(stats().stale_hits, 1);
    CU_ASSERT_EQUAL(stats().deferred_flushes, 0);
    CU_ASSERT(sl_time_ns() + HOP_NS >= t_unmap + 10000);
    /* the next translation is past the timeout: flushed, faults */
    const uint64_t t_second = sl_time_ns();
    CU_ASSERT_EQUAL(dev_read(0x80000, b, 8), SL_RESP_ADDRESS_ERROR);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.deferred_flushes, 1);
    CU_ASSERT_EQUAL(s.invalidated_entries, 1);
    CU_ASSERT_EQUAL(s.stale_hits, 1);
    CU_ASSERT_EQUAL(s.faults, 1);
    /* the window closed at that translation, one hop after the read was issued */
    CU_ASSERT_EQUAL(s.deferred_window_max_ns, t_second + HOP_NS - t_unmap);
    CU_ASSERT(s.deferred_window_max_ns >= 10000);
}
static void test_deferred_window_timeout(void) { run_with(deferred_timeout_thread, kDeferred); }

/* ---------------------------------------------------------------- IOTLB geometry, walks */

/* 4 entries, 2 ways (2 sets), LRU, through the platform. For RID 0x10 the requester term
 * of the set index (0x10 * 0x9E3779B1) is even, so set = device page number mod 2.
 * Pages (relative to 0x100): set 0: 0 2 0 4 0 -> m m h m(evicts 2) h; set 1: 1 3 1 3 ->
 * m m h h. Hits 4, misses 5, evictions 1; walks read 4 entries per miss. */
static void geometry_thread(void* arg) {
    uint64_t pages[8];
    CU_ASSERT_EQUAL_FATAL(sl_phys_alloc(P, 8, 1, pages), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x100000, pages[0], 8 * PAGE, SL_IOMMU_READ), 0);
    static const int seq[] = {0, 1, 2, 3, 0, 1, 4, 3, 0};
    uint8_t b[4];
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; ++i)
        CU_ASSERT_EQUAL(dev_read(0x100000 + seq[i] * PAGE, b, 4), SL_RESP_OK);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.translations, 9);
    CU_ASSERT_EQUAL(s.iotlb_hits, 4);
    CU_ASSERT_EQUAL(s.iotlb_misses, 5);
    CU_ASSERT_EQUAL(s.iotlb_evictions, 1);
    CU_ASSERT_EQUAL(s.walks, 5);
    CU_ASSERT_EQUAL(s.walk_reads, 20);
    CU_ASSERT_EQUAL(s.time_translating_ns, 5 * 4 * STEP_NS + 4 * 2);
}
static void test_iotlb_geometry_platform(void) {
    static const char* const sets[] = {"iotlb.entries=4", "iotlb.ways=2", "iotlb.policy=lru", NULL};
    run_with(geometry_thread, sets);
}

/* Walk reads = levels per miss; timing of a miss and of a hit. 3 levels. */
static void walk3_thread(void* arg) {
    uint8_t b[8];
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x7fc0000000ULL, alloc_page(), PAGE, SL_IOMMU_READ), 0); /* top of 39 bits */
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x1000, alloc_page(), PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x8000000000ULL, alloc_page(), PAGE, SL_IOMMU_READ), -1); /* 2^39 */
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "39-bit"));
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(dev_read(0x7fc0000000ULL, b, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(sl_time_ns() - t0, HOP_NS + 3 * STEP_NS + DATA8_NS + HOP_NS);
    t0 = sl_time_ns();
    CU_ASSERT_EQUAL(dev_read(0x7fc0000000ULL, b, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(sl_time_ns() - t0, HOP_NS + 2 + DATA8_NS + HOP_NS);
    CU_ASSERT_EQUAL(dev_read(0x1000, b, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(dev_read(0x1000, b, 8), SL_RESP_OK);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.iotlb_misses, 2);
    CU_ASSERT_EQUAL(s.iotlb_hits, 2);
    CU_ASSERT_EQUAL(s.walk_reads, 2 * 3);
    /* two disjoint paths below one root: 1 + 2 + 2 */
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 5);
}
static void test_walk_reads_3_levels(void) {
    static const char* const sets[] = {"iommu.levels=3", NULL};
    run_with(walk3_thread, sets);
}

static void walk2_thread(void* arg) {
    uint8_t b[8];
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x3ffff000ULL, alloc_page(), PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x40000000ULL, alloc_page(), PAGE, SL_IOMMU_READ), -1); /* 2^30 */
    for (int i = 0; i < 3; ++i) CU_ASSERT_EQUAL(dev_read(0x3ffff000ULL, b, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(dev_read(0x40000000ULL, b, 8), SL_RESP_ADDRESS_ERROR); /* beyond: no read */
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.iotlb_misses, 2);
    CU_ASSERT_EQUAL(s.iotlb_hits, 2);
    CU_ASSERT_EQUAL(s.walk_reads, 2);
}
static void test_walk_reads_2_levels(void) {
    static const char* const sets[] = {"iommu.levels=2", NULL};
    run_with(walk2_thread, sets);
}

/* ---------------------------------------------------------------- software side */

static void map_errors_thread(void* arg) {
    uint64_t pa = alloc_page();
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x1000, pa, 2 * PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x2000, pa, PAGE, SL_IOMMU_READ), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "overlaps"));
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x0, pa, 2 * PAGE, SL_IOMMU_READ), -1); /* tail overlaps */
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x5800, pa, PAGE, SL_IOMMU_READ), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "aligned"));
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x5000, pa + 8, PAGE, SL_IOMMU_READ), -1);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x5000, pa, 100, SL_IOMMU_READ), -1);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x5000, pa, 0, SL_IOMMU_READ), -1);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x5000, pa, PAGE, 0), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "permissions"));
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x5000, pa, PAGE, 4), -1);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0xfffffffff000ULL, pa, 2 * PAGE, SL_IOMMU_READ), -1);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x5000, 0xfffffffffffff000ULL, 2 * PAGE, SL_IOMMU_READ), -1);
    /* unmap must cover mapped pages only */
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x1000, 3 * PAGE), -1);
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, 0x99, 0x1000, PAGE), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "no page table"));
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, 0x2fff, NULL, NULL), 1); /* failed calls changed nothing */
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, 0x5000, NULL, NULL), 0);
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x1000, 2 * PAGE), 0);
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 1);
}
static void test_map_errors(void) { run_with(map_errors_thread, NULL); }

/* 256 pages of RAM: take all but 2, then a first mapping needs 4 table pages. It fails,
 * and the 2 pages it took are returned. */
static void exhaustion_thread(void* arg) {
    static uint64_t pages[256];
    CU_ASSERT_EQUAL_FATAL(sl_phys_alloc(P, 254, 0, pages), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x1000, pages[0], PAGE, SL_IOMMU_READ), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "out of RAM"));
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 0);
    uint8_t b[4];
    CU_ASSERT_EQUAL(dev_read(0x1000, b, 4), SL_RESP_ADDRESS_ERROR);
    sl_iommu_fault_t f;
    sl_iommu_get_fault(P, 0, &f);
    CU_ASSERT_EQUAL(f.reason, SL_IOMMU_FAULT_NO_CONTEXT);
    CU_ASSERT_EQUAL(sl_phys_alloc(P, 2, 0, pages + 254), 0);
    CU_ASSERT_EQUAL(sl_phys_alloc(P, 1, 0, pages + 255), -1);
}
static void test_table_pages_exhausted(void) {
    static const char* const sets[] = {"platform.phys_size=1M", NULL};
    run_with(exhaustion_thread, sets);
}

/* Explicit invalidation commands, per page, per range, per requester, all. */
static void invalidate_thread(void* arg) {
    uint64_t pages[4];
    uint8_t b[4];
    CU_ASSERT_EQUAL_FATAL(sl_phys_alloc(P, 4, 1, pages), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x10000, pages[0], 4 * PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, 0x18, 0x10000, pages[0], 4 * PAGE, SL_IOMMU_READ), 0);
    for (int i = 0; i < 4; ++i) {
        CU_ASSERT_EQUAL(dev_read(0x10000 + i * PAGE, b, 4), SL_RESP_OK);
        CU_ASSERT_EQUAL(sl_device_transport(P, 0x18, 0, 0x10000 + i * PAGE, b, 4), SL_RESP_OK);
    }
    sl_iommu_invalidate_page(P, RID, 0x10123);            /* RID page 0 */
    sl_iommu_invalidate_range(P, RID, 0x11800, PAGE);     /* RID pages 1..2: partly covered pages count */
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.invalidation_commands, 2);
    CU_ASSERT_EQUAL(s.invalidated_entries, 3);
    sl_iommu_invalidate_requester(P, 0x18);
    CU_ASSERT_EQUAL(stats().invalidated_entries, 7);
    for (int i = 0; i < 4; ++i) CU_ASSERT_EQUAL(dev_read(0x10000 + i * PAGE, b, 4), SL_RESP_OK);
    s = stats();
    CU_ASSERT_EQUAL(s.iotlb_misses, 8 + 3);
    CU_ASSERT_EQUAL(s.iotlb_hits, 1);
    sl_iommu_invalidate_all(P);
    s = stats();
    CU_ASSERT_EQUAL(s.invalidation_commands, 4);
    CU_ASSERT_EQUAL(s.invalidated_entries, 11);
}
static void test_invalidation_commands(void) { run_with(invalidate_thread, NULL); }

/* ---------------------------------------------------------------- bypass, blocks */

static void bypass_thread(void* arg) {
    uint64_t pa = alloc_page();
    uint8_t out[16], d[16];
    fill(out, 16, 77);
    CU_ASSERT_EQUAL(dev_write(pa + 0x100, out, 16), SL_RESP_OK);
    sl_dram_read(P, pa + 0x100, d, 16);
    CU_ASSERT_EQUAL(memcmp(d, out, 16), 0);
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(dev_read(pa + 0x100, d, 8), SL_RESP_OK); /* no translation cost */
    CU_ASSERT_EQUAL(sl_time_ns() - t0, HOP_NS + DATA8_NS + HOP_NS);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x1000, pa, PAGE, SL_IOMMU_READ), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "iommu.mode");
    uint64_t tpa = 0;
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, 0x12345678, &tpa, NULL), 1);
    CU_ASSERT_EQUAL(tpa, 0x12345678);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.translations, 0);
    CU_ASSERT_EQUAL(s.faults, 0);
    CU_ASSERT_EQUAL(sl_iommu_fault_count(P), 0);
}
static void test_bypass(void) {
    static const char* const sets[] = {"iommu.mode=bypass", NULL};
    run_with(bypass_thread, sets);
}

/* 1024 contiguous pages hold one 2 MiB aligned block. */
static uint64_t aligned_2m_region(void) {
    static uint64_t pages[1024];
    CU_ASSERT_EQUAL_FATAL(sl_phys_alloc(P, 1024, 1, pages), 0);
    return (pages[0] + MIB2 - 1) & ~(MIB2 - 1);
}

static void block_thread(void* arg) {
    uint64_t pa = aligned_2m_region();
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x200000, pa, MIB2, SL_IOMMU_READ | SL_IOMMU_WRITE), 0);
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 3); /* root, level 2, level 1 holding the block */
    uint64_t tpa = 0;
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, 0x212345, &tpa, NULL), 1);
    CU_ASSERT_EQUAL(tpa, pa + 0x12345);
    uint8_t out[8], d[8];
    fill(out, 8, 21);
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(dev_write(0x3ff000, out, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(sl_time_ns() - t0, HOP_NS + 3 * STEP_NS + DATA8_NS); /* levels - 1 reads */
    sl_dram_read(P, pa + 0x1ff000, d, 8);
    CU_ASSERT_EQUAL(memcmp(d, out, 8), 0);
    CU_ASSERT_EQUAL(dev_read(0x200000, d, 8), SL_RESP_OK); /* another page of the block: a hit */
    CU_ASSERT_EQUAL(dev_read(0x300000, d, 8), SL_RESP_OK);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.iotlb_misses, 1);
    CU_ASSERT_EQUAL(s.iotlb_hits, 2);
    CU_ASSERT_EQUAL(s.walk_reads, 3);
    /* invalidating any page of the block drops the block entry */
    sl_iommu_invalidate_page(P, RID, 0x250000);
    CU_ASSERT_EQUAL(stats().invalidated_entries, 1);
    CU_ASSERT_EQUAL(dev_read(0x300000, d, 8), SL_RESP_OK);
    s = stats();
    CU_ASSERT_EQUAL(s.iotlb_misses, 2);
    CU_ASSERT_EQUAL(s.walk_reads, 6);
    /* a block cannot be split */
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x200000, PAGE), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "split"));
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x201000, pa, PAGE, SL_IOMMU_READ), -1); /* inside the block */
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x200000, MIB2), 0);
    CU_ASSERT_EQUAL(stats().invalidated_entries, 2); /* the re-cached block entry */
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 1);
    CU_ASSERT_EQUAL(dev_read(0x300000, d, 8), SL_RESP_ADDRESS_ERROR);

    /* pa not 2 MiB aligned: 4 KiB entries, 513 of them over two leaf tables */
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x400000, pa + PAGE, MIB2 + PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 5);
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, 0x400000 + MIB2, &tpa, NULL), 1);
    CU_ASSERT_EQUAL(tpa, pa + PAGE + MIB2);
    /* iova and pa aligned, 4 MiB + 4 KiB: two blocks and a 4 KiB page after them, under a
     * new level-2 table (root index 1), a level-1 table and one leaf table. The IOMMU does
     * not care whether pa is RAM (peer-to-peer MMIO is legal). */
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x8000000000ULL, 0x200000000ULL, 2 * MIB2 + PAGE, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 5 + 3);
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, 0x80003ff123ULL, &tpa, NULL), 1);
    CU_ASSERT_EQUAL(tpa, 0x2003ff123ULL);
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, 0x8000400123ULL, &tpa, NULL), 1);
    CU_ASSERT_EQUAL(tpa, 0x200400123ULL);
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, 0x8000401000ULL, &tpa, NULL), 0);
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x8000000000ULL, 2 * MIB2 + PAGE), 0);
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 5);
}
static void test_block_2m(void) {
    static const char* const sets[] = {"iommu.block_2m=true", NULL};
    run_with(block_thread, sets);
}

static void no_block_thread(void* arg) {
    uint64_t pa = aligned_2m_region();
    uint8_t d[8];
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x200000, pa, MIB2, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 4);
    CU_ASSERT_EQUAL(dev_read(0x200000, d, 8), SL_RESP_OK);
    CU_ASSERT_EQUAL(dev_read(0x300000, d, 8), SL_RESP_OK);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.iotlb_misses, 2);
    CU_ASSERT_EQUAL(s.walk_reads, 8);
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x200000, PAGE), 0); /* 4 KiB pieces can go one by one */
}
static void test_block_2m_off(void) { run_with(no_block_thread, NULL); }

/* ---------------------------------------------------------------- walk concurrency */

/* Walk-concurrency tests issue transactions straight into the IOMMU with an explicit
 * arrival offset (sl_iommu_transport: no PCI hop, no wait), as an initiator with several
 * reads in flight does. An 8-byte read that misses costs WALK_NS + DATA8_NS. */
#define WALK_NS (4 * STEP_NS)

/* Map pages first..first+n-1 at 0x100000 + page * 4 KiB (one leaf table: every walk
 * reads 4 entries). */
static void map_range(unsigned first, unsigned n) {
    uint64_t pages[8];
    CU_ASSERT_FATAL(n <= 8);
    CU_ASSERT_EQUAL_FATAL(sl_phys_alloc(P, n, 0, pages), 0);
    for (unsigned i = first; i < first + n; ++i)
        CU_ASSERT_EQUAL_FATAL(sl_iommu_map(P, RID, 0x100000 + i * PAGE, pages[i - first], PAGE, SL_IOMMU_READ), 0);
}
static void map_pages(unsigned n) { map_range(0, n); }

/* Read 8 bytes of page `page` arriving `at` ns after now; returns the delay it came back with. */
static uint64_t read_at(unsigned page, uint64_t at) {
    uint8_t b[8];
    uint64_t d = at;
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, 0x100000 + page * PAGE + 8, b, 8, &d), SL_RESP_OK);
    return d;
}

/* One walker: two misses to different pages arriving together. The first walks at once;
 * the second waits for the walker (one walk), then walks. */
static void one_walker_thread(void* arg) {
    map_pages(2);
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_at(0, 0), WALK_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_at(1, 0), WALK_NS + WALK_NS + DATA8_NS);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.walks, 2);
    CU_ASSERT_EQUAL(s.walks_waited, 1);
    CU_ASSERT_EQUAL(s.walk_wait_ns, WALK_NS);
    CU_ASSERT_EQUAL(s.iotlb_hits_pending, 0);
    CU_ASSERT_EQUAL(s.time_translating_ns, WALK_NS + (WALK_NS + WALK_NS)); /* includes the wait */
    /* a miss arriving once the walker is free again does not wait */
    sl_wait_ns(2 * WALK_NS);
    CU_ASSERT_EQUAL(read_at(0, 0), 2 + DATA8_NS); /* hit */
    map_range(2, 1);
    CU_ASSERT_EQUAL(read_at(2, 0), WALK_NS + DATA8_NS);
    CU_ASSERT_EQUAL(stats().walks_waited, 1);
}
static void test_walkers_one_serialises_misses(void) { run_with(one_walker_thread, NULL); /* default: 1 walker */ }

/* Two walkers: two misses together both take one walk; a third waits for the earliest
 * walker; later arrivals pick the walker that frees first. */
static void two_walkers_thread(void* arg) {
    map_pages(5);
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_at(0, 0), WALK_NS + DATA8_NS);          /* walker 0 busy until 244 */
    CU_ASSERT_EQUAL(read_at(1, 0), WALK_NS + DATA8_NS);          /* walker 1 busy until 244 */
    CU_ASSERT_EQUAL(read_at(2, 0), WALK_NS + WALK_NS + DATA8_NS); /* waits 244: walker 0 until 488 */
    /* at 300 walker 1 is free: no wait, busy until 544 */
    CU_ASSERT_EQUAL(read_at(3, 300), 300 + WALK_NS + DATA8_NS);
    /* at 300 again: walker 0 frees first, at 488: waits 188 */
    CU_ASSERT_EQUAL(read_at(4, 300), 300 + (2 * WALK_NS - 300) + WALK_NS + DATA8_NS);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.walks, 5);
    CU_ASSERT_EQUAL(s.walks_waited, 2);
    CU_ASSERT_EQUAL(s.walk_wait_ns, WALK_NS + (2 * WALK_NS - 300));
    CU_ASSERT_EQUAL(s.time_translating_ns, 5 * WALK_NS + WALK_NS + (2 * WALK_NS - 300));
}
static void test_walkers_two_in_parallel(void) {
    static const char* const sets[] = {"iommu.walkers=2", NULL};
    run_with(two_walkers_thread, sets);
}

/* A hit on an entry whose walk is still running waits exactly until the walk ends and
 * counts in hits_pending; once the walk has ended a hit costs the hit latency only. */
static void pending_hit_thread(void* arg) {
    map_pages(1);
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_at(0, 0), WALK_NS + DATA8_NS);          /* the walk ends at 244 */
    CU_ASSERT_EQUAL(read_at(0, 100), WALK_NS + DATA8_NS);        /* 100 + the remaining 144 */
    CU_ASSERT_EQUAL(stats().iotlb_hits_pending, 1);
    CU_ASSERT_EQUAL(read_at(0, WALK_NS - 1), WALK_NS - 1 + 2 + DATA8_NS); /* 1 ns left: the hit latency covers it */
    CU_ASSERT_EQUAL(stats().iotlb_hits_pending, 2);
    CU_ASSERT_EQUAL(read_at(0, WALK_NS), WALK_NS + 2 + DATA8_NS); /* the walk has just ended */
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.iotlb_hits_pending, 2);
    CU_ASSERT_EQUAL(s.iotlb_hits, 3);
    CU_ASSERT_EQUAL(s.iotlb_misses, 1);
    CU_ASSERT_EQUAL(s.walks, 1);
    CU_ASSERT_EQUAL(s.walks_waited, 0); /* waiting for a walk in flight is not waiting for a walker */
    CU_ASSERT_EQUAL(s.walk_wait_ns, 0);
    CU_ASSERT_EQUAL(s.time_translating_ns, WALK_NS + (WALK_NS - 100) + 2 + 2);
    /* later, in real time */
    sl_wait_ns(WALK_NS);
    CU_ASSERT_EQUAL(read_at(0, 0), 2 + DATA8_NS);
    CU_ASSERT_EQUAL(stats().iotlb_hits_pending, 2);
}
static void test_pending_hit_waits_for_walk(void) { run_with(pending_hit_thread, NULL); }

/* Arrivals out of time order are served in call order: time never goes backwards. */
static void out_of_order_thread(void* arg) {
    map_pages(2);
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_at(0, 1000), 1000 + WALK_NS + DATA8_NS); /* walker busy 1000..1244 */
    /* arrives at 0 but reaches the IOMMU second: queues behind it */
    CU_ASSERT_EQUAL(read_at(1, 0), 1000 + WALK_NS + WALK_NS + DATA8_NS);
    /* a hit on page 0 arriving before its walk ended waits for the end */
    CU_ASSERT_EQUAL(read_at(0, 0), 1000 + WALK_NS + DATA8_NS);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.walk_wait_ns, 1000 + WALK_NS);
    CU_ASSERT_EQUAL(s.iotlb_hits_pending, 1);
}
static void test_walkers_out_of_order_arrivals(void) { run_with(out_of_order_thread, NULL); }

/* A burst over two pages walks them one after the other in its own delay: the second walk
 * never waits for the first (its arrival is already after it). A 2 MiB block entry is
 * pending for every page of the block. */
static void burst_and_block_thread(void* arg) {
    uint64_t pages[1024];
    CU_ASSERT_EQUAL_FATAL(sl_phys_alloc(P, 1024, 1, pages), 0);
    uint64_t pa = (pages[0] + MIB2 - 1) & ~(MIB2 - 1);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x200000, pa, MIB2, SL_IOMMU_READ), 0);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x10000, pages[0], 2 * PAGE, SL_IOMMU_READ), 0);
    sl_wait_ns(1000);
    uint8_t b[64];
    uint64_t d = 0;
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, 0x10fe0, b, 64, &d), SL_RESP_OK);
    CU_ASSERT_EQUAL(d, 2 * (WALK_NS + 54)); /* per page: walk + 32-byte read (50 + 4) */
    CU_ASSERT_EQUAL(stats().walks_waited, 0);
    sl_wait_ns(d);
    d = 0;
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, 0x3ff000, b, 8, &d), SL_RESP_OK);
    CU_ASSERT_EQUAL(d, 3 * STEP_NS + DATA8_NS); /* block: levels - 1 reads, ends at 183 */
    d = 100;                                   /* another page of the block, at 100 */
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, 0x200000, b, 8, &d), SL_RESP_OK);
    CU_ASSERT_EQUAL(d, 3 * STEP_NS + DATA8_NS);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.iotlb_hits_pending, 1);
    CU_ASSERT_EQUAL(s.walks, 3);
}
static void test_walkers_burst_and_block(void) {
    static const char* const sets[] = {"iommu.block_2m=true", NULL};
    run_with(burst_and_block_thread, sets);
}

/* Through the PCI host from two simulated threads at the same time, one walker: one read
 * takes a walk, the other a walk more. Which thread goes first is the kernel's choice. */
static uint64_t g_elapsed[2];
static void pci_mapper_thread(void* arg) { map_pages(2); }
static void pci_reader_thread(void* arg) {
    unsigned i = (unsigned)(uintptr_t)arg;
    uint8_t b[8];
    sl_wait_ns(1000);
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(dev_read(0x100000 + i * PAGE, b, 8), SL_RESP_OK);
    g_elapsed[i] = sl_time_ns() - t0;
}
static void test_walkers_two_devices_through_pci(void) {
    sl_config_t* c = base_config();
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "mapper", pci_mapper_thread, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "reader0", pci_reader_thread, (void*)(uintptr_t)0), 0);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "reader1", pci_reader_thread, (void*)(uintptr_t)1), 0);
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
    uint64_t lo = g_elapsed[0] < g_elapsed[1] ? g_elapsed[0] : g_elapsed[1];
    uint64_t hi = g_elapsed[0] < g_elapsed[1] ? g_elapsed[1] : g_elapsed[0];
    CU_ASSERT_EQUAL(lo, HOP_NS + WALK_NS + DATA8_NS + HOP_NS);
    CU_ASSERT_EQUAL(hi, HOP_NS + 2 * WALK_NS + DATA8_NS + HOP_NS);
    sl_iommu_stats_t s;
    sl_iommu_get_stats(P, &s);
    CU_ASSERT_EQUAL(s.walks_waited, 1);
    CU_ASSERT_EQUAL(s.walk_wait_ns, WALK_NS);
    /* the same figures in the stats JSON (what `staleline run --json` and sweeps report) */
    char* js = sl_platform_stats_json(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(js);
    CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"walks_waited\": 1\n")); /* sorted keys: the last of "iotlb" */
    CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"walk_wait_ns\": 244,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"hits_pending\": 0,"));
    free(js);
    sl_platform_destroy(P);
    P = NULL;
}

/* iommu.walkers is 1..64; anything else is a configuration error naming the key. */
static void test_walkers_config_bounds(void) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.walkers", "0"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "iommu.walkers");
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.walkers", "65"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "iommu.walkers");
    CU_ASSERT_EQUAL(sl_config_set_assignment(c, "iommu.walkers=-1"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "iommu.walkers");
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.walkers", "lots"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "iommu.walkers");
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.walkers", "64"), 0);
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.walkers", "1"), 0);
    sl_config_free(c);
}

/* sl_iommu_transport refuses null arguments with an error instead of crashing. */
static void transport_args_thread(void* arg) {
    uint64_t d = 0;
    uint8_t b[8];
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, 0x1000, b, 8, NULL), SL_RESP_OTHER_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "null"));
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, 0x1000, NULL, 8, &d), SL_RESP_OTHER_ERROR);
    CU_ASSERT_EQUAL(sl_iommu_transport(NULL, RID, 0, 0x1000, b, 8, &d), SL_RESP_OTHER_ERROR);
    /* an unmapped requester faults as through the PCI host */
    CU_ASSERT_EQUAL(sl_iommu_transport(P, 0x20, 0, 0x1000, b, 8, &d), SL_RESP_ADDRESS_ERROR);
    CU_ASSERT_EQUAL(d, 0);
    CU_ASSERT_EQUAL(sl_iommu_fault_count(P), 1);
}
static void test_iommu_transport_arguments(void) { run_with(transport_args_thread, NULL); }

/* ---------------------------------------------------------------- page-walk cache */

/* With iommu.pwc_entries > 0 a miss starts its walk below the deepest cached non-leaf
 * entry: one walk step (STEP_NS: 8-byte read + walk latency) per level still read. In a
 * 4-level table a level-1 entry covers 2 MiB, a level-2 entry 1 GiB, a level-3 entry
 * 512 GiB. Misses here arrive 1000 ns apart, so the one walker is always free. */

/* Read 8 bytes at device address iova now; returns the delay (the transaction must succeed). */
static uint64_t read_iova(uint64_t iova) {
    uint8_t b[8];
    uint64_t d = 0;
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, iova, b, 8, &d), SL_RESP_OK);
    sl_wait_ns(1000);
    return d;
}
/* Map one fresh page at iova, read-only. */
static uint64_t map_one(uint64_t iova) {
    uint64_t pa = alloc_page();
    CU_ASSERT_EQUAL_FATAL(sl_iommu_map(P, RID, iova, pa, PAGE, SL_IOMMU_READ), 0);
    return pa;
}

#define A_IOVA 0x100000ULL     /* 2 MiB region 0 of 1 GiB region 0 */
#define B_IOVA 0x101000ULL     /* same 2 MiB region as A */
#define C_IOVA 0x300000ULL     /* another 2 MiB region, same 1 GiB region */
#define D_IOVA 0x40000000ULL   /* another 1 GiB region, same 512 GiB region */

/* pwc_entries = 0 (the default): every miss walks all four levels, no PWC counts. */
static void pwc_off_thread(void* arg) {
    map_one(A_IOVA);
    map_one(B_IOVA);
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_iova(A_IOVA), 4 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_iova(B_IOVA), 4 * STEP_NS + DATA8_NS);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.walk_reads, 8);
    CU_ASSERT_EQUAL(s.pwc_hits, 0);
    CU_ASSERT_EQUAL(s.pwc_misses, 0);
    CU_ASSERT_EQUAL(s.pwc_levels_skipped, 0);
}
static void test_pwc_off_changes_nothing(void) { run_with(pwc_off_thread, NULL); }

/* Second miss in the same 2 MiB region: one level; same 1 GiB region, another 2 MiB
 * region: two levels; same 512 GiB region, another 1 GiB region: three levels. */
static void pwc_levels_thread(void* arg) {
    uint64_t pa_b = map_one(B_IOVA);
    map_one(A_IOVA);
    map_one(C_IOVA);
    map_one(D_IOVA);
    const uint8_t want[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    sl_dram_write(P, pa_b, want, 8);
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_iova(A_IOVA), 4 * STEP_NS + DATA8_NS); /* from the root: fills 3 entries */
    uint8_t got[8] = {0};
    uint64_t d = 0;
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, B_IOVA, got, 8, &d), SL_RESP_OK);
    CU_ASSERT_EQUAL(d, 1 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(memcmp(got, want, 8), 0); /* the cached level-1 entry led to B's page */
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_iova(C_IOVA), 2 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_iova(D_IOVA), 3 * STEP_NS + DATA8_NS);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.walks, 4);
    CU_ASSERT_EQUAL(s.walk_reads, 4 + 1 + 2 + 3);
    CU_ASSERT_EQUAL(s.pwc_hits, 3);
    CU_ASSERT_EQUAL(s.pwc_levels_skipped, 3 + 2 + 1);
    CU_ASSERT_EQUAL(s.pwc_misses, 1);
    CU_ASSERT_EQUAL(s.pwc_invalidated, 0);
    CU_ASSERT_EQUAL(s.time_translating_ns, (4 + 1 + 2 + 3) * STEP_NS);
    /* an IOTLB hit does not look at the page-walk cache */
    CU_ASSERT_EQUAL(read_iova(B_IOVA), 2 + DATA8_NS);
    CU_ASSERT_EQUAL(stats().pwc_hits, 3);
    char* js = sl_platform_stats_json(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(js);
    CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"pwc_hits\": 3,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"pwc_levels_skipped\": 6,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"pwc_misses\": 1,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"walk_reads\": 10,"));
    free(js);
}
static void test_pwc_skips_cached_levels(void) {
    static const char* const sets[] = {"iommu.pwc_entries=16", NULL};
    run_with(pwc_levels_thread, sets);
}

/* Two entries, LRU. Walk of A fills L3, L2, L1(region 0): L3 is evicted. B hits L1(0).
 * C misses L1(2), hits L2 (now most recent) and fills L1(2), evicting L1(0). A new page
 * of region 0 then hits only L2 (2 levels) and evicts L1(2); a new page of region 2 again
 * only L2. (FIFO would have evicted L2 at C and served the region-0 page in 1 level.) */
static void pwc_lru_thread(void* arg) {
    map_one(A_IOVA);
    map_one(B_IOVA);
    map_one(C_IOVA);
    map_one(A_IOVA + 2 * PAGE);
    map_one(C_IOVA + PAGE);
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_iova(A_IOVA), 4 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_iova(B_IOVA), 1 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_iova(C_IOVA), 2 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_iova(A_IOVA + 2 * PAGE), 2 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_iova(C_IOVA + PAGE), 2 * STEP_NS + DATA8_NS);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.pwc_hits, 4);
    CU_ASSERT_EQUAL(s.pwc_levels_skipped, 3 + 2 + 2 + 2);
    CU_ASSERT_EQUAL(s.pwc_misses, 1);
    CU_ASSERT_EQUAL(s.walk_reads, 4 + 1 + 2 + 2 + 2);
}
static void test_pwc_lru_eviction(void) {
    static const char* const sets[] = {"iommu.pwc_entries=2", NULL};
    run_with(pwc_lru_thread, sets);
}

/* An unmap that frees a table page drops the cached entries over its range; re-mapping
 * (new tables elsewhere) translates to the new page, from the root. An unmap that frees
 * no table (a leaf cleared, its table still in use) changes no non-leaf entry and keeps
 * them. */
static void pwc_remap_thread(void* arg) {
    uint8_t want[8], got[8];
    map_one(A_IOVA);
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_iova(A_IOVA), 4 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 4);
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, A_IOVA, PAGE), 0); /* frees 3 tables */
    CU_ASSERT_EQUAL(sl_iommu_table_pages(P, RID), 1);
    CU_ASSERT_EQUAL(stats().pwc_invalidated, 3);
    uint64_t pa2 = map_one(A_IOVA);
    uint64_t tpa = 0;
    CU_ASSERT_EQUAL(sl_iommu_translate(P, RID, A_IOVA + 8, &tpa, NULL), 1);
    CU_ASSERT_EQUAL(tpa, pa2 + 8);
    fill(want, 8, 40);
    sl_dram_write(P, pa2, want, 8);
    uint64_t d = 0;
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, A_IOVA, got, 8, &d), SL_RESP_OK);
    CU_ASSERT_EQUAL(d, 4 * STEP_NS + DATA8_NS); /* nothing cached: from the root */
    CU_ASSERT_EQUAL(memcmp(got, want, 8), 0);
    sl_wait_ns(1000);
    /* leaf-only unmap: B's page goes, A keeps the leaf table alive */
    map_one(B_IOVA);
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, B_IOVA, PAGE), 0);
    CU_ASSERT_EQUAL(stats().pwc_invalidated, 3);
    uint64_t pa3 = map_one(B_IOVA);
    fill(want, 8, 90);
    sl_dram_write(P, pa3, want, 8);
    d = 0;
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, B_IOVA, got, 8, &d), SL_RESP_OK);
    CU_ASSERT_EQUAL(d, 1 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(memcmp(got, want, 8), 0);
    CU_ASSERT_EQUAL(stats().pwc_hits, 1);
}
static void test_pwc_unmap_remap_no_stale_pointer(void) {
    static const char* const sets[] = {"iommu.pwc_entries=16", NULL};
    run_with(pwc_remap_thread, sets);
}

/* 2 MiB blocks: where a leaf table was (cached level-1 entry), a block now is. The level-1
 * table stays (another mapping in it), the leaf table is freed: the cached entries over
 * the range go, and the walk finds the block entry (levels - 1 reads from the root). */
static void pwc_block_thread(void* arg) {
    uint64_t blk = aligned_2m_region();
    map_one(0x200000);
    map_one(0x400000); /* keeps the level-1 and level-2 tables */
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_iova(0x200000), 4 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, 0x200000, PAGE), 0);
    CU_ASSERT_EQUAL(stats().pwc_invalidated, 3); /* L1, L2, L3 entries over the range */
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, 0x200000, blk, MIB2, SL_IOMMU_READ), 0);
    uint8_t want[8], got[8];
    fill(want, 8, 7);
    sl_dram_write(P, blk + 0x5000, want, 8);
    uint64_t d = 0;
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, 0x205000, got, 8, &d), SL_RESP_OK);
    CU_ASSERT_EQUAL(d, 3 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(memcmp(got, want, 8), 0);
    sl_wait_ns(1000);
    /* the block walk cached L3 and L2 (a block is a leaf): 0x400000's region walks 2 levels
     * (its page is still in the IOTLB, so read a new page of it) */
    map_one(0x401000);
    CU_ASSERT_EQUAL(read_iova(0x401000), 2 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(sl_iommu_fault_count(P), 0);
}
static void test_pwc_block_replaces_leaf_table(void) {
    static const char* const sets[] = {"iommu.pwc_entries=16", "iommu.block_2m=true", NULL};
    run_with(pwc_block_thread, sets);
}

/* Deferred invalidation: the model frees table pages at unmap, so cached entries over a
 * range whose table was freed are dropped at the unmap, not at the flush; others stay.
 * The IOTLB entry of the unmapped page still serves (stale hit) until the flush. */
static void pwc_deferred_thread(void* arg) {
    map_one(A_IOVA);
    map_one(B_IOVA);
    map_one(C_IOVA); /* alone in its leaf table */
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_iova(A_IOVA), 4 * STEP_NS + DATA8_NS); /* caches L3, L2, L1(0) */
    CU_ASSERT_EQUAL(read_iova(C_IOVA), 2 * STEP_NS + DATA8_NS); /* caches L1(2) */
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, C_IOVA, PAGE), 0);  /* frees C's leaf table */
    CU_ASSERT_EQUAL(sl_iommu_pending_invalidations(P), 1);
    CU_ASSERT_EQUAL(stats().pwc_invalidated, 3); /* L1(2), L2, L3; L1(0) stays */
    CU_ASSERT_EQUAL(read_iova(B_IOVA), 1 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_iova(C_IOVA), 2 + DATA8_NS); /* stale IOTLB hit */
    CU_ASSERT_EQUAL(stats().stale_hits, 1);
    /* a page of C's region that the IOTLB does not hold: from the root, 3 reads, and the
     * level-1 entry is not present any more */
    uint8_t b[8];
    uint64_t d = 0;
    CU_ASSERT_EQUAL(sl_iommu_transport(P, RID, 0, C_IOVA + PAGE, b, 8, &d), SL_RESP_ADDRESS_ERROR);
    CU_ASSERT_EQUAL(d, 3 * STEP_NS);
    sl_iommu_flush_deferred(P);
    CU_ASSERT_EQUAL(stats().pwc_invalidated, 3); /* the flush drops no more */
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.pwc_hits, 2);  /* C (L2), B (L1) */
    CU_ASSERT_EQUAL(s.pwc_misses, 2); /* A, C + 1 page */
}
static void test_pwc_deferred_drops_at_unmap(void) {
    static const char* const sets[] = {"iommu.pwc_entries=16", "iommu.invalidation=deferred",
                                       "iommu.deferred_batch=100", NULL};
    run_with(pwc_deferred_thread, sets);
}

/* Explicit commands: invalidate_requester and invalidate_all drop that requester's / all
 * entries; invalidate_page and _range drop the entries whose span covers the address. */
static void pwc_explicit_thread(void* arg) {
    map_one(A_IOVA);
    map_one(B_IOVA);
    map_one(A_IOVA + 2 * PAGE);
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_iova(A_IOVA), 4 * STEP_NS + DATA8_NS);
    sl_iommu_invalidate_requester(P, RID + 1); /* another requester: nothing of ours */
    CU_ASSERT_EQUAL(stats().pwc_invalidated, 0);
    sl_iommu_invalidate_requester(P, RID);
    CU_ASSERT_EQUAL(stats().pwc_invalidated, 3);
    CU_ASSERT_EQUAL(read_iova(B_IOVA), 4 * STEP_NS + DATA8_NS);
    /* 16 MiB: another 2 MiB region, same 1 GiB: the L2 and L3 entries cover it, L1(0) not */
    sl_iommu_invalidate_page(P, RID, 0x1000000);
    CU_ASSERT_EQUAL(stats().pwc_invalidated, 3 + 2);
    CU_ASSERT_EQUAL(read_iova(A_IOVA + 2 * PAGE), 1 * STEP_NS + DATA8_NS);
    sl_iommu_invalidate_range(P, RID, 0x40000000, 0x40000000); /* the second GiB: none */
    CU_ASSERT_EQUAL(stats().pwc_invalidated, 5);
    sl_iommu_invalidate_all(P);
    CU_ASSERT_EQUAL(stats().pwc_invalidated, 6);
    CU_ASSERT_EQUAL(read_iova(A_IOVA), 4 * STEP_NS + DATA8_NS);
}
static void test_pwc_explicit_invalidation(void) {
    static const char* const sets[] = {"iommu.pwc_entries=16", NULL};
    run_with(pwc_explicit_thread, sets);
}

/* Several walkers: a cached entry is usable from the time its walk read it (walk step
 * ends at 61, 122, 183 for L3, L2, L1). A walk starting at 0 on another walker uses none;
 * one starting at 130 uses L2 (ready at 122) but not L1 (183). */
static void pwc_walkers_thread(void* arg) {
    map_pages(3); /* 0x100000.. : the same leaf table */
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_at(0, 0), 4 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_at(1, 0), 4 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_at(2, 130), 130 + 2 * STEP_NS + DATA8_NS);
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.walks_waited, 0);
    CU_ASSERT_EQUAL(s.pwc_misses, 2);
    CU_ASSERT_EQUAL(s.pwc_hits, 1);
    CU_ASSERT_EQUAL(s.pwc_levels_skipped, 2);
}
static void test_pwc_entries_ready_when_read(void) {
    static const char* const sets[] = {"iommu.pwc_entries=16", "iommu.walkers=3", NULL};
    run_with(pwc_walkers_thread, sets);
}

/* 3 levels: level 1 (2 MiB) and level 2 (1 GiB) entries are cacheable, the root is not
 * an entry. */
static void pwc_3_levels_thread(void* arg) {
    map_one(A_IOVA);
    map_one(B_IOVA);
    map_one(D_IOVA);
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(read_iova(A_IOVA), 3 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_iova(B_IOVA), 1 * STEP_NS + DATA8_NS);
    CU_ASSERT_EQUAL(read_iova(D_IOVA), 3 * STEP_NS + DATA8_NS); /* another GiB: from the root */
    sl_iommu_stats_t s = stats();
    CU_ASSERT_EQUAL(s.pwc_hits, 1);
    CU_ASSERT_EQUAL(s.pwc_levels_skipped, 2);
    CU_ASSERT_EQUAL(s.pwc_misses, 2);
}
static void test_pwc_3_levels(void) {
    static const char* const sets[] = {"iommu.pwc_entries=16", "iommu.levels=3", NULL};
    run_with(pwc_3_levels_thread, sets);
}

/* iommu.pwc_entries is 0..4096; anything else is a configuration error naming the key. */
static void test_pwc_config_bounds(void) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.pwc_entries", "4097"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "iommu.pwc_entries");
    CU_ASSERT_EQUAL(sl_config_set_assignment(c, "iommu.pwc_entries=-1"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "iommu.pwc_entries");
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.pwc_entries", "many"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "iommu.pwc_entries");
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.pwc_entries", "4096"), 0);
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.pwc_entries", "0"), 0);
    sl_config_free(c);
}

/* ---------------------------------------------------------------- trace replay */

static int replay(const char* trace, const char* const* sets, sl_iotlb_replay_stats_t* s) {
    sl_config_t* c = sl_config_new();
    for (; sets && *sets; ++sets) CU_ASSERT_EQUAL_FATAL(sl_config_set_assignment(c, *sets), 0);
    FILE* f = fmemopen((void*)trace, strlen(trace), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    memset(s, 0xff, sizeof *s);
    int rc = sl_iotlb_replay_din(c, f, s);
    fclose(f);
    sl_config_free(c);
    return rc;
}

/* One set, 2 ways, pages 0 2 0 4 0 (set 0 of 2) and 1 3 1 3 (set 1):
 *   lru : 0m 2m 0h 4m(evict 2) 0h  | 1m 3m 1h 3h -> hits 4, misses 5, evictions 1
 *   fifo: 0m 2m 0h 4m(evict 0) 0m(evict 2) | same -> hits 3, misses 6, evictions 2 */
static const char kSetTrace[] =
    "# page 0 2 1 0 3 4 1 0 3\n"
    "0 0\n1 2010\n0 1fff\n\n0 0x0008\n2 3abc\n0 4000\n1 1000\n0 0\n0 3000\n";

static void test_replay_set_associative_lru_fifo(void) {
    static const char* const lru[] = {"iotlb.entries=4", "iotlb.ways=2", "iotlb.policy=lru", NULL};
    static const char* const fifo[] = {"iotlb.entries=4", "iotlb.ways=2", "iotlb.policy=fifo", NULL};
    sl_iotlb_replay_stats_t s;
    CU_ASSERT_EQUAL_FATAL(replay(kSetTrace, lru, &s), 0);
    CU_ASSERT_EQUAL(s.accesses, 9);
    CU_ASSERT_EQUAL(s.hits, 4);
    CU_ASSERT_EQUAL(s.misses, 5);
    CU_ASSERT_EQUAL(s.read_misses, 4); /* misses: 0(r) 2(w) 1(r) 3(ifetch=r) 4(r) */
    CU_ASSERT_EQUAL(s.write_misses, 1);
    CU_ASSERT_EQUAL(s.evictions, 1);
    CU_ASSERT_EQUAL(s.writebacks, 0);
    CU_ASSERT_EQUAL_FATAL(replay(kSetTrace, fifo, &s), 0);
    CU_ASSERT_EQUAL(s.hits, 3);
    CU_ASSERT_EQUAL(s.misses, 6);
    CU_ASSERT_EQUAL(s.evictions, 2);
}

/* Fully associative 4 ways, pages A B C D A E B C:
 *   lru : 4m, A h, E m(evicts B), B m(evicts C), C m(evicts D) -> hits 1, misses 7, ev 3
 *   fifo: 4m, A h, E m(evicts A), B h, C h                     -> hits 3, misses 5, ev 1
 *   plru: after A B C D the tree points at C's pair; A hit; E evicts C; B hit; C evicts D
 *                                                               -> hits 2, misses 6, ev 2 */
static const char kPlruTrace[] = "0 a000\n0 b000\n0 c000\n0 d000\n0 a000\n0 e000\n0 b000\n0 c000\n";

static void test_replay_policies_lru_fifo_plru(void) {
    static const char* const lru[] = {"iotlb.entries=4", "iotlb.ways=full", "iotlb.policy=lru", NULL};
    static const char* const fifo[] = {"iotlb.entries=4", "iotlb.ways=0", "iotlb.policy=fifo", NULL};
    static const char* const plru[] = {"iotlb.entries=4", "iotlb.ways=4", "iotlb.policy=plru", NULL};
    sl_iotlb_replay_stats_t s;
    CU_ASSERT_EQUAL_FATAL(replay(kPlruTrace, lru, &s), 0);
    CU_ASSERT_EQUAL(s.hits, 1);
    CU_ASSERT_EQUAL(s.misses, 7);
    CU_ASSERT_EQUAL(s.evictions, 3);
    CU_ASSERT_EQUAL_FATAL(replay(kPlruTrace, fifo, &s), 0);
    CU_ASSERT_EQUAL(s.hits, 3);
    CU_ASSERT_EQUAL(s.misses, 5);
    CU_ASSERT_EQUAL(s.evictions, 1);
    CU_ASSERT_EQUAL_FATAL(replay(kPlruTrace, plru, &s), 0);
    CU_ASSERT_EQUAL(s.hits, 2);
    CU_ASSERT_EQUAL(s.misses, 6);
    CU_ASSERT_EQUAL(s.evictions, 2);
}

/* std::mt19937_64, the generator the random policy draws its victim from (way = next() % ways). */
typedef struct {
    uint64_t mt[312];
    int i;
} mt64_t;
static void mt64_seed(mt64_t* m, uint64_t seed) {
    m->mt[0] = seed;
    for (int i = 1; i < 312; ++i) m->mt[i] = 6364136223846793005ULL * (m->mt[i - 1] ^ (m->mt[i - 1] >> 62)) + (uint64_t)i;
    m->i = 312;
}
static uint64_t mt64_next(mt64_t* m) {
    static const uint64_t mag[2] = {0, 0xB5026F5AA96619E9ULL};
    if (m->i >= 312) {
        for (int k = 0; k < 312; ++k) {
            uint64_t x = (m->mt[k] & 0xFFFFFFFF80000000ULL) | (m->mt[(k + 1) % 312] & 0x7FFFFFFFULL);
            m->mt[k] = m->mt[(k + 156) % 312] ^ (x >> 1) ^ mag[x & 1];
        }
        m->i = 0;
    }
    uint64_t x = m->mt[m->i++];
    x ^= (x >> 29) & 0x5555555555555555ULL;
    x ^= (x << 17) & 0x71D67FFFEDA60000ULL;
    x ^= (x << 37) & 0xFFF7EEE000000000ULL;
    x ^= x >> 43;
    return x;
}

/* Random: 2 entries fully associative, pages 1 2 3 repeated 20 times; the expected
 * counts come from a 2-slot reference fed by the same generator and seed. */
static void test_replay_random_policy(void) {
    mt64_t m;
    mt64_seed(&m, 5489);
    CU_ASSERT_EQUAL(mt64_next(&m), 14514284786278117030ULL); /* the reference is right */
    static char trace[1024];
    size_t n = 0;
    uint64_t slot[2] = {0, 0};
    int valid = 0;
    unsigned hits = 0, misses = 0, ev = 0;
    mt64_seed(&m, 7);
    for (int r = 0; r < 20; ++r)
        for (uint64_t pg = 1; pg <= 3; ++pg) {
            n += (size_t)snprintf(trace + n, sizeof trace - n, "0 %llx\n", (unsigned long long)(pg * PAGE));
            int hit = (valid > 0 && slot[0] == pg) || (valid > 1 && slot[1] == pg);
            if (hit) { ++hits; continue; }
            ++misses;
            if (valid < 2) slot[valid++] = pg;
            else { slot[mt64_next(&m) % 2] = pg; ++ev; }
        }
    CU_ASSERT(hits > 0 && ev > 0);
    static const char* const rnd[] = {"iotlb.entries=2", "iotlb.ways=0", "iotlb.policy=random", "sim.seed=7", NULL};
    sl_iotlb_replay_stats_t s;
    CU_ASSERT_EQUAL_FATAL(replay(trace, rnd, &s), 0);
    CU_ASSERT_EQUAL(s.accesses, 60);
    CU_ASSERT_EQUAL(s.hits, hits);
    CU_ASSERT_EQUAL(s.misses, misses);
    CU_ASSERT_EQUAL(s.evictions, ev);
}

/* 128 entries fully associative (a wide set: the indexed lookup path), LRU: pages 0..127
 * miss, 0..127 hit, 128 misses and evicts 0, 0 misses and evicts 1, 2 hits, 1 misses and
 * evicts 3. */
static void test_replay_wide_fully_associative(void) {
    static char trace[300 * 16];
    size_t n = 0;
    for (int r = 0; r < 2; ++r)
        for (unsigned pg = 0; pg < 128; ++pg) n += (size_t)snprintf(trace + n, sizeof trace - n, "0 %x000\n", pg);
    n += (size_t)snprintf(trace + n, sizeof trace - n, "0 80000\n0 0\n0 2000\n0 1000\n");
    static const char* const full[] = {"iotlb.entries=128", "iotlb.ways=0", NULL};
    sl_iotlb_replay_stats_t s;
    CU_ASSERT_EQUAL_FATAL(replay(trace, full, &s), 0);
    CU_ASSERT_EQUAL(s.accesses, 260);
    CU_ASSERT_EQUAL(s.misses, 128 + 3); /* 128, 0, then 1 (evicted by 0) */
    CU_ASSERT_EQUAL(s.hits, 128 + 1);
    CU_ASSERT_EQUAL(s.evictions, 3);

    /* 32 ways FIFO: pages 0..31 miss, 0 hits, 32 evicts 0, 0 evicts 1, 1 evicts 2, 3 hits */
    n = 0;
    for (unsigned pg = 0; pg < 32; ++pg) n += (size_t)snprintf(trace + n, sizeof trace - n, "0 %x000\n", pg);
    snprintf(trace + n, sizeof trace - n, "0 0\n0 20000\n0 0\n0 1000\n0 3000\n");
    static const char* const fifo[] = {"iotlb.entries=32", "iotlb.ways=32", "iotlb.policy=fifo", NULL};
    CU_ASSERT_EQUAL_FATAL(replay(trace, fifo, &s), 0);
    CU_ASSERT_EQUAL(s.accesses, 37);
    CU_ASSERT_EQUAL(s.misses, 32 + 3);
    CU_ASSERT_EQUAL(s.hits, 2);
    CU_ASSERT_EQUAL(s.evictions, 3);
}

static void test_replay_malformed_line(void) {
    sl_iotlb_replay_stats_t s;
    CU_ASSERT_EQUAL(replay("0 1000\n1 2000\n0 zz\n0 3000\n", NULL, &s), -1);
    CU_ASSERT_EQUAL(strncmp(sl_error(), "line 3:", 7), 0);
    CU_ASSERT_EQUAL(replay("0 1000\n# ok\n7 2000\n", NULL, &s), -1);
    CU_ASSERT_EQUAL(strncmp(sl_error(), "line 3:", 7), 0);
    CU_ASSERT_EQUAL(replay("0 1000 extra\n", NULL, &s), -1);
    CU_ASSERT_EQUAL(strncmp(sl_error(), "line 1:", 7), 0);
    /* a bad geometry is a configuration error naming its key */
    static const char* const bad[] = {"iotlb.entries=6", "iotlb.ways=4", NULL};
    CU_ASSERT_EQUAL(replay("0 0\n", bad, &s), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "iotlb.entries");
    static const char* const badplru[] = {"iotlb.entries=6", "iotlb.ways=3", "iotlb.policy=plru", NULL};
    CU_ASSERT_EQUAL(replay("0 0\n", badplru, &s), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "iotlb.ways");
    /* an empty trace is fine */
    CU_ASSERT_EQUAL(replay("", NULL, &s), 0);
    CU_ASSERT_EQUAL(s.accesses, 0);
}

/* The CLI front end over the same replay. */
static void test_replay_cli(void) {
    char path[] = "/tmp/sl_iotlb_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    FILE* f = fdopen(fd, "w");
    fputs(kPlruTrace, f);
    fclose(f);
    char cmd[512], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s trace --model iotlb --set iotlb.entries=4 --set iotlb.policy=fifo < %s",
             sl_test_bin("staleline"), path);
    CU_ASSERT_EQUAL(sl_test_run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"hits\": 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"misses\": 5"));
    free(out);
    f = fopen(path, "w");
    fputs("0 1000\nbad\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(sl_test_run(cmd, &out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "line 2:"));
    free(out);
    unlink(path);
}

static const sl_test_t tests[] = {
    SL_TEST(test_cross_page_transfer),
    SL_TEST(test_read_permission_fault),
    SL_TEST(test_write_permission_fault),
    SL_TEST(test_burst_stops_at_faulting_page),
    SL_TEST(test_no_context_and_hole),
    SL_TEST(test_fault_after_unmap_strict),
    SL_TEST(test_deferred_window_flush),
    SL_TEST(test_deferred_window_batch),
    SL_TEST(test_deferred_window_timeout),
    SL_TEST(test_iotlb_geometry_platform),
    SL_TEST(test_walk_reads_3_levels),
    SL_TEST(test_walk_reads_2_levels),
    SL_TEST(test_map_errors),
    SL_TEST(test_table_pages_exhausted),
    SL_TEST(test_invalidation_commands),
    SL_TEST(test_bypass),
    SL_TEST(test_block_2m),
    SL_TEST(test_block_2m_off),
    SL_TEST(test_walkers_one_serialises_misses),
    SL_TEST(test_walkers_two_in_parallel),
    SL_TEST(test_pending_hit_waits_for_walk),
    SL_TEST(test_walkers_out_of_order_arrivals),
    SL_TEST(test_walkers_burst_and_block),
    SL_TEST(test_walkers_two_devices_through_pci),
    SL_TEST(test_walkers_config_bounds),
    SL_TEST(test_iommu_transport_arguments),
    SL_TEST(test_pwc_off_changes_nothing),
    SL_TEST(test_pwc_skips_cached_levels),
    SL_TEST(test_pwc_lru_eviction),
    SL_TEST(test_pwc_unmap_remap_no_stale_pointer),
    SL_TEST(test_pwc_block_replaces_leaf_table),
    SL_TEST(test_pwc_deferred_drops_at_unmap),
    SL_TEST(test_pwc_explicit_invalidation),
    SL_TEST(test_pwc_entries_ready_when_read),
    SL_TEST(test_pwc_3_levels),
    SL_TEST(test_pwc_config_bounds),
    SL_TEST(test_replay_set_associative_lru_fifo),
    SL_TEST(test_replay_policies_lru_fifo_plru),
    SL_TEST(test_replay_random_policy),
    SL_TEST(test_replay_wide_fully_associative),
    SL_TEST(test_replay_malformed_line),
    SL_TEST(test_replay_cli),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "iommu", tests, SL_COUNT(tests)); }
