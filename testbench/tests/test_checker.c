/* Coherency checker: every finding kind for its scenario (address, time, location and the
 * related earlier event), none for the correct sequence (clean before a device read;
 * clean+invalidate before a device write and invalidate after), the adversarial cache over
 * 20 seeds, conservative mode, deduplication and caps, determinism, JSON, SARIF and source
 * locations.
 *
 * The test plays the driver: CPU accesses through the cache model (sl_cpu_read/write), cache
 * operations (sl_cache_maintain), device DMA through the PCI host and the IOMMU
 * (sl_device_transport with the scratch device's requester id), and tells the checker what
 * the shim would: accesses, cache operations, pins, MMIO doorbells, with a source location
 * in a pretend driver file "drivers/fake.c" whose line numbers the assertions check. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl_test.h"
#include "staleline/staleline.h"

#ifdef SL_DRIVER_DIR /* linked with the driver shim: the probe driver's suites below */
#include "probe_protocol.h"
#include "staleline/shim.h"
#include <zircon/types.h>
#endif

#define PAGE 4096u
#define IOVA 0x100000ULL
#define IOVA2 0x200000ULL
#define FAKE "drivers/fake.c"
#define CMD 0x04

static sl_platform_t* P;
static sl_checker_t* C;
static unsigned SLOT;
static uint16_t RID;
static uint64_t BUF;  /* physical address of the DMA buffer (PAGES contiguous pages) */
#define PAGES 10

/* ------------------------------------------------------------------ harness */

static sl_platform_t* create(const char* const* sets) {
    sl_config_t* c = sl_config_new();
    if (sl_config_set(c, "pci.scratch_device", "true") != 0) return NULL;
    for (; sets && *sets; ++sets) {
        const char* eq = strchr(*sets, '=');
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - *sets), *sets);
        if (sl_config_set(c, key, eq + 1) != 0) {
            fprintf(stderr, "config %s: %s\n", *sets, sl_error());
            sl_config_free(c);
            return NULL;
        }
    }
    sl_platform_t* p = sl_platform_create(c);
    sl_config_free(c);
    return p;
}

/* Platform + checker + one buffer; bus mastering on unless bus_master is 0. */
static int setup(const char* const* sets, int bus_master) {
    P = create(sets);
    if (!P) return -1;
    C = sl_checker_attach(P);
    if (!C) return -1;
    SLOT = (unsigned)sl_pci_scratch_slot(P);
    RID = sl_pci_requester_id(SLOT);
    uint64_t pages[PAGES];
    if (sl_phys_alloc(P, PAGES, 1, pages) != 0) return -1;
    BUF = pages[0];
    if (bus_master) sl_pci_config_write(P, SLOT, CMD, 2, 0x6);
    return 0;
}

static void run_with(const char* const* sets, int bus_master, sl_thread_fn fn) {
    CU_ASSERT_EQUAL_FATAL(setup(sets, bus_master), 0);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "driver", fn, NULL), 0);
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
}

static void finish(void) {
    sl_platform_destroy(P);
    P = NULL;
    C = NULL;
}

static sl_source_location_t at(unsigned line) {
    sl_source_location_t l = {FAKE, line, "fake_dma"};
    return l;
}

/* ---- the driver's operations, each told to the checker as the shim would ---- */

static void cpu_fill(uint64_t pa, size_t n, uint8_t v, unsigned line) {
    static uint8_t b[PAGE];
    memset(b, v, n);
    CU_ASSERT_EQUAL(sl_cpu_write(P, pa, b, n), 0);
    sl_source_location_t w = at(line);
    CU_ASSERT_EQUAL(sl_checker_cpu_access(C, pa, n, 1, &w), 0);
}

static void cpu_get(uint64_t pa, size_t n, uint8_t* out, unsigned line) {
    CU_ASSERT_EQUAL(sl_cpu_read(P, pa, out, n), 0);
    sl_source_location_t w = at(line);
    CU_ASSERT_EQUAL(sl_checker_cpu_access(C, pa, n, 0, &w), 0);
}

static void cache(sl_cache_op_t op, uint64_t pa, size_t n, unsigned line) {
    sl_source_location_t w = at(line);
    CU_ASSERT_EQUAL(sl_checker_cache_op(C, op, pa, n, &w), 0);
    CU_ASSERT_EQUAL(sl_cache_maintain(P, op, pa, n), 0);
}

/* Pin npages of BUF (+page_off pages) at device address iova: IOMMU mapping + checker. */
static uint64_t pin_at(uint64_t iova, unsigned page_off, unsigned npages, unsigned perms, unsigned line) {
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, iova, BUF + page_off * PAGE, npages * PAGE, perms), 0);
    sl_pin_run_t run = {iova, BUF + page_off * PAGE, npages * PAGE, 0};
    sl_checker_pin_t pin = {RID, 7, perms, 1, &run};
    sl_source_location_t w = at(line);
    uint64_t id = sl_checker_pin(C, &pin, &w);
    CU_ASSERT_NOT_EQUAL(id, 0);
    return id;
}
static uint64_t pin(unsigned perms, unsigned line) { return pin_at(IOVA, 0, 1, perms, line); }

static void unpin_at(uint64_t id, uint64_t iova, unsigned npages, unsigned line) {
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, RID, iova, npages * PAGE), 0);
    sl_source_location_t w = at(line);
    CU_ASSERT_EQUAL(sl_checker_unpin(C, id, &w), 0);
}
static void unpin(uint64_t id, unsigned line) { unpin_at(id, IOVA, 1, line); }

static void doorbell(unsigned line) {
    sl_source_location_t w = at(line);
    CU_ASSERT_EQUAL(sl_checker_mmio_write(C, RID, 0x10, &w), 0);
}

static int dev_write(uint64_t off, size_t n, uint8_t v) {
    uint8_t b[PAGE];
    memset(b, v, n);
    return sl_device_transport(P, RID, 1, IOVA + off, b, n);
}

static int dev_read(uint64_t off, size_t n, uint8_t* out) { return sl_device_transport(P, RID, 0, IOVA + off, out, n); }

/* Device DMA in 256-byte bursts (as an engine does), so the adversary gets many chances. */
static int dev_write_bursts(uint64_t off, size_t n, uint8_t v) {
    for (size_t d = 0; d < n; d += 256)
        if (dev_write(off + d, n - d < 256 ? n - d : 256, v) != SL_RESP_OK) return -1;
    return 0;
}

static int all_bytes(const uint8_t* b, size_t n, uint8_t v) {
    for (size_t i = 0; i < n; ++i)
        if (b[i] != v) return 0;
    return 1;
}

static sl_finding_t finding(size_t i) {
    sl_finding_t f;
    memset(&f, 0, sizeof f);
    CU_ASSERT_EQUAL_FATAL(sl_checker_get_finding(C, i, &f), 0);
    return f;
}

static void print_findings(void) {
    for (size_t i = 0; i < sl_checker_finding_count(C); ++i) {
        sl_finding_t f = finding(i);
        fprintf(stderr, "  [%zu] %s at %s:%u: %s\n", i, f.kind, f.location.file, f.location.line, f.message);
    }
}

/* ------------------------------------------------------- the correct sequences */

/* TX: CPU fills, cleans, rings; the device reads what the CPU wrote. RX: clean+invalidate
 * before, device writes, invalidate after, CPU reads what the device wrote. */
static void correct_body(void* arg) {
    uint8_t out[PAGE];
    uint64_t tx = pin(SL_PIN_DEVICE_READ, 10);
    cpu_fill(BUF, PAGE, 0x5a, 11);
    cache(SL_CACHE_CLEAN, BUF, PAGE, 12);
    doorbell(13);
    CU_ASSERT_EQUAL(dev_read(0, PAGE, out), SL_RESP_OK);
    CU_ASSERT(all_bytes(out, PAGE, 0x5a));
    unpin(tx, 14);

    uint64_t rx = pin(SL_PIN_DEVICE_WRITE, 20);
    cpu_fill(BUF, PAGE, 0x11, 21);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF, PAGE, 22);
    doorbell(23);
    CU_ASSERT_EQUAL(dev_write(0, PAGE, 0xc3), SL_RESP_OK);
    cache(SL_CACHE_INVALIDATE, BUF, PAGE, 24);
    cpu_get(BUF, PAGE, out, 25);
    CU_ASSERT(all_bytes(out, PAGE, 0xc3));
    unpin(rx, 26);
    CU_ASSERT_EQUAL(sl_checker_end_of_run(C), 0);
}
static void test_correct_sequence_no_findings(void) {
    run_with(NULL, 1, correct_body);
    print_findings();
    CU_ASSERT_EQUAL(sl_checker_finding_count(C), 0);
    finish();
}

