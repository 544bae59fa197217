/* Configuration: values, suffixes, TOML files, and every class of error naming its key,
 * through the C API and through the CLI (exit status 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"
#include "staleline/staleline.h"

static void get(sl_config_t* c, const char* key, char* buf) { CU_ASSERT_EQUAL(sl_config_get(c, key, buf, 64), 0); }

static void test_defaults_and_set(void) {
    sl_config_t* c = sl_config_new();
    char v[64];
    get(c, "cache.ways", v);
    CU_ASSERT_STRING_EQUAL(v, "8");
    CU_ASSERT_EQUAL(sl_config_set(c, "cache.ways", "4"), 0);
    get(c, "cache.ways", v);
    CU_ASSERT_STRING_EQUAL(v, "4");
    CU_ASSERT_EQUAL(sl_config_set_assignment(c, "iotlb.ways=full"), 0);
    get(c, "iotlb.ways", v);
    CU_ASSERT_STRING_EQUAL(v, "full");
    CU_ASSERT_EQUAL(sl_config_set_assignment(c, "iotlb.ways=0"), 0); /* 0 is the same as full */
    get(c, "iotlb.ways", v);
    CU_ASSERT_STRING_EQUAL(v, "full");
    CU_ASSERT_EQUAL(sl_config_set(c, "platform.coherent", "yes"), 0);
    get(c, "platform.coherent", v);
    CU_ASSERT_STRING_EQUAL(v, "true");
    CU_ASSERT_EQUAL(sl_config_validate(c), 0);
    sl_config_free(c);
}

static void test_size_suffixes(void) {
    sl_config_t* c = sl_config_new();
    const char* ok[] = {"32k", "64K", "2M", "0x8000", "65536", "1MiB"};
    for (size_t i = 0; i < SL_COUNT(ok); ++i) CU_ASSERT_EQUAL(sl_config_set(c, "cache.size", ok[i]), 0);
    const char* bad[] = {"", "k", "12q", "-4k", "1.5M", "99999999999999999999"};
    for (size_t i = 0; i < SL_COUNT(bad); ++i) {
        CU_ASSERT_EQUAL(sl_config_set(c, "cache.size", bad[i]), -1);
        CU_ASSERT_STRING_EQUAL(sl_error_key(), "cache.size");
    }
    sl_config_free(c);
}

static void test_errors_name_key(void) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL(sl_config_set(c, "cache.wayz", "4"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "cache.wayz");
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "unknown"));
    CU_ASSERT_EQUAL(sl_config_set(c, "cache.ways", "four"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "cache.ways");
    CU_ASSERT_EQUAL(sl_config_set(c, "cache.ways", "0"), -1); /* below minimum */
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "out of range"));
    CU_ASSERT_EQUAL(sl_config_set(c, "cache.policy", "mru"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "cache.policy");
    CU_ASSERT_EQUAL(sl_config_set(c, "platform.coherent", "maybe"), -1);
    CU_ASSERT_EQUAL(sl_config_set(c, "dram.bandwidth_gbps", "nan"), -1);
    CU_ASSERT_EQUAL(sl_config_set_assignment(c, "novalue"), -1);
    sl_config_free(c);
}

/* Neighbours of the refused cross-key cases that must still be accepted. */
static void test_possible_geometry(void) {
    const char* sets[][2] = {
        {"pci.msi_address=0x80001000", NULL},                      /* RAM, but translated: device addresses are elsewhere */
        {"pci.msi_address=0xfff000", "iommu.levels=2"},            /* below the 2-level space's BTI range [1M, 2M) */
        {"platform.phys_base=0xfffff00000000", "platform.phys_size=1M"}, /* ends at 2^52 */
    };
    for (size_t i = 0; i < SL_COUNT(sets); ++i) {
        sl_config_t* c = sl_config_new();
        for (int k = 0; k < 2 && sets[i][k]; ++k) CU_ASSERT_EQUAL(sl_config_set_assignment(c, sets[i][k]), 0);
        CU_ASSERT_EQUAL(sl_config_validate(c), 0);
        if (sl_config_validate(c)) fprintf(stderr, "%s: %s\n", sets[i][0], sl_error());
        sl_config_free(c);
    }
}

