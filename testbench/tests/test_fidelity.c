/* The fidelity switches (docs/fidelity.md), on by default because hardware behaves that way:
 *  iommu.scatter          the device addresses of a pin of a non-contiguous VMO are scattered:
 *                         no two consecutive pages adjacent, an unmapped page after each;
 *  dram.fresh_pages       a new VMO's zeros are dirty lines in the CPU cache over DRAM that
 *                         holds earlier bytes.
 * Unit cases call the shim directly on a platform with the scratch device; driver cases run
 * `staleline run` on the fidelity builds of drivers/copyonly/copyonly.c: the correct build
 * is clean, each mistake is found (exit 1, its kind at its line) with its switch on and hidden
 * with it off. The reference driver's sweep over every workload, adversary and seed with both
 * switches on is in test_reference_clean. */
#include <jansson.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "syscall_conformance.h"

#define PAGES 64

/* ------------------------------------------------------------------ iommu.scatter ---- */

static int adjacent_pairs(const zx_paddr_t* a, size_t n) {
    int k = 0;
    for (size_t i = 0; i + 1 < n; ++i) k += a[i + 1] == a[i] + PAGE;
    return k;
}

static int all_distinct_and_aligned(const zx_paddr_t* a, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (a[i] % PAGE) return 0;
        for (size_t j = i + 1; j < n; ++j)
            if (a[i] == a[j]) return 0;
    }
    return 1;
}

/* A non-contiguous VMO: one address per page, no two consecutive pages adjacent, the page
 * after each unmapped (a device running past a page faults), and the pages really in
 * permuted order (not merely spread out). The same with ZX_BTI_COMPRESS (minimum contiguity is
 * one page). */
SC_CASE_CONFIG(test_scatter_paged_vmo, "iommu.scatter=true") {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(PAGES * PAGE), pmt;
    static zx_paddr_t a[PAGES];
    static const uint32_t opts[] = {ZX_BTI_PERM_READ, ZX_BTI_PERM_READ | ZX_BTI_COMPRESS};
    const uint16_t rid = sl_pci_requester_id((unsigned)sl_pci_scratch_slot(P));
    for (size_t o = 0; o < SL_COUNT(opts); ++o) {
        CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, opts[o], vmo, 0, PAGES * PAGE, a, PAGES, &pmt), ZX_OK);
        CU_ASSERT_EQUAL(adjacent_pairs(a, PAGES), 0);
        CU_ASSERT(all_distinct_and_aligned(a, PAGES));
        int descending = 0;
        for (size_t i = 0; i + 1 < PAGES; ++i) descending += a[i + 1] < a[i];
        CU_ASSERT(descending > 0);
        for (size_t i = 0; i < PAGES; ++i) {
            uint64_t pa = 0;
            unsigned perms = 0;
            CU_ASSERT_EQUAL(sl_iommu_translate(P, rid, a[i], &pa, &perms), 1);
            CU_ASSERT_EQUAL(sl_iommu_translate(P, rid, a[i] + PAGE, &pa, &perms), 0);
        }
        CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
    }
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 0);
}

/* One unpin of a scattered pin is one IOTLB invalidation command, as for a pin of one run, and
 * gives every device address back: pinning again and again does not run out. */
SC_CASE_CONFIG(test_scatter_unpin, "iommu.scatter=true") {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(PAGES * PAGE), pmt;
    static zx_paddr_t a[PAGES];
    const uint16_t rid = sl_pci_requester_id((unsigned)sl_pci_scratch_slot(P));
    for (int round = 0; round < 200; ++round) {
        CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, vmo, 0, PAGES * PAGE, a, PAGES, &pmt),
                              ZX_OK);
        sl_iommu_stats_t before, after;
        sl_iommu_get_stats(P, &before);
        CU_ASSERT_EQUAL_FATAL(zx_pmt_unpin(pmt), ZX_OK);
        sl_iommu_get_stats(P, &after);
        CU_ASSERT_EQUAL(after.invalidation_commands - before.invalidation_commands, 1);
        uint64_t pa;
        unsigned perms;
        CU_ASSERT_EQUAL(sl_iommu_translate(P, rid, a[0], &pa, &perms), 0);
    }
}

