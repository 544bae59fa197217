/* The reference driver (driver/dmac) moving data through the Verilated DMA engine, the IOMMU
 * and the non-coherent cache: every opcode, 1 byte to several MiB, aligned and unaligned,
 * scattered pages, MSI and legacy interrupts, queues longer than the ring, other cache line
 * sizes, the production-kernel invalidate gate, engine error recovery, and shutdown idle and
 * with transfers queued.
 *
 * Every check compares bytes read back with zx_vmo_read (the CPU's view) against what the
 * test itself wrote or computed; destinations are preset to a guard byte that must survive
 * around the range. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ddk/device.h>
#include <staleline/dmac-protocol.h>
#include <zircon/syscalls.h>

#include "sl_test.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

#define DMAC SL_DRIVER_DIR "/dmac.so"
#define SLOT 0u
#define GUARD 0xa5u
#define KiB 1024ull
#define MiB (1024ull * 1024ull)

static sl_platform_t* P;
static sl_driver_t* D;
static dma_xfer_protocol_t DMA;
static void (*g_body)(void);
static int g_bound, g_done;
static zx_status_t g_release;

/* ---- fixture: platform, driver bound in a simulated thread, body, release ---- */

static void thread_main(void* arg) {
    (void)arg;
    D = sl_driver_load(P, DMAC);
    CU_ASSERT_PTR_NOT_NULL(D);
    if (!D) return;
    zx_status_t st = sl_driver_bind(D, SLOT);
    CU_ASSERT_EQUAL(st, ZX_OK);
    if (st != ZX_OK) return;
    zx_device_t* dev = sl_device_find("dmac");
    CU_ASSERT_PTR_NOT_NULL(dev);
    uint32_t proto = 0;
    void *ops = NULL, *ctx = NULL;
    CU_ASSERT_EQUAL(sl_device_info(dev, &proto, &ops, &ctx, NULL), ZX_OK);
    CU_ASSERT_EQUAL(proto, ZX_PROTOCOL_DMA_XFER);
    if (proto != ZX_PROTOCOL_DMA_XFER || !ops) return;
    DMA.ops = ops;
    DMA.ctx = ctx;
    g_bound = 1;
    if (g_body) g_body();
    g_release = sl_driver_release(D);
    g_done = 1;
}

/* Build a platform with the settings (NULL-terminated "key=value" list), run body with the
 * driver bound, release it, and check what release must leave behind. */
static void run(const char* const* sets, void (*body)(void)) {
    sl_config_t* cfg = sl_config_new();
    for (size_t i = 0; sets && sets[i]; ++i) CU_ASSERT_EQUAL_FATAL(sl_config_set_assignment(cfg, sets[i]), 0);
    P = sl_platform_create(cfg);
    sl_config_free(cfg);
    if (!P) fprintf(stderr, "sl_platform_create: %s\n", sl_error());
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl_shim_attach(P, SLOT));
    if (!getenv("SL_TEST_VERBOSE")) sl_shim_set_log(fopen("/dev/null", "w"));
    g_body = body;
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", thread_main, NULL), 0);
    int rc = sl_platform_run(P, 0);
    if (rc) fprintf(stderr, "sl_platform_run: %s\n", sl_error());
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(g_bound);
    CU_ASSERT_TRUE(g_done);
    CU_ASSERT_EQUAL(g_release, ZX_OK);
    /* release gave back every pin (the ring's and every transfer's), turned bus mastering and
     * MSI off. */
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 0);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, SLOT, 0x04, 2) & 0x4u, 0);
    sl_platform_destroy(P);
    P = NULL;
}

