/* staleline sweep: grid errors, the CSV/JSON of a small real sweep, a failed point that
 * does not stop the sweep, reuse of finished points, determinism, cluster commands, and
 * one test per row of the engine issue: results only adopted for the command that made
 * them, a read-only collect, late tasks and torn files, --out spellings, options carried by
 * printed commands, per-point logs, findings that are not failures, quoting. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdarg.h>
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

/* printf-style shell command; returns its status, output in *out when out is not NULL. */
static int shf(char** out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
static int shf(char** out, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char* cmd = NULL;
    if (vasprintf(&cmd, fmt, ap) < 0) abort();
    va_end(ap);
    int rc = sl_test_run(cmd, out);
    free(cmd);
    return rc;
}

static int count_lines(const char* s) {
    int n = 0;
    for (; s && *s; ++s) n += *s == '\n';
    return n;
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
        {"--param cache.ways=2 --fail-on crashes", "--fail-on"},
        {"--param cache.ways=2 --emit pbs", "--emit"},
        {"--param cache.ways=2,4 --point 2", "--point"},
        {"--param cache.ways=2,4 --point 1-0", "--point"},
        {"--param cache.ways=2 --batch 0", "--batch"},
        {"--param cache.ways=2 --point 0 --print-commands", "exclude"},
        {"--param sim.seed=5..1", "sim.seed"},
        {"--param cache.ways=2 --config /nonexistent.toml", "nonexistent"},
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
    /* a size parameter has its value in bytes beside it, by default */
    CU_ASSERT_EQUAL(strncmp(csv, "dram.latency_ns,cache.size,cache.size_bytes,status,exit,error,", 62), 0);
    int lines = 0;
    for (char* c = csv; *c; ++c) lines += *c == '\n';
    CU_ASSERT_EQUAL(lines, 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(csv, "\n20,32k,32768,ok,0,,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(csv, "\n200,1000,1000,failed,2,\"exit 2"));

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
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " sweep --command demo --set dram.latency_ns=30 --param cache.ways=2,4 --out /tmp/x --point 0\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--point 1\n"));
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
    /* the engine's points and the local sweep's give the same bytes */
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


#define ST sl_test_bin("staleline")

static json_t* load_json(const char* dir, const char* file) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return json_load_file(path, 0, NULL);
}

static char* slurp2(const char* dir, const char* file) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return slurp(path);
}

static void rm_rf(const char* d) { CU_ASSERT_EQUAL(shf(NULL, "rm -rf '%s'", d), 0); }

/* Row 1: a record made by another command is stale, never adopted; the local sweep reruns
 * it; the same configuration spelled differently (32k, 32768) is the same command. */
static void test_stale_results(void) {
    char* d = tmpdir();
    char* out = NULL;
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep --command demo --set dram.latency_ns=20 --param cache.ways=2,4 --no-plots --out %s "
                              "--print-commands | sh", ST, d), 0);
    int rc = shf(&out, "%s sweep --command demo --set dram.latency_ns=200 --param cache.ways=2,4 --no-plots --out %s --collect-only",
                 ST, d);
    CU_ASSERT_EQUAL(rc, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "2 stale"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "dram.latency_ns=20 (now 200)"));
    free(out);
    json_t* doc = load_json(d, "results.json");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(json_object_get(doc, "points"), 0), "status")), "stale");
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(json_object_get(doc, "points"), 0), "stats"));
    json_decref(doc);
    /* the local sweep does not take them either */
    rc = shf(&out, "%s sweep --command demo --set dram.latency_ns=200 --param cache.ways=2,4 --no-plots --out %s", ST, d);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "2 run, 0 reused"));
    free(out);
    doc = load_json(d, "results.json");
    double t200 = json_number_value(json_object_get(json_object_get(json_array_get(json_object_get(doc, "points"), 0), "stats"), "sim_time_ns"));
    json_decref(doc);
    /* the same configuration written another way is reused */
    rc = shf(&out, "%s sweep --command demo --set dram.latency_ns=200 --set cache.size=32768 --param cache.ways=2,4 --no-plots --out %s",
             ST, d);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "0 run, 2 reused"));
    free(out);
    /* and the numbers are those of 200 ns DRAM, not 20 */
    rc = shf(&out, "%s sweep --command demo --set dram.latency_ns=20 --param cache.ways=2,4 --no-plots --out %s.20", ST, d);
    doc = load_json(d, "results.json");
    char d20[128];
    snprintf(d20, sizeof d20, "%s.20", d);
    json_t* doc20 = load_json(d20, "results.json");
    double t20 = json_number_value(json_object_get(json_object_get(json_array_get(json_object_get(doc20, "points"), 0), "stats"), "sim_time_ns"));
    CU_ASSERT(t200 > t20);
    json_decref(doc);
    json_decref(doc20);
    free(out);
    rm_rf(d20);
    rm_rf(d);
}