/* On a coherent platform (x86-like) even a driver with no cache operations works: the bugs
 * hide, and there is nothing to report. */
static void coherent_body(void* arg) {
    uint8_t out[PAGE];
    uint64_t id = pin(SL_PIN_DEVICE_READ | SL_PIN_DEVICE_WRITE, 10);
    cpu_fill(BUF, PAGE, 0x5a, 11);
    doorbell(13);
    CU_ASSERT_EQUAL(dev_read(0, PAGE, out), SL_RESP_OK);
    CU_ASSERT(all_bytes(out, PAGE, 0x5a));
    cpu_get(BUF, PAGE, out, 14);
    CU_ASSERT_EQUAL(dev_write(0, PAGE, 0xc3), SL_RESP_OK);
    cpu_get(BUF, PAGE, out, 15);
    CU_ASSERT(all_bytes(out, PAGE, 0xc3));
    unpin(id, 16);
}
static void test_coherent_platform_hides_bugs(void) {
    const char* sets[] = {"platform.coherent=true", NULL};
    run_with(sets, 1, coherent_body);
    CU_ASSERT_EQUAL(sl_checker_finding_count(C), 0);
    finish();
}

/* ------------------------------------------------------------ one kind each */

static uint64_t T[8];

/* The CPU writes 256 bytes and rings the doorbell without cleaning: the device reads zeros. */
static void stale_device_read_body(void* arg) {
    uint8_t out[256];
    pin(SL_PIN_DEVICE_READ, 30);
    cpu_fill(BUF, 256, 0x5a, 31);
    T[0] = sl_time_ns();
    doorbell(32);
    T[1] = sl_time_ns();
    CU_ASSERT_EQUAL(dev_read(0, 256, out), SL_RESP_OK);
    T[2] = sl_time_ns();
    CU_ASSERT(all_bytes(out, 256, 0));  /* stale: DRAM never saw the CPU's data */
}
static void test_stale_device_read(void) {
    run_with(NULL, 1, stale_device_read_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 1);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "stale-device-read");
    CU_ASSERT_EQUAL(f.address, BUF);
    CU_ASSERT_EQUAL(f.size, 256);
    CU_ASSERT(f.has_device_address);
    CU_ASSERT_EQUAL(f.device_address, IOVA);
    CU_ASSERT_EQUAL(f.requester, RID);
    CU_ASSERT_EQUAL(f.vmo, 7);
    CU_ASSERT_EQUAL(f.vmo_offset, 0);
    CU_ASSERT(f.time_ns > T[1] && f.time_ns <= T[2]);
    /* blamed on the doorbell, related to the CPU write it missed */
    CU_ASSERT_STRING_EQUAL(f.location.file, FAKE);
    CU_ASSERT_EQUAL(f.location.line, 32);
    CU_ASSERT_STRING_EQUAL(f.location.function, "fake_dma");
    CU_ASSERT(f.has_related);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "cpu-write");
    CU_ASSERT_EQUAL(f.related_time_ns, T[0]);
    CU_ASSERT_EQUAL(f.related_location.line, 31);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "ZX_VMO_OP_CACHE_CLEAN"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "drivers/fake.c:31"));
    CU_ASSERT_EQUAL(f.count, 1);
    CU_ASSERT_EQUAL(sl_checker_count_kind(C, "stale-device-read"), 1);
    finish();
}

/* The CPU reads the buffer during the DMA (lines cached), the device writes it, the CPU
 * reads again without invalidating: it gets the old bytes. */
static void stale_cpu_read_body(void* arg) {
    uint8_t out[128];
    pin(SL_PIN_DEVICE_WRITE, 40);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF, PAGE, 41);
    doorbell(42);
    cpu_get(BUF, 128, out, 43); /* e.g. polling a status field: fills the lines */
    T[0] = sl_time_ns();
    CU_ASSERT_EQUAL(dev_write(0, 128, 0xc3), SL_RESP_OK);
    T[1] = sl_time_ns();
    cpu_get(BUF, 128, out, 44);
    T[2] = sl_time_ns();
    CU_ASSERT(all_bytes(out, 128, 0)); /* stale */
}
static void test_stale_cpu_read(void) {
    run_with(NULL, 1, stale_cpu_read_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 1);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "stale-cpu-read");
    CU_ASSERT_EQUAL(f.address, BUF);
    CU_ASSERT_EQUAL(f.size, 128);
    CU_ASSERT_EQUAL(f.location.line, 44);
    CU_ASSERT_EQUAL(f.time_ns, T[2]);
    CU_ASSERT_EQUAL(f.device_address, IOVA);
    CU_ASSERT(f.has_related);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "device-write");
    CU_ASSERT(f.related_time_ns > T[0] && f.related_time_ns <= T[1]);
    CU_ASSERT_EQUAL(f.related_location.line, 42); /* the doorbell that started the write */
    CU_ASSERT_PTR_NOT_NULL(strstr(f.related_message, "device write #1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "ZX_VMO_OP_CACHE_INVALIDATE"));
    finish();
}

/* The CPU dirtied the buffer and did not clean+invalidate before the device wrote it; then
 * the driver cleans (instead of invalidating): the dirty line lands over the device's data. */
static void lost_by_clean_body(void* arg) {
    uint8_t mem[64];
    pin(SL_PIN_DEVICE_WRITE, 50);
    cpu_fill(BUF, 64, 0x11, 51);
    doorbell(52);
    T[0] = sl_time_ns();
    CU_ASSERT_EQUAL(dev_write(0, 64, 0xc3), SL_RESP_OK);
    T[1] = sl_time_ns();
    cache(SL_CACHE_CLEAN, BUF, 64, 53);
    sl_dram_read(P, BUF, mem, 64);
    CU_ASSERT(all_bytes(mem, 64, 0x11)); /* the device's bytes are gone */
}
static void test_lost_device_write_by_clean(void) {
    /* The data rule: where the write-back happened. (By default the hazard rule reports the
     * store that left the line dirty instead, with this clean as what it observed:
     * test_hazards.) */
    const char* sets[] = {"checker.evidence=data", NULL};
    run_with(sets, 1, lost_by_clean_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 1);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "lost-device-write");
    CU_ASSERT_EQUAL(f.address, BUF);
    CU_ASSERT_EQUAL(f.size, 64);
    CU_ASSERT_EQUAL(f.location.line, 53);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "device-write");
    CU_ASSERT(f.related_time_ns > T[0] && f.related_time_ns <= T[1]);
    CU_ASSERT_EQUAL(f.related_location.line, 52);
    finish();
}

/* The same loss through an eviction: 8 more lines of the same set (stride 4 KiB in a 64-set,
 * 8-way cache) push the dirty line out after the device wrote it. Blamed on the CPU store
 * that dirtied the line. */
static void lost_by_eviction_body(void* arg) {
    pin(SL_PIN_DEVICE_WRITE, 60);
    cpu_fill(BUF, 64, 0x11, 61);
    doorbell(62);
    CU_ASSERT_EQUAL(dev_write(0, 64, 0xc3), SL_RESP_OK);
    for (unsigned k = 1; k <= 8; ++k) cpu_fill(BUF + k * PAGE, 8, 0x22, 63);
    CU_ASSERT_EQUAL(sl_cache_line_state(P, BUF), 0);
}
static void test_lost_device_write_by_eviction(void) {
    run_with(NULL, 1, lost_by_eviction_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 1);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "lost-device-write");
    CU_ASSERT_EQUAL(f.address, BUF);
    CU_ASSERT_EQUAL(f.size, 64);
    CU_ASSERT_EQUAL(f.location.line, 61);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "device-write");
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "evicted"));
    finish();
}

/* Invalidate without clean drops CPU writes; clean+invalidate does not; an invalidate of
 * dirty bytes equal to DRAM loses nothing. */
static void discarded_body(void* arg) {
    cpu_fill(BUF, 64, 0x22, 70);
    T[0] = sl_time_ns();
    cache(SL_CACHE_INVALIDATE, BUF, 128, 71);
    T[1] = sl_time_ns();
    cpu_fill(BUF + 128, 64, 0x22, 72);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF + 128, 64, 73);
    cpu_fill(BUF + 256, 64, 0x00, 74); /* zeros over zeros */
    cache(SL_CACHE_INVALIDATE, BUF + 256, 64, 75);
}
static void test_discarded_cpu_write(void) {
    run_with(NULL, 1, discarded_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 1);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "discarded-cpu-write");
    CU_ASSERT_EQUAL(f.address, BUF);
    CU_ASSERT_EQUAL(f.size, 64);
    CU_ASSERT_EQUAL(f.location.line, 71);
    CU_ASSERT(f.time_ns >= T[0] && f.time_ns <= T[1]);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "cpu-write");
    CU_ASSERT_EQUAL(f.related_time_ns, T[0]);
    CU_ASSERT_EQUAL(f.related_location.line, 70);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "ZX_VMO_OP_CACHE_CLEAN_INVALIDATE"));
    finish();
}

