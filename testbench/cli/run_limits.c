/* --time-limit, --sim-limit and the sliced simulation loop of `staleline run` (run_limits.h). */
#include "run_limits.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "run_wave.h" /* run_wave_parse_time: the one parser of "10us", "2ms", ... */

/* Each slice should take about this long on the wall clock. */
#define SLICE_TARGET_S 0.1
#define SLICE_FIRST_NS 10000ULL
#define SLICE_MIN_NS 100ULL
#define SLICE_MAX_NS 1000000000ULL

void run_limits_init(run_limits_t* l) {
    memset(l, 0, sizeof *l);
    l->progress = -1;
}

static int parse_seconds(const char* text, double* out) {
    if (!text || !*text) return -1;
    char* end = NULL;
    errno = 0;
    const double v = strtod(text, &end);
    if (errno || end == text || !(v > 0) || !isfinite(v) || v > 1e7) return -1;
    if (*end && strcmp(end, "s")) return -1;
    *out = v;
    return 0;
}

int run_limits_option(run_limits_t* l, int opt, const char* arg) {
    switch (opt) {
    case RUN_LIMITS_OPT_TIME:
        if (parse_seconds(arg, &l->wall_s)) {
            fprintf(stderr, "staleline run: --time-limit: expected a number of seconds > 0 (such as 30 or 0.5), "
                            "got '%s'\n", arg);
            return SL_EXIT_USAGE;
        }
        l->wall_text = arg;
        return 0;
    case RUN_LIMITS_OPT_SIM: {
        uint64_t ps = 0;
        if (run_wave_parse_time(arg, &ps) || ps < 1000) {
            fprintf(stderr, "staleline run: --sim-limit: expected a simulated time of at least 1ns with its unit "
                            "(ns, us, ms, s; such as 10ms or 500us), got '%s'\n", arg);
            return SL_EXIT_USAGE;
        }
        l->sim_ns = ps / 1000;
        l->sim_text = arg;
        return 0;
    }
    case RUN_LIMITS_OPT_PROGRESS: l->progress = 1; return 0;
    case RUN_LIMITS_OPT_NO_PROGRESS: l->progress = 0; return 0;
    }
    return SL_EXIT_USAGE;
}

/* ---- the watchdog: a run stuck outside the scheduler past the wall limit ---- */

typedef struct watchdog {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct timespec fire_at; /* CLOCK_MONOTONIC */
    int done;
    const run_limits_t* limits;
} watchdog_t;

static void* watchdog_main(void* arg) {
    watchdog_t* w = arg;
    pthread_mutex_lock(&w->lock);
    int rc = 0;
    while (!w->done && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&w->cond, &w->lock, &w->fire_at);
    const int fire = !w->done;
    pthread_mutex_unlock(&w->lock);
    if (fire) {
        /* Only async-safe calls: the simulation thread is running driver code. */
        char msg[512];
        const int n = snprintf(msg, sizeof msg,
                               "\nstaleline run: --time-limit %s: the simulation did not return to its scheduler "
                               "%.0f s after the limit (a driver loop in which no simulated time passes?); "
                               "ending without a report\n",
                               w->limits->wall_text ? w->limits->wall_text : "", RUN_LIMITS_GRACE_S);
        if (n > 0) {
            ssize_t ignored = write(STDERR_FILENO, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
            (void)ignored;
        }
        _exit(SL_EXIT_FINDINGS);
    }
    return NULL;
}

static int watchdog_start(watchdog_t* w, const run_limits_t* l) {
    memset(w, 0, sizeof *w);
    w->limits = l;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&w->lock, NULL);
    clock_gettime(CLOCK_MONOTONIC, &w->fire_at);
    const double at = (double)w->fire_at.tv_sec + (double)w->fire_at.tv_nsec / 1e9 + l->wall_s + RUN_LIMITS_GRACE_S;
    w->fire_at.tv_sec = (time_t)at;
    w->fire_at.tv_nsec = (long)((at - (double)(time_t)at) * 1e9);
    if (pthread_create(&w->thread, NULL, watchdog_main, w)) {
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
        return -1;
    }
    return 0;
}

static void watchdog_stop(watchdog_t* w) {
    pthread_mutex_lock(&w->lock);
    w->done = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
}