/* ---- buffers ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint8_t rnd8(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    uint8_t b = (uint8_t)(rng >> 24);
    return b == GUARD ? 0x5a : b;
}
static void rnd_fill(uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) p[i] = rnd8();
}

static zx_handle_t make_vmo(uint64_t size) {
    zx_handle_t v = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL(zx_vmo_create(size, 0, &v), ZX_OK);
    return v;
}

static void vmo_set(zx_handle_t v, uint64_t off, uint64_t len, uint8_t byte) {
    uint8_t* b = malloc(len);
    memset(b, byte, len);
    CU_ASSERT_EQUAL(zx_vmo_write(v, b, off, len), ZX_OK);
    free(b);
}

/* Bytes wrong in [off - 64, off + len + 64) of v: want inside, GUARD outside. */
static uint64_t bad_bytes(zx_handle_t v, uint64_t off, const uint8_t* want, uint64_t len) {
    uint64_t size = 0;
    zx_vmo_get_size(v, &size);
    uint64_t lo = off > 64 ? off - 64 : 0, hi = off + len + 64 < size ? off + len + 64 : size;
    uint8_t* got = malloc(hi - lo);
    CU_ASSERT_EQUAL(zx_vmo_read(v, got, lo, hi - lo), ZX_OK);
    uint64_t bad = 0;
    for (uint64_t a = lo; a < hi; ++a) {
        uint8_t w = (a >= off && a < off + len) ? want[a - off] : GUARD;
        if (got[a - lo] != w) {
            if (!bad)
                fprintf(stderr, "first bad byte at %llu (range %llu+%llu): got 0x%02x want 0x%02x\n",
                        (unsigned long long)a, (unsigned long long)off, (unsigned long long)len, got[a - lo], w);
            ++bad;
        }
    }
    free(got);
    return bad;
}

/* COPY len bytes src+soff -> dst+doff in fresh VMOs and check every byte. */
static void check_copy(uint64_t len, uint64_t soff, uint64_t doff) {
    uint8_t* data = malloc(len);
    rnd_fill(data, len);
    zx_handle_t src = make_vmo(soff + len), dst = make_vmo(doff + len + 64);
    CU_ASSERT_EQUAL(zx_vmo_write(src, data, soff, len), ZX_OK);
    vmo_set(dst, doff > 64 ? doff - 64 : 0, (doff > 64 ? 64 : doff) + len + 64, GUARD);
    zx_status_t st = dma_xfer_copy(&DMA, src, soff, dst, doff, len);
    CU_ASSERT_EQUAL(st, ZX_OK);
    uint64_t bad = bad_bytes(dst, doff, data, len);
    if (bad) fprintf(stderr, "copy %llu bytes src+%llu dst+%llu: %llu bad bytes\n", (unsigned long long)len,
                     (unsigned long long)soff, (unsigned long long)doff, (unsigned long long)bad);
    CU_ASSERT_EQUAL(bad, 0);
    zx_handle_close(src);
    zx_handle_close(dst);
    free(data);
}

static dma_xfer_stats_t stats(void) {
    dma_xfer_stats_t s;
    CU_ASSERT_EQUAL(dma_xfer_get_stats(&DMA, &s), ZX_OK);
    return s;
}

/* The engine's CRC of every descriptor matched the CPU's. */
static void assert_crcs(void) {
    dma_xfer_stats_t s = stats();
    CU_ASSERT_EQUAL(s.crc_checked, s.descriptors);
    CU_ASSERT_EQUAL(s.crc_mismatches, 0);
    CU_ASSERT_EQUAL(s.errors, 0);
}

static const uint64_t kSizes[] = {1, 2, 7, 8, 9, 63, 64, 65, 511, 4095, 4096, 4097, 3 * 4096 + 17, 65536 + 5};
#define NSIZES (sizeof kSizes / sizeof kSizes[0])

/* ---- tests ---- */

static void body_info(void) {
    dma_xfer_info_t info;
    CU_ASSERT_EQUAL(dma_xfer_get_info(&DMA, &info), ZX_OK);
    CU_ASSERT_EQUAL(info.sram_size, 65536);
    CU_ASSERT_EQUAL(info.ops_supported, 0x3eu); /* COPY, WRITE_SRAM, READ_SRAM, FILL, GATHER_SRAM */
    CU_ASSERT_EQUAL(info.irq_mode, DMA_XFER_IRQ_MSI);
    CU_ASSERT_EQUAL(info.ring_entries, 256); /* 64-byte lines: 2 descriptors a line, minimum 256 */
    dma_xfer_stats_t s = stats();
    CU_ASSERT_EQUAL(s.transfers, 0);
    CU_ASSERT_EQUAL(s.descriptors, 0);
}
static void test_bind_publishes_protocol(void) { run(NULL, body_info); }

static void body_copy_aligned(void) {
    for (size_t i = 0; i < NSIZES; ++i) check_copy(kSizes[i], 0, 0);
    dma_xfer_stats_t s = stats();
    CU_ASSERT_EQUAL(s.transfers, NSIZES);
    uint64_t total = 0;
    for (size_t i = 0; i < NSIZES; ++i) total += kSizes[i];
    CU_ASSERT_EQUAL(s.bytes, total);
    CU_ASSERT(s.interrupts >= 1);
    assert_crcs();
}
static void test_copy_sizes_aligned(void) { run(NULL, body_copy_aligned); }