/* Contiguous VMOs and ZX_BTI_CONTIGUOUS keep one run: adjacent per-page addresses. */
SC_CASE_CONFIG(test_scatter_not_for_contiguous, "iommu.scatter=true") {
    zx_handle_t bti = sc_bti(), vmo = ZX_HANDLE_INVALID, pmt;
    static zx_paddr_t a[PAGES];
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create_contiguous(bti, PAGES * PAGE, 0, &vmo), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGES * PAGE, a, PAGES, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(adjacent_pairs(a, PAGES), PAGES - 1);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
    zx_paddr_t one = 0;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ | ZX_BTI_CONTIGUOUS, vmo, 0, PAGES * PAGE, &one, 1, &pmt),
                          ZX_OK);
    const uint16_t rid = sl_pci_requester_id((unsigned)sl_pci_scratch_slot(P));
    uint64_t pa0 = 0, pa;
    unsigned perms;
    CU_ASSERT_EQUAL(sl_iommu_translate(P, rid, one, &pa0, &perms), 1);
    CU_ASSERT_EQUAL(sl_iommu_translate(P, rid, one + (PAGES - 1) * PAGE, &pa, &perms), 1);
    CU_ASSERT_EQUAL(pa, pa0 + (PAGES - 1) * PAGE);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
}

/* iommu.scatter=false: every pin is one run of device addresses. */
SC_CASE_CONFIG(test_scatter_off, "iommu.scatter=false") {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(PAGES * PAGE), pmt;
    static zx_paddr_t a[PAGES];
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGES * PAGE, a, PAGES, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(adjacent_pairs(a, PAGES), PAGES - 1);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
}

/* -------------------------------------------------------------- dram.fresh_pages ---- */

/* PA of every page of vmo (iommu.mode=bypass: device addresses are physical). */
static void page_pas(zx_handle_t vmo, uint64_t pages, zx_paddr_t* pa) {
    zx_handle_t pmt;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(sc_bti(), ZX_BTI_PERM_READ, vmo, 0, pages * PAGE, pa, pages, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
}

static size_t nonzero(const uint8_t* b, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) k += b[i] != 0;
    return k;
}

/* garbage: the CPU reads zeros; DRAM holds other bytes under dirty lines; a clean writes the
 * zeros back. */
SC_CASE_CONFIG(test_fresh_pages_garbage, "iommu.mode=bypass", "dram.fresh_pages=garbage") {
    zx_handle_t vmo = sc_vmo(4 * PAGE);
    zx_paddr_t pa[4];
    page_pas(vmo, 4, pa);
    static uint8_t b[PAGE];
    for (unsigned p = 0; p < 4; ++p) {
        CU_ASSERT_EQUAL(zx_vmo_read(vmo, b, p * PAGE, PAGE), ZX_OK);
        CU_ASSERT_EQUAL(nonzero(b, PAGE), 0);
        CU_ASSERT_EQUAL(sl_dram_read(P, pa[p], b, PAGE), 0);
        CU_ASSERT(nonzero(b, PAGE) > PAGE / 2);
        CU_ASSERT_EQUAL(sl_cache_line_state(P, pa[p]), 2);
        CU_ASSERT_EQUAL(sl_cache_line_state(P, pa[p] + PAGE - 64), 2);
    }
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_CLEAN, 0, 4 * PAGE, NULL, 0), ZX_OK);
    for (unsigned p = 0; p < 4; ++p) {
        CU_ASSERT_EQUAL(sl_dram_read(P, pa[p], b, PAGE), 0);
        CU_ASSERT_EQUAL(nonzero(b, PAGE), 0);
    }
}

/* A VMO larger than the cache: only the cache's capacity of its last pages can still be dirty;
 * the zeros of the others were written back (DRAM zero), and no page outside the VMO changed. */
SC_CASE_CONFIG(test_fresh_pages_larger_than_cache, "iommu.mode=bypass", "cache.size=16k", "dram.fresh_pages=garbage") {
    enum { N = 16 };
    zx_handle_t vmo = sc_vmo(N * PAGE);
    zx_paddr_t pa[N];
    page_pas(vmo, N, pa);
    static uint8_t b[PAGE];
    unsigned garbage_pages = 0;
    for (unsigned p = 0; p < N; ++p) {
        CU_ASSERT_EQUAL(sl_dram_read(P, pa[p], b, PAGE), 0);
        if (nonzero(b, PAGE)) {
            ++garbage_pages;
            CU_ASSERT(p >= N - 4); /* 16 KiB: the last four pages */
        }
    }
    CU_ASSERT_EQUAL(garbage_pages, 4);
    for (unsigned p = 0; p < N; ++p) { /* (reads fill lines: after the DRAM checks) */
        CU_ASSERT_EQUAL(zx_vmo_read(vmo, b, p * PAGE, PAGE), ZX_OK);
        CU_ASSERT_EQUAL(nonzero(b, PAGE), 0);
    }
}