/* Rows 2 and 3: the collect never runs a point; it names the missing one with its command,
 * exits 3 until it is there; a late task is picked up by the next collect; a half-written
 * temporary file is not a result; collecting twice gives the same bytes. */
static void test_collect_read_only(void) {
    char* d = tmpdir();
    char* out = NULL;
    CU_ASSERT_EQUAL(shf(&out, "%s sweep --command demo --param cache.ways=2,4 --no-plots --out %s --print-commands", ST, d), 0);
    CU_ASSERT_EQUAL_FATAL(count_lines(out), 2);
    char* second = strchr(out, '\n') + 1;
    *strchr(second, '\n') = 0;
    char* first_line = out;
    *strchr(first_line, '\n') = 0;
    CU_ASSERT_EQUAL(shf(NULL, "%s", first_line), 0);
    /* a task caught writing: its temporary files are not results */
    CU_ASSERT_EQUAL(shf(NULL, "printf '{\"digest\": ' > %s/points/.cache.ways=4.999.json; printf '{' > %s/points/.cache.ways=4.999.run.json", d, d), 0);
    char* col = NULL;
    int rc = shf(&col, "%s sweep collect %s", ST, d);
    CU_ASSERT_EQUAL(rc, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(col, "1 collected, 1 missing"));
    CU_ASSERT_PTR_NOT_NULL(strstr(col, "point 1 missing"));
    CU_ASSERT_PTR_NOT_NULL(strstr(col, second)); /* the exact command to rerun it */
    free(col);
    char path[512];
    snprintf(path, sizeof path, "%s/points/cache.ways=4.log", d);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0); /* it did not run */
    snprintf(path, sizeof path, "%s/points/cache.ways=4.json", d);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    char* rerun = slurp2(d, "rerun.txt");
    CU_ASSERT_EQUAL(count_lines(rerun), 1);
    free(rerun);
    char* csv = slurp2(d, "results.csv");
    CU_ASSERT_PTR_NOT_NULL(csv && strstr(csv, "\n4,missing,-1,"));
    free(csv);
    /* the late task finishes: the next collect has it */
    snprintf(path, sizeof path, "%s/rerun.txt", d);
    CU_ASSERT_EQUAL(shf(NULL, "sh '%s'", path), 0);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep collect %s", ST, d), 0);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0); /* nothing left to rerun */
    char* csv1 = slurp2(d, "results.csv");
    char* json1 = slurp2(d, "results.json");
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep collect %s", ST, d), 0);
    char* csv2 = slurp2(d, "results.csv");
    char* json2 = slurp2(d, "results.json");
    CU_ASSERT_STRING_EQUAL(csv1, csv2);
    CU_ASSERT_STRING_EQUAL(json1, json2);
    CU_ASSERT_PTR_NOT_NULL(strstr(csv1, "\n4,ok,0,"));
    /* the same bytes as a local sweep */
    char local[128];
    snprintf(local, sizeof local, "%s.local", d);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep --command demo --param cache.ways=2,4 --no-plots --out %s", ST, local), 0);
    char* csv3 = slurp2(local, "results.csv");
    CU_ASSERT_STRING_EQUAL(csv1, csv3);
    free(csv1);
    free(csv2);
    free(csv3);
    free(json1);
    free(json2);
    free(out);
    rm_rf(local);
    rm_rf(d);
}

/* Row 4: results do not depend on how --out is spelled, nor on where the folder is when it
 * is collected (a config file travels with it). */
