/* The bug catalogue (testbench/bugs/README.md): every variant of the reference driver, run
 * with `staleline run --driver bug:NAME --json F`, exits 1 and reports its finding kind at the
 * line of source it is about; the coherency bugs do not corrupt data on a coherent (x86-like)
 * platform. Expected lines are not numbers: they are found in the sources at test time, by
 * the text of the line (the variant's "bug-catalogue: NAME" marker, the doorbell, the call
 * the finding names), so the test follows edits of the driver. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"

/* Small, fast workloads, queued: interrupt acknowledgements (MMIO writes too) interleave with
 * the device's work, and findings must still name the doorbell. */
#define SMALL "--set workload.transfers=8 --set workload.max_size=16k --set workload.queue_depth=4"

/* Lines the findings point at, by their text. */
#define DOORBELL "wr(dev, DMAC_REG_PRODUCER"
#define PIN_CALL "zx_bti_pin("
#define WORKLOAD_STORE "zx_vmo_write("

typedef struct variant {
    const char* id;        /* the name with '_' for '-' (catalogue.def) */
    const char* kind;      /* the finding it must produce */
    const char* where;     /* text of the line its location must be (NULL: the variant's marker) */
    const char* related;   /* text of the line of its related event, or NULL (not checked) */
    int hides_coherent;    /* a coherency bug: the data is right on a coherent platform */
    const char* args;      /* workload and platform settings */
} variant_t;

/* The columns of catalogue.def (its header comment). */
#define MARKER NULL
#define ANY NULL
#define HIDES_COHERENT 1
#define SHOWS_COHERENT 0

/* The catalogue, from its one list. */
static const variant_t kVariants[] = {
#define DMAC_BUG_ROW(id, ID, kind, where, related, coherent, args, description) \
    {#id, kind, where, related, coherent, args},
#include "../bugs/catalogue.def"
#undef DMAC_BUG_ROW
};

/* bug:NAME's NAME: the id with '-' for '_'. */
static const char* vname(const variant_t* v) {
    static char names[SL_COUNT(kVariants)][64];
    char* n = names[v - kVariants];
    if (!n[0]) {
        snprintf(n, sizeof names[0], "%s", v->id);
        for (char* c = n; *c; ++c)
            if (*c == '_') *c = '-';
    }
    return n;
}

/* ---- the sources ---- */

typedef struct src_line {
    char file[128]; /* relative to the source root, as findings report it */
    unsigned line;
} src_line_t;

/* Every line containing `text` in the .c files of the directories findings may point into. */
static size_t find_lines(const char* text, src_line_t* out, size_t cap) {
    static const char* dirs[] = {"driver/dmac", "testbench/workloads"};
    size_t n = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; ++d) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", SL_SOURCE_DIR, dirs[d]);
        DIR* dir = opendir(path);
        if (!dir) continue;
        struct dirent* e;
        while ((e = readdir(dir))) {
            size_t len = strlen(e->d_name);
            if (len < 3 || strcmp(e->d_name + len - 2, ".c")) continue;
            char file[512];
            snprintf(file, sizeof file, "%s/%s/%s", SL_SOURCE_DIR, dirs[d], e->d_name);
            FILE* f = fopen(file, "r");
            if (!f) continue;
            char buf[1024];
            unsigned line = 0;
            while (fgets(buf, sizeof buf, f)) {
                ++line;
                if (strstr(buf, text) && n < cap) {
                    snprintf(out[n].file, sizeof out[n].file, "%s/%s", dirs[d], e->d_name);
                    out[n].line = line;
                    ++n;
                }
            }
            fclose(f);
        }
        closedir(dir);
    }
    return n;
}

/* {file, line} of a JSON location is one of the lines containing `text`. */
static int location_is(json_t* loc, const char* text) {
    const char* file = json_string_value(json_object_get(loc, "file"));
    json_int_t line = json_integer_value(json_object_get(loc, "line"));
    if (!file) return 0;
    src_line_t lines[32];
    size_t n = find_lines(text, lines, 32);
    for (size_t i = 0; i < n; ++i)
        if (!strcmp(lines[i].file, file) && lines[i].line == (unsigned)line) return 1;
    return 0;
}

