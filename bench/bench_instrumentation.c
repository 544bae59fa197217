/* bench_instrumentation: what the access instrumentation of a driver costs. The same
 * `staleline run` (same workload, seed and platform) with the reference driver built with
 * instrumentation (dmac: every plain load and store goes through the shim's hooks, the
 * checker runs in precise mode) and without (dmac-plain: conservative mode), run alternately.
 * Reports the median and the fastest wall-clock time of each, their ratios (the fastest with
 * the start-up of a run, measured on a one-transfer run, taken out), and the accesses the shim
 * observed per second of wall time. Then the cost of the checker's hazard rules (the order-based
 * findings of docs/findings.md): the instrumented run with checker.evidence=both (the default)
 * against checker.evidence=data (the rules off), alternately, as a ratio. Printed, not asserted.
 *
 *   bench_instrumentation [--runs N] [--workload NAME] [--transfers N] [--max-size SIZE]
 *                         [--queue-depth N]
 */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct sample {
    double wall_s;       /* median over the runs */
    double fastest_s;    /* the fastest run (least disturbed by other processes) */
    double sim_ms;
    long long observed;  /* shim stats: accesses the cache model saw */
    long long cache_accesses;
    char mode[32];       /* checker_mode the run reported */
    int ok;              /* exit 0 and data_ok in every run */
} sample_t;

