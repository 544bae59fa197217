/* The device registry and the behavioural device API (docs/devices.md): device lists from the
 * command line and TOML, the errors a bad device configuration gets (exit 2 naming
 * platform.devices), every service of staleline/device.h through a probe model, two devices
 * with IOMMU isolation between them, the reference engine in a slot other than 0,
 * byte-identical outputs with two devices, and MSI-X (capability, table, masking, the shim's
 * irq modes) through the probe model's MSI-X form. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <zircon/syscalls.h>

#include "sl_test.h"
#include "staleline/checker.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

/* ---- the command line ---- */

/* Run `staleline ARGS`; returns the exit status, *out its output (caller frees). */
/* The caller frees *out after each call (it is not reused). */
static int staleline(const char* args, char** out) {
    *out = NULL;
    return sl_test_staleline(args, out);
}

/* `staleline ARGS` exits 2 with `text` in its message. */
static void refused(const char* args, const char* text) {
    char* out = NULL;
    int rc = staleline(args, &out);
    if (rc != 2 || !strstr(out, text)) fprintf(stderr, "staleline %s -> %d:\n%s\n(expected 2 and '%s')\n", args, rc, out, text);
    CU_ASSERT_EQUAL(rc, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, text));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "platform.devices") ? out : strstr(out, "matches none"));
    free(out);
}

static void test_bad_device_configuration(void) {
    refused("run --device no-such-kind", "unknown device kind 'no-such-kind'");
    refused("run --device sl-probe-model,slot=0 --device sl-probe-model,slot=0", "slot 0 is given to both");
    refused("run --device sl-probe-model,slot=2", "without gaps");
    refused("run --device sl-probe-model,slot=x", "slot must be a number");
    refused("run --device sl-probe-model,bogus=1", "unknown key 'bogus'");
    refused("run --device sl-probe-model,delay_ns=abc", "delay_ns=abc is not a number");
    refused("run --device sl-probe-model,delay_ns", "expected key=value");
    refused("run --device sl-probe-model,vendor_id=0x10000", "vendor_id=0x10000 must be a number in 0..65535");
    refused("run --device sl-bad-bar", "bar0_size must be a power of two");
    refused("run --device sl-probe-badmsix", "the MSI-X table must be 8-byte aligned and, with its pending bits, inside BAR0");
    refused("run --device sl-probe-model,fail=1", "could not be created: asked to fail");
    refused("run --device sl-probe-model,name=cache", "cannot be named 'cache'");
    refused("run --device sl-probe-model,name=x --device sl-probe-model,name=x", "two devices are named 'x'");
    refused("run --device ,x=1", "starts with a device kind");
    refused("run --device lnic,clock_mhz=0", "clock_mhz=0 is not a number in 1..5000");
    refused("run --device dma_engine,fifo=3", "unknown key 'fifo'");
    char args[1024];
    snprintf(args, sizeof args, "run --device %s/dmac.so", SL_DRIVER_DIR);
    refused(args, "is not a device module");
    /* The default driver binds to none of these devices. */
    refused("run --device sl-probe-model", "driver 'dmac' matches none of the devices: sl-probe-model (sl-probe-model, 1b36:5dfe, slot 0)");
}

static void test_toml_without_kind_refused(void) {
    char path[] = "/tmp/sl_devices_XXXXXX.toml";
    int fd = mkstemps(path, 5);
    CU_ASSERT_FATAL(fd >= 0);
    const char text[] = "[[device]]\nname = \"x\"\n";
    CU_ASSERT_EQUAL(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    char args[256];
    snprintf(args, sizeof args, "run --config %s", path);
    refused(args, "each [[device]] needs kind");
    unlink(path);
}

static void test_list_devices(void) {
    char* out = NULL;
    CU_ASSERT_EQUAL(staleline("run --list-devices", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "dma_engine           built-in      1b36:5d00"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "scratch              built-in      1b36:5c00"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "sl-probe-model       behavioural   1b36:5dfe"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "lnic                 RTL           1b36:5d10"));
    /* A module that cannot be used is listed with the reason. */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "sl-bad-bar"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "bar0_size must be a power of two"));
    free(out);
}

