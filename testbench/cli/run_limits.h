/* Bounded runs of `staleline run`: --time-limit SECONDS (wall clock) and --sim-limit TIME
 * (simulated), and the loop that runs the simulation in slices so that the wall clock, the
 * progress line (run_progress.h) and the limits are looked at while it runs.
 *
 * Without a wall limit and without progress the simulation runs in one call, as it always
 * has (with --sim-limit alone: one call bounded by it). With either, it runs in slices of
 * simulated time sized so that each takes about a tenth of a second; the SystemC scheduler
 * keeps its state between slices, so the results are the same (a test checks the bytes).
 *
 * A run stopped by a limit is reported by cmd_run as a run that did not complete (its
 * problem line, the JSON "problem" and "run_limit", the SARIF notification "run-limit"),
 * exit status 1; the driver's held pins are then not reported as leaks.
 *
 * What the wall limit covers: any run that returns to the SystemC scheduler, which every
 * simulated thread does when its local time passes the quantum (sim.quantum_ns), including a
 * driver polling a register or sleeping. A driver thread that loops without letting simulated
 * time pass (no shim call, or shim calls that cost 0 ns) never returns to the scheduler; a
 * watchdog thread then ends the process RUN_LIMITS_GRACE_S seconds after the limit, with a
 * message and exit status 1 but without the report (a simulated thread cannot be stopped
 * from outside). */
#ifndef STALELINE_CLI_RUN_LIMITS_H
#define STALELINE_CLI_RUN_LIMITS_H

#include <stdint.h>

#include "run_progress.h"
#include "staleline/staleline.h"

typedef struct run_limits {
    double wall_s;            /* --time-limit; 0: none */
    uint64_t sim_ns;          /* --sim-limit; 0: none */
    const char* wall_text;    /* as given, for messages */
    const char* sim_text;
    int progress;             /* -1: when stderr is a terminal, 0: --no-progress, 1: --progress */
} run_limits_t;

/* What ended the simulation. */
typedef enum { RUN_LIMIT_NONE = 0, RUN_LIMIT_SIM, RUN_LIMIT_WALL } run_limit_hit_t;

/* The long options (values from 4000 on), for cmd_run's table. */
#define RUN_LIMITS_OPT_TIME 4000
#define RUN_LIMITS_OPT_SIM 4001
#define RUN_LIMITS_OPT_PROGRESS 4002
#define RUN_LIMITS_OPT_NO_PROGRESS 4003
#define RUN_LIMITS_LONG_OPTIONS                                      \
    {"time-limit", required_argument, 0, RUN_LIMITS_OPT_TIME},       \
    {"sim-limit", required_argument, 0, RUN_LIMITS_OPT_SIM},         \
    {"progress", no_argument, 0, RUN_LIMITS_OPT_PROGRESS},           \
    {"no-progress", no_argument, 0, RUN_LIMITS_OPT_NO_PROGRESS}

/* Seconds between the wall limit and the watchdog ending a run stuck outside the scheduler. */
#define RUN_LIMITS_GRACE_S 5.0

void run_limits_init(run_limits_t* l);
/* One of the options above. 0, or SL_EXIT_USAGE after printing why. */
int run_limits_option(run_limits_t* l, int opt, const char* arg);

/* How far the run has got, for the progress line. */
typedef struct run_limits_probe {
    uint64_t (*ops_done)(void* ctx);
    uint64_t ops_total;       /* 0: unknown */
    void* ctx;
} run_limits_probe_t;

/* Run the simulation of p to its end or to a limit. *hit says which limit stopped it (a
 * limit reached by a run that had already finished is not one: finished says so). Returns
 * sl_platform_run's status. */
/* A slice of `step` ns, lengthened to reach the platform's next activity: the kernel does not
 * move time past its last event, so a shorter slice would not move time at all (a sleep or a
 * slow call further away than the slice would never be reached). Jumping there costs no wall
 * clock. */
uint64_t run_slice_to_next_activity(sl_platform_t* p, uint64_t step);

int run_limits_run(const run_limits_t* l, sl_platform_t* p, const run_limits_probe_t* probe,
                   const volatile int* finished, run_limit_hit_t* hit);

/* "the run reached its simulated time limit (--sim-limit 10ms) ..." into buf. */
void run_limits_describe(const run_limits_t* l, run_limit_hit_t hit, uint64_t ops_done, uint64_t ops_total,
                         char* buf, size_t len);

#endif