static void body_copy_unaligned(void) {
    static const uint64_t offs[][2] = {{1, 4095}, {4093, 7}, {63, 65}, {3, 0}, {0, 5}};
    for (size_t k = 0; k < sizeof offs / sizeof offs[0]; ++k)
        for (size_t i = 0; i < NSIZES; ++i) check_copy(kSizes[i], offs[k][0], offs[k][1]);
    assert_crcs();
}
static void test_copy_sizes_unaligned(void) { run(NULL, body_copy_unaligned); }

static void body_copy_large(void) {
    check_copy(4 * MiB + 3, 4093, 5);
    check_copy(2 * MiB, 0, 0);
    dma_xfer_stats_t s = stats();
    /* At most 1 MiB per descriptor: 5 + 2 at least. */
    CU_ASSERT(s.descriptors >= 7);
    CU_ASSERT_EQUAL(s.bytes, 6 * MiB + 3);
    assert_crcs();
}
static void test_copy_several_mib(void) { run(NULL, body_copy_large); }

static void body_sram(void) {
    /* The whole SRAM from an unaligned VMO offset, back into another at another offset. */
    const uint64_t n = 64 * KiB;
    uint8_t* data = malloc(n);
    rnd_fill(data, n);
    zx_handle_t a = make_vmo(n + 8192), b = make_vmo(n + 8192);
    CU_ASSERT_EQUAL(zx_vmo_write(a, data, 13, n), ZX_OK);
    CU_ASSERT_EQUAL(dma_xfer_write_sram(&DMA, a, 13, n, 0), ZX_OK);
    vmo_set(b, 4090 - 64, n + 128, GUARD);
    CU_ASSERT_EQUAL(dma_xfer_read_sram(&DMA, 0, b, 4090, n), ZX_OK);
    CU_ASSERT_EQUAL(bad_bytes(b, 4090, data, n), 0);

    /* Small pieces at the SRAM's end and at odd offsets, read back as one range. */
    uint8_t one = 0x3c, three[3];
    zx_handle_t c = make_vmo(4096);
    CU_ASSERT_EQUAL(zx_vmo_write(c, &one, 100, 1), ZX_OK);
    CU_ASSERT_EQUAL(dma_xfer_write_sram(&DMA, c, 100, 1, 65535), ZX_OK);
    memcpy(three, data + 65533, 2);
    three[2] = one;
    vmo_set(c, 1000 - 64, 3 + 128, GUARD);
    CU_ASSERT_EQUAL(dma_xfer_read_sram(&DMA, 65533, c, 1000, 3), ZX_OK);
    CU_ASSERT_EQUAL(bad_bytes(c, 1000, three, 3), 0);

    /* Beyond the SRAM. */
    CU_ASSERT_EQUAL(dma_xfer_write_sram(&DMA, c, 0, 1, 65536), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(dma_xfer_read_sram(&DMA, 65000, c, 0, 1000), ZX_ERR_OUT_OF_RANGE);
    zx_handle_close(a);
    zx_handle_close(b);
    zx_handle_close(c);
    free(data);
    assert_crcs();
}
static void test_write_read_sram(void) { run(NULL, body_sram); }

static void check_fill(uint64_t len, uint64_t off, uint64_t pattern) {
    uint8_t* want = malloc(len);
    for (uint64_t i = 0; i < len; ++i) want[i] = (uint8_t)(pattern >> (8 * (i % 8)));
    zx_handle_t v = make_vmo(off + len + 64);
    vmo_set(v, off > 64 ? off - 64 : 0, (off > 64 ? 64 : off) + len + 64, GUARD);
    CU_ASSERT_EQUAL(dma_xfer_fill(&DMA, v, off, len, pattern), ZX_OK);
    CU_ASSERT_EQUAL(bad_bytes(v, off, want, len), 0);
    zx_handle_close(v);
    free(want);
}

static void body_fill(void) {
    static const uint64_t lens[] = {1, 5, 8, 13, 4096, 70001, 300 * KiB + 7};
    static const uint64_t offs[] = {0, 3, 4093};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; ++i)
        for (size_t k = 0; k < 3; ++k) check_fill(lens[i], offs[k], 0x0123456789abcdefull ^ (i * 0x1111));
    assert_crcs();
}
static void test_fill(void) { run(NULL, body_fill); }