static json_t* load_json(const char* path) {
    json_error_t err;
    json_t* j = json_load_file(path, 0, &err);
    CU_ASSERT_PTR_NOT_NULL(j);
    return j;
}

/* A TOML device list; the reference engine in slot 1, after a device its driver does not
 * match: the driver binds by VID/DID, wherever the engine sits. */
static void test_toml_device_list_and_engine_in_slot_1(void) {
    char path[] = "/tmp/sl_devices_XXXXXX.toml";
    int fd = mkstemps(path, 5);
    CU_ASSERT_FATAL(fd >= 0);
    const char text[] = "[workload]\ntransfers = 6\nmax_size = \"8k\"\n"
                        "[[device]]\nkind = \"sl-probe-model\"\nname = \"probe\"\ndelay_ns = 5\n"
                        "[[device]]\nkind = \"dma_engine\"\nname = \"engine\"\n";
    CU_ASSERT_EQUAL(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    char args[512], json[] = "/tmp/sl_devices_XXXXXX.json";
    int jfd = mkstemps(json, 5);
    CU_ASSERT_FATAL(jfd >= 0);
    close(jfd);
    snprintf(args, sizeof args, "run --config %s --json %s", path, json);
    char* out = NULL;
    int rc = staleline(args, &out);
    if (rc) fprintf(stderr, "%s\n", out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "devices:    probe (sl-probe-model, slot 0), engine (dma_engine, slot 1, bound)"));
    free(out);
    json_t* j = load_json(json);
    json_t* devs = json_object_get(j, "devices");
    CU_ASSERT_EQUAL(json_array_size(devs), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(devs, 0), "name")), "probe");
    CU_ASSERT_TRUE(json_is_false(json_object_get(json_array_get(devs, 0), "bound")));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(devs, 1), "kind")), "dma_engine");
    CU_ASSERT_TRUE(json_is_true(json_object_get(json_array_get(devs, 1), "bound")));
    CU_ASSERT_TRUE(json_is_true(json_object_get(j, "data_ok")));
    /* Statistics under each instance's name. */
    json_t* stats = json_object_get(j, "stats");
    CU_ASSERT(json_integer_value(json_object_get(json_object_get(stats, "engine"), "bytes_written")) > 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(stats, "probe"), "dma_reads")), 0);
    json_decref(j);
    unlink(path);
    unlink(json);
}

/* The same configuration and seed: byte-identical JSON and SARIF with two devices (an RTL and
 * a behavioural one, both bound). */
