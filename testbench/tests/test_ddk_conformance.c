/* Conformance of the shim's Zircon calls to their reference pages, for the calls and error
 * conditions added or corrected with the DDK-as-drivers-use-it work: virtual interrupts
 * (zx_interrupt_create, zx_interrupt_trigger, zx_interrupt_ack), the BTI quarantine across a
 * re-obtained handle (ZX_INFO_BTI, zx_bti_release_quarantine), zx_vmar_map's option rules,
 * zx_vmo_read/zx_vmo_write with a buffer in a mapped VMO (the bounce-buffer pattern, correct
 * and buggy, with the coherency checker), and a BAR mapped with a cacheable policy.
 *
 * Each case quotes the sentence of the reference page (Fuchsia's docs/reference/syscalls) it
 * checks, or names the kernel source when the page gives no code. The PCI protocol's codes
 * (2018 generation) are in test_zx_api's test_interrupt_errors. Every other documented error
 * of the system calls is a case of test_syscall_conformance_{vmo,vmar,bti,interrupt,object}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <hw/reg.h>
#include <zircon/syscalls.h>

#include "sl_test.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

#define PAGE 4096u
#define BAD_BIT (1u << 30)

static sl_platform_t* P;
static sl_checker_t* CHK;
static unsigned SLOT;
static pci_protocol_t PCI;

/* Platform with the ScratchDevice, optionally the coherency checker, the shim; body runs on
 * a simulated thread; the run must succeed. */
static void sim(int checker, sl_thread_fn body) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.scratch_device", "true"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.hop_latency_ns", "100"), 0);
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CHK = checker ? sl_checker_attach(P) : NULL;
    if (checker) CU_ASSERT_PTR_NOT_NULL_FATAL(CHK);
    SLOT = (unsigned)sl_pci_scratch_slot(P);
    zx_device_t* parent = sl_shim_attach(P, SLOT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(parent);
    sl_shim_set_log(fopen("/dev/null", "w"));
    CU_ASSERT_EQUAL_FATAL(device_get_protocol(parent, ZX_PROTOCOL_PCI, &PCI), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", body, NULL), 0);
    int rc = sl_platform_run(P, 0);
    if (rc) fprintf(stderr, "run failed: %s\n", sl_error());
    CU_ASSERT_EQUAL(rc, 0);
    sl_platform_destroy(P);
}

static zx_handle_t dup(zx_handle_t h, zx_rights_t rights) {
    zx_handle_t d = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(zx_handle_duplicate(h, rights, &d), ZX_OK);
    return d;
}

static zx_info_handle_basic_t basic(zx_handle_t h) {
    zx_info_handle_basic_t info;
    memset(&info, 0, sizeof info);
    CU_ASSERT_EQUAL(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL), ZX_OK);
    return info;
}

static zx_handle_t new_vmo(uint64_t size, uint32_t options) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create(size, options, &h), ZX_OK);
    return h;
}

static uint8_t* map(zx_handle_t vmo, uint64_t len, zx_vm_option_t perms) {
    zx_vaddr_t va = 0;
    CU_ASSERT_EQUAL_FATAL(zx_vmar_map(zx_vmar_root_self(), perms, 0, vmo, 0, len, &va), ZX_OK);
    return (uint8_t*)va;
}

/* ------------------------------------------------------ virtual interrupts ---- */

static zx_handle_t g_virq;
static zx_time_t g_trigger_ts;
static void trigger_later(void* arg) {
    sl_wait_ns(3000);
    CU_ASSERT_EQUAL(zx_interrupt_trigger(g_virq, 0, g_trigger_ts), ZX_OK);
}
static void close_later(void* arg) {
    sl_wait_ns(1000);
    CU_ASSERT_EQUAL(zx_handle_close(g_virq), ZX_OK);
}

