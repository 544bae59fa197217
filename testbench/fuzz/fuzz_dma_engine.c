/* fuzz_dma_engine: device programming. The input is decoded into register writes and reads of
 * the DMA engine (rtl/dma_engine.v, registers and descriptors in driver/dmac/dmac-hw.h),
 * descriptors and gather lists in a mapped ring, MSI address and data in config space, and
 * the driver side's pins and unpins (IOMMU maps and unmaps of data pages), from a simulated
 * thread of a platform with the engine in its slot.
 *
 * Canaries: pages never pinned, pages pinned read-only, pages unpinned after use (their
 * bytes at the unpin are the reference), a page partly pinned (the pinned half is the
 * device's, the other half a canary's) and a 2 MiB block, 2 MiB aligned in both address
 * spaces, of which only the first page is pinned (a translation that covered the whole large
 * page would let the device into the other 511). Every pin is made in the IOMMU (translation
 * on) and told to the coherency checker (both modes), as the shim does for zx_bti_pin.
 *
 * Invariants:
 *  - translation on: the canaries keep every byte, whatever the engine is told to do;
 *  - translation off (iommu.mode=bypass): nothing stops the device, so a canary may change,
 *    but never silently: every changed canary byte lies inside the range of a finding the
 *    checker reported for a device write, dma-outside-pin (outside every live writable pin)
 *    or dma-after-unpin (the unpinned canaries). Findings merged or suppressed by the
 *    checker's caps cannot show their range: then at least one such finding must exist.
 * A violation, a crash or a sanitizer report fails the input (abort()).
 *
 * Input: byte 0 picks the platform (bit 0: iommu.mode=bypass); then per step one opcode byte
 * and its operands. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmac-hw.h"
#include "fuzz_input.h"
#include "fuzz_simcontext.h"
#include "staleline/staleline.h"

#define PAGE 4096ull
#define MSI_ADDR 0xfee00000ull
#define CFG_CMD 0x04
#define CFG_BAR0 0x10
#define CFG_MSI 0x50

#define IOVA_DATA 0x40000000ull   /* NDATA slots, one page each, a guard page between */
#define NDATA 8
#define IOVA_RING 0x40100000ull   /* one page: 128 descriptors */
#define IOVA_RO 0x40200000ull     /* canary pages pinned read-only */
#define IOVA_UNPIN 0x40300000ull  /* canary pages pinned read-write until the input unpins them */
#define IOVA_HALF 0x40400000ull   /* first page pinned, second page a canary, never pinned */
#define IOVA_NEVER 0x40500000ull  /* nothing is ever mapped here */
#define IOVA_BLOCK 0x40600000ull  /* the 2 MiB block: its first page mapped, the rest a canary */
#define BLOCK (2ull << 20)
#define NCANARY 2
#define MAX_STEPS 192
#define RUN_LIMIT_NS 400000ull    /* simulated time a run may take */

typedef struct {
    uint64_t pa[NCANARY];
    uint8_t bytes[NCANARY][PAGE];
    bool checked; /* its bytes are a reference (an unpinned canary: only after the unpin) */
} canary_t;

typedef struct {
    fz_input_t in;
    sl_platform_t* p;
    int slot;
    uint16_t rid;
    uint64_t bar;
    bool translate;
    uint64_t data_pa[NDATA];
    bool data_mapped[NDATA];
    uint64_t ring_pa, half_pa;
    uint64_t ring_dev; /* the ring's device address: IOVA_RING, or ring_pa in bypass */
    canary_t never, ro, unpin, half; /* half: only pa[0] (the unpinned half) is a canary */
    uint64_t block_pa;                /* 2 MiB aligned; its first page pinned, the rest a canary */
    uint8_t* block_bytes;             /* the reference of the rest */
    sl_checker_t* chk;
    uint64_t data_pin[NDATA], unpin_pins[NCANARY]; /* the checker's pin ids */
} fz_dma_t;

static void fill_pattern(uint8_t* b, size_t n, uint64_t seed) {
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; ++i) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        b[i] = (uint8_t)(s >> 56);
    }
}