/* IOMMU bypass: device addresses are the VMOs' scattered physical pages, so a range is many
 * runs, one descriptor each; a FILL's pattern phase must continue across them. */
static void body_scattered(void) {
    check_copy(256 * KiB + 5, 17, 4091);
    check_fill(64 * KiB + 3, 4093, 0x8877665544332211ull);
    dma_xfer_stats_t s = stats();
    CU_ASSERT(s.descriptors > s.transfers + 8);
    assert_crcs();
}
static void test_scattered_pages_bypass(void) {
    static const char* const sets[] = {"iommu.mode=bypass", NULL};
    run(sets, body_scattered);
}

static void body_legacy(void) {
    dma_xfer_info_t info;
    CU_ASSERT_EQUAL(dma_xfer_get_info(&DMA, &info), ZX_OK);
    CU_ASSERT_EQUAL(info.irq_mode, DMA_XFER_IRQ_LEGACY);
    for (size_t i = 0; i < NSIZES; i += 3) check_copy(kSizes[i], 5, 3);
    CU_ASSERT(stats().interrupts >= 1);
    /* The interrupt controller saw the level, and no MSI message. */
    char* text = sl_platform_stats_json(P);
    json_t* j = json_loads(text, 0, NULL);
    free(text);
    json_t* irq = json_object_get(j, "irq");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(irq, "msi_messages")), 0);
    CU_ASSERT(json_integer_value(json_object_get(irq, "level_assertions")) >= 1);
    json_decref(j);
    assert_crcs();
}
static void test_legacy_interrupts(void) {
    static const char* const sets[] = {"pci.msi=false", NULL};
    run(sets, body_legacy);
}

/* Many queued transfers: the ring (256 slots) wraps, later ones wait for slots. */
#define NQ 600
static int q_status[NQ];
static int q_calls[NQ];
static void q_done(void* cookie, zx_status_t st) {
    int i = (int)(intptr_t)cookie;
    q_status[i] = st;
    q_calls[i]++;
}

static void body_queue(void) {
    const uint64_t len = 100;
    zx_handle_t src = make_vmo(NQ * len), dst = make_vmo(NQ * len + 64);
    uint8_t* data = malloc(NQ * len);
    rnd_fill(data, NQ * len);
    CU_ASSERT_EQUAL(zx_vmo_write(src, data, 0, NQ * len), ZX_OK);
    vmo_set(dst, 0, NQ * len + 64, GUARD);
    for (int i = 0; i < NQ; ++i) {
        dma_xfer_op_t op = dma_xfer_op_copy(src, (uint64_t)i * len, dst, (uint64_t)i * len, len);
        op.complete = q_done;
        op.cookie = (void*)(intptr_t)i;
        q_status[i] = 1;
        CU_ASSERT_EQUAL(dma_xfer_queue(&DMA, &op), ZX_OK);
    }
    CU_ASSERT_EQUAL(dma_xfer_wait_all(&DMA), ZX_OK);
    int once = 0, ok = 0;
    for (int i = 0; i < NQ; ++i) once += q_calls[i] == 1, ok += q_status[i] == ZX_OK;
    CU_ASSERT_EQUAL(once, NQ);
    CU_ASSERT_EQUAL(ok, NQ);
    CU_ASSERT_EQUAL(bad_bytes(dst, 0, data, NQ * len), 0);
    dma_xfer_stats_t s = stats();
    CU_ASSERT(s.transfers >= NQ);
    CU_ASSERT(s.interrupts < s.transfers); /* completions are batched per doorbell */
    free(data);
    zx_handle_close(src);
    zx_handle_close(dst);
    assert_crcs();
}
static void test_queue_longer_than_ring(void) { run(NULL, body_queue); }

/* Queued operations take effect in order: a READ_SRAM after a WRITE_SRAM of the same bytes
 * reads the new bytes; a second WRITE over the first wins. */
