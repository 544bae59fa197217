/* lnic end to end, through `staleline run --device KIND --driver lnic --workload
 * ethmac-loopback --json F`, on both device kinds: the behavioural model (lnic-model) and the
 * Verilog (lnic; its cases are skipped while lib/devices/lnic.so is not built).
 *
 *   - the reference driver: data verified, no finding, the frames in the device's statistics;
 *     the same under every cache adversary on several seeds, with legacy interrupts, other
 *     cache geometries, a production kernel's invalidate, and uninstrumented (conservative);
 *   - each catalogue variant (testbench/bugs/lnic): exit 1, its finding kind at the line it
 *     is about (found in the sources by text), data right on a coherent platform;
 *   - determinism: the same seed twice gives byte-identical JSON;
 *   - the model and the RTL agree: the same data, and per variant the same findings (kind
 *     and line). */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"

#define MODEL "lnic-model"
#define RTL "lnic"
#define LOOPBACK "--driver lnic --workload ethmac-loopback"
#define DOORBELL "wr(dev, LNIC_REG_TX_TAIL"
#define RECV_COPY "sl_driver_memcpy(lb->copy"

/* ---- devices ---- */

static int device_built(const char* kind) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.so", SL_DEVICE_DIR, kind);
    return access(path, R_OK) == 0;
}

/* The RTL's cases pass without running until its module exists. */
#define NEED(kind)                                                                  \
    do {                                                                            \
        if (!device_built(kind)) {                                                  \
            fprintf(stderr, "skipped: %s/%s.so is not built\n", SL_DEVICE_DIR, kind); \
            return;                                                                 \
        }                                                                           \
    } while (0)

/* ---- running the CLI ---- */

static char* out;

/* `staleline run ARGS`; its output in `out`. */
static int run(const char* args) {
    char full[1536];
    snprintf(full, sizeof full, "run %s", args);
    return sl_test_staleline(full, &out);
}

/* `run --device KIND ARGS --json F`: the parsed JSON (NULL if none), *rc the exit status. */
static json_t* run_json(const char* kind, const char* args, int* rc) {
    char full[1536];
    snprintf(full, sizeof full, "run --device %s %s", kind, args);
    json_t* j = sl_test_staleline_json(full, rc, &out);
    if (!j) fprintf(stderr, "no JSON from: %s\n%s", full, out);
    return j;
}

/* The device's counter `name` in the statistics (under the instance's name, wherever that
 * object sits), or -1. */
static json_int_t device_counter(json_t* node, const char* name) {
    if (!json_is_object(node)) return -1;
    json_t* frames = json_object_get(node, "rx_frames");
    if (json_is_integer(frames) && json_object_get(node, "tx_frames")) return sl_test_json_int(node, name, NULL);
    const char* key;
    json_t* v;
    json_object_foreach(node, key, v) {
        const json_int_t n = device_counter(v, name);
        if (n >= 0) return n;
    }
    return -1;
}

/* The instance name of a device spec: its kind ("lnic-model,msi=0" -> "lnic-model"). */
static const char* instance(const char* spec) {
    static char name[64];
    snprintf(name, sizeof name, "%s", spec);
    name[strcspn(name, ",")] = 0;
    return name;
}

static void print_findings(json_t* j) {
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        if (i >= 12) break;
        json_t* loc = json_object_get(f, "location");
        fprintf(stderr, "  %s at %s:%lld\n", json_string_value(json_object_get(f, "kind")),
                json_string_value(json_object_get(loc, "file")), (long long)sl_test_json_int(loc, "line", NULL));
    }
}

/* ---- the sources ---- */

typedef struct src_line {
    char file[128];
    unsigned line;
} src_line_t;

/* Every line containing `text` in the .c files findings may point into. */
static size_t find_lines(const char* text, src_line_t* out_lines, size_t cap) {
    static const char* dirs[] = {"driver/lnic", "testbench/workloads"};
    size_t n = 0;
    for (size_t d = 0; d < SL_COUNT(dirs); ++d) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", SL_SOURCE_DIR, dirs[d]);
        DIR* dir = opendir(path);
        if (!dir) continue;
        struct dirent* e;
        while ((e = readdir(dir))) {
            const size_t len = strlen(e->d_name);
            if (len < 3 || strcmp(e->d_name + len - 2, ".c")) continue;
            char file[1024];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            FILE* f = fopen(file, "r");
            if (!f) continue;
            char buf[1024];
            unsigned line = 0;
            while (fgets(buf, sizeof buf, f)) {
                ++line;
                if (strstr(buf, text) && n < cap) {
                    snprintf(out_lines[n].file, sizeof out_lines[n].file, "%s/%s", dirs[d], e->d_name);
                    out_lines[n].line = line;
                    ++n;
                }
            }
            fclose(f);
        }
        closedir(dir);
    }
    return n;
}

