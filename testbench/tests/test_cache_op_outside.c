/* cache-op-outside-mapping (docs/findings.md): a cache operation given the end of its range
 * where it takes a size. zx_vmo_op_range past the VMO's end returns ZX_ERR_OUT_OF_RANGE
 * ("An invalid memory range specified by offset and size", zx_vmo_op_range's reference page)
 * and maintains nothing; zx_cache_flush past a mapping faults ("If that range of memory is not
 * readable, then the thread may fault as it would for a data read", zx_cache_flush's page).
 * Both are a finding at the driver's call. The driver code is testbench/tests/drivers/cacheop. */
#include <dlfcn.h>

#include "syscall_conformance.h"

static void* g_module;

static void* load_cacheop(void) {
    sl_driver_t* d = sl_driver_load(P, SL_DRIVER_DIR "/cacheop.so");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    g_module = dlopen(SL_DRIVER_DIR "/cacheop.so", RTLD_NOW | RTLD_NOLOAD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_module);
    return g_module;
}

static int line(void) { return *(const int*)dlsym(g_module, "cacheop_line"); }

/* The one cache-op-outside-mapping finding is at cacheop.c:`at`. */
static void expect_finding(int at, const char* text) {
    CU_ASSERT_EQUAL_FATAL(sl_checker_count_kind(CHK, "cache-op-outside-mapping"), 1);
    for (size_t i = 0; i < sl_checker_finding_count(CHK); ++i) {
        sl_finding_t f;
        CU_ASSERT_EQUAL_FATAL(sl_checker_get_finding(CHK, i, &f), 0);
        if (strcmp(f.kind, "cache-op-outside-mapping")) continue;
        CU_ASSERT_PTR_NOT_NULL(strstr(f.location.file, "drivers/cacheop/cacheop.c"));
        CU_ASSERT_EQUAL(f.location.line, (unsigned)at);
        CU_ASSERT_PTR_NOT_NULL(strstr(f.message, text));
        if (!strstr(f.message, text)) fprintf(stderr, "message: %s\n", f.message);
    }
}

/* The end offset as the size: ZX_ERR_OUT_OF_RANGE, a finding at the call, and the dirty line
 * the clean was meant for is still dirty (nothing was maintained). */
SC_CASE_CHECKED(test_vmo_op_range_past_end) {
    load_cacheop();
    zx_status_t (*clean_to_end)(zx_handle_t, uint64_t, uint64_t) = (zx_status_t(*)(zx_handle_t, uint64_t, uint64_t))
        dlsym(g_module, "cacheop_clean_to_end");
    CU_ASSERT_PTR_NOT_NULL_FATAL(clean_to_end);
    zx_handle_t vmo = sc_vmo(PAGE);
    const uint8_t byte = 0x5a;
    CU_ASSERT_EQUAL(zx_vmo_write(vmo, &byte, 0x800, 1), ZX_OK);
    CU_ASSERT_EQUAL(clean_to_end(vmo, 0x800, PAGE), ZX_ERR_OUT_OF_RANGE);
    expect_finding(line(), "past the end, ZX_ERR_OUT_OF_RANGE, nothing cleaned or invalidated");
    /* offset 0: the end is the size, and the call is right */
    CU_ASSERT_EQUAL(clean_to_end(vmo, 0, PAGE), ZX_OK);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "cache-op-outside-mapping"), 1);
    /* an operation that is not a cache operation past the end: an error, not this finding */
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0x800, PAGE, NULL, 0), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "cache-op-outside-mapping"), 1);
}

/* The size within the mapping: no finding. */
SC_CASE_CHECKED(test_cache_flush_within_mapping) {
    load_cacheop();
    zx_status_t (*flush)(void*, void*) = (zx_status_t(*)(void*, void*))dlsym(g_module, "cacheop_flush");
    uint8_t* p = sc_map(sc_vmo(PAGE), PAGE, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
    CU_ASSERT_EQUAL(flush(p + 64, p + PAGE), ZX_OK);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "cache-op-outside-mapping"), 0);
    CU_ASSERT_EQUAL(sl_checker_finding_count(CHK), 0);
}

/* The end address as the size: the flush runs off the mapping; the finding at the call, then
 * the fault there (the run stops: the case's own platform, run by hand). */
static void flush_past_body(void* arg) {
    (void)arg;
    load_cacheop();
    zx_status_t (*flush_to_end)(void*, void*) = (zx_status_t(*)(void*, void*))dlsym(g_module, "cacheop_flush_to_end");
    uint8_t* p = sc_map(sc_vmo(PAGE), PAGE, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
    flush_to_end(p + 64, p + PAGE);
    CU_FAIL("zx_cache_flush past the mapping returned");
}

static void test_cache_flush_past_mapping(void) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.scratch_device", "true"), 0);
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CHK = sl_checker_attach(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(CHK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl_shim_attach(P, (unsigned)sl_pci_scratch_slot(P)));
    sl_shim_set_log(fopen("/dev/null", "w"));
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "case", flush_past_body, NULL), 0);
    sl_platform_run(P, 0);
    expect_finding(line(), "covers memory the driver does not map");
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "driver-fault"), 1);
    sl_platform_destroy(P);
}

static const sl_test_t tests[] = {
    SL_TEST(test_vmo_op_range_past_end),
    SL_TEST(test_cache_flush_within_mapping),
    SL_TEST(test_cache_flush_past_mapping),
};

int main(int argc, char** argv) {
    return sl_test_main(argc, argv, "cache-op-outside", tests, SL_COUNT(tests));
}
