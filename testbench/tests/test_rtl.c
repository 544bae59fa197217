/* RTL suite: the Verilated DMA engine (rtl/) driven through its test harness.
 * Data is checked byte for byte against what the test itself expects, CRCs against a
 * bitwise software CRC-32 written here, bursts against the AXI rules. */
#include "sl_test.h"
#include "rtl_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- register map (rtl/README.md) ---- */
#include "dmac-hw.h"

#define RING     0x10000ull          /* descriptor ring (device address) */
#define SENTINEL 0xEEEEEEEEu         /* status/crc before the engine writes them */
#define MAXCYC   2000000ull

/* ---- independent reference: bitwise CRC-32/IEEE (zlib crc32) ---- */
static uint32_t ref_crc32(const uint8_t* p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int b = 0; b < 8; ++b) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint8_t rnd8(void) {
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint8_t)(rng_state >> 56);
}
static void rnd_fill(uint8_t* p, size_t n) { for (size_t i = 0; i < n; ++i) p[i] = rnd8(); }

/* ---- helpers ---- */
static sl_rtl_t* make(void) {
    sl_rtl_t* h = sl_rtl_create(NULL);
    if (!h) fprintf(stderr, "sl_rtl_create: %s\n", sl_rtl_last_error());
    return h;
}

static void wr(sl_rtl_t* h, uint32_t off, uint32_t v) { CU_ASSERT_EQUAL(sl_rtl_reg_write(h, off, v), SL_AXI_OKAY); }

static void setup_ring(sl_rtl_t* h, uint64_t base, uint32_t size, uint32_t ctrl) {
    wr(h, DMAC_REG_RING_LO, (uint32_t)base);
    wr(h, DMAC_REG_RING_HI, (uint32_t)(base >> 32));
    wr(h, DMAC_REG_RING_SIZE, size);
    wr(h, DMAC_REG_CTRL, ctrl);
}

static uint64_t desc_addr(uint64_t base, unsigned idx) { return base + 32ull * idx; }

static void put_desc(sl_rtl_t* h, uint64_t base, unsigned idx, uint64_t src, uint64_t dst, uint32_t len,
                     uint8_t op, uint8_t flags) {
    uint8_t d[32];
    memset(d, 0, sizeof d);
    for (int i = 0; i < 8; ++i) d[i] = (uint8_t)(src >> (8 * i));
    for (int i = 0; i < 8; ++i) d[8 + i] = (uint8_t)(dst >> (8 * i));
    for (int i = 0; i < 4; ++i) d[16 + i] = (uint8_t)(len >> (8 * i));
    d[20] = op;
    d[21] = flags;
    for (int i = 0; i < 4; ++i) d[24 + i] = d[28 + i] = (uint8_t)(SENTINEL >> (8 * i));
    CU_ASSERT_EQUAL(sl_rtl_mem_write(h, desc_addr(base, idx), d, sizeof d), 0);
}

static uint32_t desc_status(sl_rtl_t* h, uint64_t base, unsigned idx) { return sl_rtl_mem_read32(h, desc_addr(base, idx) + 24); }
static uint32_t desc_crc(sl_rtl_t* h, uint64_t base, unsigned idx) { return sl_rtl_mem_read32(h, desc_addr(base, idx) + 28); }

static int64_t run(sl_rtl_t* h) {
    int64_t n = sl_rtl_run_until_idle(h, MAXCYC);
    if (n < 0) fprintf(stderr, "%s\n", sl_rtl_last_error());
    return n;
}

static uint64_t err_addr(sl_rtl_t* h) {
    return ((uint64_t)sl_rtl_reg(h, DMAC_REG_ERR_HI) << 32) | sl_rtl_reg(h, DMAC_REG_ERR_LO);
}

static void assert_no_violations(sl_rtl_t* h) {
    size_t n = sl_rtl_violation_count(h);
    for (size_t i = 0; i < n; ++i) fprintf(stderr, "AXI violation: %s\n", sl_rtl_violation(h, i));
    CU_ASSERT_EQUAL(n, 0);
}

/* Every burst: INCR, reads at most 64 beats, writes at most 16, inside one 4 KiB page. */
static void assert_bursts_legal(sl_rtl_t* h) {
    size_t n = sl_rtl_burst_count(h);
    for (size_t i = 0; i < n; ++i) {
        sl_rtl_burst_t b;
        CU_ASSERT_EQUAL_FATAL(sl_rtl_burst_get(h, i, &b), 0);
        CU_ASSERT_EQUAL(b.burst, 1);
        CU_ASSERT(b.len <= (b.is_write ? 15u : 63u));
        uint64_t bytes = 1ull << b.size;
        uint64_t last = (b.addr & ~(bytes - 1)) + (uint64_t)b.len * bytes + bytes - 1;
        CU_ASSERT_EQUAL(b.addr >> 12, last >> 12);
    }
}

/* Copy with guard bytes around the destination; checks data, guards, CRC, status. */
static void check_copy(sl_rtl_t* h, unsigned idx, uint64_t src, uint64_t dst, uint32_t len, const uint8_t* data) {
    uint8_t* got = malloc(len + 128);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    sl_rtl_mem_read(h, dst - 64, got, len + 128);
    for (int i = 0; i < 64; ++i) {
        CU_ASSERT_EQUAL(got[i], 0xA5);
        CU_ASSERT_EQUAL(got[64 + len + i], 0xA5);
    }
    CU_ASSERT_EQUAL(memcmp(got + 64, data, len), 0);
    CU_ASSERT_EQUAL(desc_status(h, RING, idx), 1u);
    CU_ASSERT_EQUAL(desc_crc(h, RING, idx), ref_crc32(data, len));
    (void)src;
    free(got);
}

/* ---- tests ---- */

static void test_reference_crc(void) {
    /* The check value of CRC-32/IEEE, so the reference itself is right. */
    CU_ASSERT_EQUAL(ref_crc32((const uint8_t*)"123456789", 9), 0xCBF43926u);
}

static void test_id_version_and_reset_values(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_ID), 0x444D4131u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_VERSION), 0x00010100u);   /* 1.1.0 */
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_SRAM_SIZE), 65536u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CTRL), 0u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_STATUS), DMAC_STATUS_IDLE);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_RING_SIZE), 0u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 0u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 0u);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 0);
    /* Read-only registers ignore writes; unknown offsets read 0, OKAY. */
    wr(h, DMAC_REG_ID, 0x12345678u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_ID), 0x444D4131u);
    wr(h, DMAC_REG_CONSUMER, 7);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 0u);
    uint32_t v = 1;
    CU_ASSERT_EQUAL(sl_rtl_reg_write(h, 0x800, 0xFFFFFFFFu), SL_AXI_OKAY);
    CU_ASSERT_EQUAL(sl_rtl_reg_read(h, 0x800, &v), SL_AXI_OKAY);
    CU_ASSERT_EQUAL(v, 0u);
    CU_ASSERT_EQUAL(sl_rtl_reg_read(h, 0xFFC, &v), SL_AXI_OKAY);
    CU_ASSERT_EQUAL(v, 0u);
    CU_ASSERT_EQUAL(sl_rtl_burst_count(h), 0);
    sl_rtl_destroy(h);
}

static void test_register_fields(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    wr(h, DMAC_REG_RING_LO, 0x12345677u);                 /* 32-byte aligned: low 5 bits read 0 */
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_RING_LO), 0x12345660u);
    wr(h, DMAC_REG_RING_HI, 0xCAFEF00Du);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_RING_HI), 0xCAFEF00Du);
    wr(h, DMAC_REG_RING_SIZE, 0x11223344u);
    CU_ASSERT_EQUAL(sl_rtl_reg_write_strobe(h, DMAC_REG_RING_SIZE, 0xAABBCCDDu, 0x5), SL_AXI_OKAY);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_RING_SIZE), 0x11BB33DDu);
    wr(h, DMAC_REG_INT_MASK, 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_MASK), 3u);
    wr(h, DMAC_REG_CTRL, 0xFFFFFFFDu);                     /* everything but SRST */
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CTRL), DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    /* INT_STATUS cannot be set by software. */
    wr(h, DMAC_REG_INT_STATUS, 3);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 0u);
    sl_rtl_destroy(h);
}

static void test_copy_aligned_crc(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    enum { LEN = 4096 };
    static uint8_t data[LEN];
    rnd_fill(data, LEN);
    const uint64_t src = 0x100000, dst = 0x200000;
    sl_rtl_mem_write(h, src, data, LEN);
    sl_rtl_mem_fill(h, dst - 64, 0xA5, LEN + 128);
    /* Second descriptor: the CRC check string, whose CRC is the known 0xCBF43926. */
    sl_rtl_mem_write(h, 0x300000, "123456789", 9);
    sl_rtl_mem_fill(h, 0x400000 - 64, 0xA5, 9 + 128);
    setup_ring(h, RING, 16, DMAC_CTRL_ENABLE);
    put_desc(h, RING, 0, src, dst, LEN, DMAC_OP_COPY, 0);
    put_desc(h, RING, 1, 0x300000, 0x400000, 9, DMAC_OP_COPY, 0);
    wr(h, DMAC_REG_PRODUCER, 2);
    CU_ASSERT(run(h) > 0);
    check_copy(h, 0, src, dst, LEN, data);
    check_copy(h, 1, 0x300000, 0x400000, 9, (const uint8_t*)"123456789");
    CU_ASSERT_EQUAL(desc_crc(h, RING, 1), 0xCBF43926u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 2u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_STATUS), DMAC_STATUS_IDLE);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 0u);   /* no DMAC_DESC_IRQ asked */
    /* 4096 aligned bytes: 8 read bursts of 64 beats and 32 write bursts of 16 beats, plus 2
     * fetches and 2 write-backs, and nothing else. */
    size_t reads64 = 0, writes16 = 0, other = 0;
    for (size_t i = 0; i < sl_rtl_burst_count(h); ++i) {
        sl_rtl_burst_t b;
        sl_rtl_burst_get(h, i, &b);
        if (b.len == 63 && b.addr >= src && b.addr < src + LEN && !b.is_write) ++reads64;
        else if (b.len == 15 && b.addr >= dst && b.addr < dst + LEN && b.is_write) ++writes16;
        else ++other;
    }
    CU_ASSERT_EQUAL(reads64, 8);
    CU_ASSERT_EQUAL(writes16, 32);
    CU_ASSERT_EQUAL(other, 4 + 2);
    assert_bursts_legal(h);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* Every combination of source and destination byte alignment, lengths around the word size. */
static void test_copy_unaligned_lengths(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    static const uint32_t lens[] = {1, 2, 7, 8, 9, 15, 17, 100, 333};
    enum { NL = sizeof lens / sizeof lens[0], N = 8 * 8 * NL, SLOT = 0x1000 };
    static uint8_t data[N][400];
    static uint64_t srcs[N], dsts[N];
    static uint32_t ls[N];
    setup_ring(h, RING, 1024, DMAC_CTRL_ENABLE);
    unsigned n = 0;
    for (unsigned so = 0; so < 8; ++so)
        for (unsigned dof = 0; dof < 8; ++dof)
            for (unsigned li = 0; li < NL; ++li, ++n) {
                srcs[n] = 0x1000000ull + (uint64_t)n * SLOT + so;
                dsts[n] = 0x4000000ull + (uint64_t)n * SLOT + 64 + dof;
                ls[n] = lens[li];
                rnd_fill(data[n], ls[n]);
                sl_rtl_mem_write(h, srcs[n], data[n], ls[n]);
                sl_rtl_mem_fill(h, dsts[n] - 64, 0xA5, ls[n] + 128);
                put_desc(h, RING, n, srcs[n], dsts[n], ls[n], DMAC_OP_COPY, 0);
            }
    wr(h, DMAC_REG_PRODUCER, N);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), (uint32_t)N);
    for (unsigned i = 0; i < N; ++i) check_copy(h, i, srcs[i], dsts[i], ls[i], data[i]);
    assert_bursts_legal(h);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* The bursts of one direction that touch [first, first + len) must be exactly the splitting
 * rule's: in address order, each starting at the 8-byte word where the previous ended, each
 * as long as allowed (max_beats, or up to the next 4 KiB line, or to the end of the range).
 * Returns how many there were. */