static int location_is(json_t* loc, const char* text) {
    const char* file = json_string_value(json_object_get(loc, "file"));
    const json_int_t line = sl_test_json_int(loc, "line", NULL);
    if (!file) return 0;
    src_line_t lines[16];
    const size_t n = find_lines(text, lines, SL_COUNT(lines));
    for (size_t i = 0; i < n; ++i)
        if (!strcmp(lines[i].file, file) && lines[i].line == (unsigned)line) return 1;
    return 0;
}

/* ---- the reference driver ---- */

static void check_clean(const char* kind, const char* args, json_int_t frames) {
    char full[1024];
    snprintf(full, sizeof full, LOOPBACK " %s", args);
    int rc = 0;
    json_t* j = run_json(kind, full, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t* w = json_object_get(j, "workload_result");
    const size_t nf = json_array_size(json_object_get(j, "findings"));
    if (rc || nf || !json_is_true(json_object_get(j, "data_ok"))) {
        fprintf(stderr, "%s %s: rc %d, %zu findings, %s\n", kind, args, rc, nf,
                json_string_value(json_object_get(w, "detail")));
        print_findings(j);
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    CU_ASSERT_EQUAL(nf, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "workload")), "ethmac-loopback");
    CU_ASSERT_EQUAL(sl_test_json_int(w, "operations", NULL), frames);
    CU_ASSERT_EQUAL(sl_test_json_int(w, "bad_bytes", NULL), 0);
    CU_ASSERT_EQUAL(sl_test_json_int(w, "failed_ops", NULL), 0);
    CU_ASSERT(sl_test_json_int(w, "bytes_checked", NULL) >= 60 * frames);
    CU_ASSERT_EQUAL(sl_test_json_int(w, "bytes_checked", NULL), sl_test_json_int(w, "bytes", NULL));
    /* The model counts every frame it looped back, and nothing else; the RTL has no
     * counters in the statistics, only its bus traffic (model_and_rtl_agree compares it). */
    json_t* stats = json_object_get(j, "stats");
    if (!strncmp(kind, MODEL, strlen(MODEL))) {
        CU_ASSERT_EQUAL(device_counter(stats, "tx_frames"), frames);
        CU_ASSERT_EQUAL(device_counter(stats, "rx_frames"), frames);
        CU_ASSERT_EQUAL(device_counter(stats, "errors"), -1); /* never counted */
    }
    CU_ASSERT(sl_test_json_int(json_object_get(stats, instance(kind)), "bytes_written", NULL) >= sl_test_json_int(w, "bytes", NULL));
    json_decref(j);
}

static void reference_default(const char* kind) {
    NEED(kind);
    check_clean(kind, "", 24); /* workload.transfers defaults to 24 */
    /* The summary names the device and the verdict. */
    char args[256];
    snprintf(args, sizeof args, "--device %s " LOOPBACK, kind);
    CU_ASSERT_EQUAL(run(args), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "VERIFIED"));
}

/* Many frames, a deep queue (the TX ring fills, RX waits for buffers), every length. */
static void reference_long(const char* kind) {
    NEED(kind);
    check_clean(kind, "--set workload.transfers=300 --set workload.queue_depth=100", 300);
    check_clean(kind, "--set workload.transfers=40 --set workload.queue_depth=1 --set workload.max_size=60", 40);
    check_clean(kind, "--set workload.transfers=40 --set workload.min_size=1514", 40);
}

static void reference_adversary(const char* kind) {
    NEED(kind);
    static const char* adversaries[] = {"random", "prefetch", "evict"};
    for (size_t a = 0; a < SL_COUNT(adversaries); ++a) {
        for (int seed = 1; seed <= (a == 0 ? 6 : 2); ++seed) {
            char args[256];
            snprintf(args, sizeof args, "--set cache.adversary=%s --seed %d --set workload.transfers=48", adversaries[a],
                     seed);
            check_clean(kind, args, 48);
        }
    }
}

