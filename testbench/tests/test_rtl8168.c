/* The RTL8168 model (devices/rtl8168), BARs other than 0 and MMIO with byte enables:
 *
 *   - config space: BAR0 an I/O BAR of 256 bytes, BAR2/3 a 64-bit memory BAR of 4 KiB, the
 *     rest absent, each sized the way firmware probes it;
 *   - the PCI protocol over them: pci_map_bar(2) maps the registers, pci_get_bar(0) describes
 *     the I/O BAR, pci_map_bar(0) refuses it (ZX_ERR_WRONG_TYPE), a missing BAR is
 *     ZX_ERR_NOT_FOUND; each refusal is logged naming the device and the BAR;
 *   - sub-dword MMIO at odd offsets reads and writes exactly its bytes, with no finding, on
 *     the model and (as AXI4-Lite strobes) on an RTL device, lnic;
 *   - an access crossing a dword is a misaligned-mmio finding at the exact line, carried out
 *     in pieces, and the run goes on;
 *   - garbage: a TX ring at an address nobody pinned is an IOMMU fault and ISR.SYSERR, no crash;
 *   - the test driver (driver/rtl8168-test) with ethmac-loopback: byte-exact, no finding, on
 *     three seeds under the random cache adversary, with INTx, with frames the model injects;
 *     its bug variant is a stale-device-read at the TPPOLL doorbell, about the descriptor
 *     store, and harmless when coherent; the same seed gives the same JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <zircon/syscalls.h>

#include "rtl8168-regs.h"
#include "sl_test.h"
#include "staleline/checker.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

/* The shim's MMIO accessors (hw/reg.h's readb... in a driver built for Staleline). */
uint8_t sl_mmio_read8(const volatile void* a);
uint16_t sl_mmio_read16(const volatile void* a);
uint32_t sl_mmio_read32(const volatile void* a);
uint64_t sl_mmio_read64(const volatile void* a);
void sl_mmio_write8(uint8_t v, volatile void* a);
void sl_mmio_write16(uint16_t v, volatile void* a);
void sl_mmio_write32(uint32_t v, volatile void* a);
void sl_mmio_write64(uint64_t v, volatile void* a);

/* The model's default MAC address, 00:e0:4c:68:16:80. */
static const uint8_t kMac[6] = {0x00, 0xe0, 0x4c, 0x68, 0x16, 0x80};

/* ---- one platform with the model in slot 0, in this process ---- */

static sl_platform_t* P;
static sl_checker_t* CHK;
static pci_protocol_t PCI;
static FILE* LOG;

static void sim_on(const char* devices, sl_thread_fn body) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "platform.devices", devices), 0);
    P = sl_platform_create(c);
    sl_config_free(c);
    if (!P) fprintf(stderr, "%s\n", sl_error());
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CHK = sl_checker_attach(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(CHK);
    zx_device_t* parent = sl_shim_attach(P, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(parent);
    LOG = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(LOG);
    sl_shim_set_log(LOG);
    CU_ASSERT_EQUAL_FATAL(device_get_protocol(parent, ZX_PROTOCOL_PCI, &PCI), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", body, NULL), 0);
    const int rc = sl_platform_run(P, 0);
    if (rc) fprintf(stderr, "run failed: %s\n", sl_error());
    CU_ASSERT_EQUAL(rc, 0);
    sl_platform_destroy(P);
    fclose(LOG);
}

static void sim(sl_thread_fn body) { sim_on("rtl8168", body); }

/* Whether the shim's log so far holds `text`. */
static int logged(const char* text) {
    fflush(LOG);
    rewind(LOG);
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof line, LOG)) found = strstr(line, text) != NULL;
    fseek(LOG, 0, SEEK_END);
    return found;
}

static volatile uint8_t* map_regs(void) {
    void* regs = NULL;
    size_t size = 0;
    zx_handle_t h = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(pci_map_bar(&PCI, RTL8168_MMIO_BAR, ZX_CACHE_POLICY_UNCACHED_DEVICE, &regs, &size, &h), ZX_OK);
    CU_ASSERT_EQUAL(size, RTL8168_MMIO_SIZE);
    return regs;
}

/* ---- config space ---- */

