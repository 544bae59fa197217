/* `staleline run` end to end: the reference driver with every workload, the JSON result and
 * its keys, determinism (two runs, byte-identical JSON), exit statuses 0/1/2, --help and the
 * lists, and a user's driver built with staleline_add_driver() and loaded by path (correct,
 * buggy, and lacking an operation). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"

#define SMALL "--set workload.transfers=8 --set workload.max_size=64k"

static char* out;

/* Run `staleline run ARGS`; stdout+stderr in `out`. */
static int run(const char* args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s run %s", sl_test_bin("staleline"), args);
    free(out);
    out = NULL;
    int rc = sl_test_run(cmd, &out);
    if (!out) out = strdup("");
    return rc;
}

static const char* tmp_path(const char* tag) { return sl_test_tmp_path("run", tag); }

static char* slurp(const char* path) { return sl_test_slurp(path, NULL); }

static void test_default_run_verifies_data(void) {
    int rc = run("");
    if (rc) fprintf(stderr, "%s", out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "data:       VERIFIED (24 operations"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "driver dmac, workload copy, seed 1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "0 bad bytes, 0 failed operations"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "findings:   0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "interrupts (MSI)"));
}

static void test_json_keys(void) {
    char args[512];
    const char* path = tmp_path("keys.json");
    snprintf(args, sizeof args, SMALL " --json %s", path);
    CU_ASSERT_EQUAL(run(args), 0);
    char* text = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    json_t* j = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    CU_ASSERT(sl_test_json_int(j, "sim_time_ns", NULL, NULL, NULL) > 0);
    CU_ASSERT_TRUE(json_is_array(json_object_get(j, "findings")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "driver")), "dmac");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "workload")), "copy");
    /* The workload's counts and the driver's agree. */
    CU_ASSERT_EQUAL(sl_test_json_int(j, "workload_result", "operations", NULL, NULL), 8);
    CU_ASSERT_EQUAL(sl_test_json_int(j, "stats", "dma", "transfers", NULL), 8);
    CU_ASSERT_EQUAL(sl_test_json_int(j, "stats", "dma", "bytes", NULL), sl_test_json_int(j, "workload_result", "bytes", NULL, NULL));
    CU_ASSERT_EQUAL(sl_test_json_int(j, "workload_result", "bad_bytes", NULL, NULL), 0);
    CU_ASSERT(sl_test_json_int(j, "workload_result", "bytes_checked", NULL, NULL) > sl_test_json_int(j, "workload_result", "bytes", NULL, NULL));
    CU_ASSERT_EQUAL(sl_test_json_int(j, "stats", "dma", "crc_mismatches", NULL), 0);
    CU_ASSERT_EQUAL(sl_test_json_int(j, "stats", "dma", "crc_checked", NULL), sl_test_json_int(j, "stats", "dma", "descriptors", NULL));
    CU_ASSERT(sl_test_json_int(j, "stats", "dma", "interrupts", NULL) >= 1);
    /* The models' statistics. */
    CU_ASSERT(sl_test_json_int(j, "stats", "cache", "accesses", NULL) > 0);
    CU_ASSERT(sl_test_json_int(j, "stats", "cache", "cleans", NULL) > 0);
    CU_ASSERT(sl_test_json_int(j, "stats", "cache", "invalidates", NULL) > 0);
    CU_ASSERT(sl_test_json_int(j, "stats", "iotlb", "lookups", NULL) > 0);
    CU_ASSERT_EQUAL(sl_test_json_int(j, "stats", "iotlb", "faults", NULL), 0);
    CU_ASSERT(sl_test_json_int(j, "stats", "irq", "msi_messages", NULL) >= 1);
    CU_ASSERT_EQUAL(sl_test_json_int(j, "stats", "shim", "live_pins", NULL), 0);
    CU_ASSERT_EQUAL(sl_test_json_int(j, "stats", "shim", "pins", NULL), sl_test_json_int(j, "stats", "shim", "unpins", NULL));
    json_decref(j);
    free(text);
    unlink(path);
}

static void test_json_is_deterministic(void) {
    char args[512];
    const char *a = tmp_path("a.json"), *b = tmp_path("b.json"), *c = tmp_path("c.json");
    snprintf(args, sizeof args, SMALL " --set workload.queue_depth=3 --seed 7 --json %s", a);
    CU_ASSERT_EQUAL(run(args), 0);
    snprintf(args, sizeof args, SMALL " --set workload.queue_depth=3 --seed 7 --json %s", b);
    CU_ASSERT_EQUAL(run(args), 0);
    snprintf(args, sizeof args, SMALL " --set workload.queue_depth=3 --seed 8 --json %s", c);
    CU_ASSERT_EQUAL(run(args), 0);
    char *ta = slurp(a), *tb = slurp(b), *tc = slurp(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ta);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tc);
    CU_ASSERT(strlen(ta) > 100);
    CU_ASSERT_STRING_EQUAL(ta, tb);
    CU_ASSERT(strcmp(ta, tc) != 0); /* another seed, other transfers */
    free(ta);
    free(tb);
    free(tc);
    unlink(a);
    unlink(b);
    unlink(c);
}

static void test_blockio_and_fill(void) {
    int rc = run("--workload blockio " SMALL " --set workload.block_size=256");
    if (rc) fprintf(stderr, "%s", out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "workload blockio"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "VERIFIED"));
    rc = run("--workload fill " SMALL " --set workload.queue_depth=1");
    if (rc) fprintf(stderr, "%s", out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "VERIFIED (8 operations"));
}