static void virtual_interrupt_body(void* arg) {
    zx_handle_t irq, vmo = new_vmo(PAGE, 0);
    /* interrupt_create: "If options is ZX_INTERRUPT_VIRTUAL, src_obj and src_num are ignored and
     * a virtual interrupt is returned." */
    CU_ASSERT_EQUAL_FATAL(zx_interrupt_create(vmo ^ BAD_BIT, 1234, ZX_INTERRUPT_VIRTUAL, &irq), ZX_OK);
    zx_info_handle_basic_t b = basic(irq);
    CU_ASSERT_EQUAL(b.type, ZX_OBJ_TYPE_INTERRUPT);
    /* "The handles will have ZX_RIGHT_INSPECT, ZX_RIGHT_DUPLICATE, ZX_RIGHT_TRANSFER ...,
     * ZX_RIGHT_READ, ZX_RIGHT_WRITE ..., ZX_RIGHT_WAIT ..., and ZX_RIGHT_SIGNAL" */
    CU_ASSERT_EQUAL(b.rights, ZX_DEFAULT_INTERRUPT_RIGHTS);
    CU_ASSERT(b.rights & ZX_RIGHT_SIGNAL);
    zx_handle_t h2;
    /* "ZX_ERR_INVALID_ARGS options contains invalid flags or the out_handle parameter is an
     * invalid pointer." */
    CU_ASSERT_EQUAL(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL | ZX_INTERRUPT_MODE_EDGE_HIGH, &h2),
                    ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, NULL), ZX_ERR_INVALID_ARGS);
    /* "ZX_ERR_BAD_HANDLE the src_obj handle is invalid (if this is not a virtual interrupt)" */
    CU_ASSERT_EQUAL(zx_interrupt_create(vmo ^ BAD_BIT, 0, 0, &h2), ZX_ERR_BAD_HANDLE);
    /* "ZX_ERR_WRONG_TYPE the src_obj handle is not of an appropriate type to create an
     * interrupt." */
    CU_ASSERT_EQUAL(zx_interrupt_create(vmo, 0, 0, &h2), ZX_ERR_WRONG_TYPE);

    /* interrupt_trigger: "ZX_ERR_INVALID_ARGS options is non-zero." (the kernel checks it
     * before the handle) */
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq, 1, 0), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq ^ BAD_BIT, 1, 0), ZX_ERR_INVALID_ARGS);
    /* "ZX_ERR_BAD_HANDLE handle is an invalid handle." */
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq ^ BAD_BIT, 0, 0), ZX_ERR_BAD_HANDLE);
    /* "ZX_ERR_WRONG_TYPE handle is not an interrupt object." */
    CU_ASSERT_EQUAL(zx_interrupt_trigger(vmo, 0, 0), ZX_ERR_WRONG_TYPE);
    /* "ZX_ERR_ACCESS_DENIED handle lacks ZX_RIGHT_SIGNAL." */
    CU_ASSERT_EQUAL(zx_interrupt_trigger(dup(irq, ZX_RIGHT_WAIT), 0, 0), ZX_ERR_ACCESS_DENIED);

    /* "... causing ... zx_interrupt_wait() to return if it is waiting on this interrupt";
     * the timestamp is the one given, of the first trigger since the last wait */
    zx_time_t ts = 0;
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq, 0, 111), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq, 0, 222), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq, &ts), ZX_OK);
    CU_ASSERT_EQUAL(ts, 111);
    /* the two triggers were one: the next wait blocks until another thread triggers */
    g_virq = irq;
    g_trigger_ts = 333;
    sl_shim_sync();
    const uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "trigger", trigger_later, NULL), 0);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq, &ts), ZX_OK);
    CU_ASSERT_EQUAL(ts, 333);
    CU_ASSERT(sl_shim_now_ns() >= t0 + 3000);

    /* interrupt_ack: "ZX_ERR_BAD_STATE handle is not bound to a port." */
    CU_ASSERT_EQUAL(zx_interrupt_ack(irq), ZX_ERR_BAD_STATE);
    /* "ZX_ERR_ACCESS_DENIED handle lacks ZX_RIGHT_WRITE." */
    CU_ASSERT_EQUAL(zx_interrupt_ack(dup(irq, ZX_RIGHT_WAIT)), ZX_ERR_ACCESS_DENIED);
    /* interrupt_destroy: "... any zx_interrupt_wait() operations on it will return
     * ZX_ERR_CANCELED" */
    CU_ASSERT_EQUAL(zx_interrupt_destroy(irq), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq, &ts), ZX_ERR_CANCELED);
    /* interrupt_trigger: "ZX_ERR_CANCELED zx_interrupt_destroy() was called on handle." */
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq, 0, 1), ZX_ERR_CANCELED);
    /* ack of a destroyed, unbound interrupt: the kernel's Ack checks the port first */
    CU_ASSERT_EQUAL(zx_interrupt_ack(irq), ZX_ERR_BAD_STATE);

    /* interrupt_wait: "ZX_ERR_CANCELED handle was closed while waiting" */
    CU_ASSERT_EQUAL_FATAL(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &g_virq), ZX_OK);
    zx_handle_t keep = dup(g_virq, ZX_RIGHT_SAME_RIGHTS);
    CU_ASSERT_EQUAL(zx_handle_close(keep), ZX_OK); /* not the last handle: nothing happens */
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "closer", close_later, NULL), 0);
    CU_ASSERT_EQUAL(zx_interrupt_wait(g_virq, &ts), ZX_ERR_CANCELED);

    /* a PCI interrupt is not virtual: "ZX_ERR_BAD_STATE handle is not a virtual interrupt." */
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_MSI, 1), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(pci_map_interrupt(&PCI, 0, &irq), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq, 0, 1), ZX_ERR_BAD_STATE);
}
static void test_virtual_interrupt(void) { sim(0, virtual_interrupt_body); }

