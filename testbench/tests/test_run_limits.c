/* Bounded runs and progress of `staleline run`: --sim-limit and --time-limit stop a run with
 * its problem line, exit status 1, the partial JSON and SARIF written and no leaked-pin
 * findings for the pins the stopped driver still held; a limit the run never reaches changes
 * no byte; --progress prints progress lines with growing operation counts on standard error
 * only, and nothing is printed through a pipe by default. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"

/* A run long enough on the wall clock for several progress updates and a 1 s limit. */
#define LONG_RUN "--set workload.transfers=100000 --set workload.max_size=4k"

static char* out;

static const char* tmp_path(const char* tag) { return sl_test_tmp_path("limits", tag); }

static char* slurp(const char* path) { return sl_test_slurp(path, NULL); }

/* Both files exist and hold the same bytes. */
static void assert_same_file(const char* a, const char* b) {
    char* ta = slurp(a);
    char* tb = slurp(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ta);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tb);
    CU_ASSERT_STRING_EQUAL(ta, tb);
    free(ta);
    free(tb);
}

static int count_kind(json_t* j, const char* kind) {
    int n = 0;
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) n += !strcmp(json_string_value(json_object_get(f, "kind")), kind);
    return n;
}

/* A stopped run releases everything (its run thread is unwound, the driver released), so
 * these runs keep LeakSanitizer on under the sanitizer build. */
static void test_sim_limit_stops_run(void) {
    char args[1024];
    const char* json = tmp_path("sim.json");
    const char* sarif = tmp_path("sim.sarif");
    snprintf(args, sizeof args, "run --sim-limit 1ms --json %s --sarif %s", json, sarif);
    CU_ASSERT_EQUAL(sl_test_staleline(args, &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "problem:    the run reached its simulated time limit (--sim-limit 1ms) at "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "of 24 operations done"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "data:       WRONG"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "SUMMARY: staleline: 0 findings\n"));
    json_t* j = json_load_file(json, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "run_limit")), "sim");
    CU_ASSERT_TRUE(json_is_false(json_object_get(j, "data_ok")));
    CU_ASSERT(sl_test_json_int(j, "sim_time_ns", NULL) <= 1000000);
    CU_ASSERT(sl_test_json_int(j, "workload_result", "operations", NULL) < 24);
    CU_ASSERT_EQUAL(count_kind(j, "leaked-pin"), 0);
    json_decref(j);
    char* s = slurp(sarif);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"run-limit\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "The run did not complete: the run reached its simulated time limit"));
    free(s);
    unlink(json);
    unlink(sarif);
}

/* The sim limit with slices (--progress) stops at the same place as without. */
/* Stopped while the driver is still binding (it binds at about 18 us): the report says so,
 * and the bind is let finish and the driver released before the process ends (clean under
 * LeakSanitizer); the same for a ring workload stopped in full flow. */
static void test_sim_limit_during_bind(void) {
    CU_ASSERT_EQUAL(sl_test_staleline("run --sim-limit 5us", &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "problem:    the run reached its simulated time limit (--sim-limit 5us) at "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, ", 0 of 24 operations done"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "SUMMARY: staleline: 0 findings\n"));
    CU_ASSERT_PTR_NULL(strstr(out, "LeakSanitizer"));
    CU_ASSERT_EQUAL(sl_test_staleline("run --workload ring --set workload.transfers=100000 --sim-limit 2ms", &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "the run reached its simulated time limit (--sim-limit 2ms)"));
    CU_ASSERT_PTR_NULL(strstr(out, "LeakSanitizer"));
}

static void test_sim_limit_same_with_slices(void) {
    char a[1024], b[1024];
    const char* ja = tmp_path("a.json");
    const char* jb = tmp_path("b.json");
    snprintf(a, sizeof a, "run --sim-limit 3ms --json %s", ja);
    snprintf(b, sizeof b, "run --sim-limit 3ms --progress --json %s", jb);
    CU_ASSERT_EQUAL(sl_test_staleline(a, &out), 1);
    CU_ASSERT_EQUAL(sl_test_staleline(b, &out), 1);
    assert_same_file(ja, jb);
    unlink(ja);
    unlink(jb);
}

