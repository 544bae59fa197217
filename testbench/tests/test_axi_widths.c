/* The pin-level AXI4 bridge at every data width it supports (32, 64, 128, 256 bits), through
 * the axiprobe device (rtl/axiprobe) built once per width as a device module and placed in a
 * platform with the IOMMU in bypass (device addresses are physical). From a simulated thread
 * the test programs the device over MMIO and checks, for ranges at every start offset around
 * a 4 KiB boundary and lengths around the bus width:
 *   - READ: the device's checksum of the range equals the one computed here from DRAM, so
 *     every byte reached the right lane of the right beat, in order, with its burst's ID;
 *   - WRITE: exactly the range holds the pattern afterwards, every byte around it is as it was
 *     (the write strobes of partial beats were honoured);
 *   - the bursts and beats the device issued follow the burst rule computed here, with up to
 *     1 or 4 read bursts in flight (4 reached), and the device's statistics in
 *     sl_platform_stats_json agree with the sums.
 * Two widths in one platform (two Verilated models, each with its own Verilator runtime)
 * working at the same time, and on each other's data, close it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axiprobe-regs.h"
#include "sl_test.h"
#include "staleline/staleline.h"

#define CFG_CMD 0x04
#define CFG_BAR0 0x10
#define CFG_INT_LINE 0x3c
#define CMD_MEM 0x2u
#define CMD_BUS_MASTER 0x4u

#define PAGE 4096u
#define REGION_PAGES 4u
#define REGION (REGION_PAGES * PAGE)
#define MAX_FAIL_PRINTS 12

/* What the statistics should say after the operations run so far. */
typedef struct {
    uint64_t read_bursts, write_bursts, bytes_read, bytes_written;
    uint64_t ops;
} expect_t;

typedef struct {
    sl_platform_t* p;
    const char* name; /* kind and instance name */
    unsigned width, bus;
    int slot;
    unsigned intx;
    uint64_t bar;
    uint64_t region;       /* REGION_PAGES contiguous RAM pages */
    uint8_t bg[REGION];    /* what the region holds between operations */
    expect_t exp;
    unsigned failures, prints, max_seen4;
    int finished;
} probe_t;

/* ---- the reference: burst rule and checksum, from the device's specification ---- */

typedef struct {
    unsigned bursts, beats, span; /* span: bytes the bursts' beats cover from their AxADDR */
} plan_t;

/* Bursts of full-bus beats from AxADDR = the next byte, at most 16 beats, never across a
 * 4 KiB boundary, never past the bus word holding the range's last byte. */
static plan_t plan(uint64_t addr, unsigned len, unsigned bus) {
    plan_t r = {0, 0, 0};
    while (len) {
        unsigned lo = (unsigned)(addr % bus);
        unsigned need = (lo + len + bus - 1) / bus;
        unsigned to4k = (unsigned)((PAGE - (addr % PAGE - lo)) / bus);
        unsigned beats = need < to4k ? need : to4k;
        if (beats > 16) beats = 16;
        unsigned covers = beats * bus - lo, take = covers < len ? covers : len;
        r.bursts++;
        r.beats += beats;
        r.span += covers;
        addr += take;
        len -= take;
    }
    return r;
}

static uint32_t checksum(const uint8_t* p, unsigned len) {
    uint32_t s = 0;
    for (unsigned i = 0; i < len; ++i) s += (uint32_t)p[i] * (i + 1);
    return s;
}

static void fill_random(uint8_t* p, size_t n, uint64_t seed) {
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; ++i) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (uint8_t)(s >> 56);
    }
}

/* ---- the device ---- */

static uint32_t rd(probe_t* d, uint32_t off) {
    uint32_t v = 0xDEADBEEFu;
    CU_ASSERT_EQUAL(sl_cpu_transport(d->p, 0, d->bar + off, &v, 4, 1), SL_RESP_OK);
    return v;
}

static void wr(probe_t* d, uint32_t off, uint32_t v) {
    CU_ASSERT_EQUAL(sl_cpu_transport(d->p, 1, d->bar + off, &v, 4, 1), SL_RESP_OK);
}

/* In a simulated thread: find the device, check its identity, enable memory space and bus
 * mastering, give it a region of RAM filled with a background. */
