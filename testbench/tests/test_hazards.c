/* Hazard rules (docs/findings.md, "Evidence: data and order"): the coherency checker reports
 * what the order of events proves, on every seed and under every cache adversary, and says
 * where the fix goes. Each case is a short sim-thread body that plays a driver with one
 * real-world mistake (the test tells the checker what the shim would, with source lines in a
 * pretend file "drivers/hazard.c"), run on a fresh platform per seed in a child process; the
 * assertions check the exact kind, line, related line, evidence and the key facts of the
 * message. The catalogue's invalidate-before-only variant is checked end to end through
 * `staleline run` without an adversary. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl_test.h"
#include "staleline/staleline.h"

#define PAGE 4096u
#define IOVA 0x100000ULL
#define FAKE "drivers/hazard.c"
#define CMD 0x04
#define SEEDS 20

static sl_platform_t* P;
static sl_checker_t* C;
static uint16_t RID;
static uint64_t BUF; /* physical address of the DMA buffer (PAGES contiguous pages) */
#define PAGES 10

/* ------------------------------------------------------------------ harness */

static int setup(const char* const* sets) {
    sl_config_t* c = sl_config_new();
    int ok = sl_config_set(c, "pci.scratch_device", "true") == 0;
    for (; ok && sets && *sets; ++sets) {
        const char* eq = strchr(*sets, '=');
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - *sets), *sets);
        ok = sl_config_set(c, key, eq + 1) == 0;
    }
    P = ok ? sl_platform_create(c) : NULL;
    sl_config_free(c);
    if (!P) return -1;
    C = sl_checker_attach(P);
    if (!C) return -1;
    const unsigned slot = (unsigned)sl_pci_scratch_slot(P);
    RID = sl_pci_requester_id(slot);
    uint64_t pages[PAGES];
    if (sl_phys_alloc(P, PAGES, 1, pages) != 0) return -1;
    BUF = pages[0];
    sl_pci_config_write(P, slot, CMD, 2, 0x6); /* bus mastering on */
    return 0;
}

static sl_source_location_t at(unsigned line) {
    sl_source_location_t l = {FAKE, line, "hazard_dma"};
    return l;
}

static int g_data_ok;

static void cpu_fill(uint64_t pa, size_t n, uint8_t v, unsigned line) {
    static uint8_t b[PAGE];
    memset(b, v, n);
    sl_cpu_write(P, pa, b, n);
    sl_source_location_t w = at(line);
    sl_checker_cpu_access(C, pa, n, 1, &w);
}

static void cpu_get(uint64_t pa, size_t n, uint8_t* out, unsigned line) {
    sl_cpu_read(P, pa, out, n);
    sl_source_location_t w = at(line);
    sl_checker_cpu_access(C, pa, n, 0, &w);
}

static void cache(sl_cache_op_t op, uint64_t pa, size_t n, unsigned line) {
    sl_source_location_t w = at(line);
    sl_checker_cache_op(C, op, pa, n, &w);
    sl_cache_maintain(P, op, pa, n);
}

static void pin_buffer(unsigned npages, unsigned perms, unsigned line) {
    sl_iommu_map(P, RID, IOVA, BUF, npages * PAGE, perms);
    sl_pin_run_t run = {IOVA, BUF, npages * PAGE, 0};
    sl_checker_pin_t pin = {RID, 7, perms, 1, &run};
    sl_source_location_t w = at(line);
    sl_checker_pin(C, &pin, &w);
}

static void doorbell(unsigned line) {
    sl_source_location_t w = at(line);
    sl_checker_mmio_write(C, RID, 0x10, &w);
}

/* Device DMA in 256-byte bursts (as an engine does). */
static void dev_write(uint64_t off, size_t n, uint8_t v) {
    uint8_t b[256];
    memset(b, v, sizeof b);
    for (size_t d = 0; d < n; d += 256)
        if (sl_device_transport(P, RID, 1, IOVA + off + d, b, n - d < 256 ? n - d : 256) != SL_RESP_OK) g_data_ok = 0;
}

static void dev_read(uint64_t off, size_t n, uint8_t* out) {
    if (sl_device_transport(P, RID, 0, IOVA + off, out, n) != SL_RESP_OK) g_data_ok = 0;
}

static void expect_bytes(const uint8_t* b, size_t n, uint8_t v) {
    for (size_t i = 0; i < n; ++i)
        if (b[i] != v) g_data_ok = 0;
}

