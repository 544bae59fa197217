/* The timeline (`staleline run --timeline FILE`, docs/timeline.md) and the latency breakdown
 * (staleline/trace.h): the trace-event file's structure (every event has ph, ts, pid and tid,
 * complete events a duration, every track a name, times in order on each track), the tracks of
 * each category (a device's read and write channels, the stall spans inside their bursts), the
 * category filter, a finding as an instant with its file:line, the same
 * bytes for the same seed; the breakdown on hand-computed event sequences (each stage, and the
 * stages adding up to the operation's time), and in a run's JSON, summary and plot. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"
#include "staleline/trace.h"

#define SMALL "--set workload.transfers=4 --set workload.max_size=16k"

static char* out;
static char paths[4][64];
static int npaths;

static const char* tmp_file(void) {
    snprintf(paths[npaths], sizeof paths[npaths], "/tmp/sl_timeline_XXXXXX");
    int fd = mkstemp(paths[npaths]);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    return paths[npaths++];
}

static void cleanup(void) {
    for (int i = 0; i < npaths; ++i) unlink(paths[i]);
    npaths = 0;
}

static char* slurp(const char* path, size_t* len) { return sl_test_slurp(path, len); }

/* `staleline run ARGS --timeline FILE`: the exit status, the parsed file in *tl. */
static int run_timeline(const char* args, const char* file, json_t** tl) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "run %s --timeline %s", args, file);
    const int rc = sl_test_staleline(cmd, &out);
    json_error_t err;
    *tl = json_load_file(file, 0, &err);
    if (!*tl) fprintf(stderr, "%s: %s (line %d)\n", file, err.text, err.line);
    return rc;
}

static const char* str(json_t* o, const char* key) { return json_string_value(json_object_get(o, key)); }

/* The name of track (pid, tid) from its thread_name metadata, NULL when it has none. */
static const char* track_name(json_t* events, json_int_t pid, json_int_t tid) {
    size_t i;
    json_t* e;
    json_array_foreach(events, i, e) {
        if (!strcmp(str(e, "ph"), "M") && !strcmp(str(e, "name"), "thread_name") &&
            json_integer_value(json_object_get(e, "pid")) == pid && json_integer_value(json_object_get(e, "tid")) == tid)
            return str(json_object_get(e, "args"), "name");
    }
    return NULL;
}

/* Events of category pid (1 driver, 2 device, 3 iommu, 4 dram, 5 findings) with phase ph and
 * name (NULL: any). */
static size_t count(json_t* events, json_int_t pid, const char* ph, const char* name) {
    size_t i, n = 0;
    json_t* e;
    json_array_foreach(events, i, e) {
        n += json_integer_value(json_object_get(e, "pid")) == pid && !strcmp(str(e, "ph"), ph) &&
             (!name || !strcmp(str(e, "name"), name));
    }
    return n;
}

/* The structure every viewer relies on. */
static void check_structure(json_t* tl) {
    CU_ASSERT_STRING_EQUAL(str(tl, "displayTimeUnit"), "ns");
    json_t* events = json_object_get(tl, "traceEvents");
    CU_ASSERT_FATAL(json_is_array(events) && json_array_size(events) > 0);
    size_t i;
    json_t* e;
    /* last time seen per (pid, tid) */
    enum { MAXT = 256 };
    json_int_t keys[MAXT];
    double last[MAXT];
    size_t nkeys = 0, unordered = 0, unnamed = 0;
    json_array_foreach(events, i, e) {
        const char* ph = str(e, "ph");
        CU_ASSERT_PTR_NOT_NULL_FATAL(ph);
        CU_ASSERT(json_is_number(json_object_get(e, "ts")));
        CU_ASSERT(json_is_integer(json_object_get(e, "pid")));
        CU_ASSERT(json_is_integer(json_object_get(e, "tid")));
        CU_ASSERT(strchr("XiCMBE", ph[0]) && !ph[1]); /* B/E: a span open longer than 50 us */
        if (!strcmp(ph, "X")) {
            json_t* dur = json_object_get(e, "dur");
            CU_ASSERT(json_is_number(dur) && json_number_value(dur) >= 0);
        }
        if (!strcmp(ph, "M")) continue;
        const json_int_t pid = json_integer_value(json_object_get(e, "pid"));
        const json_int_t tid = json_integer_value(json_object_get(e, "tid"));
        const json_int_t key = pid * 100000 + tid;
        const double ts = json_number_value(json_object_get(e, "ts"));
        size_t k = 0;
        while (k < nkeys && keys[k] != key) ++k;
        if (k == nkeys) {
            CU_ASSERT_FATAL(nkeys < MAXT);
            keys[nkeys] = key;
            last[nkeys++] = ts;
            unnamed += track_name(events, pid, tid) == NULL;
        } else {
            unordered += ts < last[k];
            last[k] = ts;
        }
    }
    CU_ASSERT_EQUAL(unordered, 0);
    CU_ASSERT_EQUAL(unnamed, 0);
}

