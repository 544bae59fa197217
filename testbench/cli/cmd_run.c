/* staleline run: build the platform with its devices (platform.devices, --device), load a
 * driver and bind it to every device its bind program matches, run a workload against the
 * device it publishes (the first offering the protocol the workload drives), unbind, and
 * report: data verified or not, simulated time, the driver's and the models' statistics,
 * findings. docs/workloads.md and docs/devices.md are the user's guides. */
#include <dirent.h>
#include <dlfcn.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_config_json.h"
#include "cli_source.h"
#include "cli_report_run.h"
#include "staleline/checker.h"
#include "staleline/modules.h"
#include "staleline/dmac-protocol.h"
#include "staleline/shim.h"
#include <ddk/binding.h>
#include <ddk/driver.h>
#include <zircon/status.h>
#include "workload.h"
#include "run_timeline.h"
#include "run_wave.h"
#include "run_limits.h"

#define DEFAULT_DRIVER "dmac"
#define DEFAULT_WORKLOAD "copy" /* for the DMA transfer protocol; others: the first for theirs */

static void usage(FILE* f) {
    fputs("usage: staleline run [--device KIND[,key=value...]]... [--driver NAME|PATH] [--workload NAME]\n"
          "                     [--set key=value]... [--config FILE] [--seed N] [--json FILE] [--sarif FILE]\n"
          "                     [--vcd FILE] [--format summary|gcc] [--report DIR]\n"
          "                     [--wave FILE.fst|FILE.vcd [--wave-from T] [--wave-to T] [--wave-around-findings N]]\n"
          "       staleline run --list-devices | --list-drivers | --list-workloads\n"
          "\n"
          "Builds the platform with its devices, loads the driver and binds it to every device its bind\n"
          "program (VID/DID) matches, runs the workload against the device the driver publishes, unbinds\n"
          "the driver, and prints whether every byte came out right, the simulated time, the statistics\n"
          "and the findings of the coherency checker (docs/findings.md).\n"
          "\n"
          "  --device SPEC       a device in the next PCI slot: KIND[,name=N][,slot=S][,key=value]..., KIND\n"
          "                      a built-in kind, a device module's name or path (see --list-devices,\n"
          "                      docs/devices.md); repeatable. Default: dma_engine (platform.devices)\n"
          "  --driver NAME|PATH  driver module: a name (" DEFAULT_DRIVER ", the default; see --list-drivers) or the\n"
          "                      path of a module built with staleline_add_driver()\n"
          "  --workload NAME|PATH  a built-in workload or a module built with staleline_add_workload()\n"
          "                      (see --list-workloads); default: " DEFAULT_WORKLOAD " for the DMA transfer\n"
          "                      protocol, else the first workload for the protocol the driver's device offers\n"
          "  --set key=value     set a configuration parameter (see `staleline params`); repeatable\n"
          "  --config FILE       read parameters from a TOML file (applied where it appears)\n"
          "  --seed N            same as --set sim.seed=N\n"
          "  --json FILE         also write the result as JSON (FILE '-': standard output, and the\n"
          "                      summary goes to standard error)\n"
          "  --sarif FILE        write the findings as a SARIF 2.1.0 log (code annotations)\n"
          "  --report DIR        write run.json, findings.sarif, timeline.json (unless --timeline names\n"
          "                      another file) and the review report (report.html, one self-contained\n"
          "                      page, and report.md) into DIR (docs/review-report.md)\n"
          "  --vcd FILE          record the waveform of the (RTL) device the driver binds first into FILE\n"
          "  --wave FILE         the same waveform as FST (FILE.fst) or VCD (any other name), and a GTKWave\n"
          "                      save file beside it (FILE.gtkw): AXI channels, registers and interrupt\n"
          "                      grouped, a marker at each finding (docs/waveforms.md)\n"
          "  --wave-from T, --wave-to T  record only from/to simulated time T (10us, 2.5ms, 1500ns)\n"
          "  --wave-around-findings N  record only N microseconds either side of each finding (the run\n"
          "                      is made twice: once to find them, once to record)\n"
          "  --timeline FILE     write the run's timeline as Chrome trace-event JSON (Perfetto,\n"
          "                      chrome://tracing): driver threads, devices, IOMMU, DRAM bandwidth,\n"
          "                      findings, in simulated time (docs/timeline.md)\n"
          "  --timeline-categories LIST  only these tracks: driver,device,iommu,dram,findings\n"
          "  --latency-plot FILE.svg  plot the latency breakdown of each operation (gnuplot)\n"
          "  --no-latency-breakdown  skip the per-stage latency breakdown (summary table, JSON key)\n"
          "  --time-limit SECONDS  stop the run after SECONDS of wall-clock time (such as 30 or 0.5)\n"
          "  --sim-limit TIME    stop the run at simulated time TIME (10ms, 500us, 2s). A run stopped\n"
          "                      by a limit reports what it did so far (summary, --json, --sarif) with\n"
          "                      the problem 'the run reached its ... limit' and exit status 1\n"
          "  --progress, --no-progress  show (or not) a progress line on standard error: simulated\n"
          "                      time, operations done and an ETA; default: only on a terminal\n"
          "  --format summary|gcc  what is printed: the summary with statistics and the first findings\n"
          "                      (default), or one compiler-style line per finding\n"
          "                      (file:line:col: error: message [kind], then note: lines for its call\n"
          "                      stack and the related event), for editors and CI problem matchers.\n"
          "                      Both end with the line SUMMARY: staleline: N findings (kind count, ...)\n"
          "  --list-devices      list the device kinds (built-in and modules found)\n"
          "  --list-drivers      list the driver modules found\n"
          "  --list-workloads    list the workloads, the protocol each drives and the keys it reads\n"
          "  --help              this text\n"
          "\n"
          "Workload parameters: workload.transfers, workload.min_size, workload.max_size,\n"
          "workload.queue_depth, workload.block_size (docs/workloads.md).\n"
          "Exit status: 0 data right and no findings, 1 wrong data, a failed operation, a driver that\n"
          "did not bind or findings, 2 usage or configuration error (unknown flag, device, driver or\n"
          "workload, a driver that matches no device).\n",
          f);
}

/* ---- listing ---- */

static const char* protocol_name(uint32_t proto_id) {
    static char other[16];
    switch (proto_id) {
    case ZX_PROTOCOL_DMA_XFER: return "dma-xfer";
    case ZX_PROTOCOL_ETHMAC: return "ethmac";
    case ZX_PROTOCOL_BLOCK_IMPL: return "block-impl";
    default: snprintf(other, sizeof other, "0x%08x", proto_id); return other;
    }
}

static void list_workloads(void) { sl_workload_list(stdout, protocol_name, DEFAULT_WORKLOAD); }