static uint64_t one_page(fz_dma_t* f) {
    uint64_t pa = 0;
    if (sl_phys_alloc(f->p, 1, 0, &pa) != 0) {
        fprintf(stderr, "sl_phys_alloc: %s\n", sl_error());
        abort();
    }
    return pa;
}

static void canary_init(fz_dma_t* f, canary_t* c, unsigned n, uint64_t seed, bool checked) {
    for (unsigned i = 0; i < n; ++i) {
        c->pa[i] = one_page(f);
        fill_pattern(c->bytes[i], PAGE, seed + i);
        sl_dram_write(f->p, c->pa[i], c->bytes[i], PAGE);
    }
    c->checked = checked;
}

/* A pin of len bytes: the IOMMU maps it (in bypass there is nothing to map: device addresses
 * are physical) and the checker knows it. Returns the checker's pin id. */
static uint64_t map(fz_dma_t* f, uint64_t iova, uint64_t pa, uint64_t len, unsigned perms) {
    if (f->translate && sl_iommu_map(f->p, f->rid, iova, pa, len, perms) != 0) {
        fprintf(stderr, "sl_iommu_map: %s\n", sl_error());
        abort();
    }
    const sl_pin_run_t run = {f->translate ? iova : pa, pa, len, 0};
    const sl_checker_pin_t pin = {f->rid, 0, (perms & SL_IOMMU_READ ? SL_PIN_DEVICE_READ : 0u) |
                                                 (perms & SL_IOMMU_WRITE ? SL_PIN_DEVICE_WRITE : 0u), 1, &run};
    const uint64_t id = sl_checker_pin(f->chk, &pin, NULL);
    if (!id) {
        fprintf(stderr, "sl_checker_pin: %s\n", sl_error());
        abort();
    }
    return id;
}

static void unmap(fz_dma_t* f, uint64_t iova, uint64_t len, uint64_t pin) {
    if (f->translate && sl_iommu_unmap(f->p, f->rid, iova, len) != 0) abort();
    if (sl_checker_unpin(f->chk, pin, NULL) != 0) abort();
}

/* The ranges of the findings for device writes that went outside the pins (bypass), read once
 * after the run: looking them up per changed byte made an input with many findings and many
 * changed bytes quadratic (25 s for one input). */
static struct {
    uint64_t* lo;
    uint64_t* size;
    size_t n, cap;
    bool any, merged;
} g_outside;

static void collect_outside(fz_dma_t* f) {
    g_outside.n = 0;
    g_outside.any = g_outside.merged = false;
    const size_t n = sl_checker_finding_count(f->chk);
    for (size_t i = 0; i < n; ++i) {
        sl_finding_t x;
        if (sl_checker_get_finding(f->chk, i, &x) != 0) continue;
        if (strcmp(x.kind, "dma-outside-pin") && strcmp(x.kind, "dma-after-unpin")) continue;
        if (strncmp(x.message, "device write", 12)) continue;
        g_outside.any = true;
        g_outside.merged |= x.count > 1;
        if (g_outside.n == g_outside.cap) {
            g_outside.cap = g_outside.cap ? 2 * g_outside.cap : 64;
            g_outside.lo = realloc(g_outside.lo, g_outside.cap * sizeof *g_outside.lo);
            g_outside.size = realloc(g_outside.size, g_outside.cap * sizeof *g_outside.size);
            if (!g_outside.lo || !g_outside.size) abort();
        }
        g_outside.lo[g_outside.n] = x.address;
        g_outside.size[g_outside.n++] = x.size;
    }
}

/* Whether a change of the byte at pa is accounted for (bypass): inside the range of a
 * finding for a device write that went outside the pins (collect_outside). */
static bool reported(fz_dma_t* f, uint64_t pa) {
    for (size_t i = 0; i < g_outside.n; ++i)
        if (pa >= g_outside.lo[i] && pa - g_outside.lo[i] < g_outside.size[i]) return true;
    /* A merged finding keeps the range of its first occurrence; a suppressed one has none. */
    return g_outside.merged || (g_outside.any && sl_checker_suppressed(f->chk) > 0);
}

/* Canary bytes changed (and accounted for) in this input, for FUZZ_DMA_VERBOSE. */
static size_t g_changed;