static size_t check_split(sl_rtl_t* h, int is_write, uint64_t first, uint32_t len, unsigned max_beats) {
    uint64_t next = first & ~7ull, end = (first + len + 7) & ~7ull;
    size_t n = 0;
    for (size_t i = 0; i < sl_rtl_burst_count(h); ++i) {
        sl_rtl_burst_t b;
        sl_rtl_burst_get(h, i, &b);
        if (b.is_write != is_write || b.addr + 8 <= first || b.addr >= first + len) continue;
        uint64_t to4k = (0x1000 - (next & 0xFFF)) / 8, to_end = (end - next) / 8;
        uint64_t beats = max_beats;
        if (to4k < beats) beats = to4k;
        if (to_end < beats) beats = to_end;
        CU_ASSERT_EQUAL(b.size, 3);
        CU_ASSERT_EQUAL(b.addr, next);
        CU_ASSERT_EQUAL(b.len + 1, beats);
        next = b.addr + 8ull * (b.len + 1);
        ++n;
    }
    CU_ASSERT_EQUAL(next, end);   /* covered exactly once, no gaps or overlaps */
    return n;
}

/* Reads split at 4 KiB and at 64 beats, writes at 4 KiB and at 16 beats; each covers its
 * range exactly once. */
static void test_burst_split_4k(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    const uint64_t src = 0x21000 - 40, dst = 0x80000 + 4096 - 3;
    const uint32_t len = 8192 + 77;
    static uint8_t data[8192 + 77];
    rnd_fill(data, len);
    sl_rtl_mem_write(h, src, data, len);
    sl_rtl_mem_fill(h, dst - 64, 0xA5, len + 128);
    setup_ring(h, RING, 4, DMAC_CTRL_ENABLE);
    put_desc(h, RING, 0, src, dst, len, DMAC_OP_COPY, 0);
    wr(h, DMAC_REG_PRODUCER, 1);
    CU_ASSERT(run(h) > 0);
    check_copy(h, 0, src, dst, len, data);
    assert_bursts_legal(h);
    assert_no_violations(h);
    /* Source: 0x20FD8 is 5 beats below the 4 KiB line: 5 beats, 16 x 64 beats up to 0x23000,
     * then the last 37 bytes in 5 beats. Destination: 0x80FFD, one beat up to 0x81000, 64 x 16
     * beats up to 0x83000, then 74 bytes in 10 beats. */
    CU_ASSERT_EQUAL(check_split(h, 0, src, len, 64), 1 + 16 + 1);
    CU_ASSERT_EQUAL(check_split(h, 1, dst, len, 16), 1 + 64 + 1);
    sl_rtl_destroy(h);
}

/* A read never crosses a 4 KiB line and is as long as it may be: sources at many offsets
 * around a line, lengths from one beat to several pages. */
static void test_read_never_crosses_4k(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    static const uint32_t offs[] = {0, 1, 7, 8, 503, 504, 505, 511, 512, 513, 3583, 3584, 3585, 4088, 4095};
    static const uint32_t lens[] = {1, 9, 512, 513, 1024, 4097, 9000};
    enum { NO = sizeof offs / sizeof offs[0], NL = sizeof lens / sizeof lens[0] };
    static uint8_t data[9000];
    sl_rtl_set_latency(h, 3, 3);
    setup_ring(h, RING, 4, DMAC_CTRL_ENABLE);
    unsigned idx = 0;
    for (unsigned o = 0; o < NO; ++o)
        for (unsigned l = 0; l < NL; ++l) {
            uint64_t src = 0x1000000ull + offs[o];
            rnd_fill(data, lens[l]);
            sl_rtl_mem_write(h, src, data, lens[l]);
            sl_rtl_clear_logs(h);
            put_desc(h, RING, idx, src, 0x100, lens[l], DMAC_OP_WRITE, 0);   /* into SRAM: reads only */
            idx = (idx + 1) % 4;
            wr(h, DMAC_REG_PRODUCER, idx);
            CU_ASSERT_FATAL(run(h) > 0);
            CU_ASSERT_EQUAL(desc_status(h, RING, (idx + 3) % 4), 1u);
            CU_ASSERT_EQUAL(desc_crc(h, RING, (idx + 3) % 4), ref_crc32(data, lens[l]));
            check_split(h, 0, src, lens[l], 64);
            assert_bursts_legal(h);
        }
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* A 4 KiB aligned WRITE (memory -> SRAM) is eight 64-beat reads, 512 bytes apart, and the
 * bytes land in SRAM (read back out with a READ). */
static void test_write_4k_is_eight_reads(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    enum { LEN = 4096 };
    static uint8_t data[LEN];
    rnd_fill(data, LEN);
    const uint64_t src = 0x340000, out = 0x500000;
    sl_rtl_mem_write(h, src, data, LEN);
    sl_rtl_mem_fill(h, out - 64, 0xA5, LEN + 128);
    sl_rtl_set_latency(h, 20, 20);
    setup_ring(h, RING, 4, DMAC_CTRL_ENABLE);
    put_desc(h, RING, 0, src, 0x2000, LEN, DMAC_OP_WRITE, 0);
    wr(h, DMAC_REG_PRODUCER, 1);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(desc_status(h, RING, 0), 1u);
    CU_ASSERT_EQUAL(desc_crc(h, RING, 0), ref_crc32(data, LEN));
    size_t reads = 0;
    for (size_t i = 0; i < sl_rtl_burst_count(h); ++i) {
        sl_rtl_burst_t b;
        sl_rtl_burst_get(h, i, &b);
        if (b.addr == RING) continue;                       /* descriptor fetch */
        if (b.addr == RING + 24) { CU_ASSERT(b.is_write); continue; }   /* status write-back */
        CU_ASSERT_FALSE(b.is_write);
        CU_ASSERT_EQUAL(b.addr, src + 512 * reads);
        CU_ASSERT_EQUAL(b.len, 63);
        CU_ASSERT_EQUAL(b.size, 3);
        ++reads;
    }
    CU_ASSERT_EQUAL(reads, 8);
    /* With 20 cycles of latency all four tags are used: 4 x 512 bytes fill the 2 KiB FIFO. */
    CU_ASSERT_EQUAL(sl_rtl_max_outstanding_reads(h), 4);
    put_desc(h, RING, 1, 0x2000, out, LEN, DMAC_OP_READ, 0);
    wr(h, DMAC_REG_PRODUCER, 2);
    CU_ASSERT(run(h) > 0);
    check_copy(h, 1, 0x2000, out, LEN, data);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* A slow memory never sees more than RD_TAGS (4) reads outstanding, whatever the transfer;
 * writes stay at most 16 beats. */
static void test_read_tags_limit(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    enum { LEN = 40000 };
    static uint8_t data[LEN];
    rnd_fill(data, LEN);
    sl_rtl_mem_write(h, 0x1000005, data, LEN);
    sl_rtl_mem_fill(h, 0x3000003 - 64, 0xA5, LEN + 128);
    sl_rtl_set_latency(h, 300, 50);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    put_desc(h, RING, 0, 0x1000005, 0x3000003, LEN, DMAC_OP_COPY, 0);
    put_desc(h, RING, 1, 0x1000005, 0x10, LEN, DMAC_OP_WRITE, 0);
    wr(h, DMAC_REG_PRODUCER, 2);
    CU_ASSERT(run(h) > 0);
    check_copy(h, 0, 0x1000005, 0x3000003, LEN, data);
    CU_ASSERT_EQUAL(desc_crc(h, RING, 1), ref_crc32(data, LEN));
    CU_ASSERT_EQUAL(sl_rtl_max_outstanding_reads(h), 4);
    assert_bursts_legal(h);
    for (size_t i = 0; i < sl_rtl_burst_count(h); ++i) {
        sl_rtl_burst_t b;
        sl_rtl_burst_get(h, i, &b);
        if (b.is_write) CU_ASSERT(b.len <= 15);
    }
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* WRITE memory -> SRAM, READ SRAM -> memory, at odd offsets, including the SRAM's last byte. */
static void test_sram_write_read(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    enum { LEN = 1000 };
    static uint8_t data[LEN], tail[13];
    rnd_fill(data, LEN);
    rnd_fill(tail, sizeof tail);
    sl_rtl_mem_write(h, 0x100003, data, LEN);
    sl_rtl_mem_write(h, 0x110000, tail, sizeof tail);
    sl_rtl_mem_fill(h, 0x200006 - 64, 0xA5, LEN + 128);
    sl_rtl_mem_fill(h, 0x210001 - 64, 0xA5, 13 + 128);
    sl_rtl_mem_fill(h, 0x220000 - 64, 0xA5, 20 + 128);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    put_desc(h, RING, 0, 0x100003, 5, LEN, DMAC_OP_WRITE, 0);          /* mem -> SRAM[5..1004] */
    put_desc(h, RING, 1, 0x110000, 65536 - 13, 13, DMAC_OP_WRITE, 0);  /* the last 13 bytes of SRAM */
    put_desc(h, RING, 2, 5, 0x200006, LEN, DMAC_OP_READ, 0);           /* SRAM[5..] -> mem */
    put_desc(h, RING, 3, 65536 - 13, 0x210001, 13, DMAC_OP_READ, 0);
    put_desc(h, RING, 4, 1000, 0x220000, 20, DMAC_OP_READ, 0);         /* straddles the two writes' gap */
    wr(h, DMAC_REG_PRODUCER, 5);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 5u);
    for (unsigned i = 0; i < 5; ++i) CU_ASSERT_EQUAL(desc_status(h, RING, i), 1u);
    CU_ASSERT_EQUAL(desc_crc(h, RING, 0), ref_crc32(data, LEN));
    CU_ASSERT_EQUAL(desc_crc(h, RING, 1), ref_crc32(tail, 13));
    check_copy(h, 2, 5, 0x200006, LEN, data);
    check_copy(h, 3, 65536 - 13, 0x210001, 13, tail);
    /* SRAM[1000..1004] = data[995..999], SRAM[1005..1019] never written: zero. */
    uint8_t expect[20];
    memset(expect, 0, sizeof expect);
    memcpy(expect, data + 995, 5);
    check_copy(h, 4, 1000, 0x220000, 20, expect);
    /* No AXI traffic targets SRAM offsets. */
    for (size_t i = 0; i < sl_rtl_burst_count(h); ++i) {
        sl_rtl_burst_t b;
        sl_rtl_burst_get(h, i, &b);
        CU_ASSERT(b.addr >= 0x10000);
    }
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

static void test_fill(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    const uint64_t pattern = 0x0102030405060708ull, dst = 0x300003;
    const uint32_t len = 37;
    uint8_t expect[37];
    for (uint32_t i = 0; i < len; ++i) expect[i] = (uint8_t)(pattern >> (8 * (i % 8)));   /* 08 07 06 ... */
    CU_ASSERT_EQUAL(expect[0], 0x08);
    CU_ASSERT_EQUAL(expect[9], 0x07);
    sl_rtl_mem_fill(h, dst - 64, 0xA5, len + 128);
    setup_ring(h, RING, 4, DMAC_CTRL_ENABLE);
    put_desc(h, RING, 0, pattern, dst, len, DMAC_OP_FILL, 0);
    wr(h, DMAC_REG_PRODUCER, 1);
    CU_ASSERT(run(h) > 0);
    check_copy(h, 0, 0, dst, len, expect);
    /* A fill reads nothing but its descriptor. */
    for (size_t i = 0; i < sl_rtl_burst_count(h); ++i) {
        sl_rtl_burst_t b;
        sl_rtl_burst_get(h, i, &b);
        if (!b.is_write) CU_ASSERT_EQUAL(b.addr, RING);
    }
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* A descriptor-level error: status written back with the code, engine halted, error irq. */
static void check_desc_error(sl_rtl_t* h, unsigned idx, unsigned code) {
    CU_ASSERT_EQUAL(desc_status(h, RING, idx), 0x3u | (code << 8));
    CU_ASSERT_EQUAL(desc_crc(h, RING, idx), 0u);
    uint32_t st = sl_rtl_reg(h, DMAC_REG_STATUS);
    CU_ASSERT_EQUAL(st & (DMAC_STATUS_HALTED | DMAC_STATUS_BUSY), DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), code);
    CU_ASSERT_EQUAL(DMAC_STATUS_RESP(st), 0);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), idx);   /* stays on the failing descriptor */
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 2u);
    CU_ASSERT_EQUAL(err_addr(h), desc_addr(RING, idx));
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 1);
}

