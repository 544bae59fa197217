/* bus-master-left-enabled (docs/findings.md): a driver's release hook that returns with bus
 * mastering still on, or while its device is still working (DMA in flight), is a finding at the
 * hook; one that stops the device and turns bus mastering off first is clean. The drivers are
 * testbench/tests/drivers/busmaster (ScratchDevice) and drivers/inflight (the probe device). */
#include <dlfcn.h>

#include "syscall_conformance.h"

static void* module(const char* name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.so", SL_DRIVER_DIR, name);
    return dlopen(path, RTLD_NOW | RTLD_NOLOAD); /* the shim loaded it: the same module */
}

/* The driver under test (g_driver): loaded and bound to the device in `slot`. */
static const char* g_driver;
static sl_driver_t* load_and_bind(int slot) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.so", SL_DRIVER_DIR, g_driver);
    sl_driver_t* d = sl_driver_load(P, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_FATAL(slot >= 0);
    CU_ASSERT_EQUAL_FATAL(sl_driver_bind(d, (unsigned)slot), ZX_OK);
    return d;
}

/* Releases d; the driver's module, for the lines it publishes. */
static void* release(sl_driver_t* d) {
    CU_ASSERT_EQUAL_FATAL(sl_driver_release(d), ZX_OK);
    void* m = module(g_driver);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    return m;
}

/* Binds and releases the driver: one bus-master-left-enabled finding if it leaves mastering on. */
static void bind_release_body(void* arg) {
    (void)arg;
    sl_driver_t* d = load_and_bind(sl_pci_scratch_slot(P));
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "bus-master-left-enabled"), 0); /* not before release */
    void* m = release(d);
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

/* DMA in flight at release (drivers/inflight, the probe device): a release that turns bus
 * mastering off and unpins without waiting for the device is the finding at the release hook,
 * and the device's next access is refused; one that waits first is clean. */
static void inflight_body(void* arg) {
    (void)arg;
    void* m = release(load_and_bind(sl_platform_device_slot(P, "probe")));
    const int* release_line = dlsym(m, "inflight_release_line");
    CU_ASSERT_PTR_NOT_NULL_FATAL(release_line);
    const int no_wait = strstr(g_driver, "no_wait") != NULL;
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "bus-master-left-enabled"), no_wait ? 1 : 0);
    for (size_t i = 0; i < sl_checker_finding_count(CHK); ++i) {
        sl_finding_t f;
        CU_ASSERT_EQUAL_FATAL(sl_checker_get_finding(CHK, i, &f), 0);
        if (strcmp(f.kind, "bus-master-left-enabled")) continue;
        CU_ASSERT_EQUAL(f.location.line, (unsigned)*release_line);
        CU_ASSERT_STRING_EQUAL(f.location.function, "inflight_release");
        CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "returned with DMA in flight"));
        CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "bus mastering is off"));
        CU_ASSERT_PTR_NULL(strstr(f.message, "enabled at"));
    }
    /* Let the device's delayed write come: refused (bus mastering off), not into the page. */
    sl_wait_ns(2000000);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "bus-master-disabled"), no_wait ? 1 : 0);
    dlclose(m);
}

static void run_inflight(const char* name) {
    static const char* const cfg[] = {"platform.devices=sl-probe-model,name=probe,delay_ns=1000000", NULL};
    g_driver = name;
    sc_run(cfg, 1, inflight_body);
}

static void test_release_with_dma_in_flight(void) { run_inflight("inflight_no_wait"); }
static void test_release_waits_for_the_device(void) { run_inflight("inflight"); }

/* Bus mastering turned on by the test itself (no driver, no release): nothing to report. */
SC_CASE_CHECKED(test_no_release_no_finding) {
    CU_ASSERT_EQUAL(pci_enable_bus_master(&PCI, true), ZX_OK);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "bus-master-left-enabled"), 0);
}

static const sl_test_t tests[] = {
    SL_TEST(test_release_leaves_bus_master_on),
    SL_TEST(test_release_disables_bus_master),
    SL_TEST(test_no_release_no_finding),
    SL_TEST(test_release_with_dma_in_flight),
    SL_TEST(test_release_waits_for_the_device),
};

int main(int argc, char** argv) {
    return sl_test_main(argc, argv, "bus-master-release", tests, SL_COUNT(tests));
}
