/* A CUnit testbench for the xcopy device and driver (staleline/testbench.h): every case is a
 * CTest test of its own (staleline_add_testbench). The module paths come from CMake. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include <staleline/testbench.h>

static sl_tb_run_t* xcopy_run(const char* workload) {
    sl_tb_run_t* r = sl_tb_run_new();
    sl_tb_run_device(r, XCOPY_DEVICE);
    sl_tb_run_driver(r, XCOPY_DRIVER);
    sl_tb_run_workload(r, workload);
    sl_tb_run_set(r, "workload.transfers", "6");
    sl_tb_run_set(r, "workload.max_size", "12k");
    return r;
}

/* Right data and no finding, also when the cache prefetches and evicts at random. */
static void test_clean_under_every_adversary(void) {
    const char* adversaries[] = {"none", "prefetch", "evict", "random"};
    for (int i = 0; i < 4; ++i) {
        sl_tb_run_t* r = xcopy_run(XCOPY_WORKLOAD);
        sl_tb_run_set(r, "cache.adversary", adversaries[i]);
        CU_ASSERT_EQUAL(sl_tb_run_exec(r), 0);
        CU_ASSERT_TRUE(sl_tb_run_data_ok(r));
        CU_ASSERT_EQUAL(sl_tb_run_finding_count(r, NULL), 0);
        sl_tb_run_free(r);
    }
}

/* The device did the copying: one device copy per piece, none more. */
static void test_device_did_the_work(void) {
    sl_tb_run_t* r = xcopy_run("copy");
    CU_ASSERT_EQUAL(sl_tb_run_exec(r), 0);
    CU_ASSERT(sl_tb_run_stat(r, "xcopy-model.model.copies") >= 6);
    CU_ASSERT_EQUAL(sl_tb_run_stat(r, "xcopy-model.model.copies"), sl_tb_run_stat(r, "dma.descriptors"));
    sl_tb_run_free(r);
}

static const sl_tb_case_t cases[] = {
    SL_TB_CASE(test_clean_under_every_adversary),
    SL_TB_CASE(test_device_did_the_work),
};

int main(int argc, char** argv) { return sl_tb_main(argc, argv, "tb_xcopy", cases, SL_TB_COUNT(cases)); }
