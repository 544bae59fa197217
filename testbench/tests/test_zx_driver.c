/* Driver modules under the shim: loading (by path and by name, and the errors), binding to
 * the ScratchDevice's PCI function, the device a driver publishes and its protocol, the
 * driver's instrumented plain stores and loads going through the cache model, MMIO from
 * driver code, C11 threads in driver code, release and the pin registry (leaked pins, source
 * locations), and the uninstrumented build.
 *
 * The driver is driver/shim/fixtures/probe_driver.c, built by staleline_add_driver() as
 * sl_probe_driver.so (instrumented) and sl_probe_driver_plain.so (not). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ddk/device.h>
#include <ddk/driver.h>
#include <zircon/syscalls.h>

#include "probe_protocol.h"
#include "sl_test.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

#define PAGE 4096u
#define PROBE SL_DRIVER_DIR "/sl_probe_driver.so"
#define PROBE_PLAIN SL_DRIVER_DIR "/sl_probe_driver_plain.so"

static sl_platform_t* P;
static unsigned SLOT;
static sl_driver_t* D;
static sl_probe_ops_t* OPS;
static void* CTX;

static void make(void) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.scratch_device", "true"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.hop_latency_ns", "100"), 0);
    /* The cases assert exact device addresses (one run per pin), costs and zeroed DRAM under a
     * fresh VMO: the fidelity switches off here (test_fidelity covers them). */
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "iommu.scatter", "false"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "dram.fresh_pages", "zero"), 0);
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    SLOT = (unsigned)sl_pci_scratch_slot(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl_shim_attach(P, SLOT));
    sl_shim_set_log(fopen("/dev/null", "w"));
}

/* The probe's protocol, from the device it published. */
static void find_probe(void) {
    zx_device_t* dev = sl_device_find("sl-probe");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
    uint32_t id = 0;
    void* ops = NULL;
    CU_ASSERT_EQUAL_FATAL(sl_device_info(dev, &id, &ops, &CTX, NULL), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(id, SL_PROBE_PROTOCOL);
    OPS = ops;
}

/* Load + bind from a simulated thread, then body. */
static sl_thread_fn g_body;
static const char* g_driver;
static void bind_then_body(void* arg) {
    D = sl_driver_load(P, g_driver);
    CU_ASSERT_PTR_NOT_NULL_FATAL(D);
    CU_ASSERT_EQUAL_FATAL(sl_driver_bind(D, SLOT), ZX_OK);
    find_probe();
    g_body(arg);
}

static int run_with_driver(const char* driver, sl_thread_fn body) {
    make();
    g_driver = driver;
    g_body = body;
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", bind_then_body, NULL), 0);
    return sl_platform_run(P, 0);
}

static int dma(int is_write, uint64_t addr, void* data, size_t len) {
    sl_shim_sync();
    return sl_scratch_dma(P, is_write, addr, data, len);
}

static int all_bytes(const uint8_t* b, size_t n, uint8_t v) {
    for (size_t i = 0; i < n; ++i)
        if (b[i] != v) return 0;
    return 1;
}

/* ------------------------------------------------------------- loading ---- */

static void test_load_errors(void) {
    sl_config_t* c = sl_config_new();
    sl_config_set(c, "pci.scratch_device", "true");
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NULL(sl_driver_load(P, PROBE)); /* runtime not attached */
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "sl_shim_attach"));
    SLOT = (unsigned)sl_pci_scratch_slot(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl_shim_attach(P, SLOT));
    CU_ASSERT_PTR_NULL(sl_driver_load(P, "no_such_driver"));
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "driver 'no_such_driver' not found in"));
    CU_ASSERT_PTR_NULL(sl_driver_load(P, "/nonexistent/x.so"));
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "driver file not found: /nonexistent/x.so"));
    CU_ASSERT_PTR_NULL(sl_driver_load(P, ""));
    CU_ASSERT_PTR_NULL(sl_driver_load(P, "/lib/x86_64-linux-gnu/libm.so.6"));
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "is not a driver"));
    /* by name, through STALELINE_DRIVER_PATH */
    setenv("STALELINE_DRIVER_PATH", "/nonexistent:" SL_DRIVER_DIR, 1);
    sl_driver_t* d = sl_driver_load(P, "sl_probe_driver");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_STRING_EQUAL(sl_driver_name(d), "sl_probe");
    CU_ASSERT_STRING_EQUAL(sl_driver_path(d), SL_DRIVER_DIR "/sl_probe_driver.so");
    CU_ASSERT_TRUE(sl_driver_matches(d, SLOT));
    CU_ASSERT_FALSE(sl_driver_matches(d, SLOT + 1)); /* no function there */
    CU_ASSERT_EQUAL(sl_driver_bind(d, SLOT + 1), ZX_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(sl_driver_bind_status(d), ZX_ERR_SHOULD_WAIT);
    sl_platform_destroy(P);
}

