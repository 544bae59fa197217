/* staleline sweep: run a grid of configurations, one process per point, and write
 * CSV, JSON and plots. */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sweep/sweep_grid.h"
#include "../sweep/sweep_report.h"
#include "../sweep/sweep_runner.h"
#include "cli.h"

static void usage(FILE* f) {
    fputs("usage: staleline sweep --param key=v1,v2,... [--param ...] [options] [point options]\n"
          "\n"
          "Runs every combination of the swept values as its own `staleline run` process, several at\n"
          "once, then writes OUT/results.csv, OUT/results.json and gnuplot plots (SVG and PNG) of the IOTLB\n"
          "miss rate, misses per MiB and throughput against the first swept parameter, one curve per\n"
          "value of the others. A failed point is reported with its error and the sweep goes on.\n"
          "Finished points in OUT are reused when their command is the same.\n"
          "\n"
          "  --param key=v1,v2,...  a swept parameter and its values (repeatable; up to 8)\n"
          "  -j, --jobs N           points run at once (default: number of CPUs)\n"
          "  --out DIR              output folder (default sweep-out)\n"
          "  --x KEY                the swept parameter on the x axis (default: the first)\n"
          "  --force                rerun every point even when OUT holds its result\n"
          "  --no-plots             skip gnuplot\n"
          "  --timeout S            kill a point after S seconds (default 0: no limit)\n"
          "  --print-commands       print one shell command per point and exit (for a cluster\n"
          "                         scheduler or GNU parallel; rerun the sweep afterwards to collect)\n"
          "  --command NAME         the subcommand each point runs (default run)\n"
          "point options, passed to every point:\n"
          "  --workload W, --driver D, --set key=value, --config FILE, --seed N\n"
          "Exit status: 0 all points ran, 1 some point failed, 2 usage or configuration error.\n",
          f);
}

static void push(char*** v, size_t* n, const char* a) {
    *v = realloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = strdup(a);
}

static void shell_quote(const char* s) {
    putchar('\'');
    for (; *s; ++s) {
        if (*s == '\'') fputs("'\\''", stdout);
        else putchar(*s);
    }
    putchar('\'');
}

int cmd_sweep(int argc, char** argv) {
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
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    sweep_grid_t grid = {0};
    sl_config_t* cfg = sl_config_new(); /* validates the fixed options up front */
    char** base = NULL;
    size_t nbase = 0;
    const char* out = "sweep-out";
    const char* xkey = NULL;
    const char* command = "run";
    int jobs = (int)sysconf(_SC_NPROCESSORS_ONLN), force = 0, plots = 1, print = 0, c, rc = SL_EXIT_OK;
    unsigned timeout = 0;
    char err[512];
    char** fixed = NULL;
    size_t nfixed = 0;
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
        case 'j': {
            char* end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1024) {
                fprintf(stderr, "staleline sweep: --jobs expects 1..1024, got '%s'\n", optarg);
                rc = SL_EXIT_USAGE;
                goto out;
            }
            jobs = (int)v;
            break;
        }
        case 't': {
            char* end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 7 * 24 * 3600) {
                fprintf(stderr, "staleline sweep: --timeout expects seconds, got '%s'\n", optarg);
                rc = SL_EXIT_USAGE;
                goto out;
            }
            timeout = (unsigned)v;
            break;
        }
        case 'o': out = optarg; break;
        case 'x': xkey = optarg; break;
        case 'f': force = 1; break;
        case 'P': plots = 0; break;
        case 'c': print = 1; break;
        case 'm': command = optarg; break;
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
    if ((rc = cli_config_finish(cfg))) goto out;

    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        fprintf(stderr, "staleline sweep: cannot find my own executable\n");
        rc = SL_EXIT_USAGE;
        goto out;
    }
    exe[len] = 0;
    push(&base, &nbase, command);
    for (size_t i = 0; i < nfixed; ++i) push(&base, &nbase, fixed[i]);

    sweep_run_opts_t ro = {exe, base, nbase, out, jobs, force, timeout};
    size_t n = sweep_grid_points(&grid);
    if (print) {
        for (size_t i = 0; i < n; ++i) {
            char** a = sweep_point_argv(&grid, &ro, i);
            printf("mkdir -p '%s/points' && ", out);
            for (char** p = a; *p; ++p) {
                if (p != a) putchar(' ');
                shell_quote(*p);
            }
            putchar('\n');
            sweep_free_argv(a);
        }
        goto out;
    }
    sweep_point_t* pts = calloc(n, sizeof *pts);
    size_t failed = sweep_run(&grid, &ro, pts);
    sweep_report_opts_t rep = {out, xkey, plots};
    if (sweep_report(&grid, pts, &rep)) rc = SL_EXIT_FINDINGS;
    if (failed) rc = SL_EXIT_FINDINGS;
    fprintf(stderr, "sweep: results in %s/results.csv, %s/results.json%s\n", out, out, plots ? ", plots in plots/" : "");
    for (size_t i = 0; i < n; ++i) {
        json_decref(pts[i].result);
        free(pts[i].error);
    }
    free(pts);
out:
    for (size_t i = 0; i < nbase; ++i) free(base[i]);
    for (size_t i = 0; i < nfixed; ++i) free(fixed[i]);
    free(base);
    free(fixed);
    sweep_grid_free(&grid);
    sl_config_free(cfg);
    return rc;
}
