/* Polling a completion queue, and the checker's order rules under temporal decoupling
 * (sim.quantum_ns, docs/architecture.md): a driver thread runs up to a quantum ahead of the
 * kernel, and a device transaction's bytes land in memory when it is issued, stamped with the
 * time they reach memory. Events can then reach the checker in another order than their
 * simulated times, and the hazard rules judge by simulated time:
 *
 *   - an invalidate that reached the checker before a device write, but is not earlier in
 *     simulated time, covers that write;
 *   - a CPU read earlier in simulated time than the device write whose bytes it got read
 *     nothing stale (on hardware those bytes were not in memory yet).
 *
 * nvme-blk-cached-cq keeps the completion queues in cached memory and invalidates each entry
 * right before it reads it, going on while the device posts more. With a 300 ns quantum and
 * seed 8, 2,000 operations meet both orders once each: four stale-cpu-read findings at cq_take
 * before the rules looked at the times. With a 500 ns quantum and seed 6 the device's write
 * lands between the invalidate and the read in simulated time: a real race (a line refilled
 * in between is read stale), still reported. nvme-blk keeps its completion queues in uncached
 * memory and is clean there. (At the default quantum, 10^5 operations met the first order near
 * 951 ms.) */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "sl_test.h"

#define ARGS "--device nvme --workload block --set workload.pool_size=256k --set workload.max_size=64k " \
             "--set workload.transfers=2000"

static char* out;

/* The run's JSON; findings printed. */
static json_t* run(const char* driver, unsigned quantum_ns, unsigned seed, int* rc) {
    json_t* j = sl_test_run_json(rc, &out, ARGS " --driver %s --set sim.quantum_ns=%u --seed %u", driver, quantum_ns,
                                 seed);
    if (!j) return NULL;
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        json_t* loc = json_object_get(f, "location");
        fprintf(stderr, "  %s: %s at %s:%lld, %lld ns (related %lld ns)\n", driver,
                json_string_value(json_object_get(f, "kind")), json_string_value(json_object_get(loc, "file")),
                sl_test_json_int(loc, "line", NULL), sl_test_json_int(f, "time_ns", NULL),
                sl_test_json_int(f, "related", "time_ns", NULL));
    }
    return j;
}

static void check_clean(const char* driver, unsigned quantum_ns, unsigned seed) {
    int rc = -1;
    json_t* j = run(driver, quantum_ns, seed, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    json_t* w = json_object_get(j, "workload_result");
    CU_ASSERT_EQUAL(sl_test_json_int(w, "bad_bytes", NULL), 0);
    CU_ASSERT_EQUAL(sl_test_json_int(w, "failed_ops", NULL), 0);
    CU_ASSERT_EQUAL(sl_test_json_int(w, "operations", NULL), 2009); /* 4 to fill the range, 2000, a flush, 4 back */
    json_decref(j);
}

/* Both orders of arrival that simulated time contradicts: no finding. */
static void test_cached_cq_arrival_order_not_reported(void) { check_clean("nvme-blk-cached-cq", 300, 8); }

/* The race in simulated time: the status write lands after the invalidate and before the
 * read, one finding at the phase-bit load and one at the copy of the entry. */
static void test_cached_cq_race_in_time_reported(void) {
    int rc = -1;
    json_t* j = run("nvme-blk-cached-cq", 500, 6, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    json_t* findings = json_object_get(j, "findings");
    CU_ASSERT_EQUAL(json_array_size(findings), 2);
    json_t* f;
    size_t i;
    json_array_foreach(findings, i, f) {
        json_t* loc = json_object_get(f, "location");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(f, "kind")), "stale-cpu-read");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(loc, "function")), "cq_take");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(f, "evidence")), "order");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(f, "related"), "what")), "device-write");
        CU_ASSERT(sl_test_json_int(f, "related", "time_ns", NULL) < sl_test_json_int(f, "time_ns", NULL));
    }
    json_decref(j);
}

/* The same run with the completion queues in uncached memory: nothing to race on. */
static void test_uncached_cq_clean(void) { check_clean("nvme-blk", 500, 6); }

static const sl_test_t tests[] = {
    SL_TEST(test_cached_cq_arrival_order_not_reported),
    SL_TEST(test_cached_cq_race_in_time_reported),
    SL_TEST(test_uncached_cq_clean),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "decoupled_order", tests, SL_COUNT(tests)); }
