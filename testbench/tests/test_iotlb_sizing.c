/* IOTLB sizing: miss counts of the sizing workloads through the real driver, RTL and IOMMU,
 * checked against hand-computed values, monotonic behaviour of LRU on a cyclic working set,
 * the persistent pool's invalidations, and a small real sweep's CSV/JSON.
 *
 * Page counts the expectations are built from (4 KiB pages, fully associative LRU IOTLB,
 * dmac.mapping=pool so the IOTLB keeps translations between transfers):
 *  - the descriptor ring: 256 slots x 32 B = 2 pages; a run of at most 128 descriptors
 *    touches only the first;
 *  - random: a set-up WRITE_SRAM of the first 64 KiB of the window, the accesses, then a
 *    READ_SRAM of the whole 64 KiB SRAM into a fresh VMO (16 more pages);
 *  - ring with one ring: a set-up WRITE_SRAM of 64 KiB from a separate "wire" VMO (16 pages),
 *    then receive buffers in ring order. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"

static json_t* run_json(const char* args) {
    char cmd[2048], path[128], *out = NULL;
    snprintf(path, sizeof path, "/tmp/sl_test_iotlb_%d.json", (int)getpid());
    /* The study's platform (docs/iotlb-study.md): the fidelity switches off, so that the miss
     * counts below are those of the IOTLB's reach alone (one run of device addresses per pin). */
    snprintf(cmd, sizeof cmd,
             "%s run --json %s --set dmac.mapping=pool --set iotlb.ways=full --set iotlb.policy=lru "
             "--set iommu.scatter=false --set dram.fresh_pages=zero %s",
             sl_test_bin("staleline"), path, args);
    int rc = sl_test_run(cmd, &out);
    json_t* j = json_load_file(path, 0, NULL);
    unlink(path);
    if (rc != 0 || !j) fprintf(stderr, "run failed (%d): %s\n%s\n", rc, cmd, out ? out : "");
    free(out);
    return j;
}

