/* The reference driver (driver/dmac) gets a clean bill under the adversarial cache: zero
 * findings and every byte right, on every workload (copy, blockio, fill), over 20 seeds of each
 * adversary mode (prefetch, evict, random), with synchronous and queued submission. The
 * adversary must actually have acted (its fills / evictions are counted), or the runs would
 * prove nothing. The same, briefly, for the uninstrumented build in conservative mode. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"

#define SEEDS 20

static const char* kWorkloads[] = {"copy", "blockio", "fill"};

typedef struct tally {
    unsigned runs, clean;
    long long adversary_fills, adversary_evictions;
} tally_t;

/* One `staleline run`; counts it clean if it exits 0 with data_ok and no findings. */
static void run_one(const char* driver, const char* workload, const char* mode, unsigned seed, const char* extra,
                    tally_t* t) {
    char path[256], cmd[2048];
    snprintf(path, sizeof path, "/tmp/sl_test_reference_clean_%d.json", (int)getpid());
    unlink(path);
    /* Small transfers, so 180 runs take seconds; queue depth 1, 4 or 8 by seed. */
    snprintf(cmd, sizeof cmd,
             "%s run --driver %s --workload %s --seed %u --set cache.adversary=%s --set workload.transfers=8 "
             "--set workload.max_size=64k --set workload.block_size=512 --set workload.queue_depth=%u %s --json %s",
             sl_test_bin("staleline"), driver, workload, seed, mode, seed % 3 == 0 ? 1u : seed % 3 == 1 ? 4u : 8u,
             extra, path);
    char* out = NULL;
    int rc = sl_test_run(cmd, &out);
    json_t* j = json_load_file(path, 0, NULL);
    unlink(path);
    t->runs++;
    const int ok = rc == 0 && j && json_is_true(json_object_get(j, "data_ok")) &&
                   json_array_size(json_object_get(j, "findings")) == 0;
    if (ok) {
        t->clean++;
    } else {
        fprintf(stderr, "not clean: %s (exit %d)\n%s\n", cmd, rc, out ? out : "");
    }
    if (j) {
        t->adversary_fills += sl_test_json_int(j, "stats", "cache", "adversary_fills", NULL);
        t->adversary_evictions += sl_test_json_int(j, "stats", "cache", "adversary_evictions", NULL);
    }
    json_decref(j);
    free(out);
}

static tally_t sweep(const char* mode) {
    tally_t t = {0, 0, 0, 0};
    for (size_t w = 0; w < SL_COUNT(kWorkloads); ++w)
        for (unsigned seed = 1; seed <= SEEDS; ++seed) run_one("dmac", kWorkloads[w], mode, seed, "", &t);
    return t;
}

static void test_prefetch(void) {
    tally_t t = sweep("prefetch");
    CU_ASSERT_EQUAL(t.runs, SL_COUNT(kWorkloads) * SEEDS);
    CU_ASSERT_EQUAL(t.clean, t.runs);
    CU_ASSERT(t.adversary_fills > 0);
    CU_ASSERT_EQUAL(t.adversary_evictions, 0);
}

static void test_evict(void) {
    tally_t t = sweep("evict");
    CU_ASSERT_EQUAL(t.runs, SL_COUNT(kWorkloads) * SEEDS);
    CU_ASSERT_EQUAL(t.clean, t.runs);
    CU_ASSERT(t.adversary_evictions > 0);
    CU_ASSERT_EQUAL(t.adversary_fills, 0);
}

static void test_random(void) {
    tally_t t = sweep("random");
    CU_ASSERT_EQUAL(t.runs, SL_COUNT(kWorkloads) * SEEDS);
    CU_ASSERT_EQUAL(t.clean, t.runs);
    CU_ASSERT(t.adversary_fills > 0);
    CU_ASSERT(t.adversary_evictions > 0);
}

/* Every adversarial action taken (rate 1) on long cache lines (four descriptors per line). */
static void test_relentless_adversary(void) {
    tally_t t = {0, 0, 0, 0};
    for (size_t w = 0; w < SL_COUNT(kWorkloads); ++w)
        for (unsigned seed = 1; seed <= 3; ++seed)
            run_one("dmac", kWorkloads[w], "random", seed, "--set cache.adversary_rate=1 --set cache.line=128", &t);
    CU_ASSERT_EQUAL(t.clean, t.runs);
    CU_ASSERT(t.adversary_fills > 0 && t.adversary_evictions > 0);
}

