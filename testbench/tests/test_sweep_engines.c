/* staleline sweep on a real engine: GNU parallel with two workers runs the emitted
 * commands, the collect gives the bytes of the local sweep, findings are not failed jobs;
 * a task killed mid-run leaves its point missing, and the collect says so instead of
 * running it. (The Slurm path: .ci/slurm-test.) */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sl_test.h"

#define ST sl_test_bin("staleline")

static int shf(char** out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
static int shf(char** out, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char* cmd = NULL;
    if (vasprintf(&cmd, fmt, ap) < 0) abort();
    va_end(ap);
    size_t n = strlen(cmd);
    while (n && cmd[n - 1] == '\n') cmd[--n] = 0; /* printed lines end in one */
    int rc = sl_test_run(cmd, out);
    free(cmd);
    return rc;
}

static char* tmpdir(void) {
    static char d[64];
    strcpy(d, "/tmp/sl_sweepe_XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(d));
    return d;
}

static char* slurp(const char* dir, const char* file) {
    char* path = NULL;
    if (asprintf(&path, "%s/%s", dir, file) < 0) abort();
    FILE* f = fopen(path, "r");
    free(path);
    if (!f) return NULL;
    char* buf = NULL;
    size_t len = 0;
    FILE* m = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF) fputc(c, m);
    fclose(m);
    fclose(f);
    return buf;
}

static void same_file(const char* a, const char* b, const char* file) {
    char* x = slurp(a, file);
    char* y = slurp(b, file);
    CU_ASSERT_PTR_NOT_NULL(x);
    CU_ASSERT_PTR_NOT_NULL(y);
    if (x && y) CU_ASSERT_STRING_EQUAL(x, y);
    if (x && y && strcmp(x, y)) fprintf(stderr, "%s differs between %s and %s\n", file, a, b);
    free(x);
    free(y);
}

/* Field `col` (tab-separated, from 0) of every joblog line but the header: all equal to want? */
static int joblog_all(const char* dir, int col, const char* want, int* lines) {
    char* log = slurp(dir, "parallel.joblog");
    if (!log) return 0;
    int ok = 1;
    *lines = 0;
    char* save = NULL;
    int first = 1;
    for (char* l = strtok_r(log, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (first) {
            first = 0;
            continue;
        }
        ++*lines;
        char* f = l;
        for (int c = 0; c < col && f; ++c) f = strchr(f, '\t') ? strchr(f, '\t') + 1 : NULL;
        ok &= f && !strncmp(f, want, strlen(want)) && (f[strlen(want)] == '\t' || !f[strlen(want)]);
    }
    free(log);
    return ok;
}

static void test_gnu_parallel(void) {
    CU_ASSERT_EQUAL_FATAL(system("command -v parallel >/dev/null"), 0); /* bash .ci/deps installs it */
    char* d = tmpdir();
    char par[128], loc[128];
    snprintf(par, sizeof par, "%s/parallel", d);
    snprintf(loc, sizeof loc, "%s/local", d);
    const char* sw = "--workload random --set workload.transfers=64 --param iotlb.entries=16,64,256 --param workload.window=64k,1M";
    char* line = NULL;
    CU_ASSERT_EQUAL(shf(&line, "%s sweep %s --out %s --emit parallel -j 2 --batch 2", ST, sw, par), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(line, "parallel --joblog"));
    char* out = NULL;
    int rc = shf(&out, "%s", line);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "6 collected"));
    free(out);
    free(line);
    int lines = 0;
    CU_ASSERT(joblog_all(par, 6, "0", &lines)); /* Exitval */
    CU_ASSERT_EQUAL(lines, 3);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep %s --out %s -j 2", ST, sw, loc), 0);
    same_file(par, loc, "results.csv");
    same_file(par, loc, "results.json");
    same_file(par, loc, "plots/iotlb_miss_rate.dat");
    same_file(par, loc, "plots/throughput_mb_s.gp");

    /* findings are results, not failed jobs; a failed point is a failed job */
    char bug[128];
    snprintf(bug, sizeof bug, "%s/bug", d);
    CU_ASSERT_EQUAL(shf(&line, "%s sweep --driver bug:missing-clean --set workload.transfers=8 --set workload.max_size=16k "
                               "--param cache.ways=4,8 --no-plots --out %s --emit parallel -j 2", ST, bug), 0);
    CU_ASSERT_EQUAL(shf(&out, "%s", line), 0);
    free(out);
    free(line);
    CU_ASSERT(joblog_all(bug, 6, "0", &lines));
    CU_ASSERT_EQUAL(lines, 2);
    char fail[128];
    snprintf(fail, sizeof fail, "%s/fail", d);
    CU_ASSERT_EQUAL(shf(&line, "%s sweep --command demo --param cache.size=1000 --no-plots --out %s --emit parallel -j 2", ST, fail), 0);
    CU_ASSERT_EQUAL(shf(&out, "%s", line), 1); /* the collect: a point failed */
    free(out);
    free(line);
    CU_ASSERT(joblog_all(fail, 6, "2", &lines)); /* the configuration error's status */
    CU_ASSERT_EQUAL(shf(NULL, "rm -rf %s", d), 0);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_kill_mid_run(void) {
    char* d = tmpdir();
    char* lines = NULL;
    /* point 1 runs for seconds */
    CU_ASSERT_EQUAL(shf(&lines, "%s sweep --workload random --param workload.transfers=16,400000 --no-plots --out %s --print-commands",
                        ST, d), 0);
    char* second = strchr(lines, '\n') + 1;
    *strchr(second, '\n') = 0;
    *strchr(lines, '\n') = 0;
    CU_ASSERT_EQUAL(shf(NULL, "%s", lines), 0);
    /* the task: the printed line in the background, killed once its point is running */
    char* script = NULL;
    if (asprintf(&script, "%s/kill.sh", d) < 0) abort();
    FILE* f = fopen(script, "w");
    fprintf(f, "exec 2>/dev/null\n%s & w=$!\nwhile [ ! -s '%s/points/workload.transfers=400000.log' ]; do sleep 0.05; done\nsleep 0.3\nkill -9 $w\nwait $w\n",
            second, d);
    fclose(f);
    int rc = shf(NULL, "bash %s", script);
    CU_ASSERT_EQUAL(rc, 128 + 9);
    double t = now_s();
    char* out = NULL;
    rc = shf(&out, "%s sweep collect %s", ST, d);
    double took = now_s() - t;
    CU_ASSERT_EQUAL(rc, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "1 collected, 1 missing"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "point 1 missing"));
    CU_ASSERT(took < 1.5); /* it did not run the point (seconds) */
    free(out);
    /* the killed task's run died with it: no record appears later */
    usleep(500000);
    char* rec = slurp(d, "points/workload.transfers=400000.json");
    CU_ASSERT_PTR_NULL(rec);
    free(rec);
    char* log = slurp(d, "points/workload.transfers=400000.log");
    CU_ASSERT_PTR_NOT_NULL(log);
    CU_ASSERT_PTR_NULL(log ? strstr(log, "sim time") : NULL); /* killed before its summary */
    free(log);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep collect %s", ST, d), 3); /* still missing, still not run */
    free(script);
    free(lines);
    CU_ASSERT_EQUAL(shf(NULL, "rm -rf %s", d), 0);
}

static const sl_test_t tests[] = {SL_TEST(test_gnu_parallel), SL_TEST(test_kill_mid_run)};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "sweep_engines", tests, SL_COUNT(tests)); }
