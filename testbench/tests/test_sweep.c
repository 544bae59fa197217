/* staleline sweep: grid errors, the CSV/JSON of a small real sweep, a failed point that
 * does not stop the sweep, reuse of finished points, determinism, cluster commands. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"

static char* sweep(const char* args, int* rc) {
    char* cmd = NULL;
    char* out = NULL;
    if (asprintf(&cmd, "%s sweep --command demo %s", sl_test_bin("staleline"), args) < 0) abort();
    *rc = sl_test_run(cmd, &out);
    free(cmd);
    return out;
}

static char* tmpdir(void) {
    static char d[64];
    strcpy(d, "/tmp/sl_sweep_XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(d));
    return d;
}

static char* slurp(const char* path) {
    FILE* f = fopen(path, "r");
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

static void test_grid_errors(void) {
    struct { const char* args; const char* needle; } cases[] = {
        {"--param iotlb.entriez=1,2", "iotlb.entriez"},
        {"--param iotlb.entries=16,x", "iotlb.entries"},
        {"--param iotlb.entries=", "iotlb.entries"},
        {"--param =4", "--param"},
        {"--param cache.ways=1 --param cache.ways=2", "cache.ways"},
        {"--param cache.ways=2 --set cache.wayz=2", "cache.wayz"},
        {"--param cache.ways=2 -j 0", "--jobs"},
        {"--param cache.ways=2 --x dram.latency_ns", "dram.latency_ns"},
        {"", "--param"},
    };
    for (size_t i = 0; i < SL_COUNT(cases); ++i) {
        int rc;
        char* out = sweep(cases[i].args, &rc);
        CU_ASSERT_EQUAL(rc, 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, cases[i].needle));
        if (rc != 2 || !strstr(out, cases[i].needle)) fprintf(stderr, "case %zu: %s\n", i, out);
        free(out);
    }
}

/* 3 x 2 points, one of which fails (an impossible cache geometry is caught by the point,
 * not by the grid check, which sees one key at a time). */
static void test_small_sweep(void) {
    char* d = tmpdir();
    char args[256];
    snprintf(args, sizeof args, "--param dram.latency_ns=20,200 --param cache.size=32k,1000 -j 2 --no-plots --out %s", d);
    int rc;
    char* out = sweep(args, &rc);
    CU_ASSERT_EQUAL(rc, 1); /* a point failed */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "FAILED"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cache.size"));
    free(out);

    char path[256];
    snprintf(path, sizeof path, "%s/results.json", d);
    json_t* doc = json_load_file(path, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    json_t* pts = json_object_get(doc, "points");
    CU_ASSERT_EQUAL_FATAL(json_array_size(pts), 4);
    /* grid order: first key slowest */
    const char* expect[4][3] = {{"20", "32k", "ok"}, {"20", "1000", "failed"}, {"200", "32k", "ok"}, {"200", "1000", "failed"}};
    double t[4] = {0};
    for (size_t i = 0; i < 4; ++i) {
        json_t* row = json_array_get(pts, i);
        json_t* params = json_object_get(row, "params");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(params, "dram.latency_ns")), expect[i][0]);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(params, "cache.size")), expect[i][1]);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(row, "status")), expect[i][2]);
        json_t* stats = json_object_get(row, "stats");
        if (!strcmp(expect[i][2], "ok")) {
            CU_ASSERT_PTR_NOT_NULL(stats);
            t[i] = json_number_value(json_object_get(stats, "sim_time_ns"));
            CU_ASSERT(json_number_value(json_object_get(stats, "stats.cache.accesses")) > 0);
        } else {
            CU_ASSERT_PTR_NULL(stats);
            CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(row, "error")), "exit 2"));
        }
    }
    /* slower DRAM, longer run: the statistics really come from each point's own config */
    CU_ASSERT(t[2] > t[0]);
    json_decref(doc);

    snprintf(path, sizeof path, "%s/results.csv", d);
    char* csv = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
    CU_ASSERT_EQUAL(strncmp(csv, "dram.latency_ns,cache.size,status,exit,error,", 45), 0);
    int lines = 0;
    for (char* c = csv; *c; ++c) lines += *c == '\n';
    CU_ASSERT_EQUAL(lines, 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(csv, "\n20,32k,ok,0,,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(csv, "\n200,1000,failed,2,\"exit 2"));

    /* a second run reuses the finished points (and retries the failed ones): same CSV */
    out = sweep(args, &rc);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "reused"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "2 reused"));
    free(out);
    char* csv2 = slurp(path);
    CU_ASSERT_STRING_EQUAL(csv, csv2);
    free(csv2);
    /* --force reruns everything, and determinism gives the same bytes */
    char forced[300];
    snprintf(forced, sizeof forced, "%s --force", args);
    out = sweep(forced, &rc);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "0 reused"));
    free(out);
    csv2 = slurp(path);
    CU_ASSERT_STRING_EQUAL(csv, csv2);
    free(csv2);
    free(csv);
    char* cmd = NULL;
    if (asprintf(&cmd, "rm -rf %s", d) >= 0) CU_ASSERT_EQUAL(system(cmd), 0);
    free(cmd);
}