/* "vendor version" from a module's driver note (ZIRCON_DRIVER_BEGIN), "" if it has none. */
static void driver_note(const char* path, char* out, size_t len) {
    out[0] = 0;
    void* h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
    if (!h) return;
    const zircon_driver_note_payload_t* note = dlsym(h, "__zircon_driver_note__");
    if (note) snprintf(out, len, "%.16s %.16s", note->vendor, note->version);
    dlclose(h);
}

/* Driver modules (NAME.so) in the directories the loader searches by name. */
static void list_dir(const char* dir, char seen[][NAME_MAX + 1], size_t* nseen, size_t cap) {
    DIR* d = opendir(dir);
    if (!d) return;
    char* names[256];
    size_t n = 0;
    struct dirent* e;
    while ((e = readdir(d)) && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 3 && !strcmp(e->d_name + len - 3, ".so")) names[n++] = strndup(e->d_name, len - 3);
    }
    closedir(d);
    for (size_t i = 0; i < n; ++i) /* sorted: the output is the same on every host */
        for (size_t j = i + 1; j < n; ++j)
            if (strcmp(names[j], names[i]) < 0) {
                char* t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (size_t i = 0; i < n; ++i) {
        int dup = 0;
        for (size_t k = 0; k < *nseen; ++k) dup |= !strcmp(seen[k], names[i]);
        if (!dup && *nseen < cap) {
            snprintf(seen[(*nseen)++], NAME_MAX + 1, "%s", names[i]);
            char path[PATH_MAX + NAME_MAX + 8], note[40];
            snprintf(path, sizeof path, "%s/%s.so", dir, names[i]);
            driver_note(path, note, sizeof note);
            char line[NAME_MAX + 128];
            snprintf(line, sizeof line, "%-24s %-24s%s", names[i], note,
                     !strcmp(names[i], DEFAULT_DRIVER) ? "reference driver of the DMA engine (default)" : "");
            for (size_t k = strlen(line); k > 0 && line[k - 1] == ' '; --k) line[k - 1] = 0;
            puts(line);
        }
        free(names[i]);
    }
}

static void list_drivers(void) {
    static char seen[64][NAME_MAX + 1];
    size_t nseen = 0;
    static char dirs[8][SL_MODULE_DIR_MAX];
#ifdef SL_DRIVER_DIR
    const size_t n = sl_module_search_path("drivers", "STALELINE_DRIVER_PATH", SL_DRIVER_DIR, dirs, 8);
#else
    const size_t n = sl_module_search_path("drivers", "STALELINE_DRIVER_PATH", NULL, dirs, 8);
#endif
    for (size_t i = 0; i < n; ++i) list_dir(dirs[i], seen, &nseen, 64);
    if (nseen == 0) printf("no driver modules found (set STALELINE_DRIVER_PATH)\n");
}

/* ---- the run ---- */

typedef struct run {
    sl_platform_t* p;
    sl_driver_t* drv;
    unsigned slots[32];          /* the devices the driver's bind program matches */
    size_t nslots;
    const sl_workload_t* workload; /* NULL: chosen after bind, by the protocol published */
    sl_workload_params_t params;
    int conservative;           /* the checker's conservative mode (uninstrumented driver) */
    /* results */
    int finished;               /* the run thread got to the end */
    int started;                /* the simulation ran (a run thread was started) */
    volatile int stop;          /* set after a stopped run: skip what is left, release the driver */
    volatile int phase;         /* where the run thread is: RUN_BIND, RUN_WORKLOAD, RUN_RELEASE */
    volatile int released;      /* the release of a stopped run's driver returned */
    zx_status_t bind_status, release_status;
    char problem[512];          /* why the workload could not run */
    int faulted;                /* the run ended on a driver fault (a driver-fault finding) */
    int have_proto;             /* a published device offered the workload's protocol */
    int have_dma;               /* ... and it is the DMA transfer protocol (its statistics) */
    unsigned devices_run;       /* devices the workload ran on */
    dma_xfer_info_t info;
    dma_xfer_stats_t dma_stats;
    sl_workload_result_t result;
    uint64_t end_ns;
} run_t;

/* Every DDK protocol struct is {ops, ctx}: the workload gets the one of the device it needs. */
typedef struct any_protocol {
    void* ops;
    void* ctx;
} any_protocol_t;

/* The next device the driver published (not removed), from index *from on, that offers
 * proto_id; with proto_id 0, the first whose protocol some workload drives (*proto_id is
 * set). *from moves past it. */
static int find_protocol(sl_driver_t* drv, size_t* from, uint32_t* proto_id, any_protocol_t* out) {
    for (size_t i = *from; i < sl_driver_device_count(drv); ++i) {
        uint32_t id = 0;
        void* ops = NULL;
        void* ctx = NULL;
        bool removed = false;
        if (sl_device_info(sl_driver_device(drv, i), &id, &ops, &ctx, &removed) != ZX_OK || removed || !ops) continue;
        if (*proto_id ? id != *proto_id : !sl_workload_for_protocol(id)) continue;
        *proto_id = id;
        out->ops = ops;
        out->ctx = ctx;
        *from = i + 1;
        return 0;
    }
    return -1;
}

/* Several devices ran the workload: one result for the run. */
static void merge_results(sl_workload_result_t* total, const sl_workload_result_t* one) {
    total->data_ok = total->data_ok && one->data_ok;
    total->operations += one->operations;
    total->bytes += one->bytes;
    total->bytes_checked += one->bytes_checked;
    total->bad_bytes += one->bad_bytes;
    total->failed_ops += one->failed_ops;
    if (total->first_status == ZX_OK) total->first_status = one->first_status;
    if (!total->detail[0]) memcpy(total->detail, one->detail, sizeof total->detail);
    /* latency figures: the first device's (a per-device breakdown is in its statistics) */
}

static void merge_dma_stats(dma_xfer_stats_t* total, const dma_xfer_stats_t* one) {
    total->transfers += one->transfers;
    total->bytes += one->bytes;
    total->descriptors += one->descriptors;
    total->interrupts += one->interrupts;
    total->crc_checked += one->crc_checked;
    total->crc_mismatches += one->crc_mismatches;
    total->errors += one->errors;
    total->canceled += one->canceled;
}

enum { RUN_BIND, RUN_WORKLOAD, RUN_RELEASE };

