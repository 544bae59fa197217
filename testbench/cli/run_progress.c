/* The progress line of `staleline run` (run_progress.h). */
#include "run_progress.h"

#include <time.h>
#include <unistd.h>

double run_progress_wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void run_progress_start(run_progress_t* pr, int mode) {
    const int tty = isatty(STDERR_FILENO);
    pr->out = (mode > 0 || (mode < 0 && tty)) ? stderr : NULL;
    pr->in_place = tty;
    pr->start_s = pr->last_s = run_progress_wall_s();
    pr->shown = 0;
}

int run_progress_on(const run_progress_t* pr) { return pr->out != NULL; }

static void print_duration(FILE* f, double s) {
    if (s < 60) fprintf(f, "%.1f s", s);
    else if (s < 3600) fprintf(f, "%d min %02d s", (int)(s / 60), (int)s % 60);
    else fprintf(f, "%d h %02d min", (int)(s / 3600), (int)(s / 60) % 60);
}

void run_progress_update(run_progress_t* pr, uint64_t sim_ns, uint64_t ops_done, uint64_t ops_total) {
    if (!pr->out) return;
    const double now = run_progress_wall_s();
    if (now - pr->last_s < RUN_PROGRESS_INTERVAL_S) return;
    pr->last_s = now;
    const double elapsed = now - pr->start_s;
    FILE* f = pr->out;
    fputs(pr->in_place ? "\r\033[K" : "", f);
    fprintf(f, "progress: sim %.3f ms, %llu", (double)sim_ns / 1e6, (unsigned long long)ops_done);
    if (ops_total) fprintf(f, "/%llu", (unsigned long long)ops_total);
    fputs(" operations, ", f);
    print_duration(f, elapsed);
    fputs(" elapsed", f);
    if (ops_total && ops_done > 0 && ops_done < ops_total) {
        fputs(", ETA ", f);
        print_duration(f, elapsed * (double)(ops_total - ops_done) / (double)ops_done);
    }
    fputs(pr->in_place ? "" : "\n", f);
    fflush(f);
    pr->shown = 1;
}

void run_progress_end(run_progress_t* pr) {
    if (pr->out && pr->in_place && pr->shown) {
        fputs("\r\033[K", pr->out);
        fflush(pr->out);
    }
    pr->shown = 0;
}