static void dev_init(probe_t* d, sl_platform_t* p, const char* name, unsigned width, unsigned index) {
    memset(d, 0, sizeof *d);
    d->p = p;
    d->name = name;
    d->width = width;
    d->bus = width / 8;
    d->slot = sl_platform_device_slot(p, name);
    CU_ASSERT_FATAL(d->slot >= 0);
    const unsigned s = (unsigned)d->slot;
    CU_ASSERT_EQUAL(sl_pci_config_read(p, s, 0x00, 2), AXIPROBE_VENDOR_ID);
    CU_ASSERT_EQUAL(sl_pci_config_read(p, s, 0x02, 2), AXIPROBE_DEVICE_ID + index);
    d->bar = ((uint64_t)sl_pci_config_read(p, s, CFG_BAR0 + 4, 4) << 32) |
             (sl_pci_config_read(p, s, CFG_BAR0, 4) & ~0xFu);
    d->intx = sl_pci_config_read(p, s, CFG_INT_LINE, 1);
    sl_pci_config_write(p, s, CFG_CMD, 2, CMD_MEM | CMD_BUS_MASTER);
    CU_ASSERT_EQUAL(rd(d, AXIPROBE_REG_ID), AXIPROBE_ID_VALUE);
    CU_ASSERT_EQUAL(rd(d, AXIPROBE_REG_INFO), width | 4u << 16);
    uint64_t pages[REGION_PAGES];
    CU_ASSERT_EQUAL_FATAL(sl_phys_alloc(p, REGION_PAGES, 1, pages), 0);
    d->region = pages[0];
    fill_random(d->bg, REGION, 1000 + width);
    CU_ASSERT_EQUAL(sl_dram_write(p, d->region, d->bg, REGION), 0);
}

typedef struct {
    uint32_t status, result, bursts, beats, max_seen, err;
} outcome_t;

/* Program one operation, start it, poll STATUS until DONE, collect the results, clear DONE. */
static outcome_t run_op(probe_t* d, uint32_t op, uint64_t addr, uint32_t len, uint32_t seed, uint32_t max_out) {
    outcome_t o;
    wr(d, AXIPROBE_REG_ADDR_LO, (uint32_t)addr);
    wr(d, AXIPROBE_REG_ADDR_HI, (uint32_t)(addr >> 32));
    wr(d, AXIPROBE_REG_LEN, len);
    wr(d, AXIPROBE_REG_OP, op);
    wr(d, AXIPROBE_REG_SEED, seed);
    wr(d, AXIPROBE_REG_MAX_OUT, max_out);
    wr(d, AXIPROBE_REG_GO, 1);
    /* 4096 bytes on a 32-bit bus is 1024 beats: ~4 us at 250 MHz; allow far more. */
    for (unsigned polls = 0;; ++polls) {
        o.status = rd(d, AXIPROBE_REG_STATUS);
        if (o.status & AXIPROBE_STATUS_DONE) break;
        if (polls > 20000) {
            CU_FAIL("axiprobe never finished");
            break;
        }
        sl_wait_ns(200);
    }
    o.result = rd(d, AXIPROBE_REG_RESULT);
    o.bursts = rd(d, AXIPROBE_REG_BURSTS);
    o.beats = rd(d, AXIPROBE_REG_BEATS);
    o.max_seen = rd(d, AXIPROBE_REG_MAX_SEEN);
    o.err = rd(d, AXIPROBE_REG_ERR_CODE);
    wr(d, AXIPROBE_REG_STATUS, AXIPROBE_STATUS_DONE);
    return o;
}

/* A failed check, printed (the first few) with where it was: the start as an offset from
 * the nearest 4 KiB boundary. */
static void fail(probe_t* d, const char* what, uint32_t op, uint64_t addr, uint32_t len, uint32_t max_out,
                 uint64_t got, uint64_t want) {
    ++d->failures;
    if (d->prints++ >= MAX_FAIL_PRINTS) return;
    const long long in_page = (long long)(addr % PAGE), at = in_page > PAGE / 2 ? in_page - PAGE : in_page;
    fprintf(stderr, "%s: %s %s at boundary%+lld len %u max_out %u: got %llu (0x%llx), want %llu (0x%llx)\n",
            d->name, op == AXIPROBE_OP_READ ? "READ" : "WRITE", what, at, len, max_out, (unsigned long long)got,
            (unsigned long long)got, (unsigned long long)want, (unsigned long long)want);
}
#define EXPECT(d, what, got, want)                                                                     \
    do {                                                                                               \
        if ((uint64_t)(got) != (uint64_t)(want)) fail(d, what, op, addr, len, max_out, got, want); \
    } while (0)