static void test_out_spelling(void) {
    char* d = tmpdir();
    char* out = NULL;
    CU_ASSERT_EQUAL(shf(NULL, "printf '[dram]\\nlatency_ns = 30\\n' > %s.toml", d), 0);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep --command demo --config %s.toml --param cache.ways=2,4 --no-plots --out %s", ST, d, d), 0);
    int rc = shf(&out, "cd %s/.. && %s sweep --command demo --config %s.toml --param cache.ways=2,4 --no-plots --out ./%s/./points/../", d,
                 ST, d, strrchr(d, '/') + 1);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "0 run, 2 reused"));
    free(out);
    /* printed on one path, collected on another */
    char moved[128];
    snprintf(moved, sizeof moved, "%s.moved", d);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep --command demo --config %s.toml --param cache.ways=8,16 --no-plots --out %s --print-commands | sh", ST,
                        d, d), 0);
    CU_ASSERT_EQUAL(shf(NULL, "mv %s %s && rm %s.toml", d, moved, d), 0);
    rc = shf(&out, "%s sweep collect %s", ST, moved);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "2 collected, 0 missing, 0 stale"));
    free(out);
    rm_rf(moved);
}

/* Rows 5 and 6: every option that changes a result is in the printed command; a point
 * writes its log to OUT/points/<point>.log; the binary is staleline when PATH has it. */
static void test_self_contained(void) {
    char* d = tmpdir();
    char* out = NULL;
    CU_ASSERT_EQUAL(shf(NULL, "printf 'cache.ways = 4\\n' > %s.toml", d), 0);
    CU_ASSERT_EQUAL(shf(&out, "%s sweep --command demo --timeout 5 --seed 9 --config %s.toml --set dram.latency_ns=30 --param sim.seed=1..3 "
                              "--param cache.size=16k,32k --out %s --print-commands --batch 4", ST, d, d), 0);
    CU_ASSERT_EQUAL(count_lines(out), 2); /* 6 points, 4 per line */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--timeout 5"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--seed 9"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--param sim.seed=1..3 --param cache.size=16k,32k"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--point 0-3\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--point 4-5\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"${STALELINE:-"));
    /* the config file is carried as a copy inside OUT, named by its digest */
    char copy[512];
    snprintf(copy, sizeof copy, "--config %s/inputs/", d);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, copy));
    free(out);
    CU_ASSERT_EQUAL(shf(NULL, "rm %s.toml && %s sweep --command demo --timeout 5 --seed 9 --config %s/inputs/*.toml --set dram.latency_ns=30 "
                              "--param sim.seed=1..3 --param cache.size=16k,32k --out %s --print-commands --batch 4 | sh", d, ST, d, d), 0);
    char* log = slurp2(d, "points/sim.seed=2_cache.size=32k.log");
    CU_ASSERT_PTR_NOT_NULL(log);
    CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "stale"));
    free(log);
    CU_ASSERT_EQUAL(shf(&out, "%s sweep collect %s --bytes-columns", ST, d), 0);
    free(out);
    char* csv = slurp2(d, "results.csv");
    CU_ASSERT_PTR_NOT_NULL(csv && !strncmp(csv, "sim.seed,cache.size,cache.size_bytes,status,", 44));
    CU_ASSERT_PTR_NOT_NULL(csv && strstr(csv, "\n3,32k,32768,ok,0,"));
    CU_ASSERT_EQUAL(count_lines(csv), 7);
    free(csv);
    /* --no-bytes-columns: the text column alone, as before they were the default */
    CU_ASSERT_EQUAL(shf(&out, "%s sweep collect %s --no-bytes-columns", ST, d), 0);
    free(out);
    csv = slurp2(d, "results.csv");
    CU_ASSERT_PTR_NOT_NULL(csv && !strncmp(csv, "sim.seed,cache.size,status,exit,error,", 38));
    CU_ASSERT_PTR_NOT_NULL(csv && strstr(csv, "\n3,32k,ok,0,"));
    CU_ASSERT_EQUAL(count_lines(csv), 7);
    free(csv);
    /* installed: plain `staleline` */
    char bindir[512];
    snprintf(bindir, sizeof bindir, "%s", ST);
    *strrchr(bindir, '/') = 0;
    CU_ASSERT_EQUAL(shf(&out, "PATH='%s':$PATH staleline sweep --command demo --param cache.ways=2 --out %s --print-commands", bindir, d), 0);
    CU_ASSERT_EQUAL(strncmp(out, "staleline sweep ", 16), 0);
    free(out);
    /* the digest names this Staleline's version */
    json_t* rec = load_json(d, "points/sim.seed=1_cache.size=16k.json");
    CU_ASSERT_EQUAL(shf(&out, "%s --version", ST), 0);
    const char* v = json_string_value(json_object_get(json_object_get(rec, "identity"), "version"));
    CU_ASSERT_PTR_NOT_NULL(v && strstr(out, v));
    CU_ASSERT_EQUAL(json_string_length(json_object_get(rec, "digest")), 64);
    json_decref(rec);
    free(out);
    rm_rf(d);
}