static void body_order(void) {
    const uint64_t n = 4096;
    uint8_t *a = malloc(n), *b = malloc(n);
    rnd_fill(a, n);
    rnd_fill(b, n);
    zx_handle_t va = make_vmo(n), vb = make_vmo(n), r1 = make_vmo(n + 4096), r2 = make_vmo(n + 4096);
    CU_ASSERT_EQUAL(zx_vmo_write(va, a, 0, n), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_write(vb, b, 0, n), ZX_OK);
    vmo_set(r1, 0, n + 128, GUARD);
    vmo_set(r2, 0, n + 128, GUARD);
    dma_xfer_op_t ops[4] = {dma_xfer_op_write_sram(va, 0, n, 512), dma_xfer_op_read_sram(512, r1, 64, n),
                            dma_xfer_op_write_sram(vb, 0, n, 512), dma_xfer_op_read_sram(512, r2, 64, n)};
    for (int i = 0; i < 4; ++i) CU_ASSERT_EQUAL(dma_xfer_queue(&DMA, &ops[i]), ZX_OK);
    CU_ASSERT_EQUAL(dma_xfer_wait_all(&DMA), ZX_OK);
    CU_ASSERT_EQUAL(bad_bytes(r1, 64, a, n), 0);
    CU_ASSERT_EQUAL(bad_bytes(r2, 64, b, n), 0);
    free(a);
    free(b);
    zx_handle_close(va);
    zx_handle_close(vb);
    zx_handle_close(r1);
    zx_handle_close(r2);
    assert_crcs();
}
static void test_queued_in_order(void) { run(NULL, body_order); }

/* A production kernel refuses ZX_VMO_OP_CACHE_INVALIDATE: the driver uses clean+invalidate. */
static void body_mixed(void) {
    check_copy(4097, 3, 4090);
    check_copy(65536 + 5, 0, 1);
    check_fill(1000, 7, 0xfedcba9876543210ull);
    const uint64_t n = 3000;
    uint8_t* data = malloc(n);
    rnd_fill(data, n);
    zx_handle_t a = make_vmo(n), b = make_vmo(n + 4096);
    CU_ASSERT_EQUAL(zx_vmo_write(a, data, 0, n), ZX_OK);
    CU_ASSERT_EQUAL(dma_xfer_write_sram(&DMA, a, 0, n, 100), ZX_OK);
    vmo_set(b, 0, n + 200, GUARD);
    CU_ASSERT_EQUAL(dma_xfer_read_sram(&DMA, 100, b, 77, n), ZX_OK);
    CU_ASSERT_EQUAL(bad_bytes(b, 77, data, n), 0);
    free(data);
    zx_handle_close(a);
    zx_handle_close(b);
    assert_crcs();
}
static void test_production_kernel_invalidate_gate(void) {
    static const char* const sets[] = {"shim.allow_cache_invalidate=false", NULL};
    run(sets, body_mixed);
}
static void test_coherent_platform(void) {
    static const char* const sets[] = {"platform.coherent=true", NULL};
    run(sets, body_mixed);
}

/* Longer cache lines put more descriptors in a line: 4 with 128-byte lines; 128 with 4 KiB
 * lines, where the ring grows to 512 slots. */
static void body_lines(void) {
    dma_xfer_info_t info;
    CU_ASSERT_EQUAL(dma_xfer_get_info(&DMA, &info), ZX_OK);
    const uint32_t line = zx_system_get_dcache_line_size();
    CU_ASSERT_EQUAL(info.ring_entries, line == 4096 ? 512 : 256);
    body_queue();
    /* Synchronous calls announce lines in part; queued work after them starts mid-line. */
    body_mixed();
    memset(q_calls, 0, sizeof q_calls);
    body_queue();
}
static void test_cache_line_128(void) {
    static const char* const sets[] = {"cache.line=128", NULL};
    run(sets, body_lines);
}
static void test_cache_line_4k(void) {
    static const char* const sets[] = {"cache.line=4096", "cache.size=64k", "cache.ways=4", NULL};
    run(sets, body_lines);
}

