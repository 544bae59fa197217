/* sl-probe-model: a behavioural device that exercises every service of staleline/device.h,
 * for test_devices. Registers (BAR0, 32-bit):
 *   0x00 ID        RO  PROBE_ID
 *   0x04 MISUSE    W: try a DMA read from inside the write callback; R: its status
 *   0x08 ADDR_LO   RW  device address of the DMA
 *   0x0c ADDR_HI   RW
 *   0x10 LEN       RW  bytes, 1..64
 *   0x14 GO        W: 1 = DMA read into DATA, 2 = DMA write from DATA, after `delay_ns`;
 *                  then STATUS.done, the interrupt (INTx level, or one MSI)
 *   0x18 STATUS    RO  bit 0 done, bits 15:8 the sl_dma_status_t of the DMA
 *   0x1c DONE_NS   RO  simulated time of completion (low 32 bits)
 *   0x20 ACK       W: clear done and lower INTx
 *   0x24 MSIX      W: signal MSI-X entry v (sl_dev_msix) from a callback; R: 1 + what it
 *                  returned, 0 before the first
 *   0x40..0x7f DATA RW 64 bytes
 * Also built as sl-probe-msix (PROBE_MSIX=1): an MSI-X table of 4 entries at 0x800 (the PBA
 * at 0x840); and sl-probe-badmsix (PROBE_MSIX=2): a table that does not fit in BAR0. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "staleline/device.h"

#define PROBE_ID 0x50524f42u

typedef struct probe {
    sl_dev_t* dev;
    uint32_t misuse, addr_lo, addr_hi, len, op, status, done_ns, msix;
    uint8_t data[64];
} probe_t;

static void* probe_create(sl_dev_t* dev) {
    if (sl_dev_param(dev, "fail")) {
        sl_dev_fail(dev, "asked to fail (fail=1)");
        return NULL;
    }
    probe_t* p = calloc(1, sizeof *p);
    if (p) p->dev = dev;
    return p;
}

static void probe_destroy(void* ctx) { free(ctx); }

static void probe_run(void* ctx, void* arg) {
    probe_t* p = ctx;
    (void)arg;
    sl_dev_set_busy(p->dev, true);
    const uint64_t addr = (uint64_t)p->addr_hi << 32 | p->addr_lo;
    const size_t len = p->len > sizeof p->data ? sizeof p->data : p->len;
    sl_dma_status_t st = p->op == 1 ? sl_dev_dma_read(p->dev, addr, p->data, len)
                                    : sl_dev_dma_write(p->dev, addr, p->data, len);
    sl_dev_count(p->dev, p->op == 1 ? "reads" : "writes", 1);
    p->status = 1u | (uint32_t)st << 8;
    p->done_ns = (uint32_t)sl_dev_now_ns(p->dev);
    sl_dev_set_busy(p->dev, false);
    if (!sl_dev_msi(p->dev)) sl_dev_set_irq(p->dev, true);
}

static void probe_msix(void* ctx, void* arg) {
    probe_t* p = ctx;
    p->msix = 1u + sl_dev_msix(p->dev, (unsigned)(uintptr_t)arg);
}

static uint64_t probe_read(void* ctx, unsigned bar, uint64_t off, unsigned size) {
    probe_t* p = ctx;
    if (off >= 0x40 && off + size <= 0x80) {
        uint64_t v = 0;
        memcpy(&v, p->data + (off - 0x40), size);
        return v;
    }
    switch (off) {
    case 0x00: return PROBE_ID;
    case 0x04: return p->misuse;
    case 0x08: return p->addr_lo;
    case 0x0c: return p->addr_hi;
    case 0x10: return p->len;
    case 0x18: return p->status;
    case 0x1c: return p->done_ns;
    case 0x24: return p->msix;
    default: return 0;
    }
}

static void probe_write(void* ctx, unsigned bar, uint64_t off, unsigned size, uint64_t v) {
    probe_t* p = ctx;
    if (off >= 0x40 && off + size <= 0x80) {
        memcpy(p->data + (off - 0x40), &v, size);
        return;
    }
    switch (off) {
    case 0x04: {
        uint8_t b[4];
        p->misuse = sl_dev_dma_read(p->dev, 0, b, sizeof b); /* not allowed here: MISUSE */
        break;
    }
    case 0x08: p->addr_lo = (uint32_t)v; break;
    case 0x0c: p->addr_hi = (uint32_t)v; break;
    case 0x10: p->len = (uint32_t)v; break;
    case 0x14:
        p->op = (uint32_t)v;
        sl_dev_set_busy(p->dev, true); /* working from GO, not only from its DMA */
        sl_dev_schedule(p->dev, sl_dev_param(p->dev, "delay_ns"), probe_run, NULL);
        break;
    case 0x20:
        p->status = 0;
        sl_dev_set_irq(p->dev, false);
        break;
    case 0x24: sl_dev_schedule(p->dev, 0, probe_msix, (void*)(uintptr_t)v); break;
    default: break;
    }
}

static const sl_dev_ops_t kOps = {probe_create, probe_read, probe_write, probe_destroy};
static const sl_dev_param_decl_t kParams[] = {
    {"delay_ns", 100, 0, 1000000000, "time from GO to the DMA"},
    {"fail", 0, 0, 1, "1: create() fails (tests the error path)"},
    {NULL, 0, 0, 0, NULL},
};
#if defined(PROBE_MSIX) && PROBE_MSIX == 2
/* sl-probe-badmsix: a table that does not fit in BAR0 (the registry refuses the kind). */
static const sl_device_kind_t kKind = {
    SL_DEVICE_ABI_VERSION, "sl-probe-badmsix", "test device with an MSI-X table outside BAR0",
    0x1b36, 0x5dfb, 0x088000, 1, 4096, true, 1, 0, kParams, &kOps, NULL, 4, 0xfc0, {{0}},
};
#elif defined(PROBE_MSIX)
static const sl_device_kind_t kKind = {
    SL_DEVICE_ABI_VERSION, "sl-probe-msix", "test device: the probe model with 4 MSI-X vectors (test_msix)",
    0x1b36, 0x5dfc, 0x088000, 1, 4096, true, 1, 0, kParams, &kOps, NULL, 4, 0x800, {{0}},
};
#else
static const sl_device_kind_t kKind = {
    SL_DEVICE_ABI_VERSION, "sl-probe-model", "test device: every service of the device API (test_devices)",
    0x1b36, 0x5dfe, 0x088000, 1, 4096, true, 1, 0, kParams, &kOps, NULL, 0, 0, {{0}},
};
#endif

const sl_device_kind_t* staleline_device_kind(void) { return &kKind; }
