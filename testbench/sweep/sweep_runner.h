/* SweepRunner: runs points of a grid, each as its own `staleline` process, and keeps each
 * point's record in OUT/points/<point>.json. A record holds the digest of the point's
 * normalised command (the configuration after defaults, the subcommand, driver and workload
 * identity, the Staleline version), so a result is only ever taken for the command that
 * made it. Three ways in:
 *   sweep_run      the local sweep: up to `jobs` points at once, reusing matching records;
 *   sweep_run_points  one printed command (`sweep ... --point A-B`): runs those points;
 *   sweep_collect  read-only: takes what is there, runs nothing. */
#ifndef STALELINE_SWEEP_RUNNER_H
#define STALELINE_SWEEP_RUNNER_H

#include <jansson.h>

#include "sweep_grid.h"

/* Exit statuses of `staleline sweep` (docs/sweeps.md). 0-2 are every subcommand's. */
enum {
    SWEEP_EXIT_OK = 0,
    SWEEP_EXIT_FAILED = 1,     /* some point failed, or --fail-on matched */
    SWEEP_EXIT_USAGE = 2,      /* usage or configuration error (also: a point's configuration) */
    SWEEP_EXIT_INCOMPLETE = 3, /* collect: some point is missing or stale */
    SWEEP_EXIT_FAULT = 4,      /* a point ended without a result (simulator fault, unwritable record) */
    SWEEP_EXIT_TIMEOUT = 5,    /* a point ran past --timeout */
    SWEEP_EXIT_CRASH = 6,      /* a point was killed by a signal */
};

typedef struct {
    const char* exe;         /* the staleline executable run locally */
    const char* command;     /* the subcommand each point runs (run) */
    char** fixed;            /* normalised options of every point: --workload W --set k=v ... */
    size_t nfixed;
    const char* out_dir;     /* absolute; points/ goes below it */
    int jobs;
    int force;               /* rerun points that have a record */
    unsigned timeout_s;      /* per point; 0 = none */
    int quiet;               /* no line per point (collect) */
} sweep_run_opts_t;

enum {
    SWEEP_POINT_DONE = 0,
    SWEEP_POINT_REUSED = 1,  /* its record was there */
    SWEEP_POINT_FAILED = 2,
    SWEEP_POINT_MISSING = 3, /* collect: no record */
    SWEEP_POINT_STALE = 4,   /* collect: a record made by another command */
};

typedef struct {
    int state;
    int exit_code;   /* of the point's process; -1 when it did not exit normally */
    int status;      /* SWEEP_EXIT_* of the point */
    char* error;     /* why it failed or is missing, or NULL */
    json_t* result;  /* the point's `run --json` output, or NULL */
} sweep_point_t;

/* The normalised command of point i as an object, and its digest (hex[65]). NULL when the
 * configuration cannot be built (message in err). */
json_t* sweep_point_identity(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t i, char digest[65], char* err,
                             size_t errlen);
/* argv of point i as run locally (NULL-terminated; caller frees with sweep_free_argv). */
char** sweep_point_argv(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t i);
void sweep_free_argv(char** argv);
void sweep_point_clear(sweep_point_t* r);

/* The local sweep: runs (or reuses) every point; fills results[0..points). Returns the
 * number of failed points. */
size_t sweep_run(const sweep_grid_t* g, const sweep_run_opts_t* o, sweep_point_t* results);
/* Points first..last, one after the other, each recording its result. Returns the
 * SWEEP_EXIT_* of the worst point (0 when every point ran, findings or not). */
int sweep_run_points(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t first, size_t last);
/* Read-only: fills results from the records; missing, stale and failed points get their
 * state and error. rerun(i) is called for each point that needs running again. Returns
 * SWEEP_EXIT_INCOMPLETE when a point is missing or stale, else SWEEP_EXIT_FAILED when one
 * failed, else 0. */
int sweep_collect(const sweep_grid_t* g, const sweep_run_opts_t* o, sweep_point_t* results,
                  void (*rerun)(size_t point, const sweep_point_t* r, void* ctx), void* ctx);

#endif