/* ------------------------------------------------------------- quarantine ---- */

static void quarantine_body(void* arg) {
    zx_handle_t bti, vmo = new_vmo(2 * PAGE, 0), pmt;
    zx_paddr_t addrs[2];
    CU_ASSERT_EQUAL_FATAL(pci_get_bti(&PCI, 0, &bti), ZX_OK);
    const zx_koid_t koid = basic(bti).koid;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, 2 * PAGE, addrs, 2, &pmt), ZX_OK);
    /* close the PMT without zx_pmt_unpin (it goes to the BTI's quarantine), then every handle
     * to the BTI */
    CU_ASSERT_EQUAL(zx_handle_close(pmt), ZX_OK);
    CU_ASSERT_EQUAL(zx_handle_close(bti), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 1);
    /* the BTI object is the function's: a new handle names it, with its quarantine */
    CU_ASSERT_EQUAL_FATAL(pci_get_bti(&PCI, 0, &bti), ZX_OK);
    CU_ASSERT_EQUAL(basic(bti).koid, koid);
    zx_info_bti_t info;
    CU_ASSERT_EQUAL(zx_object_get_info(bti, ZX_INFO_BTI, &info, sizeof info, NULL, NULL), ZX_OK);
    /* ZX_INFO_BTI (the four-field zx_info_bti_t): pmo_count counts the live PMTs,
     * quarantine_count the quarantined ones */
    CU_ASSERT_EQUAL(info.quarantine_count, 1);
    CU_ASSERT_EQUAL(info.pmo_count, 1);
    /* a pin on a BTI with a non-empty quarantine: ZX_ERR_BAD_STATE (kernel, BtiPinCheck) */
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, addrs, 1, &pmt), ZX_ERR_BAD_STATE);
    /* bti_release_quarantine: "releases all quarantined PMTs for the given BTI" */
    CU_ASSERT_EQUAL(zx_bti_release_quarantine(bti), ZX_OK);
    CU_ASSERT_EQUAL(zx_object_get_info(bti, ZX_INFO_BTI, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.quarantine_count, 0);
    CU_ASSERT_EQUAL(info.pmo_count, 0);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 0); /* released, not leaked */
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, addrs, 1, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
}
static void test_quarantine_survives_new_bti_handle(void) { sim(0, quarantine_body); }

/* ---------------------------------------------------------------- vmar_map ---- */

