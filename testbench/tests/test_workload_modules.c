/* Workload modules (staleline/workload.h, staleline_add_workload): one written against the
 * public API only (workload_fixtures/wl_pattern.c) is found by name and by path, listed, and
 * runs like a built-in one; its plain loads of DMA memory go through the cache model, so a
 * missing invalidate in the driver shows up there as data; bad names and files are usage
 * errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_test.h"

/* The caller frees *out after each call (it is not reused). */
static int staleline(const char* args, char** out) {
    *out = NULL;
    return sl_test_staleline(args, out);
}

static void test_by_name(void) {
    char* out = NULL;
    CU_ASSERT_EQUAL(staleline("run --workload pattern --seed 3", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "workload pattern, seed 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "data:       VERIFIED (24 operations"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "findings:   0"));
    free(out);
}

static void test_by_path_same_result(void) {
    char *a = NULL, *b = NULL, args[1024];
    snprintf(args, sizeof args, "run --workload %s/pattern.so --set workload.transfers=8", SL_WORKLOAD_DIR);
    CU_ASSERT_EQUAL(staleline(args, &a), 0);
    CU_ASSERT_EQUAL(staleline("run --workload pattern --set workload.transfers=8", &b), 0);
    CU_ASSERT_STRING_EQUAL(a, b);
    free(a);
    free(b);
}

static void test_listed(void) {
    char* out = NULL;
    CU_ASSERT_EQUAL(staleline("run --list-workloads", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "copy             dma-xfer"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "pattern          dma-xfer  FILL, then check through a mapping"));
    free(out);
}

/* The driver forgets to invalidate: the module's own plain loads read stale bytes or the
 * driver's status reads fail; either way the run is wrong and the finding names driver code. */
static void test_bug_seen_through_module(void) {
    char* out = NULL;
    CU_ASSERT_EQUAL(staleline("run --workload pattern --driver bug:missing-invalidate --set workload.transfers=4", &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "data:       WRONG"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "stale-cpu-read at driver/dmac/"));
    free(out);
}

static void test_bad_workloads(void) {
    char* out = NULL;
    CU_ASSERT_EQUAL(staleline("run --workload no-such-workload", &out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown workload 'no-such-workload'"));
    free(out);
    char args[1024];
    snprintf(args, sizeof args, "run --workload %s/dmac.so", SL_DRIVER_DIR);
    CU_ASSERT_EQUAL(staleline(args, &out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "not a workload module"));
    free(out);
    CU_ASSERT_EQUAL(staleline("run --workload /nonexistent/w.so", &out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "no workload module /nonexistent/w.so"));
    free(out);
    /* A workload for a protocol the driver's device does not offer. */
    CU_ASSERT_EQUAL(staleline("run --workload ethmac-loopback", &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "published no device with the ethmac protocol (workload ethmac-loopback drives it)"));
    free(out);
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_by_name), SL_TEST(test_by_path_same_result), SL_TEST(test_listed),
        SL_TEST(test_bug_seen_through_module), SL_TEST(test_bad_workloads),
    };
    return sl_test_main(argc, argv, "workload_modules", tests, SL_COUNT(tests));
}
