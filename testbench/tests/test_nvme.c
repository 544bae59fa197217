/* The NVMe model (devices/nvme, `--device nvme`) and its test driver (driver/nvme-blk) end
 * to end, through `staleline run --device nvme --driver nvme-blk --workload block --json F`:
 *
 *   - Identify: the driver's view of the controller and namespace (model number, namespace
 *     size, block size, MDTS) comes from the Identify data the model wrote through DMA;
 *   - reads and writes through the block-impl protocol: every byte read back equals what was
 *     written (the block workload's shadow check), on MSI and on the legacy line, with PRP
 *     lists (transfers of more than two pages) and without;
 *   - malformed commands get the NVMe status the specification gives, and the controller
 *     goes on working;
 *   - the bug variant (I/O submission entry not cleaned before the doorbell): a
 *     stale-device-read at the doorbell line, related to the store of the entry; harmless
 *     when coherent;
 *   - a failed ZX_ASSERT ends the run with a clear error naming the line;
 *   - the correct driver is clean under the random cache adversary on three seeds, and the
 *     same seed gives the same JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_test.h"

#define DRIVER_FILE "driver/nvme-blk/nvme-blk.c"
#define DOORBELL "wr32(d, d->iosq.db, d->iosq.index);"
#define SQ_STORE "*e = *cmd;"
/* Short runs: a 256 KiB range, transfers up to 64 KiB (16 pages: PRP lists). */
#define SMALL "--set workload.pool_size=256k --set workload.max_size=64k --set workload.transfers=24"

static char* out;

static json_t* run_json(const char* args, int* rc) { return sl_test_run_json(rc, &out, "%s", args); }

/* The model's counter `name` (stats.nvme.model), -1 if never counted. */
static json_int_t nvme_counter(json_t* j, const char* name) {
    return sl_test_json_int(json_object_get(json_object_get(json_object_get(j, "stats"), "nvme"), "model"), name, NULL);
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

/* The line of DRIVER_FILE holding `text` (exactly one), or 0. */
static unsigned driver_line(const char* text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SL_SOURCE_DIR, DRIVER_FILE);
    FILE* f = fopen(path, "r");
    if (!f) return 0;
    char buf[1024];
    unsigned line = 0, found = 0, hits = 0;
    while (fgets(buf, sizeof buf, f)) {
        ++line;
        if (strstr(buf, text)) {
            found = line;
            ++hits;
        }
    }
    fclose(f);
    return hits == 1 ? found : 0;
}

static int at_line(json_t* loc, unsigned line) {
    const char* file = json_string_value(json_object_get(loc, "file"));
    return file && !strcmp(file, DRIVER_FILE) && sl_test_json_int(loc, "line", NULL) == (json_int_t)line;
}

/* A run of the correct driver: exit 0, data verified, no finding; the device moved the bytes. */
static void check_clean(const char* args) {
    char full[1024];
    snprintf(full, sizeof full, "--device nvme --driver nvme-blk --workload block %s", args);
    int rc = 0;
    json_t* j = run_json(full, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t* w = json_object_get(j, "workload_result");
    const size_t nf = json_array_size(json_object_get(j, "findings"));
    if (rc || nf || !json_is_true(json_object_get(j, "data_ok"))) {
        fprintf(stderr, "%s: rc %d, %zu findings, %s\n", args, rc, nf, json_string_value(json_object_get(w, "detail")));
        print_findings(j);
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    CU_ASSERT_EQUAL(nf, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "workload")), "block");
    CU_ASSERT_EQUAL(sl_test_json_int(w, "bad_bytes", NULL), 0);
    CU_ASSERT_EQUAL(sl_test_json_int(w, "failed_ops", NULL), 0);
    CU_ASSERT(sl_test_json_int(w, "bytes_checked", NULL) > 0);
    /* Everything written went through the model, everything read came out of it. */
    CU_ASSERT(nvme_counter(j, "bytes_written") > 0);
    CU_ASSERT(nvme_counter(j, "bytes_read") > 0);
    CU_ASSERT_EQUAL(nvme_counter(j, "bytes_written") + nvme_counter(j, "bytes_read"), sl_test_json_int(w, "bytes", NULL));
    CU_ASSERT_EQUAL(nvme_counter(j, "error_completions"), -1); /* never counted */
    CU_ASSERT_EQUAL(nvme_counter(j, "dma_faults"), -1);
    json_decref(j);
}