/* ---- the loop ---- */

uint64_t run_slice_to_next_activity(sl_platform_t* p, uint64_t step) {
    const uint64_t now = sl_time_ns(), next = sl_platform_next_activity_ns(p);
    return next != UINT64_MAX && next > now && next - now > step ? next - now : step;
}

int run_limits_run(const run_limits_t* l, sl_platform_t* p, const run_limits_probe_t* probe,
                   const volatile int* finished, run_limit_hit_t* hit) {
    *hit = RUN_LIMIT_NONE;
    run_progress_t pr;
    run_progress_start(&pr, l->progress);
    if (l->wall_s <= 0 && !run_progress_on(&pr)) {
        /* One call, as without limits: --sim-limit bounds it. */
        const int rc = sl_platform_run(p, l->sim_ns);
        if (!rc && l->sim_ns && !*finished && sl_platform_next_activity_ns(p) != UINT64_MAX) *hit = RUN_LIMIT_SIM;
        return rc;
    }
    watchdog_t wd;
    const int have_wd = l->wall_s > 0 && !watchdog_start(&wd, l);
    const double start = run_progress_wall_s();
    uint64_t slice = SLICE_FIRST_NS;
    int rc = 0;
    for (;;) {
        /* A slice ends at now + step or earlier, at the last event before it (the kernel does
         * not advance time past its last event); what is scheduled next tells an end from a
         * pause. */
        const uint64_t now = sl_time_ns();
        uint64_t step = run_slice_to_next_activity(p, slice);
        if (l->sim_ns) {
            if (now >= l->sim_ns) {
                if (!*finished) *hit = RUN_LIMIT_SIM;
                break;
            }
            if (step > l->sim_ns - now) step = l->sim_ns - now;
        }
        const double t0 = run_progress_wall_s();
        if ((rc = sl_platform_run(p, step))) break;
        const double t1 = run_progress_wall_s();
        const uint64_t next = sl_platform_next_activity_ns(p);
        if (next == UINT64_MAX) break; /* nothing left to simulate: the run's end */
        if (l->sim_ns && next > l->sim_ns) {
            if (!*finished) *hit = RUN_LIMIT_SIM;
            break;
        }
        run_progress_update(&pr, sl_time_ns(), probe && probe->ops_done ? probe->ops_done(probe->ctx) : 0,
                            probe ? probe->ops_total : 0);
        if (l->wall_s > 0 && t1 - start >= l->wall_s) {
            if (!*finished) *hit = RUN_LIMIT_WALL;
            break;
        }
        /* Next slice: aim at SLICE_TARGET_S of wall clock, growing or shrinking by 4x at most. */
        const double took = t1 - t0;
        double want = took > 0 ? (double)step * SLICE_TARGET_S / took : (double)slice * 4;
        if (want > (double)slice * 4) want = (double)slice * 4;
        if (want < (double)slice / 4) want = (double)slice / 4;
        slice = want < SLICE_MIN_NS ? SLICE_MIN_NS : want > SLICE_MAX_NS ? SLICE_MAX_NS : (uint64_t)want;
    }
    if (have_wd) watchdog_stop(&wd);
    run_progress_end(&pr);
    return rc;
}

void run_limits_describe(const run_limits_t* l, run_limit_hit_t hit, uint64_t ops_done, uint64_t ops_total,
                         char* buf, size_t len) {
    char ops[96];
    if (ops_total) snprintf(ops, sizeof ops, "%llu of %llu operations done", (unsigned long long)ops_done,
                            (unsigned long long)ops_total);
    else snprintf(ops, sizeof ops, "%llu operations done", (unsigned long long)ops_done);
    if (hit == RUN_LIMIT_SIM)
        snprintf(buf, len, "the run reached its simulated time limit (--sim-limit %s) at %llu ns, %s",
                 l->sim_text ? l->sim_text : "", (unsigned long long)sl_time_ns(), ops);
    else if (hit == RUN_LIMIT_WALL)
        snprintf(buf, len, "the run reached its wall-clock limit (--time-limit %s) at %llu ns of simulated time, %s",
                 l->wall_text ? l->wall_text : "", (unsigned long long)sl_time_ns(), ops);
    else if (len) buf[0] = 0;
}
