/* The timeline and the latency breakdown of `staleline run` (run_timeline.h, docs/timeline.md). */
#include "run_timeline.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define PLOT_MAX_OPS 200 /* operations drawn as bars: the first ones */

int run_timeline_option(run_timeline_t* t, int opt, const char* arg) {
    switch (opt) {
    case RUN_TIMELINE_OPT_FILE: t->path = arg; break;
    case RUN_TIMELINE_OPT_CATEGORIES: t->categories = arg; break;
    case RUN_TIMELINE_OPT_PLOT: t->plot_path = arg; break;
    case RUN_TIMELINE_OPT_NO_LATENCY: t->no_latency = 1; break;
    }
    return 0;
}

int run_timeline_start(run_timeline_t* t, sl_platform_t* p) {
    if (t->categories && !t->path) {
        fprintf(stderr, "staleline run: --timeline-categories needs --timeline FILE\n");
        return SL_EXIT_USAGE;
    }
    if (t->path) {
        t->timeline = sl_timeline_open(p, t->path, t->categories);
        if (!t->timeline) {
            fprintf(stderr, "staleline run: --timeline: %s\n", sl_error());
            return SL_EXIT_USAGE;
        }
    }
    if (t->plot_path && t->no_latency) {
        fprintf(stderr, "staleline run: --latency-plot and --no-latency-breakdown exclude each other\n");
        return SL_EXIT_USAGE;
    }
    if (!t->no_latency) t->latency = sl_latency_attach(p);
    return 0;
}

/* A gnuplot single-quoted string: a quote inside is doubled. */
static void gp_string(FILE* f, const char* s) {
    fputc('\'', f);
    for (; *s; ++s) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* The script on gnuplot's standard input, gnuplot started without a shell (any path works). */
static int write_plot(const run_timeline_t* t) {
    int fd[2];
    if (pipe(fd)) return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[1]);
        dup2(fd[0], 0);
        close(fd[0]);
        execlp("gnuplot", "gnuplot", (char*)NULL);
        _exit(127);
    }
    close(fd[0]);
    if (pid < 0) {
        close(fd[1]);
        return -1;
    }
    FILE* f = fdopen(fd[1], "w");
    if (!f) {
        close(fd[1]);
        waitpid(pid, NULL, 0);
        return -1;
    }
    const size_t n = sl_latency_operations(t->latency);
    const size_t shown = n < PLOT_MAX_OPS ? n : PLOT_MAX_OPS;
    fputs("set terminal svg size 960,540 dynamic noenhanced font 'sans,10'\nset output ", f);
    gp_string(f, t->plot_path);
    fprintf(f, "\nset title 'Latency breakdown per operation (%zu of %zu operations)'\n", shown, n);
    fputs("set style data histograms\nset style histogram rowstacked\nset style fill solid 0.9 border -1\n"
          "set boxwidth 0.8 relative\nset key outside right top\nset ylabel 'ns'\nset xlabel 'operation'\n"
          "set xtics out nomirror rotate by -90 font ',7'\nset yrange [0:*]\n$data << EOD\n",
          f);
    for (size_t i = 0; i < shown; ++i) {
        uint64_t st[SL_LB_STAGES];
        if (sl_latency_operation(t->latency, i, st)) continue;
        fprintf(f, "%zu", i);
        for (int s = 0; s < SL_LB_STAGES; ++s) fprintf(f, " %llu", (unsigned long long)st[s]);
        fputc('\n', f);
    }
    fputs("EOD\nplot ", f);
    for (int s = 0; s < SL_LB_STAGES; ++s)
        fprintf(f, "%s$data using %d%s title '%s'", s ? ", " : "", s + 2, s ? "" : ":xtic(1)", sl_lb_stage_name(s));
    fputc('\n', f);
    int bad = fclose(f) != 0;
    int st = 0;
    waitpid(pid, &st, 0);
    return bad || !WIFEXITED(st) || WEXITSTATUS(st) != 0 ? -1 : 0;
}

int run_timeline_finish(run_timeline_t* t, sl_checker_t* chk) {
    int rc = 0;
    if (t->timeline) {
        if (sl_timeline_close(t->timeline, chk)) {
            fprintf(stderr, "staleline run: --timeline: %s\n", sl_error());
            rc = SL_EXIT_USAGE;
        }
        t->timeline = NULL;
    }
    if (t->plot_path && t->latency && write_plot(t)) {
        fprintf(stderr, "staleline run: --latency-plot: gnuplot could not write %s (is gnuplot installed?)\n",
                t->plot_path);
        rc = SL_EXIT_USAGE;
    }
    return rc;
}

void run_timeline_print_latency(FILE* f, const run_timeline_t* t) {
    const size_t n = t->latency ? sl_latency_operations(t->latency) : 0;
    if (!n) return;
    fprintf(f, "latency:    %zu operations, by stage (ns)     mean        p50        p99\n", n);
    for (int s = 0; s <= SL_LB_STAGES; ++s) {
        double mean;
        uint64_t p50, p99;
        sl_latency_stage_stats(t->latency, s, &mean, &p50, &p99);
        fprintf(f, "            %-28s %10.0f %10llu %10llu\n", s < SL_LB_STAGES ? sl_lb_stage_name(s) : "total", mean,
                (unsigned long long)p50, (unsigned long long)p99);
    }
}

static json_t* stage_json(const sl_latency_t* l, int s) {
    double mean;
    uint64_t p50, p99;
    sl_latency_stage_stats(l, s, &mean, &p50, &p99);
    json_t* o = json_object();
    if (s < SL_LB_STAGES) json_object_set_new(o, "name", json_string(sl_lb_stage_name(s)));
    json_object_set_new(o, "mean_ns", json_real(mean));
    json_object_set_new(o, "p50_ns", json_integer((json_int_t)p50));
    json_object_set_new(o, "p99_ns", json_integer((json_int_t)p99));
    return o;
}

json_t* run_timeline_latency_json(const run_timeline_t* t) {
    if (t->no_latency) return NULL;
    json_t* o = json_object();
    const size_t n = t->latency ? sl_latency_operations(t->latency) : 0;
    json_object_set_new(o, "operations", json_integer((json_int_t)n));
    json_t* stages = json_array();
    for (int s = 0; s < SL_LB_STAGES; ++s) json_array_append_new(stages, t->latency ? stage_json(t->latency, s) : json_object());
    json_object_set_new(o, "stages", stages);
    json_object_set_new(o, "total", t->latency ? stage_json(t->latency, SL_LB_STAGES) : json_object());
    /* The first operations (as many as the plot keeps) one by one, exact: their stages add up
     * to each one's time. */
    json_t* per = json_array();
    for (size_t i = 0; t->latency && i < n; ++i) {
        uint64_t op, st[SL_LB_STAGES];
        if (sl_latency_operation_ps(t->latency, i, &op, st)) break;
        json_t* e = json_object();
        json_object_set_new(e, "op", json_integer((json_int_t)op));
        json_t* a = json_array();
        for (int s = 0; s < SL_LB_STAGES; ++s) json_array_append_new(a, json_integer((json_int_t)st[s]));
        json_object_set_new(e, "stages_ps", a);
        json_array_append_new(per, e);
    }
    json_object_set_new(o, "per_operation", per);
    return o;
}

void run_timeline_free(run_timeline_t* t) {
    if (t->timeline) sl_timeline_close(t->timeline, NULL);
    t->timeline = NULL;
    sl_latency_detach(t->latency);
    t->latency = NULL;
}