/* ---- Identify ---- */

static void identify(void) {
    /* 4096 blocks, MDTS 3: 32 KiB = 64 blocks per transfer, as the driver read them. */
    CU_ASSERT_EQUAL(sl_test_staleline("run --device nvme,blocks=4096,mdts=3 --driver nvme-blk --workload block " SMALL,
                                      &out),
                    0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "'Staleline NVMe model', 4096 blocks of 512 bytes, 64 blocks per transfer"));
    CU_ASSERT_EQUAL(sl_test_staleline("run --device nvme,blocks=100000 --driver nvme-blk --workload block " SMALL, &out),
                    0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "'Staleline NVMe model', 100000 blocks of 512 bytes, 256 blocks per transfer"));
    if (!strstr(out, "100000 blocks")) fprintf(stderr, "%s", out);
}

/* The PCI identity is the kind's (8086:0953, class 01:08:02) unless --device overrides it;
 * nvme-blk binds on the class, so it runs on either. */
static void pci_identity(void) {
    int rc = 0;
    json_t* j = run_json("--device nvme,vendor_id=0x144d,device_id=0xa808 --driver nvme-blk --workload block " SMALL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    json_t* d = json_array_get(json_object_get(j, "devices"), 0);
    CU_ASSERT_EQUAL(sl_test_json_int(d, "vendor_id", NULL), 0x144d);
    CU_ASSERT_EQUAL(sl_test_json_int(d, "device_id", NULL), 0xa808);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    json_decref(j);
    j = run_json("--device nvme --driver nvme-blk --workload block " SMALL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    d = json_array_get(json_object_get(j, "devices"), 0);
    CU_ASSERT_EQUAL(sl_test_json_int(d, "vendor_id", NULL), 0x8086);
    CU_ASSERT_EQUAL(sl_test_json_int(d, "device_id", NULL), 0x0953);
    json_decref(j);
}

/* ---- reads and writes ---- */

static void roundtrip_default(void) { check_clean(""); }

static void roundtrip_small(void) { check_clean(SMALL); }

/* One block per transfer at most: never a PRP2; and a queue depth of 1. */
static void roundtrip_single_blocks(void) {
    check_clean("--set workload.pool_size=64k --set workload.max_size=512 --set workload.queue_depth=1");
}

static void roundtrip_legacy_interrupt(void) {
    int rc = 0;
    json_t* j = run_json("--device nvme,msi=0 --driver nvme-blk --workload block " SMALL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 0);
    CU_ASSERT(nvme_counter(j, "interrupts") > 0);
    json_decref(j);
}

/* ---- malformed commands ---- */

static void garbage_commands(void) {
    int rc = 0;
    json_t* j = run_json("--device nvme --driver nvme-blk-probe-errors --workload block " SMALL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    static const char* expect[] = {
        "probe unknown-opcode: ZX_ERR_IO, status 0x001",       /* Invalid Command Opcode */
        "probe identify-bad-cns: ZX_ERR_IO, status 0x002",     /* Invalid Field in Command */
        "probe identify-bad-nsid: ZX_ERR_IO, status 0x00b",    /* Invalid Namespace or Format */
        "probe create-cq-bad-qid: ZX_ERR_IO, status 0x101",    /* Invalid Queue Identifier */
        "probe create-sq-no-cq: ZX_ERR_IO, status 0x100",      /* Completion Queue Invalid */
        "probe create-cq-bad-vector: ZX_ERR_IO, status 0x108", /* Invalid Interrupt Vector */
        "probe fused: ZX_ERR_IO, status 0x002",                /* fused: not supported */
        "probe identify-unmapped: ZX_ERR_IO, status 0x004",    /* Data Transfer Error */
    };
    for (size_t i = 0; i < SL_COUNT(expect); ++i) {
        CU_ASSERT_PTR_NOT_NULL(strstr(out, expect[i]));
        if (!strstr(out, expect[i])) fprintf(stderr, "missing: %s\n", expect[i]);
    }
    /* The unmapped data pointer is the platform's IOMMU fault (the run's one finding, so exit 1),
     * at the doorbell of that command ... */
    CU_ASSERT_EQUAL(rc, 1);
    json_t* f = json_array_get(json_object_get(j, "findings"), 0);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(f, "kind")), "iommu-fault");
    CU_ASSERT_EQUAL(nvme_counter(j, "error_completions"), 8);
    CU_ASSERT_EQUAL(nvme_counter(j, "dma_faults"), 1);
    /* ... and the controller went on: the workload after them is verified. */
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    json_decref(j);
}

/* ---- the bug variant ---- */

static void bug_sq_not_cleaned(void) {
    const unsigned doorbell = driver_line(DOORBELL), store = driver_line(SQ_STORE);
    CU_ASSERT_FATAL(doorbell > 0 && store > 0);
    int rc = 0;
    json_t* j = run_json("--device nvme --driver nvme-blk-bug-sq-not-cleaned --workload block " SMALL, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_FALSE(json_is_true(json_object_get(j, "data_ok")));
    int at_doorbell = 0, related_store = 0, other = 0;
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "kind")), "stale-device-read")) {
            ++other;
            continue;
        }
        if (!at_line(json_object_get(f, "location"), doorbell)) continue;
        ++at_doorbell;
        if (at_line(json_object_get(json_object_get(f, "related"), "location"), store)) ++related_store;
    }
    if (!at_doorbell || !related_store) {
        fprintf(stderr, "doorbell line %u, store line %u: %d at the doorbell, %d related to the store\n", doorbell,
                store, at_doorbell, related_store);
        print_findings(j);
    }
    CU_ASSERT(at_doorbell > 0);
    CU_ASSERT(related_store > 0);
    json_decref(j);

    /* Where devices snoop the cache, the bug does no harm. */
    j = run_json("--device nvme --driver nvme-blk-bug-sq-not-cleaned --workload block " SMALL
                 " --set platform.coherent=true",
                 &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    json_decref(j);
}

