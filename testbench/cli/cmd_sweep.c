/* staleline sweep: run a grid of configurations, one process per point, and write
 * CSV, JSON and plots; or print the points as commands for an engine (GNU parallel, a
 * Slurm array), run some of them (--point), and collect what they left (read-only). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sweep/sweep_digest.h"
#include "../sweep/sweep_emit.h"
#include "../sweep/sweep_grid.h"
#include "../sweep/sweep_report.h"
#include "../sweep/sweep_runner.h"
#include "cli.h"

char* sweep_normal_path(const char* p); /* sweep_emit.c */

static void usage(FILE* f) {
    fputs("usage: staleline sweep --param key=v1,v2,... [--param ...] [options] [point options]\n"
          "       staleline sweep collect OUT [--fail-on WHAT] [--no-plots] [--x KEY]\n"
          "\n"
          "Runs every combination of the swept values as its own `staleline run` process, several at\n"
          "once, then writes OUT/results.csv, OUT/results.json and gnuplot plots (SVG and PNG) of the IOTLB\n"
          "miss rate, misses per MiB and throughput against the first swept parameter, one curve per\n"
          "value of the others. A failed point is reported with its error and the sweep goes on.\n"
          "A point's record in OUT is reused when the digest of its command (configuration after\n"
          "defaults, driver, workload, version) is the same.\n"
          "\n"
          "  --param key=v1,v2,...  a swept parameter and its values (repeatable; up to 8); A..B is\n"
          "                         every integer from A to B (sim.seed=1..20)\n"
          "  -j, --jobs N           points run at once (default: number of CPUs)\n"
          "  --out DIR              output folder (default sweep-out)\n"
          "  --x KEY                the swept parameter on the x axis (default: the first)\n"
          "  --force                rerun every point even when OUT holds its result\n"
          "  --no-plots             skip gnuplot\n"
          "  --no-bytes-columns     no <param>_bytes column (the value in bytes) beside each size\n"
          "                         parameter in results.csv (--bytes-columns: them, the default)\n"
          "  --timeout S            kill a point after S seconds (default 0: no limit)\n"
          "  --fail-on WHAT         exit 1 when a point has findings (findings) or wrong data (wrong-data)\n"
          "  --command NAME         the subcommand each point runs (default run)\n"
          "engines (docs/sweeps.md):\n"
          "  --print-commands       print one shell command per point (or per --batch points) and exit\n"
          "  --batch N              points per printed command (default 1)\n"
          "  --emit parallel|slurm  write OUT/commands.txt and print a `parallel --joblog` line, or\n"
          "                         write OUT/slurm/{points.sbatch,collect.sbatch,submit.sh}\n"
          "  --throttle N           Slurm: array tasks running at once (default 100)\n"
          "  --max-array N          Slurm: MaxArraySize (default: scontrol's, else 1001)\n"
          "  --point A[-B]          run points A..B (grid order, from 0) and record their results\n"
          "  --collect-only         never run a point: collect OUT, name what is missing, stale or failed\n"
          "point options, passed to every point:\n"
          "  --workload W, --driver D, --set key=value, --config FILE, --seed N\n"
          "Exit status: 0 every point has a result, 1 some point failed (or --fail-on matched),\n"
          "2 usage or configuration error, 3 collect: some point is missing or stale.\n"
          "--point: 0 every point ran (findings or not), 2 configuration error, 4 the point ended\n"
          "without a result (simulator fault), 5 timeout, 6 killed by a signal (crash).\n",
          f);
}

static void push(char*** v, size_t* n, const char* a) {
    *v = realloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = strdup(a);
}

static void free_list(char** v, size_t n) {
    for (size_t i = 0; i < n; ++i) free(v[i]);
    free(v);
}

/* A config file travels with the sweep: copied into OUT/inputs under its digest, so every
 * node reads the same bytes and a later edit of the original changes nothing. Returns the
 * copy's path (caller frees) or NULL. */