static void check_bytes(fz_dma_t* f, uint64_t pa, const uint8_t* want, size_t len, const char* what) {
    static uint8_t now[PAGE];
    for (size_t at = 0; at < len; at += PAGE) {
        const size_t n = len - at < PAGE ? len - at : PAGE;
        sl_dram_read(f->p, pa + at, now, n);
        if (!memcmp(now, want + at, n)) continue;
        for (size_t k = 0; k < n; ++k) {
            if (now[k] == want[at + k]) continue;
            ++g_changed;
            if (!f->translate && reported(f, pa + at + k)) continue;
            fprintf(stderr, "canary %s byte %zu changed%s: %02x -> %02x (pa 0x%llx)\n", what, at + k,
                    f->translate ? "" : " without a dma-outside-pin or dma-after-unpin finding", want[at + k], now[k],
                    (unsigned long long)(pa + at + k));
            abort();
        }
    }
}

static void canary_verify(fz_dma_t* f, const canary_t* c, unsigned n, const char* what) {
    if (!c->checked) return;
    for (unsigned i = 0; i < n; ++i) check_bytes(f, c->pa[i], c->bytes[i], PAGE, what);
}

static void reg_write(fz_dma_t* f, uint32_t off, uint32_t v) { (void)sl_cpu_transport(f->p, 1, f->bar + off, &v, 4, 1); }

static uint32_t reg_read(fz_dma_t* f, uint32_t off) {
    uint32_t v = 0;
    (void)sl_cpu_transport(f->p, 0, f->bar + off, &v, 4, 1);
    return v;
}

/* A device address for a descriptor or gather element: data, ring, canaries, nothing, any. */
static uint64_t pick_addr(fz_dma_t* f) {
    uint8_t sel = fz_u8(&f->in);
    uint64_t off = fz_u16(&f->in) % (2 * PAGE);
    if (!f->translate) { /* physical addresses of the same pages */
        switch (sel % 10) {
            case 0: case 1: case 2: return f->data_pa[fz_u8(&f->in) % NDATA] + off % PAGE;
            case 3: return f->ring_pa + off % PAGE;
            case 4: return f->ro.pa[0] + off;
            case 5: return f->unpin.pa[0] + off;
            case 6: return f->half_pa + off;
            case 7: case 8: return f->never.pa[0] + off;
            default: return sel & 0x40 ? f->block_pa + ((uint64_t)fz_u16(&f->in) << 5) + off % PAGE : fz_value(&f->in);
        }
    }
    switch (sel % 10) {
        case 0: case 1: case 2: return IOVA_DATA + (uint64_t)(fz_u8(&f->in) % NDATA) * 2 * PAGE + off;
        case 3: return IOVA_RING + off % PAGE;
        case 4: return IOVA_RO + off;
        case 5: return IOVA_UNPIN + off;
        case 6: return IOVA_HALF + off;
        case 7: return IOVA_NEVER + off;
        case 8: return f->never.pa[0] + off % PAGE; /* a physical address: means something in bypass */
        default: return sel & 0x40 ? IOVA_BLOCK + ((uint64_t)fz_u16(&f->in) << 5) + off % PAGE : fz_value(&f->in);
    }
}

static uint32_t pick_len(fz_dma_t* f) {
    uint8_t sel = fz_u8(&f->in);
    if (sel < 0xC0) return 1u + fz_u16(&f->in) % (3 * PAGE);
    if (sel < 0xF0) return fz_u8(&f->in);
    return (uint32_t)fz_value(&f->in);
}

/* A register value: the register's sensible values or anything. */
static uint32_t pick_reg_value(fz_dma_t* f, uint32_t off) {
    uint8_t sel = fz_u8(&f->in);
    if (sel >= 0xC0) return fz_u32(&f->in);
    switch (off) {
        case DMAC_REG_CTRL: return sel & 0xF;
        case DMAC_REG_RING_LO: return (uint32_t)f->ring_dev + (sel & 0x80 ? sel & 0x3F : 0);
        case DMAC_REG_RING_HI: return (uint32_t)(f->ring_dev >> 32);
        case DMAC_REG_RING_SIZE: return sel & 0x40 ? sel : 1u + sel % 128;
        case DMAC_REG_PRODUCER: return sel % 129;
        case DMAC_REG_INT_STATUS: case DMAC_REG_INT_MASK: return sel & 3;
        default: return sel;
    }
}

