/* bench_pool_retire: the cost of a copy with the reference driver's persistent pool
 * (dmac.mapping=pool) as the run grows. The pool pins each client VMO once and keeps it, so
 * pins accumulate; each copy's own buffers are still pinned and unpinned, and what an unpin
 * costs in the pin bookkeeping must not grow with the pins made before it. `staleline run`
 * runs as a child process for each count (default 2,000 and 20,000 copies of small buffers);
 * printed: wall seconds, microseconds per copy, and `ratio_per_copy` (last / first: 1 is
 * linear, 10 would be quadratic).
 *
 * Options: --counts 2000,20000  --staleline PATH  --max-size BYTES  --seed N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SL_STALELINE_BIN
#define SL_STALELINE_BIN "staleline"
#endif

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Wall seconds of one run (negative when it failed); *rss_kib its peak resident set. */
static double run(const char* bin, unsigned copies, const char* max_size, const char* seed, long* rss_kib) {
    char transfers[64], size[64], sd[64];
    snprintf(transfers, sizeof transfers, "workload.transfers=%u", copies);
    snprintf(size, sizeof size, "workload.max_size=%s", max_size);
    snprintf(sd, sizeof sd, "sim.seed=%s", seed);
    const char* argv[] = {bin, "run", "--workload", "copy", "--set", "dmac.mapping=pool", "--set", transfers,
                          "--set", size, "--set", sd, NULL};
    const double t0 = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        FILE* null = fopen("/dev/null", "w");
        if (null) {
            dup2(fileno(null), 1);
            dup2(fileno(null), 2);
        }
        execv(argv[0], (char* const*)argv);
        _exit(127);
    }
    if (pid < 0) return -1;
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) return -1;
    const double t = now_s() - t0;
    *rss_kib = ru.ru_maxrss;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_pool_retire: %u copies: staleline run exited with status %d\n", copies,
                WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return -1;
    }
    return t;
}

int main(int argc, char** argv) {
    const char* bin = SL_STALELINE_BIN;
    const char* counts = "2000,20000";
    const char* max_size = "1024";
    const char* seed = "1";
    for (int i = 1; i < argc; ++i) {
        const char* v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "usage: bench_pool_retire [--counts 2000,20000] [--staleline PATH] [--max-size BYTES] [--seed N]\n");
            return 2;
        }
        if (!strcmp(argv[i], "--counts")) counts = v;
        else if (!strcmp(argv[i], "--staleline")) bin = v;
        else if (!strcmp(argv[i], "--max-size")) max_size = v;
        else if (!strcmp(argv[i], "--seed")) seed = v;
        else {
            fprintf(stderr, "bench_pool_retire: unknown option %s\n", argv[i]);
            return 2;
        }
        ++i;
    }
    printf("bench_pool_retire: staleline %s, copy workload, dmac.mapping=pool, max_size %s, seed %s\n", bin, max_size,
           seed);
    printf("%10s %10s %14s %12s\n", "copies", "wall_s", "us_per_copy", "peak_rss_mib");
    double first = 0, last = 0;
    char* list = strdup(counts);
    for (char* tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        const unsigned n = (unsigned)strtoul(tok, NULL, 10);
        if (!n) continue;
        long rss = 0;
        const double t = run(bin, n, max_size, seed, &rss);
        if (t < 0) {
            free(list);
            return 1;
        }
        const double per = t * 1e6 / n;
        printf("%10u %10.2f %14.1f %12.1f\n", n, t, per, rss / 1024.0);
        if (first == 0) first = per;
        last = per;
    }
    free(list);
    printf("ratio_per_copy %.2f\n", first > 0 ? last / first : 0.0);
    return 0;
}