/* A production kernel refuses a bare invalidate: the driver falls back to clean+invalidate. */
static void reference_production_kernel(const char* kind) {
    NEED(kind);
    check_clean(kind, "--set shim.allow_cache_invalidate=false --set cache.adversary=random", 24);
}

/* Other cache geometries: 16-byte lines (a descriptor per line), 128-byte lines (8 per line,
 * a larger RX ring), a cache too small to hold a ring's worth of frames. */
static void reference_cache_geometry(const char* kind) {
    NEED(kind);
    static const char* geometries[] = {"--set cache.line=16", "--set cache.line=128",
                                       "--set cache.size=4k --set cache.ways=4"};
    for (size_t g = 0; g < SL_COUNT(geometries); ++g) {
        char args[256];
        snprintf(args, sizeof args, "%s --set cache.adversary=random --set workload.transfers=64 --set workload.queue_depth=16",
                 geometries[g]);
        check_clean(kind, args, 64);
    }
}

/* The driver built without access instrumentation runs clean in conservative mode. */
static void reference_conservative(const char* kind) {
    NEED(kind);
    int rc = 0;
    json_t* j = run_json(kind, "--driver lnic-plain --workload ethmac-loopback --set cache.adversary=random", &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "checker_mode")), "conservative");
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 0);
    json_decref(j);
}

/* Legacy INTx (the level of ISR & IMR) instead of MSI. */
static void reference_legacy(const char* kind) {
    NEED(kind);
    char spec[64];
    snprintf(spec, sizeof spec, "%s,msi=0", kind);
    check_clean(spec, "--set cache.adversary=random --seed 2", 24);
}

/* The model's per-frame time is a device parameter: 10 us more per frame shows in the run. */
static void model_frame_delay(void) {
    NEED(MODEL);
    int rc = 0;
    json_t* fast = run_json(MODEL, LOOPBACK " --set workload.queue_depth=1", &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fast);
    json_t* slow = run_json(MODEL ",frame_delay_ns=10100", LOOPBACK " --set workload.queue_depth=1", &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(slow);
    CU_ASSERT_EQUAL(rc, 0);
    const json_int_t t0 = sl_test_json_int(fast, "sim_time_ns", NULL), t1 = sl_test_json_int(slow, "sim_time_ns", NULL);
    CU_ASSERT(t0 > 0);
    CU_ASSERT(t1 >= t0 + 24 * 5000); /* half of it: the workload polls in steps */
    json_decref(fast);
    json_decref(slow);
}

static void deterministic(const char* kind) {
    NEED(kind);
    const char* args = LOOPBACK " --set cache.adversary=random --seed 5";
    int rc1 = 0, rc2 = 0;
    json_t* a = run_json(kind, args, &rc1);
    json_t* b = run_json(kind, args, &rc2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(rc1, rc2);
    char* sa = json_dumps(a, JSON_SORT_KEYS);
    char* sb = json_dumps(b, JSON_SORT_KEYS);
    CU_ASSERT_STRING_EQUAL(sa, sb);
    free(sa);
    free(sb);
    json_decref(a);
    json_decref(b);
}

/* ---- the catalogue ---- */

typedef struct variant {
    const char* name;    /* bug:NAME */
    const char* args;    /* workload and platform settings */
    const char* kind;    /* the finding it must produce */
    const char* where;   /* text of the line its location must be */
    const char* related; /* text of the line of its related event, or NULL */
    json_int_t frames;   /* workload.transfers in args */
} variant_t;

static const variant_t kVariants[] = {
    {"lnic-tx-missing-clean", "", "stale-device-read", DOORBELL, "memcpy(dev->tx_bufs.va", 24},
    /* Shows once buffers are reused with lines still cached: more frames than RX buffers. */
    {"lnic-rx-missing-invalidate", "", "stale-cpu-read", RECV_COPY, DOORBELL, 24},
    {"lnic-tx-desc-not-cleaned", "", "stale-device-read", DOORBELL, "d->status = 0;", 24},
    {"lnic-rx-desc-not-invalidated", "", "stale-cpu-read", "status = d->status;", DOORBELL, 24},
};

static const variant_t* variant(const char* name) {
    for (size_t i = 0; i < SL_COUNT(kVariants); ++i)
        if (!strcmp(kVariants[i].name, name)) return &kVariants[i];
    return NULL;
}

/* The findings of `kind` at the expected line; *related_ok counts those whose related event
 * is at its expected line too. */
static int located(json_t* j, const variant_t* v, int* related_ok) {
    int n = 0;
    *related_ok = 0;
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "kind")), v->kind)) continue;
        if (!location_is(json_object_get(f, "location"), v->where)) continue;
        ++n;
        if (v->related && location_is(json_object_get(json_object_get(f, "related"), "location"), v->related))
            ++*related_ok;
    }
    return n;
}