/* Row 8: an output folder with a quote, a space and a dollar runs and plots. */
static void test_quoting(void) {
    char* d = tmpdir();
    char q[256];
    snprintf(q, sizeof q, "%s/it's a $HOME", d);
    char* out = NULL;
    CU_ASSERT_EQUAL(shf(NULL, "cd %s && %s sweep --command demo --param cache.ways=2,4 --out \"it's a \\$HOME\" --print-commands | sh", d, ST), 0);
    int rc = shf(&out, "%s sweep collect \"%s/it's a \\$HOME\"", ST, d);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "2 collected"));
    free(out);
    /* nothing beside it: no stray folders from a split path */
    CU_ASSERT_EQUAL(shf(&out, "ls -A %s", d), 0);
    CU_ASSERT_STRING_EQUAL(out, "it's a $HOME\n");
    free(out);
    if (system("command -v gnuplot >/dev/null") == 0) {
        char p[512];
        snprintf(p, sizeof p, "%s/plots/throughput_mb_s.svg", q);
        CU_ASSERT_EQUAL(access(p, R_OK), 0);
    }
    rm_rf(d);
}

/* Row 7: a point with findings ran: its command exits 0 and records the findings; the
 * collect and the local sweep agree, and --fail-on turns findings into exit 1 for CI.
 * Point exit statuses: 2 configuration, 5 timeout, 6 crash. */
static void test_findings_and_exits(void) {
    char* d = tmpdir();
    char* out = NULL;
    const char* bug = "--driver bug:missing-clean --set workload.transfers=8 --set workload.max_size=16k";
    CU_ASSERT_EQUAL(shf(&out, "%s sweep %s --param cache.ways=4,8 --no-plots --out %s --print-commands", ST, bug, d), 0);
    char* line = out;
    *strchr(line, '\n') = 0;
    char* res = NULL;
    CU_ASSERT_EQUAL(shf(&res, "%s", line), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(res, "ran, findings"));
    free(res);
    free(out);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep %s --param cache.ways=4,8 --no-plots --out %s --point 1", ST, bug, d), 0);
    json_t* rec = load_json(d, "points/cache.ways=4.json");
    CU_ASSERT(json_array_size(json_object_get(json_object_get(rec, "result"), "findings")) > 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(rec, "exit")), 1);
    json_decref(rec);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep collect %s", ST, d), 0);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep collect %s --fail-on findings", ST, d), 1);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep collect %s --fail-on wrong-data", ST, d), 1);
    char* csv = slurp2(d, "results.csv");
    CU_ASSERT_PTR_NOT_NULL(csv && strstr(csv, "\n4,ok,1,"));
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep %s --param cache.ways=4,8 --no-plots --out %s.l -j 2", ST, bug, d), 0);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep %s --param cache.ways=4,8 --no-plots --out %s.l --fail-on findings", ST, bug, d), 1);
    char dl[128];
    snprintf(dl, sizeof dl, "%s.l", d);
    char* csvl = slurp2(dl, "results.csv");
    CU_ASSERT_STRING_EQUAL(csv, csvl);
    free(csv);
    free(csvl);
    rm_rf(dl);
    /* a configuration only the point sees is exit 2 */
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep --command demo --param cache.size=32k,1000 --out %s --point 1", ST, d), 2);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep --command demo --param cache.size=32k,1000 --out %s --point 0", ST, d), 0);
    /* timeout */
    CU_ASSERT_EQUAL(shf(&out, "%s sweep --workload random --set workload.transfers=1000000 --param cache.ways=8 --timeout 1 --out %s --point 0",
                        ST, d), 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "timed out"));
    free(out);
    /* a crash: the run killed by SIGSEGV while it runs */
    int rc = shf(&out, "%s sweep --workload random --set workload.transfers=1000000 --param cache.ways=4 --out %s --point 0 2>&1 & w=$!; "
                       "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.2; pkill -SEGV -P $w && break; done; wait $w", ST, d);
    CU_ASSERT_EQUAL(rc, 6);
    free(out);
    rec = load_json(d, "points/cache.ways=4.json");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(rec, "status")), "failed");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(rec, "point_exit")), 6);
    json_decref(rec);
    rm_rf(d);
}

