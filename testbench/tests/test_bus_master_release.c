/* bus-master-left-enabled (docs/findings.md): a driver's release hook that returns with bus
 * mastering still on is a finding at the hook, naming the call that turned it on; one that turns
 * it off is clean. The drivers are testbench/tests/drivers/busmaster (ScratchDevice). */
#include <dlfcn.h>

#include "syscall_conformance.h"

static void* module(const char* name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.so", SL_DRIVER_DIR, name);
    return dlopen(path, RTLD_NOW | RTLD_NOLOAD); /* the shim loaded it: the same module */
}

/* Binds and releases driver `name`; returns how many bus-master-left-enabled findings came. */
static const char* g_driver;
static void bind_release_body(void* arg) {
    (void)arg;
    char path[512];
    snprintf(path, sizeof path, "%s/%s.so", SL_DRIVER_DIR, g_driver);
    sl_driver_t* d = sl_driver_load(P, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL_FATAL(sl_driver_bind(d, (unsigned)sl_pci_scratch_slot(P)), ZX_OK);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "bus-master-left-enabled"), 0); /* not before release */
    CU_ASSERT_EQUAL_FATAL(sl_driver_release(d), ZX_OK);
    void* m = module(g_driver);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    const int* enable_line = dlsym(m, "busmaster_enable_line");
    const int* release_line = dlsym(m, "busmaster_release_line");
    CU_ASSERT_PTR_NOT_NULL_FATAL(enable_line);
    CU_ASSERT_PTR_NOT_NULL_FATAL(release_line);
    const int left_on = strstr(g_driver, "left_on") != NULL;
    CU_ASSERT_EQUAL_FATAL(sl_checker_count_kind(CHK, "bus-master-left-enabled"), left_on ? 1 : 0);
    for (size_t i = 0; i < sl_checker_finding_count(CHK); ++i) {
        sl_finding_t f;
        CU_ASSERT_EQUAL_FATAL(sl_checker_get_finding(CHK, i, &f), 0);
        if (strcmp(f.kind, "bus-master-left-enabled")) continue;
        CU_ASSERT_PTR_NOT_NULL(strstr(f.location.file, "drivers/busmaster/busmaster.c"));
        CU_ASSERT_EQUAL(f.location.line, (unsigned)*release_line);
        CU_ASSERT_STRING_EQUAL(f.location.function, "busmaster_release");
        char at[64];
        snprintf(at, sizeof at, "busmaster.c:%d (busmaster_bind)", *enable_line);
        CU_ASSERT_PTR_NOT_NULL(strstr(f.message, at));
        CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "release of device 'busmaster' returned with bus mastering still "
                                                 "enabled on PCI slot"));
        if (!strstr(f.message, at)) fprintf(stderr, "message: %s\n", f.message);
    }
    /* nothing else: the driver is otherwise correct */
    CU_ASSERT_EQUAL(sl_checker_finding_count(CHK), left_on ? 1u : 0u);
    dlclose(m);
}

static void run_driver(const char* name) {
    g_driver = name;
    sc_run(NULL, 1, bind_release_body);
}

static void test_release_leaves_bus_master_on(void) { run_driver("busmaster_left_on"); }
static void test_release_disables_bus_master(void) { run_driver("busmaster"); }

/* Bus mastering turned on by the test itself (no driver, no release): nothing to report. */
SC_CASE_CHECKED(test_no_release_no_finding) {
    CU_ASSERT_EQUAL(pci_enable_bus_master(&PCI, true), ZX_OK);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "bus-master-left-enabled"), 0);
}

static const sl_test_t tests[] = {
    SL_TEST(test_release_leaves_bus_master_on),
    SL_TEST(test_release_disables_bus_master),
    SL_TEST(test_no_release_no_finding),
};

int main(int argc, char** argv) {
    return sl_test_main(argc, argv, "bus-master-release", tests, SL_COUNT(tests));
}