static void bar_layout_body(void* arg) {
    (void)arg;
    const uint32_t bar0 = sl_pci_config_read(P, 0, 0x10, 4), bar2 = sl_pci_config_read(P, 0, 0x18, 4);
    CU_ASSERT_EQUAL(bar0 & 0x3, 0x1);                           /* I/O */
    CU_ASSERT_EQUAL(bar0 & ~0x3u & (RTL8168_IO_SIZE - 1), 0);   /* placed, aligned */
    CU_ASSERT_NOT_EQUAL(bar0 & ~0x3u, 0);
    CU_ASSERT_EQUAL(bar2 & 0xf, 0x4);                           /* 64-bit memory */
    CU_ASSERT_EQUAL(bar2 & 0xf0000000u, 0xe0000000u);           /* in the MMIO window */
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, 0x1c, 4), 0);      /* its upper half */
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, 0x14, 4), 0);      /* absent */
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, 0x20, 4), 0);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, 0x24, 4), 0);
    /* sizing as firmware does it: ones in, the size mask out */
    sl_pci_config_write(P, 0, 0x10, 4, 0xffffffffu);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, 0x10, 4), 0xffffff01u);
    sl_pci_config_write(P, 0, 0x18, 4, 0xffffffffu);
    sl_pci_config_write(P, 0, 0x1c, 4, 0xffffffffu);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, 0x18, 4), 0xfffff004u);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, 0x1c, 4), 0xffffffffu);
    sl_pci_config_write(P, 0, 0x14, 4, 0xffffffffu);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, 0x14, 4), 0); /* nothing there */
    sl_pci_config_write(P, 0, 0x10, 4, bar0);
    sl_pci_config_write(P, 0, 0x18, 4, bar2);
    sl_pci_config_write(P, 0, 0x1c, 4, 0);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, 0x00, 4), 0x816810ecu);
}
static void test_bar_layout(void) { sim(bar_layout_body); }

/* ---- the PCI protocol over the BARs ---- */

