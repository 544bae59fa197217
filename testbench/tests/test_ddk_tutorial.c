/* The DDK tutorial's hardware-interfacing snippets, compiled as they stand into a driver
 * (testbench/tests/ddk/tutorial_driver.c) and run under the shim, instrumented and not:
 * IRQ-mode selection, pci_map_bar into a volatile uint32_t* and plain volatile register
 * accesses (MMIO with readl/writel's timing), the bounded polling loop, the interrupt handling
 * thread and its shutdown, zx_bti_pin with its addresses. Also what happens to BAR accesses
 * that cannot be MMIO. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <zircon/syscalls.h>

#include "ddk/tutorial_protocol.h"
#include "sl_test.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

#define TUTORIAL SL_DRIVER_DIR "/sl_tutorial_driver.so"
#define TUTORIAL_PLAIN SL_DRIVER_DIR "/sl_tutorial_driver_plain.so"
#define MSI_ADDR 0xfee00000ULL

static sl_platform_t* P;
static unsigned SLOT;
static sl_driver_t* D;
static sl_tutorial_ops_t* OPS;
static void* CTX;
static const char* g_driver;
static sl_thread_fn g_body;

static void make(void) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.scratch_device", "true"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.hop_latency_ns", "100"), 0);
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    SLOT = (unsigned)sl_pci_scratch_slot(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl_shim_attach(P, SLOT));
    sl_shim_set_log(fopen("/dev/null", "w"));
}

static void bind_then_body(void* arg) {
    D = sl_driver_load(P, g_driver);
    CU_ASSERT_PTR_NOT_NULL_FATAL(D);
    CU_ASSERT_EQUAL_FATAL(sl_driver_bind(D, SLOT), ZX_OK);
    zx_device_t* dev = sl_device_find("sl-tutorial");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
    uint32_t id = 0;
    void* ops = NULL;
    CU_ASSERT_EQUAL_FATAL(sl_device_info(dev, &id, &ops, &CTX, NULL), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(id, SL_TUTORIAL_PROTOCOL);
    OPS = ops;
    g_body(arg);
}

static int run_with(const char* driver, sl_thread_fn body) {
    make();
    g_driver = driver;
    g_body = body;
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", bind_then_body, NULL), 0);
    return sl_platform_run(P, 0);
}

/* sets READY after a delay, through the driver's volatile store */
static void ready_later(void* arg) {
    sl_wait_ns(2000);
    OPS->write_reg(CTX, REGISTER_READY, READY_BIT);
}

static void snippets_body(void* arg) {
    const int instrumented = strcmp(g_driver, TUTORIAL) == 0;
    CU_ASSERT_EQUAL(sl_driver_instrumented(D), instrumented);
    /* bind's `base[REGISTER_X] = 0x1234` reached the device's register */
    sl_shim_stats_t s0, s1;
    sl_shim_get_stats(&s0);
    CU_ASSERT(s0.mmio_writes >= 1);
    CU_ASSERT_EQUAL(OPS->read_reg(CTX, REGISTER_X), 0x1234);
    sl_shim_get_stats(&s1);
    CU_ASSERT_EQUAL(s1.mmio_reads, s0.mmio_reads + 1);
    /* a volatile store and load cost what writel/readl cost: one hop + 4 ns posted, two hops +
     * 4 ns for the read (test_zx_api's test_mmio) */
    sl_shim_sync();
    uint64_t t0 = sl_shim_now_ns();
    OPS->write_reg(CTX, 12, 0xcafef00d);
    CU_ASSERT_EQUAL(sl_shim_now_ns() - t0, 100 + 4);
    t0 = sl_shim_now_ns();
    CU_ASSERT_EQUAL(OPS->read_reg(CTX, 12), 0xcafef00d);
    CU_ASSERT_EQUAL(sl_shim_now_ns() - t0, 200 + 4);
    /* the polling loop reads the register every time: it sees READY once another thread set it */
    OPS->write_reg(CTX, REGISTER_READY, 0);
    sl_shim_sync();
    t0 = sl_time_ns();
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "ready", ready_later, NULL), 0);
    int left = OPS->poll_ready(CTX, 1000);
    CU_ASSERT(left > 900 && left < 1000);
    CU_ASSERT(sl_shim_now_ns() - t0 >= 2000);
    /* and runs out when nobody does */
    OPS->write_reg(CTX, REGISTER_READY, 0);
    CU_ASSERT_EQUAL(OPS->poll_ready(CTX, 50), -1);
    /* IRQ-mode selection chose MSI; the IHT sees an MSI; the shutdown cancels and joins it */
    CU_ASSERT_EQUAL(OPS->irq_mode(CTX), ZX_PCIE_IRQ_MODE_MSI);
    CU_ASSERT_EQUAL(OPS->irq_count(CTX), 0);
    uint32_t data = SL_PCI_MSI_VECTOR_BASE + SLOT;
    sl_shim_sync();
    CU_ASSERT_EQUAL(sl_scratch_dma(P, 1, MSI_ADDR, &data, 4), SL_RESP_OK);
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(OPS->irq_count(CTX), 1);
    CU_ASSERT_EQUAL(OPS->shutdown(CTX), 1);
    /* the pin with its addresses: one device address per page, page aligned, distinct */
    const zx_paddr_t* addrs = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL(OPS->pin_status(CTX, &addrs, &n), ZX_OK);
    CU_ASSERT_EQUAL(n, 4);
    for (size_t i = 0; i < n; ++i) {
        CU_ASSERT(addrs[i] != 0 && addrs[i] % 4096 == 0);
        if (i) CU_ASSERT_NOT_EQUAL(addrs[i], addrs[i - 1]);
    }
    CU_ASSERT_EQUAL(sl_driver_release(D), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 0);
}

