/* Conformance of the BTI and PMT calls to their reference pages: every sentence of the ERRORS
 * section of zx_bti_pin, zx_pmt_unpin and zx_bti_release_quarantine (Fuchsia's
 * docs/reference/syscalls/<name>.md) is one case below, quoting it; conditions the model cannot
 * produce are listed in docs/api-coverage.md ("Documented errors not reproduced").
 *
 * The misuses of zx_pmt_unpin (a double unpin, the unpin of a handle that is not a PMT, the
 * unpin of a PMT another driver pinned) are findings (bad-unpin) at the line of the call: the
 * test_bad_unpin_* cases.
 *
 * Elsewhere: the quarantine across a re-obtained BTI handle and ZX_ERR_BAD_STATE for a pin on a
 * BTI with quarantined PMTs (test_ddk_conformance, test_quarantine_survives_new_bti_handle);
 * the device addresses written through the cache (test_syscall_results_through_cache). */
#include <dlfcn.h>

#include "syscall_conformance.h"

/* ------------------------------------------------------------- zx_bti_pin ---- */

/* bti_pin.md: "ZX_ERR_BAD_HANDLE handle or vmo is not a valid handle." */
SC_CASE(test_bti_pin_bad_handle) {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(PAGE), pmt;
    zx_paddr_t a;
    CU_ASSERT_EQUAL(zx_bti_pin(bti ^ BAD_BIT, ZX_BTI_PERM_READ, vmo, 0, PAGE, &a, 1, &pmt), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo ^ BAD_BIT, 0, PAGE, &a, 1, &pmt), ZX_ERR_BAD_HANDLE);
}

/* bti_pin.md: "ZX_ERR_WRONG_TYPE handle is not a BTI handle or vmo is not a VMO handle." */
SC_CASE(test_bti_pin_wrong_type) {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(PAGE), pmt;
    zx_paddr_t a;
    CU_ASSERT_EQUAL(zx_bti_pin(vmo, ZX_BTI_PERM_READ, vmo, 0, PAGE, &a, 1, &pmt), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, bti, 0, PAGE, &a, 1, &pmt), ZX_ERR_WRONG_TYPE);
}

/* bti_pin.md: "ZX_ERR_ACCESS_DENIED handle or vmo does not have the ZX_RIGHT_MAP, or options
 * contained a permissions flag corresponding to a right that vmo does not have." ("Note:
 * ZX_BTI_PERM_EXECUTE requires ZX_RIGHT_READ, not ZX_RIGHT_EXECUTE.") */
SC_CASE(test_bti_pin_access_denied) {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(PAGE), pmt;
    zx_paddr_t a;
    CU_ASSERT_EQUAL(zx_bti_pin(sc_without(bti, ZX_RIGHT_MAP), ZX_BTI_PERM_READ, vmo, 0, PAGE, &a, 1, &pmt),
                    ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, sc_without(vmo, ZX_RIGHT_MAP), 0, PAGE, &a, 1, &pmt),
                    ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, sc_without(vmo, ZX_RIGHT_READ), 0, PAGE, &a, 1, &pmt),
                    ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_WRITE, sc_without(vmo, ZX_RIGHT_WRITE), 0, PAGE, &a, 1, &pmt),
                    ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_EXECUTE, sc_without(vmo, ZX_RIGHT_READ), 0, PAGE, &a, 1, &pmt),
                    ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_EXECUTE, vmo, 0, PAGE, &a, 1, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
}

/* bti_pin.md: "ZX_ERR_INVALID_ARGS options is 0 or contains an undefined flag, either addrs or
 * pmt is not a valid pointer, num_addrs is not the same as the number of entries that would be
 * returned, or offset or size is not page-aligned." */
SC_CASE(test_bti_pin_invalid_args) {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(2 * PAGE), pmt;
    zx_paddr_t a[3];
    void* ro = sc_read_only_page();
    CU_ASSERT_EQUAL(zx_bti_pin(bti, 0, vmo, 0, PAGE, a, 1, &pmt), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ | (1u << 5), vmo, 0, PAGE, a, 1, &pmt), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, NULL, 1, &pmt), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, a, 1, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, (zx_paddr_t*)ro, 1, &pmt), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, a, 1, (zx_handle_t*)ro), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, 2 * PAGE, a, 1, &pmt), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, 2 * PAGE, a, 3, &pmt), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 8, PAGE, a, 1, &pmt), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE + 8, a, 2, &pmt), ZX_ERR_INVALID_ARGS);
    /* none of them left a pin behind */
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 0);
}