static void bars_body(void* arg) {
    (void)arg;
    zx_pci_bar_t bar;
    CU_ASSERT_EQUAL_FATAL(pci_get_bar(&PCI, 0, &bar), ZX_OK);
    CU_ASSERT_EQUAL(bar.type, ZX_PCI_BAR_TYPE_PIO);
    CU_ASSERT_EQUAL(bar.size, RTL8168_IO_SIZE);
    CU_ASSERT_EQUAL(bar.addr, sl_pci_config_read(P, 0, 0x10, 4) & ~0x3u);
    void* va = NULL;
    size_t size = 0;
    zx_handle_t h = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL(pci_map_bar(&PCI, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, &va, &size, &h), ZX_ERR_WRONG_TYPE);
    CU_ASSERT(logged("pci_map_bar(BAR0) of PCI slot 0 (rtl8168): ZX_ERR_WRONG_TYPE, BAR0 is an I/O BAR"));
    CU_ASSERT_EQUAL(pci_get_bar(&PCI, 1, &bar), ZX_ERR_NOT_FOUND);
    CU_ASSERT(logged("pci_get_bar(BAR1) of PCI slot 0 (rtl8168): ZX_ERR_NOT_FOUND, the device does not implement BAR1 "
                     "(it has BAR0 I/O of 256 bytes, BAR2 64-bit memory of 4096 bytes)"));
    CU_ASSERT_EQUAL(pci_get_bar(&PCI, 3, &bar), ZX_ERR_NOT_FOUND); /* BAR2's upper half */
    CU_ASSERT_EQUAL(pci_map_bar(&PCI, 5, ZX_CACHE_POLICY_UNCACHED_DEVICE, &va, &size, &h), ZX_ERR_NOT_FOUND);
    CU_ASSERT(logged("pci_map_bar(BAR5) of PCI slot 0 (rtl8168): ZX_ERR_NOT_FOUND"));
    CU_ASSERT_EQUAL(pci_get_bar(&PCI, 6, &bar), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL_FATAL(pci_get_bar(&PCI, 2, &bar), ZX_OK);
    CU_ASSERT_EQUAL(bar.type, ZX_PCI_BAR_TYPE_MMIO);
    CU_ASSERT_EQUAL(bar.size, RTL8168_MMIO_SIZE);
    CU_ASSERT_NOT_EQUAL(bar.handle, ZX_HANDLE_INVALID);
    zx_handle_close(bar.handle);
    volatile uint8_t* regs = map_regs();
    /* the registers answer through BAR2: the MAC version the drivers check */
    CU_ASSERT_EQUAL(sl_mmio_read32(regs + RTL8168_TCR) & RTL8168_TCR_VERSION_MASK, RTL8168_TCR_VERSION_8111H);
    CU_ASSERT_EQUAL(sl_mmio_read8(regs + RTL8168_PHYSTATUS) & RTL8168_PHY_LINK, RTL8168_PHY_LINK);
    CU_ASSERT_EQUAL(sl_checker_finding_count(CHK), 0);
}
static void test_bars(void) { sim(bars_body); }

/* ---- MMIO with byte enables ---- */

static void sub_dword_body(void* arg) {
    (void)arg;
    volatile uint8_t* regs = map_regs();
    for (unsigned i = 0; i < 6; ++i) CU_ASSERT_EQUAL(sl_mmio_read8(regs + RTL8168_IDR0 + i), kMac[i]);
    CU_ASSERT_EQUAL(sl_mmio_read16(regs + 0x01), kMac[1] | kMac[2] << 8);
    CU_ASSERT_EQUAL(sl_mmio_read16(regs + 0x02), kMac[2] | kMac[3] << 8);
    /* rtl8111.c's READ16(RTL_RCR | RTL_RCR_AAP): bytes 0x45 and 0x46 of RCR */
    sl_mmio_write32(0x11223344u, regs + RTL8168_RCR);
    CU_ASSERT_EQUAL(sl_mmio_read16(regs + 0x45), 0x2233);
    CU_ASSERT_EQUAL(sl_mmio_read8(regs + 0x47), 0x11);
    /* writes touch their bytes only */
    sl_mmio_write32(0, regs + RTL8168_MAR0);
    sl_mmio_write16(0xbeef, regs + 0x09);
    CU_ASSERT_EQUAL(sl_mmio_read32(regs + RTL8168_MAR0), 0x00beef00u);
    sl_mmio_write8(0x5a, regs + 0x0b);
    CU_ASSERT_EQUAL(sl_mmio_read32(regs + RTL8168_MAR0), 0x5abeef00u);
    sl_mmio_write16(0x1234, regs + 0x45);
    CU_ASSERT_EQUAL(sl_mmio_read32(regs + RTL8168_RCR), 0x11123444u);
    /* a qword, then a word inside it */
    sl_mmio_write64(0x1122334455667700ull, regs + RTL8168_TNPDS);
    CU_ASSERT_EQUAL(sl_mmio_read64(regs + RTL8168_TNPDS), 0x1122334455667700ull);
    CU_ASSERT_EQUAL(sl_mmio_read16(regs + 0x21), 0x6677);
    CU_ASSERT_EQUAL(sl_mmio_read16(regs + 0x26), 0x1122);
    /* ISR is write-1-to-clear in each byte lane */
    CU_ASSERT_EQUAL(sl_mmio_read16(regs + RTL8168_ISR), 0);
    CU_ASSERT_EQUAL(sl_checker_finding_count(CHK), 0);
    CU_ASSERT_EQUAL(sl_shim_warning_count(), 0);
}
static void test_sub_dword_mmio(void) { sim(sub_dword_body); }

/* How many misaligned-mmio findings are at `line` of this file. */
static int finding_at(unsigned line) {
    int n = 0;
    for (size_t i = 0; i < sl_checker_finding_count(CHK); ++i) {
        sl_finding_t f;
        CU_ASSERT_EQUAL_FATAL(sl_checker_get_finding(CHK, i, &f), 0);
        if (strcmp(f.kind, "misaligned-mmio")) continue;
        if (f.location.file && strstr(f.location.file, "test_rtl8168.c") && f.location.line == line) n += (int)f.count;
    }
    return n;
}

static void misaligned_body(void* arg) {
    (void)arg;
    volatile uint8_t* regs = map_regs();
    const unsigned read_line = __LINE__ + 1;
    const uint32_t v = sl_mmio_read32(regs + 0x03); /* bytes 3..6: crosses the dword at 4 */
    CU_ASSERT_EQUAL(v, (uint32_t)kMac[3] | (uint32_t)kMac[4] << 8 | (uint32_t)kMac[5] << 16);
    CU_ASSERT_EQUAL(finding_at(read_line), 1);
    char kind[64], msg[512];
    CU_ASSERT_EQUAL_FATAL(sl_shim_warning_count(), 1);
    CU_ASSERT_EQUAL(sl_shim_warning(0, kind, sizeof kind, msg, sizeof msg), 0);
    CU_ASSERT_STRING_EQUAL(kind, "misaligned-mmio");
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "4-byte MMIO read at BAR2+0x3 of PCI slot 0 (rtl8168) crosses a naturally aligned dword"));
    /* the run goes on: a misaligned write is done in pieces too */
    sl_mmio_write32(0, regs + RTL8168_MAR0);
    sl_mmio_write32(0, regs + RTL8168_MAR0 + 4);
    const unsigned write_line = __LINE__ + 1;
    sl_mmio_write32(0x11223344u, regs + 0x0a);
    CU_ASSERT_EQUAL(finding_at(write_line), 1);
    CU_ASSERT_EQUAL(sl_mmio_read32(regs + 0x08), 0x33440000u);
    CU_ASSERT_EQUAL(sl_mmio_read32(regs + 0x0c), 0x00001122u);
    /* a qword that is not qword aligned */
    const unsigned qword_line = __LINE__ + 1;
    CU_ASSERT_EQUAL(sl_mmio_read64(regs + 0x04), (uint64_t)kMac[4] | (uint64_t)kMac[5] << 8 | 0x3344ull << 48);
    CU_ASSERT_EQUAL(finding_at(qword_line), 1);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "misaligned-mmio"), 3);
    CU_ASSERT_EQUAL(sl_checker_finding_count(CHK), 3);
}
static void test_misaligned_mmio(void) { sim(misaligned_body); }