/* A pinned DMA range ending mid-line, and the CPU writing the rest of that line; then a
 * device write and a CPU write to other bytes of one cached line. */
static void shared_line_body(void* arg) {
    uint8_t out[64];
    /* byte-granular pin: [BUF, BUF + 96) covers line 0 and half of line 1 */
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, IOVA, BUF, PAGE, SL_IOMMU_READ | SL_IOMMU_WRITE), 0);
    sl_pin_run_t run = {IOVA, BUF, 96, 0};
    sl_checker_pin_t p = {RID, 7, 3, 1, &run};
    sl_source_location_t w = at(80);
    CU_ASSERT_NOT_EQUAL(sl_checker_pin(C, &p, &w), 0);
    cpu_fill(BUF + 8, 8, 0x33, 81);   /* inside the DMA range: fine */
    cpu_fill(BUF + 200, 8, 0x33, 82); /* a line of its own: fine */
    cpu_fill(BUF + 100, 8, 0x33, 83); /* outside the range, in its last line */

    /* second page: the device writes bytes 0..31 of a cached line, the CPU then writes 32..63 */
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF + PAGE, 64, 84);
    cpu_get(BUF + PAGE, 64, out, 85);
    CU_ASSERT_EQUAL(sl_iommu_map(P, RID, IOVA2, BUF + PAGE, PAGE, SL_IOMMU_WRITE), 0);
    uint8_t b[32];
    memset(b, 0xc3, sizeof b);
    CU_ASSERT_EQUAL(sl_device_transport(P, RID, 1, IOVA2, b, 32), SL_RESP_OK);
    cpu_fill(BUF + PAGE + 32, 32, 0x44, 86);
}
static void test_shared_cache_line(void) {
    run_with(NULL, 1, shared_line_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 2);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "shared-cache-line");
    CU_ASSERT_EQUAL(f.address, BUF + 100);
    CU_ASSERT_EQUAL(f.size, 8);
    CU_ASSERT_EQUAL(f.location.line, 83);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "pin");
    CU_ASSERT_EQUAL(f.related_location.line, 80);
    f = finding(1);
    CU_ASSERT_STRING_EQUAL(f.kind, "shared-cache-line");
    CU_ASSERT_EQUAL(f.address, BUF + PAGE + 32);
    CU_ASSERT_EQUAL(f.location.line, 86);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "device-write");
    finish();
}

/* Unmapped device address, then a write through a read-only pin. */
static void iommu_fault_body(void* arg) {
    uint8_t b[64] = {0};
    pin(SL_PIN_DEVICE_READ, 91);
    doorbell(90);
    T[0] = sl_time_ns();
    CU_ASSERT_EQUAL(sl_device_transport(P, RID, 0, 0x900000, b, 64), SL_RESP_ADDRESS_ERROR);
    T[1] = sl_time_ns();
    doorbell(92);
    CU_ASSERT_EQUAL(dev_write(0, 64, 1), SL_RESP_ADDRESS_ERROR);
}
static void test_iommu_fault(void) {
    run_with(NULL, 1, iommu_fault_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 2);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "iommu-fault");
    CU_ASSERT(f.has_device_address);
    CU_ASSERT_EQUAL(f.device_address, 0x900000);
    CU_ASSERT_EQUAL(f.location.line, 90);
    CU_ASSERT(f.time_ns >= T[0] && f.time_ns <= T[1]);
    CU_ASSERT_FALSE(f.has_related);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "not-mapped"));
    f = finding(1);
    CU_ASSERT_STRING_EQUAL(f.kind, "iommu-fault");
    CU_ASSERT_EQUAL(f.device_address, IOVA);
    CU_ASSERT_EQUAL(f.address, BUF);
    CU_ASSERT_EQUAL(f.location.line, 92);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "pin");
    CU_ASSERT_EQUAL(f.related_location.line, 91);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "write-denied"));
    finish();
}

/* Strict invalidation: DMA after the unpin faults in the IOMMU. */
static void after_unpin_strict_body(void* arg) {
    uint8_t b[64];
    uint64_t id = pin(SL_PIN_DEVICE_READ, 100);
    T[0] = sl_time_ns();
    unpin(id, 101);
    doorbell(102);
    CU_ASSERT_EQUAL(dev_read(0, 64, b), SL_RESP_ADDRESS_ERROR);
}
static void test_dma_after_unpin_strict(void) {
    run_with(NULL, 1, after_unpin_strict_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 1);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "dma-after-unpin");
    CU_ASSERT_EQUAL(f.device_address, IOVA);
    CU_ASSERT_EQUAL(f.address, BUF);
    CU_ASSERT_EQUAL(f.location.line, 102);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "unpin");
    CU_ASSERT_EQUAL(f.related_location.line, 101);
    CU_ASSERT_EQUAL(f.related_time_ns, T[0]);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "faulted"));
    finish();
}

/* Deferred invalidation: the IOTLB still holds the translation after the unpin, so the DMA
 * succeeds; the checker sees the stale hit. */
static void after_unpin_deferred_body(void* arg) {
    uint8_t b[64];
    uint64_t id = pin(SL_PIN_DEVICE_READ, 110);
    doorbell(111);
    CU_ASSERT_EQUAL(dev_read(0, 64, b), SL_RESP_OK); /* fills the IOTLB */
    unpin(id, 112);
    doorbell(113);
    CU_ASSERT_EQUAL(dev_read(0, 64, b), SL_RESP_OK); /* served by the stale entry */
    sl_iommu_stats_t st;
    sl_iommu_get_stats(P, &st);
    CU_ASSERT_EQUAL(st.stale_hits, 1);
}
static void test_dma_after_unpin_deferred(void) {
    const char* sets[] = {"iommu.invalidation=deferred", NULL};
    run_with(sets, 1, after_unpin_deferred_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 1);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "dma-after-unpin");
    CU_ASSERT_EQUAL(f.address, BUF);
    CU_ASSERT_EQUAL(f.device_address, IOVA);
    CU_ASSERT_EQUAL(f.location.line, 113);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "unpin");
    CU_ASSERT_EQUAL(f.related_location.line, 112);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "stale IOTLB entry"));
    finish();
}

/* Unpinning while the device is busy and has touched the pages, when the device then goes on
 * with them (it faults on the unpinned addresses before it becomes idle); not a pin the busy
 * device finished with and never touches again (a queued driver unpins a completed transfer
 * while the device works on the next), nor after the device went idle. */
static void in_flight_body(void* arg) {
    uint8_t b[64];
    uint64_t a = pin(SL_PIN_DEVICE_READ, 120);
    uint64_t other = pin_at(IOVA2, 1, 1, SL_PIN_DEVICE_READ, 121);
    doorbell(122);
    CU_ASSERT_EQUAL(sl_checker_device_state(C, RID, 1), 0);
    CU_ASSERT_EQUAL(sl_device_transport(P, RID, 0, IOVA2, b, 64), SL_RESP_OK); /* finished with it */
    T[0] = sl_time_ns();
    CU_ASSERT_EQUAL(dev_read(0, 64, b), SL_RESP_OK);
    T[1] = sl_time_ns();
    unpin_at(other, IOVA2, 1, 123); /* touched, but never again: not in flight */
    unpin(a, 124);                 /* touched, and the device goes on below: in flight */
    T[2] = sl_time_ns();
    CU_ASSERT_EQUAL(dev_read(64, 64, b), SL_RESP_ADDRESS_ERROR);
    CU_ASSERT_EQUAL(sl_checker_device_state(C, RID, 0), 0);
    uint64_t c = pin(SL_PIN_DEVICE_READ, 125);
    CU_ASSERT_EQUAL(sl_checker_device_state(C, RID, 1), 0);
    CU_ASSERT_EQUAL(dev_read(0, 64, b), SL_RESP_OK);
    CU_ASSERT_EQUAL(sl_checker_device_state(C, RID, 0), 0);
    unpin(c, 126); /* the device finished */
}
static void test_unpin_in_flight(void) {
    run_with(NULL, 1, in_flight_body);
    print_findings();
    /* The unpin in flight, and the late access itself (dma-after-unpin at the doorbell). */
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 2);
    CU_ASSERT_EQUAL(sl_checker_count_kind(C, "unpin-in-flight"), 1);
    CU_ASSERT_EQUAL(sl_checker_count_kind(C, "dma-after-unpin"), 1);
    for (size_t i = 0; i < 2; ++i) {
        sl_finding_t f = finding(i);
        if (strcmp(f.kind, "unpin-in-flight")) {
            CU_ASSERT_EQUAL(f.location.line, 122);
            CU_ASSERT_EQUAL(f.related_location.line, 124);
            continue;
        }
        CU_ASSERT_EQUAL(f.address, BUF);
        CU_ASSERT_EQUAL(f.size, PAGE);
        CU_ASSERT_EQUAL(f.location.line, 124);
        CU_ASSERT_STRING_EQUAL(f.related_kind, "device-access");
        CU_ASSERT(f.related_time_ns >= T[2]); /* the late access */
        CU_ASSERT(f.time_ns >= T[1] && f.time_ns <= T[2]); /* the unpin */
        CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "without becoming idle"));
    }
    finish();
}

