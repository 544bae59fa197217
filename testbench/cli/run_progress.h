/* Progress of a long `staleline run` on standard error: simulated time, operations done of
 * those the workload will issue, and an estimate of the wall-clock time left. Shown by default
 * only when standard error is a terminal (redrawn in place, erased at the end); --progress
 * forces it (one line per update, for pipes and tests), --no-progress turns it off. Nothing
 * it prints goes to standard output or into any output file. */
#ifndef STALELINE_CLI_RUN_PROGRESS_H
#define STALELINE_CLI_RUN_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct run_progress {
    FILE* out;              /* NULL: off */
    int in_place;           /* a terminal: redraw one line with \r, erase it at the end */
    double start_s;         /* wall clock at the start of the run */
    double last_s;          /* wall clock of the last update */
    int shown;              /* a line is on the terminal */
} run_progress_t;

/* Shortest wall-clock time between two updates. */
#define RUN_PROGRESS_INTERVAL_S 0.25

/* mode: -1 auto (on when stderr is a terminal), 0 off, 1 on. */
void run_progress_start(run_progress_t* pr, int mode);
int run_progress_on(const run_progress_t* pr);
/* Called as often as convenient; prints at most once per RUN_PROGRESS_INTERVAL_S.
 * ops_total 0: unknown (no ETA). */
void run_progress_update(run_progress_t* pr, uint64_t sim_ns, uint64_t ops_done, uint64_t ops_total);
/* Erase the line on a terminal. */
void run_progress_end(run_progress_t* pr);

/* Monotonic wall clock, in seconds. */
double run_progress_wall_s(void);

#endif