static void run_bad_desc(uint64_t src, uint64_t dst, uint32_t len, uint8_t op, unsigned code) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
    sl_rtl_mem_fill(h, 0x500000, 0x5A, 64);
    put_desc(h, RING, 0, 0x500000, 0x600000, 16, DMAC_OP_COPY, 0);   /* a good one first */
    put_desc(h, RING, 1, src, dst, len, op, DMAC_DESC_IRQ);
    put_desc(h, RING, 2, 0x500000, 0x700000, 16, DMAC_OP_COPY, 0);   /* never reached */
    wr(h, DMAC_REG_PRODUCER, 3);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(desc_status(h, RING, 0), 1u);
    check_desc_error(h, 1, code);
    CU_ASSERT_EQUAL(desc_status(h, RING, 2), SENTINEL);
    CU_ASSERT_EQUAL(sl_rtl_mem_read64(h, 0x700000), 0u);
    /* Halted: ringing again does nothing. */
    size_t bursts = sl_rtl_burst_count(h);
    wr(h, DMAC_REG_PRODUCER, 3);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_burst_count(h), bursts);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

static void test_zero_length(void) { run_bad_desc(0x500000, 0x800000, 0, DMAC_OP_COPY, DMAC_E_LENGTH); }
static void test_bad_opcode(void) {
    run_bad_desc(0x500000, 0x800000, 8, 0, DMAC_E_OPCODE);
    run_bad_desc(0x500000, 0x800000, 8, 6, DMAC_E_OPCODE);   /* 5 is GATHER since 1.1.0 */
    run_bad_desc(0x500000, 0x800000, 8, 0xFF, DMAC_E_OPCODE);
}
static void test_sram_range(void) {
    run_bad_desc(0x500000, 65530, 7, DMAC_OP_WRITE, DMAC_E_SRAM);         /* one byte past the end */
    run_bad_desc(65536, 0x800000, 1, DMAC_OP_READ, DMAC_E_SRAM);          /* offset at the end */
    run_bad_desc(0x500000, 0x100000000ull, 1, DMAC_OP_WRITE, DMAC_E_SRAM);/* huge offset, no wrap */
    run_bad_desc(0, 0x800000, 65537, DMAC_OP_READ, DMAC_E_SRAM);
}

static void test_producer_and_ring_errors(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
    wr(h, DMAC_REG_PRODUCER, 8);                 /* index == ring size */
    CU_ASSERT(run(h) > 0);
    uint32_t st = sl_rtl_reg(h, DMAC_REG_STATUS);
    CU_ASSERT(st & DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), DMAC_E_PRODUCER);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 2u);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 1);
    CU_ASSERT_EQUAL(sl_rtl_burst_count(h), 0);   /* nothing fetched */

    /* Soft reset clears the halt; RING_SIZE 0 (its reset value) is a ring error. */
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_SRST);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_STATUS), DMAC_STATUS_IDLE);
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_ENABLE);
    wr(h, DMAC_REG_PRODUCER, 1);
    CU_ASSERT(run(h) > 0);
    st = sl_rtl_reg(h, DMAC_REG_STATUS);
    CU_ASSERT(st & DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), DMAC_E_RING);

    wr(h, DMAC_REG_CTRL, DMAC_CTRL_SRST);
    CU_ASSERT(run(h) > 0);
    setup_ring(h, RING, 65537, DMAC_CTRL_ENABLE);
    wr(h, DMAC_REG_PRODUCER, 1);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(sl_rtl_reg(h, DMAC_REG_STATUS)), DMAC_E_RING);
    CU_ASSERT_EQUAL(sl_rtl_burst_count(h), 0);
    sl_rtl_destroy(h);
}

/* An AXI error in the middle of the source: first failing beat in ERR_ADDR, halt, irq. */
static void run_read_error(int resp) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    const uint64_t src = 0x100000 + 3, dst = 0x200000;
    const uint32_t len = 2048;
    static uint8_t data[2048];
    rnd_fill(data, len);
    sl_rtl_mem_write(h, src, data, len);
    sl_rtl_mem_fill(h, dst - 64, 0xA5, len + 128);
    CU_ASSERT_EQUAL(sl_rtl_add_error_range(h, src + 1000, src + 1000, resp, 1, 0), 0);
    sl_rtl_set_latency(h, 10, 10);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
    put_desc(h, RING, 0, src, dst, len, DMAC_OP_COPY, DMAC_DESC_IRQ);
    put_desc(h, RING, 1, src, dst, len, DMAC_OP_COPY, DMAC_DESC_IRQ);
    wr(h, DMAC_REG_PRODUCER, 2);
    CU_ASSERT(run(h) > 0);
    uint32_t st = sl_rtl_reg(h, DMAC_REG_STATUS);
    CU_ASSERT_EQUAL(st & (DMAC_STATUS_HALTED | DMAC_STATUS_BUSY), DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), DMAC_E_RD_RESP);
    CU_ASSERT_EQUAL(DMAC_STATUS_RESP(st), (uint32_t)resp);
    CU_ASSERT_EQUAL(err_addr(h), (src + 1000) & ~7ull);
    CU_ASSERT_EQUAL(desc_status(h, RING, 0), 0x3u | (DMAC_E_RD_RESP << 8) | ((uint32_t)resp << 16));
    CU_ASSERT_EQUAL(desc_crc(h, RING, 0), 0u);   /* no CRC of a partial transfer */
    CU_ASSERT_EQUAL(desc_status(h, RING, 1), SENTINEL);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 0u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 2u);   /* error only, not completion */
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 1);
    /* Nothing outside the destination was written; what was written is source data. */
    uint8_t got[2048 + 128];
    sl_rtl_mem_read(h, dst - 64, got, sizeof got);
    for (int i = 0; i < 64; ++i) {
        CU_ASSERT_EQUAL(got[i], 0xA5);
        CU_ASSERT_EQUAL(got[64 + len + i], 0xA5);
    }
    for (uint32_t i = 0; i < len; ++i)
        if (got[64 + i] != 0xA5) CU_ASSERT_EQUAL(got[64 + i], data[i]);
    CU_ASSERT_EQUAL(sl_rtl_outstanding(h), 0);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}
static void test_read_error_slverr(void) { run_read_error(SL_AXI_SLVERR); }
static void test_read_error_decerr(void) { run_read_error(SL_AXI_DECERR); }

static void run_write_error(int resp) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    const uint64_t src = 0x100000, dst = 0x200000;
    const uint32_t len = 4096;
    static uint8_t data[4096];
    rnd_fill(data, len);
    sl_rtl_mem_write(h, src, data, len);
    CU_ASSERT_EQUAL(sl_rtl_add_error_range(h, dst + 2000, dst + 2003, resp, 0, 1), 0);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
    put_desc(h, RING, 0, src, dst, len, DMAC_OP_COPY, DMAC_DESC_IRQ);
    wr(h, DMAC_REG_PRODUCER, 1);
    CU_ASSERT(run(h) > 0);
    uint32_t st = sl_rtl_reg(h, DMAC_REG_STATUS);
    CU_ASSERT_EQUAL(st & (DMAC_STATUS_HALTED | DMAC_STATUS_BUSY), DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), DMAC_E_WR_RESP);
    CU_ASSERT_EQUAL(DMAC_STATUS_RESP(st), (uint32_t)resp);
    /* 16-beat bursts from an aligned start: the failing burst starts at 1920. */
    CU_ASSERT_EQUAL(err_addr(h), dst + 1920);
    CU_ASSERT_EQUAL(desc_status(h, RING, 0), 0x3u | (DMAC_E_WR_RESP << 8) | ((uint32_t)resp << 16));
    CU_ASSERT_EQUAL(desc_crc(h, RING, 0), 0u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 2u);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 1);
    /* The bytes before the fault arrived intact. */
    uint8_t got[1920];
    sl_rtl_mem_read(h, dst, got, sizeof got);
    CU_ASSERT_EQUAL(memcmp(got, data, sizeof got), 0);
    CU_ASSERT_EQUAL(sl_rtl_outstanding(h), 0);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}
static void test_write_error_slverr(void) { run_write_error(SL_AXI_SLVERR); }
static void test_write_error_decerr(void) { run_write_error(SL_AXI_DECERR); }

static void test_fetch_error(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
    put_desc(h, RING, 0, 0x100000, 0x200000, 64, DMAC_OP_COPY, 0);
    put_desc(h, RING, 1, 0x100000, 0x200000, 64, DMAC_OP_COPY, 0);
    sl_rtl_add_error_range(h, desc_addr(RING, 1) + 8, desc_addr(RING, 1) + 8, SL_AXI_DECERR, 1, 1);
    wr(h, DMAC_REG_PRODUCER, 2);
    CU_ASSERT(run(h) > 0);
    uint32_t st = sl_rtl_reg(h, DMAC_REG_STATUS);
    CU_ASSERT(st & DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), DMAC_E_FETCH);
    CU_ASSERT_EQUAL(DMAC_STATUS_RESP(st), SL_AXI_DECERR);
    CU_ASSERT_EQUAL(err_addr(h), desc_addr(RING, 1) + 8);   /* the failing beat */
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 1u);
    CU_ASSERT_EQUAL(desc_status(h, RING, 0), 1u);
    CU_ASSERT_EQUAL(desc_status(h, RING, 1), SENTINEL);      /* no write-back after a failed fetch */
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 2u);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