/* ---- a run in a child process (one platform per process), its findings sent back ---- */

#define MAX_F 6
typedef struct {
    char kind[32], evidence[8], related_kind[16];
    unsigned line, related_line;
    uint64_t address, size, count;
    char message[1400];
} got_finding_t;

typedef struct {
    int ok, data_ok;
    uint64_t buf; /* BUF in the child */
    size_t n;
    got_finding_t f[MAX_F];
} outcome_t;

/* sets: extra configuration (NULL-terminated, may be NULL). */
static outcome_t in_child(const char* adversary, unsigned seed, const char* const* extra, sl_thread_fn body) {
    outcome_t o;
    memset(&o, 0, sizeof o);
    int fds[2];
    if (pipe(fds) != 0) return o;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        char a[64], s[64];
        snprintf(a, sizeof a, "cache.adversary=%s", adversary);
        snprintf(s, sizeof s, "sim.seed=%u", seed);
        const char* sets[16] = {a, s, "cache.adversary_rate=0.25"};
        size_t k = 3;
        for (; extra && *extra && k < 15; ++extra) sets[k++] = *extra;
        sets[k] = NULL;
        outcome_t c;
        memset(&c, 0, sizeof c);
        g_data_ok = 1;
        if (setup(sets) == 0 && sl_platform_spawn(P, "driver", body, NULL) == 0 && sl_platform_run(P, 0) == 0) {
            c.ok = 1;
            c.data_ok = g_data_ok;
            c.buf = BUF;
            c.n = sl_checker_finding_count(C);
            for (size_t i = 0; i < c.n && i < MAX_F; ++i) {
                sl_finding_t f;
                memset(&f, 0, sizeof f);
                sl_checker_get_finding(C, i, &f);
                got_finding_t* g = &c.f[i];
                snprintf(g->kind, sizeof g->kind, "%s", f.kind);
                snprintf(g->evidence, sizeof g->evidence, "%s", f.evidence ? f.evidence : "");
                snprintf(g->related_kind, sizeof g->related_kind, "%s", f.has_related ? f.related_kind : "");
                snprintf(g->message, sizeof g->message, "%s", f.message);
                g->line = f.location.line;
                g->related_line = f.has_related ? f.related_location.line : 0;
                g->address = f.address;
                g->size = f.size;
                g->count = f.count;
            }
        }
        if (write(fds[1], &c, sizeof c) != (ssize_t)sizeof c) _exit(2);
        _exit(0);
    }
    close(fds[1]);
    if (pid > 0) {
        if (read(fds[0], &o, sizeof o) != (ssize_t)sizeof o) memset(&o, 0, sizeof o);
        int status;
        waitpid(pid, &status, 0);
    }
    close(fds[0]);
    return o;
}

static void print_outcome(const char* what, const char* adversary, unsigned seed, const outcome_t* o) {
    fprintf(stderr, "%s, adversary %s, seed %u: ok %d, data_ok %d, %zu findings\n", what, adversary, seed, o->ok,
            o->data_ok, o->n);
    for (size_t i = 0; i < o->n && i < MAX_F; ++i)
        fprintf(stderr, "  [%zu] %s (%s) at line %u, related %s line %u: %s\n", i, o->f[i].kind, o->f[i].evidence,
                o->f[i].line, o->f[i].related_kind, o->f[i].related_line, o->f[i].message);
}

static int has(const got_finding_t* f, const char* text) {
    if (strstr(f->message, text)) return 1;
    fprintf(stderr, "message lacks '%s': %s\n", text, f->message);
    return 0;
}

static const char* const kAdversaries[] = {"none", "prefetch", "evict", "random"};

/* ------------------------------------------- invalidate before the DMA only */

/* Zircon f31db50 (sdhci): the receive buffer is cleaned+invalidated before the DMA and read
 * after it with no invalidate. Without an adversary the lines were not cached, so the bytes
 * are right; the order still proves the bug. */
static void invalidate_before_only_body(void* arg) {
    static uint8_t out[PAGE];
    pin_buffer(1, SL_PIN_DEVICE_WRITE, 10);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF, PAGE, 11);
    doorbell(12);
    dev_write(0, PAGE, 0xa5);
    cpu_get(BUF, PAGE, out, 13); /* no invalidate before this read */
    expect_bytes(out, PAGE, 0xa5);
}