static void run_thread(void* arg) {
    run_t* r = arg;
    for (size_t i = 0; i < r->nslots && !r->stop; ++i) {
        r->bind_status = sl_driver_bind(r->drv, r->slots[i]);
        if (r->bind_status != ZX_OK) {
            snprintf(r->problem, sizeof r->problem, "driver %s: bind to the device in slot %u failed: %s",
                     sl_driver_name(r->drv), r->slots[i], zx_status_get_string(r->bind_status));
            r->finished = 1;
            return;
        }
    }
    uint32_t proto_id = r->workload ? r->workload->proto_id : 0;
    any_protocol_t proto;
    size_t next = 0;
    r->phase = RUN_WORKLOAD;
    if (r->stop) {
        /* stopped during bind: only the release is left (release_stopped_driver) */
    } else if (find_protocol(r->drv, &next, &proto_id, &proto)) {
        if (r->workload)
            snprintf(r->problem, sizeof r->problem,
                     "driver %s published no device with the %s protocol (workload %s drives it)",
                     sl_driver_name(r->drv), protocol_name(r->workload->proto_id), r->workload->name);
        else
            snprintf(r->problem, sizeof r->problem,
                     "driver %s published no device with a protocol any workload drives (see --list-workloads)",
                     sl_driver_name(r->drv));
    } else {
        if (!r->workload) r->workload = proto_id == ZX_PROTOCOL_DMA_XFER ? sl_workload_find(DEFAULT_WORKLOAD)
                                                                         : sl_workload_for_protocol(proto_id);
        r->have_proto = 1;
        r->have_dma = proto_id == ZX_PROTOCOL_DMA_XFER;
        dma_xfer_protocol_t dma = {proto.ops, proto.ctx};
        if (r->have_dma && dma_xfer_get_info(&dma, &r->info) != ZX_OK) memset(&r->info, 0, sizeof r->info);
        /* The workload runs on every device the driver published with that protocol, one
         * after the other (each device its own seed after the first). */
        for (unsigned n = 0;; ++n) {
            sl_workload_params_t params = r->params;
            params.seed ^= (uint64_t)n * 0x9e3779b97f4a7c15ULL;
            sl_workload_result_t one;
            sl_workload_run(r->workload, &proto, &params, n ? &one : &r->result);
            dma_xfer_stats_t ds;
            if (r->have_dma && dma_xfer_get_stats(&dma, n ? &ds : &r->dma_stats) != ZX_OK)
                memset(n ? &ds : &r->dma_stats, 0, sizeof ds);
            if (n) {
                merge_results(&r->result, &one);
                if (r->have_dma) merge_dma_stats(&r->dma_stats, &ds);
            }
            ++r->devices_run;
            if (find_protocol(r->drv, &next, &proto_id, &proto)) break;
            dma.ops = proto.ops;
            dma.ctx = proto.ctx;
        }
    }
    r->phase = RUN_RELEASE;
    r->release_status = sl_driver_release(r->drv);
    r->end_ns = sl_shim_now_ns();
    r->finished = 1;
}

/* Wall-clock seconds the release of a stopped run's driver may take. */
#define RELEASE_STOPPED_WALL_S 5.0
/* Simulated time per slice while it runs. */
#define RELEASE_SLICE_NS 1000000ull

static void release_thread(void* arg) {
    run_t* r = arg;
    sl_driver_release(r->drv);
    r->released = 1;
}

static double wall_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Run the simulation until done(r), until nothing is left to run, or until the wall deadline. */
static void run_until(run_t* r, int (*done)(const run_t*), double deadline) {
    while (!done(r) && wall_now() < deadline) {
        if (sl_platform_run(r->p, run_slice_to_next_activity(r->p, RELEASE_SLICE_NS)) != 0) return;
        if (!done(r) && sl_platform_next_activity_ns(r->p) == UINT64_MAX) return;
    }
}

static int run_finished(const run_t* r) { return r->finished; }
static int run_released(const run_t* r) { return r->released; }
static int run_out_of_driver(const run_t* r) { return r->finished || !sl_workload_in_driver(); }

/* A run that a limit stopped (or that never finished) left its run thread waiting and the
 * driver bound. Once the report is written, the driver is released as an unbind would, so
 * that what it and the runtime allocated goes back: a bind still running is let finish (the
 * run thread then skips the workload and releases the driver itself); a thread stopped inside
 * the workload submits nothing more, is let out of the driver call it is in, is unwound where
 * it waits, and the driver is released on a thread of its own (its own threads still run).
 * What the release logs is not part of the report and goes nowhere. Bounded by RELEASE_STOPPED_WALL_S; whatever is still waiting then is unwound when
 * the platform is destroyed. */
static void release_stopped_driver(run_t* r) {
    const double deadline = wall_now() + RELEASE_STOPPED_WALL_S;
    FILE* null = fopen("/dev/null", "w");
    if (null) sl_shim_set_log(null);
    r->stop = 1;
    sl_workload_request_stop(); /* nothing more is submitted to the driver */
    sl_shim_cap_costs_at_defaults(); /* time no longer counts: a slow configuration releases fast */
    if (r->phase == RUN_BIND) run_until(r, run_finished, deadline);
    /* a call into the driver is let return first: ended inside it, the thread would abandon
     * what the call had allocated and not yet handed to the driver's lists */
    if (!r->finished && r->phase == RUN_WORKLOAD) run_until(r, run_out_of_driver, deadline);
    if (!r->finished && r->phase == RUN_WORKLOAD && sl_platform_unwind_spawned(r->p) >= 0 &&
        sl_platform_spawn(r->p, "release", release_thread, r) == 0)
        run_until(r, run_released, deadline);
    else if (!r->finished && r->phase == RUN_RELEASE)
        run_until(r, run_finished, deadline);
    sl_shim_set_log(NULL);
    if (null) fclose(null);
}

/* Operations the workload has completed so far (the progress line). */
static uint64_t run_ops_done(void* arg) { return ((const run_t*)arg)->result.operations; }

/* ---- output ---- */

static json_t* u64(uint64_t v) { return json_integer((json_int_t)v); }

static json_t* dma_json(const run_t* r) {
    json_t* d = json_object();
    const dma_xfer_stats_t* s = &r->dma_stats;
    json_object_set_new(d, "transfers", u64(s->transfers));
    json_object_set_new(d, "bytes", u64(s->bytes));
    json_object_set_new(d, "descriptors", u64(s->descriptors));
    json_object_set_new(d, "interrupts", u64(s->interrupts));
    json_object_set_new(d, "crc_checked", u64(s->crc_checked));
    json_object_set_new(d, "crc_mismatches", u64(s->crc_mismatches));
    json_object_set_new(d, "errors", u64(s->errors));
    json_object_set_new(d, "canceled", u64(s->canceled));
    json_object_set_new(d, "irq_mode", json_string(r->info.irq_mode == DMA_XFER_IRQ_MSI      ? "msi"
                                                   : r->info.irq_mode == DMA_XFER_IRQ_LEGACY ? "legacy"
                                                                                             : "unknown"));
    json_object_set_new(d, "ring_entries", u64(r->info.ring_entries));
    /* The workload's measured phase (docs/iotlb-study.md): per-operation latency percentiles
     * and the throughput of the operations after workload.warmup. */
    const sl_workload_result_t* w = &r->result;
    json_object_set_new(d, "latency_ops", u64(w->latency_count));
    json_object_set_new(d, "latency_p50_ns", u64(w->latency_p50_ns));
    json_object_set_new(d, "latency_p99_ns", u64(w->latency_p99_ns));
    json_object_set_new(d, "latency_max_ns", u64(w->latency_max_ns));
    json_object_set_new(d, "measured_bytes", u64(w->measured_bytes));
    json_object_set_new(d, "measured_ns", u64(w->measured_ns));
    json_object_set_new(d, "measured_mb_s",
                        json_real(w->measured_ns ? (double)w->measured_bytes * 1e3 / (double)w->measured_ns : 0.0));
    json_object_set_new(d, "throughput_mb_s",
                        json_real(r->end_ns ? (double)s->bytes * 1e3 / (double)r->end_ns : 0.0));
    return d;
}