/* A limit the run never reaches, and progress, change no byte of the outputs. */
static void test_unreached_limits_change_nothing(void) {
    char a[1024], b[1024];
    const char* ja = tmp_path("u1.json");
    const char* jb = tmp_path("u2.json");
    const char* sa = tmp_path("u1.out");
    const char* sb = tmp_path("u2.out");
    snprintf(a, sizeof a, "{ %s run --workload random --set workload.transfers=64 --json %s >%s 2>/dev/null; }",
             sl_test_bin("staleline"), ja, sa);
    snprintf(b, sizeof b,
             "{ %s run --workload random --set workload.transfers=64 --sim-limit 10s --time-limit 600 --progress "
             "--json %s >%s 2>/dev/null; }",
             sl_test_bin("staleline"), jb, sb);
    CU_ASSERT_EQUAL(sl_test_run(a, &out), 0);
    CU_ASSERT_EQUAL(sl_test_run(b, &out), 0);
    const char* pairs[2][2] = {{ja, jb}, {sa, sb}};
    for (int i = 0; i < 2; ++i) {
        char* ta = slurp(pairs[i][0]);
        char* tb = slurp(pairs[i][1]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ta);
        CU_ASSERT_PTR_NOT_NULL_FATAL(tb);
        CU_ASSERT(strlen(ta) > 100);
        CU_ASSERT_STRING_EQUAL(ta, tb);
        free(ta);
        free(tb);
        unlink(pairs[i][0]);
        unlink(pairs[i][1]);
    }
}

/* Every shim call costs a second of simulated time: the next activity is often more than the
 * longest slice away. With limits the run must still move from one activity to the next (it
 * used to stand still at the first such wait until the wall limit), give the same bytes as
 * without limits, and a run stopped there must release everything (leak check on). */
#define SLOW_CALLS "--set shim.syscall_ns=1000000000"
static void test_slow_calls_with_limits(void) {
    char a[1024], b[1024];
    const char* ja = tmp_path("slow1.json");
    const char* jb = tmp_path("slow2.json");
    snprintf(a, sizeof a, "run " SLOW_CALLS " --json %s", ja);
    snprintf(b, sizeof b, "run " SLOW_CALLS " --time-limit 60 --progress --json %s", jb);
    CU_ASSERT_EQUAL(sl_test_staleline(a, &out), 0);
    CU_ASSERT_EQUAL(sl_test_staleline(b, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "data:       VERIFIED (24 operations"));
    assert_same_file(ja, jb);
    /* stopped between two slow calls of the workload; the release's own calls are slow too */
    snprintf(a, sizeof a, "run " SLOW_CALLS " --sim-limit 200s --time-limit 60 --json %s", ja);
    CU_ASSERT_EQUAL(sl_test_staleline(a, &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "problem:    the run reached its simulated time limit (--sim-limit 200s) at "));
    json_t* j = json_load_file(ja, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    const long long ops = sl_test_json_int(j, "workload_result", "operations", NULL);
    CU_ASSERT(ops > 0 && ops < 24);
    CU_ASSERT_EQUAL(count_kind(j, "leaked-pin"), 0);
    json_decref(j);
    /* every register access costs a second: stopped by the wall clock in bind or in the
     * workload, the release (which waives the shim's costs) still gets the driver out */
    snprintf(a, sizeof a, "run --set shim.mmio_extra_ns=1000000000 --workload sgblock --time-limit 1 --json %s", ja);
    CU_ASSERT_EQUAL(sl_test_staleline(a, &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "problem:    the run reached its wall-clock limit (--time-limit 1) at "));
    unlink(ja);
    unlink(jb);
}

/* Calls that cost nothing: a stopped workload must not go on preparing its remaining
 * operations without ever waiting (the release could only start after them); under the
 * sanitizer build, the driver it left bound would leak. */
static void test_free_calls_stopped(void) {
    CU_ASSERT_EQUAL(sl_test_staleline("run " LONG_RUN " --set shim.syscall_ns=0 --time-limit 1", &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "problem:    the run reached its wall-clock limit (--time-limit 1) at "));
}

static void test_time_limit_stops_run(void) {
    char args[1024];
    const char* json = tmp_path("wall.json");
    snprintf(args, sizeof args, "run " LONG_RUN " --time-limit 1 --json %s", json);
    CU_ASSERT_EQUAL(sl_test_staleline(args, &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "problem:    the run reached its wall-clock limit (--time-limit 1) at "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "of 100000 operations done"));
    json_t* j = json_load_file(json, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "run_limit")), "wall");
    const long long ops = sl_test_json_int(j, "workload_result", "operations", NULL);
    CU_ASSERT(ops > 0 && ops < 100000);
    CU_ASSERT_EQUAL(count_kind(j, "leaked-pin"), 0);
    json_decref(j);
    unlink(json);
}