/* The doorbell is learnt from busy/idle: the register whose write woke the device. A later
 * write to another register (an interrupt acknowledgement while the device still works) is
 * not blamed for the device's reads. */
static void learnt_doorbell_body(void* arg) {
    uint8_t out[64];
    sl_source_location_t w;
    pin(SL_PIN_DEVICE_READ, 200);
    w = at(201);
    CU_ASSERT_EQUAL(sl_checker_mmio_write(C, RID, 0x1c, &w), 0); /* doorbell */
    CU_ASSERT_EQUAL(sl_checker_device_state(C, RID, 1), 0);
    CU_ASSERT_EQUAL(dev_read(0, 64, out), SL_RESP_OK);
    CU_ASSERT_EQUAL(sl_checker_device_state(C, RID, 0), 0);
    cpu_fill(BUF, 64, 0x5a, 202); /* not cleaned */
    w = at(203);
    CU_ASSERT_EQUAL(sl_checker_mmio_write(C, RID, 0x1c, &w), 0); /* doorbell */
    CU_ASSERT_EQUAL(sl_checker_device_state(C, RID, 1), 0);
    w = at(204);
    CU_ASSERT_EQUAL(sl_checker_mmio_write(C, RID, 0x24, &w), 0); /* acknowledgement */
    CU_ASSERT_EQUAL(dev_read(0, 64, out), SL_RESP_OK);
    CU_ASSERT_EQUAL(sl_checker_device_state(C, RID, 0), 0);
}
static void test_learnt_doorbell(void) {
    run_with(NULL, 1, learnt_doorbell_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 1);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "stale-device-read");
    CU_ASSERT_EQUAL(f.location.line, 203);
    CU_ASSERT_EQUAL(f.related_location.line, 202);
    finish();
}

/* Bus mastering never enabled: the scratch device's DMA is refused. */
static void bus_master_body(void* arg) {
    uint8_t b[64] = {0};
    pin(SL_PIN_DEVICE_READ, 130);
    doorbell(131);
    CU_ASSERT_EQUAL(sl_scratch_dma(P, 0, IOVA, b, 64), SL_RESP_GENERIC_ERROR);
}
static void test_bus_master_disabled(void) {
    run_with(NULL, 0, bus_master_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 1);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "bus-master-disabled");
    CU_ASSERT_EQUAL(f.device_address, IOVA);
    CU_ASSERT_EQUAL(f.requester, RID);
    CU_ASSERT_EQUAL(f.location.line, 131);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "bus mastering"));
    finish();
}

/* One pin kept, one quarantined (handle closed), one unpinned properly. */
static void leak_body(void* arg) {
    pin(SL_PIN_DEVICE_READ, 140);
    uint64_t q = pin_at(IOVA2, 1, 1, SL_PIN_DEVICE_WRITE, 141);
    sl_source_location_t w = at(142);
    CU_ASSERT_EQUAL(sl_checker_quarantine(C, q, &w), 0);
    uint64_t ok = pin_at(0x300000, 2, 1, SL_PIN_DEVICE_READ, 143);
    unpin_at(ok, 0x300000, 1, 144);
}
static void test_leaked_pin(void) {
    run_with(NULL, 1, leak_body);
    CU_ASSERT_EQUAL(sl_checker_finding_count(C), 0);
    CU_ASSERT_EQUAL(sl_checker_end_of_run(C), 0);
    CU_ASSERT_EQUAL(sl_checker_end_of_run(C), 0); /* once */
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 2);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "leaked-pin");
    CU_ASSERT_EQUAL(f.address, BUF);
    CU_ASSERT_EQUAL(f.size, PAGE);
    CU_ASSERT_EQUAL(f.device_address, IOVA);
    CU_ASSERT_EQUAL(f.location.line, 140);
    CU_ASSERT_FALSE(f.has_related);
    CU_ASSERT_EQUAL(f.count, 1);
    f = finding(1);
    CU_ASSERT_STRING_EQUAL(f.kind, "leaked-pin");
    CU_ASSERT_EQUAL(f.address, BUF + PAGE);
    CU_ASSERT_EQUAL(f.location.line, 141);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "quarantine");
    CU_ASSERT_EQUAL(f.related_location.line, 142);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "quarantined"));
    finish();
}

/* --------------------------------------------------- dedup, caps, JSON, errors */

static void repeat_body(void* arg) {
    uint8_t out[64];
    pin(SL_PIN_DEVICE_READ, 150);
    for (int i = 0; i < 100; ++i) { /* the same bug in a loop */
        cpu_fill(BUF, 64, (uint8_t)(i + 1), 151);
        doorbell(152);
        CU_ASSERT_EQUAL(dev_read(0, 64, out), SL_RESP_OK);
    }
    for (int k = 0; k < 10; ++k) { /* ten addresses, one site */
        cpu_fill(BUF + 64 + 64 * k, 64, 1, 153);
        doorbell(154);
        CU_ASSERT_EQUAL(dev_read(64 + 64 * k, 64, out), SL_RESP_OK);
    }
}
static void test_dedup_and_caps(void) {
    const char* sets[] = {"checker.max_per_site=4", NULL};
    run_with(sets, 1, repeat_body);
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 5);
    sl_finding_t f = finding(0);
    CU_ASSERT_EQUAL(f.count, 100);
    CU_ASSERT_EQUAL(f.location.line, 152);
    for (size_t i = 1; i < 5; ++i) {
        f = finding(i);
        CU_ASSERT_EQUAL(f.address, BUF + 64 * i);
        CU_ASSERT_EQUAL(f.location.line, 154);
        CU_ASSERT_EQUAL(f.count, 1);
    }
    CU_ASSERT_EQUAL(sl_checker_suppressed(C), 6);
    finish();
}

static void test_json(void) {
    run_with(NULL, 1, stale_device_read_body);
    char* text = sl_checker_findings_json(C);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    json_error_t err;
    json_t* a = json_loads(text, 0, &err);
    free(text);
    CU_ASSERT_TRUE_FATAL(json_is_array(a));
    CU_ASSERT_EQUAL_FATAL(json_array_size(a), 1);
    json_t* f = json_array_get(a, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(f, "kind")), "stale-device-read");
    CU_ASSERT_PTR_NOT_NULL(json_string_value(json_object_get(f, "message")));
    CU_ASSERT_EQUAL((uint64_t)json_integer_value(json_object_get(f, "address")), BUF);
    CU_ASSERT_EQUAL((uint64_t)json_integer_value(json_object_get(f, "device_address")), IOVA);
    CU_ASSERT_EQUAL((uint64_t)json_integer_value(json_object_get(f, "time_ns")), finding(0).time_ns);
    json_t* loc = json_object_get(f, "location");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(loc, "file")), FAKE);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(loc, "line")), 32);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(loc, "function")), "fake_dma");
    json_t* rel = json_object_get(f, "related");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(rel, "what")), "cpu-write");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(rel, "location"), "line")), 31);
    json_decref(a);
    finish();
}

