/* bench_wave: what recording a waveform costs (docs/waveforms.md). The same `staleline run`
 * without a waveform, with `--wave run.vcd`, with `--wave run.fst`, and with `--wave run.fst`
 * limited to a 1 µs window, run alternately: median and fastest wall time of each, the file's
 * size, and each run's ratio to the run without a waveform; the same for CPU time (user +
 * system of the run), which a machine busy with other jobs disturbs less. Printed, not asserted.
 *
 *   bench_wave [--runs N] [--staleline PATH] [-- RUN-ARGS...]   (default RUN-ARGS: none: the default run)
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { NONE, VCD, FST, WINDOW, VARIANTS };
static const char* const names[VARIANTS] = {"none", "vcd", "fst", "fst_window_1us"};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds (user + system) of the waited-for children so far. */
static double children_cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

static int cmp_double(const void* a, const void* b) {
    const double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
    int runs = 3;
    const char* bin = SL_STALELINE_BIN;
    static const struct option opts[] = {{"runs", required_argument, 0, 'n'}, {"staleline", required_argument, 0, 's'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'n') runs = atoi(optarg);
        else if (c == 's') bin = optarg;
        else {
            fprintf(stderr, "usage: bench_wave [--runs N] [--staleline PATH] [-- RUN-ARGS...]\n");
            return 2;
        }
    }
    if (runs < 1 || runs > 50) runs = 3;
    char extra[2048] = "";
    for (int i = optind; i < argc; ++i) {
        strncat(extra, " ", sizeof extra - strlen(extra) - 1);
        strncat(extra, argv[i], sizeof extra - strlen(extra) - 1);
    }
    char dir[] = "/tmp/bench_wave_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    double t[VARIANTS][50], cpu[VARIANTS][50];
    long long size[VARIANTS] = {0};
    for (int r = 0; r < runs; ++r)
        for (int v = 0; v < VARIANTS; ++v) {
            char file[PATH_MAX], cmd[8192];
            snprintf(file, sizeof file, "%s/run.%s", dir, v == VCD ? "vcd" : "fst");
            snprintf(cmd, sizeof cmd, "'%s' run%s%s%s%s > /dev/null 2>&1", bin, extra, v == NONE ? "" : " --wave ",
                     v == NONE ? "" : file, v == WINDOW ? " --wave-from 100us --wave-to 101us" : "");
            const double t0 = now_s(), c0 = children_cpu_s();
            const int rc = system(cmd);
            t[v][r] = now_s() - t0;
            cpu[v][r] = children_cpu_s() - c0;
            if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) > 1) {
                fprintf(stderr, "bench_wave: failed: %s\n", cmd);
                return 1;
            }
            struct stat st;
            size[v] = v != NONE && !stat(file, &st) ? (long long)st.st_size : 0;
            if (v != NONE) unlink(file);
            char gtkw[PATH_MAX];
            snprintf(gtkw, sizeof gtkw, "%s/run.gtkw", dir);
            unlink(gtkw);
        }
    rmdir(dir);
    double median[VARIANTS], median_cpu[VARIANTS];
    printf("%-16s %10s %10s %14s %8s %10s %9s\n", "variant", "median_s", "fastest_s", "file_bytes", "ratio", "cpu_s",
           "cpu_ratio");
    for (int v = 0; v < VARIANTS; ++v) {
        qsort(t[v], (size_t)runs, sizeof t[v][0], cmp_double);
        qsort(cpu[v], (size_t)runs, sizeof cpu[v][0], cmp_double);
        median[v] = t[v][runs / 2];
        median_cpu[v] = cpu[v][runs / 2];
        printf("%-16s %10.3f %10.3f %14lld %8.2f %10.3f %9.2f\n", names[v], median[v], t[v][0], size[v],
               median[v] / median[NONE], median_cpu[v], median_cpu[v] / median_cpu[NONE]);
    }
    for (int v = 1; v < VARIANTS; ++v) printf("ratio_%s_vs_none %.2f\n", names[v], median[v] / median[NONE]);
    for (int v = 1; v < VARIANTS; ++v) printf("cpu_ratio_%s_vs_none %.2f\n", names[v], median_cpu[v] / median_cpu[NONE]);
    return 0;
}