static void test_print_commands(void) {
    int rc;
    char* out = sweep("--param cache.ways=2,4 --set dram.latency_ns=30 --out /tmp/x --print-commands", &rc);
    CU_ASSERT_EQUAL(rc, 0);
    int lines = 0;
    for (char* c = out; *c; ++c) lines += *c == '\n';
    CU_ASSERT_EQUAL(lines, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "'demo' '--set' 'dram.latency_ns=30' '--set' 'cache.ways=2' '--json' '/tmp/x/points/cache.ways=2.run.json'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "'cache.ways=4'"));
    free(out);

    /* the cluster path: run the printed commands elsewhere, then collect without rerunning */
    char* d = tmpdir();
    char args[256], cmd[512];
    snprintf(args, sizeof args, "--param cache.ways=2,4 --no-plots --out %s", d);
    snprintf(cmd, sizeof cmd, "%s sweep --command demo %s --print-commands | sh", sl_test_bin("staleline"), args);
    CU_ASSERT_EQUAL(sl_test_run(cmd, NULL), 0);
    out = sweep(args, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "0 run, 2 reused"));
    free(out);
    char path[256];
    snprintf(path, sizeof path, "%s/results.csv", d);
    char* csv = slurp(path);
    CU_ASSERT_PTR_NOT_NULL(csv);
    if (csv) CU_ASSERT_PTR_NOT_NULL(strstr(csv, "\n4,ok,0,,"));
    free(csv);
    snprintf(cmd, sizeof cmd, "rm -rf %s", d);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_plots(void) {
    if (system("command -v gnuplot >/dev/null") != 0) return; /* plots are optional */
    char* d = tmpdir();
    char args[256];
    snprintf(args, sizeof args, "--param dram.latency_ns=20,60 --param cache.ways=2,8 --out %s", d);
    int rc;
    free(sweep(args, &rc));
    CU_ASSERT_EQUAL(rc, 0);
    const char* files[] = {"throughput_mb_s.svg", "throughput_mb_s.png", "throughput_mb_s.gp", "iotlb_miss_rate.svg"};
    for (size_t i = 0; i < SL_COUNT(files); ++i) {
        char p[256];
        snprintf(p, sizeof p, "%s/plots/%s", d, files[i]);
        CU_ASSERT_EQUAL(access(p, R_OK), 0);
    }
    char p[256];
    snprintf(p, sizeof p, "%s/plots/throughput_mb_s.dat", d);
    char* dat = slurp(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(dat, "# cache.ways=2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dat, "# cache.ways=8"));
    free(dat);
    char* cmd = NULL;
    if (asprintf(&cmd, "rm -rf %s", d) >= 0) CU_ASSERT_EQUAL(system(cmd), 0);
    free(cmd);
}

static const sl_test_t tests[] = {
    SL_TEST(test_grid_errors), SL_TEST(test_small_sweep), SL_TEST(test_print_commands), SL_TEST(test_plots),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "sweep", tests, SL_COUNT(tests)); }