static void test_impossible_geometry(void) {
    struct { const char* sets[3]; const char* key; } cases[] = {
        {{"cache.line=48", NULL}, "cache.line"},                             /* not a power of two */
        {{"cache.size=1000", NULL}, "cache.size"},                           /* not divisible by line*ways */
        {{"cache.size=32k", "cache.ways=3", NULL}, "cache.size"},            /* 32768 % (64*3) != 0 */
        {{"cache.ways=6", "cache.size=24k", "cache.policy=plru"}, "cache.ways"}, /* plru needs 2^n ways */
        {{"iotlb.entries=48", "iotlb.ways=32", NULL}, "iotlb.entries"},      /* not divisible */
        {{"iotlb.entries=16", "iotlb.ways=32", NULL}, "iotlb.ways"},         /* more ways than entries */
        {{"platform.phys_size=2G", NULL}, "platform.phys_size"},             /* overlaps PCI hole */
        {{"platform.phys_base=0x10000000000000", NULL}, "platform.phys_base"}, /* 2^52: beyond PTE addresses */
        {{"pci.msi_address=0x1000000000", NULL}, "pci.msi_address"},       /* inside the device addresses */
        {{"pci.msi_address=0x80001000", "iommu.mode=bypass", NULL}, "pci.msi_address"}, /* inside RAM */
    };
    for (size_t i = 0; i < SL_COUNT(cases); ++i) {
        sl_config_t* c = sl_config_new();
        for (int k = 0; k < 3 && cases[i].sets[k]; ++k) CU_ASSERT_EQUAL(sl_config_set_assignment(c, cases[i].sets[k]), 0);
        CU_ASSERT_EQUAL(sl_config_validate(c), -1);
        CU_ASSERT_STRING_EQUAL(sl_error_key(), cases[i].key);
        /* and the platform refuses to build from it */
        CU_ASSERT_PTR_NULL(sl_platform_create(c));
        CU_ASSERT_STRING_EQUAL(sl_error_key(), cases[i].key);
        sl_config_free(c);
    }
}

static char* write_tmp(const char* text) {
    static char path[64];
    strcpy(path, "/tmp/sl_cfg_XXXXXX");
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_toml_file(void) {
    char* path = write_tmp("[cache]\nsize = \"64k\"\nways = 4\npolicy = \"fifo\"\n[iotlb]\nentries = 128\n"
                           "[dram]\nbandwidth_gbps = 25.6\n[platform]\ncoherent = true\n");
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_load(c, path), 0);
    char v[64];
    get(c, "cache.size", v);
    CU_ASSERT_STRING_EQUAL(v, "64k");
    get(c, "cache.ways", v);
    CU_ASSERT_STRING_EQUAL(v, "4");
    get(c, "cache.policy", v);
    CU_ASSERT_STRING_EQUAL(v, "fifo");
    get(c, "iotlb.entries", v);
    CU_ASSERT_STRING_EQUAL(v, "128");
    get(c, "platform.coherent", v);
    CU_ASSERT_STRING_EQUAL(v, "true");
    get(c, "dram.bandwidth_gbps", v);
    CU_ASSERT_EQUAL(atof(v), 25.6);
    unlink(path);
    sl_config_free(c);

    path = write_tmp("[cache]\nwayz = 4\n");
    c = sl_config_new();
    CU_ASSERT_EQUAL(sl_config_load(c, path), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "cache.wayz");
    unlink(path);
    sl_config_free(c);

    path = write_tmp("[cache\nways = \n");
    c = sl_config_new();
    CU_ASSERT_EQUAL(sl_config_load(c, path), -1); /* syntax error: message from the TOML parser */
    CU_ASSERT(strlen(sl_error()) > 0);
    unlink(path);
    CU_ASSERT_EQUAL(sl_config_load(c, "/nonexistent/x.toml"), -1);
    sl_config_free(c);
}

/* Integers are decimal or 0x hex: a leading zero is refused, not read as octal (010 is not 8). */
static void test_no_octal(void) {
    sl_config_t* c = sl_config_new();
    char v[64];
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.walkers", "010"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "iommu.walkers");
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "leading zeros"));
    CU_ASSERT_EQUAL(sl_config_set(c, "cache.size", "0100000"), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "cache.size");
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.walkers", "0x10"), 0);
    get(c, "iommu.walkers", v);
    CU_ASSERT_STRING_EQUAL(v, "16");
    CU_ASSERT_EQUAL(sl_config_set(c, "iommu.walkers", "0"), -1); /* a lone 0 is decimal 0: below the minimum */
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "out of range"));
    sl_config_free(c);
}

/* A directory, a special file, a /proc file (size 0, unbounded reads) and nesting deep enough to
 * exhaust a recursive parser's stack are refused with a message, never a crash. */