/* Bound before the run (on a thread of its own): the status and the device appear after. */
static void test_bind_before_run(void) {
    make();
    D = sl_driver_load(P, PROBE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(D);
    CU_ASSERT_EQUAL(sl_driver_bind(D, SLOT), ZX_OK);
    CU_ASSERT_EQUAL(sl_driver_bind(D, SLOT), ZX_ERR_BAD_STATE); /* one bind per driver */
    CU_ASSERT_EQUAL(sl_driver_bind_status(D), ZX_ERR_SHOULD_WAIT);
    CU_ASSERT_PTR_NULL(sl_device_find("sl-probe"));
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
    CU_ASSERT_EQUAL(sl_driver_bind_status(D), ZX_OK);
    CU_ASSERT_EQUAL(sl_driver_device_count(D), 1);
    zx_device_t* dev = sl_driver_device(D, 0);
    CU_ASSERT_PTR_EQUAL(dev, sl_device_find("sl-probe"));
    CU_ASSERT_PTR_NULL(sl_driver_device(D, 1));
    CU_ASSERT_PTR_EQUAL(device_get_parent(dev), sl_shim_attach(P, SLOT));
    /* the probe pinned its 4-page buffer READ|WRITE at bind; the pin call is located */
    CU_ASSERT_EQUAL(sl_shim_pin_count(), 1);
    sl_pin_info_t pi;
    CU_ASSERT_EQUAL(sl_shim_pin_info(0, &pi), 0);
    CU_ASSERT_EQUAL(pi.size, SL_PROBE_BUFFER_SIZE);
    CU_ASSERT_EQUAL(pi.device_perms, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE);
    CU_ASSERT_EQUAL(pi.state, SL_PIN_PINNED);
    char where[256];
    sl_shim_describe_pc(pi.pin_pc, where, sizeof where);
    CU_ASSERT_PTR_NOT_NULL(strstr(where, "probe_driver.c:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(where, "(probe_bind)"));
    sl_shim_stats_t st;
    sl_shim_get_stats(&st);
    CU_ASSERT_EQUAL(st.pins, 1);
    CU_ASSERT_EQUAL(st.vmos_created, 1);
    sl_platform_destroy(P);
}

/* ------------------------------------------- instrumented driver code ---- */

/* The driver's plain stores are in the cache (zx_vmo_read sees them), not in DRAM (the device
 * does not) until the driver cleans; device writes reach its plain loads only after an
 * invalidate once the lines are cached. */
static void coherency_body(void* arg) {
    zx_handle_t vmo = OPS->vmo(CTX);
    uint64_t dev = OPS->device_addr(CTX);
    uint8_t got[64], buf[64];
    sl_shim_stats_t s0, s1;
    sl_shim_get_stats(&s0);
    OPS->fill(CTX, 0, 64, 0xab);
    sl_shim_get_stats(&s1);
    CU_ASSERT(s1.hook_calls > s0.hook_calls);
    CU_ASSERT(s1.observed_accesses > s0.observed_accesses);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, got, 0, 64), ZX_OK);
    CU_ASSERT(all_bytes(got, 64, 0xab));
    CU_ASSERT_EQUAL(dma(0, dev, buf, 64), SL_RESP_OK);
    CU_ASSERT(all_bytes(buf, 64, 0)); /* stale: the stores are only in the cache */
    CU_ASSERT_EQUAL(OPS->cache_op(CTX, ZX_VMO_OP_CACHE_CLEAN, 0, 64), ZX_OK);
    CU_ASSERT_EQUAL(dma(0, dev, buf, 64), SL_RESP_OK);
    CU_ASSERT(all_bytes(buf, 64, 0xab));

    /* device -> CPU: first load misses and sees DRAM; later device writes stay hidden */
    memset(buf, 1, 64);
    CU_ASSERT_EQUAL(dma(1, dev + 256, buf, 64), SL_RESP_OK);
    CU_ASSERT_EQUAL(OPS->sum(CTX, 256, 64), 64);
    memset(buf, 2, 64);
    CU_ASSERT_EQUAL(dma(1, dev + 256, buf, 64), SL_RESP_OK);
    CU_ASSERT_EQUAL(OPS->sum(CTX, 256, 64), 64); /* stale */
    CU_ASSERT_EQUAL(OPS->cache_op(CTX, ZX_VMO_OP_CACHE_INVALIDATE, 256, 64), ZX_OK);
    CU_ASSERT_EQUAL(OPS->sum(CTX, 256, 64), 128);

    /* memset from driver code is observed through the wrapper; zx_cache_flush cleans it */
    OPS->memfill(CTX, PAGE + 100, 200, 7);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, got, PAGE + 100, 64), ZX_OK);
    CU_ASSERT(all_bytes(got, 64, 7));
    CU_ASSERT_EQUAL(dma(0, dev + PAGE + 100, buf, 64), SL_RESP_OK);
    CU_ASSERT(all_bytes(buf, 64, 0));
    CU_ASSERT_EQUAL(OPS->flush(CTX, PAGE + 100, 200, ZX_CACHE_FLUSH_DATA), ZX_OK);
    CU_ASSERT_EQUAL(dma(0, dev + PAGE + 100, buf, 64), SL_RESP_OK);
    CU_ASSERT(all_bytes(buf, 64, 7));

    /* the driver's plain accesses cost cache time: a cold 4 KiB page of loads takes 64
     * misses of 4 + 65 ns */
    uint64_t t0 = sl_shim_now_ns();
    CU_ASSERT_EQUAL(OPS->sum(CTX, 3 * PAGE, PAGE), 0);
    CU_ASSERT(sl_shim_now_ns() - t0 >= 64 * 69);

    /* MMIO from driver code */
    OPS->reg_write(CTX, 0x18, 0x600df00d);
    CU_ASSERT_EQUAL(OPS->reg_read(CTX, 0x18), 0x600df00d);
    sl_shim_get_stats(&s1);
    CU_ASSERT(s1.mmio_writes >= 1 && s1.mmio_reads >= 1);

    /* release: unbind -> device_remove -> release hook (unpins, unmaps, closes) */
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 1);
    CU_ASSERT_EQUAL(sl_driver_release(D), ZX_OK);
    CU_ASSERT_EQUAL(sl_driver_release(D), ZX_ERR_BAD_STATE);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 0);
    CU_ASSERT_PTR_NULL(sl_device_find("sl-probe"));
    bool removed = false;
    CU_ASSERT_EQUAL(sl_device_info(sl_driver_device(D, 0), NULL, NULL, NULL, &removed), ZX_OK);
    CU_ASSERT_TRUE(removed);
    /* The release hook turned bus mastering off: the function's DMA is refused... */
    CU_ASSERT_EQUAL(dma(0, dev, buf, 64), SL_RESP_GENERIC_ERROR);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, (unsigned)sl_pci_scratch_slot(P), 0x04, 2) & 0x4, 0);
    /* ...and with it forced back on (as a buggy firmware might), the page is unpinned. */
    const unsigned slot = (unsigned)sl_pci_scratch_slot(P);
    sl_pci_config_write(P, slot, 0x04, 2, sl_pci_config_read(P, slot, 0x04, 2) | 0x4);
    CU_ASSERT_EQUAL(dma(0, dev, buf, 64), SL_RESP_ADDRESS_ERROR);
}
static void test_instrumented_driver(void) {
    CU_ASSERT_EQUAL(run_with_driver(PROBE, coherency_body), 0);
    sl_platform_destroy(P);
}

