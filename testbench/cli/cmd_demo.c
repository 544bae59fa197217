/* staleline demo: a short run through the platform models (no driver, no RTL) that
 * shows why a non-coherent cache needs cache maintenance around DMA, then prints the
 * statistics of every model. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "staleline/cache.h"
#include "staleline/iommu.h"
#include "staleline/pci.h"

enum { kBytes = 4096 };
static const uint64_t kIova = 0x1000000000ULL; /* device address of the buffer */

typedef struct {
    sl_platform_t* p;
    int coherent;
    int stale_device_read, stale_cpu_read; /* bytes wrong before maintenance */
    int ok_after_clean, ok_after_invalidate;
    int failed;
} demo_t;

static int count_diff(const uint8_t* a, const uint8_t* b, size_t n) {
    int d = 0;
    for (size_t i = 0; i < n; ++i) d += a[i] != b[i];
    return d;
}

static void demo_thread(void* arg) {
    demo_t* d = arg;
    sl_platform_t* p = d->p;
    int slot = sl_pci_scratch_slot(p);
    uint16_t rid = sl_pci_requester_id((unsigned)slot);
    uint8_t cpu_data[kBytes], dev_data[kBytes], got[kBytes];
    uint64_t pa;

    /* what a driver's bind and a kernel's pin would do */
    sl_pci_config_write(p, (unsigned)slot, 0x04, 2, 0x6); /* memory space + bus master */
    if (sl_phys_alloc(p, 1, 1, &pa) || sl_iommu_map(p, rid, kIova, pa, kBytes, SL_IOMMU_READ | SL_IOMMU_WRITE)) {
        fprintf(stderr, "demo: setup failed: %s\n", sl_error());
        d->failed = 1;
        return;
    }
    for (int i = 0; i < kBytes; ++i) {
        cpu_data[i] = (uint8_t)(i * 7 + 1);
        dev_data[i] = (uint8_t)(0xa5 ^ i);
    }

    printf("[%8llu ns] CPU writes %d bytes at PA 0x%llx (cached, write-back)\n", (unsigned long long)sl_time_ns(), kBytes,
           (unsigned long long)pa);
    sl_cpu_write(p, pa, cpu_data, kBytes);

    sl_scratch_dma(p, 0, kIova, got, kBytes);
    d->stale_device_read = count_diff(got, cpu_data, kBytes);
    printf("[%8llu ns] device reads IOVA 0x%llx before any clean: %d of %d bytes stale\n",
           (unsigned long long)sl_time_ns(), (unsigned long long)kIova, d->stale_device_read, kBytes);

    sl_cache_maintain(p, SL_CACHE_CLEAN, pa, kBytes);
    sl_scratch_dma(p, 0, kIova, got, kBytes);
    d->ok_after_clean = count_diff(got, cpu_data, kBytes) == 0;
    printf("[%8llu ns] after zx_vmo_op_range(CLEAN)-style clean, device reads: %s\n", (unsigned long long)sl_time_ns(),
           d->ok_after_clean ? "data correct" : "STILL WRONG");

    sl_scratch_dma(p, 1, kIova, dev_data, kBytes);
    sl_cpu_read(p, pa, got, kBytes);
    d->stale_cpu_read = count_diff(got, dev_data, kBytes);
    printf("[%8llu ns] device writes the buffer; CPU reads without invalidate: %d of %d bytes stale\n",
           (unsigned long long)sl_time_ns(), d->stale_cpu_read, kBytes);

    sl_cache_maintain(p, SL_CACHE_INVALIDATE, pa, kBytes);
    sl_cpu_read(p, pa, got, kBytes);
    d->ok_after_invalidate = count_diff(got, dev_data, kBytes) == 0;
    printf("[%8llu ns] after invalidate, CPU reads: %s\n", (unsigned long long)sl_time_ns(),
           d->ok_after_invalidate ? "data correct" : "STILL WRONG");
}

int cmd_demo(int argc, char** argv) {
    static const struct option opts[] = {
        SL_CONFIG_LONG_OPTIONS, {"json", required_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char* json_path = NULL;
    sl_config_t* cfg = sl_config_new();
    int c, rc = SL_EXIT_OK;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            puts("usage: staleline demo [--set key=value]... [--config FILE] [--seed N] [--json FILE]\n"
                 "  CPU and a PCI device share a 4 KiB buffer through a non-coherent cache and the IOMMU;\n"
                 "  shows the stale data a missing clean or invalidate causes, then every model's statistics.\n"
                 "  Try --set platform.coherent=true to see the same code look correct on an x86-like platform.");
            sl_config_free(cfg);
            return SL_EXIT_OK;
        case 'j': json_path = optarg; break;
        case 'S': case 'C': case 's':
            if ((rc = cli_config_option(cfg, c, optarg))) goto out;
            break;
        default: rc = SL_EXIT_USAGE; goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "staleline demo: unexpected argument '%s'\n", argv[optind]);
        rc = SL_EXIT_USAGE;
        goto out;
    }
    if (sl_config_set(cfg, "pci.scratch_device", "true") || (rc = cli_config_finish(cfg))) {
        rc = rc ? rc : cli_config_error();
        goto out;
    }
    sl_platform_t* p = sl_platform_create(cfg);
    if (!p) {
        rc = cli_config_error();
        goto out;
    }
    char coherent[16];
    sl_config_get(cfg, "platform.coherent", coherent, sizeof coherent);
    demo_t d = {.p = p, .coherent = !strcmp(coherent, "true")};
    printf("Staleline demo: %s platform\n", d.coherent ? "coherent (x86-like)" : "non-coherent");
    sl_platform_spawn(p, "demo", demo_thread, &d);
    if (sl_platform_run(p, 0)) {
        fprintf(stderr, "staleline demo: %s\n", sl_error());
        rc = SL_EXIT_FINDINGS;
    } else if (d.failed || !d.ok_after_clean || !d.ok_after_invalidate) {
        rc = SL_EXIT_FINDINGS;
    }
    if (!d.failed) {
        printf("\nWithout maintenance the device saw %d stale bytes and the CPU %d stale bytes.%s\n",
               d.stale_device_read, d.stale_cpu_read,
               d.coherent ? " On a coherent platform these bugs hide." : "");
        char* stats = sl_platform_stats_json(p);
        printf("\nStatistics:\n%s\n", stats);
        if (json_path) {
            json_t* j = json_object();
            json_object_set_new(j, "data_ok", json_boolean(d.ok_after_clean && d.ok_after_invalidate));
            json_object_set_new(j, "sim_time_ns", json_integer((json_int_t)sl_time_ns()));
            json_object_set_new(j, "stale_device_bytes", json_integer(d.stale_device_read));
            json_object_set_new(j, "stale_cpu_bytes", json_integer(d.stale_cpu_read));
            json_object_set_new(j, "stats", json_loads(stats, 0, NULL));
            if (json_dump_file(j, json_path, JSON_INDENT(2) | JSON_SORT_KEYS)) {
                fprintf(stderr, "staleline demo: cannot write %s\n", json_path);
                rc = SL_EXIT_USAGE;
            }
            json_decref(j);
        }
        free(stats);
    }
    sl_platform_destroy(p);
out:
    sl_config_free(cfg);
    return rc;
}