static void test_bad_arguments(void) {
    CU_ASSERT_PTR_NULL(sl_checker_attach(NULL));
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "null platform"));
    CU_ASSERT_EQUAL(sl_checker_cpu_access(NULL, 0, 1, 0, NULL), -1);
    CU_ASSERT_EQUAL_FATAL(setup(NULL, 1), 0);
    CU_ASSERT_PTR_EQUAL(sl_checker_attach(P), C); /* once per platform */
    CU_ASSERT_PTR_EQUAL(sl_checker_get(P), C);
    CU_ASSERT_EQUAL(sl_checker_cache_op(C, (sl_cache_op_t)9, 0, 64, NULL), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "unknown operation"));
    CU_ASSERT_EQUAL(sl_checker_pin(C, NULL, NULL), 0);
    sl_pin_run_t run = {IOVA, BUF, 0, 0};
    sl_checker_pin_t p = {RID, 0, 1, 1, &run};
    CU_ASSERT_EQUAL(sl_checker_pin(C, &p, NULL), 0); /* empty run */
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "run 0"));
    run.len = PAGE;
    p.perms = 8;
    CU_ASSERT_EQUAL(sl_checker_pin(C, &p, NULL), 0);
    CU_ASSERT_EQUAL(sl_checker_unpin(C, 42, NULL), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "no pin 42"));
    CU_ASSERT_EQUAL(sl_checker_write_sarif(C, "/nonexistent-dir/x.sarif"), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "cannot write SARIF"));
    CU_ASSERT_EQUAL(sl_checker_get_finding(C, 0, NULL), -1);
    sl_finding_t f;
    CU_ASSERT_EQUAL(sl_checker_get_finding(C, 3, &f), -1);
    CU_ASSERT_EQUAL(sl_checker_count_kind(C, "no-such-kind"), 0);
    CU_ASSERT_STRING_EQUAL(sl_finding_kind_name(0), "stale-device-read");
    CU_ASSERT_STRING_EQUAL(sl_finding_kind_name(9), "leaked-pin");
    CU_ASSERT_STRING_EQUAL(sl_finding_kind_name(10), "cached-bar-mapping");
    CU_ASSERT_PTR_NULL(sl_finding_kind_name(SL_FINDING_KIND_COUNT));
    finish();
    /* bad checker configuration names its key */
    const char* bad[] = {"cache.adversary=sometimes", NULL};
    CU_ASSERT_PTR_NULL(create(bad));
}

/* --------------------------------------------------------------- SARIF */

static void sarif_body(void* arg) {
    uint8_t out[256];
    pin(SL_PIN_DEVICE_READ, 160);
    cpu_fill(BUF, 256, 0x5a, 161);
    doorbell(162);
    CU_ASSERT_EQUAL(dev_read(0, 256, out), SL_RESP_OK);
    uint64_t rx = pin_at(IOVA2, 1, 1, SL_PIN_DEVICE_WRITE, 163);
    cpu_fill(BUF + PAGE, 64, 0x11, 164);
    CU_ASSERT_EQUAL(sl_device_transport(P, RID, 1, IOVA2, out, 64), SL_RESP_OK);
    cache(SL_CACHE_CLEAN, BUF + PAGE, 64, 165);
    (void)rx;
}

static json_t* get(json_t* o, const char* key) {
    json_t* v = json_object_get(o, key);
    if (!v) fprintf(stderr, "SARIF: missing %s\n", key);
    return v;
}

static void test_sarif(void) {
    run_with(NULL, 1, sarif_body);
    CU_ASSERT_EQUAL(sl_checker_end_of_run(C), 0);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 4); /* stale read, lost write, 2 leaked pins */
    char path[] = "/tmp/sl-checker-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    CU_ASSERT_EQUAL_FATAL(sl_checker_write_sarif(C, path), 0);
    json_error_t err;
    json_t* doc = json_load_file(path, 0, &err);
    unlink(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    /* what the SARIF 2.1.0 schema requires */
    CU_ASSERT_TRUE(json_is_string(get(doc, "$schema")));
    CU_ASSERT_STRING_EQUAL(json_string_value(get(doc, "version")), "2.1.0");
    json_t* runs = get(doc, "runs");
    CU_ASSERT_TRUE_FATAL(json_is_array(runs) && json_array_size(runs) == 1);
    json_t* run = json_array_get(runs, 0);
    json_t* driver = get(get(run, "tool"), "driver");
    CU_ASSERT_STRING_EQUAL(json_string_value(get(driver, "name")), "staleline");
    json_t* rules = get(driver, "rules");
    CU_ASSERT_TRUE_FATAL(json_is_array(rules));
    CU_ASSERT_EQUAL_FATAL(json_array_size(rules), SL_FINDING_KIND_COUNT);
    for (unsigned i = 0; i < SL_FINDING_KIND_COUNT; ++i) {
        json_t* r = json_array_get(rules, i);
        CU_ASSERT_STRING_EQUAL(json_string_value(get(r, "id")), sl_finding_kind_name(i));
        CU_ASSERT_TRUE(json_is_string(get(get(r, "shortDescription"), "text")));
        const char* help = json_string_value(get(r, "helpUri"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(help);
        CU_ASSERT_PTR_NOT_NULL(strstr(help, "findings.md#"));
        CU_ASSERT_PTR_NOT_NULL(strstr(help, sl_finding_kind_name(i)));
    }
    json_t* results = get(run, "results");
    CU_ASSERT_TRUE_FATAL(json_is_array(results));
    CU_ASSERT_EQUAL_FATAL(json_array_size(results), 4);
    for (size_t i = 0; i < 4; ++i) {
        sl_finding_t f = finding(i);
        json_t* res = json_array_get(results, i);
        CU_ASSERT_STRING_EQUAL(json_string_value(get(res, "ruleId")), f.kind);
        CU_ASSERT_STRING_EQUAL(json_string_value(get(res, "level")), "error");
        CU_ASSERT_STRING_EQUAL(json_string_value(get(get(res, "message"), "text")), f.message);
        json_t* locs = get(res, "locations");
        CU_ASSERT_TRUE_FATAL(json_is_array(locs) && json_array_size(locs) == 1);
        json_t* phys = get(json_array_get(locs, 0), "physicalLocation");
        const char* uri = json_string_value(get(get(phys, "artifactLocation"), "uri"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(uri);
        CU_ASSERT_STRING_EQUAL(uri, FAKE); /* relative: no absolute paths */
        CU_ASSERT_EQUAL(json_integer_value(get(get(phys, "region"), "startLine")), f.location.line);
        json_t* rel = json_object_get(res, "relatedLocations");
        if (f.has_related && f.related_location.line) {
            CU_ASSERT_TRUE_FATAL(json_is_array(rel) && json_array_size(rel) == 1);
            json_t* rphys = get(json_array_get(rel, 0), "physicalLocation");
            CU_ASSERT_EQUAL(json_integer_value(get(get(rphys, "region"), "startLine")), f.related_location.line);
            CU_ASSERT_TRUE(json_is_string(get(get(json_array_get(rel, 0), "message"), "text")));
        }
    }
    CU_ASSERT_STRING_EQUAL(json_string_value(get(json_array_get(results, 0), "ruleId")), "stale-device-read");
    CU_ASSERT_STRING_EQUAL(json_string_value(get(json_array_get(results, 1), "ruleId")), "lost-device-write");
    json_decref(doc);
    finish();
}

/* ----------------------------------------------------- source locations */

static const unsigned kMarkerLine = __LINE__; __attribute__((noinline)) int checker_marker(int x) { return x * 3 + 1; }
static __attribute__((noinline)) void* return_address_here(void) { return __builtin_return_address(0); }

static void test_source_locator(void) {
    CU_ASSERT_EQUAL_FATAL(setup(NULL, 1), 0);
    sl_source_location_t l;
    CU_ASSERT_EQUAL(sl_checker_locate(C, (const void*)checker_marker, 0, &l), 0);
    CU_ASSERT_STRING_EQUAL(l.file, "testbench/tests/test_checker.c");
    CU_ASSERT_EQUAL(l.line, kMarkerLine);
    CU_ASSERT_STRING_EQUAL(l.function, "checker_marker");
    void* ra = return_address_here(); const unsigned ra_line = __LINE__;
    CU_ASSERT_EQUAL(sl_checker_locate(C, ra, 1, &l), 0);
    CU_ASSERT_STRING_EQUAL(l.file, "testbench/tests/test_checker.c");
    CU_ASSERT_EQUAL(l.line, ra_line);
    CU_ASSERT_STRING_EQUAL(l.function, "test_source_locator");
    /* a library function without our debug information: a name, never a host address */
    CU_ASSERT(sl_checker_locate(C, (const void*)strlen, 0, &l) == 0 || l.function[0] != 0);
    CU_ASSERT_PTR_NULL(strstr(l.function, "0x7f"));
    CU_ASSERT_EQUAL(checker_marker(1), 4);
    finish();
}

/* ------------------------------------------------------------ conservative mode */

/* Uninstrumented driver: plain stores and loads reach the CPU view without the cache model
 * seeing them (sl_cpu_view_write/read). Correct TX and RX: right data, no findings. */
static void conservative_correct_body(void* arg) {
    uint8_t b[PAGE];
    uint64_t tx = pin(SL_PIN_DEVICE_READ, 170);
    memset(b, 0x5a, PAGE);
    sl_cpu_view_write(P, BUF, b, PAGE);
    cache(SL_CACHE_CLEAN, BUF, PAGE, 171);
    doorbell(172);
    CU_ASSERT_EQUAL(dev_read(0, PAGE, b), SL_RESP_OK);
    CU_ASSERT(all_bytes(b, PAGE, 0x5a));
    unpin(tx, 173);
    uint64_t rx = pin(SL_PIN_DEVICE_WRITE, 174);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF, PAGE, 175);
    doorbell(176);
    CU_ASSERT_EQUAL(dev_write(0, PAGE, 0xc3), SL_RESP_OK);
    cache(SL_CACHE_INVALIDATE, BUF, PAGE, 177);
    sl_cpu_view_read(P, BUF, b, PAGE);
    CU_ASSERT(all_bytes(b, PAGE, 0xc3));
    unpin(rx, 178);
}
static void test_conservative_correct(void) {
    const char* sets[] = {"checker.conservative=true", NULL};
    run_with(sets, 1, conservative_correct_body);
    print_findings();
    CU_ASSERT_EQUAL(sl_checker_finding_count(C), 0);
    finish();
}

/* Missing clean before a device read; invalidate dropping unseen stores; RX without the
 * invalidate after the DMA (found at the unpin). */
static void conservative_bugs_body(void* arg) {
    uint8_t b[PAGE];
    uint64_t tx = pin(SL_PIN_DEVICE_READ, 180);
    memset(b, 0x5a, 256);
    sl_cpu_view_write(P, BUF, b, 256);
    doorbell(181);
    CU_ASSERT_EQUAL(dev_read(0, 256, b), SL_RESP_OK);
    CU_ASSERT(all_bytes(b, 256, 0)); /* stale */
    unpin(tx, 182);

    memset(b, 0x77, 64);
    sl_cpu_view_write(P, BUF + PAGE, b, 64);
    cache(SL_CACHE_INVALIDATE, BUF + PAGE, 64, 183);
    sl_cpu_view_read(P, BUF + PAGE, b, 64);
    CU_ASSERT(all_bytes(b, 64, 0)); /* dropped, as a real cache would */

    uint64_t rx = pin_at(IOVA2, 2, 1, SL_PIN_DEVICE_WRITE, 184);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF + 2 * PAGE, PAGE, 185);
    doorbell(186);
    memset(b, 0xc3, 128);
    CU_ASSERT_EQUAL(sl_device_transport(P, RID, 1, IOVA2, b, 128), SL_RESP_OK);
    unpin_at(rx, IOVA2, 1, 187); /* never invalidated */
}
static void test_conservative_bugs(void) {
    const char* sets[] = {"checker.conservative=true", NULL};
    run_with(sets, 1, conservative_bugs_body);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 3);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "stale-device-read");
    CU_ASSERT_EQUAL(f.address, BUF);
    CU_ASSERT_EQUAL(f.size, 256);
    CU_ASSERT_EQUAL(f.location.line, 181);
    f = finding(1);
    CU_ASSERT_STRING_EQUAL(f.kind, "discarded-cpu-write");
    CU_ASSERT_EQUAL(f.address, BUF + PAGE);
    CU_ASSERT_EQUAL(f.size, 64);
    CU_ASSERT_EQUAL(f.location.line, 183);
    f = finding(2);
    CU_ASSERT_STRING_EQUAL(f.kind, "stale-cpu-read");
    CU_ASSERT_EQUAL(f.address, BUF + 2 * PAGE);
    CU_ASSERT_EQUAL(f.size, 128);
    CU_ASSERT_EQUAL(f.location.line, 187);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "device-write");
    CU_ASSERT_EQUAL(f.related_location.line, 186);
    finish();
}