/* C11 threads in driver code: 3 threads x 5 increments under a mutex, 1 us apart, a condition
 * variable, joins with results. */
static void threads_body(void* arg) {
    uint64_t t0 = sl_shim_now_ns();
    CU_ASSERT_EQUAL(OPS->threads(CTX, 3, 5), 15);
    CU_ASSERT(sl_shim_now_ns() - t0 >= 5000);
    CU_ASSERT(sl_shim_now_ns() - t0 < 20000);
    CU_ASSERT_EQUAL(OPS->threads(CTX, 1, 1), 1);
}
static void test_driver_threads(void) {
    CU_ASSERT_EQUAL(run_with_driver(PROBE, threads_body), 0);
    sl_platform_destroy(P);
}

/* A driver that keeps its pin through release leaves a live pin in the registry, with the
 * location of the pin call. */
static void leak_body(void* arg) {
    OPS->leak_pin_on_release(CTX);
    CU_ASSERT_EQUAL(sl_driver_release(D), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 1);
    sl_pin_info_t pi;
    CU_ASSERT_EQUAL(sl_shim_pin_info(0, &pi), 0);
    CU_ASSERT_EQUAL(pi.state, SL_PIN_PINNED);
    char where[256];
    sl_shim_describe_pc(pi.pin_pc, where, sizeof where);
    CU_ASSERT_PTR_NOT_NULL(strstr(where, "probe_driver.c:"));
}
static void test_leaked_pin(void) {
    CU_ASSERT_EQUAL(run_with_driver(PROBE, leak_body), 0);
    sl_platform_destroy(P);
}