/* bti_pin.md: "ZX_ERR_OUT_OF_RANGE offset + size is out of the bounds of vmo." */
SC_CASE(test_bti_pin_out_of_range) {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(2 * PAGE), pmt;
    zx_paddr_t a[2];
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, PAGE, 2 * PAGE, a, 2, &pmt), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, UINT64_MAX & ~4095ull, 2 * PAGE, a, 2, &pmt),
                    ZX_ERR_OUT_OF_RANGE);
}

/* bti_pin.md: "ZX_ERR_UNAVAILABLE (Temporary) At least one page in the requested range could
 * not be pinned at this time." Not reproduced: pages are committed at creation and may be
 * pinned any number of times at once. */
SC_CASE(test_bti_pin_never_unavailable) {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(PAGE), pmt[4];
    zx_paddr_t a;
    for (int i = 0; i < 4; ++i) CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &a, 1, &pmt[i]), ZX_OK);
    for (int i = 0; i < 4; ++i) CU_ASSERT_EQUAL(zx_pmt_unpin(pmt[i]), ZX_OK);
}

/* bti_pin.md: "ZX_ERR_NO_MEMORY Failure due to lack of memory." Here: the BTI's device
 * address space runs out. With iommu.levels=2 device addresses have 30 bits and a BTI hands
 * out the upper 512 MiB; pins of 64 MiB (each with a guard page, at 2 MiB alignment) fill it
 * after seven. Unpinning gives the addresses back. */
#define BIG (64u << 20)
/* One run of device addresses per pin: a scattered pin takes a block twice its size. */
SC_CASE_CONFIG(test_bti_pin_no_memory, "iommu.levels=2", "iommu.scatter=false") {
    zx_handle_t bti = sc_bti(), big = sc_vmo(BIG), pmt[16];
    static zx_paddr_t a[BIG / PAGE];
    size_t n = 0;
    zx_status_t st;
    while (n < 16 && (st = zx_bti_pin(bti, ZX_BTI_PERM_READ, big, 0, BIG, a, BIG / PAGE, &pmt[n])) == ZX_OK) ++n;
    CU_ASSERT_EQUAL(st, ZX_ERR_NO_MEMORY);
    CU_ASSERT_EQUAL(n, 7);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), n); /* the failed pin left nothing behind */
    for (size_t i = 0; i < n; ++i) CU_ASSERT_EQUAL(zx_pmt_unpin(pmt[i]), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, big, 0, BIG, a, BIG / PAGE, &pmt[0]), ZX_OK);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt[0]), ZX_OK);
}

/* ----------------------------------------------------------- zx_pmt_unpin ---- */

/* pmt_unpin.md: "ZX_ERR_BAD_HANDLE handle is not a valid handle." A value that never named a
 * PMT is only that: no finding. */
SC_CASE_CHECKED(test_pmt_unpin_bad_handle) {
    CU_ASSERT_EQUAL(zx_pmt_unpin(sc_vmo(PAGE) ^ BAD_BIT), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_pmt_unpin(ZX_HANDLE_INVALID), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(sl_shim_warning_count(), 0);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "bad-unpin"), 0);
}

/* pmt_unpin.md: "ZX_ERR_WRONG_TYPE handle is not a PMT handle." and "Always consumes handle."
 * (The finding this misuse is: test_bad_unpin_not_a_pmt.) */
SC_CASE(test_pmt_unpin_wrong_type) {
    zx_handle_t vmo = sc_vmo(PAGE);
    uint64_t size;
    CU_ASSERT_EQUAL(zx_pmt_unpin(vmo), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_vmo_get_size(vmo, &size), ZX_ERR_BAD_HANDLE); /* consumed */
}

/* ---------------------------------------------- zx_bti_release_quarantine ---- */