static void write_desc(fz_dma_t* f) {
    unsigned idx = fz_u8(&f->in) % (PAGE / DMAC_DESC_SIZE);
    uint8_t op = fz_u8(&f->in);
    op = op < 0xF0 ? 1 + op % 5 : op;
    uint64_t src = op == DMAC_OP_FILL ? fz_u64(&f->in) : (op == DMAC_OP_READ ? fz_u16(&f->in) : pick_addr(f));
    uint64_t dst = op == DMAC_OP_WRITE || op == DMAC_OP_GATHER ? fz_u16(&f->in) : pick_addr(f);
    uint32_t len = op == DMAC_OP_GATHER ? 1u + fz_u8(&f->in) % 16 : pick_len(f);
    dmac_desc_t d = {.src = src, .dst = dst, .len = len, .op = op, .flags = fz_u8(&f->in), .status = 0xEEEEEEEEu};
    sl_dram_write(f->p, f->ring_pa + idx * DMAC_DESC_SIZE, &d, sizeof d);
}

static void write_gather_list(fz_dma_t* f) {
    unsigned k = fz_u8(&f->in) % NDATA;
    unsigned first = fz_u8(&f->in) % (PAGE / DMAC_GATHER_ELEM_SIZE);
    unsigned n = 1 + fz_u8(&f->in) % 16;
    for (unsigned i = 0; i < n && first + i < PAGE / DMAC_GATHER_ELEM_SIZE; ++i) {
        dmac_gather_elem_t e = {.addr = pick_addr(f), .len = fz_u8(&f->in) < 0xF0 ? 1u + fz_u16(&f->in) % 512 : fz_u32(&f->in)};
        sl_dram_write(f->p, f->data_pa[k] + (first + i) * DMAC_GATHER_ELEM_SIZE, &e, sizeof e);
    }
}

static void step(fz_dma_t* f, unsigned op) {
    fz_input_t* in = &f->in;
    switch (op) {
        case 0: case 1: case 2: { /* a register write */
            uint8_t r = fz_u8(in);
            uint32_t off = r < 0xF0 ? (r % (DMAC_REG_SPAN / 4)) * 4 : fz_u16(in);
            reg_write(f, off, pick_reg_value(f, off));
            break;
        }
        case 3: (void)reg_read(f, (fz_u8(in) % (DMAC_REG_SPAN / 4)) * 4); break;
        case 4: case 5: write_desc(f); break;
        case 6: write_gather_list(f); break;
        case 7: reg_write(f, DMAC_REG_PRODUCER, fz_u8(in) < 0xF0 ? fz_u8(in) % 128 : fz_u32(in)); break;
        case 8: { /* pin a data page (map it at its slot) with some permissions */
            unsigned k = fz_u8(in) % NDATA;
            if (!f->data_mapped[k]) {
                f->data_pin[k] = map(f, IOVA_DATA + k * 2 * PAGE, f->data_pa[k], PAGE, 1 + fz_u8(in) % 3);
                f->data_mapped[k] = true;
            }
            break;
        }
        case 9: { /* unpin a data page */
            unsigned k = fz_u8(in) % NDATA;
            if (f->data_mapped[k]) {
                unmap(f, IOVA_DATA + k * 2 * PAGE, PAGE, f->data_pin[k]);
                f->data_mapped[k] = false;
            }
            break;
        }
        case 10: /* unpin the canary pages after use: from now on they are the device's no more */
            if (!f->unpin.checked) {
                for (unsigned i = 0; i < NCANARY; ++i) unmap(f, IOVA_UNPIN + i * PAGE, PAGE, f->unpin_pins[i]);
                /* let transactions translated before the unmap finish (an AXI burst's worth) */
                sl_wait_ns(2000);
                for (unsigned i = 0; i < NCANARY; ++i) sl_dram_read(f->p, f->unpin.pa[i], f->unpin.bytes[i], PAGE);
                f->unpin.checked = true;
            }
            break;
        case 11: { /* MSI capability: address, data, enable */
            uint8_t sel = fz_u8(in);
            uint64_t addr = sel < 0x80 ? MSI_ADDR : pick_addr(f);
            sl_pci_config_write(f->p, (unsigned)f->slot, CFG_MSI + 4, 4, (uint32_t)addr);
            sl_pci_config_write(f->p, (unsigned)f->slot, CFG_MSI + 8, 4, (uint32_t)(addr >> 32));
            sl_pci_config_write(f->p, (unsigned)f->slot, CFG_MSI + 12, 2, fz_u16(in));
            sl_pci_config_write(f->p, (unsigned)f->slot, CFG_MSI + 2, 2, fz_u8(in) & 1);
            break;
        }
        case 12: /* the command register: memory space and bus mastering on or off */
            sl_pci_config_write(f->p, (unsigned)f->slot, CFG_CMD, 2, fz_u8(in) & 0x6);
            break;
        case 13: (void)sl_irq_wait(f->p, SL_PCI_MSI_VECTOR_BASE + (unsigned)f->slot, fz_u16(in)); break;
        case 14: { /* data bytes the device will read */
            unsigned k = fz_u8(in) % NDATA;
            uint8_t b[64];
            for (unsigned i = 0; i < sizeof b; ++i) b[i] = fz_u8(in);
            sl_dram_write(f->p, f->data_pa[k] + (fz_u16(in) % (PAGE - sizeof b)), b, sizeof b);
            break;
        }
        default: sl_wait_ns(fz_u16(in)); break;
    }
}