static long long stat(json_t* j, const char* obj, const char* key) {
    json_t* v = json_object_get(json_object_get(json_object_get(j, "stats"), obj), key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static int data_ok(json_t* j) { return json_is_true(json_object_get(j, "data_ok")); }

/* random over K = 16 pages with E = 64 entries: only compulsory misses, every page once:
 * 16 window pages + 1 ring page + 16 pages of the read-back VMO = 33 ... plus the second
 * ring page, which 200 + 2 descriptors reach: 34. */
static void test_random_fits_gives_compulsory_misses_only(void) {
    json_t* j = run_json("--workload random --set workload.window=64k --set iotlb.entries=64 "
                         "--set workload.transfers=200 --set workload.queue_depth=8");
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_TRUE(data_ok(j));
    CU_ASSERT_EQUAL(stat(j, "iotlb", "misses"), 16 + 2 + 16);
    CU_ASSERT_EQUAL(stat(j, "iotlb", "walk_reads"), 4 * (16 + 2 + 16)); /* 4 levels per miss */
    json_decref(j);
}

/* One RX ring of 16 buffers of 4 KiB, 64 receives, cyclic. With E >= 18 the 16 buffer pages
 * stay: 16 wire + 16 buffer + 1 ring page (65 descriptors) = 33 misses. With E <= 16 LRU
 * misses every buffer access (reuse distance 16 pages + the ring page > E): 64, plus 16 wire
 * pages, plus the ring page twice (the set-up's 16 wire pages evict it between its fetch and
 * its status write-back): 82. */
static void test_cyclic_ring_lru(void) {
    static const struct { int entries; long long misses; } cases[] = {{4, 82}, {8, 82}, {16, 82}, {32, 33}, {64, 33}};
    long long prev = -1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char args[512];
        snprintf(args, sizeof args, "--workload ring --set workload.rings=1 --set workload.ring_entries=16 "
                 "--set workload.buffer_size=4k --set workload.transfers=64 --set workload.queue_depth=8 "
                 "--set iotlb.entries=%d", cases[i].entries);
        json_t* j = run_json(args);
        CU_ASSERT_PTR_NOT_NULL_FATAL(j);
        CU_ASSERT_TRUE(data_ok(j));
        const long long m = stat(j, "iotlb", "misses");
        CU_ASSERT_EQUAL(m, cases[i].misses);
        if (prev >= 0) CU_ASSERT_TRUE(m <= prev); /* LRU is a stack algorithm: more entries never add misses */
        prev = m;
        json_decref(j);
    }
}

/* Monotonic over a small grid on random (a stack algorithm over the same reference string). */
static void test_random_misses_monotonic_in_entries(void) {
    long long prev = -1;
    for (int e = 4; e <= 64; e *= 2) {
        char args[256];
        snprintf(args, sizeof args, "--workload random --set workload.window=128k --set workload.transfers=150 "
                 "--set workload.queue_depth=8 --set iotlb.entries=%d", e);
        json_t* j = run_json(args);
        CU_ASSERT_PTR_NOT_NULL_FATAL(j);
        const long long m = stat(j, "iotlb", "misses");
        CU_ASSERT_TRUE(m > 0);
        if (prev >= 0) CU_ASSERT_TRUE(m <= prev);
        prev = m;
        json_decref(j);
    }
}

/* The pool unpins only at unbind: invalidations do not depend on the number of transfers;
 * per transfer (strict) every transfer adds at least one. */
static void test_pool_has_no_per_transfer_invalidations(void) {
    const char* base = "--workload ring --set workload.rings=1 --set workload.ring_entries=16 --set workload.buffer_size=4k "
                       "--set workload.queue_depth=8 --set iotlb.entries=64";
    char args[512];
    snprintf(args, sizeof args, "%s --set workload.transfers=8", base);
    json_t* few = run_json(args);
    snprintf(args, sizeof args, "%s --set workload.transfers=64", base);
    json_t* many = run_json(args);
    snprintf(args, sizeof args, "%s --set workload.transfers=64 --set dmac.mapping=per-transfer", base);
    json_t* strict = run_json(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(few);
    CU_ASSERT_PTR_NOT_NULL_FATAL(many);
    CU_ASSERT_PTR_NOT_NULL_FATAL(strict);
    CU_ASSERT_EQUAL(stat(few, "iotlb", "invalidation_commands"), stat(many, "iotlb", "invalidation_commands"));
    /* One command per unpin (a pin is one IOVA range). pool, all at unbind: the ring's buffer
     * VMO, the 16-page set-up VMO and the descriptor ring = 3. strict per transfer: 64
     * receives + the set-up + the descriptor ring = 66. */
    CU_ASSERT_EQUAL(stat(many, "iotlb", "invalidation_commands"), 3);
    CU_ASSERT_EQUAL(stat(strict, "iotlb", "invalidation_commands"), 66);
    CU_ASSERT_EQUAL(stat(strict, "shim", "unpins"), 66);
    CU_ASSERT_EQUAL(stat(many, "iotlb", "stale_hits"), 0);
    /* 64 receives of 4 KiB are measured: latency percentiles are ordered and non-zero. */
    CU_ASSERT_EQUAL(stat(many, "dma", "latency_ops"), 64);
    CU_ASSERT_TRUE(stat(many, "dma", "latency_p50_ns") > 0);
    CU_ASSERT_TRUE(stat(many, "dma", "latency_p99_ns") >= stat(many, "dma", "latency_p50_ns"));
    CU_ASSERT_TRUE(stat(many, "dma", "latency_max_ns") >= stat(many, "dma", "latency_p99_ns"));
    json_decref(few);
    json_decref(many);
    json_decref(strict);
}

/* Every sizing workload verifies its data under each strategy. */
static void test_workloads_verify_under_each_strategy(void) {
    static const char* workloads[] = {"ring", "sgblock", "stream", "random"};
    static const char* strategies[] = {"--set dmac.mapping=per-transfer --set iommu.invalidation=strict",
                                       "--set dmac.mapping=per-transfer --set iommu.invalidation=deferred",
                                       "--set dmac.mapping=pool --set dmac.pin=compress"};
    for (size_t w = 0; w < 4; ++w)
        for (size_t s = 0; s < 3; ++s) {
            char args[512];
            snprintf(args, sizeof args, "--workload %s %s --set workload.transfers=24 --set workload.max_size=64k "
                     "--set workload.pool_size=256k --set workload.queue_depth=4", workloads[w], strategies[s]);
            json_t* j = run_json(args);
            CU_ASSERT_PTR_NOT_NULL_FATAL(j);
            CU_ASSERT_TRUE(data_ok(j));
            CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 0);
            json_decref(j);
        }
}

static void test_sweep_csv_and_json(void) {
    char dir[128], cmd[1024], *out = NULL;
    snprintf(dir, sizeof dir, "/tmp/sl_test_iotlb_sweep_%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf %s && %s sweep --workload random --param workload.window=16k,256k "
             "--set iotlb.entries=16 --set dmac.mapping=pool --set workload.transfers=100 -j 2 --out %s",
             dir, sl_test_bin("staleline"), dir);
    CU_ASSERT_EQUAL(sl_test_run(cmd, &out), 0);
    free(out);
    char path[256];
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_t* j = json_load_file(path, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t* rows = json_object_get(j, "points");
    if (!json_is_array(rows)) rows = json_object_get(j, "results");
    CU_ASSERT_EQUAL_FATAL(json_array_size(rows), 2);
    for (size_t i = 0; i < 2; ++i) {
        /* device_mb_s = the operations' bytes over the engine's busy time */
        json_t* st = json_object_get(json_array_get(rows, i), "stats");
        const double bytes = json_number_value(json_object_get(st, "stats.dma.bytes"));
        const double busy = json_number_value(json_object_get(st, "stats.dma_engine.busy_ns"));
        const double dev = json_number_value(json_object_get(st, "device_mb_s"));
        CU_ASSERT_TRUE(bytes > 0 && busy > 0);
        CU_ASSERT_DOUBLE_EQUAL(dev, bytes / busy * 1e3, 1e-6 * dev);
        CU_ASSERT_TRUE(dev > json_number_value(json_object_get(st, "throughput_mb_s")));
    }
    json_decref(j);
    snprintf(path, sizeof path, "%s/results.csv", dir);
    FILE* f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[65536];
    int lines = 0, has_misses = 0;
    while (fgets(line, sizeof line, f)) {
        if (lines == 0)
            has_misses = strstr(line, "stats.iotlb.misses") && strstr(line, "stats.dma.latency_p99_ns") &&
                         strstr(line, ",device_mb_s");
        ++lines;
    }
    fclose(f);
    CU_ASSERT_TRUE(has_misses);
    CU_ASSERT_EQUAL(lines, 3);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) { /* best effort */ }
}

static long long busy_cycles(json_t* j) { return stat(j, "dma_engine", "cycles") - stat(j, "dma_engine", "cycles_idle"); }

/* random with workload.gather=16 over K = 16 pages, 256 accesses: 16 gathers plus the set-up
 * and the read-back = 18 descriptors (first ring page only). Compulsory misses only: 16
 * window pages + 1 ring page + the element lists of slots 0..17 (64 elements = 1 KiB per
 * slot, 4 slots a page: 5 pages) + 16 pages of the read-back VMO = 38. */
static void test_gather_fits_gives_compulsory_misses_only(void) {
    json_t* j = run_json("--workload random --set workload.gather=16 --set workload.window=64k --set iotlb.entries=64 "
                         "--set workload.transfers=256 --set workload.queue_depth=4");
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_TRUE(data_ok(j));
    CU_ASSERT_EQUAL(stat(j, "dma", "descriptors"), 18);
    CU_ASSERT_EQUAL(stat(j, "iotlb", "misses"), 16 + 1 + 5 + 16);
    CU_ASSERT_EQUAL(stat(j, "dma_engine", "busy_ns"), busy_cycles(j) * 4); /* 250 MHz */
    json_decref(j);
}

/* 64 B gathers over a 4 MiB window (most accesses miss): more page walkers never make the
 * engine slower, and with as many walkers as the engine has read tags (4) no walk ever waits
 * for a walker. One walker makes walks wait. */
static void test_more_walkers_never_slower(void) {
    long long prev = -1, waited[5] = {0};
    for (int w = 1; w <= 4; w *= 2) {
        char args[512];
        snprintf(args, sizeof args,
                 "--workload random --set workload.gather=64 --set workload.window=4M --set iotlb.entries=64 "
                 "--set workload.transfers=4096 --set workload.queue_depth=8 --set iommu.walkers=%d", w);
        json_t* j = run_json(args);
        CU_ASSERT_PTR_NOT_NULL_FATAL(j);
        CU_ASSERT_TRUE(data_ok(j));
        const long long busy = busy_cycles(j);
        if (prev >= 0) CU_ASSERT_TRUE(busy <= prev);
        prev = busy;
        waited[w] = stat(j, "iotlb", "walks_waited");
        json_decref(j);
    }
    CU_ASSERT_TRUE(waited[1] > 1000);
    CU_ASSERT_EQUAL(waited[4], 0);
}

/* The pcie-bench trend: from a window the IOTLB covers (64 KiB) to one it cannot (4 MiB),
 * 64 B reads lose a larger share of device throughput than 512 B reads (same misses per
 * access, eight times the bytes per translation). */
static void test_small_reads_lose_more(void) {
    double ratio[2];
    for (int k = 0; k < 2; ++k) {
        long long busy[2];
        for (int w = 0; w < 2; ++w) {
            char args[512];
            snprintf(args, sizeof args,
                     "--workload random --set workload.gather=64 --set workload.access_size=%d "
                     "--set workload.window=%s --set iotlb.entries=64 --set workload.transfers=4096 "
                     "--set workload.queue_depth=8", k ? 512 : 64, w ? "4M" : "64k");
            json_t* j = run_json(args);
            CU_ASSERT_PTR_NOT_NULL_FATAL(j);
            CU_ASSERT_TRUE(data_ok(j));
            busy[w] = busy_cycles(j);
            json_decref(j);
        }
        ratio[k] = (double)busy[1] / (double)busy[0]; /* slow-down of the large window */
    }
    CU_ASSERT_TRUE(ratio[0] > 1.5);      /* 64 B: the walks dominate */
    CU_ASSERT_TRUE(ratio[1] < 1.25);     /* 512 B: mostly hidden */
    CU_ASSERT_TRUE(ratio[0] > ratio[1]);
}

static const sl_test_t tests[] = {
    SL_TEST(test_random_fits_gives_compulsory_misses_only),
    SL_TEST(test_cyclic_ring_lru),
    SL_TEST(test_random_misses_monotonic_in_entries),
    SL_TEST(test_pool_has_no_per_transfer_invalidations),
    SL_TEST(test_workloads_verify_under_each_strategy),
    SL_TEST(test_sweep_csv_and_json),
    SL_TEST(test_gather_fits_gives_compulsory_misses_only),
    SL_TEST(test_more_walkers_never_slower),
    SL_TEST(test_small_reads_lose_more),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "iotlb-sizing", tests, SL_COUNT(tests)); }