/* ---- running the CLI ---- */

static char* out;

/* `staleline run ARGS`; its output in `out`. */
static int run(const char* args) {
    char full[1536];
    snprintf(full, sizeof full, "run %s", args);
    return sl_test_staleline(full, &out);
}

static json_t* run_json(const char* driver, const char* args, int* rc) {
    char full[1536];
    snprintf(full, sizeof full, "run --driver %s %s", driver, args);
    return sl_test_staleline_json(full, rc, &out);
}

/* A variant's run: cache-op-on-nothing ends in a driver fault in bind (the cache instructions
 * fault on memory nothing maps), so its run goes without the leak check (sl_test.h). */
static json_t* run_variant_json(const variant_t* v, const char* driver, const char* args, int* rc) {
    const int faults = !strcmp(v->kind, "cache-op-outside-mapping");
    if (faults) sl_test_leak_check_off();
    json_t* j = run_json(driver, args, rc);
    if (faults) sl_test_leak_check_restore();
    return j;
}

static void print_findings(json_t* j) {
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        if (i >= 12) break;
        json_t* loc = json_object_get(f, "location");
        fprintf(stderr, "  %s at %s:%lld\n", json_string_value(json_object_get(f, "kind")),
                json_string_value(json_object_get(loc, "file")), (long long)json_integer_value(json_object_get(loc, "line")));
    }
}

/* ---- the checks ---- */

static void check_variant(const variant_t* v) {
    char marker[96], driver[96];
    snprintf(marker, sizeof marker, "bug-catalogue: %s", vname(v));
    snprintf(driver, sizeof driver, "bug:%s", vname(v));
    /* One injection point per variant. */
    src_line_t lines[4];
    CU_ASSERT_EQUAL_FATAL(find_lines(marker, lines, 4), 1);

    int rc = 0;
    json_t* j = run_variant_json(v, driver, v->args, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    char module[128];
    snprintf(module, sizeof module, "driver dmac (bug-%s.so)", vname(v)); /* the summary names the variant */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, module));
    const char* where = v->where ? v->where : marker;
    int found = 0, located = 0, related_ok = 0;
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "kind")), v->kind)) continue;
        ++found;
        if (!location_is(json_object_get(f, "location"), where)) continue;
        ++located;
        json_t* rel = json_object_get(json_object_get(f, "related"), "location");
        if (v->related && location_is(rel, v->related)) ++related_ok;
    }
    if (!found || !located || (v->related && !related_ok)) {
        fprintf(stderr, "bug:%s: %d %s findings, %d at the line with '%s', %d with related '%s'\n", vname(v), found,
                v->kind, located, where, related_ok, v->related ? v->related : "-");
        print_findings(j);
    }
    CU_ASSERT(found > 0);
    CU_ASSERT(located > 0);
    if (v->related) CU_ASSERT(related_ok > 0);
    json_decref(j);

    /* On an x86-like platform (devices snoop the cache) the coherency bugs hide. */
    if (v->hides_coherent) {
        char args[1024];
        snprintf(args, sizeof args, "%s --set platform.coherent=true", v->args);
        j = run_variant_json(v, driver, args, &rc);
        CU_ASSERT_PTR_NOT_NULL_FATAL(j);
        CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
        if (!json_is_true(json_object_get(j, "data_ok")))
            fprintf(stderr, "bug:%s on a coherent platform: %s\n", vname(v),
                    json_string_value(json_object_get(json_object_get(j, "workload_result"), "detail")));
        json_decref(j);
    }
}

static const variant_t* variant(const char* id) {
    for (size_t i = 0; i < SL_COUNT(kVariants); ++i)
        if (!strcmp(kVariants[i].id, id)) return &kVariants[i];
    return NULL;
}

/* One test case per row: test_<id>. */
#define DMAC_BUG_ROW(id, ...) \
    static void test_##id(void) { check_variant(variant(#id)); }
#include "../bugs/catalogue.def"
#undef DMAC_BUG_ROW

/* The adversary is what exposes invalidate-before-only in the data: without it the bytes are
 * right and the data rules see nothing (the hazard rules find it from the order of events:
 * test_hazards). */