static void test_two_devices_deterministic(void) {
    char* text[2] = {NULL, NULL};
    char* sarif[2] = {NULL, NULL};
    for (int i = 0; i < 2; ++i) {
        char json[] = "/tmp/sl_devices_XXXXXX.json", sar[] = "/tmp/sl_devices_XXXXXX.sarif";
        close(mkstemps(json, 5));
        close(mkstemps(sar, 6));
        char args[512];
        snprintf(args, sizeof args,
                 "run --device lnic --device lnic-model --driver lnic --seed 5 --set cache.adversary=random "
                 "--json %s --sarif %s",
                 json, sar);
        char* out = NULL;
        CU_ASSERT_EQUAL(staleline(args, &out), 0);
        free(out);
        json_t* j = load_json(json);
        text[i] = json_dumps(j, JSON_SORT_KEYS);
        CU_ASSERT(json_integer_value(json_object_get(json_object_get(json_object_get(j, "stats"), "lnic"), "bytes_written")) > 0 ||
                  json_integer_value(json_object_get(json_object_get(json_object_get(j, "stats"), "lnic-model"), "bytes_written")) > 0);
        json_decref(j);
        FILE* f = fopen(sar, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        sarif[i] = calloc(1, 1 << 20);
        CU_ASSERT(fread(sarif[i], 1, (1 << 20) - 1, f) > 0);
        fclose(f);
        unlink(json);
        unlink(sar);
    }
    CU_ASSERT_STRING_EQUAL(text[0], text[1]);
    CU_ASSERT_STRING_EQUAL(sarif[0], sarif[1]);
    for (int i = 0; i < 2; ++i) {
        free(text[i]);
        free(sarif[i]);
    }
}

/* One driver, two devices (its Verilog and its C model): bound to both, the workload runs on
 * each, every device gets its own interrupts and moves its own frames. */
static void test_one_driver_two_devices(void) {
    char json[] = "/tmp/sl_devices_XXXXXX.json";
    close(mkstemps(json, 5));
    char args[512];
    snprintf(args, sizeof args, "run --device lnic,name=nic0 --device lnic-model,name=nic1 --driver lnic --json %s", json);
    char* out = NULL;
    int rc = staleline(args, &out);
    if (rc) fprintf(stderr, "%s\n", out);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "on 2 devices"));
    free(out);
    json_t* j = load_json(json);
    json_t* stats = json_object_get(j, "stats");
    long long per_device = json_integer_value(json_object_get(json_object_get(j, "workload_result"), "operations")) / 2;
    CU_ASSERT(per_device > 0);
    for (int i = 0; i < 2; ++i) {
        json_t* d = json_object_get(stats, i ? "nic1" : "nic0");
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        CU_ASSERT(json_integer_value(json_object_get(d, "msi_writes")) > 0);
        CU_ASSERT(json_integer_value(json_object_get(d, "bytes_written")) > 0);
        CU_ASSERT(json_is_true(json_object_get(json_array_get(json_object_get(j, "devices"), i), "bound")));
    }
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(json_object_get(stats, "nic1"), "model"), "rx_frames")),
                    per_device);
    json_decref(j);
    unlink(json);
}

/* A Verilog device with an MSI-X capability (staleline_add_device MSIX_VECTORS): the driver
 * prefers MSI-X, the irq edges become messages of entry 0, data and findings as with MSI. */
static void test_rtl_device_with_msix(void) {
    char json[] = "/tmp/sl_devices_XXXXXX.json";
    close(mkstemps(json, 5));
    char args[512];
    snprintf(args, sizeof args, "run --device lnic-msix --driver lnic --json %s", json);
    char* out = NULL;
    CU_ASSERT_EQUAL(staleline(args, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "MSI-X interrupts"));
    free(out);
    json_t* j = load_json(json);
    json_t* stats = json_object_get(j, "stats");
    CU_ASSERT(json_integer_value(json_object_get(json_object_get(stats, "lnic-msix"), "msi_writes")) > 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(stats, "irq"), "msi_messages")),
                    json_integer_value(json_object_get(json_object_get(stats, "lnic-msix"), "msi_writes")));
    json_decref(j);
    unlink(json);
    /* A receive-path bug is found the same way with MSI-X. */
    CU_ASSERT_EQUAL(staleline("run --device lnic-msix --driver bug:lnic-rx-missing-invalidate", &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "stale-cpu-read at "));
    free(out);
}

/* ---- the behavioural device API, through the probe model ---- */

#define REG_ID 0x00
#define REG_MISUSE 0x04
#define REG_ADDR_LO 0x08
#define REG_ADDR_HI 0x0c
#define REG_LEN 0x10
#define REG_GO 0x14
#define REG_STATUS 0x18
#define REG_DONE_NS 0x1c
#define REG_ACK 0x20
#define REG_DATA 0x40
#define CMD 0x04
#define MSI_CAP 0x50

static sl_platform_t* P;