/* A volatile store through a BAR pointer in instrumented driver code is MMIO, as writel: the
 * device register gets the value, with writel's cost, and the MMIO is blamed on the driver. */
static void raw_bar_body(void* arg) {
    sl_shim_stats_t s0, s1;
    sl_shim_get_stats(&s0);
    sl_shim_sync();
    uint64_t t0 = sl_shim_now_ns();
    OPS->raw_bar_store(CTX, 0x40, 0x5a5a1234);
    CU_ASSERT_EQUAL(sl_shim_now_ns() - t0, 100 + 4);
    sl_shim_get_stats(&s1);
    CU_ASSERT_EQUAL(s1.mmio_writes, s0.mmio_writes + 1);
    CU_ASSERT_EQUAL(OPS->reg_read(CTX, 0x40), 0x5a5a1234);
}
static void test_raw_bar_store_in_driver(void) {
    CU_ASSERT_EQUAL(run_with_driver(PROBE, raw_bar_body), 0);
    sl_platform_destroy(P);
}
static void test_raw_bar_store_in_plain_driver(void) {
    CU_ASSERT_EQUAL(run_with_driver(PROBE_PLAIN, raw_bar_body), 0);
    sl_platform_destroy(P);
}

/* --------------------------------------------------- uninstrumented build ---- */

/* Without instrumentation plain stores are invisible to the cache model (the checker's
 * conservative mode deals with that); library calls stay observed through the prelude. */
static void plain_body(void* arg) {
    sl_shim_stats_t s0, s1;
    sl_shim_get_stats(&s0);
    OPS->fill(CTX, 0, 64, 0xab);
    CU_ASSERT_EQUAL(OPS->sum(CTX, 0, 64), 64 * 0xab); /* the bytes are in the CPU view */
    sl_shim_get_stats(&s1);
    CU_ASSERT_EQUAL(s1.hook_calls, s0.hook_calls);
    OPS->memfill(CTX, 128, 64, 1);
    sl_shim_get_stats(&s1);
    CU_ASSERT(s1.hook_calls > s0.hook_calls);
    CU_ASSERT_EQUAL(OPS->threads(CTX, 2, 2), 4);
    CU_ASSERT_EQUAL(sl_driver_release(D), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 0);
}
static void test_uninstrumented_driver(void) {
    CU_ASSERT_EQUAL(run_with_driver(PROBE_PLAIN, plain_body), 0);
    sl_platform_destroy(P);
}

static const sl_test_t tests[] = {
    SL_TEST(test_load_errors),
    SL_TEST(test_bind_before_run),
    SL_TEST(test_instrumented_driver),
    SL_TEST(test_driver_threads),
    SL_TEST(test_leaked_pin),
    SL_TEST(test_raw_bar_store_in_driver),
    SL_TEST(test_raw_bar_store_in_plain_driver),
    SL_TEST(test_uninstrumented_driver),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "zx-driver", tests, SL_COUNT(tests)); }