/* A sweep whose every point fails: exit 1, a row each (no statistics at all). */
static void test_all_fail(void) {
    char* d = tmpdir();
    char* out = NULL;
    CU_ASSERT_EQUAL(shf(&out, "%s sweep --command demo --param cache.size=1000,2000 --out %s", ST, d), 1);
    free(out);
    char* csv = slurp2(d, "results.csv");
    CU_ASSERT_EQUAL(count_lines(csv), 3);
    CU_ASSERT_PTR_NOT_NULL(csv && strstr(csv, "\n2000,2000,failed,2,"));
    free(csv);
    CU_ASSERT_EQUAL(shf(NULL, "%s sweep collect %s", ST, d), 1);
    rm_rf(d);
}

/* --emit slurm: an array capped below MaxArraySize, batched and throttled; its script run
 * task by task as Slurm would, then the collect job's command. */
static void test_emit_slurm_script(void) {
    char* d = tmpdir();
    char* out = NULL;
    CU_ASSERT_EQUAL(shf(&out, "%s sweep --command demo --param cache.ways=1,2,4,8,16 --param dram.latency_ns=20,40 --out %s --emit slurm "
                              "--max-array 4 --throttle 2", ST, d), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "submit.sh --wait"));
    free(out);
    char* sb = slurp2(d, "slurm/points.sbatch");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
    CU_ASSERT_PTR_NOT_NULL(strstr(sb, "#SBATCH --array=0-2%2\n")); /* 10 points, 3 tasks of 4 */
    free(sb);
    for (int t = 0; t < 3; ++t) CU_ASSERT_EQUAL(shf(NULL, "SLURM_ARRAY_TASK_ID=%d bash %s/slurm/points.sbatch", t, d), 0);
    CU_ASSERT_EQUAL(shf(&out, "bash %s/slurm/collect.sbatch", d), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "10 collected"));
    free(out);
    char* sub = slurp2(d, "slurm/submit.sh");
    CU_ASSERT_PTR_NOT_NULL(sub && strstr(sub, "--dependency=afterany:"));
    free(sub);
    /* --emit parallel: the lines and one parallel --joblog line */
    CU_ASSERT_EQUAL(shf(&out, "%s sweep --command demo --param cache.ways=1,2,4 --out %s --emit parallel -j 2 --batch 2", ST, d), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "parallel --joblog "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " -j 2 < "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " sweep collect "));
    free(out);
    char* cmds = slurp2(d, "commands.txt");
    CU_ASSERT_EQUAL(count_lines(cmds), 2);
    free(cmds);
    rm_rf(d);
}

static const sl_test_t tests[] = {
    SL_TEST(test_grid_errors),     SL_TEST(test_small_sweep),       SL_TEST(test_print_commands),
    SL_TEST(test_plots),           SL_TEST(test_stale_results),     SL_TEST(test_collect_read_only),
    SL_TEST(test_out_spelling),    SL_TEST(test_self_contained),    SL_TEST(test_quoting),
    SL_TEST(test_findings_and_exits), SL_TEST(test_all_fail),       SL_TEST(test_emit_slurm_script),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "sweep", tests, SL_COUNT(tests)); }