/* ---- zircon/assert.h ---- */

/* A failed ZX_ASSERT ends the run as a driver fault naming the expression and its line: a clear
 * error and exit 1, not a crash. */
static void failed_assert(void) {
    const unsigned line = driver_line("ZX_ASSERT(d->info.block_count == 0);");
    CU_ASSERT_FATAL(line > 0);
    const int rc = sl_test_staleline("run --device nvme --driver nvme-blk-failed-assert --workload block " SMALL, &out);
    CU_ASSERT_EQUAL(rc, 1);
    char want[256];
    snprintf(want, sizeof want, "panic: ASSERT FAILED at (%s/%s:%u): d->info.block_count == 0", SL_SOURCE_DIR,
             DRIVER_FILE, line);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
    if (!strstr(out, want)) fprintf(stderr, "wanted: %s\n%s", want, out);
}

/* ---- seeds, determinism ---- */

static void clean_three_seeds(void) {
    for (int seed = 1; seed <= 3; ++seed) {
        char args[256];
        snprintf(args, sizeof args, SMALL " --set cache.adversary=random --seed %d", seed);
        check_clean(args);
    }
}

static void deterministic(void) {
    int rc1 = 0, rc2 = 0;
    json_t* a = run_json("--device nvme --driver nvme-blk --workload block " SMALL " --seed 5", &rc1);
    json_t* b = run_json("--device nvme --driver nvme-blk --workload block " SMALL " --seed 5", &rc2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    char* sa = json_dumps(a, JSON_SORT_KEYS);
    char* sb = json_dumps(b, JSON_SORT_KEYS);
    CU_ASSERT_STRING_EQUAL(sa, sb);
    free(sa);
    free(sb);
    json_decref(a);
    json_decref(b);
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(identify),
        SL_TEST(pci_identity),
        SL_TEST(roundtrip_default),
        SL_TEST(roundtrip_small),
        SL_TEST(roundtrip_single_blocks),
        SL_TEST(roundtrip_legacy_interrupt),
        SL_TEST(garbage_commands),
        SL_TEST(bug_sq_not_cleaned),
        SL_TEST(failed_assert),
        SL_TEST(clean_three_seeds),
        SL_TEST(deterministic),
    };
    const int rc = sl_test_main(argc, argv, "nvme", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