static json_t* shim_json(void) {
    sl_shim_stats_t s;
    sl_shim_get_stats(&s);
    json_t* j = json_object();
    json_object_set_new(j, "syscalls", u64(s.syscalls));
    json_object_set_new(j, "observed_accesses", u64(s.observed_accesses));
    json_object_set_new(j, "mmio_reads", u64(s.mmio_reads));
    json_object_set_new(j, "mmio_writes", u64(s.mmio_writes));
    json_object_set_new(j, "vmos_created", u64(s.vmos_created));
    json_object_set_new(j, "pins", u64(s.pins));
    json_object_set_new(j, "unpins", u64(s.unpins));
    json_object_set_new(j, "live_pins", u64(sl_shim_live_pin_count()));
    return j;
}

static json_t* result_json(const run_t* r, const char* workload, json_t* models, json_t* findings, int data_ok) {
    json_t* root = json_object();
    json_object_set_new(root, "data_ok", json_boolean(data_ok));
    json_object_set_new(root, "driver", json_string(sl_driver_name(r->drv)));
    json_object_set_new(root, "workload", json_string(workload));
    json_object_set_new(root, "seed", u64(r->params.seed));
    json_object_set_new(root, "sim_time_ns", u64(r->end_ns));
    json_object_set_new(root, "findings", json_incref(findings));
    json_object_set_new(root, "checker_mode", json_string(r->conservative ? "conservative" : "precise"));
    json_t* devices = json_array();
    for (unsigned slot = 0; slot < sl_platform_device_count(r->p); ++slot) {
        sl_device_info_t di;
        if (sl_platform_device_info(r->p, slot, &di)) continue;
        json_t* d = json_object();
        json_object_set_new(d, "slot", u64(slot));
        json_object_set_new(d, "name", json_string(di.instance));
        json_object_set_new(d, "kind", json_string(di.kind));
        json_object_set_new(d, "vendor_id", u64(di.vendor_id));
        json_object_set_new(d, "device_id", u64(di.device_id));
        int bound = 0;
        for (size_t i = 0; i < r->nslots; ++i) bound |= r->slots[i] == slot;
        json_object_set_new(d, "bound", json_boolean(bound));
        json_array_append_new(devices, d);
    }
    json_object_set_new(root, "devices", devices);
    if (r->problem[0]) json_object_set_new(root, "problem", json_string(r->problem));

    json_t* w = json_object();
    const sl_workload_result_t* res = &r->result;
    json_object_set_new(w, "operations", u64(res->operations));
    json_object_set_new(w, "bytes", u64(res->bytes));
    json_object_set_new(w, "bytes_checked", u64(res->bytes_checked));
    json_object_set_new(w, "bad_bytes", u64(res->bad_bytes));
    json_object_set_new(w, "failed_ops", u64(res->failed_ops));
    json_object_set_new(w, "detail", json_string(res->detail));
    json_object_set_new(root, "workload_result", w);

    json_t* stats = json_object();
    const char* key;
    json_t* value;
    json_object_foreach(models, key, value) {
        if (strcmp(key, "sim_time_ns")) json_object_set(stats, key, value);
    }
    if (r->have_dma || !r->have_proto) json_object_set_new(stats, "dma", dma_json(r));
    /* IOTLB figures per byte moved, next to the model's counters. */
    json_t* iotlb = json_object_get(stats, "iotlb");
    if (json_is_object(iotlb)) {
        json_t* misses = json_object_get(iotlb, "misses");
        const double mib = (double)(r->have_dma || !r->have_proto ? r->dma_stats.bytes : res->bytes) / (1024.0 * 1024.0);
        json_object_set_new(iotlb, "misses_per_mib",
                            json_real(mib > 0 && json_is_integer(misses) ? (double)json_integer_value(misses) / mib : 0.0));
    }
    json_object_set_new(stats, "shim", shim_json());
    json_object_set_new(root, "stats", stats);
    return root;
}