static void test_writeback_error(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    static uint8_t data[256];
    rnd_fill(data, sizeof data);
    sl_rtl_mem_write(h, 0x100000, data, sizeof data);
    sl_rtl_mem_fill(h, 0x200000 - 64, 0xA5, 256 + 128);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
    put_desc(h, RING, 0, 0x100000, 0x200000, 256, DMAC_OP_COPY, DMAC_DESC_IRQ);
    sl_rtl_add_error_range(h, desc_addr(RING, 0) + 24, desc_addr(RING, 0) + 31, SL_AXI_SLVERR, 0, 1);
    wr(h, DMAC_REG_PRODUCER, 1);
    CU_ASSERT(run(h) > 0);
    uint32_t st = sl_rtl_reg(h, DMAC_REG_STATUS);
    CU_ASSERT(st & DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), DMAC_E_WRITEBACK);
    CU_ASSERT_EQUAL(DMAC_STATUS_RESP(st), SL_AXI_SLVERR);
    CU_ASSERT_EQUAL(err_addr(h), desc_addr(RING, 0) + 24);
    CU_ASSERT_EQUAL(desc_status(h, RING, 0), SENTINEL);      /* the write-back was refused */
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 0u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 2u);        /* error, not completion */
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 1);
    uint8_t got[256];
    sl_rtl_mem_read(h, 0x200000, got, sizeof got);
    CU_ASSERT_EQUAL(memcmp(got, data, sizeof got), 0);       /* the data itself moved */
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* Soft reset at many points of a long transfer: every AXI handshake completes, nothing is
 * written afterwards, registers return to reset values, and the engine works again. */
static void test_soft_reset_mid_transfer(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    enum { LEN = 65536 };
    static uint8_t data[LEN], snap[LEN], after[LEN];
    rnd_fill(data, LEN);
    sl_rtl_mem_write(h, 0x1000000, data, LEN);
    sl_rtl_set_latency(h, 12, 9);
    sl_rtl_set_backpressure(h, 25, 7);
    for (unsigned delay = 40; delay < 1600; delay += 97) {
        sl_rtl_mem_fill(h, 0x2000000, 0xA5, LEN);
        setup_ring(h, RING, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
        put_desc(h, RING, 0, 0x1000003, 0x2000005, LEN - 8, DMAC_OP_COPY, DMAC_DESC_IRQ);
        wr(h, DMAC_REG_PRODUCER, 1);
        sl_rtl_tick(h, delay);
        CU_ASSERT(sl_rtl_reg(h, DMAC_REG_STATUS) & DMAC_STATUS_BUSY);
        wr(h, DMAC_REG_CTRL, DMAC_CTRL_SRST | DMAC_CTRL_ENABLE);
        /* SRST reads 1 until the drain is over, then everything is at reset values. */
        int polls = 0;
        while ((sl_rtl_reg(h, DMAC_REG_CTRL) & DMAC_CTRL_SRST) && polls < 1000) ++polls;
        CU_ASSERT(polls < 1000);
        CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CTRL), 0u);
        CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_RING_SIZE), 0u);
        CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 0u);
        CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 0u);
        CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_STATUS), DMAC_STATUS_IDLE);
        CU_ASSERT_EQUAL(sl_rtl_outstanding(h), 0);
        CU_ASSERT_EQUAL(sl_rtl_irq(h), 0);
        sl_rtl_mem_read(h, 0x2000000, snap, LEN);
        sl_rtl_tick(h, 2000);
        sl_rtl_mem_read(h, 0x2000000, after, LEN);
        CU_ASSERT_EQUAL(memcmp(snap, after, LEN), 0);
        CU_ASSERT_EQUAL(desc_status(h, RING, 0), SENTINEL);
        /* Whatever reached the destination is source data at the right place. */
        for (uint32_t i = 0; i < LEN - 8; ++i)
            if (after[5 + i] != 0xA5) { CU_ASSERT_EQUAL_FATAL(after[5 + i], data[3 + i]); }
        CU_ASSERT_EQUAL(after[0], 0xA5);
        CU_ASSERT_EQUAL(after[LEN - 2], 0xA5);
    }
    /* Some reset landed inside a write burst: its remaining beats went out without strobes. */
    CU_ASSERT(sl_rtl_beats_without_strobes(h) > 0);
    printf("\n  soft reset: %llu W beats completed without strobes\n",
           (unsigned long long)sl_rtl_beats_without_strobes(h));
    /* And it works again. */
    sl_rtl_set_backpressure(h, 0, 0);
    sl_rtl_mem_fill(h, 0x2000000 - 64, 0xA5, 1000 + 128);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    put_desc(h, RING, 0, 0x1000000, 0x2000000, 1000, DMAC_OP_COPY, 0);
    wr(h, DMAC_REG_PRODUCER, 1);
    CU_ASSERT(run(h) > 0);
    check_copy(h, 0, 0x1000000, 0x2000000, 1000, data);
    assert_bursts_legal(h);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* More descriptors than ring entries over time: CONSUMER wraps to 0. */
static void test_ring_wraparound(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    enum { SIZE = 4, TOTAL = 11 };
    static uint8_t data[TOTAL][100];
    setup_ring(h, RING, SIZE, DMAC_CTRL_ENABLE);
    unsigned prod = 0;
    for (unsigned k = 0; k < TOTAL; ++k) {
        uint64_t src = 0x100000 + 0x1000ull * k + k, dst = 0x800000 + 0x1000ull * k + 7 - (k % 8);
        uint32_t len = 50 + 4 * k;
        rnd_fill(data[k], len);
        sl_rtl_mem_write(h, src, data[k], len);
        sl_rtl_mem_fill(h, dst - 64, 0xA5, len + 128);
        put_desc(h, RING, prod, src, dst, len, DMAC_OP_COPY, 0);
        prod = (prod + 1) % SIZE;
        if (k % 3 == 2 || k == TOTAL - 1) {     /* up to 3 = SIZE - 1 in flight */
            wr(h, DMAC_REG_PRODUCER, prod);
            CU_ASSERT(run(h) > 0);
            CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), prod);
            for (unsigned j = k - (k % 3); j <= k; ++j) {
                uint64_t d = 0x800000 + 0x1000ull * j + 7 - (j % 8);
                uint8_t got[100];
                sl_rtl_mem_read(h, d, got, 50 + 4 * j);
                CU_ASSERT_EQUAL(memcmp(got, data[j], 50 + 4 * j), 0);
                CU_ASSERT_EQUAL(desc_crc(h, RING, j % SIZE), ref_crc32(data[j], 50 + 4 * j));
            }
        }
    }
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), TOTAL % SIZE);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_STATUS), DMAC_STATUS_IDLE);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

static void one_fill(sl_rtl_t* h, unsigned idx, uint8_t flags) {
    put_desc(h, RING, idx, 0x1111111111111111ull * (idx + 1), 0x900000 + 64ull * idx, 16, DMAC_OP_FILL, flags);
    wr(h, DMAC_REG_PRODUCER, idx + 1);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(desc_status(h, RING, idx), 1u);
}

static void test_legacy_irq_mask_w1c(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    setup_ring(h, RING, 16, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
    one_fill(h, 0, 0);                              /* no completion interrupt asked */
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 0u);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 0);
    one_fill(h, 1, DMAC_DESC_IRQ);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 1u);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 1);
    CU_ASSERT_EQUAL(sl_rtl_irq_rises(h), 1);
    wr(h, DMAC_REG_INT_MASK, 1);                            /* masked: line drops, status stays */
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 0);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 1u);
    wr(h, DMAC_REG_INT_MASK, 0);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 1);
    wr(h, DMAC_REG_INT_STATUS, 2);                          /* W1C of the other bit: no effect */
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 1u);
    wr(h, DMAC_REG_INT_STATUS, 1);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 0u);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 0);
    /* IE off: status is still recorded, the line stays low. */
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_ENABLE);
    one_fill(h, 2, DMAC_DESC_IRQ);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 1u);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 0);
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 1);
    CU_ASSERT_EQUAL(sl_rtl_irq_rises(h), 3);
    /* Legacy mode never writes MSIs, even when MSI is enabled in config space. */
    CU_ASSERT_EQUAL(sl_rtl_msi_count(h), 0);
    sl_rtl_destroy(h);
}

static void test_msi(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    const uint64_t msi = 0xFEE00000ull;
    uint64_t a;
    uint32_t d;
    sl_rtl_set_msi_window(h, msi, 0x1000);
    sl_rtl_set_msi(h, 1, msi, 0x4321);
    setup_ring(h, RING, 16, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    one_fill(h, 0, DMAC_DESC_IRQ);
    CU_ASSERT_EQUAL(sl_rtl_msi_count(h), 1);
    CU_ASSERT_EQUAL(sl_rtl_msi_get(h, 0, &a, &d, NULL), 0);
    CU_ASSERT_EQUAL(a, msi);
    CU_ASSERT_EQUAL(d, 0x4321u);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 0);               /* no level in MSI mode */
    CU_ASSERT_EQUAL(sl_rtl_irq_rises(h), 0);
    /* Bit still set: another completion raises nothing new. */
    one_fill(h, 1, DMAC_DESC_IRQ);
    CU_ASSERT_EQUAL(sl_rtl_msi_count(h), 1);
    /* Cleared, then raised again: a new message, now to the upper word of the bus. */
    wr(h, DMAC_REG_INT_STATUS, 1);
    sl_rtl_set_msi(h, 1, msi + 4, 0x99);
    one_fill(h, 2, DMAC_DESC_IRQ);
    CU_ASSERT_EQUAL(sl_rtl_msi_count(h), 2);
    sl_rtl_msi_get(h, 1, &a, &d, NULL);
    CU_ASSERT_EQUAL(a, msi + 4);
    CU_ASSERT_EQUAL(d, 0x99u);
    /* Masked when raised: no message; unmasking delivers it. */
    wr(h, DMAC_REG_INT_STATUS, 1);
    wr(h, DMAC_REG_INT_MASK, 1);
    one_fill(h, 3, DMAC_DESC_IRQ);
    CU_ASSERT_EQUAL(sl_rtl_msi_count(h), 2);
    wr(h, DMAC_REG_INT_MASK, 0);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_msi_count(h), 3);
    /* An error raises the other bit: one more message. */
    wr(h, DMAC_REG_INT_STATUS, 1);
    put_desc(h, RING, 4, 0, 0x900000, 0, DMAC_OP_FILL, 0);
    wr(h, DMAC_REG_PRODUCER, 5);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 2u);
    CU_ASSERT_EQUAL(sl_rtl_msi_count(h), 4);
    /* MSI disabled in config space: the function falls back to the level. */
    sl_rtl_set_msi(h, 0, msi, 0x4321);
    sl_rtl_tick(h, 2);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 1);
    CU_ASSERT_EQUAL(sl_rtl_msi_count(h), 4);
    /* Message data and address are exactly what the engine was given: one 32-bit write each. */
    size_t msi_writes = 0;
    for (size_t i = 0; i < sl_rtl_burst_count(h); ++i) {
        sl_rtl_burst_t b;
        sl_rtl_burst_get(h, i, &b);
        if (b.is_write && (b.addr & ~0xFFFull) == msi) {
            ++msi_writes;
            CU_ASSERT_EQUAL(b.len, 0);
            CU_ASSERT_EQUAL(b.size, 2);
        }
    }
    CU_ASSERT_EQUAL(msi_writes, 4);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