static void test_config_files_refused(void) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL(sl_config_load(c, "/tmp"), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "is a directory"));
    CU_ASSERT_EQUAL(sl_config_load(c, "/dev/null"), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "not a regular file"));
    CU_ASSERT_EQUAL(sl_config_load(c, "/proc/self/status"), -1); /* not TOML: the parser's message */
    CU_ASSERT(strlen(sl_error()) > 0);

    size_t n = 100000;
    char* deep = malloc(n + 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
    memcpy(deep, "a = ", 4);
    memset(deep + 4, '[', n);
    deep[n + 4] = '\n';
    deep[n + 5] = '\0';
    char* path = write_tmp(deep);
    CU_ASSERT_EQUAL(sl_config_load(c, path), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), ":1: nested deeper than 32"));
    unlink(path);
    for (size_t i = 0; i < n; i += 3) memcpy(deep + 4 + i, "{b=", i + 3 <= n ? 3 : n - i);
    path = write_tmp(deep);
    CU_ASSERT_EQUAL(sl_config_load(c, path), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "nested deeper than 32"));
    unlink(path);
    free(deep);

    /* Brackets inside strings and comments do not count; 32 levels are fine. */
    path = write_tmp("# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n[cache]\npolicy = \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\n");
    CU_ASSERT_EQUAL(sl_config_load(c, path), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "cache.policy"); /* reached the value: not a nesting error */
    unlink(path);
    sl_config_free(c);
}

/* The CLI maps every configuration error to exit 2 with a message naming the key. */
static void test_cli_exit_2(void) {
    struct { const char* args; const char* key; } cases[] = {
        {"--set cache.wayz=4", "cache.wayz"},
        {"--set cache.ways=x", "cache.ways"},
        {"--set cache.line=48", "cache.line"},
        {"--set cache.size=1000", "cache.size"},
        {"--set iotlb.entries=48 --set iotlb.ways=32", "iotlb.entries"},
        {"--seed -1", "sim.seed"},
        {"--config /nonexistent.toml", "nonexistent"},
        {"--bogus-flag", "bogus"},
    };
    for (size_t i = 0; i < SL_COUNT(cases); ++i) {
        char cmd[512];
        char* out = NULL;
        snprintf(cmd, sizeof cmd, "%s trace --model cache %s </dev/null", sl_test_bin("staleline"), cases[i].args);
        CU_ASSERT_EQUAL(sl_test_run(cmd, &out), 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, cases[i].key));
        free(out);
    }
    /* Files the run cannot write are refused at start-up, not retried for ever (a VCD writer
     * on /dev/full used to hang), and a configuration directory is named as one. */
    struct { const char* args; const char* text; } run_cases[] = {
        {"--vcd /dev/full", "cannot write VCD file '/dev/full': No space left on device"},
        {"--config /tmp", "config file /tmp is a directory"},
        {"--set iommu.walkers=010", "leading zeros"},
    };
    for (size_t i = 0; i < SL_COUNT(run_cases); ++i) {
        char cmd[512];
        char* out = NULL;
        snprintf(cmd, sizeof cmd, "timeout 60 %s run %s", sl_test_bin("staleline"), run_cases[i].args);
        CU_ASSERT_EQUAL(sl_test_run(cmd, &out), 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, run_cases[i].text));
        free(out);
    }
}

/* docs/configuration.md is generated from params.def and must not drift. */
static void test_doc_up_to_date(void) {
    char cmd[512];
    char* out = NULL;
    snprintf(cmd, sizeof cmd, "%s params --markdown | diff -u %s/docs/configuration.md -", sl_test_bin("staleline"),
             SL_SOURCE_DIR);
    int rc = sl_test_run(cmd, &out);
    if (rc) fprintf(stderr, "docs/configuration.md is stale; regenerate with `build/bin/staleline params --markdown > docs/configuration.md`\n%s", out);
    CU_ASSERT_EQUAL(rc, 0);
    free(out);
}

static const sl_test_t tests[] = {
    SL_TEST(test_defaults_and_set), SL_TEST(test_size_suffixes), SL_TEST(test_errors_name_key),
    SL_TEST(test_impossible_geometry), SL_TEST(test_possible_geometry), SL_TEST(test_toml_file), SL_TEST(test_no_octal),
    SL_TEST(test_config_files_refused), SL_TEST(test_cli_exit_2),
    SL_TEST(test_doc_up_to_date),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "config", tests, SL_COUNT(tests)); }
