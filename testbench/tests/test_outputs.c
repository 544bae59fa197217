/* How `staleline run` writes findings: the driver's call stack of a finding (summary, JSON,
 * SARIF, --format=gcc), driver faults as findings with a clean summary, the SUMMARY line,
 * compiler-style lines, and the SARIF run's invocation (exit code, executionSuccessful, a
 * notification when the data came out wrong without a finding), absolute help URIs and file://
 * URIs for files outside the source root. The drivers are drivers/copyonly/copyonly.c built with
 * one defect each; the lines asserted are found in that source by their "LINE:" marks.
 * sarif_validate.sh runs Microsoft's validator on the same kinds of runs. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"

#define SRC "testbench/tests/drivers/copyonly/copyonly.c"
#define ONE "--set workload.transfers=1 --set workload.max_size=16k"

static char* out;

/* The line of copyonly.c marked "LINE: tag". */
static int line_of(const char* tag) {
    char path[4096], mark[64], buf[1024];
    snprintf(path, sizeof path, "%s/%s", SL_SOURCE_DIR, SRC);
    snprintf(mark, sizeof mark, "/* LINE: %s */", tag);
    FILE* f = fopen(path, "r");
    if (!f) return -1;
    int n = 0, found = -1;
    while (fgets(buf, sizeof buf, f)) {
        ++n;
        if (strstr(buf, mark)) {
            found = n;
            break;
        }
    }
    fclose(f);
    return found;
}

/* `staleline run --driver build/lib/drivers/outputs_VARIANT.so ARGS`, JSON parsed. */
static json_t* run_variant(const char* variant, const char* args, int* rc) {
    return sl_test_run_json(rc, &out, "--driver %s/outputs_%s.so %s", SL_DRIVER_DIR, variant, args);
}

/* Whether `out` holds `line` as a whole line. */
static int has_line(const char* text, const char* line) {
    const size_t n = strlen(line);
    for (const char* p = strstr(text, line); p; p = strstr(p + 1, line))
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == 0)) return 1;
    fprintf(stderr, "missing line: %s\n", line);
    return 0;
}

static json_t* get(json_t* o, const char* k) { return json_object_get(o, k); }
static const char* str(json_t* o, const char* k) { return json_string_value(json_object_get(o, k)); }
static json_int_t num(json_t* o, const char* k) { return json_integer_value(json_object_get(o, k)); }

static char* slurp(const char* path) { return sl_test_slurp(path, NULL); }

/* A pin helper called from two lines: each leaked pin's stack names the helper's line and then
 * its own caller's line, in the JSON and the summary. */