/* ------------------------------------------------------- adversarial cache */

/* Results a child process (its own platform) sends back to the test. */
typedef struct {
    int ok;               /* setup and run succeeded */
    int data_ok;          /* the driver saw / delivered the right bytes */
    size_t findings;
    size_t kind[SL_FINDING_KIND_COUNT];
    uint64_t fills, evictions;
} outcome_t;

static int g_data_ok;
static unsigned g_cycles = 4;
static const char* g_evidence = "both"; /* checker.evidence of the child's platform */

/* The correct driver under load: TX and RX cycles in 256-byte bursts, with unrelated CPU data
 * dirtied during the DMA (something for the evicting adversary to push out). */
static void adversary_correct_body(void* arg) {
    uint8_t out[PAGE];
    g_data_ok = 1;
    for (unsigned cyc = 0; cyc < g_cycles; ++cyc) {
        const uint8_t v = (uint8_t)(0x10 + cyc);
        uint64_t tx = pin(SL_PIN_DEVICE_READ, 200);
        cpu_fill(BUF, PAGE, v, 201);
        cache(SL_CACHE_CLEAN, BUF, PAGE, 202);
        doorbell(203);
        cpu_fill(BUF + 4 * PAGE, 1024, v, 204); /* unrelated CPU work, dirty lines */
        for (size_t d = 0; d < PAGE; d += 256) {
            if (dev_read(d, 256, out + d) != SL_RESP_OK) g_data_ok = 0;
        }
        if (!all_bytes(out, PAGE, v)) g_data_ok = 0;
        unpin(tx, 205);

        uint64_t rx = pin(SL_PIN_DEVICE_WRITE, 210);
        cache(SL_CACHE_CLEAN_INVALIDATE, BUF, PAGE, 211);
        doorbell(212);
        cpu_fill(BUF + 5 * PAGE, 1024, v, 213);
        if (dev_write_bursts(0, PAGE, (uint8_t)(0xa0 + cyc)) != 0) g_data_ok = 0;
        cache(SL_CACHE_INVALIDATE, BUF, PAGE, 214);
        cpu_get(BUF, PAGE, out, 215);
        if (!all_bytes(out, PAGE, (uint8_t)(0xa0 + cyc))) g_data_ok = 0;
        unpin(rx, 216);
    }
}

/* RX that invalidates before the DMA but not after. */
static void invalidate_before_only_body(void* arg) {
    uint8_t out[PAGE];
    uint64_t rx = pin(SL_PIN_DEVICE_WRITE, 220);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF, PAGE, 221);
    doorbell(222);
    g_data_ok = dev_write_bursts(0, PAGE, 0xa5) == 0;
    cpu_get(BUF, PAGE, out, 223);
    if (!all_bytes(out, PAGE, 0xa5)) g_data_ok = 0;
    unpin(rx, 224);
}

/* RX into a buffer the CPU dirtied and never cleaned+invalidated; invalidate after. */
static void dirty_before_rx_body(void* arg) {
    uint8_t out[PAGE];
    uint64_t rx = pin(SL_PIN_DEVICE_WRITE, 230);
    cpu_fill(BUF, PAGE, 0x11, 231);
    doorbell(232);
    g_data_ok = dev_write_bursts(0, PAGE, 0xa5) == 0;
    cache(SL_CACHE_INVALIDATE, BUF, PAGE, 233);
    cpu_get(BUF, PAGE, out, 234);
    if (!all_bytes(out, PAGE, 0xa5)) g_data_ok = 0;
    unpin(rx, 235);
}

/* Runs body on a fresh platform in a child process; the outcome comes back through a pipe.
 * json_path: also write the findings JSON there. */
static outcome_t in_child(const char* adversary, const char* rate, unsigned seed, sl_thread_fn body,
                          const char* json_path) {
    outcome_t o;
    memset(&o, 0, sizeof o);
    int fds[2];
    if (pipe(fds) != 0) return o;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        char a[64], r[64], s[64];
        snprintf(a, sizeof a, "cache.adversary=%s", adversary);
        snprintf(r, sizeof r, "cache.adversary_rate=%s", rate);
        snprintf(s, sizeof s, "sim.seed=%u", seed);
        char e[64];
        snprintf(e, sizeof e, "checker.evidence=%s", g_evidence);
        const char* sets[] = {a, r, s, e, NULL};
        outcome_t c;
        memset(&c, 0, sizeof c);
        if (setup(sets, 1) == 0 && sl_platform_spawn(P, "driver", body, NULL) == 0 && sl_platform_run(P, 0) == 0) {
            c.ok = 1;
            c.data_ok = g_data_ok;
            c.findings = sl_checker_finding_count(C);
            for (unsigned k = 0; k < SL_FINDING_KIND_COUNT; ++k)
                c.kind[k] = sl_checker_count_kind(C, sl_finding_kind_name(k));
            sl_cache_stats_t st;
            sl_cache_get_stats(P, &st);
            c.fills = st.adversary_fills;
            c.evictions = st.adversary_evictions;
            if (json_path) {
                char* j = sl_checker_findings_json(C);
                FILE* f = fopen(json_path, "w");
                if (f && j) fputs(j, f);
                if (f) fclose(f);
                free(j);
            }
        }
        if (write(fds[1], &c, sizeof c) != (ssize_t)sizeof c) _exit(2);
        _exit(0);
    }
    close(fds[1]);
    if (pid > 0) {
        if (read(fds[0], &o, sizeof o) != (ssize_t)sizeof o) memset(&o, 0, sizeof o);
        int status;
        waitpid(pid, &status, 0);
    }
    close(fds[0]);
    return o;
}