static void test_legacy_interrupts_and_sync(void) {
    int rc = run("--set pci.msi=false --set workload.queue_depth=1 " SMALL);
    if (rc) fprintf(stderr, "%s", out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "interrupts (legacy)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "interrupts: 0 MSI messages"));
}

/* A correct driver stays correct, with no findings, when the cache prefetches and evicts at
 * the worst moments, with queued transfers and scattered pages. */
static void test_adversarial_cache(void) {
    static const char* const runs[] = {
        "--workload copy --set cache.adversary=random --set workload.queue_depth=3",
        "--workload blockio --set cache.adversary=random --set workload.queue_depth=3",
        "--workload fill --set cache.adversary=evict --set iommu.mode=bypass --set workload.queue_depth=2",
        "--workload copy --set cache.adversary=prefetch --set cache.line=256 --set workload.queue_depth=5",
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; ++i) {
        char args[512];
        snprintf(args, sizeof args, "%s --seed 5 --set cache.adversary_rate=0.5 " SMALL, runs[i]);
        int rc = run(args);
        if (rc) fprintf(stderr, "%s\n%s", args, out);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "findings:   0"));
    }
}

static void test_usage_errors_exit_2(void) {
    CU_ASSERT_EQUAL(run("--workload nosuch"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown workload 'nosuch' (see --list-workloads; tried"));
    CU_ASSERT_EQUAL(run("--driver nosuch"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot load driver 'nosuch'"));
    CU_ASSERT_EQUAL(run("--driver /nonexistent/dir/x.so"), 2);
    CU_ASSERT_EQUAL(run("--set cache.ways=3"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "configuration error"));
    CU_ASSERT_EQUAL(run("--set workload.nosuch=1"), 2);
    CU_ASSERT_EQUAL(run("--set workload.min_size=2k --set workload.max_size=1k"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "workload.min_size"));
    CU_ASSERT_EQUAL(run("--frobnicate"), 2);
    CU_ASSERT_EQUAL(run("extra"), 2);
    CU_ASSERT_EQUAL(run("--config /nonexistent.toml"), 2);
}

static void test_help_and_lists(void) {
    CU_ASSERT_EQUAL(run("--help"), 0);
    static const char* flags[] = {"--driver", "--workload", "--set", "--config", "--seed", "--json",
                                  "--vcd", "--list-drivers", "--list-workloads", "Exit status"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; ++i) CU_ASSERT_PTR_NOT_NULL(strstr(out, flags[i]));
    CU_ASSERT_EQUAL(run("--list-workloads"), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "copy "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "blockio "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fill "));
    CU_ASSERT_EQUAL(run("--list-drivers"), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "dmac "));
}

/* A user's driver, built with staleline_add_driver() and loaded by path. */
static void test_user_driver_by_path(void) {
    char args[512];
    const char* path = tmp_path("user.json");
    snprintf(args, sizeof args, "--driver %s/copyonly.so --workload copy " SMALL " --json %s", SL_DRIVER_DIR, path);
    int rc = run(args);
    if (rc) fprintf(stderr, "%s", out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "driver copyonly, workload copy"));
    char* text = slurp(path);
    json_t* j = text ? json_loads(text, 0, NULL) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "driver")), "copyonly");
    CU_ASSERT_EQUAL(sl_test_json_int(j, "stats", "dma", "transfers", NULL), 8);
    CU_ASSERT_EQUAL(sl_test_json_int(j, "stats", "shim", "live_pins", NULL), 0);
    json_decref(j);
    free(text);
    unlink(path);
}

/* The same driver without the clean before the device reads: the copy moves stale memory. */
static void test_buggy_user_driver_exit_1(void) {
    char args[512];
    snprintf(args, sizeof args, "--driver %s/copyonly_noclean.so --workload copy " SMALL, SL_DRIVER_DIR);
    CU_ASSERT_EQUAL(run(args), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "data:       WRONG"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "bytes wrong"));
    /* On a coherent (x86-like) platform the same bug hides. */
    snprintf(args, sizeof args, "--driver %s/copyonly_noclean.so --workload copy --set platform.coherent=true " SMALL,
             SL_DRIVER_DIR);
    CU_ASSERT_EQUAL(run(args), 0);
}

static void test_unsupported_operation_exit_1(void) {
    char args[512];
    snprintf(args, sizeof args, "--driver %s/copyonly.so --workload blockio " SMALL, SL_DRIVER_DIR);
    CU_ASSERT_EQUAL(run(args), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "ZX_ERR_NOT_SUPPORTED"));
}

static void test_vcd(void) {
    const char* path = tmp_path("wave.vcd");
    char args[512];
    snprintf(args, sizeof args, "--set workload.transfers=2 --set workload.max_size=256 --vcd %s", path);
    int rc = run(args);
    if (rc) fprintf(stderr, "%s", out);
    CU_ASSERT_EQUAL(rc, 0);
    char* text = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "$enddefinitions"));
    free(text);
    unlink(path);
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_default_run_verifies_data),
        SL_TEST(test_json_keys),
        SL_TEST(test_json_is_deterministic),
        SL_TEST(test_blockio_and_fill),
        SL_TEST(test_legacy_interrupts_and_sync),
        SL_TEST(test_adversarial_cache),
        SL_TEST(test_usage_errors_exit_2),
        SL_TEST(test_help_and_lists),
        SL_TEST(test_user_driver_by_path),
        SL_TEST(test_buggy_user_driver_exit_1),
        SL_TEST(test_unsupported_operation_exit_1),
        SL_TEST(test_vcd),
    };
    int rc = sl_test_main(argc, argv, "run", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