static void test_msi_error_and_completion_together(void) {
    /* Two bits raised at once (completion from before, then error): one message per bit. */
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    sl_rtl_set_msi_window(h, 0xFEE00000ull, 0x1000);
    sl_rtl_set_msi(h, 1, 0xFEE00000ull, 7);
    setup_ring(h, RING, 16, DMAC_CTRL_ENABLE | DMAC_CTRL_MSI);   /* IE off: nothing counts yet */
    one_fill(h, 0, DMAC_DESC_IRQ);
    put_desc(h, RING, 1, 0, 0x900000, 0, DMAC_OP_FILL, 0);
    wr(h, DMAC_REG_PRODUCER, 2);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 3u);
    CU_ASSERT_EQUAL(sl_rtl_msi_count(h), 0);
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_ENABLE | DMAC_CTRL_MSI | DMAC_CTRL_IE);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_msi_count(h), 2);
    /* A failing MSI write is reported in STATUS.MSI_ERR and does not loop. */
    sl_rtl_add_error_range(h, 0xFEE00000ull, 0xFEE00FFFull, SL_AXI_SLVERR, 0, 1);
    sl_rtl_set_msi_window(h, 0, 0);
    wr(h, DMAC_REG_INT_STATUS, 3);
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_SRST);
    CU_ASSERT(run(h) > 0);
    setup_ring(h, RING, 16, DMAC_CTRL_ENABLE | DMAC_CTRL_MSI | DMAC_CTRL_IE);
    one_fill(h, 0, DMAC_DESC_IRQ);
    CU_ASSERT(sl_rtl_reg(h, DMAC_REG_STATUS) & DMAC_STATUS_MSI_ERR);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 1u);
    size_t n = sl_rtl_burst_count(h);
    sl_rtl_tick(h, 500);
    CU_ASSERT_EQUAL(sl_rtl_burst_count(h), n);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* Random back-pressure and latency on every channel: data still exact, AXI rules kept. */
static void test_backpressure(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    sl_rtl_set_latency(h, 7, 3);
    sl_rtl_set_backpressure(h, 40, 12345);
    enum { N = 24 };
    static uint8_t data[N][3000];
    static uint64_t dsts[N];
    static uint32_t ls[N];
    setup_ring(h, RING, 32, DMAC_CTRL_ENABLE);
    for (unsigned i = 0; i < N; ++i) {
        uint64_t src = 0x1000000 + 0x10000ull * i + (i * 5) % 8 + 0xF00;   /* near a 4 KiB line */
        dsts[i] = 0x4000000 + 0x10000ull * i + (i * 3) % 8 + 0xFC0;
        ls[i] = 1 + (i * 127) % 3000;
        rnd_fill(data[i], ls[i]);
        sl_rtl_mem_write(h, src, data[i], ls[i]);
        sl_rtl_mem_fill(h, dsts[i] - 64, 0xA5, ls[i] + 128);
        put_desc(h, RING, i, src, dsts[i], ls[i], DMAC_OP_COPY, 0);
    }
    wr(h, DMAC_REG_PRODUCER, N);
    CU_ASSERT(run(h) > 0);
    for (unsigned i = 0; i < N; ++i) check_copy(h, i, 0, dsts[i], ls[i], data[i]);
    assert_bursts_legal(h);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* Reads are pipelined: with a slow memory several bursts are in flight. Prints throughput. */
static void test_throughput(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    enum { LEN = 65536 };
    static uint8_t data[LEN];
    rnd_fill(data, LEN);
    sl_rtl_mem_write(h, 0x1000000, data, LEN);
    sl_rtl_mem_fill(h, 0x2000000 - 64, 0xA5, LEN + 128);
    static const unsigned lat[] = {0, 10, 40};
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    for (unsigned k = 0; k < 3; ++k) {
        sl_rtl_set_latency(h, lat[k], lat[k]);
        sl_rtl_clear_logs(h);
        put_desc(h, RING, k, 0x1000000, 0x2000000, LEN, DMAC_OP_COPY, 0);
        uint64_t c0 = sl_rtl_cycles(h);
        wr(h, DMAC_REG_PRODUCER, k + 1);
        CU_ASSERT(run(h) > 0);
        uint64_t cyc = sl_rtl_cycles(h) - c0;
        printf("\n  copy 64 KiB, memory latency %2u cycles: %llu cycles, %.2f bytes/cycle, %u reads in flight",
               lat[k], (unsigned long long)cyc, (double)LEN / (double)cyc, sl_rtl_max_outstanding_reads(h));
        check_copy(h, k, 0, 0x2000000, LEN, data);
        if (lat[k] >= 10) CU_ASSERT(sl_rtl_max_outstanding_reads(h) >= 3);
        /* At least half the 8 bytes/cycle peak even with 40-cycle latency. */
        CU_ASSERT((double)LEN / (double)cyc > 4.0);
    }
    printf("\n");
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

static void test_enable_gates_processing(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    setup_ring(h, RING, 8, 0);
    put_desc(h, RING, 0, 0xAB, 0x900000, 8, DMAC_OP_FILL, 0);
    wr(h, DMAC_REG_PRODUCER, 1);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_burst_count(h), 0);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 0u);
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_ENABLE);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 1u);
    CU_ASSERT_EQUAL(sl_rtl_mem_read64(h, 0x900000), 0xABull);
    sl_rtl_destroy(h);
}

/* SRAM round trips and fills at every alignment, under back-pressure. */
static void test_sram_and_fill_alignments(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    sl_rtl_set_latency(h, 5, 5);
    sl_rtl_set_backpressure(h, 30, 99);
    static const uint32_t lens[] = {1, 6, 8, 13, 64, 700, 5000};
    enum { NL = sizeof lens / sizeof lens[0] };
    static uint8_t data[5000], expect[5000];
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    unsigned idx = 0, n = 0;
    for (unsigned mo = 0; mo < 8; mo += 3)
        for (unsigned so = 0; so < 8; ++so)
            for (unsigned li = 0; li < NL; ++li, ++n) {
                uint32_t len = lens[li];
                uint64_t src = 0x1000000 + 0x10000ull * n + mo, dst = 0x8000000 + 0x10000ull * n + 64 + (7 - mo);
                uint64_t soff = 8192 * so + so;   /* SRAM offset, any alignment */
                rnd_fill(data, len);
                sl_rtl_mem_write(h, src, data, len);
                sl_rtl_mem_fill(h, dst - 64, 0xA5, len + 128);
                put_desc(h, RING, idx, src, soff, len, DMAC_OP_WRITE, 0);
                put_desc(h, RING, (idx + 1) % 8, soff, dst, len, DMAC_OP_READ, 0);
                idx = (idx + 2) % 8;
                wr(h, DMAC_REG_PRODUCER, idx);
                CU_ASSERT_FATAL(run(h) > 0);
                CU_ASSERT_EQUAL(desc_crc(h, RING, (idx + 6) % 8), ref_crc32(data, len));
                check_copy(h, (idx + 7) % 8, soff, dst, len, data);
            }
    /* Fills: every destination alignment, lengths across 4 KiB lines. */
    for (unsigned dofs = 0; dofs < 8; ++dofs)
        for (unsigned li = 0; li < NL; ++li) {
            uint32_t len = lens[li];
            uint64_t pattern = 0x8877665544332211ull + dofs, dst = 0xA000000 + 0x10000ull * (dofs * NL + li) + 0xFF0 + dofs;
            for (uint32_t i = 0; i < len; ++i) expect[i] = (uint8_t)(pattern >> (8 * (i % 8)));
            sl_rtl_mem_fill(h, dst - 64, 0xA5, len + 128);
            put_desc(h, RING, idx, pattern, dst, len, DMAC_OP_FILL, 0);
            idx = (idx + 1) % 8;
            wr(h, DMAC_REG_PRODUCER, idx);
            CU_ASSERT_FATAL(run(h) > 0);
            check_copy(h, (idx + 7) % 8, 0, dst, len, expect);
        }
    assert_bursts_legal(h);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* Clearing ENABLE lets the current descriptor finish and stops before the next. */
static void test_disable_mid_ring(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    enum { LEN = 32768 };
    static uint8_t data[LEN], got[LEN];
    rnd_fill(data, LEN);
    sl_rtl_mem_write(h, 0x1000000, data, LEN);
    sl_rtl_set_latency(h, 20, 20);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    for (unsigned i = 0; i < 3; ++i) put_desc(h, RING, i, 0x1000000, 0x2000000 + 0x100000ull * i, LEN, DMAC_OP_COPY, 0);
    wr(h, DMAC_REG_PRODUCER, 3);
    sl_rtl_tick(h, 300);
    CU_ASSERT(sl_rtl_reg(h, DMAC_REG_STATUS) & DMAC_STATUS_BUSY);
    wr(h, DMAC_REG_CTRL, 0);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 1u);
    CU_ASSERT_EQUAL(desc_status(h, RING, 0), 1u);
    CU_ASSERT_EQUAL(desc_status(h, RING, 1), SENTINEL);
    sl_rtl_mem_read(h, 0x2000000, got, LEN);
    CU_ASSERT_EQUAL(memcmp(got, data, LEN), 0);
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_ENABLE);
    CU_ASSERT(run(h) > 0);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 3u);
    sl_rtl_mem_read(h, 0x2200000, got, LEN);
    CU_ASSERT_EQUAL(memcmp(got, data, LEN), 0);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

static void test_api_errors(void) {
    CU_ASSERT_PTR_NULL(sl_rtl_create("/nonexistent-dir/x.vcd"));
    CU_ASSERT(strstr(sl_rtl_last_error(), "/nonexistent-dir/x.vcd") != NULL);
    CU_ASSERT_EQUAL(sl_rtl_reg_write(NULL, 0, 0), -1);
    CU_ASSERT(strstr(sl_rtl_last_error(), "NULL") != NULL);
    CU_ASSERT_EQUAL(sl_rtl_tick(NULL, 1), -1);
    CU_ASSERT_EQUAL(sl_rtl_run_until_idle(NULL, 1), -1);
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_EQUAL(sl_rtl_reg_write(h, 0x1000, 1), -1);
    CU_ASSERT(strstr(sl_rtl_last_error(), "outside") != NULL);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, 0x2000), 0xDEADBEEFu);
    CU_ASSERT_EQUAL(sl_rtl_add_error_range(h, 0, 10, SL_AXI_OKAY, 1, 1), -1);
    CU_ASSERT_EQUAL(sl_rtl_add_error_range(h, 10, 0, SL_AXI_SLVERR, 1, 1), -1);
    CU_ASSERT_EQUAL(sl_rtl_set_backpressure(h, 101, 1), -1);
    CU_ASSERT_EQUAL(sl_rtl_burst_get(h, 0, NULL), -1);
    CU_ASSERT_EQUAL(sl_rtl_msi_get(h, 3, NULL, NULL, NULL), -1);
    CU_ASSERT_EQUAL(sl_rtl_mem_write(h, 0, NULL, 4), -1);
    /* A busy engine is reported, not waited on forever. */
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    sl_rtl_mem_write(h, 0x100000, "x", 1);
    put_desc(h, RING, 0, 0x100000, 0x200000, 1u << 20, DMAC_OP_COPY, 0);
    wr(h, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL(sl_rtl_run_until_idle(h, 100), -1);
    CU_ASSERT(strstr(sl_rtl_last_error(), "busy") != NULL);
    sl_rtl_destroy(h);
}

static void test_vcd_trace(void) {
    char path[] = "/tmp/sl_rtl_vcd_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    sl_rtl_t* h = sl_rtl_create(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    put_desc(h, RING, 0, 0x55, 0x900000, 8, DMAC_OP_FILL, 0);
    wr(h, DMAC_REG_PRODUCER, 1);
    CU_ASSERT(run(h) > 0);
    uint64_t cycles = sl_rtl_cycles(h);
    sl_rtl_destroy(h);
    FILE* f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    unlink(path);
    CU_ASSERT(strstr(buf, "$enddefinitions") != NULL);
    CU_ASSERT(strstr(buf, "m_axi_awvalid") != NULL);
    /* Two time steps per cycle: the last one is 2 * cycles. */
    char last[32];
    snprintf(last, sizeof last, "#%llu", (unsigned long long)(2 * cycles));
    CU_ASSERT(strstr(buf, last) != NULL);
}