static void body_errors(void) {
    zx_handle_t a = make_vmo(8192), b = make_vmo(8192);
    dma_xfer_op_t op = dma_xfer_op_copy(a, 0, b, 0, 0);
    CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, &op), ZX_ERR_INVALID_ARGS); /* length 0 */
    op.length = 16;
    op.opcode = 9;
    CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, &op), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(dma_xfer_copy(&DMA, a, 8000, b, 0, 193), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(dma_xfer_copy(&DMA, a, 0, b, 8192, 1), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(dma_xfer_copy(&DMA, ZX_HANDLE_INVALID, 0, b, 0, 1), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(dma_xfer_copy(&DMA, a, 0, a, 100, 200), ZX_ERR_INVALID_ARGS); /* overlap */
    CU_ASSERT_EQUAL(dma_xfer_fill(&DMA, a, 8191, 2, 0), ZX_ERR_OUT_OF_RANGE);
    /* Nothing reached the device, nothing stayed pinned, and the driver still works. */
    CU_ASSERT_EQUAL(stats().transfers, 0);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 1); /* the ring */
    zx_handle_close(a);
    zx_handle_close(b);
    check_copy(100, 1, 2);
}
static void test_argument_errors(void) { run(NULL, body_errors); }

/* The engine halts on a bus error (here an IOMMU fault: the destination's mapping removed
 * behind the driver's back before the doorbell); the driver fails that operation with
 * ZX_ERR_IO, resets the engine and carries on. */
static void body_recover(void) {
    const uint64_t n = 8192;
    zx_handle_t a = make_vmo(n), b = make_vmo(n);
    vmo_set(a, 0, n, 0x11);
    dma_xfer_op_t op = dma_xfer_op_copy(a, 0, b, 0, n);
    CU_ASSERT_EQUAL(dma_xfer_queue(&DMA, &op), ZX_OK);
    /* The newest pin is the destination's (device-writable). */
    sl_pin_info_t pin;
    CU_ASSERT_EQUAL(sl_shim_pin_info(sl_shim_pin_count() - 1, &pin), 0);
    CU_ASSERT_EQUAL(pin.device_perms, ZX_BTI_PERM_WRITE);
    CU_ASSERT_EQUAL(sl_iommu_unmap(P, sl_pci_requester_id(SLOT), pin.first_device_addr, pin.size), 0);
    CU_ASSERT_EQUAL(dma_xfer_wait_all(&DMA), ZX_ERR_IO);
    dma_xfer_stats_t s = stats();
    CU_ASSERT_EQUAL(s.errors, 1);
    CU_ASSERT_EQUAL(s.transfers, 1);
    zx_handle_close(a);
    zx_handle_close(b);
    check_copy(5000, 3, 9);
    check_fill(300, 1, 42);
    CU_ASSERT_EQUAL(stats().errors, 1);
}
static void test_engine_error_recovery(void) {
    /* The fault is made by unmapping the destination's pin as one run of device addresses. */
    static const char* const sets[] = {"iommu.mode=translate", "iommu.scatter=false", NULL};
    run(sets, body_recover);
}

/* ---- GATHER_SRAM: scatter-gather reads into the SRAM ---- */

/* Gather segs of a fresh random VMO into the SRAM at sram_off, read the SRAM back and compare
 * with the segments' bytes concatenated. */
static void check_gather(const dma_xfer_seg_t* segs, uint32_t n, uint64_t vmo_size, uint64_t sram_off, bool queued) {
    uint8_t* data = malloc(vmo_size);
    rnd_fill(data, vmo_size);
    zx_handle_t v = make_vmo(vmo_size);
    CU_ASSERT_EQUAL(zx_vmo_write(v, data, 0, vmo_size), ZX_OK);
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; ++i) total += segs[i].length;
    uint8_t* want = malloc(total);
    for (uint64_t i = 0, pos = 0; i < n; pos += segs[i].length, ++i) memcpy(want + pos, data + segs[i].offset, segs[i].length);
    dma_xfer_op_t op = dma_xfer_op_gather_sram(v, segs, n, total, sram_off);
    if (queued) {
        CU_ASSERT_EQUAL(dma_xfer_queue(&DMA, &op), ZX_OK);
        CU_ASSERT_EQUAL(dma_xfer_wait_all(&DMA), ZX_OK);
    } else {
        CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, &op), ZX_OK);
    }
    zx_handle_t back = make_vmo(total + 128);
    vmo_set(back, 0, total + 128, GUARD);
    CU_ASSERT_EQUAL(dma_xfer_read_sram(&DMA, sram_off, back, 64, total), ZX_OK);
    CU_ASSERT_EQUAL(bad_bytes(back, 64, want, total), 0);
    zx_handle_close(v);
    zx_handle_close(back);
    free(want);
    free(data);
}

static const dma_xfer_seg_t kOddSegs[] = {
    {4095, 1},     /* the last byte of a page */
    {3, 7},        {128, 64},   {8190, 4097}, /* crosses two page boundaries */
    {20000, 513},  {3, 7},      /* the same bytes twice */
    {40960, 4096}, {100, 1},
};
#define NODD (sizeof kOddSegs / sizeof kOddSegs[0])