static void body(void* arg) {
    fz_dma_t* f = arg;
    f->slot = sl_dma_engine_slot(f->p);
    if (f->slot < 0) abort();
    f->rid = sl_pci_requester_id((unsigned)f->slot);
    f->bar = ((uint64_t)sl_pci_config_read(f->p, (unsigned)f->slot, CFG_BAR0 + 4, 4) << 32) |
             (sl_pci_config_read(f->p, (unsigned)f->slot, CFG_BAR0, 4) & ~0xFull);
    sl_pci_config_write(f->p, (unsigned)f->slot, CFG_CMD, 2, 0x6);
    sl_pci_config_write(f->p, (unsigned)f->slot, CFG_MSI + 4, 4, (uint32_t)MSI_ADDR);
    sl_pci_config_write(f->p, (unsigned)f->slot, CFG_MSI + 8, 4, 0);
    sl_pci_config_write(f->p, (unsigned)f->slot, CFG_MSI + 12, 2, SL_PCI_MSI_VECTOR_BASE + (unsigned)f->slot);
    sl_pci_config_write(f->p, (unsigned)f->slot, CFG_MSI + 2, 2, 1);

    /* The 2 MiB block first, while RAM is still in one piece: 2 MiB aligned in a run of
     * 4 MiB - 4 KiB. Its first page is pinned, the rest planted. */
    static uint64_t run[2 * BLOCK / PAGE - 1];
    if (sl_phys_alloc(f->p, 2 * BLOCK / PAGE - 1, 1, run) != 0) {
        fprintf(stderr, "sl_phys_alloc(block): %s\n", sl_error());
        abort();
    }
    f->block_pa = (run[0] + BLOCK - 1) & ~(BLOCK - 1);
    f->block_bytes = malloc(BLOCK - PAGE);
    if (!f->block_bytes) abort();
    fill_pattern(f->block_bytes, BLOCK - PAGE, 5);
    sl_dram_write(f->p, f->block_pa + PAGE, f->block_bytes, BLOCK - PAGE);
    map(f, IOVA_BLOCK, f->block_pa, PAGE, SL_IOMMU_READ | SL_IOMMU_WRITE);

    for (unsigned k = 0; k < NDATA; ++k) {
        f->data_pa[k] = one_page(f);
        f->data_pin[k] = map(f, IOVA_DATA + k * 2 * PAGE, f->data_pa[k], PAGE, SL_IOMMU_READ | SL_IOMMU_WRITE);
        f->data_mapped[k] = true;
    }
    f->ring_pa = one_page(f);
    map(f, IOVA_RING, f->ring_pa, PAGE, SL_IOMMU_READ | SL_IOMMU_WRITE);
    canary_init(f, &f->never, NCANARY, 1, true);
    canary_init(f, &f->ro, NCANARY, 2, true);
    canary_init(f, &f->unpin, NCANARY, 3, false);
    canary_init(f, &f->half, 1, 4, true);
    f->half_pa = one_page(f);
    for (unsigned i = 0; i < NCANARY; ++i) map(f, IOVA_RO + i * PAGE, f->ro.pa[i], PAGE, SL_IOMMU_READ);
    for (unsigned i = 0; i < NCANARY; ++i)
        f->unpin_pins[i] = map(f, IOVA_UNPIN + i * PAGE, f->unpin.pa[i], PAGE, SL_IOMMU_READ | SL_IOMMU_WRITE);
    map(f, IOVA_HALF, f->half_pa, PAGE, SL_IOMMU_READ | SL_IOMMU_WRITE);
    f->ring_dev = f->translate ? IOVA_RING : f->ring_pa;
    reg_write(f, DMAC_REG_RING_LO, (uint32_t)f->ring_dev);
    reg_write(f, DMAC_REG_RING_HI, (uint32_t)(f->ring_dev >> 32));
    reg_write(f, DMAC_REG_RING_SIZE, 128);

    for (unsigned n = 0; n < MAX_STEPS && fz_more(&f->in); ++n) step(f, fz_u8(&f->in) % 16);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    fz_fresh_simcontext();
    sl_config_t* c = sl_config_new();
    /* 8 MiB: room for the 2 MiB block; every finding kept whole, so that a changed canary
     * byte in bypass can be matched with the range of the finding that reports it */
    if (sl_config_set_assignment(c, "platform.phys_size=8M") != 0 ||
        sl_config_set_assignment(c, "checker.max_findings=1000000") != 0 ||
        sl_config_set_assignment(c, "checker.max_per_site=1000000") != 0)
        abort();
    bool translate = !(data[0] & 1);
    if (!translate && sl_config_set_assignment(c, "iommu.mode=bypass") != 0) abort();
    sl_platform_t* p = sl_platform_create(c);
    sl_config_free(c);
    if (!p) {
        fprintf(stderr, "sl_platform_create: %s\n", sl_error());
        abort();
    }
    fz_dma_t* f = calloc(1, sizeof *f);
    f->in = (fz_input_t){data + 1, size - 1};
    f->p = p;
    f->translate = translate;
    f->chk = sl_checker_attach(p);
    if (!f->chk) {
        fprintf(stderr, "sl_checker_attach: %s\n", sl_error());
        abort();
    }
    if (sl_platform_spawn(p, "fuzz", body, f) != 0) abort();
    (void)sl_platform_run(p, RUN_LIMIT_NS); /* a long transfer is cut off by the limit */
    g_changed = 0;
    if (!f->translate) collect_outside(f);
    canary_verify(f, &f->never, NCANARY, "never-pinned");
    canary_verify(f, &f->ro, NCANARY, "pinned-read-only");
    canary_verify(f, &f->unpin, NCANARY, "unpinned-after-use");
    canary_verify(f, &f->half, 1, "partly-pinned");
    if (f->block_bytes) check_bytes(f, f->block_pa + PAGE, f->block_bytes, BLOCK - PAGE, "2-MiB-block");
    if (getenv("FUZZ_DMA_VERBOSE")) { /* what an input did, when writing seeds */
        fprintf(stderr, "fuzz_dma_engine: %s, %zu canary bytes changed, findings:", translate ? "translated" : "bypass",
                g_changed);
        for (size_t i = 0; i < sl_checker_finding_count(f->chk); ++i) {
            sl_finding_t x;
            if (!sl_checker_get_finding(f->chk, i, &x))
                fprintf(stderr, " %s@0x%llx+%llu", x.kind, (unsigned long long)x.address, (unsigned long long)x.size);
        }
        fprintf(stderr, "\n");
    }
    sl_platform_destroy(p);
    free(f->block_bytes);
    free(f);
    return 0;
}
