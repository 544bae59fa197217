/* Fixture for the suites that drive the DMA engine RTL inside a platform (test_bridge.c,
 * test_dma_e2e.c): everything a driver would do, done by hand through the C API from a
 * simulated thread, so the model path is tested without the driver:
 *   config space: memory space, bus mastering, MSI capability (untimed, as firmware);
 *   IOMMU: buffers on scattered RAM pages mapped for the engine's requester id;
 *   descriptors and data: written straight into DRAM (sl_dram_write);
 *   registers: timed uncached CPU accesses to BAR0 (sl_cpu_transport);
 *   interrupts: sl_irq_wait on the MSI vector or the INTx line.
 * Register map and descriptor format: rtl/README.md. */
#ifndef DMA_FIXTURE_H
#define DMA_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_test.h"
#include "staleline/staleline.h"

#include "dmac-hw.h"

/* AXI responses (AMBA AXI: SLVERR 2, DECERR 3), as the engine reports them in STATUS.RESP. */
#define AXI_SLVERR 2
#define AXI_DECERR 3

/* config space */
#define CFG_CMD 0x04
#define CFG_BAR0 0x10
#define CFG_INT_LINE 0x3C
#define CFG_MSI 0x50
#define CMD_MEM 0x2u
#define CMD_BUS_MASTER 0x4u

#define FX_PAGE 4096ull
#define FX_MSI_ADDR 0xfee00000ull
#define FX_SENTINEL 0xEEEEEEEEu

typedef struct {
    sl_platform_t* p;
    int slot;
    uint16_t rid;
    uint64_t bar;
    unsigned msi_vector, intx_vector;
    uint64_t next_iova;  /* device addresses handed out by fx_buffer */
    uint64_t ring;       /* device address of the descriptor ring (fx_ring) */
    unsigned ring_size;
    void* user;
} dma_fx_t;

/* Bitwise CRC-32/IEEE (zlib crc32), independent of the RTL's table-free 8-byte version. */
static inline uint32_t fx_crc32(const uint8_t* p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int b = 0; b < 8; ++b) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static inline void fx_random(uint8_t* p, size_t n, uint64_t seed) {
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; ++i) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (uint8_t)(s >> 56);
    }
}

/* A platform from "key=value" assignments (NULL-terminated list, may be NULL). */
static inline sl_platform_t* fx_platform(const char* const* assignments) {
    sl_config_t* c = sl_config_new();
    for (; assignments && *assignments; ++assignments)
        CU_ASSERT_EQUAL_FATAL(sl_config_set_assignment(c, *assignments), 0);
    sl_platform_t* p = sl_platform_create(c);
    if (!p) fprintf(stderr, "sl_platform_create: %s\n", sl_error());
    sl_config_free(c);
    return p;
}

/* Run fn(fx) as the only simulated thread until everything is quiet, then destroy. */
static inline void fx_run(sl_platform_t* p, sl_thread_fn fn, dma_fx_t* fx) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memset(fx, 0, sizeof *fx);
    fx->p = p;
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(p, "test", fn, fx), 0);
    CU_ASSERT_EQUAL(sl_platform_run(p, 0), 0);
    sl_platform_destroy(p);
}

/* In the thread: find the engine, enable memory space and bus mastering, program MSI. */
static inline void fx_init(dma_fx_t* f) {
    f->slot = sl_dma_engine_slot(f->p);
    CU_ASSERT_FATAL(f->slot >= 0);
    f->rid = sl_pci_requester_id((unsigned)f->slot);
    f->bar = ((uint64_t)sl_pci_config_read(f->p, f->slot, CFG_BAR0 + 4, 4) << 32) |
             (sl_pci_config_read(f->p, f->slot, CFG_BAR0, 4) & ~0xFu);
    f->msi_vector = SL_PCI_MSI_VECTOR_BASE + (unsigned)f->slot;
    f->intx_vector = sl_pci_config_read(f->p, f->slot, CFG_INT_LINE, 1);
    sl_pci_config_write(f->p, f->slot, CFG_CMD, 2, CMD_MEM | CMD_BUS_MASTER);
    sl_pci_config_write(f->p, f->slot, CFG_MSI + 4, 4, (uint32_t)FX_MSI_ADDR);
    sl_pci_config_write(f->p, f->slot, CFG_MSI + 8, 4, 0);
    sl_pci_config_write(f->p, f->slot, CFG_MSI + 12, 2, f->msi_vector);
    sl_pci_config_write(f->p, f->slot, CFG_MSI + 2, 2, 1);
    f->next_iova = 0x40000000ull;
}

static inline uint32_t fx_rd(dma_fx_t* f, uint32_t off) {
    uint32_t v = 0xDEADBEEFu;
    CU_ASSERT_EQUAL(sl_cpu_transport(f->p, 0, f->bar + off, &v, 4, 1), SL_RESP_OK);
    return v;
}