static char* copy_input(const char* out, const char* path) {
    char hex[65];
    if (sweep_sha256_file(path, hex)) {
        fprintf(stderr, "staleline sweep: --config %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *dir = NULL, *dst = NULL;
    if (asprintf(&dir, "%s/inputs", out) < 0 || asprintf(&dst, "%s/%.16s.toml", dir, hex) < 0) abort();
    mkdir(out, 0755);
    mkdir(dir, 0755);
    free(dir);
    char have[65];
    if (sweep_sha256_file(dst, have) == 0 && !strcmp(have, hex)) return dst;
    FILE* in = fopen(path, "rb");
    char* tmp = NULL;
    if (asprintf(&tmp, "%s.%ld.tmp", dst, (long)getpid()) < 0) abort();
    FILE* o = fopen(tmp, "wb");
    int ok = in && o;
    char buf[8192];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, n, o) == n;
    if (in) fclose(in);
    if (o && fclose(o)) ok = 0;
    if (ok && rename(tmp, dst)) ok = 0;
    if (!ok) {
        fprintf(stderr, "staleline sweep: cannot copy %s into %s\n", path, dst);
        unlink(tmp);
        free(dst);
        dst = NULL;
    }
    free(tmp);
    return dst;
}

typedef struct {
    const sweep_cmdline_t* cl;
    FILE* rerun_file;
} collect_ctx_t;

static void print_rerun(size_t i, const sweep_point_t* r, void* arg) {
    collect_ctx_t* c = arg;
    char* line = sweep_point_line(c->cl, i, i);
    fprintf(stderr, "  point %zu %s\n    %s\n", i, r->error ? r->error : "", line);
    if (c->rerun_file) fprintf(c->rerun_file, "%s\n", line);
    free(line);
}

/* --fail-on: 1 when some point that ran matches. */
static int fail_on(const char* what, const sweep_point_t* pts, size_t n) {
    if (!what) return 0;
    for (size_t i = 0; i < n; ++i) {
        if (!pts[i].result) continue;
        json_t* ok = json_object_get(pts[i].result, "data_ok");
        int wrong = json_is_boolean(ok) && !json_is_true(ok);
        if (wrong || (!strcmp(what, "findings") && json_array_size(json_object_get(pts[i].result, "findings")) > 0))
            return 1;
    }
    return 0;
}

/* The sweep's own description, so `sweep collect OUT` needs nothing else. */
static int write_spec(const char* out, char** words, size_t nwords) {
    json_t* doc = json_object();
    json_t* args = json_array();
    for (size_t i = 0; i < nwords; ++i) json_array_append_new(args, json_string(words[i]));
    json_object_set_new(doc, "args", args);
    json_object_set_new(doc, "out", json_string(out));
    char *path = NULL, *tmp = NULL;
    if (asprintf(&path, "%s/sweep.json", out) < 0 || asprintf(&tmp, "%s.%ld.tmp", path, (long)getpid()) < 0) abort();
    mkdir(out, 0755);
    int rc = json_dump_file(doc, tmp, JSON_INDENT(2));
    if (!rc && rename(tmp, path)) rc = -1;
    if (rc) {
        fprintf(stderr, "staleline sweep: cannot write %s\n", path);
        unlink(tmp);
    }
    json_decref(doc);
    free(path);
    free(tmp);
    return rc;
}

static int cmd_sweep_main(int argc, char** argv, int from_spec);

/* staleline sweep collect OUT [options]: the options OUT/sweep.json holds, then these. */
static int cmd_collect(int argc, char** argv) {
    if (argc < 3 || argv[2][0] == '-') {
        fprintf(stderr, "usage: staleline sweep collect OUT [--fail-on WHAT] [--no-plots] [--x KEY]\n");
        return SL_EXIT_USAGE;
    }
    char* out = sweep_normal_path(argv[2]);
    char* path = NULL;
    if (asprintf(&path, "%s/sweep.json", out) < 0) abort();
    json_error_t jerr;
    json_t* doc = json_load_file(path, 0, &jerr);
    json_t* args = json_object_get(doc, "args");
    if (!json_is_array(args)) {
        fprintf(stderr, "staleline sweep collect: %s: %s (not a sweep's output folder?)\n", path,
                doc ? "no args" : jerr.text);
        json_decref(doc);
        free(path);
        free(out);
        return SL_EXIT_USAGE;
    }
    /* inputs copied under the folder as it was named then are read from where it is now */
    const char* was = json_string_value(json_object_get(doc, "out"));
    char** v = NULL;
    size_t n = 0;
    push(&v, &n, "sweep");
    size_t i;
    json_t* a;
    json_array_foreach(args, i, a) {
        const char* s = json_string_value(a);
        char* moved = NULL;
        if (s && was && !strncmp(s, was, strlen(was)) && s[strlen(was)] == '/' && asprintf(&moved, "%s%s", out, s + strlen(was)) < 0)
            abort();
        push(&v, &n, moved ? moved : s ? s : "");
        free(moved);
    }
    push(&v, &n, "--out");
    push(&v, &n, out);
    push(&v, &n, "--collect-only");
    for (int k = 3; k < argc; ++k) push(&v, &n, argv[k]);
    v = realloc(v, (n + 1) * sizeof *v);
    v[n] = NULL;
    int rc = cmd_sweep_main((int)n, v, 1);
    free_list(v, n);
    json_decref(doc);
    free(path);
    free(out);
    return rc;
}

int cmd_sweep(int argc, char** argv) {
    if (argc >= 2 && !strcmp(argv[1], "collect")) return cmd_collect(argc, argv);
    return cmd_sweep_main(argc, argv, 0);
}

static int cmd_sweep_main(int argc, char** argv, int from_spec) {
    enum { OPT_BATCH = 1000, OPT_EMIT, OPT_THROTTLE, OPT_MAX_ARRAY, OPT_POINT, OPT_COLLECT, OPT_FAIL_ON, OPT_BYTES, OPT_NO_BYTES };
    static const struct option opts[] = {SL_CONFIG_LONG_OPTIONS,
                                         {"param", required_argument, 0, 'p'},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"out", required_argument, 0, 'o'},
                                         {"x", required_argument, 0, 'x'},
                                         {"force", no_argument, 0, 'f'},
                                         {"no-plots", no_argument, 0, 'P'},
                                         {"timeout", required_argument, 0, 't'},
                                         {"print-commands", no_argument, 0, 'c'},
                                         {"command", required_argument, 0, 'm'},
                                         {"workload", required_argument, 0, 'w'},
                                         {"driver", required_argument, 0, 'd'},
                                         {"batch", required_argument, 0, OPT_BATCH},
                                         {"emit", required_argument, 0, OPT_EMIT},
                                         {"throttle", required_argument, 0, OPT_THROTTLE},
                                         {"max-array", required_argument, 0, OPT_MAX_ARRAY},
                                         {"point", required_argument, 0, OPT_POINT},
                                         {"collect-only", no_argument, 0, OPT_COLLECT},
                                         {"fail-on", required_argument, 0, OPT_FAIL_ON},
                                         {"bytes-columns", no_argument, 0, OPT_BYTES},
                                         {"no-bytes-columns", no_argument, 0, OPT_NO_BYTES},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    sweep_grid_t grid = {0};
    sl_config_t* cfg = sl_config_new(); /* validates the fixed options up front */
    const char* out_arg = "sweep-out";
    const char* xkey = NULL;
    const char* command = "run";
    const char* emit = NULL;
    const char* fail_what = NULL;
    const char* point_spec = NULL;
    int jobs = (int)sysconf(_SC_NPROCESSORS_ONLN), force = 0, plots = 1, print = 0, collect_only = 0, bytes_cols = 1;
    int c, rc = SL_EXIT_OK;
    unsigned timeout = 0, throttle = 100, max_array = 0;
    size_t batch = 1;
    char err[512];
    char** fixed = NULL; /* as given; normalised below */
    size_t nfixed = 0;
    char** words = NULL; /* the normalised options a printed command carries */
    size_t nwords = 0;
    char* out = NULL;
    char* bin = NULL;
    sweep_point_t* pts = NULL;
    size_t n = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hj:", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (sweep_grid_add(&grid, optarg, err, sizeof err)) {
                fprintf(stderr, "staleline sweep: configuration error: %s\n", err);
                rc = SL_EXIT_USAGE;
                goto out;
            }
            break;
        case 'j': case OPT_BATCH: case OPT_THROTTLE: case OPT_MAX_ARRAY: case 't': {
            char* end;
            long v = strtol(optarg, &end, 10);
            const char* name = c == 'j' ? "--jobs" : c == OPT_BATCH ? "--batch" : c == OPT_THROTTLE ? "--throttle"
                             : c == OPT_MAX_ARRAY ? "--max-array" : "--timeout";
            long lo = c == 't' ? 0 : c == OPT_MAX_ARRAY ? 2 : 1;
            long hi = c == 't' ? 7 * 24 * 3600 : c == 'j' ? 1024 : 100000000;
            if (*end || end == optarg || v < lo || v > hi) {
                fprintf(stderr, "staleline sweep: %s expects %ld..%ld%s, got '%s'\n", name, lo, hi, c == 't' ? " seconds" : "",
                        optarg);
                rc = SL_EXIT_USAGE;
                goto out;
            }
            if (c == 'j') jobs = (int)v;
            else if (c == OPT_BATCH) batch = (size_t)v;
            else if (c == OPT_THROTTLE) throttle = (unsigned)v;
            else if (c == OPT_MAX_ARRAY) max_array = (unsigned)v;
            else timeout = (unsigned)v;
            break;
        }
        case 'o': out_arg = optarg; break;
        case 'x': xkey = optarg; break;
        case 'f': force = 1; break;
        case 'P': plots = 0; break;
        case 'c': print = 1; break;
        case 'm': command = optarg; break;
        case OPT_EMIT:
            if (strcmp(optarg, "parallel") && strcmp(optarg, "slurm")) {
                fprintf(stderr, "staleline sweep: --emit expects parallel or slurm, got '%s'\n", optarg);
                rc = SL_EXIT_USAGE;
                goto out;
            }
            emit = optarg;
            break;
        case OPT_POINT: point_spec = optarg; break;
        case OPT_COLLECT: collect_only = 1; break;
        case OPT_BYTES: bytes_cols = 1; break;
        case OPT_NO_BYTES: bytes_cols = 0; break;
        case OPT_FAIL_ON:
            if (strcmp(optarg, "findings") && strcmp(optarg, "wrong-data")) {
                fprintf(stderr, "staleline sweep: --fail-on expects findings or wrong-data, got '%s'\n", optarg);
                rc = SL_EXIT_USAGE;
                goto out;
            }
            fail_what = optarg;
            break;
        case 'w':
            push(&fixed, &nfixed, "--workload");
            push(&fixed, &nfixed, optarg);
            break;
        case 'd':
            push(&fixed, &nfixed, "--driver");
            push(&fixed, &nfixed, optarg);
            break;
        case 'S': case 'C': case 's':
            if ((rc = cli_config_option(cfg, c, optarg))) goto out;
            push(&fixed, &nfixed, c == 'S' ? "--set" : c == 'C' ? "--config" : "--seed");
            push(&fixed, &nfixed, optarg);
            break;
        case 'h': usage(stdout); goto out;
        default: usage(stderr); rc = SL_EXIT_USAGE; goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "staleline sweep: unexpected argument '%s'\n", argv[optind]);
        rc = SL_EXIT_USAGE;
        goto out;
    }
    if (grid.nparams == 0) {
        fprintf(stderr, "staleline sweep: give at least one --param key=v1,v2,...\n");
        rc = SL_EXIT_USAGE;
        goto out;
    }
    if (xkey && sweep_grid_find(&grid, xkey) < 0) {
        fprintf(stderr, "staleline sweep: --x %s is not a swept parameter\n", xkey);
        rc = SL_EXIT_USAGE;
        goto out;
    }
    if ((print || emit) + !!point_spec + collect_only > 1) {
        fprintf(stderr, "staleline sweep: --print-commands/--emit, --point and --collect-only exclude each other\n");
        rc = SL_EXIT_USAGE;
        goto out;
    }
    if ((rc = cli_config_finish(cfg))) goto out;
    n = sweep_grid_points(&grid);
    size_t first = 0, last = 0;
    if (point_spec) {
        char* end;
        unsigned long long a = strtoull(point_spec, &end, 10), b = a;
        if (*end == '-') b = strtoull(end + 1, &end, 10);
        if (*end || !isdigit((unsigned char)*point_spec) || a > b || b >= n) {
            fprintf(stderr, "staleline sweep: --point expects A or A-B within 0..%zu, got '%s'\n", n - 1, point_spec);
            rc = SL_EXIT_USAGE;
            goto out;
        }
        first = (size_t)a;
        last = (size_t)b;
    }

    /* Normalised: the output folder absolute, a driver given by path absolute, config files
     * copied into OUT; a printed command and a digest do not depend on how they were spelled. */
    out = sweep_normal_path(out_arg);
    push(&words, &nwords, "--command");
    push(&words, &nwords, command);
    for (size_t i = 0; i + 1 < nfixed; i += 2) {
        char* norm = NULL;
        if (!strcmp(fixed[i], "--config")) {
            if (!(norm = copy_input(out, fixed[i + 1]))) {
                rc = SL_EXIT_USAGE;
                goto out;
            }
        } else if (!strcmp(fixed[i], "--driver") && strchr(fixed[i + 1], '/')) {
            norm = sweep_normal_path(fixed[i + 1]);
        }
        if (norm) {
            free(fixed[i + 1]);
            fixed[i + 1] = norm;
        }
        push(&words, &nwords, fixed[i]);
        push(&words, &nwords, fixed[i + 1]);
    }
    for (size_t k = 0; k < grid.nparams; ++k) {
        push(&words, &nwords, "--param");
        push(&words, &nwords, grid.params[k].spec);
    }
    if (timeout) {
        char t[32];
        snprintf(t, sizeof t, "%u", timeout);
        push(&words, &nwords, "--timeout");
        push(&words, &nwords, t);
    }
    size_t npoint_words = nwords; /* what a point needs; the rest is for the collect */
    if (xkey) {
        push(&words, &nwords, "--x");
        push(&words, &nwords, xkey);
    }
    if (!plots) push(&words, &nwords, "--no-plots");
    if (!bytes_cols) push(&words, &nwords, "--no-bytes-columns");
    if (fail_what) {
        push(&words, &nwords, "--fail-on");
        push(&words, &nwords, fail_what);
    }

    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        fprintf(stderr, "staleline sweep: cannot find my own executable\n");
        rc = SL_EXIT_USAGE;
        goto out;
    }
    exe[len] = 0;
    sweep_run_opts_t ro = {exe, command, fixed, nfixed, out, jobs, force, timeout, 0};
    bin = sweep_bin_word();
    sweep_cmdline_t cl = {bin, words, npoint_words, out, n};

    if (point_spec) {
        rc = sweep_run_points(&grid, &ro, first, last);
        goto out;
    }
    if (!from_spec && write_spec(out, words, nwords)) {
        rc = SL_EXIT_USAGE;
        goto out;
    }
    if (print || emit) {
        char* dir = NULL;
        if (asprintf(&dir, "%s/points", out) < 0) abort();
        mkdir(dir, 0755);
        free(dir);
        if (!emit) sweep_print_lines(&cl, batch, stdout);
        else if (!strcmp(emit, "parallel")) rc = sweep_emit_parallel(&cl, batch, jobs, stdout) ? SL_EXIT_USAGE : 0;
        else rc = sweep_emit_slurm(&cl, batch, throttle, max_array, stdout) ? SL_EXIT_USAGE : 0;
        goto out;
    }
    pts = calloc(n, sizeof *pts);
    sweep_report_opts_t rep = {out, xkey, plots, bytes_cols};
    if (collect_only) {
        rep.out_dir = out;
        char* rerun_path = NULL;
        if (asprintf(&rerun_path, "%s/rerun.txt", out) < 0) abort();
        char* rerun_tmp = NULL;
        if (asprintf(&rerun_tmp, "%s.%ld.tmp", rerun_path, (long)getpid()) < 0) abort();
        collect_ctx_t ctx = {&cl, fopen(rerun_tmp, "w")};
        rc = sweep_collect(&grid, &ro, pts, print_rerun, &ctx);
        if (ctx.rerun_file) fclose(ctx.rerun_file);
        /* OUT/rerun.txt: the commands of the points still to run, none when complete */
        if (rc == SWEEP_EXIT_OK) {
            unlink(rerun_tmp);
            unlink(rerun_path);
        } else if (rename(rerun_tmp, rerun_path) == 0) {
            fprintf(stderr, "sweep: their commands are in %s\n", rerun_path);
        }
        free(rerun_path);
        free(rerun_tmp);
    } else {
        rc = sweep_run(&grid, &ro, pts) ? SL_EXIT_FINDINGS : SL_EXIT_OK;
    }
    if (sweep_report(&grid, pts, &rep) && rc == SL_EXIT_OK) rc = SL_EXIT_FINDINGS;
    if (rc == SL_EXIT_OK && fail_on(fail_what, pts, n)) {
        fprintf(stderr, "sweep: --fail-on %s: some point has %s\n", fail_what, !strcmp(fail_what, "findings") ? "findings or wrong data" : "wrong data");
        rc = SL_EXIT_FINDINGS;
    }
    fprintf(stderr, "sweep: results in %s/results.csv, %s/results.json%s\n", rep.out_dir, rep.out_dir,
            plots ? ", plots in plots/" : "");
out:
    if (pts)
        for (size_t i = 0; i < n; ++i) sweep_point_clear(&pts[i]);
    free(pts);
    free_list(fixed, nfixed);
    free_list(words, nwords);
    free(out);
    free(bin);
    sweep_grid_free(&grid);
    sl_config_free(cfg);
    return rc;
}