/* The same accesses reach an RTL device as AXI4-Lite strobes: lnic's MAC_LO register (0x28),
 * which merges each written byte lane by s_axil_wstrb. */
static void rtl_lanes_body(void* arg) {
    (void)arg;
    zx_pci_bar_t bar;
    CU_ASSERT_EQUAL_FATAL(pci_get_bar(&PCI, 0, &bar), ZX_OK);
    zx_handle_close(bar.handle);
    const uint64_t mac_lo = ((uint64_t)sl_pci_config_read(P, 0, 0x14, 4) << 32 | (sl_pci_config_read(P, 0, 0x10, 4) & ~0xfu)) + 0x28;
    uint32_t v = 0x11223344u;
    CU_ASSERT_EQUAL(sl_cpu_transport(P, 1, mac_lo, &v, 4, 1), SL_RESP_OK);
    uint16_t h = 0;
    CU_ASSERT_EQUAL(sl_cpu_transport(P, 0, mac_lo + 1, &h, 2, 1), SL_RESP_OK); /* lanes 1-2 */
    CU_ASSERT_EQUAL(h, 0x2233);
    uint8_t b = 0xaa;
    CU_ASSERT_EQUAL(sl_cpu_transport(P, 1, mac_lo + 3, &b, 1, 1), SL_RESP_OK); /* wstrb 1000 */
    h = 0xbeef;
    CU_ASSERT_EQUAL(sl_cpu_transport(P, 1, mac_lo + 1, &h, 2, 1), SL_RESP_OK); /* wstrb 0110 */
    v = 0;
    CU_ASSERT_EQUAL(sl_cpu_transport(P, 0, mac_lo, &v, 4, 1), SL_RESP_OK);
    CU_ASSERT_EQUAL(v, 0xaabeef44u);
    /* crossing the dword is refused by the bridge (the shim splits such accesses first) */
    CU_ASSERT_NOT_EQUAL(sl_cpu_transport(P, 0, mac_lo + 3, &h, 2, 1), SL_RESP_OK);
}
static void test_rtl_device_byte_lanes(void) {
    char path[512];
    snprintf(path, sizeof path, "%s/lnic.so", SL_DEVICE_DIR);
    FILE* f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "skipped: %s is not built\n", path);
        return;
    }
    fclose(f);
    sim_on("lnic", rtl_lanes_body);
}

/* ---- garbage from the driver ---- */