/* zero: DRAM is zero and nothing is cached. */
SC_CASE_CONFIG(test_fresh_pages_zero, "iommu.mode=bypass", "dram.fresh_pages=zero") {
    zx_handle_t vmo = sc_vmo(4 * PAGE);
    zx_paddr_t pa[4];
    page_pas(vmo, 4, pa);
    static uint8_t b[PAGE];
    for (unsigned p = 0; p < 4; ++p) {
        CU_ASSERT_EQUAL(sl_dram_read(P, pa[p], b, PAGE), 0);
        CU_ASSERT_EQUAL(nonzero(b, PAGE), 0);
        CU_ASSERT_EQUAL(sl_cache_line_state(P, pa[p]), 0);
    }
}

/* ------------------------------------------------------------------- defaults ---- */

/* Both switches are on by default, as on hardware: a pin of a paged VMO has no two adjacent
 * pages, and DRAM under a fresh VMO holds other bytes under dirty zero lines. */
SC_CASE(test_defaults_on) {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(PAGES * PAGE), pmt;
    static zx_paddr_t a[PAGES];
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGES * PAGE, a, PAGES, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(adjacent_pairs(a, PAGES), 0);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
    zx_handle_t fresh = sc_vmo(PAGE);
    static uint8_t b[PAGE];
    CU_ASSERT_EQUAL(zx_vmo_read(fresh, b, 0, PAGE), ZX_OK);
    CU_ASSERT_EQUAL(nonzero(b, PAGE), 0);
    CU_ASSERT_EQUAL(zx_vmo_op_range(fresh, ZX_VMO_OP_CACHE_INVALIDATE, 0, PAGE, NULL, 0), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_read(fresh, b, 0, PAGE), ZX_OK);
    CU_ASSERT(nonzero(b, PAGE) > PAGE / 2); /* the kernel's zeros dropped: DRAM's earlier bytes */
}

/* ------------------------------------------------------------ the fidelity driver ---- */

#define SMALL                                                                                      \
    "--set workload.transfers=8 --set workload.min_size=8k --set workload.max_size=64k --set iommu.scatter=true " \
    "--set dram.fresh_pages=garbage"

static char* out;

static json_t* run_json(const char* driver, const char* args, int* rc) {
    char full[1536];
    snprintf(full, sizeof full, "run --driver %s/%s.so %s", SL_DRIVER_DIR, driver, args);
    return sl_test_staleline_json(full, rc, &out);
}

/* Line of drivers/copyonly/copyonly.c (the fidelity builds) that contains text (0: none). */
static unsigned fidelity_line(const char* text) {
    char path[1024], buf[512];
    snprintf(path, sizeof path, "%s/testbench/tests/drivers/copyonly/copyonly.c", SL_SOURCE_DIR);
    FILE* f = fopen(path, "r");
    if (!f) return 0;
    unsigned n = 0, found = 0;
    while (fgets(buf, sizeof buf, f)) {
        ++n;
        if (strstr(buf, text)) {
            found = n;
            break;
        }
    }
    fclose(f);
    return found;
}

/* Findings of `kind` in j, and how many of them are at line `line` of copyonly.c. */
static size_t count_kind(json_t* j, const char* kind, unsigned line, size_t* at_line) {
    size_t n = 0, i;
    json_t* f;
    *at_line = 0;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "kind")), kind)) continue;
        ++n;
        json_t* loc = json_object_get(f, "location");
        const char* file = json_string_value(json_object_get(loc, "file"));
        if (file && strstr(file, "copyonly/copyonly.c") &&
            json_integer_value(json_object_get(loc, "line")) == (json_int_t)line)
            ++*at_line;
    }
    return n;
}