static uint64_t jget(json_t* models, const char* obj, const char* key) {
    json_t* v = json_object_get(json_object_get(models, obj), key);
    return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

static void print_bytes(FILE* f, uint64_t b) {
    if (b >= (1u << 20)) fprintf(f, "%.2f MiB", (double)b / (1u << 20));
    else if (b >= 1024) fprintf(f, "%.2f KiB", (double)b / 1024);
    else fprintf(f, "%llu B", (unsigned long long)b);
}

static double pct(uint64_t part, uint64_t whole) { return whole ? 100.0 * (double)part / (double)whole : 0.0; }

static void print_summary(FILE* f, const run_t* r, const char* workload, json_t* models, size_t nfindings,
                          int data_ok, const run_timeline_t* tl) {
    const sl_workload_result_t* res = &r->result;
    /* The module too when its file is not NAME.so (bug-catalogue variants are all "dmac"). */
    const char* path = sl_driver_path(r->drv);
    const char* module = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const size_t nlen = strlen(sl_driver_name(r->drv));
    const int same = !strncmp(module, sl_driver_name(r->drv), nlen) && !strcmp(module + nlen, ".so");
    fprintf(f, "staleline run: driver %s%s%s%s, workload %s, seed %llu\n", sl_driver_name(r->drv), same ? "" : " (",
            same ? "" : module, same ? "" : ")", workload, (unsigned long long)r->params.seed);
    /* The devices, unless the platform is the default one (the reference engine alone). */
    sl_device_info_t first;
    if (sl_platform_device_count(r->p) > 1 ||
        (!sl_platform_device_info(r->p, 0, &first) && strcmp(first.kind, "dma_engine"))) {
        fprintf(f, "devices:   ");
        for (unsigned slot = 0; slot < sl_platform_device_count(r->p); ++slot) {
            sl_device_info_t di;
            if (sl_platform_device_info(r->p, slot, &di)) continue;
            int bound = 0;
            for (size_t i = 0; i < r->nslots; ++i) bound |= r->slots[i] == slot;
            fprintf(f, "%s %s (%s, slot %u%s)", slot ? "," : "", di.instance, di.kind, slot, bound ? ", bound" : "");
        }
        fputc('\n', f);
    }
    if (r->problem[0]) fprintf(f, "problem:    %s\n", r->problem);
    fprintf(f, "data:       %s", data_ok ? "VERIFIED" : "WRONG");
    fprintf(f, " (%llu operations", (unsigned long long)res->operations);
    if (r->devices_run > 1) fprintf(f, " on %u devices", r->devices_run);
    fprintf(f, ", ");
    print_bytes(f, res->bytes);
    fprintf(f, " moved, ");
    print_bytes(f, res->bytes_checked);
    fprintf(f, " checked, %llu bad bytes, %llu failed operations)\n", (unsigned long long)res->bad_bytes,
            (unsigned long long)res->failed_ops);
    if (res->detail[0]) fprintf(f, "first problem: %s\n", res->detail);
    fprintf(f, "sim time:   %llu ns (%.3f ms)\n", (unsigned long long)r->end_ns, (double)r->end_ns / 1e6);
    if (r->have_dma) {
        const dma_xfer_stats_t* s = &r->dma_stats;
        fprintf(f, "dma:        %llu transfers, ", (unsigned long long)s->transfers);
        print_bytes(f, s->bytes);
        fprintf(f, ", %llu descriptors, %llu interrupts (%s), CRC %llu checked / %llu mismatched, %llu errors\n",
                (unsigned long long)s->descriptors, (unsigned long long)s->interrupts,
                r->info.irq_mode == DMA_XFER_IRQ_MSI ? "MSI" : r->info.irq_mode == DMA_XFER_IRQ_LEGACY ? "legacy" : "no IRQ mode reported",
                (unsigned long long)s->crc_checked, (unsigned long long)s->crc_mismatches,
                (unsigned long long)s->errors);
    }
    const uint64_t acc = jget(models, "cache", "accesses"), hits = jget(models, "cache", "hits");
    fprintf(f, "cache:      %llu accesses, %.1f%% hits, %llu misses, %llu write-backs, %llu cleans, %llu invalidates\n",
            (unsigned long long)acc, pct(hits, acc), (unsigned long long)jget(models, "cache", "misses"),
            (unsigned long long)jget(models, "cache", "writebacks"), (unsigned long long)jget(models, "cache", "cleans"),
            (unsigned long long)jget(models, "cache", "invalidates"));
    const uint64_t lk = jget(models, "iotlb", "lookups"), th = jget(models, "iotlb", "hits");
    fprintf(f, "iotlb:      %llu lookups, %.1f%% hits, %llu walks, %llu faults\n", (unsigned long long)lk, pct(th, lk),
            (unsigned long long)jget(models, "iotlb", "walks"), (unsigned long long)jget(models, "iotlb", "faults"));
    {
        const uint64_t misses = jget(models, "iotlb", "misses");
        const double mib = (double)r->dma_stats.bytes / (1024.0 * 1024.0);
        fprintf(f, "            %llu hits, %llu misses (%.1f per MiB moved), %llu walk reads, %llu invalidations, "
                "%llu stale hits, %llu ns translating\n",
                (unsigned long long)th, (unsigned long long)misses, mib > 0 ? (double)misses / mib : 0.0,
                (unsigned long long)jget(models, "iotlb", "walk_reads"),
                (unsigned long long)jget(models, "iotlb", "invalidation_commands"),
                (unsigned long long)jget(models, "iotlb", "stale_hits"),
                (unsigned long long)jget(models, "iotlb", "time_translating_ns"));
        if (jget(models, "iotlb", "deferred_flushes"))
            fprintf(f, "            deferred invalidation: %llu flushes, stale translations usable up to %llu ns "
                    "(mean %llu ns)\n",
                    (unsigned long long)jget(models, "iotlb", "deferred_flushes"),
                    (unsigned long long)jget(models, "iotlb", "deferred_window_max_ns"),
                    (unsigned long long)jget(models, "iotlb", "deferred_window_mean_ns"));
        if (jget(models, "iotlb", "walks_waited") || jget(models, "iotlb", "hits_pending"))
            fprintf(f, "            page walks: %llu queued for a free walker (%llu ns waiting), "
                    "%llu hits waited for a walk in flight\n",
                    (unsigned long long)jget(models, "iotlb", "walks_waited"),
                    (unsigned long long)jget(models, "iotlb", "walk_wait_ns"),
                    (unsigned long long)jget(models, "iotlb", "hits_pending"));
        if (jget(models, "iotlb", "pwc_hits") || jget(models, "iotlb", "pwc_misses"))
            fprintf(f, "            page-walk cache: %llu walks started below the root (%llu levels skipped), "
                    "%llu from the root\n",
                    (unsigned long long)jget(models, "iotlb", "pwc_hits"),
                    (unsigned long long)jget(models, "iotlb", "pwc_levels_skipped"),
                    (unsigned long long)jget(models, "iotlb", "pwc_misses"));
    }
    if (res->latency_count)
        fprintf(f, "measured:   %llu operations after warm-up, latency p50 %llu ns, p99 %llu ns, max %llu ns, %.1f MB/s\n",
                (unsigned long long)res->latency_count, (unsigned long long)res->latency_p50_ns,
                (unsigned long long)res->latency_p99_ns, (unsigned long long)res->latency_max_ns,
                res->measured_ns ? (double)res->measured_bytes * 1e3 / (double)res->measured_ns : 0.0);
    fprintf(f, "interrupts: %llu MSI messages, %llu legacy assertions\n",
            (unsigned long long)jget(models, "irq", "msi_messages"),
            (unsigned long long)jget(models, "irq", "level_assertions"));
    fprintf(f, "checker:    %s\n", r->conservative ? "conservative mode (driver built without access instrumentation: CPU view "
                                                       "and DRAM compared at each cache operation and DMA)"
                                                     : "precise mode (instrumented driver: every load and store observed)");
    run_timeline_print_latency(f, tl); /* where each operation's time went, by stage */
    fprintf(f, "findings:   %zu\n", nfindings);
}

/* The checker's findings as a JSON array (never NULL). */
static json_t* collect_findings(sl_checker_t* chk, int end_of_run) {
    json_t* arr = NULL;
    if (chk) {
        if (end_of_run) sl_checker_end_of_run(chk);
        char* text = sl_checker_findings_json(chk);
        arr = text ? json_loads(text, 0, NULL) : NULL;
        free(text);
    }
    if (!json_is_array(arr)) {
        json_decref(arr);
        arr = json_array();
    }
    return arr;
}

/* Print line `line` of a source file (relative paths are under the source tree), as
 * "    206 |     text", so the summary shows the offending line itself. */
static void print_source_line(FILE* f, const char* file, unsigned line) {
    char buf[512];
    if (!cli_source_line(file, line, buf, sizeof buf)) fprintf(f, "    %6u | %s\n", line, buf);
}

/* The callers of finding i's location (its call stack after frame 0), one line each. */
static void print_callers(FILE* f, sl_checker_t* chk, size_t i) {
    const size_t depth = sl_checker_finding_stack_depth(chk, i);
    for (size_t k = 1; k < depth; ++k) {
        sl_source_location_t fr;
        if (sl_checker_get_finding_frame(chk, i, k, &fr)) break;
        fprintf(f, "    called from ");
        if (fr.file && *fr.file) fprintf(f, "%s:%u", fr.file, fr.line);
        if (fr.function && *fr.function) fprintf(f, "%s(%s)", fr.file && *fr.file ? " " : "", fr.function);
        fputc('\n', f);
    }
}

/* "file:line:1" for a location, "staleline" when it names no file. Column 1: the checker
 * knows lines, and every problem matcher reads a column of digits. */
static void print_gcc_place(FILE* f, const sl_source_location_t* l) {
    if (l->file && *l->file) fprintf(f, "%s:%u:1", l->file, l->line ? l->line : 1);
    else fputs("staleline", f);
}

/* --format=gcc: per finding `file:line:col: error: message [kind]`, then `note:` lines for the
 * callers (its call stack) and for the related event. */
static void print_findings_gcc(FILE* f, sl_checker_t* chk, const run_t* r, int data_ok) {
    const size_t n = chk ? sl_checker_finding_count(chk) : 0;
    for (size_t i = 0; i < n; ++i) {
        sl_finding_t fd;
        if (sl_checker_get_finding(chk, i, &fd)) continue;
        print_gcc_place(f, &fd.location);
        fprintf(f, ": error: %s [%s]\n", fd.message ? fd.message : "", fd.kind);
        const size_t depth = sl_checker_finding_stack_depth(chk, i);
        for (size_t k = 1; k < depth; ++k) {
            sl_source_location_t fr;
            if (sl_checker_get_finding_frame(chk, i, k, &fr)) break;
            print_gcc_place(f, &fr);
            fprintf(f, ": note: called from here%s%s\n", fr.function && *fr.function ? ", in " : "",
                    fr.function && *fr.function ? fr.function : "");
        }
        if (fd.has_related && fd.related_location.file && *fd.related_location.file) {
            print_gcc_place(f, &fd.related_location);
            fprintf(f, ": note: %s: %s\n", fd.related_kind, fd.related_message ? fd.related_message : "");
        }
    }
    if (!data_ok && n == 0)
        fprintf(f, "staleline: error: data WRONG without a finding: %s [wrong-data]\n",
                r->problem[0] ? r->problem : r->result.detail[0] ? r->result.detail : "the workload's check failed");
}

/* SUMMARY: staleline: N findings (kind count, ...), kinds in the order of their first finding. */
static void print_summary_line(FILE* f, sl_checker_t* chk) {
    const size_t n = chk ? sl_checker_finding_count(chk) : 0;
    fprintf(f, "SUMMARY: staleline: %zu finding%s", n, n == 1 ? "" : "s");
    int first = 1;
    for (size_t i = 0; i < n; ++i) {
        sl_finding_t a, b;
        if (sl_checker_get_finding(chk, i, &a)) continue;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; ++k) seen = !sl_checker_get_finding(chk, k, &b) && !strcmp(a.kind, b.kind);
        if (seen) continue;
        size_t count = 0;
        for (size_t k = i; k < n; ++k) count += !sl_checker_get_finding(chk, k, &b) && !strcmp(a.kind, b.kind);
        fprintf(f, "%s%s %zu", first ? " (" : ", ", a.kind, count);
        first = 0;
    }
    fputs(first ? "\n" : ")\n", f);
}