/* One operation checked against the reference; the expected statistics updated. */
static void check_op(probe_t* d, uint32_t op, uint64_t addr, uint32_t len, uint32_t max_out) {
    const uint32_t seed = (uint32_t)(d->exp.ops * 37 + 11) & 0xff;
    const plan_t pl = plan(addr, len, d->bus);
    const outcome_t o = run_op(d, op, addr, len, seed, max_out);
    ++d->exp.ops;
    EXPECT(d, "status", o.status, AXIPROBE_STATUS_DONE);
    EXPECT(d, "error code", o.err, AXIPROBE_ERR_NONE);
    EXPECT(d, "bursts", o.bursts, pl.bursts);
    EXPECT(d, "beats", o.beats, pl.beats);
    /* In flight at once: never more than allowed; with 4 allowed, as many as there were
     * (the device issues them back to back, the first R beat is hundreds of ns away). */
    if (op == AXIPROBE_OP_READ) EXPECT(d, "max in flight", o.max_seen, max_out < pl.bursts ? max_out : pl.bursts);
    else if (o.max_seen < 1 || o.max_seen > max_out) EXPECT(d, "max in flight", o.max_seen, max_out);
    if (op == AXIPROBE_OP_READ && max_out == 4 && pl.bursts >= 4 && o.max_seen == 4) ++d->max_seen4;
    const unsigned at = (unsigned)(addr - d->region);
    if (op == AXIPROBE_OP_READ) {
        EXPECT(d, "checksum", o.result, checksum(d->bg + at, len));
        d->exp.read_bursts += pl.bursts;
        d->exp.bytes_read += pl.span; /* the bridge reads every byte of every beat */
        return;
    }
    d->exp.write_bursts += pl.bursts;
    d->exp.bytes_written += len; /* and writes only the strobed ones */
    static uint8_t got[REGION];
    CU_ASSERT_EQUAL(sl_dram_read(d->p, d->region, got, REGION), 0);
    unsigned bad_in = 0, bad_out = 0;
    for (unsigned i = 0; i < REGION; ++i) {
        if (i >= at && i < at + len) bad_in += got[i] != (uint8_t)(seed + (i - at));
        else bad_out += got[i] != d->bg[i];
    }
    EXPECT(d, "wrong bytes inside", bad_in, 0);
    EXPECT(d, "bytes changed outside", bad_out, 0);
    /* the background back */
    const int rc = bad_in || bad_out ? sl_dram_write(d->p, d->region, d->bg, REGION)
                                     : sl_dram_write(d->p, addr, d->bg + at, len);
    CU_ASSERT_EQUAL(rc, 0);
}

/* Every start offset 0..bus+1 after a 4 KiB boundary and as far before it (so short ranges
 * start in one page and end in the next), the lengths around the bus width, READ and WRITE,
 * with 1 and 4 bursts in flight. `stride` > 1 takes every stride-th offset. */
static void sweep(probe_t* d, unsigned stride) {
    const unsigned b = d->bus;
    const uint64_t boundary = d->region + PAGE;
    static const uint32_t outs[2] = {1, 4};
    for (unsigned m = 0; m < 2; ++m)
        for (unsigned side = 0; side < 2; ++side)
            for (unsigned off = 0; off <= b + 1; off += stride) {
                const uint64_t addr = side ? boundary - (b + 2) + off : boundary + off;
                const uint32_t lens[] = {1, 2, 3, b - 1, b, b + 1, 2 * b + 3, 127, 128, 129, PAGE - off};
                for (unsigned i = 0; i < SL_COUNT(lens); ++i) {
                    check_op(d, AXIPROBE_OP_READ, addr, lens[i], outs[m]);
                    check_op(d, AXIPROBE_OP_WRITE, addr, lens[i], outs[m]);
                }
            }
}

/* Arguments out of range end at GO with ERR_ARGS, no bursts, DONE and irq; clearing DONE
 * drops irq. */
