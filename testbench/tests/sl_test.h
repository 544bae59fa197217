/* sl_test: CUnit runner that runs every test in its own forked process.
 *
 * SystemC elaborates once per process, so a test that builds a platform needs a fresh
 * process. A test binary lists its tests in an sl_test_t table and calls sl_test_main():
 *   ./test_cache            run all, each in a child process, summary "N passed, N failed"
 *   ./test_cache --list     print test names
 *   ./test_cache NAME...    run only these (still forked); an unknown NAME is an error
 * A crashing or hanging child (SL_TEST_TIMEOUT seconds, default 300) counts as failed.
 */
#ifndef SL_TEST_H
#define SL_TEST_H

#include <CUnit/CUnit.h>
#include <stddef.h>

#include "staleline/testbench.h"

/* The runner is the public one (staleline/testbench.h): our suites are testbenches too. */
typedef sl_tb_case_t sl_test_t;
#define SL_TEST(fn) SL_TB_CASE(fn)
#define SL_COUNT(a) SL_TB_COUNT(a)
#define sl_test_main sl_tb_main

/* Path of a built executable (build/bin/NAME), for tests that run the CLI. */
const char* sl_test_bin(const char* name);

/* Run a shell command, capture stdout+stderr into a malloc'd string (*out, may be NULL);
 * returns the exit status (or 128+signal). */
int sl_test_run(const char* cmd, char** out);

/* `staleline ARGS` (build/bin/staleline). *out (if out is not NULL) is freed first and then
 * holds stdout+stderr, never NULL. Returns the exit status. */
int sl_test_staleline(const char* args, char** out);

/* `staleline ARGS --json FILE` with a private temporary FILE: the parsed JSON (NULL if the run
 * wrote none), *rc the exit status, *out as for sl_test_staleline. */
struct json_t;
struct json_t* sl_test_staleline_json(const char* args, int* rc, char** out);
/* Runs of a driver that faults go without the child's leak check: a faulted driver never gets
 * its release hook, so its heap is abandoned, as its driver host process would be torn down on
 * Fuchsia (the workload's and the shim's own memory is released; completed runs keep the
 * check). Off: adds detect_leaks=0 to ASAN_OPTIONS; restore: puts back what was there. */
void sl_test_leak_check_off(void);
void sl_test_leak_check_restore(void);

/* The whole file at path, NUL-terminated (free it), or NULL when it cannot be opened; *len (if
 * len is not NULL) its size. */
char* sl_test_slurp(const char* path, size_t* len);
/* A path /tmp/sl_test_<suite>_<pid>_<tag> for a test's scratch file; the last 8 returned stay
 * valid. */
const char* sl_test_tmp_path(const char* suite, const char* tag);

/* `staleline run ARGS` with ARGS printf-formatted, through sl_test_staleline_json; when the run
 * wrote no JSON, the command and its output go to stderr (so a failing test says why). */
struct json_t* sl_test_run_json(int* rc, char** out, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
/* The integer at the path of keys (NULL-terminated) below root, -1 when any step is missing or
 * it is not an integer: sl_test_json_int(j, "stats", "nvme", "model", "reads", NULL). */
long long sl_test_json_int(struct json_t* root, const char* key, ...);

#endif