static void vmar_map_body(void* arg) {
    zx_handle_t root = zx_vmar_root_self();
    zx_handle_t plain = new_vmo(2 * PAGE, 0), resizable = new_vmo(2 * PAGE, ZX_VMO_RESIZABLE),
                discardable = new_vmo(2 * PAGE, ZX_VMO_DISCARDABLE);
    const zx_vm_option_t R = ZX_VM_PERM_READ;
    zx_vaddr_t va;
    /* "ZX_ERR_INVALID_ARGS ... ZX_VM_SPECIFIC_OVERWRITE and ZX_VM_MAP_RANGE are both given" */
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_MAP_RANGE, 0, plain, 0, PAGE, &va),
                    ZX_ERR_INVALID_ARGS);
    /* ZX_VM_OFFSET_IS_UPPER_LIMIT: "This option cannot be specified if ZX_VM_SPECIFIC is used." */
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_OFFSET_IS_UPPER_LIMIT | ZX_VM_SPECIFIC, 0, plain, 0, PAGE, &va),
                    ZX_ERR_INVALID_ARGS);
    /* "ZX_ERR_NOT_SUPPORTED If the vmo is resizable ... but ZX_VM_ALLOW_FAULTS is not set." */
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, resizable, 0, PAGE, &va), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_ALLOW_FAULTS, 0, resizable, 0, PAGE, &va), ZX_OK);
    /* the same for a discardable VMO (kernel: its pages may be discarded under the mapping) */
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, discardable, 0, PAGE, &va), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_ALLOW_FAULTS, 0, discardable, 0, PAGE, &va), ZX_OK);
    /* ZX_VM_REQUIRE_NON_RESIZABLE on a resizable VMO */
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_ALLOW_FAULTS | ZX_VM_REQUIRE_NON_RESIZABLE, 0, resizable, 0, PAGE, &va),
                    ZX_ERR_NOT_SUPPORTED);
    /* "ZX_ERR_INVALID_ARGS mapped_addr or options are not valid": an alignment below 1 KiB */
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | (9u << ZX_VM_ALIGN_BASE), 0, plain, 0, PAGE, &va), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_ALIGN_4KB, 0, plain, 0, PAGE, &va), ZX_OK);
    /* "ZX_ERR_OUT_OF_RANGE vmo_offset + ROUNDUP(len, PAGE_SIZE) overflows." */
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, plain, UINT64_MAX & ~4095ULL, 2 * PAGE, &va), ZX_ERR_OUT_OF_RANGE);
    /* "ZX_ERR_BUFFER_TOO_SMALL The VMO is not resizable and the mapping extends past the end of
     * the VMO but ZX_VM_ALLOW_FAULTS is not set." */
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, plain, PAGE, 2 * PAGE, &va), ZX_ERR_BUFFER_TOO_SMALL);
    /* not modelled: a faulting mapping past the end, placement (docs/api-coverage.md) */
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_ALLOW_FAULTS, 0, plain, PAGE, 2 * PAGE, &va), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_SPECIFIC, PAGE, plain, 0, PAGE, &va), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_ALIGN_2MB, 0, plain, 0, PAGE, &va), ZX_ERR_NOT_SUPPORTED);
    /* an upper limit the VMO's address meets is fine, one it does not is not modelled */
    zx_info_vmar_t vi;
    CU_ASSERT_EQUAL(zx_object_get_info(root, ZX_INFO_VMAR, &vi, sizeof vi, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_OFFSET_IS_UPPER_LIMIT, vi.len, plain, 0, PAGE, &va), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_OFFSET_IS_UPPER_LIMIT, PAGE, plain, PAGE, PAGE, &va),
                    ZX_ERR_NOT_SUPPORTED);
}
static void test_vmar_map_options(void) { sim(0, vmar_map_body); }

/* ----------------------------------------- zx_vmo_read/write and mappings ---- */

/* The bounce-buffer pattern: a driver copies a client's VMO into its own cached DMA buffer
 * through the buffer's mapping (zx_vmo_read), cleans, and lets the device read it; on the way
 * back the device writes the buffer, the driver invalidates and copies it out
 * (zx_vmo_write). arg: 1 = correct, 0 = without the cache operation. */