static const char* const kModes[] = {"prefetch", "evict", "random"};

static void test_adversary_correct_driver_no_findings(void) {
    for (unsigned m = 0; m < 3; ++m) {
        uint64_t fills = 0, evictions = 0;
        for (unsigned seed = 1; seed <= 20; ++seed) {
            outcome_t o = in_child(kModes[m], "0.25", seed, adversary_correct_body, NULL);
            CU_ASSERT_TRUE(o.ok);
            CU_ASSERT_TRUE(o.data_ok);
            CU_ASSERT_EQUAL(o.findings, 0);
            if (o.findings) fprintf(stderr, "adversary %s seed %u: %zu findings\n", kModes[m], seed, o.findings);
            fills += o.fills;
            evictions += o.evictions;
        }
        /* the adversary did act */
        if (m != 1) CU_ASSERT(fills > 0);
        if (m != 0) CU_ASSERT(evictions > 0);
        if (m == 0) CU_ASSERT_EQUAL(evictions, 0);
        if (m == 1) CU_ASSERT_EQUAL(fills, 0);
    }
}

static void test_adversary_invalidate_before_only(void) {
    /* without an adversary the lines were invalidated before and miss: the data is right, so
     * the data rules see nothing ... */
    g_evidence = "data";
    outcome_t none = in_child("none", "0.25", 1, invalidate_before_only_body, NULL);
    g_evidence = "both";
    CU_ASSERT_TRUE(none.ok);
    CU_ASSERT_TRUE(none.data_ok);
    CU_ASSERT_EQUAL(none.findings, 0);
    /* ... and the order of events still proves the bug (test_hazards checks every seed) */
    none = in_child("none", "0.25", 1, invalidate_before_only_body, NULL);
    CU_ASSERT_TRUE(none.data_ok);
    CU_ASSERT_EQUAL(none.findings, 1);
    CU_ASSERT_EQUAL(none.kind[1], 1); /* stale-cpu-read */
    for (unsigned m = 0; m < 3; m += 2) { /* prefetch and random */
        for (unsigned seed = 1; seed <= 20; ++seed) {
            outcome_t o = in_child(kModes[m], "0.25", seed, invalidate_before_only_body, NULL);
            CU_ASSERT_TRUE(o.ok);
            CU_ASSERT_FALSE(o.data_ok); /* the CPU read stale lines */
            CU_ASSERT(o.kind[1] >= 1);  /* stale-cpu-read */
            CU_ASSERT_EQUAL(o.findings, o.kind[1]);
            if (!o.kind[1]) fprintf(stderr, "adversary %s seed %u: no stale-cpu-read\n", kModes[m], seed);
        }
    }
}

static void test_adversary_evict_finds_dirty_rx_buffer(void) {
    g_evidence = "data";
    outcome_t none = in_child("none", "0.25", 1, dirty_before_rx_body, NULL);
    g_evidence = "both";
    CU_ASSERT_TRUE(none.ok);
    CU_ASSERT_TRUE(none.data_ok); /* hidden from the data: the invalidate after dropped the dirty lines */
    CU_ASSERT_EQUAL(none.findings, 0);
    none = in_child("none", "0.25", 1, dirty_before_rx_body, NULL);
    CU_ASSERT_TRUE(none.data_ok);
    CU_ASSERT_EQUAL(none.findings, 1); /* the order: lost-device-write at the store */
    CU_ASSERT_EQUAL(none.kind[2], 1);
    for (unsigned seed = 1; seed <= 20; ++seed) {
        outcome_t o = in_child("evict", "0.25", seed, dirty_before_rx_body, NULL);
        CU_ASSERT_TRUE(o.ok);
        CU_ASSERT_FALSE(o.data_ok);
        CU_ASSERT(o.kind[2] >= 1); /* lost-device-write */
    }
}

static char* slurp(const char* path) {
    FILE* f = fopen(path, "r");
    if (!f) return NULL;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strdup(buf);
}