static void test_invalidate_before_only_every_seed(void) {
    for (unsigned a = 0; a < SL_COUNT(kAdversaries); ++a) {
        unsigned found = 0;
        for (unsigned seed = 1; seed <= SEEDS; ++seed) {
            outcome_t o = in_child(kAdversaries[a], seed, NULL, invalidate_before_only_body);
            CU_ASSERT_TRUE_FATAL(o.ok);
            const got_finding_t* f = &o.f[0];
            const int right = o.n == 1 && !strcmp(f->kind, "stale-cpu-read") && f->line == 13 &&
                              !strcmp(f->related_kind, "device-write") && f->related_line == 12 &&
                              f->address >= o.buf && f->address + f->size <= o.buf + PAGE;
            if (!right) print_outcome("invalidate-before-only", kAdversaries[a], seed, &o);
            found += right;
            if (!right) continue;
            /* without an adversary the data is right and only the order proves it */
            if (a == 0) {
                CU_ASSERT_TRUE(o.data_ok);
                CU_ASSERT_STRING_EQUAL(f->evidence, "order");
                CU_ASSERT_EQUAL(f->address, o.buf); /* every byte the device wrote */
                CU_ASSERT_EQUAL(f->size, PAGE);
            }
            if (!o.data_ok) CU_ASSERT_STRING_EQUAL(f->evidence, "both");
            /* the advice: the operation that exists came before the device write; the missing
             * invalidate goes after it, before this read */
            CU_ASSERT(has(f, "at drivers/hazard.c:11 (hazard_dma) came before the device write"));
            CU_ASSERT(has(f, "Missing zx_vmo_op_range(ZX_VMO_OP_CACHE_INVALIDATE)"));
            CU_ASSERT(has(f, "and before the read at drivers/hazard.c:13"));
        }
        CU_ASSERT_EQUAL(found, SEEDS);
    }
}

/* checker.evidence=data reports only bytes observed wrong: without an adversary nothing;
 * evidence=order reports the hazard whatever the data. A coherent platform has no hazard. */
static void test_evidence_setting(void) {
    const char* data[] = {"checker.evidence=data", NULL};
    const char* order[] = {"checker.evidence=order", NULL};
    const char* coherent[] = {"platform.coherent=true", NULL};
    outcome_t o = in_child("none", 1, data, invalidate_before_only_body);
    CU_ASSERT_TRUE(o.ok && o.data_ok);
    CU_ASSERT_EQUAL(o.n, 0);
    o = in_child("prefetch", 1, data, invalidate_before_only_body);
    CU_ASSERT_FALSE(o.data_ok);
    CU_ASSERT_EQUAL_FATAL(o.n, 1);
    CU_ASSERT_STRING_EQUAL(o.f[0].evidence, "data"); /* the hazard rules are off */
    o = in_child("prefetch", 1, NULL, invalidate_before_only_body);
    CU_ASSERT_EQUAL_FATAL(o.n, 1);
    CU_ASSERT_STRING_EQUAL(o.f[0].evidence, "both");
    o = in_child("none", 1, order, invalidate_before_only_body);
    CU_ASSERT_EQUAL_FATAL(o.n, 1);
    CU_ASSERT_STRING_EQUAL(o.f[0].evidence, "order");
    for (unsigned a = 0; a < SL_COUNT(kAdversaries); ++a) {
        o = in_child(kAdversaries[a], 3, coherent, invalidate_before_only_body);
        CU_ASSERT_TRUE(o.ok && o.data_ok);
        CU_ASSERT_EQUAL(o.n, 0);
    }
}

/* ---------------------------------------- reading the buffer before the invalidate */

/* barebox 9743dce: after the device is done, the driver looks at the received frame (its
 * length) before the invalidate, then invalidates and copies it out. The early read is the
 * bug; the later one is fine. */
static void read_before_invalidate_body(void* arg) {
    static uint8_t out[PAGE];
    pin_buffer(1, SL_PIN_DEVICE_WRITE, 20);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF, PAGE, 21);
    doorbell(22);
    dev_write(0, 1024, 0x5c);
    cpu_get(BUF, 16, out, 23); /* the frame header, before the invalidate */
    cache(SL_CACHE_INVALIDATE, BUF, 1024, 24);
    cpu_get(BUF, 1024, out, 25);
    expect_bytes(out, 1024, 0x5c);
}