/* ---- GATHER: an element list in memory -> SRAM ---- */

typedef struct {
    uint64_t addr;
    uint32_t len;
} elem_t;

#define LIST     0x600000ull         /* element lists */
#define SRAM_IN  0x7E00000ull        /* staging for SRAM loads */
#define SRAM_OUT 0x7F00000ull        /* SRAM dumps */

/* n elements at `list`; the reserved words hold junk, which the engine must ignore. */
static void put_list(sl_rtl_t* h, uint64_t list, const elem_t* e, unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
        uint8_t b[DMAC_GATHER_ELEM_SIZE];
        for (int k = 0; k < 8; ++k) b[k] = (uint8_t)(e[i].addr >> (8 * k));
        for (int k = 0; k < 4; ++k) b[8 + k] = (uint8_t)(e[i].len >> (8 * k));
        for (int k = 0; k < 4; ++k) b[12 + k] = (uint8_t)((0xC0FFEE00u + i) >> (8 * k));
        CU_ASSERT_EQUAL(sl_rtl_mem_write(h, list + DMAC_GATHER_ELEM_SIZE * (uint64_t)i, b, sizeof b), 0);
    }
}

/* The bytes a gather of e[0..n) must deliver, in list order, read from memory now. */
static uint8_t* gather_bytes(sl_rtl_t* h, const elem_t* e, unsigned n, size_t* total) {
    size_t t = 0, o = 0;
    for (unsigned i = 0; i < n; ++i) t += e[i].len;
    uint8_t* p = malloc(t + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    for (unsigned i = 0; i < n; ++i) {
        sl_rtl_mem_read(h, e[i].addr, p + o, e[i].len);
        o += e[i].len;
    }
    *total = t;
    return p;
}

/* One descriptor at ring index *idx (ring of `size` at RING), doorbell, run until idle.
 * Returns the index it used. */
static unsigned submit(sl_rtl_t* h, unsigned* idx, unsigned size, uint64_t src, uint64_t dst, uint32_t len,
                       uint8_t op) {
    unsigned i = *idx;
    put_desc(h, RING, i, src, dst, len, op, 0);
    *idx = (i + 1) % size;
    wr(h, DMAC_REG_PRODUCER, *idx);
    CU_ASSERT(run(h) > 0);
    return i;
}

/* SRAM contents in and out, through WRITE and READ descriptors. */
static void sram_load(sl_rtl_t* h, unsigned* idx, unsigned size, uint32_t off, const uint8_t* p, uint32_t len) {
    sl_rtl_mem_write(h, SRAM_IN, p, len);
    CU_ASSERT_EQUAL(desc_status(h, RING, submit(h, idx, size, SRAM_IN, off, len, DMAC_OP_WRITE)), 1u);
}
static void sram_dump(sl_rtl_t* h, unsigned* idx, unsigned size, uint32_t off, uint8_t* p, uint32_t len) {
    CU_ASSERT_EQUAL(desc_status(h, RING, submit(h, idx, size, off, SRAM_OUT, len, DMAC_OP_READ)), 1u);
    sl_rtl_mem_read(h, SRAM_OUT, p, len);
}

/* Gathers e[0..n) (list at `list`) to SRAM offset dst and checks everything: status, CRC,
 * the gathered bytes, 64 guard bytes either side untouched, every element read by the
 * splitting rule, and the list read in blocks of up to 8 elements that do not cross 4 KiB
 * and cover the list exactly once. Returns the cycles the gather took. */
static uint64_t check_gather(sl_rtl_t* h, unsigned* idx, unsigned size, uint64_t list, const elem_t* e, unsigned n,
                             uint32_t dst) {
    size_t total;
    uint8_t* want = gather_bytes(h, e, n, &total);
    uint32_t lo = dst >= 64 ? dst - 64 : 0, hi = dst + (uint32_t)total + 64 <= 65536 ? dst + (uint32_t)total + 64 : 65536;
    uint8_t* guard = malloc(hi - lo);
    uint8_t* got = malloc(hi - lo);
    CU_ASSERT_PTR_NOT_NULL_FATAL(guard);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    rnd_fill(guard, hi - lo);
    sram_load(h, idx, size, lo, guard, hi - lo);
    put_list(h, list, e, n);
    sl_rtl_clear_logs(h);
    uint64_t c0 = sl_rtl_cycles(h);
    unsigned g = submit(h, idx, size, list, dst, n, DMAC_OP_GATHER);
    uint64_t cycles = sl_rtl_cycles(h) - c0;
    CU_ASSERT_EQUAL(desc_status(h, RING, g), 1u);
    CU_ASSERT_EQUAL(desc_crc(h, RING, g), ref_crc32(want, total));
    assert_bursts_legal(h);
    for (unsigned i = 0; i < n; ++i) check_split(h, 0, e[i].addr, e[i].len, 64);
    /* list reads: blocks of at most 8 elements, contiguous, never across 4 KiB */
    uint64_t next = list;
    for (size_t i = 0; i < sl_rtl_burst_count(h); ++i) {
        sl_rtl_burst_t b;
        sl_rtl_burst_get(h, i, &b);
        if (b.is_write || b.addr < list || b.addr >= list + DMAC_GATHER_ELEM_SIZE * (uint64_t)n) continue;
        CU_ASSERT_EQUAL(b.addr, next);
        CU_ASSERT(b.len % 2 == 1 && b.len <= 15);
        uint64_t to4k = (0x1000 - (next & 0xFFF)) / 16, left = (list + 16ull * n - next) / 16;
        uint64_t want_elems = to4k < 8 ? to4k : 8;
        if (left < want_elems) want_elems = left;
        CU_ASSERT_EQUAL((b.len + 1) / 2, want_elems);
        next = b.addr + 8ull * (b.len + 1);
    }
    CU_ASSERT_EQUAL(next, list + 16ull * n);
    sram_dump(h, idx, size, lo, got, hi - lo);
    CU_ASSERT_EQUAL(memcmp(got, guard, dst - lo), 0);
    CU_ASSERT_EQUAL(memcmp(got + (dst - lo), want, total), 0);
    CU_ASSERT_EQUAL(memcmp(got + (dst - lo) + total, guard + (dst - lo) + total, hi - dst - total), 0);
    free(want);
    free(guard);
    free(got);
    return cycles;
}

/* Elements at odd addresses with odd lengths (1, 7, 64, 513, 4096 across a page, ...), in
 * no address order, a list that starts 3 elements before a 4 KiB line; then again under
 * random back-pressure. */
static void test_gather_odd_elements(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    static const uint32_t lens[] = {1, 7, 64, 513, 4096, 3, 8, 9, 1000, 17, 2, 511, 512, 6000, 5, 65, 1, 1, 4095, 30};
    enum { N = sizeof lens / sizeof lens[0], SLOT = 0x4000 };
    static uint8_t data[N * SLOT];
    elem_t e[N];
    rnd_fill(data, sizeof data);
    sl_rtl_mem_write(h, 0x1000000, data, sizeof data);
    for (unsigned i = 0; i < N; ++i) {
        unsigned slot = (i % 2) ? N - i : i;         /* even slots ascending, odd ones descending */
        e[i].addr = 0x1000000ull + (uint64_t)SLOT * slot + (((i * 1237u) % 4096u) | 1u);
        e[i].len = lens[i];
    }
    e[4].addr = 0x1000000ull + (uint64_t)SLOT * 4 + 0xF01;   /* 4096 bytes from 0xF01: across a page */
    sl_rtl_set_latency(h, 12, 6);
    unsigned idx = 0;
    setup_ring(h, RING, 64, DMAC_CTRL_ENABLE);
    check_gather(h, &idx, 64, LIST + 0xFD0, e, N, 0x1003);
    /* Back-pressure and another destination alignment; a single element; a 1-byte one. */
    sl_rtl_set_backpressure(h, 30, 4242);
    check_gather(h, &idx, 64, LIST + 0x2000, e, N, 0x8006);
    check_gather(h, &idx, 64, LIST + 0x3000, &e[4], 1, 0x10);
    check_gather(h, &idx, 64, LIST + 0x3100, &e[0], 1, 0xFFFF);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* A gather that must fail: fresh engine, elements e[0..n) at LIST, gather to dst; checks the
 * code, ERR_ADDR, ERR_RESP, the status word, the halt; returns the harness for more checks. */
static sl_rtl_t* run_gather_error(const elem_t* e, unsigned n, uint64_t dst, unsigned code, uint64_t where,
                                  unsigned resp, void (*setup)(sl_rtl_t*)) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    static uint8_t data[0x40000];
    rnd_fill(data, sizeof data);
    sl_rtl_mem_write(h, 0x1000000, data, sizeof data);
    put_list(h, LIST, e, n);
    sl_rtl_set_latency(h, 30, 10);
    if (setup) setup(h);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
    put_desc(h, RING, 0, LIST, dst, n, DMAC_OP_GATHER, DMAC_DESC_IRQ);
    put_desc(h, RING, 1, 0x1000000, 0x100, 8, DMAC_OP_WRITE, 0);   /* never reached */
    wr(h, DMAC_REG_PRODUCER, 2);
    CU_ASSERT(run(h) > 0);
    uint32_t st = sl_rtl_reg(h, DMAC_REG_STATUS);
    CU_ASSERT_EQUAL(st & (DMAC_STATUS_HALTED | DMAC_STATUS_BUSY), DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), code);
    CU_ASSERT_EQUAL(DMAC_STATUS_RESP(st), resp);
    CU_ASSERT_EQUAL(err_addr(h), where);
    CU_ASSERT_EQUAL(desc_status(h, RING, 0), 0x3u | (code << 8) | (resp << 16));
    CU_ASSERT_EQUAL(desc_crc(h, RING, 0), 0u);
    CU_ASSERT_EQUAL(desc_status(h, RING, 1), SENTINEL);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 0u);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_INT_STATUS), 2u);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 1);
    CU_ASSERT_EQUAL(sl_rtl_outstanding(h), 0);
    assert_no_violations(h);
    return h;
}

/* No data read touched an element from `first` on. */
static void assert_not_read_from(sl_rtl_t* h, const elem_t* e, unsigned first, unsigned n) {
    for (size_t i = 0; i < sl_rtl_burst_count(h); ++i) {
        sl_rtl_burst_t b;
        sl_rtl_burst_get(h, i, &b);
        if (b.is_write) continue;
        for (unsigned k = first; k < n; ++k)
            CU_ASSERT(b.addr + 8ull * (b.len + 1) <= e[k].addr || b.addr >= e[k].addr + e[k].len);
    }
}

/* n elements of len bytes, one per 4 KiB page from 0x1000000 (+3). */
static void small_elems(elem_t* e, unsigned n, uint32_t len) {
    for (unsigned i = 0; i < n; ++i) {
        e[i].addr = 0x1000000ull + 0x1000ull * i + 3;
        e[i].len = len;
    }
}

/* Descriptor checks: length 0 (code 5) and a list address not 16-byte aligned (code 10),
 * both at the descriptor's address; nothing else is read. */
static void test_gather_descriptor_checks(void) {
    run_bad_desc(LIST, 0x100, 0, DMAC_OP_GATHER, DMAC_E_LENGTH);
    run_bad_desc(LIST + 8, 0x100, 4, DMAC_OP_GATHER, DMAC_E_LIST_ALIGN);
    run_bad_desc(LIST + 1, 0x100, 1, DMAC_OP_GATHER, DMAC_E_LIST_ALIGN);
    run_bad_desc(LIST + 0xF, 0x100, 1, DMAC_OP_GATHER, DMAC_E_LIST_ALIGN);
}

