/* Drivers built with clang (testbench/tests/clang: staleline_add_driver with
 * CMAKE_C_COMPILER=clang) get the findings GCC builds get: the same kinds at the same
 * file:line (function), related events included, and the reference driver stays clean. The
 * expected lines are found in the sources by their text, as test_bugs does, so a build that
 * loses locations (file "", line 0) fails even where both compilers would agree. The
 * executable defines every hook clang's instrumentation calls (clang/hooks.c).
 * Exits 77 (CTest: skipped) when clang is not installed; STALELINE_TEST_CLANG names another
 * clang than the one on PATH. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"

#define SMALL "--set workload.transfers=8 --set workload.max_size=16k --set workload.queue_depth=4"
#define DOORBELL "wr(dev, DMAC_REG_PRODUCER"
#define WORKLOAD_STORE "zx_vmo_write("
#define PIN_CALL "zx_bti_pin("

typedef struct variant {
    const char* name;    /* bug-catalogue name */
    const char* args;
    const char* kind;    /* the finding it must produce */
    const char* where;   /* text of its line (NULL: the variant's marker) */
    const char* related; /* text of the line of its related event */
} variant_t;

/* A plain load (missing-invalidate), plain stores seen through the workload, the doorbell
 * MMIO write, a pin call site and the variant's own line. */
static const variant_t kVariants[] = {
    {"missing-clean", SMALL, "stale-device-read", DOORBELL, WORKLOAD_STORE},
    {"missing-invalidate", SMALL, "stale-cpu-read", "status = d->status;", DOORBELL},
    {"invalidate-discards-dirty", SMALL, "discarded-cpu-write", NULL, WORKLOAD_STORE},
    {"dirty-evict-over-dma", SMALL " --set cache.adversary=evict", "lost-device-write", WORKLOAD_STORE, DOORBELL},
    {"wrong-permission", SMALL, "iommu-fault", DOORBELL, PIN_CALL},
};

static const char* clang_compiler(void) {
    const char* c = getenv("STALELINE_TEST_CLANG");
    return c && *c ? c : "clang";
}

/* ---- the clang build (incremental: the first test pays) ---- */

static char* out;

static int sh(const char* cmd) {
    free(out);
    out = NULL;
    int rc = sl_test_run(cmd, &out);
    if (!out) out = strdup("");
    return rc;
}

static int build_clang_drivers(void) {
    char variants[512] = "";
    for (size_t i = 0; i < SL_COUNT(kVariants); ++i) {
        if (i) strcat(variants, ";");
        strcat(variants, kVariants[i].name);
    }
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "'%s' -S '%s/testbench/tests/clang' -B '%s' -G '%s' -DCMAKE_C_COMPILER='%s' "
             "-DCMAKE_BUILD_TYPE='%s' -DSTALELINE_SOURCE_DIR='%s' '-DVARIANTS=%s' && '%s' --build '%s' -j2",
             SL_CMAKE, SL_SOURCE_DIR, SL_CLANG_BUILD_DIR, SL_CMAKE_GENERATOR, clang_compiler(), SL_CMAKE_BUILD_TYPE,
             SL_SOURCE_DIR, variants, SL_CMAKE, SL_CLANG_BUILD_DIR);
    int rc = sh(cmd);
    if (rc) fprintf(stderr, "building the drivers with clang failed (%d):\n%s\n", rc, out);
    return rc;
}

static void clang_module(const char* name, char* path, size_t cap) {
    snprintf(path, cap, "%s/lib/drivers/%s.so", SL_CLANG_BUILD_DIR, name);
}

/* ---- the sources (as test_bugs.c) ---- */

typedef struct src_line {
    char file[128];
    unsigned line;
} src_line_t;