/* The findings as a reviewer reads them: one entry per kind and source line (the first
 * finding there, its quoted line, and how many more share it), the first ten places. */
static void print_findings(FILE* f, sl_checker_t* chk) {
    const size_t n = chk ? sl_checker_finding_count(chk) : 0;
    size_t* group = calloc(n ? n : 1, sizeof *group); /* index of the first finding of i's place */
    size_t places = 0, shown = 0;
    for (size_t i = 0; i < n; ++i) {
        sl_finding_t a;
        group[i] = i;
        if (sl_checker_get_finding(chk, i, &a)) continue;
        for (size_t k = 0; k < i; ++k) {
            sl_finding_t b;
            if (group[k] != k || sl_checker_get_finding(chk, k, &b)) continue;
            if (!strcmp(a.kind, b.kind) && a.location.line == b.location.line &&
                !strcmp(a.location.file ? a.location.file : "", b.location.file ? b.location.file : "")) {
                group[i] = k;
                break;
            }
        }
        places += group[i] == i;
    }
    for (size_t i = 0; i < n && shown < 10; ++i) {
        sl_finding_t fd;
        if (group[i] != i || sl_checker_get_finding(chk, i, &fd)) continue;
        ++shown;
        size_t same = 0;
        for (size_t k = i + 1; k < n; ++k) same += group[k] == i;
        fprintf(f, "  %s", fd.kind);
        if (fd.location.file && *fd.location.file) {
            fprintf(f, " at %s:%u", fd.location.file, fd.location.line);
            if (fd.location.function && *fd.location.function) fprintf(f, " (%s)", fd.location.function);
        }
        fprintf(f, ", %llu ns: %s", (unsigned long long)fd.time_ns, fd.message ? fd.message : "");
        if (fd.count > 1) fprintf(f, " [x%llu]", (unsigned long long)fd.count);
        fputc('\n', f);
        if (fd.location.file && *fd.location.file && fd.location.line) print_source_line(f, fd.location.file, fd.location.line);
        print_callers(f, chk, i);
        if (same) fprintf(f, "    (and %zu more %s finding%s at this line)\n", same, fd.kind, same == 1 ? "" : "s");
    }
    if (places > shown) fprintf(f, "  ... %zu more places (see --json or --sarif)\n", places - shown);
    free(group);
}

static int write_json(const char* path, json_t* j) {
    char* text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!text) return -1;
    int rc = 0;
    if (!strcmp(path, "-")) {
        fputs(text, stdout);
        fputc('\n', stdout);
    } else {
        FILE* f = fopen(path, "w");
        if (!f || fputs(text, f) < 0 || fputc('\n', f) == EOF) rc = -1;
        if (f && fclose(f)) rc = -1;
    }
    free(text);
    return rc;
}