/* Element length 0: code 11 at the element's own address; nothing from it on is read; a
 * soft reset clears the halt and the next gather works. */
static void test_gather_element_length_zero(void) {
    enum { N = 20 };
    elem_t e[N];
    small_elems(e, N, 100);
    e[13].len = 0;
    sl_rtl_t* h = run_gather_error(e, N, 0, DMAC_E_ELEM_LEN, LIST + 16 * 13, 0, NULL);
    assert_not_read_from(h, e, 13, N);
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_SRST);
    CU_ASSERT(run(h) > 0);
    unsigned idx = 0;
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    e[13].len = 1;
    check_gather(h, &idx, 8, LIST, e, N, 0);
    sl_rtl_destroy(h);
}

/* SRAM bounds (code 8) at the element that would run past 64 KiB; exactly up to the end is fine. */
static void test_gather_sram_overflow(void) {
    elem_t e[3];
    small_elems(e, 3, 40);
    e[1].len = 50;
    e[2].len = 20;                                  /* 110 bytes in all */
    sl_rtl_t* h = run_gather_error(e, 3, 65536 - 100, DMAC_E_SRAM, LIST + 32, 0, NULL);
    assert_not_read_from(h, e, 2, 3);
    /* The same list 110 bytes before the end: fits exactly. */
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_SRST);
    CU_ASSERT(run(h) > 0);
    unsigned idx = 0;
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    check_gather(h, &idx, 8, LIST, e, 3, 65536 - 110);
    sl_rtl_destroy(h);
    /* An offset at or past the end fails at the first element; so does one element too long. */
    sl_rtl_destroy(run_gather_error(e, 3, 65536, DMAC_E_SRAM, LIST, 0, NULL));
    sl_rtl_destroy(run_gather_error(e, 3, 0x100000000u, DMAC_E_SRAM, LIST, 0, NULL));
    e[0].len = 65537;
    sl_rtl_destroy(run_gather_error(e, 1, 0, DMAC_E_SRAM, LIST, 0, NULL));
    /* One element as large as the SRAM. */
    h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    static uint8_t big[65536];
    rnd_fill(big, sizeof big);
    sl_rtl_mem_write(h, 0x2000005, big, sizeof big);
    e[0].addr = 0x2000005;
    e[0].len = 65536;
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    put_list(h, LIST, e, 1);
    idx = 0;
    unsigned g = submit(h, &idx, 8, LIST, 0, 1, DMAC_OP_GATHER);
    CU_ASSERT_EQUAL(desc_status(h, RING, g), 1u);
    CU_ASSERT_EQUAL(desc_crc(h, RING, g), ref_crc32(big, sizeof big));
    static uint8_t got[65536];
    sram_dump(h, &idx, 8, 0, got, sizeof got);
    CU_ASSERT_EQUAL(memcmp(got, big, sizeof big), 0);
    sl_rtl_destroy(h);
}

static void list_error_setup(sl_rtl_t* h) {
    sl_rtl_add_error_range(h, LIST + 16 * 9 + 8, LIST + 16 * 9 + 11, SL_AXI_SLVERR, 1, 0);
}
static void data_error_setup(sl_rtl_t* h) {
    sl_rtl_add_error_range(h, 0x1000000ull + 0x1000 * 5 + 3 + 70, 0x1000000ull + 0x1000 * 5 + 3 + 70, SL_AXI_DECERR, 1, 0);
}

/* A list read error (code 12) at the failing beat; a data read error (code 1) likewise. */
static void test_gather_read_errors(void) {
    enum { N = 20 };
    elem_t e[N];
    small_elems(e, N, 100);
    /* the len word of element 9 fails: the second list block */
    sl_rtl_t* h = run_gather_error(e, N, 0, DMAC_E_LIST_READ, LIST + 16 * 9 + 8, SL_AXI_SLVERR, list_error_setup);
    assert_not_read_from(h, e, 9, N);
    sl_rtl_destroy(h);
    /* element 5's byte 70 fails: the beat holding it, at 0x1005048 */
    h = run_gather_error(e, N, 0, DMAC_E_RD_RESP, (0x1000000ull + 0x1000 * 5 + 3 + 70) & ~7ull, SL_AXI_DECERR,
                         data_error_setup);
    /* The error stops the issuing: at most RD_TAGS - 1 = 3 reads were issued after element 5's. */
    assert_not_read_from(h, e, 5 + 4, N);
    sl_rtl_destroy(h);
    /* Errors are reported in read-stream order: element 5's read error wins over a zero
     * length in element 6 found while element 5's data was still in flight ... */
    e[6].len = 0;
    sl_rtl_destroy(run_gather_error(e, N, 0, DMAC_E_RD_RESP, (0x1000000ull + 0x1000 * 5 + 3 + 70) & ~7ull, SL_AXI_DECERR,
                                    data_error_setup));
    /* ... and a zero length in element 4, before it, wins over element 5's read error. */
    e[6].len = 100;
    e[4].len = 0;
    h = run_gather_error(e, N, 0, DMAC_E_ELEM_LEN, LIST + 16 * 4, 0, data_error_setup);
    assert_not_read_from(h, e, 4, N);
    sl_rtl_destroy(h);
}

/* Soft reset at many points of a long gather under back-pressure: every handshake completes,
 * registers return to reset values, nothing is read afterwards, and the engine works again. */
static void test_gather_soft_reset(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    enum { N = 300 };
    static elem_t e[N];
    static uint8_t data[0x40000];
    rnd_fill(data, sizeof data);
    sl_rtl_mem_write(h, 0x1000000, data, sizeof data);
    for (unsigned i = 0; i < N; ++i) {
        e[i].addr = 0x1000000ull + (uint64_t)((i * 7919u) % 0x3F000u);
        e[i].len = 1 + (i * 37) % 200;
    }
    put_list(h, LIST, e, N);
    sl_rtl_set_latency(h, 25, 9);
    sl_rtl_set_backpressure(h, 20, 77);
    for (unsigned delay = 20; delay < 3000; delay += 211) {
        setup_ring(h, RING, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
        put_desc(h, RING, 0, LIST, 0x40, N, DMAC_OP_GATHER, DMAC_DESC_IRQ);
        wr(h, DMAC_REG_PRODUCER, 1);
        sl_rtl_tick(h, delay);
        CU_ASSERT(sl_rtl_reg(h, DMAC_REG_STATUS) & DMAC_STATUS_BUSY);
        wr(h, DMAC_REG_CTRL, DMAC_CTRL_SRST | DMAC_CTRL_ENABLE);
        int polls = 0;
        while ((sl_rtl_reg(h, DMAC_REG_CTRL) & DMAC_CTRL_SRST) && polls < 1000) ++polls;
        CU_ASSERT(polls < 1000);
        CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CTRL), 0u);
        CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_STATUS), DMAC_STATUS_IDLE);
        CU_ASSERT_EQUAL(sl_rtl_reg(h, DMAC_REG_CONSUMER), 0u);
        CU_ASSERT_EQUAL(sl_rtl_outstanding(h), 0);
        size_t bursts = sl_rtl_burst_count(h);
        sl_rtl_tick(h, 2000);
        CU_ASSERT_EQUAL(sl_rtl_burst_count(h), bursts);
        CU_ASSERT_EQUAL(desc_status(h, RING, 0), SENTINEL);
    }
    sl_rtl_set_backpressure(h, 0, 0);
    unsigned idx = 0;
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    check_gather(h, &idx, 8, LIST, e, N, 0x40);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* pcie-bench style: many 64-byte reads at random 64-byte aligned offsets of a 1 MiB window,
 * one GATHER. With RD_TAGS = 4 four reads are in flight (the FIFO would allow 32), so with
 * memory latency L an element costs about (L + 8 beats) / 4 cycles plus the list reads (2
 * beats an element, one 16-beat read per 8 elements), against some 3 L for one WRITE
 * descriptor per element. Prints the figures. */