/* bti_release_quarantine.md: "ZX_ERR_BAD_HANDLE handle is not a valid handle." */
SC_CASE(test_bti_release_quarantine_bad_handle) {
    CU_ASSERT_EQUAL(zx_bti_release_quarantine(sc_bti() ^ BAD_BIT), ZX_ERR_BAD_HANDLE);
}

/* bti_release_quarantine.md: "ZX_ERR_WRONG_TYPE handle is not a BTI handle." */
SC_CASE(test_bti_release_quarantine_wrong_type) {
    CU_ASSERT_EQUAL(zx_bti_release_quarantine(sc_vmo(PAGE)), ZX_ERR_WRONG_TYPE);
}

/* bti_release_quarantine.md: "ZX_ERR_ACCESS_DENIED handle does not have the ZX_RIGHT_WRITE
 * right." */
SC_CASE(test_bti_release_quarantine_access_denied) {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(PAGE), pmt;
    zx_paddr_t a;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &a, 1, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(zx_handle_close(pmt), ZX_OK); /* quarantined */
    CU_ASSERT_EQUAL(zx_bti_release_quarantine(sc_without(bti, ZX_RIGHT_WRITE)), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 1);
    CU_ASSERT_EQUAL(zx_bti_release_quarantine(bti), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 0);
}

/* -------------------------------------------------------------- bad-unpin ---- */

/* The finding of kind `kind` at `line` of this file, with the checker's location. */
static void expect_finding_at(const char* kind, unsigned line, const char* text) {
    CU_ASSERT_EQUAL_FATAL(sl_checker_count_kind(CHK, kind), 1);
    for (size_t i = 0; i < sl_checker_finding_count(CHK); ++i) {
        sl_finding_t f;
        CU_ASSERT_EQUAL_FATAL(sl_checker_get_finding(CHK, i, &f), 0);
        if (strcmp(f.kind, kind)) continue;
        CU_ASSERT_PTR_NOT_NULL(strstr(f.location.file, "test_syscall_conformance_bti.c"));
        CU_ASSERT_EQUAL(f.location.line, line);
        CU_ASSERT_PTR_NOT_NULL(strstr(f.message, text));
    }
}

/* A second zx_pmt_unpin of the same value: ZX_ERR_BAD_HANDLE, and a bad-unpin finding at the
 * second call naming the first. */
SC_CASE_CHECKED(test_bad_unpin_double) {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(PAGE), pmt;
    zx_paddr_t a;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &a, 1, &pmt), ZX_OK);
    const unsigned first = __LINE__ + 1;
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "bad-unpin"), 0);
    const unsigned line = __LINE__ + 1;
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_ERR_BAD_HANDLE);
    char where[64];
    snprintf(where, sizeof where, "test_syscall_conformance_bti.c:%u", first);
    expect_finding_at("bad-unpin", line, where);
    CU_ASSERT_EQUAL(sl_shim_warning_count(), 1);
    char kind[32];
    CU_ASSERT_EQUAL(sl_shim_warning(0, kind, sizeof kind, NULL, 0), 0);
    CU_ASSERT_STRING_EQUAL(kind, "bad-unpin");
    CU_ASSERT_EQUAL(sl_checker_end_of_run(CHK), 0);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "leaked-pin"), 0); /* the first unpin did its work */
}

/* zx_pmt_unpin of a handle that is not a PMT: ZX_ERR_WRONG_TYPE, the handle closed, and a
 * bad-unpin finding at the call naming the object type. */
SC_CASE_CHECKED(test_bad_unpin_not_a_pmt) {
    zx_handle_t bti = sc_bti(), vmo = sc_vmo(PAGE), pmt;
    zx_paddr_t a;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &a, 1, &pmt), ZX_OK);
    const unsigned line = __LINE__ + 1;
    CU_ASSERT_EQUAL(zx_pmt_unpin(vmo), ZX_ERR_WRONG_TYPE);
    expect_finding_at("bad-unpin", line, "a VMO handle and not a PMT");
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK); /* the PMT itself unpins fine */
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "bad-unpin"), 1);
}