static sl_platform_t* platform(const char* devices, const char* extra) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "platform.devices", devices), 0);
    if (extra) CU_ASSERT_EQUAL_FATAL(sl_config_set_assignment(c, extra), 0);
    sl_platform_t* p = sl_platform_create(c);
    if (!p) fprintf(stderr, "%s\n", sl_error());
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    return p;
}

static uint64_t bar0(unsigned slot) {
    return ((uint64_t)sl_pci_config_read(P, slot, 0x14, 4) << 32) | (sl_pci_config_read(P, slot, 0x10, 4) & ~0xfu);
}
static uint32_t rd(unsigned slot, unsigned off) {
    uint32_t v = 0;
    CU_ASSERT_EQUAL(sl_cpu_transport(P, 0, bar0(slot) + off, &v, 4, 1), SL_RESP_OK);
    return v;
}
static void wr(unsigned slot, unsigned off, uint32_t v) {
    CU_ASSERT_EQUAL(sl_cpu_transport(P, 1, bar0(slot) + off, &v, 4, 1), SL_RESP_OK);
}
/* Start a DMA of len bytes at addr and wait for it; returns its sl_dma_status_t. */
static unsigned probe_dma(unsigned slot, unsigned op, uint64_t addr, unsigned len) {
    wr(slot, REG_ADDR_LO, (uint32_t)addr);
    wr(slot, REG_ADDR_HI, (uint32_t)(addr >> 32));
    wr(slot, REG_LEN, len);
    wr(slot, REG_GO, op);
    for (int i = 0; i < 1000 && !(rd(slot, REG_STATUS) & 1); ++i) sl_wait_ns(50);
    uint32_t st = rd(slot, REG_STATUS);
    CU_ASSERT_EQUAL(st & 1, 1);
    wr(slot, REG_ACK, 1);
    return (st >> 8) & 0xff;
}

static uint64_t PAGE;

static void services_thread(void* arg) {
    (void)arg;
    const unsigned line = sl_pci_config_read(P, 0, 0x3c, 1);
    sl_pci_config_write(P, 0, CMD, 2, 0x2); /* memory space on, bus mastering off */
    CU_ASSERT_EQUAL(rd(0, REG_ID), 0x50524f42u);
    /* DMA from a register callback is refused: the access must not block the CPU. */
    wr(0, REG_MISUSE, 1);
    CU_ASSERT_EQUAL(rd(0, REG_MISUSE), 3 /* SL_DMA_MISUSE */);
    /* Bus mastering off: the PCI host refuses the device's read. */
    CU_ASSERT_EQUAL(probe_dma(0, 1, PAGE, 8), 2 /* SL_DMA_MASTER_ABORT */);
    sl_pci_config_write(P, 0, CMD, 2, 0x6);
    /* A read after delay_ns (250): the bytes in DRAM, at the right time, with INTx raised. */
    wr(0, REG_ADDR_LO, (uint32_t)PAGE);
    wr(0, REG_ADDR_HI, (uint32_t)(PAGE >> 32));
    wr(0, REG_LEN, 16);
    const uint64_t go = sl_time_ns();
    wr(0, REG_GO, 1);
    while (!(rd(0, REG_STATUS) & 1)) sl_wait_ns(10);
    CU_ASSERT_EQUAL(sl_irq_level(P, line), 1);
    CU_ASSERT(rd(0, REG_DONE_NS) >= (uint32_t)(go + 250));
    for (unsigned i = 0; i < 16; i += 4) CU_ASSERT_EQUAL(rd(0, REG_DATA + i), 0x03020100u + 0x04040404u * (i / 4));
    wr(0, REG_ACK, 1);
    CU_ASSERT_EQUAL(sl_irq_level(P, line), 0);
    /* A write of DATA back, 8 bytes further. */
    CU_ASSERT_EQUAL(probe_dma(0, 2, PAGE + 8, 4), 0);
    uint8_t back[16];
    CU_ASSERT_EQUAL(sl_dram_read(P, PAGE, back, sizeof back), 0);
    const uint8_t want[16] = {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15};
    CU_ASSERT_EQUAL(memcmp(back, want, sizeof want), 0);
    /* MSI enabled: one message on the vector the driver programmed, no INTx. */
    const uint64_t msi_addr = 0xfee00000u;
    sl_pci_config_write(P, 0, MSI_CAP + 4, 4, (uint32_t)msi_addr);
    sl_pci_config_write(P, 0, MSI_CAP + 8, 4, 0);
    sl_pci_config_write(P, 0, MSI_CAP + 12, 2, 77);
    sl_pci_config_write(P, 0, MSI_CAP + 2, 2, 1);
    const uint64_t before = sl_irq_delivered(P, 77);
    CU_ASSERT_EQUAL(probe_dma(0, 1, PAGE, 4), 0);
    CU_ASSERT_EQUAL(sl_irq_delivered(P, 77), before + 1);
    CU_ASSERT_EQUAL(sl_irq_level(P, line), 0);
}

