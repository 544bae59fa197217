/* bench_shim_hooks: what the driver access instrumentation costs, in host time.
 *
 * The probe driver (instrumented and plain builds) loads bytes through a volatile pointer, so
 * each load is exactly one __tsan_read1 hook when instrumented:
 *   outside: a heap block of the driver: the hook's fast path (one range compare);
 *   inside:  its cached buffer mapping (4 KiB, always cache hits after the first pass): the
 *            slow path (region lookup, cache model, time charged to the thread).
 * The plain build runs the same loops without hooks: the difference is the hook cost.
 *
 *   bench_shim_hooks [N]     N loads per measurement (default 20000000)
 * Prints ns per load with and without the hook, the difference, and hooked loads per second. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ddk/driver.h>

#include "probe_protocol.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

static size_t N = 20000000;
static sl_platform_t* P;
static const char* g_driver;
static double g_ns[2]; /* outside, inside */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void body(void* arg) {
    sl_driver_t* d = sl_driver_load(P, g_driver);
    if (!d || sl_driver_bind(d, (unsigned)sl_pci_scratch_slot(P)) != ZX_OK) {
        fprintf(stderr, "cannot load/bind %s: %s\n", g_driver, sl_error());
        exit(1);
    }
    void *ops, *ctx;
    sl_device_info(sl_device_find("sl-probe"), NULL, &ops, &ctx, NULL);
    sl_probe_ops_t* o = ops;
    for (int inside = 0; inside < 2; ++inside) {
        o->touch(ctx, inside, 4096); /* warm up: the buffer's lines are now cached */
        double t0 = now_s();
        volatile uint64_t s = o->touch(ctx, inside, N);
        (void)s;
        g_ns[inside] = (now_s() - t0) * 1e9 / (double)N;
    }
    sl_driver_release(d);
}

static void measure(const char* driver, double out[2]) {
    sl_config_t* c = sl_config_new();
    sl_config_set(c, "pci.scratch_device", "true");
    P = sl_platform_create(c);
    sl_config_free(c);
    if (!P || !sl_shim_attach(P, (unsigned)sl_pci_scratch_slot(P))) {
        fprintf(stderr, "platform: %s\n", sl_error());
        exit(1);
    }
    sl_shim_set_log(fopen("/dev/null", "w"));
    g_driver = driver;
    sl_platform_spawn(P, "bench", body, NULL);
    if (sl_platform_run(P, 0) != 0) {
        fprintf(stderr, "run: %s\n", sl_error());
        exit(1);
    }
    sl_shim_stats_t st;
    sl_shim_get_stats(&st);
    out[0] = g_ns[0];
    out[1] = g_ns[1];
    printf("  %-24s hooks into simulated memory: %llu\n", driver, (unsigned long long)st.hook_calls);
    sl_platform_destroy(P);
}

int main(int argc, char** argv) {
    if (argc > 1) N = strtoull(argv[1], NULL, 0);
    /* SystemC elaborates once per process: one platform per child. */
    const char* drivers[2] = {"sl_probe_driver", "sl_probe_driver_plain"};
    double r[2][2];
    for (int i = 0; i < 2; ++i) {
        int fds[2];
        if (pipe(fds) != 0) return 1;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            double out[2];
            measure(drivers[i], out);
            fflush(stdout);
            if (write(fds[1], out, sizeof out) != sizeof out) _exit(1);
            _exit(0);
        }
        if (read(fds[0], r[i], sizeof r[i]) != sizeof r[i]) return 1;
        int status;
        waitpid(pid, &status, 0);
    }
    printf("%zu volatile byte loads per case\n", N);
    printf("%-40s %9s %10s %13s %15s\n", "case", "plain ns", "hooked ns", "hook cost ns", "hooked loads/s");
    const char* names[2] = {"outside simulated memory (fast path)", "cached VMO mapping (cache hit)"};
    for (int k = 0; k < 2; ++k)
        printf("%-40s %9.2f %10.2f %13.2f %15.3g\n", names[k], r[1][k], r[0][k], r[0][k] - r[1][k], 1e9 / r[0][k]);
    return 0;
}