static void check_variant(const char* kind, const variant_t* v) {
    NEED(kind);
    char marker[96], args[1024];
    snprintf(marker, sizeof marker, "bug-catalogue: %s", v->name);
    src_line_t lines[4];
    CU_ASSERT_EQUAL_FATAL(find_lines(marker, lines, SL_COUNT(lines)), 1); /* one injection point */
    snprintf(args, sizeof args, "--driver bug:%s --workload ethmac-loopback %s", v->name, v->args);

    int rc = 0;
    json_t* j = run_json(kind, args, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_FALSE(json_is_true(json_object_get(j, "data_ok")));
    int related_ok = 0;
    const int n = located(j, v, &related_ok);
    if (!n || (v->related && !related_ok)) {
        fprintf(stderr, "%s on %s: %d %s findings at '%s', %d with related at '%s'\n", v->name, kind, n, v->kind,
                v->where, related_ok, v->related ? v->related : "-");
        print_findings(j);
    }
    CU_ASSERT(n > 0);
    if (v->related) CU_ASSERT(related_ok > 0);
    json_decref(j);

    /* Where devices snoop the cache, the bug does no harm. */
    snprintf(args, sizeof args, "--driver bug:%s --workload ethmac-loopback %s --set platform.coherent=true", v->name,
             v->args);
    j = run_json(kind, args, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    if (!json_is_true(json_object_get(j, "data_ok")))
        fprintf(stderr, "%s on %s, coherent: %s\n", v->name, kind,
                json_string_value(json_object_get(json_object_get(j, "workload_result"), "detail")));
    json_decref(j);

    /* The reference driver with the same settings is clean. */
    check_clean(kind, v->args, v->frames);
}

/* ---- the two device kinds agree ---- */

/* Kind and location of every finding, sorted, as one string. */
static char* finding_sites(json_t* j) {
    json_t* list = json_array();
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        json_t* loc = json_object_get(f, "location");
        char site[512];
        snprintf(site, sizeof site, "%s %s:%lld", json_string_value(json_object_get(f, "kind")),
                 json_string_value(json_object_get(loc, "file")), (long long)sl_test_json_int(loc, "line", NULL));
        size_t k = 0;
        while (k < json_array_size(list) && strcmp(json_string_value(json_array_get(list, k)), site) < 0) ++k;
        if (k < json_array_size(list) && !strcmp(json_string_value(json_array_get(list, k)), site)) continue;
        json_array_insert_new(list, k, json_string(site));
    }
    char* s = json_dumps(list, 0);
    json_decref(list);
    return s;
}

static void model_and_rtl_agree(void) {
    NEED(RTL);
    NEED(MODEL);
    /* The same frames, byte for byte, and the same checks. */
    int rc1 = 0, rc2 = 0;
    json_t* m = run_json(MODEL, LOOPBACK " --seed 3", &rc1);
    json_t* r = run_json(RTL, LOOPBACK " --seed 3", &rc2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(rc1, 0);
    CU_ASSERT_EQUAL(rc2, 0);
    json_t* wm = json_object_get(m, "workload_result");
    json_t* wr = json_object_get(r, "workload_result");
    static const char* keys[] = {"operations", "bytes", "bytes_checked", "bad_bytes", "failed_ops"};
    for (size_t k = 0; k < SL_COUNT(keys); ++k) CU_ASSERT_EQUAL(sl_test_json_int(wm, keys[k], NULL), sl_test_json_int(wr, keys[k], NULL));
    /* The same memory accesses: bursts and bytes, MSI writes (4 bytes each) aside; the MSI
     * count itself depends on timing. */
    json_t* dm = json_object_get(json_object_get(m, "stats"), MODEL);
    json_t* dr = json_object_get(json_object_get(r, "stats"), RTL);
    const json_int_t msi_m = sl_test_json_int(dm, "msi_writes", NULL), msi_r = sl_test_json_int(dr, "msi_writes", NULL);
    CU_ASSERT(msi_m > 0 && msi_r > 0);
    CU_ASSERT_EQUAL(sl_test_json_int(dm, "bytes_read", NULL), sl_test_json_int(dr, "bytes_read", NULL));
    CU_ASSERT_EQUAL(sl_test_json_int(dm, "dma_reads", NULL), sl_test_json_int(dr, "read_bursts", NULL));
    CU_ASSERT_EQUAL(sl_test_json_int(dm, "dma_writes", NULL) - msi_m, sl_test_json_int(dr, "write_bursts", NULL));
    CU_ASSERT_EQUAL(sl_test_json_int(dm, "bytes_written", NULL) - 4 * msi_m, sl_test_json_int(dr, "bytes_written", NULL) - 4 * msi_r);
    json_decref(m);
    json_decref(r);

    /* Per variant, the same finding sites. */
    for (size_t i = 0; i < SL_COUNT(kVariants); ++i) {
        char args[512];
        snprintf(args, sizeof args, "--driver bug:%s --workload ethmac-loopback %s", kVariants[i].name,
                 kVariants[i].args);
        m = run_json(MODEL, args, &rc1);
        r = run_json(RTL, args, &rc2);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(rc1, rc2);
        char* sm = finding_sites(m);
        char* sr = finding_sites(r);
        CU_ASSERT_STRING_EQUAL(sm, sr);
        if (strcmp(sm, sr)) fprintf(stderr, "%s: model %s, RTL %s\n", kVariants[i].name, sm, sr);
        free(sm);
        free(sr);
        json_decref(m);
        json_decref(r);
    }
}

/* ---- the cases, per device kind ---- */

#define PER_DEVICE(fn)                           \
    static void fn##_model(void) { fn(MODEL); } \
    static void fn##_rtl(void) { fn(RTL); }
PER_DEVICE(reference_default)
PER_DEVICE(reference_long)
PER_DEVICE(reference_adversary)
PER_DEVICE(reference_production_kernel)
PER_DEVICE(deterministic)
PER_DEVICE(reference_legacy)
PER_DEVICE(reference_cache_geometry)
PER_DEVICE(reference_conservative)

#define VARIANT_TESTS(fn, name)                                         \
    static void fn##_model(void) { check_variant(MODEL, variant(name)); } \
    static void fn##_rtl(void) { check_variant(RTL, variant(name)); }
VARIANT_TESTS(tx_missing_clean, "lnic-tx-missing-clean")
VARIANT_TESTS(rx_missing_invalidate, "lnic-rx-missing-invalidate")
VARIANT_TESTS(tx_desc_not_cleaned, "lnic-tx-desc-not-cleaned")
VARIANT_TESTS(rx_desc_not_invalidated, "lnic-rx-desc-not-invalidated")

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(reference_default_model),
        SL_TEST(reference_default_rtl),
        SL_TEST(reference_long_model),
        SL_TEST(reference_long_rtl),
        SL_TEST(reference_adversary_model),
        SL_TEST(reference_adversary_rtl),
        SL_TEST(reference_production_kernel_model),
        SL_TEST(reference_production_kernel_rtl),
        SL_TEST(reference_cache_geometry_model),
        SL_TEST(reference_cache_geometry_rtl),
        SL_TEST(reference_conservative_model),
        SL_TEST(reference_conservative_rtl),
        SL_TEST(reference_legacy_model),
        SL_TEST(reference_legacy_rtl),
        SL_TEST(model_frame_delay),
        SL_TEST(deterministic_model),
        SL_TEST(deterministic_rtl),
        SL_TEST(tx_missing_clean_model),
        SL_TEST(tx_missing_clean_rtl),
        SL_TEST(rx_missing_invalidate_model),
        SL_TEST(rx_missing_invalidate_rtl),
        SL_TEST(tx_desc_not_cleaned_model),
        SL_TEST(tx_desc_not_cleaned_rtl),
        SL_TEST(rx_desc_not_invalidated_model),
        SL_TEST(rx_desc_not_invalidated_rtl),
        SL_TEST(model_and_rtl_agree),
    };
    int rc = sl_test_main(argc, argv, "lnic", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