static int g_correct;
static void bounce_body(void* arg) {
    zx_handle_t client = new_vmo(PAGE, 0), dma_vmo = new_vmo(PAGE, 0), bti, pmt;
    uint8_t* bounce = map(dma_vmo, PAGE, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
    zx_paddr_t dev;
    CU_ASSERT_EQUAL_FATAL(pci_get_bti(&PCI, 0, &bti), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(pci_enable_bus_master(&PCI, true), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, dma_vmo, 0, PAGE, &dev, 1, &pmt), ZX_OK);
    uint8_t data[256], got[256];
    for (int i = 0; i < 256; ++i) data[i] = (uint8_t)(i * 7 + 1);
    CU_ASSERT_EQUAL(zx_vmo_write(client, data, 0, sizeof data), ZX_OK);
    /* out: client -> bounce buffer (through its cached mapping) -> device */
    CU_ASSERT_EQUAL(zx_vmo_read(client, bounce, 0, sizeof data), ZX_OK);
    if (g_correct) CU_ASSERT_EQUAL(zx_vmo_op_range(dma_vmo, ZX_VMO_OP_CACHE_CLEAN, 0, PAGE, NULL, 0), ZX_OK);
    sl_shim_sync();
    CU_ASSERT_EQUAL(sl_scratch_dma(P, 0, dev, got, sizeof got), SL_RESP_OK);
    if (g_correct) {
        CU_ASSERT_EQUAL(memcmp(got, data, sizeof data), 0);
    } else {
        CU_ASSERT_NOT_EQUAL(memcmp(got, data, sizeof data), 0);
    }
    /* back: the device writes the buffer, the driver copies it into the client VMO */
    for (int i = 0; i < 256; ++i) data[i] = (uint8_t)(255 - i);
    sl_shim_sync();
    CU_ASSERT_EQUAL(sl_scratch_dma(P, 1, dev, data, sizeof data), SL_RESP_OK);
    if (g_correct) CU_ASSERT_EQUAL(zx_vmo_op_range(dma_vmo, ZX_VMO_OP_CACHE_INVALIDATE, 0, PAGE, NULL, 0), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_write(client, bounce, 0, sizeof data), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_read(client, got, 0, sizeof got), ZX_OK);
    if (g_correct) {
        CU_ASSERT_EQUAL(memcmp(got, data, sizeof data), 0);
    } else {
        CU_ASSERT_NOT_EQUAL(memcmp(got, data, sizeof data), 0);
    }
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
    CU_ASSERT_EQUAL(sl_checker_end_of_run(CHK), 0);
    if (g_correct) {
        CU_ASSERT_EQUAL(sl_checker_finding_count(CHK), 0);
    } else {
        CU_ASSERT(sl_checker_count_kind(CHK, "stale-device-read") >= 1);
        CU_ASSERT(sl_checker_count_kind(CHK, "stale-cpu-read") >= 1);
    }
}
static void test_bounce_buffer_correct(void) {
    g_correct = 1;
    sim(1, bounce_body);
}
static void test_bounce_buffer_buggy(void) {
    g_correct = 0;
    sim(1, bounce_body);
}

/* vmo_read: "ZX_ERR_INVALID_ARGS buffer is an invalid pointer or NULL." -- memory the kernel
 * cannot write (a read-only mapping, a BAR); an unmapped one is ZX_ERR_NOT_FOUND */
static void user_buffer_body(void* arg) {
    zx_handle_t src = new_vmo(PAGE, 0), other = new_vmo(PAGE, 0);
    uint8_t* ro = map(other, PAGE, ZX_VM_PERM_READ);
    CU_ASSERT_EQUAL(zx_vmo_read(src, ro, 0, 16), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_write(src, ro, 0, 16), ZX_OK); /* reading it is fine */
    CU_ASSERT_EQUAL(zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)ro, PAGE), ZX_OK);
    /* vmo_write: "ZX_ERR_NOT_FOUND buffer address does not map to address in address space." */
    CU_ASSERT_EQUAL(zx_vmo_write(src, ro, 0, 16), ZX_ERR_NOT_FOUND);
    void* regs;
    size_t size;
    zx_handle_t bar;
    CU_ASSERT_EQUAL_FATAL(pci_map_bar(&PCI, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, &regs, &size, &bar), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_read(src, regs, 0, 16), ZX_ERR_INVALID_ARGS);
}
static void test_vmo_copy_user_buffer(void) { sim(0, user_buffer_body); }

/* ------------------------------------------------------------- cached BAR ---- */