static void test_behavioural_services(void) {
    P = platform("sl-probe-model,delay_ns=250", "iommu.mode=bypass");
    CU_ASSERT_EQUAL_FATAL(sl_phys_alloc(P, 1, 1, &PAGE), 0);
    uint8_t pattern[16];
    for (unsigned i = 0; i < 16; ++i) pattern[i] = (uint8_t)i;
    CU_ASSERT_EQUAL(sl_dram_write(P, PAGE, pattern, sizeof pattern), 0);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", services_thread, NULL), 0);
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
    /* The model's counters and the host's, under the instance's name. */
    char* text = sl_platform_stats_json(P);
    json_t* j = json_loads(text, 0, NULL);
    free(text);
    json_t* d = json_object_get(j, "sl-probe-model");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(d, "model"), "reads")), 3);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(d, "model"), "writes")), 1);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "dma_errors")), 1);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "msi_writes")), 1);
    json_decref(j);
    sl_platform_destroy(P);
}

/* ---- two devices, each behind its own BTI ---- */

static uint64_t DEV_ADDR_B;

static void isolation_thread(void* arg) {
    (void)arg;
    pci_protocol_t pci_a, pci_b;
    CU_ASSERT_EQUAL_FATAL(device_get_protocol(sl_shim_attach(P, 0), ZX_PROTOCOL_PCI, &pci_a), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(device_get_protocol(sl_shim_attach(P, 1), ZX_PROTOCOL_PCI, &pci_b), ZX_OK);
    CU_ASSERT_EQUAL(pci_enable_bus_master(&pci_a, true), ZX_OK);
    CU_ASSERT_EQUAL(pci_enable_bus_master(&pci_b, true), ZX_OK);
    for (unsigned slot = 0; slot < 2; ++slot) /* memory space, as pci_map_bar would */
        sl_pci_config_write(P, slot, CMD, 2, (uint16_t)(sl_pci_config_read(P, slot, CMD, 2) | 0x2));
    zx_handle_t bti_a, bti_b, vmo, pmt_a, pmt_b;
    CU_ASSERT_EQUAL_FATAL(pci_get_bti(&pci_a, 0, &bti_a), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(pci_get_bti(&pci_b, 0, &bti_b), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create(4096, 0, &vmo), ZX_OK);
    const uint8_t secret[8] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4};
    CU_ASSERT_EQUAL(zx_vmo_write(vmo, secret, 0, sizeof secret), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_CLEAN, 0, 4096, NULL, 0), ZX_OK);
    zx_paddr_t addr_b = 0;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti_b, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, vmo, 0, 4096, &addr_b, 1, &pmt_b), ZX_OK);
    DEV_ADDR_B = addr_b;
    /* A uses B's device address: its own page table has nothing there. */
    CU_ASSERT_EQUAL(probe_dma(0, 2, addr_b, 8), 1 /* SL_DMA_FAULT */);
    CU_ASSERT_EQUAL(probe_dma(0, 1, addr_b, 8), 1 /* SL_DMA_FAULT: and nothing read */);
    CU_ASSERT_EQUAL(rd(0, REG_DATA), 0);
    /* B reaches its page. */
    CU_ASSERT_EQUAL(probe_dma(1, 1, addr_b, 8), 0);
    CU_ASSERT_EQUAL(rd(1, REG_DATA), 0xefbeaddeu);
    /* The same VMO pinned for A too: A reaches it at A's own address. */
    zx_paddr_t addr_a = 0;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti_a, ZX_BTI_PERM_READ, vmo, 0, 4096, &addr_a, 1, &pmt_a), ZX_OK);
    CU_ASSERT_EQUAL(probe_dma(0, 1, addr_a, 8), 0);
    CU_ASSERT_EQUAL(rd(0, REG_DATA), 0xefbeaddeu);
    /* ... read-only: A's write still faults. */
    CU_ASSERT_EQUAL(probe_dma(0, 2, addr_a, 8), 1);
    uint8_t back[8];
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_INVALIDATE, 0, 4096, NULL, 0), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, back, 0, sizeof back), ZX_OK);
    CU_ASSERT_EQUAL(memcmp(back, secret, sizeof secret), 0); /* no fault reached memory */
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt_a), ZX_OK);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt_b), ZX_OK);
    zx_handle_close(vmo);
    zx_handle_close(bti_a);
    zx_handle_close(bti_b);
}