static size_t find_lines(const char* text, src_line_t* found, size_t cap) {
    static const char* dirs[] = {"driver/dmac", "testbench/workloads"};
    size_t n = 0;
    for (size_t d = 0; d < SL_COUNT(dirs); ++d) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", SL_SOURCE_DIR, dirs[d]);
        DIR* dir = opendir(path);
        if (!dir) continue;
        struct dirent* e;
        while ((e = readdir(dir))) {
            size_t len = strlen(e->d_name);
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
                    snprintf(found[n].file, sizeof found[n].file, "%s/%s", dirs[d], e->d_name);
                    found[n++].line = line;
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
    json_int_t line = json_integer_value(json_object_get(loc, "line"));
    if (!file) return 0;
    src_line_t lines[32];
    size_t n = find_lines(text, lines, 32);
    for (size_t i = 0; i < n; ++i)
        if (!strcmp(lines[i].file, file) && lines[i].line == (unsigned)line) return 1;
    return 0;
}

/* ---- runs ---- */

static json_t* run_json(const char* driver, const char* args, int* rc) {
    char full[4096];
    snprintf(full, sizeof full, "run --driver %s %s", driver, args);
    return sl_test_staleline_json(full, rc, &out);
}

static void location_text(json_t* loc, char* buf, size_t cap) {
    const char* file = json_string_value(json_object_get(loc, "file"));
    const char* function = json_string_value(json_object_get(loc, "function"));
    snprintf(buf, cap, "%s:%lld (%s)", file ? file : "?", (long long)json_integer_value(json_object_get(loc, "line")),
             function ? function : "?");
}

static int cmp_str(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

/* The distinct "kind at file:line (function), related at ..." of a run, sorted, one a line. */
static char* finding_sites(json_t* j) {
    size_t n = json_array_size(json_object_get(j, "findings"));
    char** lines = calloc(n + 1, sizeof *lines);
    size_t k = 0;
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        char at[512], rel[512], line[1200];
        location_text(json_object_get(f, "location"), at, sizeof at);
        json_t* r = json_object_get(json_object_get(f, "related"), "location");
        if (r) location_text(r, rel, sizeof rel);
        else snprintf(rel, sizeof rel, "-");
        snprintf(line, sizeof line, "%s at %s, related %s\n", json_string_value(json_object_get(f, "kind")), at, rel);
        size_t m = 0;
        while (m < k && strcmp(lines[m], line)) ++m;
        if (m == k) lines[k++] = strdup(line);
    }
    qsort(lines, k, sizeof *lines, cmp_str);
    size_t total = 1;
    for (size_t m = 0; m < k; ++m) total += strlen(lines[m]);
    char* s = calloc(total, 1);
    for (size_t m = 0; m < k; ++m) {
        strcat(s, lines[m]);
        free(lines[m]);
    }
    free(lines);
    return s;
}

/* ---- the checks ---- */

/* Built by clang, instrumented (the checker's precise mode), and the copies clang generates
 * reach the shim's observed wrappers instead of the C library. */
static void test_built_with_clang(void) {
    CU_ASSERT_EQUAL_FATAL(build_clang_drivers(), 0);
    char mod[1024], cmd[2048];
    clang_module("dmac", mod, sizeof mod);
    snprintf(cmd, sizeof cmd, "readelf -p .comment '%s'", mod);
    CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "clang version"));
    snprintf(cmd, sizeof cmd, "nm -D --undefined-only '%s'", mod);
    CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " __tsan_func_entry\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " __tsan_read4\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " __wrap_memcpy\n"));
    CU_ASSERT_PTR_NULL(strstr(out, " memcpy@"));
    CU_ASSERT_PTR_NULL(strstr(out, " memset@"));

    int rc = 0;
    json_t* j = run_json(mod, SMALL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "checker:    precise mode"));
    json_decref(j);
}

/* Every hook clang emits, for every kind of access (clang/hooks.c: plain, unaligned, 16-byte,
 * read-modify-write, volatile, atomics, fences, generated copies), is defined by the
 * executable that loads drivers; none goes to the C library's unobserved copies. */
static void check_hooks_served(const char* module, const char* const* expected) {
    char mod[1024], cmd[2048];
    clang_module(module, mod, sizeof mod);
    snprintf(cmd, sizeof cmd, "nm -D --defined-only '%s'", sl_test_bin("staleline"));
    CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
    char* defined = out;
    out = NULL;
    snprintf(cmd, sizeof cmd, "nm -D --undefined-only '%s'", mod);
    CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
    for (size_t i = 0; expected[i]; ++i) {
        char want[128];
        snprintf(want, sizeof want, " %s\n", expected[i]);
        if (!strstr(out, want)) fprintf(stderr, "%s does not import %s\n", module, expected[i]);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
    }
    size_t hooks = 0;
    for (char* line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        const char* name = strrchr(line, ' ');
        name = name ? name + 1 : line;
        if (strncmp(name, "__tsan_", 7) && strncmp(name, "__wrap_", 7)) continue;
        ++hooks;
        char want[128];
        snprintf(want, sizeof want, " %s\n", name);
        if (!strstr(defined, want)) fprintf(stderr, "%s imports %s, which the shim does not define\n", module, name);
        CU_ASSERT_PTR_NOT_NULL(strstr(defined, want));
    }
    CU_ASSERT(hooks > 40);
    free(defined);
    snprintf(cmd, sizeof cmd, "nm -D --undefined-only '%s'", mod);
    CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
    CU_ASSERT_PTR_NULL(strstr(out, " memcpy@"));
    CU_ASSERT_PTR_NULL(strstr(out, " memset@"));
    CU_ASSERT_PTR_NULL(strstr(out, " memmove@"));
}