static void test_gather_throughput(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    enum { N = 1024, WINDOW = 1 << 20, SINGLES = 32 };
    static elem_t e[N];
    static uint8_t data[WINDOW];
    rnd_fill(data, sizeof data);
    sl_rtl_mem_write(h, 0x10000000, data, sizeof data);
    for (unsigned i = 0; i < N; ++i) {
        e[i].addr = 0x10000000ull + 64ull * (((uint64_t)rnd8() << 8 | rnd8()) % (WINDOW / 64));
        e[i].len = 64;
    }
    put_list(h, LIST, e, N);
    size_t total;
    uint8_t* want = gather_bytes(h, e, N, &total);
    CU_ASSERT_EQUAL(total, 64 * N);
    static const unsigned lat[] = {0, 40, 100};
    unsigned idx = 0;
    setup_ring(h, RING, 64, DMAC_CTRL_ENABLE);
    printf("\n");
    for (unsigned k = 0; k < 3; ++k) {
        unsigned L = lat[k];
        sl_rtl_set_latency(h, L, L);
        sl_rtl_clear_logs(h);
        uint64_t c0 = sl_rtl_cycles(h);
        unsigned g = submit(h, &idx, 64, LIST, 0, N, DMAC_OP_GATHER);
        double per = (double)(sl_rtl_cycles(h) - c0) / N;
        CU_ASSERT_EQUAL(desc_status(h, RING, g), 1u);
        CU_ASSERT_EQUAL(desc_crc(h, RING, g), ref_crc32(want, total));
        CU_ASSERT_EQUAL(sl_rtl_max_outstanding_reads(h), 4);
        /* one WRITE descriptor per element, for comparison */
        uint64_t c1 = sl_rtl_cycles(h);
        for (unsigned i = 0; i < SINGLES; ++i) submit(h, &idx, 64, e[i].addr, 64 * i, 64, DMAC_OP_WRITE);
        double single = (double)(sl_rtl_cycles(h) - c1) / SINGLES;
        /* no better than 4 reads in flight allow; list reads cost at most 2 beats an element
         * and an eighth of the tags */
        double bound = (L + 8) / 4.0 > 10.0 ? (9.0 * L + 80.0) / 32.0 : 10.0;
        printf("  gather of %u x 64 B, latency %3u: %.1f cycles/element (%u reads in flight; bound %.1f); "
               "one WRITE per element: %.1f cycles\n",
               N, L, per, sl_rtl_max_outstanding_reads(h), bound, single);
        CU_ASSERT(per >= (L + 8) / 4.0);
        CU_ASSERT(per <= 1.15 * bound + 2.0);
        if (L >= 40) CU_ASSERT(per < single / 3.0);
    }
    free(want);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

/* ---- the `waiting` output: skipping clocks while it holds changes nothing ---- */

typedef struct {
    sl_rtl_burst_t bursts[4096];
    size_t nbursts;
    uint64_t msi_addr[16], msi_cycle[16];
    uint32_t msi_data[16];
    size_t nmsi;
    uint32_t regs[6];
    uint64_t cycles, skipped, irq_rises;
    uint32_t crc[8], status[8];
    uint8_t mem[4][20000];
    uint32_t gather_crc;           /* CRC of the bytes the GATHER had to collect */
    size_t gather_len;
} skip_run_t;

/* One mixed run with slow memory: unaligned COPY, WRITE/READ through the SRAM, FILL, MSIs,
 * a legacy level, a read error that halts the engine, a soft reset, work again: a COPY, a
 * GATHER of 40 elements and a READ of what it gathered. */
static void skip_scenario(int skip, skip_run_t* r) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_EQUAL(sl_rtl_set_skip_waiting(h, skip), 0);
    sl_rtl_set_latency(h, 100, 60);         /* about what PCIe hops, IOMMU and DRAM cost */
    const uint64_t msi = 0xFEE00000ull;
    sl_rtl_set_msi_window(h, msi, 0x1000);
    sl_rtl_set_msi(h, 1, msi, 0x41);
    static uint8_t data[20000];
    rng_state = 99;
    rnd_fill(data, sizeof data);
    sl_rtl_mem_write(h, 0x100003, data, sizeof data);
    sl_rtl_mem_fill(h, 0x400000, 0xA5, 20000);
    sl_rtl_mem_fill(h, 0x500000, 0xA5, 20000);
    sl_rtl_mem_fill(h, 0x600000, 0xA5, 20000);
    sl_rtl_add_error_range(h, 0x700100, 0x700107, SL_AXI_SLVERR, 1, 0);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    put_desc(h, RING, 0, 0x100003, 0x400005, 19000, DMAC_OP_COPY, DMAC_DESC_IRQ);
    put_desc(h, RING, 1, 0x100003, 0x1234, 9000, DMAC_OP_WRITE, 0);
    put_desc(h, RING, 2, 0x1234, 0x500001, 9000, DMAC_OP_READ, DMAC_DESC_IRQ);
    put_desc(h, RING, 3, 0x0123456789ABCDEFull, 0x600006, 5000, DMAC_OP_FILL, DMAC_DESC_IRQ);
    wr(h, DMAC_REG_PRODUCER, 2);
    CU_ASSERT(run(h) > 0);
    wr(h, DMAC_REG_INT_STATUS, 1);                 /* next completion sends another MSI */
    wr(h, DMAC_REG_PRODUCER, 4);
    CU_ASSERT(run(h) > 0);
    /* Legacy level, then an error mid-transfer, then a soft reset and one more copy. */
    wr(h, DMAC_REG_INT_STATUS, 3);
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
    put_desc(h, RING, 4, 0x700000, 0x600000, 4096, DMAC_OP_COPY, DMAC_DESC_IRQ);
    wr(h, DMAC_REG_PRODUCER, 5);
    CU_ASSERT(run(h) > 0);
    r->regs[0] = sl_rtl_reg(h, DMAC_REG_STATUS);
    r->regs[1] = sl_rtl_reg(h, DMAC_REG_ERR_LO);
    CU_ASSERT_EQUAL(sl_rtl_irq(h), 1);
    r->irq_rises = sl_rtl_irq_rises(h);      /* the harness samples irq while it clocks */
    wr(h, DMAC_REG_CTRL, DMAC_CTRL_SRST);
    CU_ASSERT(run(h) > 0);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    put_desc(h, RING, 0, 0x100000, 0x400000, 3000, DMAC_OP_COPY, 0);
    enum { NG = 40 };
    elem_t e[NG];
    for (unsigned i = 0; i < NG; ++i) {
        e[i].addr = 0x100003 + (i * 997u) % 15000u;
        e[i].len = 1 + (i * 53u) % 300u;
    }
    put_list(h, 0x900000, e, NG);
    uint8_t* want = gather_bytes(h, e, NG, &r->gather_len);
    r->gather_crc = ref_crc32(want, r->gather_len);
    free(want);
    put_desc(h, RING, 1, 0x900000, 0x105, NG, DMAC_OP_GATHER, 0);
    put_desc(h, RING, 2, 0x105, 0x800000, (uint32_t)r->gather_len, DMAC_OP_READ, 0);
    wr(h, DMAC_REG_PRODUCER, 3);
    CU_ASSERT(run(h) > 0);
    r->regs[2] = sl_rtl_reg(h, DMAC_REG_CONSUMER);
    r->regs[3] = sl_rtl_reg(h, DMAC_REG_STATUS);
    r->regs[4] = sl_rtl_reg(h, DMAC_REG_INT_STATUS);
    r->regs[5] = sl_rtl_reg(h, DMAC_REG_CTRL);
    r->cycles = sl_rtl_cycles(h);
    r->skipped = sl_rtl_cycles_skipped(h);
    r->nbursts = sl_rtl_burst_count(h);
    CU_ASSERT_FATAL(r->nbursts <= 4096);
    for (size_t i = 0; i < r->nbursts; ++i) sl_rtl_burst_get(h, i, &r->bursts[i]);
    r->nmsi = sl_rtl_msi_count(h);
    CU_ASSERT_FATAL(r->nmsi <= 16);
    for (size_t i = 0; i < r->nmsi; ++i) sl_rtl_msi_get(h, i, &r->msi_addr[i], &r->msi_data[i], &r->msi_cycle[i]);
    for (unsigned i = 0; i < 5; ++i) {
        r->status[i] = desc_status(h, RING, i);
        r->crc[i] = desc_crc(h, RING, i);
    }
    sl_rtl_mem_read(h, 0x400000, r->mem[0], 20000);
    sl_rtl_mem_read(h, 0x500000, r->mem[1], 20000);
    sl_rtl_mem_read(h, 0x600000, r->mem[2], 20000);
    sl_rtl_mem_read(h, 0x800000, r->mem[3], 20000);
    assert_no_violations(h);
    sl_rtl_destroy(h);
}

static void test_skip_waiting_is_exact(void) {
    static skip_run_t a, b;
    skip_scenario(0, &a);
    skip_scenario(1, &b);
    CU_ASSERT_EQUAL(a.skipped, 0);
    /* Slow memory: a share of the cycles are spent only waiting for it (less than the
     * latency, since four reads of up to 512 bytes are in flight). */
    CU_ASSERT(b.skipped > b.cycles / 10);
    printf("\n  %llu cycles, %llu of them skipped while waiting\n", (unsigned long long)b.cycles,
           (unsigned long long)b.skipped);
    /* Same cycle count, same bursts at the same cycles, same messages, same results. */
    CU_ASSERT_EQUAL(a.cycles, b.cycles);
    CU_ASSERT_EQUAL_FATAL(a.nbursts, b.nbursts);
    for (size_t i = 0; i < a.nbursts; ++i) {
        CU_ASSERT_EQUAL(a.bursts[i].addr, b.bursts[i].addr);
        CU_ASSERT_EQUAL(a.bursts[i].len, b.bursts[i].len);
        CU_ASSERT_EQUAL(a.bursts[i].is_write, b.bursts[i].is_write);
        CU_ASSERT_EQUAL(a.bursts[i].cycle, b.bursts[i].cycle);
        CU_ASSERT_EQUAL(a.bursts[i].resp, b.bursts[i].resp);
    }
    CU_ASSERT_EQUAL_FATAL(a.nmsi, b.nmsi);
    CU_ASSERT_EQUAL(a.nmsi, 2);   /* COPY, then READ (after the W1C); FILL finds DONE still set */
    for (size_t i = 0; i < a.nmsi; ++i) {
        CU_ASSERT_EQUAL(a.msi_cycle[i], b.msi_cycle[i]);
        CU_ASSERT_EQUAL(a.msi_data[i], b.msi_data[i]);
    }
    CU_ASSERT_EQUAL(memcmp(a.regs, b.regs, sizeof a.regs), 0);
    CU_ASSERT_EQUAL(memcmp(a.status, b.status, sizeof a.status), 0);
    CU_ASSERT_EQUAL(memcmp(a.crc, b.crc, sizeof a.crc), 0);
    CU_ASSERT_EQUAL(memcmp(a.mem, b.mem, sizeof a.mem), 0);
    CU_ASSERT_EQUAL(a.irq_rises, b.irq_rises);
    /* And the run did what it was asked to. */
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(a.regs[0]), DMAC_E_RD_RESP);
    CU_ASSERT_EQUAL(a.regs[1], 0x700100u);
    CU_ASSERT_EQUAL(a.irq_rises, 1);
    CU_ASSERT_EQUAL(a.regs[2], 3u);
    CU_ASSERT_EQUAL(a.crc[1], a.gather_crc);                        /* the GATHER */
    CU_ASSERT_EQUAL(a.crc[2], a.gather_crc);                        /* and the READ of its bytes */
    CU_ASSERT_EQUAL(ref_crc32(a.mem[3], a.gather_len), a.gather_crc);
    CU_ASSERT_EQUAL(a.regs[3], DMAC_STATUS_IDLE);
    for (unsigned i = 0; i < 4; ++i) CU_ASSERT_EQUAL(a.status[i] & 3u, 1u);
}

/* idle implies waiting; a transfer in progress is not always waiting. */
static void test_waiting_output(void) {
    sl_rtl_t* h = make();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT(sl_rtl_idle(h));
    CU_ASSERT(sl_rtl_waiting(h));
    sl_rtl_set_latency(h, 30, 30);
    setup_ring(h, RING, 8, DMAC_CTRL_ENABLE);
    put_desc(h, RING, 0, 0x100000, 0x200000, 8192, DMAC_OP_COPY, 0);
    wr(h, DMAC_REG_PRODUCER, 1);
    unsigned busy = 0, waiting_busy = 0;
    for (int i = 0; i < 3000 && !sl_rtl_idle(h); ++i) {
        sl_rtl_tick(h, 1);
        if (!sl_rtl_idle(h)) {
            ++busy;
            waiting_busy += sl_rtl_waiting(h) != 0;
        }
        if (sl_rtl_idle(h)) CU_ASSERT(sl_rtl_waiting(h));
    }
    CU_ASSERT(sl_rtl_idle(h));
    CU_ASSERT(waiting_busy > 0);
    CU_ASSERT(waiting_busy < busy);
    sl_rtl_destroy(h);
}

static const sl_test_t tests[] = {
    SL_TEST(test_reference_crc),
    SL_TEST(test_id_version_and_reset_values),
    SL_TEST(test_register_fields),
    SL_TEST(test_copy_aligned_crc),
    SL_TEST(test_copy_unaligned_lengths),
    SL_TEST(test_burst_split_4k),
    SL_TEST(test_read_never_crosses_4k),
    SL_TEST(test_write_4k_is_eight_reads),
    SL_TEST(test_read_tags_limit),
    SL_TEST(test_sram_write_read),
    SL_TEST(test_fill),
    SL_TEST(test_zero_length),
    SL_TEST(test_bad_opcode),
    SL_TEST(test_sram_range),
    SL_TEST(test_producer_and_ring_errors),
    SL_TEST(test_read_error_slverr),
    SL_TEST(test_read_error_decerr),
    SL_TEST(test_write_error_slverr),
    SL_TEST(test_write_error_decerr),
    SL_TEST(test_fetch_error),
    SL_TEST(test_writeback_error),
    SL_TEST(test_soft_reset_mid_transfer),
    SL_TEST(test_ring_wraparound),
    SL_TEST(test_legacy_irq_mask_w1c),
    SL_TEST(test_msi),
    SL_TEST(test_msi_error_and_completion_together),
    SL_TEST(test_backpressure),
    SL_TEST(test_throughput),
    SL_TEST(test_enable_gates_processing),
    SL_TEST(test_disable_mid_ring),
    SL_TEST(test_sram_and_fill_alignments),
    SL_TEST(test_api_errors),
    SL_TEST(test_vcd_trace),
    SL_TEST(test_gather_odd_elements),
    SL_TEST(test_gather_descriptor_checks),
    SL_TEST(test_gather_element_length_zero),
    SL_TEST(test_gather_sram_overflow),
    SL_TEST(test_gather_read_errors),
    SL_TEST(test_gather_soft_reset),
    SL_TEST(test_gather_throughput),
    SL_TEST(test_skip_waiting_is_exact),
    SL_TEST(test_waiting_output),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "rtl", tests, SL_COUNT(tests)); }