static void check_args_and_irq(probe_t* d) {
    const uint64_t addr = d->region;
    outcome_t o = run_op(d, AXIPROBE_OP_READ, addr, 0, 0, 1);
    CU_ASSERT_EQUAL(o.status, AXIPROBE_STATUS_DONE | AXIPROBE_STATUS_ERROR);
    CU_ASSERT_EQUAL(o.err, AXIPROBE_ERR_ARGS);
    CU_ASSERT_EQUAL(o.bursts, 0);
    o = run_op(d, AXIPROBE_OP_WRITE, addr, 4097, 0, 1);
    CU_ASSERT_EQUAL(o.err, AXIPROBE_ERR_ARGS);
    o = run_op(d, AXIPROBE_OP_READ, addr, 16, 0, 5);
    CU_ASSERT_EQUAL(o.err, AXIPROBE_ERR_ARGS);
    o = run_op(d, 3, addr, 16, 0, 1);
    CU_ASSERT_EQUAL(o.err, AXIPROBE_ERR_ARGS);
    /* irq follows DONE (INTx: MSI is off). The read makes sure the posted write that
     * cleared DONE has reached the device before irq is looked at. */
    CU_ASSERT_EQUAL(rd(d, AXIPROBE_REG_STATUS), 0);
    CU_ASSERT_EQUAL(sl_irq_level(d->p, d->intx), 0);
    wr(d, AXIPROBE_REG_LEN, 8);
    wr(d, AXIPROBE_REG_OP, AXIPROBE_OP_READ);
    wr(d, AXIPROBE_REG_MAX_OUT, 1);
    wr(d, AXIPROBE_REG_GO, 1);
    CU_ASSERT_EQUAL(sl_irq_wait(d->p, d->intx, 100000), 1);
    CU_ASSERT_EQUAL(rd(d, AXIPROBE_REG_STATUS), AXIPROBE_STATUS_DONE);
    CU_ASSERT_EQUAL(sl_irq_level(d->p, d->intx), 1);
    wr(d, AXIPROBE_REG_STATUS, AXIPROBE_STATUS_DONE);
    CU_ASSERT_EQUAL(rd(d, AXIPROBE_REG_STATUS), 0);
    CU_ASSERT_EQUAL(sl_irq_level(d->p, d->intx), 0);
    const plan_t pl = plan(addr, 8, d->bus);
    d->exp.read_bursts += pl.bursts;
    d->exp.bytes_read += pl.span;
}

static void report(probe_t* d) {
    CU_ASSERT_EQUAL(d->failures, 0);
    if (d->failures) fprintf(stderr, "%s: %u failed checks\n", d->name, d->failures);
}

/* ---- the platform ---- */

static sl_platform_t* make(const char* devices) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "platform.devices", devices), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "iommu.mode", "bypass"), 0);
    sl_platform_t* p = sl_platform_create(c);
    if (!p) fprintf(stderr, "sl_platform_create(%s): %s\n", devices, sl_error());
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    return p;
}

/* The device's statistics agree with what the operations should have cost. */
static void check_stats(sl_platform_t* p, const probe_t* d) {
    char* text = sl_platform_stats_json(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    json_t* root = json_loads(text, 0, NULL);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    json_t* s = json_object_get(root, d->name);
    CU_ASSERT_PTR_NOT_NULL(s);
    CU_ASSERT_EQUAL(sl_test_json_int(s, "read_bursts", NULL), (json_int_t)d->exp.read_bursts);
    CU_ASSERT_EQUAL(sl_test_json_int(s, "write_bursts", NULL), (json_int_t)d->exp.write_bursts);
    CU_ASSERT_EQUAL(sl_test_json_int(s, "bytes_read", NULL), (json_int_t)d->exp.bytes_read);
    CU_ASSERT_EQUAL(sl_test_json_int(s, "bytes_written", NULL), (json_int_t)d->exp.bytes_written);
    CU_ASSERT_EQUAL(sl_test_json_int(s, "error_responses", NULL), 0);
    fprintf(stderr,
            "%s: %llu operations in %lld ns, %lld read + %lld write bursts, %lld/%lld bytes read/written; "
            "cycles %lld (evaluated %lld, waiting %lld, idle %lld); %u reads had 4 bursts in flight\n",
            d->name, (unsigned long long)d->exp.ops, (long long)sl_test_json_int(root, "sim_time_ns", NULL),
            (long long)sl_test_json_int(s, "read_bursts", NULL), (long long)sl_test_json_int(s, "write_bursts", NULL), (long long)sl_test_json_int(s, "bytes_read", NULL),
            (long long)sl_test_json_int(s, "bytes_written", NULL), (long long)sl_test_json_int(s, "cycles", NULL), (long long)sl_test_json_int(s, "cycles_evaluated", NULL),
            (long long)sl_test_json_int(s, "cycles_waiting", NULL), (long long)sl_test_json_int(s, "cycles_idle", NULL), d->max_seen4);
    json_decref(root);
}

/* ---- one width ---- */

static probe_t one;
static const char* one_name;
static unsigned one_width, one_index;

static void one_thread(void* arg) {
    probe_t* d = &one;
    dev_init(d, arg, one_name, one_width, one_index);
    check_args_and_irq(d);
    sweep(d, 1);
    CU_ASSERT(d->max_seen4 > 0);
    report(d);
}

static void width_case(const char* name, unsigned width, unsigned index) {
    one_name = name;
    one_width = width;
    one_index = index;
    sl_platform_t* p = make(name);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(p, "test", one_thread, p), 0);
    CU_ASSERT_EQUAL(sl_platform_run(p, 0), 0);
    check_stats(p, &one);
    sl_platform_destroy(p);
}