static void test_hooks_served(void) {
    CU_ASSERT_EQUAL_FATAL(build_clang_drivers(), 0);
    static const char* const plain[] = {"__tsan_init", "__tsan_func_entry", "__tsan_func_exit", "__tsan_read1",
                                        "__tsan_read16", "__tsan_write16", "__tsan_unaligned_read4",
                                        "__tsan_unaligned_write8", "__tsan_atomic8_fetch_add",
                                        "__tsan_atomic64_compare_exchange_val", "__tsan_atomic_thread_fence",
                                        "__wrap_memcpy", "__wrap_memset", NULL};
    check_hooks_served("clang-hooks", plain);
    static const char* const vol[] = {"__tsan_volatile_read1", "__tsan_volatile_write2", "__tsan_volatile_read4",
                                      "__tsan_volatile_write8", NULL};
    check_hooks_served("clang-hooks-volatile", vol);
}

static void check_variant(const variant_t* v) {
    CU_ASSERT_EQUAL_FATAL(build_clang_drivers(), 0);
    char gcc[128], clang[1024], marker[96];
    snprintf(gcc, sizeof gcc, "bug:%s", v->name);
    snprintf(marker, sizeof marker, "bug-catalogue: %s", v->name);
    char name[96];
    snprintf(name, sizeof name, "bug-%s", v->name);
    clang_module(name, clang, sizeof clang);

    int rc_gcc = 0, rc_clang = 0;
    json_t* jg = run_json(gcc, v->args, &rc_gcc);
    json_t* jc = run_json(clang, v->args, &rc_clang);
    CU_ASSERT_PTR_NOT_NULL_FATAL(jg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(jc);
    CU_ASSERT_EQUAL(rc_gcc, 1);
    CU_ASSERT_EQUAL(rc_clang, 1);

    /* The clang build's finding is where the catalogue says. */
    const char* where = v->where ? v->where : marker;
    int located = 0;
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(jc, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "kind")), v->kind)) continue;
        if (location_is(json_object_get(f, "location"), where) &&
            location_is(json_object_get(json_object_get(f, "related"), "location"), v->related))
            ++located;
    }
    CU_ASSERT(located > 0);

    /* And every distinct finding site is the GCC build's. */
    char* sg = finding_sites(jg);
    char* sc = finding_sites(jc);
    CU_ASSERT_STRING_EQUAL(sc, sg);
    if (!located || strcmp(sg, sc))
        fprintf(stderr, "bug:%s, %s at '%s' related '%s'\nGCC:\n%sclang:\n%s", v->name, v->kind, where, v->related, sg,
                sc);
    free(sg);
    free(sc);
    json_decref(jg);
    json_decref(jc);
}

#define VARIANT_TEST(fn, i) \
    static void fn(void) { check_variant(&kVariants[i]); }
VARIANT_TEST(test_missing_clean, 0)
VARIANT_TEST(test_missing_invalidate, 1)
VARIANT_TEST(test_invalidate_discards_dirty, 2)
VARIANT_TEST(test_dirty_evict_over_dma, 3)
VARIANT_TEST(test_wrong_permission, 4)

/* The clang-built reference driver with every variant's settings: no findings, data right. */
static void test_reference_clean(void) {
    CU_ASSERT_EQUAL_FATAL(build_clang_drivers(), 0);
    char mod[1024];
    clang_module("dmac", mod, sizeof mod);
    for (size_t i = 0; i < SL_COUNT(kVariants); ++i) {
        int rc = 0;
        json_t* j = run_json(mod, kVariants[i].args, &rc);
        CU_ASSERT_PTR_NOT_NULL_FATAL(j);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
        CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 0);
        if (rc) fprintf(stderr, "clang-built reference with the settings of %s:\n%s\n", kVariants[i].name, out);
        json_decref(j);
    }
}

int main(int argc, char** argv) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' --version", clang_compiler());
    if (sl_test_run(cmd, NULL) != 0) {
        printf("SKIPPED: %s not found; install clang (Debian: apt-get install clang) to build and check "
               "clang-built drivers\n",
               clang_compiler());
        return 77;
    }
    static const sl_test_t tests[] = {
        SL_TEST(test_built_with_clang),
        SL_TEST(test_hooks_served),
        SL_TEST(test_missing_clean),
        SL_TEST(test_missing_invalidate),
        SL_TEST(test_invalidate_discards_dirty),
        SL_TEST(test_dirty_evict_over_dma),
        SL_TEST(test_wrong_permission),
        SL_TEST(test_reference_clean),
    };
    int rc = sl_test_main(argc, argv, "clang drivers", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