static void test_invalidate_before_only_needs_prefetch(void) {
    int rc = 0;
    json_t* j = run_json("bug:invalidate-before-only", SMALL " --workload blockio --set checker.evidence=data", &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 0);
    json_decref(j);
}

/* zeroed-buffer-no-clean (U-Boot 1a027a9): the zeros the CPU wrote are dropped by the
 * post-DMA invalidate. The advice is the history's: a clean-invalidate after the zeroing and
 * before the doorbell, not a clean at the invalidate (which would write the zeros over the
 * device's data). The reference driver, which does just that, runs the same settings clean
 * (test_reference_with_variant_settings). */
static void test_zeroed_buffer_no_clean_advice(void) {
    src_line_t marker[2], doorbell[2];
    CU_ASSERT_EQUAL_FATAL(find_lines("bug-catalogue: zeroed-buffer-no-clean", marker, 2), 1);
    CU_ASSERT_EQUAL_FATAL(find_lines(DOORBELL, doorbell, 2), 1);
    char after[320], before[320];
    snprintf(after, sizeof after, "after the CPU write at %s:%u (prepare)", marker[0].file, marker[0].line);
    snprintf(before, sizeof before, "and before the doorbell at %s:%u (dmac_pump_locked)", doorbell[0].file,
             doorbell[0].line);
    int rc = 0;
    json_t* j = run_json("bug:zeroed-buffer-no-clean", variant("zeroed_buffer_no_clean")->args, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    int discarded = 0;
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "kind")), "discarded-cpu-write")) continue;
        ++discarded;
        const char* msg = json_string_value(json_object_get(f, "message"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "so cleaning them here would write them over the device's data"));
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "The clean belongs before the device writes: "
                                           "zx_vmo_op_range(ZX_VMO_OP_CACHE_CLEAN_INVALIDATE)"));
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, after));
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, before));
        CU_ASSERT_PTR_NULL(strstr(msg, "use ZX_VMO_OP_CACHE_CLEAN_INVALIDATE when"));
        if (!strstr(msg, after) || !strstr(msg, before)) fprintf(stderr, "advice: %s\n", msg);
    }
    CU_ASSERT(discarded > 0);
    json_decref(j);
}

/* Every variant is found without an adversarial cache, on seed 1 and on each of 20 seeds: at
 * its line, with its kind (the hazard rules read the order of events; the data rules need no
 * luck for the rest). The row's own adversary setting is overridden. */
static void test_found_without_adversary(void) {
    for (size_t i = 0; i < SL_COUNT(kVariants); ++i) {
        const variant_t* v = &kVariants[i];
        char marker[96], driver[96];
        snprintf(marker, sizeof marker, "bug-catalogue: %s", vname(v));
        snprintf(driver, sizeof driver, "bug:%s", vname(v));
        unsigned missed = 0;
        for (unsigned seed = 1; seed <= 20; ++seed) {
            char args[1024];
            snprintf(args, sizeof args, "%s --set cache.adversary=none --seed %u", v->args, seed);
            int rc = 0;
            json_t* j = run_variant_json(v, driver, args, &rc);
            CU_ASSERT_PTR_NOT_NULL_FATAL(j);
            CU_ASSERT_EQUAL(rc, 1);
            int located = 0;
            json_t* f;
            size_t k;
            json_array_foreach(json_object_get(j, "findings"), k, f) {
                if (!strcmp(json_string_value(json_object_get(f, "kind")), v->kind) &&
                    location_is(json_object_get(f, "location"), v->where ? v->where : marker))
                    ++located;
            }
            if (!located) {
                ++missed;
                fprintf(stderr, "bug:%s, cache.adversary=none, seed %u: no %s at its line\n", vname(v), seed, v->kind);
                print_findings(j);
            }
            json_decref(j);
        }
        CU_ASSERT_EQUAL(missed, 0);
    }
}

/* The same settings with the reference driver: no findings, data right. The variants'
 * findings come from their one line. */
static void test_reference_with_variant_settings(void) {
    for (size_t i = 0; i < SL_COUNT(kVariants); ++i) {
        int rc = 0;
        json_t* j = run_json("dmac", kVariants[i].args, &rc);
        CU_ASSERT_PTR_NOT_NULL_FATAL(j);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
        CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 0);
        if (rc) {
            fprintf(stderr, "reference with the settings of %s:\n", vname(&kVariants[i]));
            print_findings(j);
        }
        json_decref(j);
    }
}