static void test_read_before_invalidate(void) {
    for (unsigned a = 0; a < SL_COUNT(kAdversaries); ++a) {
        for (unsigned seed = 1; seed <= SEEDS; seed += (a == 0 ? 1 : 4)) {
            outcome_t o = in_child(kAdversaries[a], seed, NULL, read_before_invalidate_body);
            CU_ASSERT_TRUE_FATAL(o.ok);
            const int right = o.n == 1 && !strcmp(o.f[0].kind, "stale-cpu-read") && o.f[0].line == 23 &&
                              o.f[0].related_line == 22 && o.f[0].size == 16;
            if (!right) print_outcome("read-before-invalidate", kAdversaries[a], seed, &o);
            CU_ASSERT_TRUE(right);
            if (a == 0) CU_ASSERT_STRING_EQUAL(o.f[0].evidence, "order");
        }
    }
}

/* ------------------------------------------- a counter sharing the status line */

/* A CPU counter next to a status word the device writes, in one cache line: the driver
 * bumps the counter while the device works (after the doorbell), then cleans+invalidates the
 * line and reads the status. The write-back of the counter's line lands over the status. */
static void dirty_counter_body(void* arg) {
    uint8_t st[4];
    pin_buffer(1, SL_PIN_DEVICE_READ | SL_PIN_DEVICE_WRITE, 30);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF, 64, 31);
    for (unsigned i = 0; i < 4; ++i) {
        doorbell(32);
        cpu_fill(BUF + 8, 4, (uint8_t)(i + 1), 33); /* counter++ at offset 8 */
        dev_write(0, 4, 0xd0);                      /* status at offset 0 */
        cache(SL_CACHE_CLEAN_INVALIDATE, BUF, 64, 34);
        cpu_get(BUF, 4, st, 35);
        expect_bytes(st, 4, 0xd0);
        cpu_fill(BUF, 4, 0, 36); /* the driver clears the status for the next round */
        cache(SL_CACHE_CLEAN, BUF, 64, 37);
    }
}

static void test_dirty_counter_every_seed(void) {
    unsigned found[SL_COUNT(kAdversaries)] = {0};
    for (unsigned a = 0; a < SL_COUNT(kAdversaries); ++a) {
        for (unsigned seed = 1; seed <= SEEDS; ++seed) {
            outcome_t o = in_child(kAdversaries[a], seed, NULL, dirty_counter_body);
            CU_ASSERT_TRUE_FATAL(o.ok);
            const got_finding_t* f = &o.f[0];
            /* the first finding names the store that dirtied the line, not the flush */
            const int right = o.n >= 1 && !strcmp(f->kind, "lost-device-write") && f->line == 33 &&
                              !strcmp(f->related_kind, "device-write") && f->related_line == 32 && f->address == o.buf &&
                              f->size == 4;
            if (!right) print_outcome("dirty counter", kAdversaries[a], seed, &o);
            found[a] += right;
            if (!right) continue;
            CU_ASSERT(!strcmp(f->evidence, "order") || !strcmp(f->evidence, "both"));
            if (!o.data_ok) CU_ASSERT_STRING_EQUAL(f->evidence, "both");
            CU_ASSERT(has(f, "came after the doorbell at drivers/hazard.c:32"));
            CU_ASSERT(has(f, "CPU data shares the cache line with bytes the device writes"));
            CU_ASSERT(has(f, "zx_system_get_dcache_line_size()"));
            for (size_t i = 1; i < o.n && i < MAX_F; ++i) /* the flush is not blamed */
                CU_ASSERT_NOT_EQUAL(o.f[i].line, 34);
        }
    }
    /* found on every seed, so adversaries hide nothing the plain cache shows */
    for (unsigned a = 0; a < SL_COUNT(kAdversaries); ++a) CU_ASSERT_EQUAL(found[a], SEEDS);
}

/* ------------------------------------------- zeroed by the CPU, then DMA'd into */

/* U-Boot 1a027a9 (nvme identify): the buffer is zeroed by the CPU and handed to the device
 * without a clean; the driver invalidates after the DMA. Variant 1 is the bug, variant 2 the
 * fix the first finding asks for: a clean+invalidate after the memset, before the doorbell. */
