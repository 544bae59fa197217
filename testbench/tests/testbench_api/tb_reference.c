/* A testbench written as users write theirs (staleline/testbench.h, staleline_add_testbench):
 * each case is a CTest test of its own. It checks the API against the reference driver. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "staleline/testbench.h"

static void test_reference_clean(void) {
    sl_tb_run_t* r = sl_tb_run_new();
    sl_tb_run_set(r, "workload.transfers", "8");
    sl_tb_run_seed(r, 5);
    CU_ASSERT_EQUAL(sl_tb_run_exec(r), 0);
    CU_ASSERT_TRUE(sl_tb_run_data_ok(r));
    CU_ASSERT_EQUAL(sl_tb_run_finding_count(r, NULL), 0);
    CU_ASSERT(sl_tb_run_stat(r, "cache.accesses") > 0);
    CU_ASSERT(sl_tb_run_stat(r, "sim_time_ns") > 0);
    CU_ASSERT_EQUAL(sl_tb_run_stat(r, "cache.no_such_counter"), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_tb_run_output(r), "seed 5"));
    sl_tb_run_free(r);
}

static void test_bug_found_at_its_line(void) {
    sl_tb_run_t* r = sl_tb_run_new();
    sl_tb_run_driver(r, "bug:missing-clean");
    sl_tb_run_set(r, "workload.transfers", "8");
    sl_tb_run_set(r, "workload.max_size", "16k");
    CU_ASSERT_EQUAL(sl_tb_run_exec(r), 1);
    CU_ASSERT(sl_tb_run_finding_count(r, "stale-device-read") > 0);
    CU_ASSERT_EQUAL(sl_tb_run_finding_count(r, "iommu-fault"), 0);
    sl_tb_finding_t f;
    CU_ASSERT_EQUAL_FATAL(sl_tb_run_finding(r, 0, &f), 0);
    CU_ASSERT_STRING_EQUAL(f.kind, "stale-device-read");
    CU_ASSERT_STRING_EQUAL(f.file, "driver/dmac/dmac-ring.c");
    CU_ASSERT_STRING_EQUAL(f.function, "dmac_pump_locked");
    CU_ASSERT(f.line > 0);
    CU_ASSERT_EQUAL(sl_tb_run_finding(r, 100000, &f), -1);
    sl_tb_run_free(r);
}

static void test_other_device_and_driver(void) {
    sl_tb_run_t* r = sl_tb_run_new();
    sl_tb_run_device(r, "lnic-model");
    sl_tb_run_driver(r, "lnic");
    sl_tb_run_workload(r, "ethmac-loopback");
    CU_ASSERT_EQUAL(sl_tb_run_exec(r), 0);
    CU_ASSERT(sl_tb_run_stat(r, "lnic-model.bytes_written") > 0);
    sl_tb_run_free(r);
}

static void test_configuration_error(void) {
    sl_tb_run_t* r = sl_tb_run_new();
    sl_tb_run_set(r, "cache.ways", "3");
    CU_ASSERT_EQUAL(sl_tb_run_exec(r), 2);
    CU_ASSERT_FALSE(sl_tb_run_data_ok(r));
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_tb_run_output(r), "cache"));
    sl_tb_run_free(r);
}

static const sl_tb_case_t cases[] = {
    SL_TB_CASE(test_reference_clean),
    SL_TB_CASE(test_bug_found_at_its_line),
    SL_TB_CASE(test_other_device_and_driver),
    SL_TB_CASE(test_configuration_error),
};

int main(int argc, char** argv) { return sl_tb_main(argc, argv, "tb_reference", cases, SL_TB_COUNT(cases)); }
