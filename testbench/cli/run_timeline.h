/* `staleline run --timeline FILE`, `--timeline-categories LIST` and the latency breakdown
 * (`--latency-plot FILE.svg`, the "latency_breakdown" key of the JSON, the summary's table):
 * docs/timeline.md. */
#ifndef STALELINE_CLI_RUN_TIMELINE_H
#define STALELINE_CLI_RUN_TIMELINE_H

#include <stdio.h>

#include <jansson.h>

#include "staleline/checker.h"
#include "staleline/platform.h"
#include "staleline/trace.h"

typedef struct run_timeline {
    const char* path;        /* --timeline FILE; NULL: none */
    const char* categories;  /* --timeline-categories LIST; NULL: all */
    const char* plot_path;   /* --latency-plot FILE.svg; NULL: none */
    int no_latency;          /* --no-latency-breakdown: nothing listens, models publish nothing */
    sl_timeline_t* timeline;
    sl_latency_t* latency;
} run_timeline_t;

/* The long options (values from 3000 on), for cmd_run's table. */
#define RUN_TIMELINE_OPT_FILE 3000
#define RUN_TIMELINE_OPT_CATEGORIES 3001
#define RUN_TIMELINE_OPT_PLOT 3002
#define RUN_TIMELINE_OPT_NO_LATENCY 3003
#define RUN_TIMELINE_LONG_OPTIONS                                              \
    {"timeline", required_argument, 0, RUN_TIMELINE_OPT_FILE},                 \
    {"timeline-categories", required_argument, 0, RUN_TIMELINE_OPT_CATEGORIES}, \
    {"latency-plot", required_argument, 0, RUN_TIMELINE_OPT_PLOT},               \
    {"no-latency-breakdown", no_argument, 0, RUN_TIMELINE_OPT_NO_LATENCY}

/* One of the options above. 0 (it cannot fail; the checks are in run_timeline_start). */
int run_timeline_option(run_timeline_t* t, int opt, const char* arg);
/* Before the run: open the timeline file (if asked) and attach the latency breakdown. 0, or
 * SL_EXIT_USAGE after printing why (bad category, file not writable). */
int run_timeline_start(run_timeline_t* t, sl_platform_t* p);
/* After the run, before the platform goes: the findings into the timeline, close it, write the
 * plot if asked. 0, or SL_EXIT_USAGE after printing why. */
int run_timeline_finish(run_timeline_t* t, sl_checker_t* chk);
/* The summary's table: nothing when no operation was marked. */
void run_timeline_print_latency(FILE* f, const run_timeline_t* t);
/* NULL with --no-latency-breakdown, else {"operations": N, "stages": [{"name", "mean_ns", "p50_ns", "p99_ns"}...], "total": {...}}, new reference. */
json_t* run_timeline_latency_json(const run_timeline_t* t);
/* Detach what is still attached (error paths). */
void run_timeline_free(run_timeline_t* t);

#endif