static void test_snippets_instrumented(void) {
    CU_ASSERT_EQUAL(run_with(TUTORIAL, snippets_body), 0);
    sl_platform_destroy(P);
}

static void test_snippets_uninstrumented(void) {
    CU_ASSERT_EQUAL(run_with(TUTORIAL_PLAIN, snippets_body), 0);
    sl_platform_destroy(P);
}

/* Test code is not instrumented either: its volatile accesses to the BAR are trapped and
 * emulated like an uninstrumented driver's, all widths and the usual move forms. */
static pci_protocol_t PCI;
static void test_code_body(void* arg) {
    volatile uint32_t* base;
    size_t size;
    zx_handle_t handle;
    CU_ASSERT_EQUAL_FATAL(pci_map_bar(&PCI, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, (void**)&base, &size, &handle), ZX_OK);
    base[4] = 0x11223344;
    CU_ASSERT_EQUAL(base[4], 0x11223344);
    volatile uint8_t* b8 = (volatile uint8_t*)base;
    volatile uint16_t* b16 = (volatile uint16_t*)base;
    volatile uint64_t* b64 = (volatile uint64_t*)base;
    b8[17] = 0xab;                         /* mov byte, imm or reg */
    CU_ASSERT_EQUAL(base[4], 0x1122ab44);
    CU_ASSERT_EQUAL(b8[17], 0xab);          /* movzx */
    CU_ASSERT_EQUAL((int8_t)b8[17], -85);   /* movsx */
    b16[9] = 0xbeef;
    CU_ASSERT_EQUAL(b16[9], 0xbeef);
    CU_ASSERT_EQUAL(base[4], 0xbeefab44);
    b64[3] = 0x0102030405060708ULL;
    CU_ASSERT_EQUAL(b64[3], 0x0102030405060708ULL);
    CU_ASSERT_EQUAL(base[7], 0x01020304);
    volatile int32_t* s32 = (volatile int32_t*)base;
    s32[5] = -2;
    int64_t wide = s32[5];                 /* movsxd */
    CU_ASSERT_EQUAL(wide, -2);
    sl_shim_stats_t st;
    sl_shim_get_stats(&st);
    CU_ASSERT_EQUAL(st.mmio_writes, 5);
    CU_ASSERT_EQUAL(st.mmio_reads, 9);
    /* an instruction that is not a plain move ends the run with a message naming the line */
    __atomic_fetch_add(&base[2], 1, __ATOMIC_SEQ_CST);
    CU_FAIL("the locked add went through");
}
static void test_volatile_access_from_test_code(void) {
    make();
    CU_ASSERT_EQUAL_FATAL(device_get_protocol(sl_shim_attach(P, SLOT), ZX_PROTOCOL_PCI, &PCI), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", test_code_body, NULL), 0);
    CU_ASSERT_NOT_EQUAL(sl_platform_run(P, 0), 0);
    const char* err = sl_error();
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot perform as MMIO"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "test_ddk_tutorial.c:"));
    sl_platform_destroy(P);
}

static const sl_test_t tests[] = {
    SL_TEST(test_snippets_instrumented),
    SL_TEST(test_snippets_uninstrumented),
    SL_TEST(test_volatile_access_from_test_code),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "ddk-tutorial", tests, SL_COUNT(tests)); }
