/* staleline/testbench.h: CUnit testbenches for your driver, device and workload, in your own
 * repository (staleline_add_testbench() in CMake, docs/install.md).
 *
 * A testbench is a table of CUnit test functions and a main that calls sl_tb_main():
 *
 *   static void test_clean(void) {
 *       sl_tb_run_t* r = sl_tb_run_new();
 *       sl_tb_run_device(r, "lnic-model");
 *       sl_tb_run_driver(r, MY_DRIVER);                 // a name or a module path
 *       sl_tb_run_set(r, "workload.transfers", "16");
 *       CU_ASSERT_EQUAL(sl_tb_run_exec(r), 0);          // 0 right data, no findings
 *       CU_ASSERT_TRUE(sl_tb_run_data_ok(r));
 *       CU_ASSERT_EQUAL(sl_tb_run_finding_count(r, NULL), 0);
 *       sl_tb_run_free(r);
 *   }
 *   static const sl_tb_case_t cases[] = {SL_TB_CASE(test_clean)};
 *   int main(int argc, char** argv) { return sl_tb_main(argc, argv, "mine", cases, SL_TB_COUNT(cases)); }
 *
 * Each case runs in a process of its own (a crash or a hang -- SL_TEST_TIMEOUT seconds,
 * default 300 -- fails only that case), and each run is one `staleline run` process (the
 * simulator elaborates once per process): the binary is $STALELINE, else the one the
 * testbench was built against. `./tb --list` prints the cases, `./tb NAME...` runs those;
 * an unknown NAME is an error (exit 2). staleline_add_testbench() registers every case as a
 * CTest test of its own. */
#ifndef STALELINE_TESTBENCH_H
#define STALELINE_TESTBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the runner ---- */

typedef struct sl_tb_case {
    const char* name;
    void (*fn)(void);
} sl_tb_case_t;

#define SL_TB_CASE(fn) {#fn, fn}
#define SL_TB_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Runs the cases named on the command line (all by default), each forked, and prints
 * "SUITE: N passed, N failed". Exit status: 0 all passed, 1 a case failed, 2 usage (an
 * unknown case name). */
int sl_tb_main(int argc, char** argv, const char* suite, const sl_tb_case_t* cases, size_t ncases);

/* ---- a run of staleline ---- */

typedef struct sl_tb_run sl_tb_run_t;

sl_tb_run_t* sl_tb_run_new(void);
void sl_tb_run_free(sl_tb_run_t* r);

/* What to run (as `staleline run --device SPEC --driver D --workload W --set K=V`). */
void sl_tb_run_device(sl_tb_run_t* r, const char* spec);
void sl_tb_run_driver(sl_tb_run_t* r, const char* name_or_path);
void sl_tb_run_workload(sl_tb_run_t* r, const char* name_or_path);
void sl_tb_run_set(sl_tb_run_t* r, const char* key, const char* value);
void sl_tb_run_seed(sl_tb_run_t* r, uint64_t seed);

/* Run it; returns staleline's exit status: 0 data right and no findings, 1 wrong data or
 * findings, 2 a usage or configuration error; -1 when it could not be started. */
int sl_tb_run_exec(sl_tb_run_t* r);

/* After exec: what it printed (summary and findings), the verdict, the findings, statistics. */
const char* sl_tb_run_output(const sl_tb_run_t* r);
bool sl_tb_run_data_ok(const sl_tb_run_t* r);

typedef struct sl_tb_finding {
    const char* kind;     /* stable name: "stale-cpu-read", ... */
    const char* file;     /* source file ("" if unknown) */
    unsigned line;
    const char* function;
    const char* message;
    uint64_t time_ns;
} sl_tb_finding_t;

/* Findings of one kind (NULL: all), and finding i of all in order. Strings live as long as r. */
size_t sl_tb_run_finding_count(const sl_tb_run_t* r, const char* kind);
int sl_tb_run_finding(const sl_tb_run_t* r, size_t i, sl_tb_finding_t* out); /* 0, or -1 */

/* A statistic of the run's JSON by its dotted path under "stats", e.g. "cache.misses",
 * "iotlb.hits", "lnic.bytes_written"; or under the top for "sim_time_ns". -1 if absent. */
int64_t sl_tb_run_stat(const sl_tb_run_t* r, const char* path);

#ifdef __cplusplus
}
#endif
#endif