static void expect_found(const char* driver, const char* args, const char* kind) {
    const unsigned doorbell = fidelity_line("/* LINE: doorbell */");
    CU_ASSERT_FATAL(doorbell > 0);
    int rc = -1;
    json_t* j = run_json(driver, args, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    size_t at = 0;
    CU_ASSERT(count_kind(j, kind, doorbell, &at) > 0);
    CU_ASSERT(at > 0);
    if (rc != 1 || !at) fprintf(stderr, "%s %s:\n%s\n", driver, args, out);
    json_decref(j);
}

static void expect_clean(const char* driver, const char* args) {
    int rc = -1;
    json_t* j = run_json(driver, args, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(json_is_true(json_object_get(j, "data_ok")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 0);
    if (rc != 0) fprintf(stderr, "%s %s:\n%s\n", driver, args, out);
    json_decref(j);
}

/* The correct build: clean with both switches on, with and without an adversary. */
static void test_driver_correct_clean(void) {
    expect_clean("fidelity", SMALL);
    expect_clean("fidelity", SMALL " --set cache.adversary=random --seed 3");
    expect_clean("fidelity", SMALL " --set iommu.scatter=false --set dram.fresh_pages=zero");
}

/* The first page's address and the whole length: the engine runs into the unmapped page after
 * the first one. An IOMMU fault at the doorbell; the pages do not move with iommu.scatter=false,
 * and the same driver is clean. */
static void test_driver_contiguity_assumed(void) {
    expect_found("fidelity_contiguous", SMALL, "iommu-fault");
    expect_found("fidelity_contiguous", SMALL " --seed 9 --set dram.fresh_pages=zero", "iommu-fault");
    expect_clean("fidelity_contiguous", SMALL " --set iommu.scatter=false");
}

/* The self-test's fresh source is not cleaned: the engine reads DRAM's earlier bytes under the
 * kernel's dirty zero lines. A stale-device-read at the doorbell, the self-test sees nonzero
 * bytes; hidden with dram.fresh_pages=zero and on a coherent platform (the read snoops). */
static void test_driver_fresh_page_garbage(void) {
    expect_found("fidelity_fresh", SMALL, "stale-device-read");
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fidelity: self-test: byte 0 of a copied zero page is"));
    expect_found("fidelity_fresh", SMALL " --seed 5 --set iommu.scatter=false", "stale-device-read");
    expect_clean("fidelity_fresh", SMALL " --set dram.fresh_pages=zero");
    expect_clean("fidelity_fresh", SMALL " --set platform.coherent=true");
}

/* Same seed, same bytes: two runs with both switches on write identical JSON (the reference
 * driver, and each mistake with its findings); another seed scatters the pages elsewhere. */
static char* slurp(const char* path) {
    FILE* f = fopen(path, "rb");
    if (!f) return NULL;
    char* buf = NULL;
    size_t len = 0;
    FILE* m = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, n, m);
    fclose(m);
    fclose(f);
    return buf;
}

static void test_deterministic(void) {
    static const char* drivers[] = {"dmac", SL_DRIVER_DIR "/fidelity_contiguous.so", SL_DRIVER_DIR "/fidelity_fresh.so"};
    for (size_t d = 0; d < SL_COUNT(drivers); ++d) {
        char path[3][256], cmd[2048];
        char* text[3];
        for (int i = 0; i < 3; ++i) {
            snprintf(path[i], sizeof path[i], "/tmp/sl_test_fidelity_%d_%d.json", (int)getpid(), i);
            snprintf(cmd, sizeof cmd, "run --driver %s " SMALL " --seed %d --json %s", drivers[d], i < 2 ? 4 : 5,
                     path[i]);
            sl_test_staleline(cmd, &out);
            text[i] = slurp(path[i]);
            remove(path[i]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(text[i]);
        }
        CU_ASSERT(strlen(text[0]) > 100);
        CU_ASSERT_STRING_EQUAL(text[0], text[1]);
        CU_ASSERT(strcmp(text[0], text[2]) != 0);
        for (int i = 0; i < 3; ++i) free(text[i]);
    }
}

static const sl_test_t tests[] = {
    SL_TEST(test_scatter_paged_vmo),
    SL_TEST(test_scatter_unpin),
    SL_TEST(test_scatter_not_for_contiguous),
    SL_TEST(test_scatter_off),
    SL_TEST(test_fresh_pages_garbage),
    SL_TEST(test_fresh_pages_larger_than_cache),
    SL_TEST(test_fresh_pages_zero),
    SL_TEST(test_defaults_on),
    SL_TEST(test_driver_correct_clean),
    SL_TEST(test_driver_contiguity_assumed),
    SL_TEST(test_driver_fresh_page_garbage),
    SL_TEST(test_deterministic),
};

int main(int argc, char** argv) {
    int rc = sl_test_main(argc, argv, "fidelity", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