static void body_gather(void) {
    dma_xfer_info_t info;
    CU_ASSERT_EQUAL(dma_xfer_get_info(&DMA, &info), ZX_OK);
    CU_ASSERT_TRUE(info.ops_supported & (1u << DMA_XFER_OP_GATHER_SRAM));
    const uint64_t d0 = stats().descriptors;
    check_gather(kOddSegs, NODD, 64 * KiB, 777, false);
    /* One descriptor (8 segments, 10 elements: two segments cross a page boundary and the pages
     * are scattered for the device), then the read back: 8786 bytes from offset 64 of a paged
     * VMO, three pages at scattered device addresses, three descriptors. */
    CU_ASSERT_EQUAL(stats().descriptors - d0, 1 + 3);

    /* 150 random 64-byte accesses: three descriptors of 64, 64 and 22 elements; the read back
     * (9600 bytes from offset 64: three scattered pages) three more. */
    dma_xfer_seg_t many[150];
    for (uint32_t i = 0; i < 150; ++i) many[i] = (dma_xfer_seg_t){(rnd8() * 256u + rnd8()) % 1024 * 64, 64};
    const uint64_t d1 = stats().descriptors;
    check_gather(many, 150, 64 * KiB, 0, true);
    CU_ASSERT_EQUAL(stats().descriptors - d1, 3 + 3);
    /* Up to the SRAM's last byte. */
    const dma_xfer_seg_t end[] = {{10, 1000}, {5, 536}};
    check_gather(end, 2, 8 * KiB, 64 * KiB - 1536, false);
    assert_crcs();
    CU_ASSERT_EQUAL(stats().errors, 0);
}
static void test_gather(void) {
    static const char* const sets[] = {"dmac.mapping=pool", NULL};
    run(sets, body_gather);
}

/* Per-transfer mapping pins every segment for the transfer and unpins it afterwards. */
static void body_gather_pins(void) {
    check_gather(kOddSegs, NODD, 64 * KiB, 0, true);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 2); /* the ring and the element lists */
    assert_crcs();
}
static void test_gather_per_transfer_pins(void) {
    static const char* const sets[] = {"dmac.mapping=per-transfer", NULL};
    run(sets, body_gather_pins);
}

/* IOMMU bypass: physical pages are scattered, so a segment crossing pages becomes several
 * elements; the data is still right. */
static void test_gather_scattered_pages_bypass(void) {
    static const char* const sets[] = {"iommu.mode=bypass", NULL};
    run(sets, body_gather_pins);
}

static void body_gather_errors(void) {
    zx_handle_t v = make_vmo(8192);
    const dma_xfer_seg_t ok[] = {{0, 100}, {200, 50}};
    dma_xfer_op_t op = dma_xfer_op_gather_sram(v, ok, 2, 150, 0);
    op.seg_count = 0;
    CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, &op), ZX_ERR_INVALID_ARGS);
    op.seg_count = 2;
    op.segs = NULL;
    CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, &op), ZX_ERR_INVALID_ARGS);
    op.segs = ok;
    op.length = 151; /* not the sum */
    CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, &op), ZX_ERR_INVALID_ARGS);
    op.length = 149;
    CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, &op), ZX_ERR_INVALID_ARGS);
    const dma_xfer_seg_t empty[] = {{0, 100}, {200, 0}};
    op = dma_xfer_op_gather_sram(v, empty, 2, 100, 0);
    CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, &op), ZX_ERR_INVALID_ARGS);
    const dma_xfer_seg_t beyond[] = {{8000, 193}};
    op = dma_xfer_op_gather_sram(v, beyond, 1, 193, 0);
    CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, &op), ZX_ERR_OUT_OF_RANGE);
    op = dma_xfer_op_gather_sram(v, ok, 2, 150, 64 * KiB - 149); /* one byte past the SRAM */
    CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, &op), ZX_ERR_OUT_OF_RANGE);
    op = dma_xfer_op_gather_sram(ZX_HANDLE_INVALID, ok, 2, 150, 0);
    CU_ASSERT_EQUAL(dma_xfer_transfer(&DMA, &op), ZX_ERR_BAD_HANDLE);
    /* Nothing reached the device, nothing is pinned but the ring, and gathers still work. */
    CU_ASSERT_EQUAL(stats().transfers, 0);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 1);
    zx_handle_close(v);
    check_gather(ok, 2, 8192, 0, false);
}
static void test_gather_argument_errors(void) { run(NULL, body_gather_errors); }

static void test_shutdown_idle(void) { run(NULL, NULL); }