static char staleline[PATH_MAX];

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void* a, const void* b) {
    const double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

static long long jget(json_t* j, const char* a, const char* b) {
    json_t* v = json_object_get(json_object_get(json_object_get(j, "stats"), a), b);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* One run of a configuration: its wall time into *wall, its stats into *s. */
static void run_once(const char* driver, const char* args, sample_t* s, double* wall) {
    char json_path[64], cmd[8192];
    snprintf(json_path, sizeof json_path, "/tmp/bench_instrumentation_%d.json", (int)getpid());
    snprintf(cmd, sizeof cmd, "%s run --driver %s %s --json %s >/dev/null 2>&1", staleline, driver, args, json_path);
    const double t0 = now_s();
    const int rc = system(cmd);
    *wall = now_s() - t0;
    json_t* j = json_load_file(json_path, 0, NULL);
    if (rc != 0 || !j || !json_is_true(json_object_get(j, "data_ok"))) s->ok = 0;
    if (j) {
        s->sim_ms = (double)json_integer_value(json_object_get(j, "sim_time_ns")) / 1e6;
        s->observed = jget(j, "shim", "observed_accesses");
        s->cache_accesses = jget(j, "cache", "accesses");
        const char* mode = json_string_value(json_object_get(j, "checker_mode"));
        snprintf(s->mode, sizeof s->mode, "%s", mode ? mode : "?");
    }
    json_decref(j);
    unlink(json_path);
}

/* `runs` runs of two configurations, alternating so that load from other processes falls on
 * both alike; per configuration the median and the fastest wall time. */
static void measure_pair(const char* da, const char* db, const char* args_a, const char* args_b, int runs, sample_t* a,
                         sample_t* b) {
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    a->ok = b->ok = 1;
    double* ta = calloc((size_t)runs, sizeof *ta);
    double* tb = calloc((size_t)runs, sizeof *tb);
    for (int i = 0; i < runs; ++i) {
        run_once(da, args_a, a, &ta[i]);
        run_once(db, args_b, b, &tb[i]);
    }
    qsort(ta, (size_t)runs, sizeof *ta, cmp_double);
    qsort(tb, (size_t)runs, sizeof *tb, cmp_double);
    a->wall_s = ta[runs / 2];
    a->fastest_s = ta[0];
    b->wall_s = tb[runs / 2];
    b->fastest_s = tb[0];
    free(ta);
    free(tb);
}

static void print_row(const char* driver, const sample_t* s) {
    printf("%-11s %-13s %9.1f %9.1f %9.3f %12lld %12lld %14.0f %s\n", driver, s->mode, s->wall_s * 1e3,
           s->fastest_s * 1e3, s->sim_ms,
           s->observed, s->cache_accesses, s->wall_s > 0 ? (double)s->observed / s->wall_s : 0.0,
           s->ok ? "" : "(run FAILED)");
}

int main(int argc, char** argv) {
    int runs = 5, transfers = 24, depth = 4;
    const char* workload = "copy";
    const char* max_size = "1M";
    static const struct option opts[] = {{"runs", required_argument, 0, 'r'},
                                         {"workload", required_argument, 0, 'w'},
                                         {"transfers", required_argument, 0, 't'},
                                         {"max-size", required_argument, 0, 'm'},
                                         {"queue-depth", required_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': runs = atoi(optarg); break;
        case 'w': workload = optarg; break;
        case 't': transfers = atoi(optarg); break;
        case 'm': max_size = optarg; break;
        case 'q': depth = atoi(optarg); break;
        case 'h':
            printf("usage: bench_instrumentation [--runs N] [--workload NAME] [--transfers N] [--max-size SIZE] "
                   "[--queue-depth N]\n");
            return 0;
        default: return 2;
        }
    }
    if (runs < 1 || transfers < 1 || depth < 1) {
        fprintf(stderr, "bench_instrumentation: --runs, --transfers and --queue-depth must be at least 1\n");
        return 2;
    }
    /* build/bin/staleline, next to this executable. */
    ssize_t n = readlink("/proc/self/exe", staleline, sizeof staleline - 16);
    if (n <= 0) {
        fprintf(stderr, "bench_instrumentation: cannot find its own executable\n");
        return 1;
    }
    staleline[n] = 0;
    char* slash = strrchr(staleline, '/');
    strcpy(slash ? slash + 1 : staleline, "staleline");
    if (access(staleline, X_OK)) {
        fprintf(stderr, "bench_instrumentation: %s not found (build the staleline target)\n", staleline);
        return 1;
    }

    char args[512], tiny[512];
    snprintf(args, sizeof args,
             "--workload %s --seed 1 --set workload.transfers=%d --set workload.max_size=%s --set workload.queue_depth=%d",
             workload, transfers, max_size, depth);
    snprintf(tiny, sizeof tiny, "--workload %s --seed 1 --set workload.transfers=1 --set workload.max_size=64",
             workload);

    printf("bench_instrumentation: %s, %d transfers up to %s, queue depth %d; median of %d runs\n", workload, transfers,
           max_size, depth, runs);
    printf("%-11s %-13s %9s %9s %9s %12s %12s %14s\n", "driver", "checker", "median ms", "best ms", "sim ms",
           "observed", "cache acc", "observed/s");
    sample_t inst, plain, start_inst, start_plain;
    measure_pair("dmac", "dmac-plain", args, args, runs, &inst, &plain);
    print_row("dmac", &inst);
    print_row("dmac-plain", &plain);
    measure_pair("dmac", "dmac-plain", tiny, tiny, runs, &start_inst, &start_plain);
    const double startup = (start_inst.fastest_s + start_plain.fastest_s) / 2;
    printf("start-up of a run (1 transfer of 64 bytes, best): %.1f ms\n", startup * 1e3);
    if (plain.wall_s > 0 && plain.fastest_s > 0)
        printf("instrumented / uninstrumented wall time: median %.2fx, best %.2fx", inst.wall_s / plain.wall_s,
               inst.fastest_s / plain.fastest_s);
    if (plain.fastest_s > startup && inst.fastest_s > startup)
        printf(" (best without start-up: %.2fx)", (inst.fastest_s - startup) / (plain.fastest_s - startup));
    printf("\n");
    if (strcmp(plain.mode, "conservative"))
        printf("note: the uninstrumented run reported checker mode '%s', expected conservative\n", plain.mode);

    /* The hazard rules: the same instrumented run with them on (default) and off. */
    char no_rules[600];
    snprintf(no_rules, sizeof no_rules, "%s --set checker.evidence=data", args);
    sample_t rules, data_only;
    measure_pair("dmac", "dmac", args, no_rules, runs, &rules, &data_only);
    print_row("dmac", &rules);
    print_row("dmac", &data_only);
    if (data_only.wall_s > 0 && data_only.fastest_s > 0)
        printf("hazard rules on / off (checker.evidence=both / data) wall time: median %.2fx, best %.2fx\n",
               rules.wall_s / data_only.wall_s, rules.fastest_s / data_only.fastest_s);
    return inst.ok && plain.ok && rules.ok && data_only.ok ? 0 : 1;
}