static int g_variant;
static void zeroed_buffer_body(void* arg) {
    static uint8_t out[PAGE];
    pin_buffer(1, SL_PIN_DEVICE_WRITE, 40);
    cpu_fill(BUF, PAGE, 0x11, 41); /* what the buffer held before (an earlier use) */
    cache(SL_CACHE_CLEAN, BUF, PAGE, 42);
    cpu_fill(BUF, PAGE, 0x00, 43); /* memset(buf, 0, 4096) */
    if (g_variant == 2) cache(SL_CACHE_CLEAN_INVALIDATE, BUF, PAGE, 44);
    doorbell(45);
    dev_write(0, 512, 0x7e); /* the device fills the first 512 bytes */
    cache(SL_CACHE_INVALIDATE, BUF, PAGE, 46);
    cpu_get(BUF, PAGE, out, 47);
    expect_bytes(out, 512, 0x7e);
    expect_bytes(out + 512, PAGE - 512, 0x00);
}

static void test_zeroed_buffer_advice(void) {
    g_variant = 1;
    outcome_t o = in_child("none", 1, NULL, zeroed_buffer_body);
    CU_ASSERT_TRUE_FATAL(o.ok);
    if (o.n != 2) print_outcome("zeroed buffer", "none", 1, &o);
    CU_ASSERT_FALSE(o.data_ok);
    CU_ASSERT_EQUAL_FATAL(o.n, 2);
    /* first: the memset's lines were dirty when the device wrote them */
    const got_finding_t* f = &o.f[0];
    CU_ASSERT_STRING_EQUAL(f->kind, "lost-device-write");
    CU_ASSERT_EQUAL(f->line, 43);
    CU_ASSERT_STRING_EQUAL(f->related_kind, "device-write");
    CU_ASSERT_EQUAL(f->related_line, 45);
    CU_ASSERT_EQUAL(f->address, o.buf);
    CU_ASSERT_EQUAL(f->size, 512); /* both bursts of the DMA, one finding */
    CU_ASSERT_STRING_EQUAL(f->evidence, "order");
    CU_ASSERT(has(f, "Missing zx_vmo_op_range(ZX_VMO_OP_CACHE_CLEAN_INVALIDATE)"));
    CU_ASSERT(has(f, "after this store and before the doorbell at drivers/hazard.c:45"));
    /* second: the invalidate dropped the zeros; the advice is not "clean here" */
    f = &o.f[1];
    CU_ASSERT_STRING_EQUAL(f->kind, "discarded-cpu-write");
    CU_ASSERT_EQUAL(f->line, 46);
    CU_ASSERT_STRING_EQUAL(f->evidence, "data");
    CU_ASSERT(has(f, "cleaning them here would write them over the device's data"));
    CU_ASSERT(has(f, "The clean belongs before the device writes"));
    CU_ASSERT(has(f, "before the doorbell at drivers/hazard.c:45"));
    CU_ASSERT_PTR_NULL(strstr(f->message, "use ZX_VMO_OP_CACHE_CLEAN_INVALIDATE when"));

    /* the advice applied: clean on every seed and adversary */
    g_variant = 2;
    for (unsigned a = 0; a < SL_COUNT(kAdversaries); ++a)
        for (unsigned seed = 1; seed <= SEEDS; seed += 3) {
            o = in_child(kAdversaries[a], seed, NULL, zeroed_buffer_body);
            if (o.n || !o.data_ok) print_outcome("zeroed buffer, fixed", kAdversaries[a], seed, &o);
            CU_ASSERT_TRUE(o.ok && o.data_ok);
            CU_ASSERT_EQUAL(o.n, 0);
        }
}

/* ------------------------------------------- cache operations that exist but are wrong */

/* A clean whose start was rounded down to a line without extending the length: the
 * buffer's last line is never cleaned. The finding names the clean, its range and the
 * range needed. */
static void short_clean_body(void* arg) {
    uint8_t out[256];
    pin_buffer(1, SL_PIN_DEVICE_READ, 50);
    cpu_fill(BUF + 32, 256, 0x3c, 51);
    cache(SL_CACHE_CLEAN, BUF, 256, 52); /* should be BUF .. BUF + 288 */
    doorbell(53);
    dev_read(32, 256, out);
    expect_bytes(out, 256, 0x3c);
}