/* ps of a timeline time ("ts" in us with six decimals: exact ps). */
static uint64_t ts_ps(json_t* e) { return (uint64_t)(json_number_value(json_object_get(e, "ts")) * 1e6 + 0.5); }

/* The channel a device track (lane) belongs to: "dma_engine read #3" -> "dma_engine read". */
static void channel_of(const char* track, char* out, size_t n) {
    snprintf(out, n, "%s", track ? track : "");
    char* lane = strstr(out, " #");
    if (lane) *lane = 0;
}

/* Per AXI channel: every stall span lies inside a burst of its channel (from its request at the
 * IOMMU to the answer), one per burst, on the channel's stall track. */
static void check_stalls(json_t* ev, const char* device) {
    size_t i, j;
    json_t* e;
    json_t* b;
    size_t stalls[2] = {0}, bursts[2] = {0}, outside = 0, misplaced = 0;
    char read_ch[96], write_ch[96], ch[96], bch[96];
    snprintf(read_ch, sizeof read_ch, "%s read", device);
    snprintf(write_ch, sizeof write_ch, "%s write", device);
    json_array_foreach(ev, i, e) {
        if (json_integer_value(json_object_get(e, "pid")) != 2 || strcmp(str(e, "ph"), "X")) continue;
        const char* name = str(e, "name");
        channel_of(track_name(ev, 2, json_integer_value(json_object_get(e, "tid"))), ch, sizeof ch);
        const int w = !strcmp(name, "write burst") || !strcmp(name, "status write-back");
        if (w || !strcmp(name, "read burst") || !strcmp(name, "descriptor fetch")) {
            misplaced += strcmp(ch, w ? write_ch : read_ch) != 0;
            ++bursts[w];
            continue;
        }
        const int ws = !strcmp(name, "write stall");
        if (!ws && strcmp(name, "read stall")) continue;
        ++stalls[ws];
        char want[112];
        snprintf(want, sizeof want, "%s stalls", ws ? write_ch : read_ch);
        misplaced += strcmp(ch, want) != 0;
        const uint64_t ts = ts_ps(e), end = ts + (uint64_t)(json_number_value(json_object_get(e, "dur")) * 1e6 + 0.5);
        int inside = 0;
        json_array_foreach(ev, j, b) {
            if (inside) break;
            if (json_integer_value(json_object_get(b, "pid")) != 2 || strcmp(str(b, "ph"), "X")) continue;
            const char* bn = str(b, "name");
            if (ws ? strcmp(bn, "write burst") && strcmp(bn, "status write-back")
                   : strcmp(bn, "read burst") && strcmp(bn, "descriptor fetch"))
                continue;
            channel_of(track_name(ev, 2, json_integer_value(json_object_get(b, "tid"))), bch, sizeof bch);
            const uint64_t bts = ts_ps(b), bend = bts + (uint64_t)(json_number_value(json_object_get(b, "dur")) * 1e6 + 0.5);
            inside = bts <= ts && end <= bend && !strcmp(bch, ws ? write_ch : read_ch);
        }
        outside += !inside;
    }
    CU_ASSERT(bursts[0] >= 4 && bursts[1] >= 4);
    /* every burst reaches DRAM (60 ns by default): each waits */
    CU_ASSERT_EQUAL(stalls[0], bursts[0]);
    CU_ASSERT_EQUAL(stalls[1], bursts[1]);
    CU_ASSERT_EQUAL(outside, 0);
    CU_ASSERT_EQUAL(misplaced, 0);
}