static void garbage_body(void* arg) {
    (void)arg;
    volatile uint8_t* regs = map_regs();
    CU_ASSERT_EQUAL(pci_enable_bus_master(&PCI, true), ZX_OK);
    sl_mmio_write32(0x0dead000u, regs + RTL8168_TNPDS); /* nobody pinned this */
    sl_mmio_write32(0, regs + RTL8168_TNPDS + 4);
    sl_mmio_write8(RTL8168_CR_TE, regs + RTL8168_CR);
    sl_mmio_write8(RTL8168_TPPOLL_NPQ, regs + RTL8168_TPPOLL);
    for (int k = 0; k < 100 && (sl_mmio_read8(regs + RTL8168_TPPOLL) & RTL8168_TPPOLL_NPQ); ++k)
        zx_nanosleep(zx_deadline_after(ZX_USEC(1)));
    CU_ASSERT_EQUAL(sl_mmio_read8(regs + RTL8168_TPPOLL) & RTL8168_TPPOLL_NPQ, 0); /* the walk ended */
    CU_ASSERT_EQUAL(sl_mmio_read16(regs + RTL8168_ISR) & RTL8168_INT_SYSERR, RTL8168_INT_SYSERR);
    sl_mmio_write16(RTL8168_INT_SYSERR, regs + RTL8168_ISR); /* write 1 to clear */
    CU_ASSERT_EQUAL(sl_mmio_read16(regs + RTL8168_ISR) & RTL8168_INT_SYSERR, 0);
    CU_ASSERT(sl_checker_count_kind(CHK, "iommu-fault") >= 1);
    /* the self-clearing reset */
    sl_mmio_write8(RTL8168_CR_RST, regs + RTL8168_CR);
    CU_ASSERT_EQUAL(sl_mmio_read8(regs + RTL8168_CR) & RTL8168_CR_RST, RTL8168_CR_RST);
    zx_nanosleep(zx_deadline_after(ZX_USEC(2)));
    CU_ASSERT_EQUAL(sl_mmio_read8(regs + RTL8168_CR), 0);
    /* writes past the register file and to read-only registers change nothing */
    sl_mmio_write32(0xffffffffu, regs + 0x800);
    CU_ASSERT_EQUAL(sl_mmio_read32(regs + 0x800), 0);
    sl_mmio_write8(0, regs + RTL8168_PHYSTATUS);
    CU_ASSERT_EQUAL(sl_mmio_read8(regs + RTL8168_PHYSTATUS) & RTL8168_PHY_LINK, RTL8168_PHY_LINK);
    sl_mmio_write32(0, regs + RTL8168_TCR);
    CU_ASSERT_EQUAL(sl_mmio_read32(regs + RTL8168_TCR), RTL8168_TCR_VERSION_8111H);
}
static void test_garbage(void) { sim(garbage_body); }

/* ---- the test driver over the CLI ---- */

#define DRIVER "--device rtl8168 --driver rtl8168-test --workload ethmac-loopback"
#define BUG "rtl8168-test-bug-tx-desc-not-cleaned"
#define DOORBELL "d->regs + RTL8168_TPPOLL); /* doorbell */"
#define DESC_STORE "t->opts1 = RTL8168_DESC_OWN"

static char* out;

static json_t* run_json(const char* args, int* rc) { return sl_test_run_json(rc, &out, "%s", args); }

static json_int_t model_counter(json_t* j, const char* name) {
    return sl_test_json_int(json_object_get(json_object_get(json_object_get(j, "stats"), "rtl8168"), "model"), name, NULL);
}

/* The line of driver/rtl8168-test/rtl8168-test.c holding `text` (0: none or several). */
static unsigned driver_line(const char* text) {
    char path[512], buf[1024];
    snprintf(path, sizeof path, "%s/driver/rtl8168-test/rtl8168-test.c", SL_SOURCE_DIR);
    FILE* f = fopen(path, "r");
    if (!f) return 0;
    unsigned line = 0, found = 0, n = 0;
    while (fgets(buf, sizeof buf, f)) {
        ++line;
        if (strstr(buf, text)) {
            found = line;
            ++n;
        }
    }
    fclose(f);
    return n == 1 ? found : 0;
}

static int at_line(json_t* loc, unsigned line) {
    const char* file = json_string_value(json_object_get(loc, "file"));
    return file && !strcmp(file, "driver/rtl8168-test/rtl8168-test.c") && sl_test_json_int(loc, "line", NULL) == (json_int_t)line;
}