static void test_stack_of_helper_called_from_two_sites(void) {
    const int pin = line_of("pin"), src = line_of("src"), dst = line_of("dst");
    CU_ASSERT_FATAL(pin > 0 && src > 0 && dst > 0);
    int rc;
    json_t* j = run_variant("leak_in_helper", ONE, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    json_t* fs = get(j, "findings");
    CU_ASSERT_EQUAL_FATAL(json_array_size(fs), 2);
    const int callers[2] = {src, dst};
    for (size_t i = 0; i < 2; ++i) {
        json_t* f = json_array_get(fs, i);
        CU_ASSERT_STRING_EQUAL(str(f, "kind"), "leaked-pin");
        CU_ASSERT_STRING_EQUAL(str(get(f, "location"), "file"), SRC);
        CU_ASSERT_EQUAL(num(get(f, "location"), "line"), pin);
        json_t* st = get(f, "stack");
        CU_ASSERT_FATAL(json_is_array(st) && json_array_size(st) >= 3);
        CU_ASSERT_STRING_EQUAL(str(json_array_get(st, 0), "function"), "pin");
        CU_ASSERT_EQUAL(num(json_array_get(st, 0), "line"), pin);
        CU_ASSERT_STRING_EQUAL(str(json_array_get(st, 1), "file"), SRC);
        CU_ASSERT_STRING_EQUAL(str(json_array_get(st, 1), "function"), "do_copy");
        CU_ASSERT_EQUAL(num(json_array_get(st, 1), "line"), callers[i]);
        CU_ASSERT_STRING_EQUAL(str(json_array_get(st, 2), "function"), "co_transfer");
        /* every frame is driver code: the workload that called the driver is not a frame */
        for (size_t k = 0; k < json_array_size(st); ++k)
            CU_ASSERT_STRING_EQUAL(str(json_array_get(st, k), "file"), SRC);
    }
    json_decref(j);
    char line[256];
    snprintf(line, sizeof line, "    called from %s:%d (do_copy)", SRC, src);
    CU_ASSERT(has_line(out, line));
}

/* --format=gcc: the exact lines, error then notes for the callers. */
static void test_gcc_format_lines(void) {
    int rc;
    json_t* j = run_variant("leak_in_helper", ONE, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t* fs = get(j, "findings");
    CU_ASSERT_EQUAL_FATAL(json_array_size(fs), 2);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "run --driver %s/outputs_leak_in_helper.so " ONE " --format=gcc", SL_DRIVER_DIR);
    CU_ASSERT_EQUAL(sl_test_staleline(cmd, &out), 1);
    const int pin = line_of("pin"), callers[2] = {line_of("src"), line_of("dst")};
    for (size_t i = 0; i < 2; ++i) {
        json_t* f = json_array_get(fs, i);
        char want[2048];
        snprintf(want, sizeof want, "%s:%d:1: error: %s [leaked-pin]", SRC, pin, str(f, "message"));
        CU_ASSERT(has_line(out, want));
        snprintf(want, sizeof want, "%s:%d:1: note: called from here, in do_copy", SRC, callers[i]);
        CU_ASSERT(has_line(out, want));
    }
    CU_ASSERT(has_line(out, "SUMMARY: staleline: 2 findings (leaked-pin 2)"));
    CU_ASSERT_PTR_NULL(strstr(out, "cache:      ")); /* no statistics in this format */
    json_decref(j);
}

/* The SUMMARY line ends every run: with no finding, and per kind in order of first finding. */
static void test_summary_line(void) {
    CU_ASSERT_EQUAL(sl_test_staleline("run " ONE, &out), 0);
    const size_t n = strlen(out);
    const char* last = "SUMMARY: staleline: 0 findings\n";
    CU_ASSERT(n >= strlen(last) && !strcmp(out + n - strlen(last), last));
    int rc;
    json_t* j = sl_test_staleline_json("run --driver bug:missing-clean " ONE, &rc, &out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    const size_t nf = json_array_size(get(j, "findings"));
    CU_ASSERT(nf > 0);
    char want[128];
    snprintf(want, sizeof want, "SUMMARY: staleline: %zu finding%s (stale-device-read %zu)", nf, nf == 1 ? "" : "s", nf);
    CU_ASSERT(has_line(out, want));
    json_decref(j);
}

static void test_bad_format_exit_2(void) {
    CU_ASSERT_EQUAL(sl_test_staleline("run --format=xml", &out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "staleline run: --format: unknown format 'xml' (expected summary or gcc)"));
    CU_ASSERT_EQUAL(sl_test_staleline("run --format", &out), 2);
}

static json_t* run_faulting_variant(const char* variant, const char* args, int* rc) {
    sl_test_leak_check_off();
    json_t* j = run_variant(variant, args, rc);
    sl_test_leak_check_restore();
    return j;
}

/* A fault ends the run with a driver-fault finding at the line, its stack, a problem line
 * that quotes it, and no text of the simulation kernel. */
static void check_fault(const char* variant, const char* tag, const char* what) {
    const int at = line_of(tag);
    CU_ASSERT_FATAL(at > 0);
    int rc;
    json_t* j = run_faulting_variant(variant, ONE, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_TRUE(json_is_false(get(j, "data_ok")));
    json_t* fs = get(j, "findings");
    CU_ASSERT_EQUAL_FATAL(json_array_size(fs), 1); /* no leaked pins after a fault */
    json_t* f = json_array_get(fs, 0);
    CU_ASSERT_STRING_EQUAL(str(f, "kind"), "driver-fault");
    CU_ASSERT_STRING_EQUAL(str(get(f, "location"), "file"), SRC);
    CU_ASSERT_EQUAL(num(get(f, "location"), "line"), at);
    CU_ASSERT_STRING_EQUAL(str(get(f, "location"), "function"), "do_copy");
    CU_ASSERT_PTR_NOT_NULL(strstr(str(f, "message"), what));
    json_t* st = get(f, "stack");
    CU_ASSERT_FATAL(json_array_size(st) >= 2);
    CU_ASSERT_EQUAL(num(json_array_get(st, 0), "line"), at);
    CU_ASSERT_STRING_EQUAL(str(json_array_get(st, 1), "function"), "co_transfer");
    const char* problem = str(j, "problem");
    CU_ASSERT_PTR_NOT_NULL_FATAL(problem);
    CU_ASSERT_EQUAL(strncmp(problem, "the driver faulted: ", 20), 0);
    CU_ASSERT_PTR_NULL(strstr(out, "sc_except"));
    CU_ASSERT_PTR_NULL(strstr(out, "In file:"));
    CU_ASSERT(has_line(out, "SUMMARY: staleline: 1 finding (driver-fault 1)"));
    char want[256];
    snprintf(want, sizeof want, "  driver-fault at %s:%d (do_copy), ", SRC, at);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
    json_decref(j);
}

static json_t* run_sarif(const char* args, int* rc, char** text);
static json_t* run0(json_t* doc);
static json_t* invocation(json_t* doc);

static void test_driver_fault_null_store(void) {
    check_fault("null_store", "null", "segmentation fault in driver code: a null pointer dereference (address 0x0)");
    /* SARIF: the finding, and an invocation that did not complete */
    char args[1024];
    snprintf(args, sizeof args, "--driver %s/outputs_null_store.so " ONE, SL_DRIVER_DIR);
    int rc;
    sl_test_leak_check_off();
    json_t* doc = run_sarif(args, &rc, NULL);
    sl_test_leak_check_restore();
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_EQUAL(rc, 1);
    json_t* results = get(run0(doc), "results");
    CU_ASSERT_EQUAL_FATAL(json_array_size(results), 1);
    CU_ASSERT_STRING_EQUAL(str(json_array_get(results, 0), "ruleId"), "driver-fault");
    json_t* inv = invocation(doc);
    CU_ASSERT_EQUAL(num(inv, "exitCode"), 1);
    CU_ASSERT_TRUE(json_is_false(get(inv, "executionSuccessful")));
    json_t* note = json_array_get(get(inv, "toolExecutionNotifications"), 0);
    CU_ASSERT_STRING_EQUAL(str(get(note, "descriptor"), "id"), "run-incomplete");
    const char* text = str(get(note, "message"), "text");
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(strncmp(text, "The run did not complete: the driver faulted: segmentation fault in driver code", 79), 0);
    json_decref(doc);
}

static void test_driver_fault_unmapped_vmo(void) {
    check_fault("unmapped_store", "unmapped", "store to VMO memory that is not mapped");
}

static void test_driver_fault_bar_memcpy(void) {
    check_fault("bar_memcpy", "bar", "store to a mapped BAR by memcpy/memset/memmove or zx_vmo_read/write");
}

/* `staleline run ARGS --sarif FILE`: the parsed log; *text its bytes when asked. */
static json_t* run_sarif(const char* args, int* rc, char** text) {
    char path[128], cmd[2048];
    snprintf(path, sizeof path, "/tmp/sl_test_outputs_%d.sarif", (int)getpid());
    unlink(path);
    snprintf(cmd, sizeof cmd, "run %s --sarif %s", args, path);
    *rc = sl_test_staleline(cmd, &out);
    json_t* doc = json_load_file(path, 0, NULL);
    if (text) *text = slurp(path);
    unlink(path);
    return doc;
}

static json_t* run0(json_t* doc) { return json_array_get(get(doc, "runs"), 0); }
static json_t* invocation(json_t* doc) { return json_array_get(get(run0(doc), "invocations"), 0); }

/* The invocation says how the run ended; the tool says what it is. */
static void test_sarif_invocation(void) {
    int rc;
    json_t* doc = run_sarif(ONE, &rc, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_EQUAL(rc, 0);
    json_t* inv = invocation(doc);
    CU_ASSERT_EQUAL(num(inv, "exitCode"), 0);
    CU_ASSERT_TRUE(json_is_true(get(inv, "executionSuccessful")));
    CU_ASSERT_PTR_NULL(get(inv, "toolExecutionNotifications"));
    json_t* driver = get(get(run0(doc), "tool"), "driver");
    CU_ASSERT_STRING_EQUAL(str(driver, "version"), "0.1.0");
    CU_ASSERT_STRING_EQUAL(str(driver, "informationUri"), "https://staleline.dev/");
    json_t* rule = json_array_get(get(driver, "rules"), 0);
    CU_ASSERT_STRING_EQUAL(str(rule, "helpUri"), "https://staleline.dev/docs/findings.md#stale-device-read");
    char root[4200];
    snprintf(root, sizeof root, "file://%s/", SL_SOURCE_DIR);
    CU_ASSERT_STRING_EQUAL(str(get(get(run0(doc), "originalUriBaseIds"), "SRCROOT"), "uri"), root);
    json_decref(doc);

    /* wrong data, no finding: the run is not successful, and says why */
    char args[1024];
    snprintf(args, sizeof args, "--driver %s/outputs_corrupt.so " ONE, SL_DRIVER_DIR);
    doc = run_sarif(args, &rc, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_EQUAL(json_array_size(get(run0(doc), "results")), 0);
    inv = invocation(doc);
    CU_ASSERT_EQUAL(num(inv, "exitCode"), 1);
    CU_ASSERT_TRUE(json_is_false(get(inv, "executionSuccessful")));
    json_t* note = json_array_get(get(inv, "toolExecutionNotifications"), 0);
    CU_ASSERT_STRING_EQUAL(str(get(note, "descriptor"), "id"), "wrong-data-without-finding");
    CU_ASSERT_STRING_EQUAL(str(note, "level"), "error");
    CU_ASSERT_STRING_EQUAL(str(get(note, "message"), "text"),
                           "The data came out wrong but the checker reported no finding: copy #0 (16384 bytes, "
                           "src +0, dst +0): 1 bytes wrong, first at +0: 0x44, expected 0x1e.");
    json_decref(doc);

    /* a help URI given as a path becomes a file:// URI */
    doc = run_sarif(ONE " --set checker.help_uri=/srv/docs/findings.md", &rc, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    rule = json_array_get(get(get(get(run0(doc), "tool"), "driver"), "rules"), 1);
    CU_ASSERT_STRING_EQUAL(str(rule, "helpUri"), "file:///srv/docs/findings.md#stale-cpu-read");
    json_decref(doc);
}

/* Files outside the source root are file:// URIs without a uriBaseId; stacks are SARIF
 * stacks; the same run gives the same bytes. */
static void test_sarif_paths_and_stacks(void) {
    int rc;
    json_t* doc = run_sarif("--driver bug:missing-clean " ONE " --set checker.source_root=/nonexistent/elsewhere", &rc, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    json_t* res = json_array_get(get(run0(doc), "results"), 0);
    json_t* art = get(get(json_array_get(get(res, "locations"), 0), "physicalLocation"), "artifactLocation");
    char want[4200];
    snprintf(want, sizeof want, "file://%s/driver/dmac/dmac-ring.c", SL_SOURCE_DIR);
    CU_ASSERT_STRING_EQUAL(str(art, "uri"), want);
    CU_ASSERT_PTR_NULL(get(art, "uriBaseId"));
    json_decref(doc);

    char args[1024], *a = NULL, *b = NULL;
    snprintf(args, sizeof args, "--driver %s/outputs_leak_in_helper.so " ONE, SL_DRIVER_DIR);
    doc = run_sarif(args, &rc, &a);
    json_decref(run_sarif(args, &rc, &b));
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(a, b);
    const int callers[2] = {line_of("src"), line_of("dst")};
    json_t* results = get(run0(doc), "results");
    CU_ASSERT_EQUAL_FATAL(json_array_size(results), 2);
    for (size_t i = 0; i < 2; ++i) {
        json_t* frames = get(json_array_get(get(json_array_get(results, i), "stacks"), 0), "frames");
        CU_ASSERT_FATAL(json_array_size(frames) >= 2);
        json_t* loc = get(json_array_get(frames, 1), "location");
        CU_ASSERT_EQUAL(num(get(get(loc, "physicalLocation"), "region"), "startLine"), callers[i]);
        CU_ASSERT_STRING_EQUAL(str(get(get(loc, "physicalLocation"), "artifactLocation"), "uri"), SRC);
        CU_ASSERT_STRING_EQUAL(str(json_array_get(get(loc, "logicalLocations"), 0), "name"), "do_copy");
    }
    free(a);
    free(b);
    json_decref(doc);
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_stack_of_helper_called_from_two_sites),
        SL_TEST(test_gcc_format_lines),
        SL_TEST(test_summary_line),
        SL_TEST(test_bad_format_exit_2),
        SL_TEST(test_driver_fault_null_store),
        SL_TEST(test_driver_fault_unmapped_vmo),
        SL_TEST(test_driver_fault_bar_memcpy),
        SL_TEST(test_sarif_invocation),
        SL_TEST(test_sarif_paths_and_stacks),
    };
    int rc = sl_test_main(argc, argv, "outputs", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