static void test_short_clean(void) {
    for (unsigned a = 0; a < SL_COUNT(kAdversaries); ++a) {
        outcome_t o = in_child(kAdversaries[a], 2, NULL, short_clean_body);
        CU_ASSERT_TRUE_FATAL(o.ok);
        if (o.n != 1) print_outcome("short clean", kAdversaries[a], 2, &o);
        CU_ASSERT_EQUAL_FATAL(o.n, 1);
        const got_finding_t* f = &o.f[0];
        CU_ASSERT_STRING_EQUAL(f->kind, "stale-device-read");
        CU_ASSERT_EQUAL(f->line, 52); /* the clean, not the doorbell */
        CU_ASSERT_EQUAL(f->related_line, 51);
        CU_ASSERT_EQUAL(f->address, o.buf + 256);
        CU_ASSERT_EQUAL(f->size, 32);
        char covered[96], needed[96];
        snprintf(covered, sizeof covered, "covered PA 0x%llx..0x%llx", (unsigned long long)o.buf,
                 (unsigned long long)(o.buf + 256));
        snprintf(needed, sizeof needed, "extend it to PA 0x%llx..0x%llx", (unsigned long long)o.buf,
                 (unsigned long long)(o.buf + 320));
        CU_ASSERT(has(f, covered));
        CU_ASSERT(has(f, needed));
        CU_ASSERT(has(f, "stored by the CPU write at drivers/hazard.c:51"));
        if (a == 0) {
            CU_ASSERT_FALSE(o.data_ok); /* the last line was still dirty */
            CU_ASSERT_STRING_EQUAL(f->evidence, "both");
        }
    }
}

/* An invalidate one line short after the device wrote: the read of the last line names
 * the invalidate. */
static void short_invalidate_body(void* arg) {
    static uint8_t out[PAGE];
    pin_buffer(1, SL_PIN_DEVICE_WRITE, 60);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF, 1024, 61);
    doorbell(62);
    dev_write(0, 1024, 0x6d);
    cache(SL_CACHE_INVALIDATE, BUF, 1024 - 64, 63); /* one line short */
    cpu_get(BUF, 1024, out, 64);
    expect_bytes(out, 1024, 0x6d);
}

static void test_short_invalidate(void) {
    outcome_t o = in_child("none", 1, NULL, short_invalidate_body);
    CU_ASSERT_TRUE_FATAL(o.ok);
    if (o.n != 1) print_outcome("short invalidate", "none", 1, &o);
    CU_ASSERT_EQUAL_FATAL(o.n, 1);
    const got_finding_t* f = &o.f[0];
    CU_ASSERT_STRING_EQUAL(f->kind, "stale-cpu-read");
    CU_ASSERT_EQUAL(f->line, 63);
    CU_ASSERT_EQUAL(f->address, o.buf + 1024 - 64);
    CU_ASSERT_EQUAL(f->size, 64);
    CU_ASSERT_STRING_EQUAL(f->evidence, "order");
    char needed[96];
    snprintf(needed, sizeof needed, "extend it to PA 0x%llx..0x%llx", (unsigned long long)o.buf,
             (unsigned long long)(o.buf + 1024));
    CU_ASSERT(has(f, needed));
    CU_ASSERT(has(f, "the read at drivers/hazard.c:64"));
}

/* zx_cache_flush(ZX_CACHE_FLUSH_DATA) after the DMA where clean+invalidate was needed:
 * the finding is at the flush and says which kind it must be. */
static void clean_only_body(void* arg) {
    uint8_t out[256];
    pin_buffer(1, SL_PIN_DEVICE_WRITE, 70);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF, 256, 71);
    doorbell(72);
    dev_write(0, 256, 0x4b);
    cache(SL_CACHE_CLEAN, BUF, 256, 73); /* clean only */
    cpu_get(BUF, 256, out, 74);
    expect_bytes(out, 256, 0x4b);
}