static void test_iommu_isolation_between_devices(void) {
    P = platform("sl-probe-model,name=a;sl-probe-model,name=b", NULL);
    sl_checker_t* chk = sl_checker_attach(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chk);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl_shim_attach(P, 0));
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", isolation_thread, NULL), 0);
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
    /* Three faults, all device a's, each naming it; none of b's. Device addresses are per BTI
     * (both start at the same base here): the first two name b's pin, the third a's own
     * read-only pin. */
    size_t faults = 0, at_b = 0;
    for (size_t i = 0; i < sl_checker_finding_count(chk); ++i) {
        sl_finding_t f;
        CU_ASSERT_EQUAL_FATAL(sl_checker_get_finding(chk, i, &f), 0);
        if (strcmp(f.kind, "iommu-fault")) continue;
        faults += f.count;
        at_b += strstr(f.message, "not pinned for this device: the address belongs to 00:01.0 (b)'s pin") ? f.count : 0;
        CU_ASSERT_EQUAL(f.requester, sl_pci_requester_id(0));
        CU_ASSERT(f.has_device_address);
        CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "by 00:00.0 (a)"));
    }
    CU_ASSERT_EQUAL(faults, 3);
    CU_ASSERT_EQUAL(at_b, 2);
    sl_platform_destroy(P);
}

/* ---- MSI-X: sl-probe-msix (4 entries, table at 0x800 of BAR0, PBA at 0x840) ---- */

#define MSIX_CAP 0x60
#define MSIX_TABLE 0x800
#define MSIX_PBA 0x840
#define REG_MSIX 0x24

/* The capability through config space, after MSI's; a device without MSI-X reads as before. */
static void test_msix_capability(void) {
    P = platform("sl-probe-msix;sl-probe-model", NULL);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, 0x06, 2) & 0x10, 0x10); /* capability list */
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, 0x34, 1), MSI_CAP);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, MSI_CAP + 1, 1), MSIX_CAP);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, MSIX_CAP, 1), 0x11);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, MSIX_CAP + 1, 1), 0);      /* last */
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, MSIX_CAP + 2, 2), 3);      /* table size N-1, off */
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, MSIX_CAP + 4, 4), MSIX_TABLE); /* BIR 0 */
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, MSIX_CAP + 8, 4), MSIX_PBA);
    /* Only enable (15) and function mask (14) are writable. */
    sl_pci_config_write(P, 0, MSIX_CAP + 2, 2, 0xffff);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, MSIX_CAP + 2, 2), 0xc003);
    sl_pci_config_write(P, 0, MSIX_CAP + 2, 2, 0);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, MSIX_CAP + 2, 2), 3);
    /* The plain probe model: MSI ends the list, nothing at 0x60. */
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 1, MSI_CAP, 4) & 0xffff, 0x0005);
    for (unsigned off = MSIX_CAP; off < MSIX_CAP + 12; off += 4) CU_ASSERT_EQUAL(sl_pci_config_read(P, 1, off, 4), 0);
    sl_platform_destroy(P);
}