/* The uninstrumented build (dmac-plain) is checked in conservative mode without being asked,
 * and is clean too. */
static void test_uninstrumented_conservative(void) {
    tally_t t = {0, 0, 0, 0};
    for (size_t w = 0; w < SL_COUNT(kWorkloads); ++w)
        for (unsigned seed = 1; seed <= 3; ++seed) run_one("dmac-plain", kWorkloads[w], "random", seed, "", &t);
    CU_ASSERT_EQUAL(t.clean, t.runs);
}

/* Which mode ran is in the summary and the JSON. */
static void test_mode_reported(void) {
    static const struct {
        const char *driver, *extra, *mode, *summary;
    } cases[] = {
        {"dmac", "", "precise", "checker:    precise mode"},
        {"dmac-plain", "", "conservative", "checker:    conservative mode (driver built without access instrumentation"},
        {"dmac", "--set checker.conservative=true", "conservative", "checker:    conservative mode"},
    };
    for (size_t i = 0; i < SL_COUNT(cases); ++i) {
        char path[256], cmd[1024];
        snprintf(path, sizeof path, "/tmp/sl_test_reference_mode_%d.json", (int)getpid());
        snprintf(cmd, sizeof cmd, "%s run --driver %s --set workload.transfers=2 --set workload.max_size=4k %s --json %s",
                 sl_test_bin("staleline"), cases[i].driver, cases[i].extra, path);
        char* out = NULL;
        CU_ASSERT_EQUAL(sl_test_run(cmd, &out), 0);
        CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, cases[i].summary) : NULL);
        json_t* j = json_load_file(path, 0, NULL);
        unlink(path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(j);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "checker_mode")), cases[i].mode);
        json_decref(j);
        free(out);
    }
}

/* Without the adversary the sweep's counters stay at zero: they measure the adversary. */
static void test_counters_without_adversary(void) {
    tally_t t = {0, 0, 0, 0};
    run_one("dmac", "copy", "none", 1, "", &t);
    CU_ASSERT_EQUAL(t.clean, 1);
    CU_ASSERT_EQUAL(t.adversary_fills, 0);
    CU_ASSERT_EQUAL(t.adversary_evictions, 0);
}

/* The fidelity switches on (docs/fidelity.md: scattered device addresses, fresh pages zeroed
 * through the cache; both are the defaults, set here explicitly): every built-in workload of
 * the DMA transfer protocol under every adversary mode, none included, over 20 seeds. */
static const char* kProtocolWorkloads[] = {"copy", "blockio", "fill", "ring", "sgblock", "stream", "random"};
static const char* kModes[] = {"none", "prefetch", "evict", "random"};

static void test_fidelity_switches(void) {
    tally_t t = {0, 0, 0, 0};
    for (size_t w = 0; w < SL_COUNT(kProtocolWorkloads); ++w)
        for (size_t m = 0; m < SL_COUNT(kModes); ++m)
            for (unsigned seed = 1; seed <= SEEDS; ++seed)
                run_one("dmac", kProtocolWorkloads[w], kModes[m], seed,
                        "--set iommu.scatter=true --set dram.fresh_pages=garbage --set workload.transfers=4 "
                        "--set workload.window=256k --set workload.max_size=32k",
                        &t);
    CU_ASSERT_EQUAL(t.runs, SL_COUNT(kProtocolWorkloads) * SL_COUNT(kModes) * SEEDS);
    CU_ASSERT_EQUAL(t.clean, t.runs);
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_prefetch),
        SL_TEST(test_evict),
        SL_TEST(test_random),
        SL_TEST(test_relentless_adversary),
        SL_TEST(test_uninstrumented_conservative),
        SL_TEST(test_mode_reported),
        SL_TEST(test_counters_without_adversary),
        SL_TEST(test_fidelity_switches),
    };
    return sl_test_main(argc, argv, "reference-clean", tests, SL_COUNT(tests));
}