/* The finding reaches the checker's JSON (and so SARIF) like every other kind. */
SC_CASE_CHECKED(test_bad_unpin_in_json) {
    zx_handle_t bti = sc_bti();
    CU_ASSERT_EQUAL(zx_pmt_unpin(bti), ZX_ERR_WRONG_TYPE);
    char* json = sl_checker_findings_json(CHK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"bad-unpin\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "a BTI handle and not a PMT"));
    free(json);
}

/* A driver unpins a PMT another driver pinned on its own device's BTI: one process, one handle
 * table, so the value reaches it. Zircon unpins it (ZX_OK); the finding is at the unpinning
 * driver's line and names both drivers. Two drivers of testbench/tests/drivers/unpin_other on
 * two ScratchDevices: A pins at bind, B unpins A's PMT at bind. */
static void* driver_module(const char* name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.so", SL_DRIVER_DIR, name);
    return dlopen(path, RTLD_NOW | RTLD_NOLOAD); /* the shim loaded it: the same module */
}

static void other_driver_body(void* arg) {
    (void)arg;
    sl_driver_t* a = sl_driver_load(P, SL_DRIVER_DIR "/unpin_other_a.so");
    sl_driver_t* b = sl_driver_load(P, SL_DRIVER_DIR "/unpin_other_b.so");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL_FATAL(sl_driver_bind(a, 0), ZX_OK);
    void* ma = driver_module("unpin_other_a");
    void* mb = driver_module("unpin_other_b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ma);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
    const zx_handle_t* pmt = dlsym(ma, "unpin_other_pmt");
    zx_handle_t* victim = dlsym(mb, "unpin_other_victim");
    const zx_status_t* status = dlsym(mb, "unpin_other_status");
    const int* line = dlsym(mb, "unpin_other_line");
    CU_ASSERT_PTR_NOT_NULL_FATAL(pmt);
    CU_ASSERT_PTR_NOT_NULL_FATAL(victim);
    CU_ASSERT_EQUAL_FATAL(sl_shim_live_pin_count(), 1);
    *victim = *pmt;
    CU_ASSERT_EQUAL_FATAL(sl_driver_bind(b, 1), ZX_OK);
    CU_ASSERT_EQUAL(*status, ZX_OK); /* Zircon lets it pass */
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 0);
    CU_ASSERT_EQUAL_FATAL(sl_checker_count_kind(CHK, "bad-unpin"), 1);
    for (size_t i = 0; i < sl_checker_finding_count(CHK); ++i) {
        sl_finding_t f;
        CU_ASSERT_EQUAL_FATAL(sl_checker_get_finding(CHK, i, &f), 0);
        if (strcmp(f.kind, "bad-unpin")) continue;
        CU_ASSERT_PTR_NOT_NULL(strstr(f.location.file, "unpin_other.c"));
        CU_ASSERT_EQUAL(f.location.line, (unsigned)*line);
        CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "by driver unpin_other_b of a PMT that driver unpin_other_a pinned"));
    }
    dlclose(ma);
    dlclose(mb);
}
static void test_bad_unpin_other_driver(void) {
    static const char* const cfg[] = {"platform.devices=scratch", NULL}; /* and pci.scratch_device */
    sc_run(cfg, 1, other_driver_body);
}

static const sl_test_t tests[] = {
    SL_TEST(test_bti_pin_bad_handle),
    SL_TEST(test_bti_pin_wrong_type),
    SL_TEST(test_bti_pin_access_denied),
    SL_TEST(test_bti_pin_invalid_args),
    SL_TEST(test_bti_pin_out_of_range),
    SL_TEST(test_bti_pin_never_unavailable),
    SL_TEST(test_bti_pin_no_memory),
    SL_TEST(test_pmt_unpin_bad_handle),
    SL_TEST(test_pmt_unpin_wrong_type),
    SL_TEST(test_bti_release_quarantine_bad_handle),
    SL_TEST(test_bti_release_quarantine_wrong_type),
    SL_TEST(test_bti_release_quarantine_access_denied),
    SL_TEST(test_bad_unpin_double),
    SL_TEST(test_bad_unpin_not_a_pmt),
    SL_TEST(test_bad_unpin_in_json),
    SL_TEST(test_bad_unpin_other_driver),
};

int main(int argc, char** argv) {
    return sl_test_main(argc, argv, "syscall-conformance-bti", tests, SL_COUNT(tests));
}