/* Signal entry v from the device; what sl_dev_msix returned (1 + bool) once it ran. */
static unsigned msix_signal(unsigned v) {
    wr(0, REG_MSIX, v);
    sl_wait_ns(1000);
    return rd(0, REG_MSIX);
}

static void msix_thread(void* arg) {
    (void)arg;
    pci_protocol_t pci, plain;
    CU_ASSERT_EQUAL_FATAL(device_get_protocol(sl_shim_attach(P, 0), ZX_PROTOCOL_PCI, &pci), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(device_get_protocol(sl_shim_attach(P, 1), ZX_PROTOCOL_PCI, &plain), ZX_OK);
    uint32_t n = 0;
    CU_ASSERT_EQUAL(pci_query_irq_mode(&pci, ZX_PCIE_IRQ_MODE_MSI_X, &n), ZX_OK);
    CU_ASSERT_EQUAL(n, 4);
    /* Errors: more vectors than the table has; a device without MSI-X. */
    CU_ASSERT_EQUAL(pci_set_irq_mode(&pci, ZX_PCIE_IRQ_MODE_MSI_X, 5), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(pci_query_irq_mode(&plain, ZX_PCIE_IRQ_MODE_MSI_X, &n), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&plain, ZX_PCIE_IRQ_MODE_MSI_X, 1), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(pci_enable_bus_master(&pci, true), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(pci_set_irq_mode(&pci, ZX_PCIE_IRQ_MODE_MSI_X, 3), ZX_OK);
    zx_handle_t irq[3], extra;
    for (int i = 0; i < 3; ++i) CU_ASSERT_EQUAL_FATAL(pci_map_interrupt(&pci, i, &irq[i]), ZX_OK);
    CU_ASSERT_EQUAL(pci_map_interrupt(&pci, 3, &extra), ZX_ERR_INVALID_ARGS);
    /* Enabled and unmasked; entries 0..2 programmed and unmasked, entry 3 masked. */
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, MSIX_CAP + 2, 2), 0x8003);
    const unsigned base = rd(0, MSIX_TABLE + 8);
    CU_ASSERT(base >= 96 && base + 4 <= 256);
    for (unsigned i = 0; i < 3; ++i) {
        CU_ASSERT_EQUAL(rd(0, MSIX_TABLE + 16 * i + 8), base + i);
        CU_ASSERT_EQUAL(rd(0, MSIX_TABLE + 16 * i + 12), 0);
        CU_ASSERT_NOT_EQUAL(rd(0, MSIX_TABLE + 16 * i), 0);
    }
    CU_ASSERT_EQUAL(rd(0, MSIX_TABLE + 48 + 12), 1);
    /* The host serves the table (dword/qword only); the model's registers are as before. */
    uint16_t half = 0;
    CU_ASSERT_NOT_EQUAL(sl_cpu_transport(P, 0, bar0(0) + MSIX_TABLE, &half, 2, 1), SL_RESP_OK);
    CU_ASSERT_EQUAL(rd(0, REG_ID), 0x50524f42u);
    /* With MSI-X enabled the device's INTx request stays off the line. */
    const unsigned line = sl_pci_config_read(P, 0, 0x3c, 1);
    wr(0, REG_LEN, 4);
    wr(0, REG_GO, 1);
    for (int i = 0; i < 1000 && !(rd(0, REG_STATUS) & 1); ++i) sl_wait_ns(50);
    CU_ASSERT_EQUAL(rd(0, REG_STATUS) & 1, 1);
    CU_ASSERT_EQUAL(sl_irq_level(P, line), 0);
    wr(0, REG_ACK, 1);
    /* The device signals entries 1 and 2: their objects wake, entry 0's vector gets nothing. */
    zx_time_t ts = 0;
    CU_ASSERT_EQUAL(msix_signal(1), 2);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq[1], &ts), ZX_OK);
    CU_ASSERT_EQUAL(msix_signal(2), 2);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq[2], &ts), ZX_OK);
    CU_ASSERT_EQUAL(sl_irq_delivered(P, base), 0);
    CU_ASSERT_EQUAL(sl_irq_delivered(P, base + 1), 1);
    CU_ASSERT_EQUAL(sl_irq_delivered(P, base + 2), 1);
    /* Entry 1 masked through its vector control word: held pending, sent on unmask. */
    wr(0, MSIX_TABLE + 16 + 12, 1);
    CU_ASSERT_EQUAL(msix_signal(1), 2);
    CU_ASSERT_EQUAL(sl_irq_delivered(P, base + 1), 1);
    CU_ASSERT_EQUAL(rd(0, MSIX_PBA), 1u << 1);
    wr(0, MSIX_TABLE + 16 + 12, 0);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq[1], &ts), ZX_OK);
    CU_ASSERT_EQUAL(rd(0, MSIX_PBA), 0);
    CU_ASSERT_EQUAL(sl_irq_delivered(P, base + 1), 2);
    /* The function mask likewise. */
    sl_pci_config_write(P, 0, MSIX_CAP + 2, 2, 0xc000);
    CU_ASSERT_EQUAL(msix_signal(2), 2);
    CU_ASSERT_EQUAL(rd(0, MSIX_PBA), 1u << 2);
    CU_ASSERT_EQUAL(sl_irq_delivered(P, base + 2), 1);
    sl_pci_config_write(P, 0, MSIX_CAP + 2, 2, 0x8000);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq[2], &ts), ZX_OK);
    CU_ASSERT_EQUAL(sl_irq_delivered(P, base + 2), 2);
    /* No entry 4; entry 0 never signalled. */
    CU_ASSERT_EQUAL(msix_signal(4), 1);
    CU_ASSERT_EQUAL(sl_irq_delivered(P, base), 0);
    /* DISABLED turns MSI-X off: the device's signal is refused. */
    CU_ASSERT_EQUAL(pci_set_irq_mode(&pci, ZX_PCIE_IRQ_MODE_DISABLED, 0), ZX_OK);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, 0, MSIX_CAP + 2, 2), 3);
    CU_ASSERT_EQUAL(msix_signal(0), 1);
    CU_ASSERT_EQUAL(pci_map_interrupt(&pci, 0, &extra), ZX_ERR_INVALID_ARGS); /* DISABLED: 0 vectors */
    for (int i = 0; i < 3; ++i) zx_handle_close(irq[i]);
}

static void test_msix_driver(void) {
    P = platform("sl-probe-msix;sl-probe-model", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl_shim_attach(P, 0));
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", msix_thread, NULL), 0);
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
    sl_platform_destroy(P);
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_bad_device_configuration),
        SL_TEST(test_toml_without_kind_refused),
        SL_TEST(test_list_devices),
        SL_TEST(test_toml_device_list_and_engine_in_slot_1),
        SL_TEST(test_two_devices_deterministic),
        SL_TEST(test_one_driver_two_devices),
        SL_TEST(test_rtl_device_with_msix),
        SL_TEST(test_behavioural_services),
        SL_TEST(test_iommu_isolation_between_devices),
        SL_TEST(test_msix_capability),
        SL_TEST(test_msix_driver),
    };
    return sl_test_main(argc, argv, "devices", tests, SL_COUNT(tests));
}