static void test_width_32(void) { width_case("axiprobe32", 32, 0); }
static void test_width_64(void) { width_case("axiprobe64", 64, 1); }
static void test_width_128(void) { width_case("axiprobe128", 128, 2); }
static void test_width_256(void) { width_case("axiprobe256", 256, 3); }

/* ---- two widths in one platform ---- */

static probe_t pair[2];
static sl_platform_t* pair_p;

/* Each device sweeps its own region at the same time as the other (every third offset). */
static void pair_thread(void* arg) {
    probe_t* d = arg;
    const int i = d == &pair[1];
    dev_init(d, pair_p, i ? "axiprobe256" : "axiprobe32", i ? 256 : 32, i ? 3 : 0);
    sweep(d, 3);
    report(d);
    d->finished = 1;
    if (!i) return;
    /* Then on each other's data: the 32-bit device writes a range of the 256-bit one's
     * region, the 256-bit device checksums it. */
    probe_t* a = &pair[0];
    while (!a->finished) sl_wait_ns(1000);
    const uint64_t addr = d->region + PAGE - 45;
    const uint32_t len = 1000, seed = 0x5a;
    outcome_t o = run_op(a, AXIPROBE_OP_WRITE, addr, len, seed, 4);
    CU_ASSERT_EQUAL(o.status, AXIPROBE_STATUS_DONE);
    const plan_t pw = plan(addr, len, a->bus);
    a->exp.write_bursts += pw.bursts;
    a->exp.bytes_written += len;
    static uint8_t want[1000];
    for (unsigned k = 0; k < len; ++k) want[k] = (uint8_t)(seed + k);
    o = run_op(d, AXIPROBE_OP_READ, addr, len, 0, 4);
    CU_ASSERT_EQUAL(o.status, AXIPROBE_STATUS_DONE);
    CU_ASSERT_EQUAL(o.result, checksum(want, len));
    const plan_t pr = plan(addr, len, d->bus);
    CU_ASSERT_EQUAL(o.bursts, pr.bursts);
    d->exp.read_bursts += pr.bursts;
    d->exp.bytes_read += pr.span;
}

static void test_two_widths(void) {
    pair_p = make("axiprobe32;axiprobe256");
    CU_ASSERT_EQUAL(sl_platform_device_count(pair_p), 2);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(pair_p, "dev32", pair_thread, &pair[0]), 0);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(pair_p, "dev256", pair_thread, &pair[1]), 0);
    CU_ASSERT_EQUAL(sl_platform_run(pair_p, 0), 0);
    CU_ASSERT_TRUE(pair[0].finished && pair[1].finished);
    CU_ASSERT(pair[0].exp.ops > 100 && pair[1].exp.ops > 100);
    check_stats(pair_p, &pair[0]);
    check_stats(pair_p, &pair[1]);
    sl_platform_destroy(pair_p);
}

static const sl_test_t tests[] = {
    SL_TEST(test_width_32), SL_TEST(test_width_64), SL_TEST(test_width_128), SL_TEST(test_width_256),
    SL_TEST(test_two_widths),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "axi_widths", tests, SL_COUNT(tests)); }