static inline void fx_wr(dma_fx_t* f, uint32_t off, uint32_t v) {
    CU_ASSERT_EQUAL(sl_cpu_transport(f->p, 1, f->bar + off, &v, 4, 1), SL_RESP_OK);
}

/* npages of RAM (scattered) mapped at a fresh device address range with perms; returns the
 * device address. skip_pages: leave that many pages of device addresses unmapped after it. */
static inline uint64_t fx_buffer(dma_fx_t* f, unsigned npages, unsigned perms, unsigned skip_pages) {
    uint64_t iova = f->next_iova;
    uint64_t* pages = calloc(npages, sizeof *pages);
    CU_ASSERT_EQUAL_FATAL(sl_phys_alloc(f->p, npages, 0, pages), 0);
    for (unsigned i = 0; i < npages; ++i)
        CU_ASSERT_EQUAL_FATAL(sl_iommu_map(f->p, f->rid, iova + i * FX_PAGE, pages[i], FX_PAGE, perms), 0);
    free(pages);
    f->next_iova += (npages + skip_pages + 1) * FX_PAGE;  /* and a guard page */
    return iova;
}

/* Untimed access to device memory through the engine's page tables (the simulator's hands). */
static inline void fx_dev_io(dma_fx_t* f, int is_write, uint64_t iova, void* buf, size_t len) {
    uint8_t* b = buf;
    while (len) {
        uint64_t pa = 0;
        size_t n = FX_PAGE - (iova & (FX_PAGE - 1));
        if (n > len) n = len;
        CU_ASSERT_FATAL(sl_iommu_translate(f->p, f->rid, iova, &pa, NULL) == 1);
        if (is_write) sl_dram_write(f->p, pa, b, n);
        else sl_dram_read(f->p, pa, b, n);
        iova += n;
        b += n;
        len -= n;
    }
}
static inline void fx_dev_write(dma_fx_t* f, uint64_t iova, const void* buf, size_t len) {
    fx_dev_io(f, 1, iova, (void*)buf, len);
}
static inline void fx_dev_read(dma_fx_t* f, uint64_t iova, void* buf, size_t len) { fx_dev_io(f, 0, iova, buf, len); }
static inline void fx_dev_fill(dma_fx_t* f, uint64_t iova, uint8_t v, size_t len) {
    uint8_t* b = malloc(len);
    memset(b, v, len);
    fx_dev_write(f, iova, b, len);
    free(b);
}
static inline uint32_t fx_dev_read32(dma_fx_t* f, uint64_t iova) {
    uint32_t v = 0;
    fx_dev_read(f, iova, &v, 4);
    return v;
}

/* A ring of `size` descriptors in one mapped page, registers programmed, engine on. */
static inline void fx_ring(dma_fx_t* f, unsigned size, uint32_t ctrl) {
    CU_ASSERT_FATAL(size * 32u <= FX_PAGE);
    f->ring = fx_buffer(f, 1, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    f->ring_size = size;
    fx_wr(f, DMAC_REG_RING_LO, (uint32_t)f->ring);
    fx_wr(f, DMAC_REG_RING_HI, (uint32_t)(f->ring >> 32));
    fx_wr(f, DMAC_REG_RING_SIZE, size);
    fx_wr(f, DMAC_REG_CTRL, ctrl);
}

static inline void fx_desc(dma_fx_t* f, unsigned idx, uint64_t src, uint64_t dst, uint32_t len, uint8_t op,
                           uint8_t flags) {
    uint8_t d[32];
    memset(d, 0, sizeof d);
    for (int i = 0; i < 8; ++i) d[i] = (uint8_t)(src >> (8 * i));
    for (int i = 0; i < 8; ++i) d[8 + i] = (uint8_t)(dst >> (8 * i));
    for (int i = 0; i < 4; ++i) d[16 + i] = (uint8_t)(len >> (8 * i));
    d[20] = op;
    d[21] = flags;
    for (int i = 0; i < 4; ++i) d[24 + i] = d[28 + i] = (uint8_t)(FX_SENTINEL >> (8 * i));
    fx_dev_write(f, f->ring + 32ull * idx, d, sizeof d);
}

static inline uint32_t fx_desc_status(dma_fx_t* f, unsigned idx) { return fx_dev_read32(f, f->ring + 32ull * idx + 24); }
static inline uint32_t fx_desc_crc(dma_fx_t* f, unsigned idx) { return fx_dev_read32(f, f->ring + 32ull * idx + 28); }
static inline uint64_t fx_err_addr(dma_fx_t* f) {
    uint64_t lo = fx_rd(f, DMAC_REG_ERR_LO);
    return ((uint64_t)fx_rd(f, DMAC_REG_ERR_HI) << 32) | lo;
}

/* Wait for an interrupt on vector (returns 1) or give up after timeout_ns of simulated time. */
static inline int fx_wait_irq(dma_fx_t* f, unsigned vector, uint64_t timeout_ns) {
    return sl_irq_wait(f->p, vector, timeout_ns);
}

#endif
