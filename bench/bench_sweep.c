/* bench_sweep: what running a sweep through an engine costs against the local sweep, and
 * how long the collect of a large sweep takes. Printed, not asserted; ratios come from one
 * run of this program.
 *   1. a tiny sweep of --points points (`sweep --command demo --param sim.seed=1..N`):
 *      `sweep -j 2` against `--emit parallel -j 2 --batch B` plus its collect;
 *   2. with --slurm (inside .ci/slurm-test): --slurm-points points through the emitted Slurm
 *      array (--batch so there are 2 tasks) and its dependent collect, against `sweep -j 2`;
 *   3. the collect (`sweep collect OUT --no-plots`) of --collect-points point records,
 *      written here from one real point (the collect reads and checks each as usual).
 *
 *   bench_sweep [--points N] [--batch B] [--slurm] [--slurm-points N] [--collect-points N]
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../testbench/sweep/sweep_grid.h"
#include "../testbench/sweep/sweep_runner.h"

static char staleline[PATH_MAX + 16];

/* CPU seconds of the finished children so far: less disturbed by a loaded machine than wall time. */
static double children_cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall time of a shell command; exits on failure (a benchmark of a broken path means nothing). */
static double timed(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static double timed(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char* cmd = NULL;
    if (vasprintf(&cmd, fmt, ap) < 0) abort();
    va_end(ap);
    double t = now_s();
    int rc = system(cmd);
    t = now_s() - t;
    if (rc != 0) {
        fprintf(stderr, "bench_sweep: failed (%d): %s\n", rc, cmd);
        exit(1);
    }
    free(cmd);
    return t;
}

static int same_csv(const char* a, const char* b) {
    char* cmd = NULL;
    if (asprintf(&cmd, "cmp -s %s/results.csv %s/results.csv", a, b) < 0) abort();
    int rc = system(cmd);
    free(cmd);
    return rc == 0;
}

/* n records of `sweep --command demo --param sim.seed=1..n` in out, from the one of point 0. */
static void write_records(const char* out, size_t n) {
    char spec[64];
    snprintf(spec, sizeof spec, "sim.seed=1..%zu", n);
    sweep_grid_t g = {0};
    char err[256];
    if (sweep_grid_add(&g, spec, err, sizeof err)) {
        fprintf(stderr, "bench_sweep: %s\n", err);
        exit(1);
    }
    sweep_run_opts_t o = {staleline, "demo", NULL, 0, out, 1, 0, 0, 0};
    char* path = NULL;
    if (asprintf(&path, "%s/points/sim.seed=1.json", out) < 0) abort();
    json_t* tmpl = json_load_file(path, 0, NULL);
    free(path);
    if (!tmpl) {
        fprintf(stderr, "bench_sweep: no record of point 0 in %s\n", out);
        exit(1);
    }
    for (size_t i = 1; i < n; ++i) {
        char digest[65];
        json_t* id = sweep_point_identity(&g, &o, i, digest, err, sizeof err);
        json_t* rec = json_deep_copy(tmpl);
        json_object_set_new(rec, "identity", id);
        json_object_set_new(rec, "digest", json_string(digest));
        json_t* params = json_object();
        json_object_set_new(params, "sim.seed", json_string(sweep_grid_value(&g, i, 0)));
        json_object_set_new(rec, "params", params);
        char* slug = sweep_grid_slug(&g, i);
        if (asprintf(&path, "%s/points/%s.json", out, slug) < 0) abort();
        json_dump_file(rec, path, JSON_INDENT(2) | JSON_SORT_KEYS);
        free(path);
        free(slug);
        json_decref(rec);
    }
    json_decref(tmpl);
    sweep_grid_free(&g);
}

int main(int argc, char** argv) {
    static const struct option opts[] = {{"points", required_argument, 0, 'n'},        {"batch", required_argument, 0, 'b'},
                                         {"slurm", no_argument, 0, 's'},               {"slurm-points", required_argument, 0, 'S'},
                                         {"collect-points", required_argument, 0, 'c'}, {0, 0, 0, 0}};
    long points = 1000, batch = 25, slurm_points = 200, collect_points = 10000;
    int slurm = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n': points = atol(optarg); break;
        case 'b': batch = atol(optarg); break;
        case 's': slurm = 1; break;
        case 'S': slurm_points = atol(optarg); break;
        case 'c': collect_points = atol(optarg); break;
        default: return 2;
        }
    }
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return 1;
    self[len] = 0;
    *strrchr(self, '/') = 0;
    snprintf(staleline, sizeof staleline, "%s/staleline", self);
    char dir[] = "/tmp/bench_sweep_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    const char* S = staleline;

    /* 1. GNU parallel against the local sweep */
    double local = timed("%s sweep --command demo --param sim.seed=1..%ld --no-plots -j 2 --out %s/local 2>/dev/null", S, points, dir);
    double par = timed("%s sweep --command demo --param sim.seed=1..%ld --no-plots --out %s/par --emit parallel -j 2 --batch %ld > %s/par.sh"
                       " && bash %s/par.sh 2>/dev/null",
                       S, points, dir, batch, dir, dir);
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/local", dir);
    snprintf(b, sizeof b, "%s/par", dir);
    printf("points %ld: local sweep -j 2 %.2f s, GNU parallel -j 2 --batch %ld + collect %.2f s, ratio %.2f (target <= 1.2), "
           "results %s\n",
           points, local, batch, par, par / local, same_csv(a, b) ? "identical" : "DIFFERENT");

    /* 2. Slurm against the local sweep */
    if (slurm) {
        long sb = (slurm_points + 1) / 2;
        double l2 = timed("%s sweep --command demo --param sim.seed=1..%ld --no-plots -j 2 --out %s/local2 2>/dev/null", S, slurm_points, dir);
        double sl = timed("%s sweep --command demo --param sim.seed=1..%ld --no-plots --out %s/slurm --emit slurm --batch %ld >/dev/null"
                          " && bash %s/slurm/slurm/submit.sh --wait >/dev/null 2>&1",
                          S, slurm_points, dir, sb, dir);
        snprintf(a, sizeof a, "%s/local2", dir);
        snprintf(b, sizeof b, "%s/slurm", dir);
        printf("points %ld: local sweep -j 2 %.2f s, Slurm array --batch %ld + submit.sh --wait (collect included) %.2f s, ratio %.2f (target <= 1.5), "
               "results %s\n",
               slurm_points, l2, sb, sl, sl / l2, same_csv(a, b) ? "identical" : "DIFFERENT");
    }

    /* 3. the collect of many records */
    timed("%s sweep --command demo --param sim.seed=1..%ld --no-plots --out %s/big --print-commands > /dev/null"
          " && %s sweep --command demo --param sim.seed=1..%ld --out %s/big --point 0 2>/dev/null",
          S, collect_points, dir, S, collect_points, dir);
    snprintf(a, sizeof a, "%s/big", dir);
    write_records(a, (size_t)collect_points);
    double cpu = children_cpu_s();
    double col = timed("%s sweep collect %s/big 2>/dev/null", S, dir);
    cpu = children_cpu_s() - cpu;
    printf("collect of %ld point records: %.2f s wall, %.2f s CPU (target < 5 s)\n", collect_points, col, cpu);
    char* rm = NULL;
    if (asprintf(&rm, "rm -rf %s", dir) >= 0 && system(rm)) {}
    free(rm);
    return 0;
}