int cmd_run(int argc, char** argv) {
    enum { OPT_LIST_DRIVERS = 1000, OPT_LIST_WORKLOADS, OPT_LIST_DEVICES, OPT_DEVICE, OPT_FORMAT };
    static const struct option opts[] = {SL_CONFIG_LONG_OPTIONS,
                                         {"driver", required_argument, 0, 'd'},
                                         {"workload", required_argument, 0, 'w'},
                                         {"json", required_argument, 0, 'j'},
                                         {"vcd", required_argument, 0, 'v'},
                                         RUN_WAVE_LONG_OPTIONS,
                                         RUN_TIMELINE_LONG_OPTIONS,
                                         RUN_LIMITS_LONG_OPTIONS,
                                         {"sarif", required_argument, 0, 'r'},
                                         {"report", required_argument, 0, 'R'},
                                         {"list-drivers", no_argument, 0, OPT_LIST_DRIVERS},
                                         {"list-workloads", no_argument, 0, OPT_LIST_WORKLOADS},
                                         {"list-devices", no_argument, 0, OPT_LIST_DEVICES},
                                         {"device", required_argument, 0, OPT_DEVICE},
                                         {"format", required_argument, 0, OPT_FORMAT},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char* driver = DEFAULT_DRIVER;
    const char* workload_name = NULL; /* NULL: by the protocol the driver's device offers */
    char* devices = NULL;             /* --device SPEC...: platform.devices, ';'-joined */
    const char* json_path = NULL;
    const char* vcd_path = NULL;
    run_wave_t wave = {0}; /* --wave and its windows */
    run_timeline_t tl = {0}; /* --timeline, --latency-plot and the latency breakdown */
    run_limits_t limits;   /* --time-limit, --sim-limit, --progress */
    run_limits_init(&limits);
    run_limit_hit_t hit = RUN_LIMIT_NONE;
    const char* sarif_path = NULL;
    const char* report_dir = NULL; /* --report DIR */
    char report_json[4096], report_sarif[4096], report_timeline[4096];
    int gcc_format = 0; /* --format=gcc */
    sl_checker_t* chk = NULL;
    sl_config_t* cfg = sl_config_new();
    sl_platform_t* p = NULL;
    json_t* models = NULL;
    json_t* findings = NULL;
    int c, rc = SL_EXIT_OK;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': driver = optarg; break;
        case 'w': workload_name = optarg; break;
        case 'j': json_path = optarg; break;
        case 'v': vcd_path = optarg; break;
        case RUN_TIMELINE_OPT_FILE: case RUN_TIMELINE_OPT_CATEGORIES: case RUN_TIMELINE_OPT_PLOT:
        case RUN_TIMELINE_OPT_NO_LATENCY:
            run_timeline_option(&tl, c, optarg);
            break;
        case RUN_WAVE_OPT_WAVE: case RUN_WAVE_OPT_FROM: case RUN_WAVE_OPT_TO: case RUN_WAVE_OPT_AROUND:
            if ((rc = run_wave_option(&wave, c, optarg))) goto out;
            break;
        case 'r': sarif_path = optarg; break;
        case RUN_LIMITS_OPT_TIME: case RUN_LIMITS_OPT_SIM: case RUN_LIMITS_OPT_PROGRESS: case RUN_LIMITS_OPT_NO_PROGRESS:
            if ((rc = run_limits_option(&limits, c, optarg))) goto out;
            break;
        case 'R': report_dir = optarg; break;
        case OPT_LIST_DRIVERS: list_drivers(); goto out;
        case OPT_LIST_WORKLOADS: list_workloads(); goto out;
        case OPT_LIST_DEVICES: sl_device_kinds_print(stdout); goto out;
        case OPT_DEVICE: {
            size_t have = devices ? strlen(devices) : 0;
            char* grown = realloc(devices, have + strlen(optarg) + 2);
            if (!grown) goto out;
            devices = grown;
            if (have) devices[have++] = ';';
            strcpy(devices + have, optarg);
            break;
        }
        case OPT_FORMAT:
            if (!strcmp(optarg, "gcc")) gcc_format = 1;
            else if (!strcmp(optarg, "summary")) gcc_format = 0;
            else {
                fprintf(stderr, "staleline run: --format: unknown format '%s' (expected summary or gcc)\n", optarg);
                rc = SL_EXIT_USAGE;
                goto out;
            }
            break;
        case 'h': usage(stdout); goto out;
        case 'S': case 'C': case 's':
            if ((rc = cli_config_option(cfg, c, optarg))) goto out;
            break;
        default: usage(stderr); rc = SL_EXIT_USAGE; goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "staleline run: unexpected argument '%s'\n", argv[optind]);
        rc = SL_EXIT_USAGE;
        goto out;
    }
    if ((rc = run_wave_check(&wave, vcd_path))) goto out;
    if (report_dir &&
        (rc = cli_report_prepare(report_dir, report_json, report_sarif, report_timeline, sizeof report_json)))
        goto out;
    run_t r;
    memset(&r, 0, sizeof r);
    char werr[1024];
    r.workload = workload_name ? sl_workload_load(workload_name, werr, sizeof werr) : NULL;
    if (workload_name && !r.workload) {
        fprintf(stderr, "staleline run: --workload: %s\n", werr);
        rc = SL_EXIT_USAGE;
        goto out;
    }
    if (devices && sl_config_set(cfg, "platform.devices", devices)) {
        rc = cli_config_error();
        goto out;
    }
    if ((rc = cli_config_finish(cfg))) goto out;
    char err[256];
    if (sl_workload_params_from_config(cfg, &r.params, err, sizeof err)) {
        fprintf(stderr, "staleline: configuration error: %s\n", err);
        rc = SL_EXIT_USAGE;
        goto out;
    }
    /* --wave-around-findings: a first run finds the findings' times (the child goes on as it). */
    {
        const int pass = run_wave_first_pass(&wave, &json_path, &sarif_path, &vcd_path);
        if (pass > 1) {
            rc = pass;
            goto out;
        }
        if (pass == 1) tl.path = tl.categories = tl.plot_path = NULL; /* the first pass writes no timeline */
        if (pass == 1) report_dir = NULL; /* nor the report's folder */
    }
    p = sl_platform_create(cfg);
    if (!p) {
        rc = cli_config_error();
        goto out;
    }
    r.p = p;
    chk = sl_checker_attach(p);
    if (!chk) {
        rc = cli_config_error();
        goto out;
    }
    if (sl_platform_device_count(p) == 0) {
        fprintf(stderr, "staleline: configuration error: pci.dma_engine: the platform has no device: with "
                        "pci.dma_engine=false, platform.devices empty and no pci.scratch_device, a run needs a device "
                        "(set pci.dma_engine=true, or name devices with --device)\n");
        rc = SL_EXIT_USAGE;
        goto out;
    }
    if (!sl_shim_attach(p, 0)) {
        fprintf(stderr, "staleline run: cannot attach the driver runtime: %s\n", sl_error());
        rc = SL_EXIT_USAGE;
        goto out;
    }
    r.drv = sl_driver_load(p, driver);
    if (!r.drv) {
        fprintf(stderr, "staleline run: cannot load driver '%s': %s\n", driver, sl_error());
        rc = SL_EXIT_USAGE;
        goto out;
    }
    /* The driver binds to every device its bind program accepts (by VID/DID). */
    for (unsigned slot = 0; slot < sl_platform_device_count(p); ++slot)
        if (sl_driver_matches(r.drv, slot)) r.slots[r.nslots++] = slot;
    if (r.nslots == 0) {
        fprintf(stderr, "staleline run: driver '%s' matches none of the devices:", sl_driver_name(r.drv));
        for (unsigned slot = 0; slot < sl_platform_device_count(p); ++slot) {
            sl_device_info_t di;
            if (!sl_platform_device_info(p, slot, &di))
                fprintf(stderr, " %s (%s, %04x:%04x, slot %u)", di.instance, di.kind, di.vendor_id, di.device_id, slot);
        }
        fprintf(stderr, "\n");
        rc = SL_EXIT_USAGE;
        goto out;
    }
    if (vcd_path && sl_platform_device_vcd(p, r.slots[0], vcd_path)) {
        fprintf(stderr, "staleline run: --vcd: %s\n", sl_error());
        rc = SL_EXIT_USAGE;
        goto out;
    }
    if ((rc = run_wave_start(&wave, p, r.slots[0]))) goto out;
    if (report_dir && !tl.path) tl.path = report_timeline;
    if ((rc = run_timeline_start(&tl, p))) goto out;
    /* A driver built without access instrumentation: its plain loads and stores are unseen,
     * so the checker takes the CPU view as the CPU's data (conservative mode, docs/findings.md). */
    int conservative_cfg = 0;
    sl_config_get_bool(cfg, "checker.conservative", &conservative_cfg);
    r.conservative = conservative_cfg || !sl_driver_instrumented(r.drv);
    if (r.conservative) sl_checker_set_conservative(chk, 1);
    sl_platform_spawn(p, "run", run_thread, &r);
    r.started = 1;
    const run_limits_probe_t probe = {run_ops_done, r.params.transfers + r.params.warmup, &r};
    if (run_limits_run(&limits, p, &probe, &r.finished, &hit)) {
        /* A driver fault is a driver-fault finding: the problem is its message, not the
         * simulation kernel's report of the exception that ended the run. */
        sl_finding_t fault;
        for (size_t i = 0; i < sl_checker_finding_count(chk); ++i)
            if (!sl_checker_get_finding(chk, i, &fault) && !strcmp(fault.kind, "driver-fault")) {
                r.faulted = 1;
                break;
            }
        if (r.faulted) snprintf(r.problem, sizeof r.problem, "the driver faulted: %s", fault.message);
        else snprintf(r.problem, sizeof r.problem, "%s", sl_error());
        /* Any other exception: its text, without the kernel's "In file: ..." lines. */
        char* tail = strstr(r.problem, "\nIn file:");
        if (tail) *tail = 0;
        for (char* c = r.problem; *c; ++c)
            if (*c == '\n') *c = ' ';
    } else if (hit) {
        run_limits_describe(&limits, hit, r.result.operations, probe.ops_total, r.problem, sizeof r.problem);
    } else if (!r.finished) {
        snprintf(r.problem, sizeof r.problem,
                 "the run did not finish: at %llu ns no simulated thread could make progress (a transfer that never "
                 "completed?)",
                 (unsigned long long)sl_time_ns());
    }
    if (!r.end_ns) r.end_ns = sl_time_ns();

    char* stats_text = sl_platform_stats_json(p);
    models = stats_text ? json_loads(stats_text, 0, NULL) : NULL;
    free(stats_text);
    if (!models) models = json_object();
    /* Pins held when the driver faulted are not leaks: the driver never got to release them. */
    findings = collect_findings(chk, !r.faulted && !hit); /* nor when a limit stopped it */
    if ((rc = run_wave_finish(&wave, p, r.slots[0], chk))) goto out;
    if ((rc = run_timeline_finish(&tl, chk))) goto out;
    const int data_ok = r.finished && r.have_proto && !r.problem[0] && r.result.data_ok;
    const char* wname = r.workload ? r.workload->name : workload_name ? workload_name : "none";
    const size_t nfindings = json_array_size(findings);
    FILE* human = (json_path && !strcmp(json_path, "-")) ? stderr : stdout;
    const int run_rc = (data_ok && nfindings == 0) ? SL_EXIT_OK : SL_EXIT_FINDINGS;
    if (gcc_format) {
        print_findings_gcc(human, chk, &r, data_ok);
    } else {
        print_summary(human, &r, wname, models, nfindings, data_ok, &tl);
        print_findings(human, chk);
    }
    print_summary_line(human, chk);
    if (sarif_path || report_dir) {
        /* The invocation: a SARIF gate must not pass a run whose data came out wrong without a
         * finding, or a run that did not complete. */
        char note[1024] = "";
        sl_sarif_invocation_t inv = {run_rc, 1, NULL, "error", NULL};
        if (r.problem[0]) {
            snprintf(note, sizeof note, "The run did not complete: %s", r.problem);
            inv.notification_id = hit ? "run-limit" : "run-incomplete";
        } else if (!data_ok && nfindings == 0) {
            snprintf(note, sizeof note, "The data came out wrong but the checker reported no finding: %s",
                     r.result.detail[0] ? r.result.detail : "the workload's check failed");
            inv.notification_id = "wrong-data-without-finding";
        }
        if (note[0]) {
            inv.execution_successful = 0;
            inv.notification = note;
        }
        if ((sarif_path && sl_checker_write_sarif_run(chk, sarif_path, &inv)) ||
            (report_dir && sl_checker_write_sarif_run(chk, report_sarif, &inv))) {
            fprintf(stderr, "staleline run: %s\n", sl_error());
            rc = SL_EXIT_USAGE;
            goto out;
        }
    }
    if (json_path || report_dir) {
        json_t* j = result_json(&r, wname, models, findings, data_ok);
        json_object_set_new(j, "config", cli_config_json(cfg));
        json_t* breakdown = run_timeline_latency_json(&tl);
        if (breakdown) json_object_set_new(j, "latency_breakdown", breakdown);
        if (hit) json_object_set_new(j, "run_limit", json_string(hit == RUN_LIMIT_SIM ? "sim" : "wall"));
        const char* bad = json_path && write_json(json_path, j)       ? json_path
                          : report_dir && write_json(report_json, j) ? report_json
                                                                     : NULL;
        if (bad) {
            fprintf(stderr, "staleline run: cannot write %s\n", bad);
            json_decref(j);
            rc = SL_EXIT_USAGE;
            goto out;
        }
        json_decref(j);
    }
    if (report_dir && (rc = cli_report_finish(report_dir, human))) goto out;
    rc = run_rc;
out:
    run_wave_free(&wave);
    run_timeline_free(&tl); /* before the platform it listens to */
    json_decref(models);
    json_decref(findings);
    if (p && r.started && !r.finished && !r.faulted && r.drv) release_stopped_driver(&r);
    if (p) sl_platform_destroy(p);
    sl_workload_free_abandoned(); /* a run cut short left its workload's thread holding them */
    sl_config_free(cfg);
    free(devices);
    return rc;
}