static void test_determinism(void) {
    char a[] = "/tmp/sl-det-a-XXXXXX", b[] = "/tmp/sl-det-b-XXXXXX", c[] = "/tmp/sl-det-c-XXXXXX";
    close(mkstemp(a));
    close(mkstemp(b));
    close(mkstemp(c));
    outcome_t oa = in_child("random", "0.5", 7, dirty_before_rx_body, a);
    outcome_t ob = in_child("random", "0.5", 7, dirty_before_rx_body, b);
    outcome_t oc = in_child("random", "0.5", 8, dirty_before_rx_body, c);
    CU_ASSERT_TRUE(oa.ok && ob.ok && oc.ok);
    CU_ASSERT(oa.findings > 0);
    char* ja = slurp(a);
    char* jb = slurp(b);
    char* jc = slurp(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ja);
    CU_ASSERT_PTR_NOT_NULL_FATAL(jb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(jc);
    CU_ASSERT(strlen(ja) > 100);
    CU_ASSERT_STRING_EQUAL(ja, jb);       /* same seed, same bytes */
    CU_ASSERT_EQUAL(oa.fills, ob.fills);
    CU_ASSERT_EQUAL(oa.evictions, ob.evictions);
    CU_ASSERT(strcmp(ja, jc) != 0 || oa.fills != oc.fills || oa.evictions != oc.evictions); /* the seed matters */
    free(ja);
    free(jb);
    free(jc);
    unlink(a);
    unlink(b);
    unlink(c);
}

/* ------------------------------------------- through the shim: a real driver */

#ifdef SL_DRIVER_DIR
/* The shim's probe driver (driver/shim/fixtures/probe_driver.c, instrumented) bound to the
 * scratch device: its plain stores, cache operations, pin and MMIO write reach the checker
 * through the shim, with source locations in probe_driver.c. */
#define PROBE SL_DRIVER_DIR "/sl_probe_driver.so"
#define PROBE_PLAIN SL_DRIVER_DIR "/sl_probe_driver_plain.so"
static const char* g_probe_path = PROBE;
static int g_probe_plain; /* the uninstrumented build, checked in conservative mode */
static const char* g_extra_set;
#define PROBE_FILE "driver/shim/fixtures/probe_driver.c"

static sl_driver_t* D;
static sl_probe_ops_t* OPS;
static void* CTX;
static sl_thread_fn g_probe_body;

static void probe_thread(void* arg) {
    D = sl_driver_load(P, g_probe_path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(D);
    CU_ASSERT_EQUAL_FATAL(sl_driver_bind(D, SLOT), ZX_OK);
    zx_device_t* dev = sl_device_find("sl-probe");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
    void* ops = NULL;
    CU_ASSERT_EQUAL_FATAL(sl_device_info(dev, NULL, &ops, &CTX, NULL), ZX_OK);
    OPS = ops;
    g_probe_body(arg);
}

/* checker_first: attach the checker before the shim (as staleline run does), else after. */
static void run_probe(sl_thread_fn body, int checker_first) {
    /* The probe fixture is DMA'd at device_addr + offset across its 4-page pin, and a missing clean
     * is expected to show DRAM's zeros: one run of device addresses, zeroed fresh pages. */
    const char* sets[] = {"pci.hop_latency_ns=100", "iommu.scatter=false", "dram.fresh_pages=zero",
                          g_probe_plain ? "checker.conservative=true" : g_extra_set, NULL};
    P = create(sets);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    if (checker_first) C = sl_checker_attach(P);
    SLOT = (unsigned)sl_pci_scratch_slot(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl_shim_attach(P, SLOT));
    if (!checker_first) C = sl_checker_attach(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(C);
    sl_shim_set_log(fopen("/dev/null", "w"));
    g_probe_body = body;
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", probe_thread, NULL), 0);
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
}

static int scratch_dma(int is_write, uint64_t addr, void* data, size_t len) {
    sl_shim_sync();
    return sl_scratch_dma(P, is_write, addr, data, len);
}

static void probe_correct_body(void* arg) {
    uint8_t b[256];
    const uint64_t dev = OPS->device_addr(CTX);
    OPS->fill(CTX, 0, 256, 0xab);
    CU_ASSERT_EQUAL(OPS->cache_op(CTX, ZX_VMO_OP_CACHE_CLEAN, 0, 4096), ZX_OK);
    OPS->reg_write(CTX, 0x10, 1);
    CU_ASSERT_EQUAL(scratch_dma(0, dev, b, 256), SL_RESP_OK);
    CU_ASSERT(all_bytes(b, 256, 0xab));
    CU_ASSERT_EQUAL(OPS->cache_op(CTX, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 4096, 4096), ZX_OK);
    memset(b, 0xcd, sizeof b);
    CU_ASSERT_EQUAL(scratch_dma(1, dev + 4096, b, 256), SL_RESP_OK);
    CU_ASSERT_EQUAL(OPS->cache_op(CTX, ZX_VMO_OP_CACHE_INVALIDATE, 4096, 4096), ZX_OK);
    CU_ASSERT_EQUAL(OPS->sum(CTX, 4096, 256), 256u * 0xcd);
    CU_ASSERT_EQUAL(sl_driver_release(D), ZX_OK);
}
static void test_shim_correct_driver(void) {
    run_probe(probe_correct_body, 1);
    CU_ASSERT_EQUAL(sl_checker_end_of_run(C), 0);
    print_findings();
    CU_ASSERT_EQUAL(sl_checker_finding_count(C), 0);
    finish();
}

/* Plain stores, no clean, doorbell, device read: the finding names the driver's lines. */
static void probe_no_clean_body(void* arg) {
    uint8_t b[256];
    OPS->fill(CTX, 0, 256, 0xab);
    OPS->reg_write(CTX, 0x10, 1);
    CU_ASSERT_EQUAL(scratch_dma(0, OPS->device_addr(CTX), b, 256), SL_RESP_OK);
    CU_ASSERT(all_bytes(b, 256, 0));
    OPS->leak_pin_on_release(CTX);
    CU_ASSERT_EQUAL(sl_driver_release(D), ZX_OK);
}
static void test_shim_driver_findings(void) {
    run_probe(probe_no_clean_body, 0); /* the checker attached after the shim */
    CU_ASSERT_EQUAL(sl_checker_end_of_run(C), 0);
    print_findings();
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 2);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "stale-device-read");
    CU_ASSERT_EQUAL(f.size, 256);
    CU_ASSERT_EQUAL(f.device_address, OPS->device_addr(CTX));
    CU_ASSERT_NOT_EQUAL(f.vmo, 0);
    CU_ASSERT_STRING_EQUAL(f.location.file, PROBE_FILE); /* the writel of the doorbell */
    CU_ASSERT_STRING_EQUAL(f.location.function, "probe_reg_write");
    CU_ASSERT(f.location.line > 0);
    CU_ASSERT_STRING_EQUAL(f.related_kind, "cpu-write");
    CU_ASSERT_STRING_EQUAL(f.related_location.file, PROBE_FILE); /* the store loop */
    CU_ASSERT_STRING_EQUAL(f.related_location.function, "probe_fill");
    f = finding(1);
    CU_ASSERT_STRING_EQUAL(f.kind, "leaked-pin");
    CU_ASSERT_STRING_EQUAL(f.location.file, PROBE_FILE); /* the zx_bti_pin call */
    CU_ASSERT_STRING_EQUAL(f.location.function, "probe_bind");
    CU_ASSERT_EQUAL(f.size, 4u * PAGE);
    finish();
}

/* A memset larger than the cache (4 KiB here, the buffer is 16 KiB): every byte must still
 * reach memory after the clean, and nothing is reported. */
static void probe_big_memset_body(void* arg) {
    static uint8_t b[SL_PROBE_BUFFER_SIZE];
    OPS->memfill(CTX, 0, SL_PROBE_BUFFER_SIZE, 0x5a);
    CU_ASSERT_EQUAL(OPS->cache_op(CTX, ZX_VMO_OP_CACHE_CLEAN, 0, SL_PROBE_BUFFER_SIZE), ZX_OK);
    OPS->reg_write(CTX, 0x10, 1);
    for (size_t off = 0; off < SL_PROBE_BUFFER_SIZE; off += 4096)
        CU_ASSERT_EQUAL(scratch_dma(0, OPS->device_addr(CTX) + off, b + off, 4096), SL_RESP_OK);
    CU_ASSERT(all_bytes(b, SL_PROBE_BUFFER_SIZE, 0x5a));
    CU_ASSERT_EQUAL(sl_driver_release(D), ZX_OK);
}
static void test_shim_memset_larger_than_cache(void) {
    g_extra_set = "cache.size=4k";
    run_probe(probe_big_memset_body, 1);
    print_findings();
    CU_ASSERT_EQUAL(sl_checker_finding_count(C), 0);
    finish();
}

/* The same driver built without instrumentation, checked in conservative mode: the correct
 * sequence moves the right bytes with no findings (the clean adopts the unseen stores, the
 * invalidate refreshes the view), the missing clean is still found at the doorbell. */
static void probe_plain_body(void* arg) {
    uint8_t b[256];
    const uint64_t dev = OPS->device_addr(CTX);
    OPS->fill(CTX, 0, 256, 0xab); /* unseen by the cache model */
    CU_ASSERT_EQUAL(OPS->cache_op(CTX, ZX_VMO_OP_CACHE_CLEAN, 0, 4096), ZX_OK);
    OPS->reg_write(CTX, 0x10, 1);
    CU_ASSERT_EQUAL(scratch_dma(0, dev, b, 256), SL_RESP_OK);
    CU_ASSERT(all_bytes(b, 256, 0xab));
    CU_ASSERT_EQUAL(OPS->cache_op(CTX, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 4096, 4096), ZX_OK);
    memset(b, 0xcd, sizeof b);
    CU_ASSERT_EQUAL(scratch_dma(1, dev + 4096, b, 256), SL_RESP_OK);
    CU_ASSERT_EQUAL(OPS->cache_op(CTX, ZX_VMO_OP_CACHE_INVALIDATE, 4096, 4096), ZX_OK);
    CU_ASSERT_EQUAL(OPS->sum(CTX, 4096, 256), 256u * 0xcd);
    T[0] = sl_checker_finding_count(C);
    OPS->fill(CTX, 8192, 64, 0x5a); /* no clean this time */
    OPS->reg_write(CTX, 0x10, 2);
    CU_ASSERT_EQUAL(scratch_dma(0, dev + 8192, b, 64), SL_RESP_OK);
    CU_ASSERT(all_bytes(b, 64, 0));
    CU_ASSERT_EQUAL(sl_driver_release(D), ZX_OK);
}
static void test_shim_uninstrumented_conservative(void) {
    g_probe_path = PROBE_PLAIN;
    g_probe_plain = 1;
    run_probe(probe_plain_body, 1);
    print_findings();
    CU_ASSERT_EQUAL(T[0], 0);
    CU_ASSERT_EQUAL_FATAL(sl_checker_finding_count(C), 1);
    sl_finding_t f = finding(0);
    CU_ASSERT_STRING_EQUAL(f.kind, "stale-device-read");
    CU_ASSERT_EQUAL(f.size, 64);
    CU_ASSERT_STRING_EQUAL(f.location.function, "probe_reg_write");
    finish();
}
#endif

static const sl_test_t tests[] = {
    SL_TEST(test_correct_sequence_no_findings),
    SL_TEST(test_coherent_platform_hides_bugs),
    SL_TEST(test_stale_device_read),
    SL_TEST(test_stale_cpu_read),
    SL_TEST(test_lost_device_write_by_clean),
    SL_TEST(test_lost_device_write_by_eviction),
    SL_TEST(test_discarded_cpu_write),
    SL_TEST(test_shared_cache_line),
    SL_TEST(test_iommu_fault),
    SL_TEST(test_dma_after_unpin_strict),
    SL_TEST(test_dma_after_unpin_deferred),
    SL_TEST(test_unpin_in_flight),
    SL_TEST(test_learnt_doorbell),
    SL_TEST(test_bus_master_disabled),
    SL_TEST(test_leaked_pin),
    SL_TEST(test_dedup_and_caps),
    SL_TEST(test_json),
    SL_TEST(test_bad_arguments),
    SL_TEST(test_sarif),
    SL_TEST(test_source_locator),
    SL_TEST(test_conservative_correct),
    SL_TEST(test_conservative_bugs),
    SL_TEST(test_adversary_correct_driver_no_findings),
    SL_TEST(test_adversary_invalidate_before_only),
    SL_TEST(test_adversary_evict_finds_dirty_rx_buffer),
    SL_TEST(test_determinism),
#ifdef SL_DRIVER_DIR
    SL_TEST(test_shim_correct_driver),
    SL_TEST(test_shim_driver_findings),
    SL_TEST(test_shim_memset_larger_than_cache),
    SL_TEST(test_shim_uninstrumented_conservative),
#endif
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "checker", tests, SL_COUNT(tests)); }