static void cached_bar_body(void* arg) {
    volatile uint32_t *cached, *uncached;
    size_t size;
    zx_handle_t h1, h2;
    CU_ASSERT_EQUAL(sl_shim_warning_count(), 0);
    CU_ASSERT_EQUAL_FATAL(pci_map_bar(&PCI, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, (void**)&uncached, &size, &h1), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_warning_count(), 0);
    CU_ASSERT_EQUAL_FATAL(pci_map_bar(&PCI, 0, ZX_CACHE_POLICY_CACHED, (void**)&cached, &size, &h2), ZX_OK);
    /* a finding with the line of the pci_map_bar call */
    CU_ASSERT_EQUAL_FATAL(sl_shim_warning_count(), 1);
    char kind[64], msg[512];
    CU_ASSERT_EQUAL(sl_shim_warning(0, kind, sizeof kind, msg, sizeof msg), 0);
    CU_ASSERT_STRING_EQUAL(kind, "cached-bar-mapping");
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "test_ddk_conformance.c:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "cached_bar_body"));
    /* a store through the cached mapping lingers in the cache: the device does not see it */
    uncached[4] = 1;
    cached[4] = 0xfeedbeef;
    CU_ASSERT_EQUAL(cached[4], 0xfeedbeef);
    CU_ASSERT_EQUAL(uncached[4], 1);
    /* a load is served from the line: a later device value stays unseen */
    uncached[5] = 77;
    CU_ASSERT_EQUAL(cached[5], 0); /* the line was filled before: the device's 77 is not seen */
    /* cleaning the range writes the dirty word to the device */
    CU_ASSERT_EQUAL(zx_cache_flush((const void*)cached, 64, ZX_CACHE_FLUSH_DATA), ZX_OK);
    CU_ASSERT_EQUAL(uncached[4], 0xfeedbeef);
    /* clean + invalidate: the next load refills from the device */
    CU_ASSERT_EQUAL(zx_cache_flush((const void*)cached, 64, ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE), ZX_OK);
    CU_ASSERT_EQUAL(cached[5], 77);
}
static void test_cached_bar(void) { sim(0, cached_bar_body); }

/* With the coherency checker attached, the cached mapping is one of its findings (so it is
 * counted, and goes into the JSON and SARIF), at the pci_map_bar line. */
static void cached_bar_finding_body(void* arg) {
    void* regs;
    size_t size;
    zx_handle_t h1, h2;
    CU_ASSERT_EQUAL_FATAL(pci_map_bar(&PCI, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, &regs, &size, &h1), ZX_OK);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "cached-bar-mapping"), 0);
    const int line = __LINE__ + 1;
    CU_ASSERT_EQUAL_FATAL(pci_map_bar(&PCI, 0, ZX_CACHE_POLICY_CACHED, &regs, &size, &h2), ZX_OK);
    CU_ASSERT_EQUAL(sl_checker_count_kind(CHK, "cached-bar-mapping"), 1);
    for (size_t i = 0; i < sl_checker_finding_count(CHK); ++i) {
        sl_finding_t f;
        CU_ASSERT_EQUAL_FATAL(sl_checker_get_finding(CHK, i, &f), 0);
        if (strcmp(f.kind, "cached-bar-mapping")) continue;
        CU_ASSERT_PTR_NOT_NULL(strstr(f.location.file, "test_ddk_conformance.c"));
        CU_ASSERT_EQUAL(f.location.line, (unsigned)line);
        CU_ASSERT_PTR_NOT_NULL(strstr(f.message, "ZX_CACHE_POLICY_UNCACHED_DEVICE"));
    }
    zx_handle_close(h1);
    zx_handle_close(h2);
}
static void test_cached_bar_is_a_checker_finding(void) { sim(1, cached_bar_finding_body); }

static const sl_test_t tests[] = {
    SL_TEST(test_virtual_interrupt),
    SL_TEST(test_quarantine_survives_new_bti_handle),
    SL_TEST(test_vmar_map_options),
    SL_TEST(test_bounce_buffer_correct),
    SL_TEST(test_bounce_buffer_buggy),
    SL_TEST(test_vmo_copy_user_buffer),
    SL_TEST(test_cached_bar),
    SL_TEST(test_cached_bar_is_a_checker_finding),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "ddk-conformance", tests, SL_COUNT(tests)); }