static void test_clean_only_flush(void) {
    for (unsigned a = 0; a < SL_COUNT(kAdversaries); ++a) {
        for (unsigned seed = 1; seed <= SEEDS; seed += 5) {
            outcome_t o = in_child(kAdversaries[a], seed, NULL, clean_only_body);
            CU_ASSERT_TRUE_FATAL(o.ok);
            if (o.n != 1) print_outcome("clean-only flush", kAdversaries[a], seed, &o);
            CU_ASSERT_EQUAL_FATAL(o.n, 1);
            const got_finding_t* f = &o.f[0];
            CU_ASSERT_STRING_EQUAL(f->kind, "stale-cpu-read");
            CU_ASSERT_EQUAL(f->line, 73); /* the flush of the wrong kind */
            CU_ASSERT_EQUAL(f->related_line, 72);
            CU_ASSERT(has(f, "only cleans"));
            CU_ASSERT(has(f, "ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE"));
            CU_ASSERT(has(f, "the read at drivers/hazard.c:74"));
            if (a == 0) CU_ASSERT_STRING_EQUAL(f->evidence, "order");
        }
    }
}

/* The clean exists but comes before the last store (a header filled in after the clean): the
 * finding names that clean and says to clean after the last write; the doorbell stays the
 * location. */
static void clean_too_early_body(void* arg) {
    uint8_t out[256];
    pin_buffer(1, SL_PIN_DEVICE_READ, 100);
    cpu_fill(BUF, 256, 0x15, 101);
    cache(SL_CACHE_CLEAN, BUF, 256, 102);
    cpu_fill(BUF, 16, 0x16, 103); /* the header, after the clean */
    doorbell(104);
    dev_read(0, 256, out);
    expect_bytes(out, 16, 0x16);
}

static void test_clean_too_early(void) {
    outcome_t o = in_child("none", 1, NULL, clean_too_early_body);
    CU_ASSERT_TRUE_FATAL(o.ok);
    CU_ASSERT_FALSE(o.data_ok);
    if (o.n != 1) print_outcome("clean too early", "none", 1, &o);
    CU_ASSERT_EQUAL_FATAL(o.n, 1);
    const got_finding_t* f = &o.f[0];
    CU_ASSERT_STRING_EQUAL(f->kind, "stale-device-read");
    CU_ASSERT_EQUAL(f->line, 104);
    CU_ASSERT_EQUAL(f->related_line, 103);
    CU_ASSERT_EQUAL(f->address, o.buf);
    CU_ASSERT_EQUAL(f->size, 16);
    CU_ASSERT_STRING_EQUAL(f->evidence, "both");
    CU_ASSERT(has(f, "at drivers/hazard.c:102 (hazard_dma) came before the CPU write at drivers/hazard.c:103"));
    CU_ASSERT(has(f, "clean after the last CPU write"));
}

/* ------------------------------------------- DMA to the wrong page of a pin */

/* A wrong index into addrs[]: the driver prepares page 0 of a 4-page pin and hands the device
 * addrs[1]. Reading the buffer back hits the device's bytes in page 1, which no invalidate
 * covered; the finding says the device was given the wrong page, at the doorbell. */
static void wrong_page_body(void* arg) {
    static uint8_t out[2 * PAGE];
    pin_buffer(4, SL_PIN_DEVICE_WRITE, 90);
    cache(SL_CACHE_CLEAN_INVALIDATE, BUF, PAGE, 91);
    doorbell(92);
    dev_write(PAGE, 512, 0x9e); /* addrs[1] instead of addrs[0] */
    cache(SL_CACHE_INVALIDATE, BUF, PAGE, 93);
    cpu_get(BUF, 2 * PAGE, out, 94);
    expect_bytes(out, 512, 0x9e);
}

static void test_wrong_page(void) {
    for (unsigned a = 0; a < SL_COUNT(kAdversaries); ++a) {
        outcome_t o = in_child(kAdversaries[a], 4, NULL, wrong_page_body);
        CU_ASSERT_TRUE_FATAL(o.ok);
        CU_ASSERT_FALSE(o.data_ok); /* page 0 never got the data */
        if (o.n != 1) print_outcome("wrong page", kAdversaries[a], 4, &o);
        CU_ASSERT_EQUAL_FATAL(o.n, 1);
        const got_finding_t* f = &o.f[0];
        CU_ASSERT_STRING_EQUAL(f->kind, "stale-cpu-read");
        CU_ASSERT_EQUAL(f->line, 92); /* where the device was handed the address */
        CU_ASSERT(f->address >= o.buf + PAGE && f->address + f->size <= o.buf + PAGE + 512);
        if (a == 0) CU_ASSERT_EQUAL(f->size, 512);
        char dev[96];
        snprintf(dev, sizeof dev, "in page addrs[1] = 0x%llx of pin #1 made at drivers/hazard.c:90",
                 (unsigned long long)(IOVA + PAGE));
        CU_ASSERT(has(f, dev));
        CU_ASSERT(has(f, "(it prepared addrs[0])"));
        CU_ASSERT(has(f, "the device was given the wrong page"));
        CU_ASSERT_PTR_NULL(strstr(f->message, "Missing zx_vmo_op_range(ZX_VMO_OP_CACHE_INVALIDATE)"));
    }
}