/* bug:NAME names resolve to the catalogue; unknown ones are a usage error. */
/* The human summary quotes the source line a finding points at. */
static void test_summary_quotes_source_line(void) {
    CU_ASSERT_EQUAL(run("--driver bug:missing-clean " SMALL), 1);
    const char* at = strstr(out, "stale-device-read at driver/dmac/dmac-ring.c:");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    unsigned line = (unsigned)atoi(at + strlen("stale-device-read at driver/dmac/dmac-ring.c:"));
    char quoted[64];
    snprintf(quoted, sizeof quoted, "%u | ", line);
    const char* q = strstr(at, quoted);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT_PTR_NOT_NULL(strstr(q, "DMAC_REG_PRODUCER")); /* the doorbell write itself */
}

/* missing-clean also hits scatter-gather reads: the gathered segments are not cleaned, the
 * engine reads stale DRAM, the CRC differs and the checker reports the doorbell. The
 * reference driver runs the same gathers clean. */
static void test_missing_clean_in_gathers(void) {
    const char* args = "--workload random --set workload.gather=8 --set workload.transfers=64 "
                       "--set workload.window=16k --set dmac.mapping=pool";
    char cmd[512];
    snprintf(cmd, sizeof cmd, "--driver bug:missing-clean %s", args);
    CU_ASSERT_EQUAL(run(cmd), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "stale-device-read at driver/dmac/dmac-ring.c:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "data:       WRONG"));
    CU_ASSERT_EQUAL(run(args), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "findings:   0"));
}

/* Every catalogue run is deterministic, including a finding that quotes the CPU address
 * the buggy driver gave the device: same config and seed, byte-identical JSON. */
static void test_findings_deterministic(void) {
    for (size_t i = 0; i < SL_COUNT(kVariants); ++i) {
        char driver[96];
        snprintf(driver, sizeof driver, "bug:%s", vname(&kVariants[i]));
        int rc1, rc2;
        json_t* a = run_variant_json(&kVariants[i], driver, SMALL, &rc1);
        json_t* b = run_variant_json(&kVariants[i], driver, SMALL, &rc2);
        CU_ASSERT_EQUAL(rc1, rc2);
        CU_ASSERT_PTR_NOT_NULL(a);
        char* sa = a ? json_dumps(a, JSON_SORT_KEYS) : NULL;
        char* sb = b ? json_dumps(b, JSON_SORT_KEYS) : NULL;
        CU_ASSERT(sa && sb && strcmp(sa, sb) == 0);
        if (!(sa && sb && strcmp(sa, sb) == 0)) fprintf(stderr, "%s: outputs differ\n", driver);
        free(sa);
        free(sb);
        json_decref(a);
        json_decref(b);
    }
}

static void test_names(void) {
    CU_ASSERT_EQUAL(run("--driver bug:no-such-bug " SMALL), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "no bug 'no-such-bug' in the catalogue"));
    CU_ASSERT_EQUAL(run("--driver bug: " SMALL), 2);
    CU_ASSERT_EQUAL(run("--list-drivers"), 0);
    for (size_t i = 0; i < SL_COUNT(kVariants); ++i) {
        char name[96];
        snprintf(name, sizeof name, "bug-%s ", vname(&kVariants[i]));
        CU_ASSERT_PTR_NOT_NULL(strstr(out, name));
    }
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
#define DMAC_BUG_ROW(id, ...) SL_TEST(test_##id),
#include "../bugs/catalogue.def"
#undef DMAC_BUG_ROW
        SL_TEST(test_invalidate_before_only_needs_prefetch),
        SL_TEST(test_zeroed_buffer_no_clean_advice),
        SL_TEST(test_found_without_adversary),
        SL_TEST(test_reference_with_variant_settings),
        SL_TEST(test_names),
        SL_TEST(test_findings_deterministic),
        SL_TEST(test_summary_quotes_source_line),
        SL_TEST(test_missing_clean_in_gathers),
    };
    int rc = sl_test_main(argc, argv, "bugs", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