/* Release with 600 transfers queued on an engine clocked at 20 MHz (the CPU queues faster than
 * it copies, so more than the ring holds are outstanding): every callback runs once,
 * with ZX_OK (the engine finished it) or ZX_ERR_CANCELED (it never started); the finished
 * ones moved the right bytes; nothing stays pinned (checked by run()). */
#define NS 600
static int s_status[NS], s_calls[NS];
static zx_handle_t s_src, s_dst;
static uint8_t* s_data;
static void s_done(void* cookie, zx_status_t st) {
    int i = (int)(intptr_t)cookie;
    s_status[i] = st;
    s_calls[i]++;
}
static void body_shutdown_queued(void) {
    const uint64_t len = 4096;
    s_src = make_vmo(NS * len);
    s_dst = make_vmo(NS * len);
    s_data = malloc(NS * len);
    rnd_fill(s_data, NS * len);
    CU_ASSERT_EQUAL(zx_vmo_write(s_src, s_data, 0, NS * len), ZX_OK);
    vmo_set(s_dst, 0, NS * len, GUARD);
    for (int i = 0; i < NS; ++i) {
        dma_xfer_op_t op = dma_xfer_op_copy(s_src, (uint64_t)i * len, s_dst, (uint64_t)i * len, len);
        op.complete = s_done;
        op.cookie = (void*)(intptr_t)i;
        CU_ASSERT_EQUAL(dma_xfer_queue(&DMA, &op), ZX_OK);
    }
    /* no wait_all: run() releases the driver now */
}
static void check_shutdown_queued(void) {
    const uint64_t len = 4096;
    int once = 0, ok = 0, canceled = 0;
    for (int i = 0; i < NS; ++i) {
        once += s_calls[i] == 1;
        ok += s_status[i] == ZX_OK;
        canceled += s_status[i] == ZX_ERR_CANCELED;
    }
    CU_ASSERT_EQUAL(once, NS);
    CU_ASSERT_EQUAL(ok + canceled, NS);
    CU_ASSERT(ok >= 1);
    CU_ASSERT(canceled >= 1);
    uint8_t* got = malloc(len);
    for (int i = 0; i < NS; ++i) {
        if (s_status[i] != ZX_OK) continue;
        CU_ASSERT_EQUAL(zx_vmo_read(s_dst, got, (uint64_t)i * len, len), ZX_OK);
        CU_ASSERT_EQUAL(memcmp(got, s_data + (uint64_t)i * len, len), 0);
    }
    free(got);
}
static void verify_thread(void* arg) {
    (void)arg;
    check_shutdown_queued();
}
static void test_shutdown_with_transfers_queued(void) {
    sl_config_t* cfg = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(cfg, "rtl.clock_mhz", "20"), 0);
    P = sl_platform_create(cfg);
    sl_config_free(cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl_shim_attach(P, SLOT));
    if (!getenv("SL_TEST_VERBOSE")) sl_shim_set_log(fopen("/dev/null", "w"));
    g_body = body_shutdown_queued;
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", thread_main, NULL), 0);
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
    CU_ASSERT_TRUE(g_done);
    CU_ASSERT_EQUAL(g_release, ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 0);
    /* Read the destinations back in a thread of their own (CPU accesses are timed). */
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "verify", verify_thread, NULL), 0);
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
    free(s_data);
    sl_platform_destroy(P);
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_bind_publishes_protocol),
        SL_TEST(test_copy_sizes_aligned),
        SL_TEST(test_copy_sizes_unaligned),
        SL_TEST(test_copy_several_mib),
        SL_TEST(test_write_read_sram),
        SL_TEST(test_fill),
        SL_TEST(test_scattered_pages_bypass),
        SL_TEST(test_legacy_interrupts),
        SL_TEST(test_queue_longer_than_ring),
        SL_TEST(test_queued_in_order),
        SL_TEST(test_production_kernel_invalidate_gate),
        SL_TEST(test_coherent_platform),
        SL_TEST(test_cache_line_128),
        SL_TEST(test_cache_line_4k),
        SL_TEST(test_argument_errors),
        SL_TEST(test_engine_error_recovery),
        SL_TEST(test_gather),
        SL_TEST(test_gather_per_transfer_pins),
        SL_TEST(test_gather_scattered_pages_bypass),
        SL_TEST(test_gather_argument_errors),
        SL_TEST(test_shutdown_idle),
        SL_TEST(test_shutdown_with_transfers_queued),
    };
    return sl_test_main(argc, argv, "dmac", tests, SL_COUNT(tests));
}