/* A clean run: the structure, and the tracks of the driver, the device, the IOMMU and DRAM. */
static void test_structure(void) {
    const char* f = tmp_file();
    json_t* tl;
    CU_ASSERT_EQUAL(run_timeline(SMALL, f, &tl), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
    check_structure(tl);
    json_t* ev = json_object_get(tl, "traceEvents");
    /* processes named */
    size_t i;
    json_t* e;
    const char* procs[6] = {0};
    json_array_foreach(ev, i, e) {
        if (!strcmp(str(e, "ph"), "M") && !strcmp(str(e, "name"), "process_name")) {
            json_int_t pid = json_integer_value(json_object_get(e, "pid"));
            if (pid >= 1 && pid <= 5) procs[pid] = str(json_object_get(e, "args"), "name");
        }
    }
    CU_ASSERT_STRING_EQUAL(procs[1], "driver threads");
    CU_ASSERT_STRING_EQUAL(procs[2], "devices");
    CU_ASSERT_STRING_EQUAL(procs[3], "IOMMU");
    CU_ASSERT_STRING_EQUAL(procs[4], "DRAM");
    CU_ASSERT_STRING_EQUAL(procs[5], "findings");
    /* driver: syscalls, cache maintenance, MMIO, interrupt waits, the operations' marks */
    CU_ASSERT(count(ev, 1, "X", "zx_bti_pin") >= 4);
    CU_ASSERT(count(ev, 1, "X", "zx_pmt_unpin") >= 4);
    CU_ASSERT(count(ev, 1, "X", "zx_interrupt_wait") >= 1);
    /* a wait longer than 50 us is written as B and E: paired */
    CU_ASSERT(count(ev, 1, "B", "zx_interrupt_wait") >= 1);
    CU_ASSERT_EQUAL(count(ev, 1, "B", NULL), count(ev, 1, "E", NULL));
    CU_ASSERT(count(ev, 1, "X", "clean") + count(ev, 1, "X", "clean+invalidate") >= 1);
    CU_ASSERT(count(ev, 1, "X", "MMIO write") >= 4);
    CU_ASSERT_EQUAL(count(ev, 1, "i", "operation begins"), 4);
    CU_ASSERT_EQUAL(count(ev, 1, "i", "operation completes"), 4);
    /* device: bursts with address and size on named read/write tracks, the interrupts */
    size_t bursts = 0;
    json_array_foreach(ev, i, e) {
        if (json_integer_value(json_object_get(e, "pid")) != 2 || strcmp(str(e, "name"), "read burst")) continue;
        json_t* a = json_object_get(e, "args");
        CU_ASSERT(str(a, "addr") && !strncmp(str(a, "addr"), "0x", 2));
        CU_ASSERT(json_integer_value(json_object_get(a, "size")) > 0);
        const char* tn = track_name(ev, 2, json_integer_value(json_object_get(e, "tid")));
        CU_ASSERT(tn && !strncmp(tn, "dma_engine read", 15));
        ++bursts;
    }
    CU_ASSERT(bursts >= 4);
    CU_ASSERT(count(ev, 2, "X", "write burst") >= 4);
    CU_ASSERT(count(ev, 2, "i", "MSI") + count(ev, 2, "i", "INTx") >= 1);
    /* a read track and a write track per device (the AXI channels), stalls beside each */
    check_stalls(ev, "dma_engine");
    /* IOMMU: hits and misses with their walks, invalidations */
    CU_ASSERT(count(ev, 3, "X", "hit") >= 1);
    CU_ASSERT(count(ev, 3, "X", "miss + walk") >= 1);
    CU_ASSERT(count(ev, 3, "i", "invalidate") >= 1);
    /* DRAM: bandwidth as a counter */
    CU_ASSERT(count(ev, 4, "C", "DRAM bandwidth") >= 2);
    /* no findings in a clean run */
    CU_ASSERT_EQUAL(count(ev, 5, "i", NULL), 0);
    json_decref(tl);
    cleanup();
}

/* --timeline-categories keeps only those tracks; an unknown one is a usage error. */
static void test_categories(void) {
    const char* f = tmp_file();
    json_t* tl;
    CU_ASSERT_EQUAL(run_timeline(SMALL " --timeline-categories iommu,findings", f, &tl), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
    check_structure(tl);
    json_t* ev = json_object_get(tl, "traceEvents");
    size_t i, other = 0, iommu = 0;
    json_t* e;
    json_array_foreach(ev, i, e) {
        const json_int_t pid = json_integer_value(json_object_get(e, "pid"));
        other += pid != 3 && pid != 5;
        iommu += pid == 3 && strcmp(str(e, "ph"), "M");
    }
    CU_ASSERT_EQUAL(other, 0);
    CU_ASSERT(iommu > 0);
    json_decref(tl);
    CU_ASSERT_EQUAL(sl_test_staleline("run " SMALL " --timeline /tmp/sl_timeline_never --timeline-categories driver,gpu", &out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "staleline run: --timeline: unknown timeline category 'gpu' (expected driver, "
                                       "device, iommu, dram, findings or all)"));
    CU_ASSERT_EQUAL(access("/tmp/sl_timeline_never", F_OK), -1);
    CU_ASSERT_EQUAL(sl_test_staleline("run " SMALL " --timeline-categories driver", &out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "staleline run: --timeline-categories needs --timeline FILE"));
    CU_ASSERT_EQUAL(sl_test_staleline("run " SMALL " --timeline /nonexistent/dir/t.json", &out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "staleline run: --timeline: cannot write /nonexistent/dir/t.json"));
    cleanup();
}

/* A catalogue bug: its finding is an instant on the findings track, with message and file:line. */
static void test_findings(void) {
    const char* f = tmp_file();
    json_t* tl;
    CU_ASSERT_EQUAL(run_timeline(SMALL " --driver bug:missing-clean", f, &tl), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
    check_structure(tl);
    json_t* ev = json_object_get(tl, "traceEvents");
    size_t i, n = 0;
    json_t* e;
    json_array_foreach(ev, i, e) {
        if (json_integer_value(json_object_get(e, "pid")) != 5 || strcmp(str(e, "ph"), "i")) continue;
        ++n;
        json_t* a = json_object_get(e, "args");
        const char* loc = str(a, "location");
        CU_ASSERT_PTR_NOT_NULL_FATAL(loc);
        const char* colon = strrchr(loc, ':');
        CU_ASSERT(colon && colon[1] >= '1' && colon[1] <= '9' && strstr(loc, ".c:"));
        CU_ASSERT(str(a, "message") && strlen(str(a, "message")) > 10);
        CU_ASSERT(str(e, "name") && strlen(str(e, "name")) > 0);
    }
    CU_ASSERT(n >= 1);
    CU_ASSERT(count(ev, 5, "i", "stale-device-read") >= 1);
    json_decref(tl);
    cleanup();
}

/* Same configuration and seed, same bytes. */
static void test_deterministic(void) {
    const char* a = tmp_file();
    const char* b = tmp_file();
    json_t* ta;
    json_t* tb;
    CU_ASSERT_EQUAL(run_timeline(SMALL " --seed 5 --driver bug:missing-clean", a, &ta), 1);
    CU_ASSERT_EQUAL(run_timeline(SMALL " --seed 5 --driver bug:missing-clean", b, &tb), 1);
    json_decref(ta);
    json_decref(tb);
    size_t la, lb;
    char* x = slurp(a, &la);
    char* y = slurp(b, &lb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    CU_ASSERT(la > 1000);
    CU_ASSERT(la == lb && !memcmp(x, y, la));
    free(x);
    free(y);
    cleanup();
}

static uint64_t sum(const uint64_t* s) {
    uint64_t t = 0;
    for (int i = 0; i < SL_LB_STAGES; ++i) t += s[i];
    return t;
}

/* One operation with every stage, computed by hand. */
static void test_breakdown_every_stage(void) {
    const sl_lb_event_t ev[] = {
        {SL_LB_EV_MMIO_WRITE, 100, 10, 0, 0},                   /* another thread's: not the doorbell */
        {SL_LB_EV_MMIO_WRITE, 200, 50, 0, 1},                   /* the doorbell */
        {SL_LB_EV_BURST, 300, 40, SL_LB_PHASE_DESCRIPTOR, 0},   /* after 50 of queueing */
        {SL_LB_EV_TRANSLATE, 300, 10, 0, 0},
        {SL_LB_EV_BURST, 360, 100, SL_LB_PHASE_DATA, 0},        /* gap 20 before it: memory */
        {SL_LB_EV_TRANSLATE, 360, 30, 0, 0},
        {SL_LB_EV_BURST, 480, 20, SL_LB_PHASE_STATUS, 0},       /* gap 20: status */
        {SL_LB_EV_IRQ_RAISE, 520, 0, 0, 0},                     /* 20 more of the device: status */
        {SL_LB_EV_IRQ_WAKE, 600, 0, 0, 0},
    };
    uint64_t s[SL_LB_STAGES];
    CU_ASSERT_EQUAL_FATAL(sl_latency_breakdown(0, 300, 1000, ev, SL_COUNT(ev), s), 0);
    CU_ASSERT_EQUAL(s[SL_LB_DRIVER_PREP], 200);
    CU_ASSERT_EQUAL(s[SL_LB_DOORBELL], 50);
    CU_ASSERT_EQUAL(s[SL_LB_DEVICE_QUEUEING], 50);
    CU_ASSERT_EQUAL(s[SL_LB_DESCRIPTOR_FETCH], 30);
    CU_ASSERT_EQUAL(s[SL_LB_TRANSLATION], 40);
    CU_ASSERT_EQUAL(s[SL_LB_MEMORY], 90);
    CU_ASSERT_EQUAL(s[SL_LB_STATUS_WRITEBACK], 60);
    CU_ASSERT_EQUAL(s[SL_LB_INTERRUPT_DELIVERY], 80);
    CU_ASSERT_EQUAL(s[SL_LB_DRIVER_COMPLETION], 400);
    CU_ASSERT_EQUAL(sum(s), 1000);
    CU_ASSERT_STRING_EQUAL(sl_lb_stage_name(SL_LB_DRIVER_PREP), "driver_prep");
    CU_ASSERT_STRING_EQUAL(sl_lb_stage_name(SL_LB_DRIVER_COMPLETION), "driver_completion");
    CU_ASSERT_PTR_NULL(sl_lb_stage_name(SL_LB_STAGES));
}

/* Overlapping bursts count once; no doorbell, no interrupt (a polled device). */
static void test_breakdown_overlap(void) {
    const sl_lb_event_t ev[] = {
        {SL_LB_EV_BURST, 10, 40, SL_LB_PHASE_DATA, 0},
        {SL_LB_EV_BURST, 30, 40, SL_LB_PHASE_DATA, 0},
        {SL_LB_EV_TRANSLATE, 30, 30, 0, 0}, /* 20 inside the first burst, 10 inside the second's own part */
    };
    uint64_t s[SL_LB_STAGES];
    CU_ASSERT_EQUAL_FATAL(sl_latency_breakdown(0, 100, 100, ev, SL_COUNT(ev), s), 0);
    CU_ASSERT_EQUAL(s[SL_LB_DRIVER_PREP], 0);
    CU_ASSERT_EQUAL(s[SL_LB_DOORBELL], 0);
    CU_ASSERT_EQUAL(s[SL_LB_DEVICE_QUEUEING], 10);
    CU_ASSERT_EQUAL(s[SL_LB_TRANSLATION], 30);
    CU_ASSERT_EQUAL(s[SL_LB_MEMORY], 30); /* [10, 50) and [50, 70), less the translations */
    CU_ASSERT_EQUAL(s[SL_LB_INTERRUPT_DELIVERY], 0);
    CU_ASSERT_EQUAL(s[SL_LB_DRIVER_COMPLETION], 30);
    CU_ASSERT_EQUAL(sum(s), 100);
}

/* Queued operations: a burst before this operation's doorbell (an earlier operation's) and a
 * register write after its submission returned are not its own; events past the end are cut. */
static void test_breakdown_queued(void) {
    const sl_lb_event_t ev[] = {
        {SL_LB_EV_BURST, 5, 10, SL_LB_PHASE_DATA, 0},
        {SL_LB_EV_MMIO_WRITE, 20, 5, 0, 1},
        {SL_LB_EV_MMIO_WRITE, 70, 5, 0, 1}, /* after submission: not the doorbell */
        {SL_LB_EV_BURST, 40, 20, SL_LB_PHASE_DATA, 0},
        {SL_LB_EV_IRQ_WAKE, 150, 0, 0, 0},
        {SL_LB_EV_BURST, 190, 50, SL_LB_PHASE_DATA, 0}, /* after the wake: the next operation's */
    };
    uint64_t s[SL_LB_STAGES];
    CU_ASSERT_EQUAL_FATAL(sl_latency_breakdown(0, 50, 200, ev, SL_COUNT(ev), s), 0);
    CU_ASSERT_EQUAL(s[SL_LB_DRIVER_PREP], 20);
    CU_ASSERT_EQUAL(s[SL_LB_DOORBELL], 5);
    CU_ASSERT_EQUAL(s[SL_LB_DEVICE_QUEUEING], 15);
    CU_ASSERT_EQUAL(s[SL_LB_MEMORY], 20);
    CU_ASSERT_EQUAL(s[SL_LB_INTERRUPT_DELIVERY], 90);
    CU_ASSERT_EQUAL(s[SL_LB_DRIVER_COMPLETION], 50);
    CU_ASSERT_EQUAL(sum(s), 200);
    /* a batching driver rings later, at the next submission: preparation lasts until then */
    const sl_lb_event_t batched[] = {
        {SL_LB_EV_MMIO_WRITE, 80, 4, 0, 1},
        {SL_LB_EV_MMIO_WRITE, 90, 4, 0, 1},
        {SL_LB_EV_BURST, 100, 20, SL_LB_PHASE_DATA, 0},
        {SL_LB_EV_IRQ_RAISE, 130, 0, 0, 0},
        {SL_LB_EV_IRQ_WAKE, 135, 0, 0, 0},
    };
    CU_ASSERT_EQUAL_FATAL(sl_latency_breakdown(0, 50, 200, batched, SL_COUNT(batched), s), 0);
    CU_ASSERT_EQUAL(s[SL_LB_DRIVER_PREP], 80);
    CU_ASSERT_EQUAL(s[SL_LB_DOORBELL], 4);
    CU_ASSERT_EQUAL(s[SL_LB_DEVICE_QUEUEING], 16);
    CU_ASSERT_EQUAL(s[SL_LB_MEMORY], 30);
    CU_ASSERT_EQUAL(s[SL_LB_INTERRUPT_DELIVERY], 5);
    CU_ASSERT_EQUAL(s[SL_LB_DRIVER_COMPLETION], 65);
    CU_ASSERT_EQUAL(sum(s), 200);
    /* bad arguments */
    CU_ASSERT_EQUAL(sl_latency_breakdown(100, 100, 50, ev, SL_COUNT(ev), s), -1);
    CU_ASSERT_EQUAL(sl_latency_breakdown(0, 0, 50, ev, SL_COUNT(ev), NULL), -1);
    CU_ASSERT_EQUAL(sl_latency_breakdown(0, 0, 50, NULL, 1, s), -1);
    /* nothing happened: all of it is the driver's */
    CU_ASSERT_EQUAL(sl_latency_breakdown(7, 7, 7 + 33, NULL, 0, s), 0);
    CU_ASSERT_EQUAL(s[SL_LB_DRIVER_COMPLETION], 33);
    CU_ASSERT_EQUAL(sum(s), 33);
}

/* Labelled bursts: a descriptor fetch, a data burst overlapping it (with a translation), a
 * status write-back after a gap, the device's time after it up to the interrupt; by hand. The
 * same bursts unlabelled are all memory, and both add up to the operation. */
static void test_breakdown_labelled(void) {
    sl_lb_event_t ev[] = {
        {SL_LB_EV_MMIO_WRITE, 50, 10, 0, 1},                  /* doorbell [50, 60) */
        {SL_LB_EV_BURST, 80, 30, SL_LB_PHASE_DESCRIPTOR, 0},  /* queueing [60, 80), fetch [80, 110) */
        {SL_LB_EV_BURST, 100, 40, SL_LB_PHASE_DATA, 0},       /* its own part [110, 140) */
        {SL_LB_EV_TRANSLATE, 110, 15, 0, 0},                  /* [110, 125) of that part */
        {SL_LB_EV_BURST, 160, 20, SL_LB_PHASE_STATUS, 0},     /* gap [140, 160) and [160, 180) */
        {SL_LB_EV_IRQ_RAISE, 200, 0, 0, 0},                   /* [180, 200): still the write-back */
        {SL_LB_EV_IRQ_WAKE, 230, 0, 0, 0},
    };
    uint64_t s[SL_LB_STAGES];
    CU_ASSERT_EQUAL_FATAL(sl_latency_breakdown(0, 100, 500, ev, SL_COUNT(ev), s), 0);
    CU_ASSERT_EQUAL(s[SL_LB_DRIVER_PREP], 50);
    CU_ASSERT_EQUAL(s[SL_LB_DOORBELL], 10);
    CU_ASSERT_EQUAL(s[SL_LB_DEVICE_QUEUEING], 20);
    CU_ASSERT_EQUAL(s[SL_LB_DESCRIPTOR_FETCH], 30);
    CU_ASSERT_EQUAL(s[SL_LB_TRANSLATION], 15);
    CU_ASSERT_EQUAL(s[SL_LB_MEMORY], 15);
    CU_ASSERT_EQUAL(s[SL_LB_STATUS_WRITEBACK], 60);
    CU_ASSERT_EQUAL(s[SL_LB_INTERRUPT_DELIVERY], 30);
    CU_ASSERT_EQUAL(s[SL_LB_DRIVER_COMPLETION], 270);
    CU_ASSERT_EQUAL(sum(s), 500);
    /* unlabelled (and an unknown label): memory */
    ev[1].phase = SL_LB_PHASE_DATA;
    ev[4].phase = 7;
    CU_ASSERT_EQUAL_FATAL(sl_latency_breakdown(0, 100, 500, ev, SL_COUNT(ev), s), 0);
    CU_ASSERT_EQUAL(s[SL_LB_DESCRIPTOR_FETCH], 0);
    CU_ASSERT_EQUAL(s[SL_LB_STATUS_WRITEBACK], 0);
    CU_ASSERT_EQUAL(s[SL_LB_TRANSLATION], 15);
    CU_ASSERT_EQUAL(s[SL_LB_MEMORY], 30 + 15 + 60);
    CU_ASSERT_EQUAL(sum(s), 500);
}

/* Every labelled burst of `device` on its own track of the right channel: descriptor fetches on
 * "<device> read", status write-backs on "<device> write". */
static void check_labelled_tracks(json_t* ev, const char* device) {
    char rd[64], wr[64];
    snprintf(rd, sizeof rd, "%s read", device);
    snprintf(wr, sizeof wr, "%s write", device);
    size_t i;
    json_t* e;
    json_array_foreach(ev, i, e) {
        const char* name = str(e, "name");
        if (json_integer_value(json_object_get(e, "pid")) != 2) continue;
        const char* tn = track_name(ev, 2, json_integer_value(json_object_get(e, "tid")));
        if (!strcmp(name, "descriptor fetch")) CU_ASSERT(tn && !strncmp(tn, rd, strlen(rd)));
        if (!strcmp(name, "status write-back")) CU_ASSERT(tn && !strncmp(tn, wr, strlen(wr)));
    }
}

/* The default device (the reference DMA engine) labels its bursts: a default copy run has
 * descriptor fetch and status write-back time, the timeline names those bursts on the engine's
 * read and write tracks, and each operation's stages add up to its time on the timeline. */
static void test_breakdown_device_phases(void) {
    const char* f = tmp_file();
    char args[256];
    snprintf(args, sizeof args, "run " SMALL " --timeline %s", f);
    int rc = -1;
    json_t* j = sl_test_staleline_json(args, &rc, &out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t* b = json_object_get(j, "latency_breakdown");
    json_t* stages = json_object_get(b, "stages");
    CU_ASSERT(json_number_value(json_object_get(json_array_get(stages, SL_LB_DESCRIPTOR_FETCH), "mean_ns")) > 0);
    CU_ASSERT(json_number_value(json_object_get(json_array_get(stages, SL_LB_STATUS_WRITEBACK), "mean_ns")) > 0);
    CU_ASSERT(sl_test_json_int(json_array_get(stages, SL_LB_DESCRIPTOR_FETCH), "p50_ns", NULL) > 0);
    CU_ASSERT(sl_test_json_int(json_array_get(stages, SL_LB_STATUS_WRITEBACK), "p50_ns", NULL) > 0);
    json_error_t err;
    json_t* tl = json_load_file(f, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
    check_structure(tl);
    json_t* ev = json_object_get(tl, "traceEvents");
    /* one descriptor fetch and one write-back per descriptor, on the engine's read/write tracks */
    CU_ASSERT(count(ev, 2, "X", "descriptor fetch") >= 4);
    CU_ASSERT(count(ev, 2, "X", "status write-back") >= 4);
    CU_ASSERT(count(ev, 2, "X", "read burst") >= 4);
    check_labelled_tracks(ev, "dma_engine");
    size_t i;
    json_t* e;
    /* per operation: stages (ps) against the operation's marks on the timeline */
    json_t* per = json_object_get(b, "per_operation");
    CU_ASSERT_EQUAL_FATAL(json_array_size(per), 4);
    json_t* op;
    size_t k;
    json_array_foreach(per, k, op) {
        const json_int_t id = json_integer_value(json_object_get(op, "op"));
        uint64_t total = 0, begin = 0, end = 0;
        int have_begin = 0, have_end = 0;
        json_t* st = json_object_get(op, "stages_ps");
        CU_ASSERT_EQUAL_FATAL(json_array_size(st), SL_LB_STAGES);
        for (size_t s = 0; s < SL_LB_STAGES; ++s) total += (uint64_t)json_integer_value(json_array_get(st, s));
        json_array_foreach(ev, i, e) {
            if (json_integer_value(json_object_get(e, "pid")) != 1 || strcmp(str(e, "ph"), "i")) continue;
            if (json_integer_value(json_object_get(json_object_get(e, "args"), "op")) != id) continue;
            if (!strcmp(str(e, "name"), "operation begins")) begin = ts_ps(e), have_begin = 1;
            if (!strcmp(str(e, "name"), "operation completes")) end = ts_ps(e), have_end = 1;
        }
        CU_ASSERT(have_begin && have_end);
        CU_ASSERT(end > begin);
        CU_ASSERT_EQUAL(total, end - begin);
    }
    json_decref(tl);
    json_decref(j);
    cleanup();
}

/* A user's RTL device labels its bursts through staleline_add_device(... BURST_PURPOSE h):
 * lnic's descriptor reads and RX write-backs are named on its read and write tracks, for
 * every frame (rtl/lnic/lnic_burst_purpose.h). */
static void test_rtl_device_burst_purpose(void) {
    const char* f = tmp_file();
    char args[256];
    snprintf(args, sizeof args, "run --device lnic --driver lnic --workload ethmac-loopback --timeline %s", f);
    int rc = -1;
    json_t* j = sl_test_staleline_json(args, &rc, &out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    const json_int_t frames = sl_test_json_int(j, "workload_result", "operations", NULL);
    CU_ASSERT(frames > 0);
    json_error_t err;
    json_t* tl = json_load_file(f, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
    check_structure(tl);
    json_t* ev = json_object_get(tl, "traceEvents");
    /* a TX and an RX descriptor per frame, one write-back per received frame */
    CU_ASSERT_EQUAL(count(ev, 2, "X", "descriptor fetch"), 2 * frames);
    CU_ASSERT_EQUAL(count(ev, 2, "X", "status write-back"), frames);
    check_labelled_tracks(ev, "lnic");
    json_decref(tl);
    json_decref(j);
    cleanup();
}

/* Every workload marks its operations: an Ethernet loopback (a frame from queue_tx to its
 * return) and a block workload (a request from queue to completion) get a breakdown of every
 * operation, each stage set adding up to a non-zero total. */
static void check_breakdown_of(const char* args) {
    int rc = -1;
    json_t* j = sl_test_run_json(&rc, &out, "%s", args);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    const json_int_t ops = sl_test_json_int(j, "workload_result", "operations", NULL);
    CU_ASSERT(ops > 0);
    json_t* b = json_object_get(j, "latency_breakdown");
    CU_ASSERT_EQUAL(sl_test_json_int(b, "operations", NULL), ops);
    json_t* per = json_object_get(b, "per_operation");
    CU_ASSERT_EQUAL(json_array_size(per), (size_t)ops);
    json_t* op;
    size_t k;
    json_array_foreach(per, k, op) {
        uint64_t total = 0;
        json_t* st = json_object_get(op, "stages_ps");
        for (size_t s = 0; s < json_array_size(st); ++s) total += (uint64_t)json_integer_value(json_array_get(st, s));
        CU_ASSERT(total > 0);
        CU_ASSERT(json_integer_value(json_array_get(st, SL_LB_DESCRIPTOR_FETCH)) > 0); /* the models label */
    }
    if (rc) fprintf(stderr, "%s\n%s\n", args, out);
    json_decref(j);
}
static void test_breakdown_every_workload(void) {
    check_breakdown_of("--device rtl8168 --driver rtl8168-test --workload ethmac-loopback");
    check_breakdown_of("--device nvme --driver nvme-blk --workload block");
}

/* A run: the breakdown in its JSON (one entry per operation, stages whose means add up to the
 * total's), the summary's table, and the plot. */
static void test_breakdown_run(void) {
    const char* svg = tmp_file();
    char args[256];
    snprintf(args, sizeof args, "run " SMALL " --latency-plot %s", svg);
    int rc = -1;
    json_t* j = sl_test_staleline_json(args, &rc, &out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t* b = json_object_get(j, "latency_breakdown");
    CU_ASSERT_EQUAL(sl_test_json_int(b, "operations", NULL), 4);
    json_t* stages = json_object_get(b, "stages");
    CU_ASSERT_EQUAL_FATAL(json_array_size(stages), SL_LB_STAGES);
    double means = 0;
    for (int s = 0; s < SL_LB_STAGES; ++s) {
        json_t* st = json_array_get(stages, (size_t)s);
        CU_ASSERT_STRING_EQUAL(str(st, "name"), sl_lb_stage_name(s));
        CU_ASSERT(json_is_number(json_object_get(st, "mean_ns")));
        CU_ASSERT(sl_test_json_int(st, "p50_ns", NULL) >= 0 &&
                  sl_test_json_int(st, "p99_ns", NULL) >= sl_test_json_int(st, "p50_ns", NULL));
        means += json_number_value(json_object_get(st, "mean_ns"));
    }
    const double total = json_number_value(json_object_get(json_object_get(b, "total"), "mean_ns"));
    CU_ASSERT(total > 1000);
    CU_ASSERT(means > total * (1 - 1e-9) && means < total * (1 + 1e-9));
    /* the driver's preparation and the device's memory time are there in every operation */
    CU_ASSERT(sl_test_json_int(json_array_get(stages, SL_LB_DRIVER_PREP), "p50_ns", NULL) > 0);
    CU_ASSERT(sl_test_json_int(json_array_get(stages, SL_LB_MEMORY), "p50_ns", NULL) > 0);
    json_decref(j);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "latency:    4 operations, by stage (ns)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n            driver_prep  "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n            total  "));
    char* plot = slurp(svg, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plot);
    CU_ASSERT_PTR_NOT_NULL(strstr(plot, "<svg"));
    CU_ASSERT_PTR_NOT_NULL(strstr(plot, "driver_completion"));
    free(plot);
    cleanup();
}

static int cmp_u64(const void* a, const void* b) {
    const uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
    return x < y ? -1 : x > y;
}

/* Nearest rank over n sorted values: the smallest with at least ceil(q * n / 100) at or below. */
static uint64_t nearest_rank(const uint64_t* sorted, size_t n, unsigned q) {
    size_t r = (q * n + 99) / 100;
    return sorted[(r ? r : 1) - 1];
}

/* The summary's percentiles are exact: with every operation in the JSON (fewer than the 1000
 * kept), each stage's and the total's p50 and p99 are the nearest ranks of the operations' own
 * durations cut to whole ns, and the means their means. Copies of many lengths spread the
 * durations over many distinct values. */
static void test_breakdown_percentiles_exact(void) {
    int rc = -1;
    json_t* j = sl_test_staleline_json("run --set workload.transfers=300 --set workload.max_size=64k --seed 5", &rc, &out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t* b = json_object_get(j, "latency_breakdown");
    json_t* per = json_object_get(b, "per_operation");
    const size_t n = json_array_size(per);
    CU_ASSERT_EQUAL_FATAL(n, 300);
    CU_ASSERT_EQUAL(sl_test_json_int(b, "operations", NULL), 300);
    uint64_t* v = calloc(n, sizeof *v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    size_t distinct_total = 0;
    for (int s = 0; s <= SL_LB_STAGES; ++s) {
        double sum_ps = 0;
        for (size_t i = 0; i < n; ++i) {
            json_t* st = json_object_get(json_array_get(per, i), "stages_ps");
            uint64_t ps = 0;
            for (int k = 0; k < SL_LB_STAGES; ++k)
                if (s == SL_LB_STAGES || k == s) ps += (uint64_t)json_integer_value(json_array_get(st, (size_t)k));
            v[i] = ps / 1000;
            sum_ps += (double)ps;
        }
        qsort(v, n, sizeof *v, cmp_u64);
        if (s == SL_LB_STAGES)
            for (size_t i = 0; i < n; ++i) distinct_total += !i || v[i] != v[i - 1];
        json_t* st = s < SL_LB_STAGES ? json_array_get(json_object_get(b, "stages"), (size_t)s) : json_object_get(b, "total");
        CU_ASSERT_EQUAL(sl_test_json_int(st, "p50_ns", NULL), (long long)nearest_rank(v, n, 50));
        CU_ASSERT_EQUAL(sl_test_json_int(st, "p99_ns", NULL), (long long)nearest_rank(v, n, 99));
        const double mean = json_number_value(json_object_get(st, "mean_ns"));
        CU_ASSERT(mean > sum_ps / 1000 / n * (1 - 1e-9) - 1e-9 && mean < sum_ps / 1000 / n * (1 + 1e-9) + 1e-9);
    }
    CU_ASSERT(distinct_total > 100); /* the totals are spread, not a few repeated values */
    free(v);
    json_decref(j);
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_structure),          SL_TEST(test_categories),        SL_TEST(test_findings),
        SL_TEST(test_deterministic),      SL_TEST(test_breakdown_every_stage), SL_TEST(test_breakdown_overlap),
        SL_TEST(test_breakdown_queued),   SL_TEST(test_breakdown_run),    SL_TEST(test_breakdown_labelled),
        SL_TEST(test_breakdown_device_phases),
    SL_TEST(test_rtl_device_burst_purpose),
    SL_TEST(test_breakdown_every_workload),
    SL_TEST(test_breakdown_percentiles_exact),
    };
    int rc = sl_test_main(argc, argv, "timeline", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
