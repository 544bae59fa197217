/* SweepRunner: runs every point of a grid as its own `staleline` process, up to
 * `jobs` at once, with progress and an ETA on stderr; reuses points whose record in
 * the output folder was made by the same command, unless forced. */
#ifndef STALELINE_SWEEP_RUNNER_H
#define STALELINE_SWEEP_RUNNER_H

#include <jansson.h>

#include "sweep_grid.h"

typedef struct {
    const char* exe;         /* the staleline executable */
    char** base_args;        /* the subcommand and fixed options, e.g. run --workload ring --set k=v */
    size_t nbase;
    const char* out_dir;     /* points/ goes below it */
    int jobs;
    int force;               /* rerun points that have a record */
    unsigned timeout_s;      /* per point; 0 = none */
} sweep_run_opts_t;

enum { SWEEP_POINT_DONE = 0, SWEEP_POINT_REUSED = 1, SWEEP_POINT_FAILED = 2 };

typedef struct {
    int state;
    int exit_code;   /* of the point's process; -1 when it did not exit normally */
    char* error;     /* why it failed, or NULL */
    json_t* result;  /* the point's `run --json` output, or NULL */
} sweep_point_t;

/* argv of point i (NULL-terminated; caller frees with sweep_free_argv). */
char** sweep_point_argv(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t i);
void sweep_free_argv(char** argv);
/* Runs (or reuses) every point; fills results[0..points). Returns the number of failed points. */
size_t sweep_run(const sweep_grid_t* g, const sweep_run_opts_t* o, sweep_point_t* results);

#endif