static void test_limit_options_refused(void) {
    static const char* const bad[][2] = {
        {"--time-limit 0", "--time-limit: expected a number of seconds > 0"},
        {"--time-limit soon", "--time-limit: expected a number of seconds > 0 (such as 30 or 0.5), got 'soon'"},
        {"--sim-limit 10", "--sim-limit: expected a simulated time of at least 1ns with its unit"},
        {"--sim-limit 5parsecs", "got '5parsecs'"},
    };
    for (size_t i = 0; i < SL_COUNT(bad); ++i) {
        char args[256];
        snprintf(args, sizeof args, "run %s", bad[i][0]);
        CU_ASSERT_EQUAL(sl_test_staleline(args, &out), 2);
        if (!strstr(out, bad[i][1])) fprintf(stderr, "%s: %s\n", bad[i][0], out);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, bad[i][1]));
    }
}

/* Forced on through a pipe: one line per update, operations growing, on stderr only. */
static void test_progress_forced(void) {
    char cmd[1024];
    const char* err = tmp_path("progress.err");
    const char* std = tmp_path("progress.out");
    snprintf(cmd, sizeof cmd, "{ %s run " LONG_RUN " --time-limit 2 --progress 2>%s >%s; }", sl_test_bin("staleline"), err,
             std);
    CU_ASSERT_EQUAL(sl_test_run(cmd, &out), 1);
    char* e = slurp(err);
    char* o = slurp(std);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_PTR_NULL(strstr(o, "progress:"));
    unsigned long long last = 0;
    int lines = 0, growing = 1;
    for (char* l = strstr(e, "progress: sim "); l; l = strstr(l + 1, "progress: sim ")) {
        char* ops = strstr(l, " ms, ");
        CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
        unsigned long long done = strtoull(ops + 5, NULL, 10);
        CU_ASSERT_PTR_NOT_NULL(strstr(ops, "/100000 operations, "));
        growing &= !lines || done > last;
        last = done;
        ++lines;
    }
    if (lines < 3) fprintf(stderr, "%s", e);
    CU_ASSERT(lines >= 3);
    CU_ASSERT_TRUE(growing);
    CU_ASSERT_PTR_NOT_NULL(strstr(e, ", ETA "));
    free(e);
    free(o);
    unlink(err);
    unlink(std);
}

/* Through a pipe by default: no progress text anywhere. */
static void test_progress_off_through_pipe(void) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s run " LONG_RUN " --time-limit 1 2>&1 | cat", sl_test_bin("staleline"));
    sl_test_run(cmd, &out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "the run reached its wall-clock limit"));
    CU_ASSERT_PTR_NULL(strstr(out, "progress:"));
    snprintf(cmd, sizeof cmd, "%s run " LONG_RUN " --time-limit 1 --progress --no-progress 2>&1 | cat",
             sl_test_bin("staleline"));
    sl_test_run(cmd, &out);
    CU_ASSERT_PTR_NULL(strstr(out, "progress:"));
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_sim_limit_stops_run),
        SL_TEST(test_sim_limit_during_bind),
        SL_TEST(test_sim_limit_same_with_slices),
        SL_TEST(test_unreached_limits_change_nothing),
        SL_TEST(test_time_limit_stops_run),
        SL_TEST(test_slow_calls_with_limits),
        SL_TEST(test_free_calls_stopped),
        SL_TEST(test_limit_options_refused),
        SL_TEST(test_progress_forced),
        SL_TEST(test_progress_off_through_pipe),
    };
    int rc = sl_test_main(argc, argv, "run_limits", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