/* ------------------------------------------- a store the cache happened to write back */

/* The CPU fills a buffer, never cleans it, and rings; the dirty lines were evicted by
 * unrelated work in the same cache sets, so the device reads the right bytes. The order
 * still proves the missing clean. */
static void evicted_in_time_body(void* arg) {
    uint8_t out[64];
    pin_buffer(1, SL_PIN_DEVICE_READ, 80);
    cpu_fill(BUF, 64, 0x2a, 81);
    for (unsigned k = 1; k <= 8; ++k) cpu_fill(BUF + k * PAGE, 8, 0x22, 82); /* same set: evicts BUF's line */
    doorbell(83);
    dev_read(0, 64, out);
    expect_bytes(out, 64, 0x2a);
}

static void test_missing_clean_evicted_in_time(void) {
    outcome_t o = in_child("none", 1, NULL, evicted_in_time_body);
    CU_ASSERT_TRUE_FATAL(o.ok);
    CU_ASSERT_TRUE(o.data_ok);
    if (o.n != 1) print_outcome("evicted in time", "none", 1, &o);
    CU_ASSERT_EQUAL_FATAL(o.n, 1);
    const got_finding_t* f = &o.f[0];
    CU_ASSERT_STRING_EQUAL(f->kind, "stale-device-read");
    CU_ASSERT_EQUAL(f->line, 83);
    CU_ASSERT_STRING_EQUAL(f->related_kind, "cpu-write");
    CU_ASSERT_EQUAL(f->related_line, 81);
    CU_ASSERT_STRING_EQUAL(f->evidence, "order");
    CU_ASSERT(has(f, "Missing zx_vmo_op_range(ZX_VMO_OP_CACHE_CLEAN)"));
    CU_ASSERT(has(f, "after the CPU write at drivers/hazard.c:81 (hazard_dma) and before the doorbell at "
                     "drivers/hazard.c:83"));
}

/* ------------------------------------------- the catalogue, end to end */

#define SMALL "--set workload.transfers=8 --set workload.max_size=16k --set workload.queue_depth=4"

/* bug:invalidate-before-only is found without an adversary, on every seed, at the driver's
 * read of the destination (the catalogue's line), with evidence from the order. */
static void test_catalogue_invalidate_before_only_no_adversary(void) {
    char* out = NULL;
    for (unsigned seed = 1; seed <= SEEDS; ++seed) {
        char args[512];
        snprintf(args, sizeof args, "run --driver bug:invalidate-before-only --workload blockio " SMALL " --seed %u",
                 seed);
        int rc = 0;
        json_t* j = sl_test_staleline_json(args, &rc, &out);
        CU_ASSERT_PTR_NOT_NULL_FATAL(j);
        CU_ASSERT_EQUAL(rc, 1);
        json_t* f = json_array_get(json_object_get(j, "findings"), 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(f, "kind")), "stale-cpu-read");
        json_t* loc = json_object_get(f, "location");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(loc, "file")), "driver/dmac/dmac-xfer.c");
        const char* msg = json_string_value(json_object_get(f, "message"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "no invalidate of their lines came between that write and this read"));
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "came before the device write"));
        json_decref(j);
    }
    free(out);
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_invalidate_before_only_every_seed),
        SL_TEST(test_evidence_setting),
        SL_TEST(test_read_before_invalidate),
        SL_TEST(test_dirty_counter_every_seed),
        SL_TEST(test_zeroed_buffer_advice),
        SL_TEST(test_short_clean),
        SL_TEST(test_short_invalidate),
        SL_TEST(test_clean_only_flush),
        SL_TEST(test_clean_too_early),
        SL_TEST(test_wrong_page),
        SL_TEST(test_missing_clean_evicted_in_time),
        SL_TEST(test_catalogue_invalidate_before_only_no_adversary),
    };
    return sl_test_main(argc, argv, "hazards", tests, SL_COUNT(tests));
}