static void check_clean(const char* args, json_int_t frames) {
    int rc = 0;
    json_t* j = run_json(args, &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 0);
    json_t* w = json_object_get(j, "workload_result");
    CU_ASSERT_EQUAL(sl_test_json_int(w, "operations", NULL), frames);
    CU_ASSERT_EQUAL(sl_test_json_int(w, "bad_bytes", NULL), 0);
    CU_ASSERT_EQUAL(sl_test_json_int(w, "bytes_checked", NULL), sl_test_json_int(w, "bytes", NULL));
    CU_ASSERT_EQUAL(model_counter(j, "tx_frames"), frames);
    CU_ASSERT_EQUAL(model_counter(j, "rx_frames"), frames);
    if (rc || !json_is_true(json_object_get(j, "data_ok"))) fprintf(stderr, "%s:\n%s\n", args, out);
    json_decref(j);
}

static void test_loopback(void) { check_clean(DRIVER, 24); }
static void test_loopback_intx(void) {
    check_clean("--device rtl8168,msi=0 --driver rtl8168-test --workload ethmac-loopback", 24);
}
static void test_loopback_three_seeds(void) {
    for (int seed = 1; seed <= 3; ++seed) {
        char args[512];
        snprintf(args, sizeof args,
                 DRIVER " --set cache.adversary=random --seed %d --set workload.transfers=150 --set workload.queue_depth=8",
                 seed);
        check_clean(args, 150);
    }
}

/* Frames from the wire besides the loopback: checked byte for byte by the workload. */
static void test_injected_frames(void) {
    int rc = 0;
    json_t* j = run_json("--device rtl8168,inject_every=4 --driver rtl8168-test --workload ethmac-loopback", &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    CU_ASSERT_EQUAL(model_counter(j, "rx_injected"), 6);
    CU_ASSERT_EQUAL(model_counter(j, "rx_frames"), 30);
    json_t* w = json_object_get(j, "workload_result");
    /* injected frame n is 60 + n bytes long: 60 + 61 + ... + 65 more checked than sent */
    CU_ASSERT_EQUAL(sl_test_json_int(w, "bytes_checked", NULL) - sl_test_json_int(w, "bytes", NULL), 6 * 60 + 15);
    CU_ASSERT_EQUAL(sl_test_json_int(w, "bad_bytes", NULL), 0);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "findings")), 0);
    if (rc) fprintf(stderr, "exit status %d:\n%s\n", rc, out);
    json_decref(j);
}

static void test_bug_variant(void) {
    const unsigned doorbell = driver_line(DOORBELL), store = driver_line(DESC_STORE);
    CU_ASSERT_FATAL(doorbell > 0 && store > 0);
    int rc = 0;
    json_t* j = run_json("--device rtl8168 --driver " BUG " --workload ethmac-loopback", &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_FALSE(json_is_true(json_object_get(j, "data_ok")));
    int at_doorbell = 0, related = 0;
    json_t* f;
    size_t i;
    json_array_foreach(json_object_get(j, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "kind")), "stale-device-read")) continue;
        if (!at_line(json_object_get(f, "location"), doorbell)) continue;
        ++at_doorbell;
        related += at_line(json_object_get(json_object_get(f, "related"), "location"), store);
    }
    CU_ASSERT(at_doorbell > 0);
    CU_ASSERT(related > 0);
    if (!at_doorbell || !related) fprintf(stderr, "%s\n", out);
    json_decref(j);
    /* where devices snoop the cache, the same driver moves the right bytes */
    j = run_json("--device rtl8168 --driver " BUG " --workload ethmac-loopback --set platform.coherent=true", &rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    json_decref(j);
}

static void test_deterministic(void) {
    int rc1 = 0, rc2 = 0;
    json_t* a = run_json(DRIVER " --set cache.adversary=random --seed 5", &rc1);
    json_t* b = run_json(DRIVER " --set cache.adversary=random --seed 5", &rc2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(rc1, rc2);
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
        SL_TEST(test_bar_layout),
        SL_TEST(test_bars),
        SL_TEST(test_sub_dword_mmio),
        SL_TEST(test_misaligned_mmio),
        SL_TEST(test_rtl_device_byte_lanes),
        SL_TEST(test_garbage),
        SL_TEST(test_loopback),
        SL_TEST(test_loopback_intx),
        SL_TEST(test_loopback_three_seeds),
        SL_TEST(test_injected_frames),
        SL_TEST(test_bug_variant),
        SL_TEST(test_deterministic),
    };
    int rc = sl_test_main(argc, argv, "rtl8168", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
