/* DMA engine end to end at model level: the Verilated RTL in PCI slot 0 of a full
 * platform (PCI host, IOMMU with IOTLB and page walks, DRAM), driven by hand from a
 * simulated thread (dma_fixture.h): descriptors in DRAM, buffers on scattered pages mapped
 * in the IOMMU for the engine's requester id, registers through BAR0 over TLM, interrupts
 * by MSI or INTx. Every opcode is checked byte for byte and by CRC; IOMMU faults (unmapped,
 * read-only; a GATHER element or list on an unmapped page) and bus mastering off must fail
 * the descriptor, be recorded and halt the engine; an idle engine must cost no simulation
 * work. */
#define _GNU_SOURCE
#include <time.h>

#include "dma_fixture.h"

#define MS 1000000ull

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- identity ---- */

static void identity_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    CU_ASSERT_EQUAL(f->slot, 0);
    CU_ASSERT_EQUAL(sl_pci_config_read(f->p, 0, 0x00, 2), SL_DMA_ENGINE_VENDOR_ID);
    CU_ASSERT_EQUAL(sl_pci_config_read(f->p, 0, 0x02, 2), SL_DMA_ENGINE_DEVICE_ID);
    CU_ASSERT(f->bar >= SL_PCI_MMIO_BASE);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_ID), 0x444D4131u);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_VERSION), 0x00010100u);   /* 1.1.0 */
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_SRAM_SIZE), 65536u);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_STATUS), DMAC_STATUS_IDLE);
    CU_ASSERT_EQUAL(f->intx_vector, SL_PCI_INTX_VECTOR_BASE + 0);
}
static void test_identity(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), identity_thread, &f);
}

/* ---- COPY with MSI: unaligned, across pages, scattered RAM, three descriptors ---- */

enum { COPY_LEN = 9000 };
static uint8_t copy_data[3][COPY_LEN];

static void copy_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 16, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    uint64_t src = fx_buffer(f, 9, SL_IOMMU_READ, 0), dst = fx_buffer(f, 9, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    static const uint32_t lens[3] = {COPY_LEN, 1, 4093};
    static const unsigned soff[3] = {5, 3 * 4096 + 4095, 6 * 4096 + 7}, doff[3] = {3, 3 * 4096 + 2, 6 * 4096 + 0};
    fx_dev_fill(f, dst, 0xA5, 9 * FX_PAGE);
    for (unsigned i = 0; i < 3; ++i) {
        fx_random(copy_data[i], lens[i], 10 + i);
        fx_dev_write(f, src + soff[i], copy_data[i], lens[i]);
        fx_desc(f, i, src + soff[i], dst + doff[i], lens[i], DMAC_OP_COPY, i == 2 ? DMAC_DESC_IRQ : 0);
    }
    uint64_t t0 = sl_time_ns();
    fx_wr(f, DMAC_REG_PRODUCER, 3);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    uint64_t took = sl_time_ns() - t0;
    /* 13094 bytes at 8 bytes per 4 ns cycle is at least 6.5 us; PCIe round trips add more. */
    CU_ASSERT(took >= 6500);
    CU_ASSERT(took < 200000);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_INT_STATUS), 1u);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_CONSUMER), 3u);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_STATUS), DMAC_STATUS_IDLE);
    static uint8_t got[9 * 4096];
    fx_dev_read(f, dst, got, sizeof got);
    for (unsigned i = 0; i < 3; ++i) {
        CU_ASSERT_EQUAL(fx_desc_status(f, i), 1u);
        CU_ASSERT_EQUAL(fx_desc_crc(f, i), fx_crc32(copy_data[i], lens[i]));
        CU_ASSERT_EQUAL(memcmp(got + doff[i], copy_data[i], lens[i]), 0);
    }
    /* Nothing outside the three destination ranges was written. */
    unsigned outside = 0;
    for (unsigned a = 0; a < sizeof got; ++a) {
        int in = 0;
        for (unsigned i = 0; i < 3; ++i) in |= a >= doff[i] && a < doff[i] + lens[i];
        if (!in && got[a] != 0xA5) ++outside;
    }
    CU_ASSERT_EQUAL(outside, 0);
    /* One MSI (only the last descriptor asked), delivered through the PCI host. */
    CU_ASSERT_EQUAL(sl_irq_delivered(f->p, f->msi_vector), 1);
    sl_dma_engine_stats_t st;
    CU_ASSERT_EQUAL(sl_dma_engine_get_stats(f->p, &st), 0);
    CU_ASSERT_EQUAL(st.msi_writes, 1);
    CU_ASSERT_EQUAL(st.error_responses, 0);
    CU_ASSERT(st.bytes_written >= COPY_LEN + 1 + 4093);
    /* every read and write went through the IOMMU for this requester */
    sl_iommu_stats_t is;
    sl_iommu_get_stats(f->p, &is);
    CU_ASSERT(is.translations >= st.read_bursts + st.write_bursts - st.msi_writes);  /* MSI: decoded before the IOMMU */
    CU_ASSERT_EQUAL(sl_iommu_fault_count(f->p), 0);
}
static void test_copy_msi(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), copy_thread, &f);
}

/* ---- WRITE memory -> SRAM, READ SRAM -> memory, FILL ---- */

static void opcodes_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    enum { N = 5000 };
    static uint8_t data[N], got[N + 64];
    fx_random(data, N, 77);
    uint64_t a = fx_buffer(f, 2, SL_IOMMU_READ, 0), b = fx_buffer(f, 3, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    fx_dev_write(f, a + 11, data, N);
    fx_dev_fill(f, b, 0xA5, 3 * FX_PAGE);
    fx_desc(f, 0, a + 11, 0x3003, N, DMAC_OP_WRITE, 0);                     /* into SRAM at an odd offset */
    fx_desc(f, 1, 0x3003, b + 32, N, DMAC_OP_READ, 0);                      /* and back out */
    fx_desc(f, 2, 0x1122334455667788ull, b + 8192 + 1, 1000, DMAC_OP_FILL, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 3);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_CONSUMER), 3u);
    for (unsigned i = 0; i < 3; ++i) CU_ASSERT_EQUAL(fx_desc_status(f, i), 1u);
    CU_ASSERT_EQUAL(fx_desc_crc(f, 0), fx_crc32(data, N));
    CU_ASSERT_EQUAL(fx_desc_crc(f, 1), fx_crc32(data, N));
    fx_dev_read(f, b, got, N + 64);
    CU_ASSERT_EQUAL(memcmp(got + 32, data, N), 0);
    CU_ASSERT_EQUAL(got[31], 0xA5);
    CU_ASSERT_EQUAL(got[32 + N], 0xA5);
    uint8_t fill[1002], want[1000];
    for (unsigned i = 0; i < 1000; ++i) want[i] = (uint8_t)(0x1122334455667788ull >> (8 * (i % 8)));
    fx_dev_read(f, b + 8192, fill, sizeof fill);
    CU_ASSERT_EQUAL(fill[0], 0xA5);
    CU_ASSERT_EQUAL(memcmp(fill + 1, want, 1000), 0);
    CU_ASSERT_EQUAL(fill[1001], 0xA5);
    CU_ASSERT_EQUAL(fx_desc_crc(f, 2), fx_crc32(want, 1000));
}
static void test_opcodes_write_read_fill(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), opcodes_thread, &f);
}

/* ---- IOMMU faults: an unmapped source page, a read-only destination ---- */

static void unmapped_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    uint64_t src = fx_buffer(f, 1, SL_IOMMU_READ, 2);   /* the next two pages are not mapped */
    uint64_t dst = fx_buffer(f, 3, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    fx_desc(f, 0, src + 100, dst, 6000, DMAC_OP_COPY, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    uint32_t st = fx_rd(f, DMAC_REG_STATUS);
    CU_ASSERT(st & DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), DMAC_E_RD_RESP);
    CU_ASSERT_EQUAL(DMAC_STATUS_RESP(st), AXI_DECERR);           /* IOMMU fault = TLM address error = DECERR */
    CU_ASSERT_EQUAL(fx_err_addr(f), src + FX_PAGE);      /* first beat of the first burst in the hole */
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_INT_STATUS), 2u);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_CONSUMER), 0u);
    uint32_t ds = fx_desc_status(f, 0);
    CU_ASSERT_EQUAL(ds & 3u, 3u);                        /* done, error */
    CU_ASSERT_EQUAL((ds >> 8) & 0xFF, DMAC_E_RD_RESP);
    CU_ASSERT_EQUAL((ds >> 16) & 3, AXI_DECERR);
    CU_ASSERT_EQUAL(fx_desc_crc(f, 0), 0u);
    CU_ASSERT_FATAL(sl_iommu_fault_count(f->p) >= 1);
    sl_iommu_fault_t ft;
    CU_ASSERT_EQUAL(sl_iommu_get_fault(f->p, 0, &ft), 0);
    CU_ASSERT_EQUAL(ft.requester, f->rid);
    CU_ASSERT_EQUAL(ft.device_addr, src + FX_PAGE);
    CU_ASSERT_EQUAL(ft.is_write, 0);
    CU_ASSERT_EQUAL(ft.reason, SL_IOMMU_FAULT_NOT_MAPPED);
    CU_ASSERT(ft.time_ns <= sl_time_ns());
    /* Halted: a new doorbell does nothing until a soft reset. */
    fx_desc(f, 1, src, dst, 8, DMAC_OP_COPY, 0);
    fx_wr(f, DMAC_REG_PRODUCER, 2);
    sl_wait_ns(20000);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_CONSUMER), 0u);
    CU_ASSERT_EQUAL(fx_desc_status(f, 1), FX_SENTINEL);
}
static void test_unmapped_page_faults(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), unmapped_thread, &f);
}

static void readonly_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    uint64_t src = fx_buffer(f, 1, SL_IOMMU_READ, 0);
    uint64_t dst = fx_buffer(f, 1, SL_IOMMU_READ, 0);    /* no write permission */
    uint8_t data[256];
    fx_random(data, sizeof data, 5);
    fx_dev_write(f, src, data, sizeof data);
    fx_dev_fill(f, dst, 0xA5, FX_PAGE);
    fx_desc(f, 0, src, dst + 8, 256, DMAC_OP_COPY, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    uint32_t st = fx_rd(f, DMAC_REG_STATUS);
    CU_ASSERT(st & DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), DMAC_E_WR_RESP);
    CU_ASSERT_EQUAL(DMAC_STATUS_RESP(st), AXI_DECERR);
    CU_ASSERT_EQUAL(fx_err_addr(f), dst + 8);            /* AWADDR of the failing burst */
    CU_ASSERT_EQUAL((fx_desc_status(f, 0) >> 8) & 0xFF, DMAC_E_WR_RESP);
    CU_ASSERT_FATAL(sl_iommu_fault_count(f->p) >= 1);
    sl_iommu_fault_t ft;
    sl_iommu_get_fault(f->p, 0, &ft);
    CU_ASSERT_EQUAL(ft.reason, SL_IOMMU_FAULT_WRITE_DENIED);
    CU_ASSERT_EQUAL(ft.is_write, 1);
    CU_ASSERT_EQUAL(ft.device_addr, dst + 8);
    CU_ASSERT_EQUAL(ft.requester, f->rid);
    /* the read-only page is untouched */
    uint8_t got[FX_PAGE];
    fx_dev_read(f, dst, got, sizeof got);
    unsigned changed = 0;
    for (unsigned i = 0; i < sizeof got; ++i) changed += got[i] != 0xA5;
    CU_ASSERT_EQUAL(changed, 0);
}
static void test_read_only_page_faults(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), readonly_thread, &f);
}

/* ---- bus mastering off: the fetch is refused (SLVERR), the engine halts, INTx ---- */

static void bus_master_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    sl_pci_config_write(f->p, f->slot, CFG_CMD, 2, CMD_MEM);  /* memory space only */
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);                     /* legacy interrupt: an MSI would be refused too */
    uint64_t buf = fx_buffer(f, 1, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    fx_desc(f, 0, buf, buf + 2048, 64, DMAC_OP_COPY, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->intx_vector, 10 * MS), 1);
    CU_ASSERT_EQUAL(sl_irq_level(f->p, f->intx_vector), 1);
    uint32_t st = fx_rd(f, DMAC_REG_STATUS);
    CU_ASSERT(st & DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), DMAC_E_FETCH);
    CU_ASSERT_EQUAL(DMAC_STATUS_RESP(st), AXI_SLVERR);            /* refusal = TLM generic error = SLVERR */
    CU_ASSERT_EQUAL(fx_err_addr(f), f->ring);
    CU_ASSERT_FATAL(sl_pci_master_abort_count(f->p) >= 1);
    sl_pci_master_abort_t ab;
    sl_pci_get_master_abort(f->p, 0, &ab);
    CU_ASSERT_EQUAL(ab.requester, f->rid);
    CU_ASSERT_EQUAL(ab.address, f->ring);
    CU_ASSERT_EQUAL(ab.is_write, 0);
    CU_ASSERT_EQUAL(sl_iommu_fault_count(f->p), 0);      /* refused before the IOMMU */
    CU_ASSERT_EQUAL(fx_desc_status(f, 0), FX_SENTINEL);  /* nothing could be written back */
    /* W1C drops the line (the read behind the posted write makes sure it arrived). */
    fx_wr(f, DMAC_REG_INT_STATUS, 2);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_INT_STATUS), 0u);
    CU_ASSERT_EQUAL(sl_irq_level(f->p, f->intx_vector), 0);
}
static void test_bus_master_off(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), bus_master_thread, &f);
}

/* ---- GATHER: an element list in device memory -> SRAM, through PCI, IOMMU and DRAM ---- */

static void fx_elems(dma_fx_t* f, uint64_t list, const uint64_t* addr, const uint32_t* len, unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
        uint8_t b[DMAC_GATHER_ELEM_SIZE];
        memset(b, 0, sizeof b);
        for (int k = 0; k < 8; ++k) b[k] = (uint8_t)(addr[i] >> (8 * k));
        for (int k = 0; k < 4; ++k) b[8 + k] = (uint8_t)(len[i] >> (8 * k));
        fx_dev_write(f, list + DMAC_GATHER_ELEM_SIZE * (uint64_t)i, b, sizeof b);
    }
}

enum { G_N = 256, G_PAGES = 16 };
static uint64_t gather_ns;

/* 256 random 64-byte elements of a 16-page window on scattered RAM pages (half of them at
 * byte offsets, some across pages), gathered into SRAM, then READ back out to a buffer. */
static void gather_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    uint64_t win = fx_buffer(f, G_PAGES, SL_IOMMU_READ, 0);
    uint64_t list = fx_buffer(f, 1, SL_IOMMU_READ, 0);   /* 256 elements: exactly one page */
    uint64_t out = fx_buffer(f, 5, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    static uint8_t data[G_PAGES * 4096], want[G_N * 64], got[G_N * 64];
    static uint64_t addr[G_N];
    static uint32_t len[G_N];
    fx_random(data, sizeof data, 21);
    fx_dev_write(f, win, data, sizeof data);
    uint64_t s = 12345;
    for (unsigned i = 0; i < G_N; ++i) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t off = (s >> 33) % (sizeof data - 64);
        if (i % 2 == 0) off &= ~63ull;
        addr[i] = win + off;
        len[i] = 64;
        memcpy(want + 64 * i, data + off, 64);
    }
    fx_elems(f, list, addr, len, G_N);
    fx_dev_fill(f, out, 0xA5, 5 * FX_PAGE);
    fx_desc(f, 0, list, 0x100, G_N, DMAC_OP_GATHER, DMAC_DESC_IRQ);
    uint64_t t0 = sl_time_ns();
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    gather_ns = sl_time_ns() - t0;
    fx_desc(f, 1, 0x100, out + 8, G_N * 64, DMAC_OP_READ, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_INT_STATUS, 1);
    fx_wr(f, DMAC_REG_PRODUCER, 2);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_CONSUMER), 2u);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_STATUS), DMAC_STATUS_IDLE);
    CU_ASSERT_EQUAL(fx_desc_status(f, 0), 1u);
    CU_ASSERT_EQUAL(fx_desc_status(f, 1), 1u);
    CU_ASSERT_EQUAL(fx_desc_crc(f, 0), fx_crc32(want, sizeof want));
    CU_ASSERT_EQUAL(fx_desc_crc(f, 1), fx_crc32(want, sizeof want));
    fx_dev_read(f, out + 8, got, sizeof got);
    CU_ASSERT_EQUAL(memcmp(got, want, sizeof want), 0);
    uint8_t edge[2];
    fx_dev_read(f, out + 7, edge, 1);
    fx_dev_read(f, out + 8 + sizeof want, edge + 1, 1);
    CU_ASSERT_EQUAL(edge[0], 0xA5);
    CU_ASSERT_EQUAL(edge[1], 0xA5);
    /* every read went through the IOMMU; the list is 32 reads of 8 elements */
    sl_dma_engine_stats_t st;
    sl_dma_engine_get_stats(f->p, &st);
    CU_ASSERT(st.read_bursts >= 2 + G_N + G_N / 8);
    CU_ASSERT_EQUAL(st.error_responses, 0);
    CU_ASSERT_EQUAL(sl_iommu_fault_count(f->p), 0);
}
static void test_gather(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), gather_thread, &f);
    printf("\n  gather of %u x 64 B through PCI/IOMMU/DRAM: %llu ns (%.1f ns/element)\n", G_N,
           (unsigned long long)gather_ns, (double)gather_ns / G_N);
    /* Reads overlap: one at a time a 64-byte read costs at least the two PCIe hops and the
     * DRAM access (300 + 60 ns); four in flight take well under half of that per element. */
    CU_ASSERT(gather_ns < G_N * 360ull / 2);
}

/* An element on an unmapped page: error 1 (DECERR) at its first beat, an IOMMU fault record. */
static void gather_unmapped_elem_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    uint64_t win = fx_buffer(f, 2, SL_IOMMU_READ, 1);    /* the page after it is not mapped */
    uint64_t list = fx_buffer(f, 1, SL_IOMMU_READ, 0);
    enum { N = 12, BAD = 5 };
    uint64_t addr[N];
    uint32_t len[N];
    for (unsigned i = 0; i < N; ++i) {
        addr[i] = win + 300 * i + 3;
        len[i] = 64;
    }
    addr[BAD] = win + 2 * FX_PAGE + 40;
    fx_elems(f, list, addr, len, N);
    fx_desc(f, 0, list, 0, N, DMAC_OP_GATHER, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    uint32_t st = fx_rd(f, DMAC_REG_STATUS);
    CU_ASSERT(st & DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), DMAC_E_RD_RESP);
    CU_ASSERT_EQUAL(DMAC_STATUS_RESP(st), AXI_DECERR);
    CU_ASSERT_EQUAL(fx_err_addr(f), addr[BAD]);                     /* the first beat of its read */
    CU_ASSERT_EQUAL(fx_desc_status(f, 0), 0x3u | (DMAC_E_RD_RESP << 8) | (AXI_DECERR << 16));
    CU_ASSERT_EQUAL(fx_desc_crc(f, 0), 0u);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_CONSUMER), 0u);
    CU_ASSERT_EQUAL_FATAL(sl_iommu_fault_count(f->p), 1);
    sl_iommu_fault_t ft;
    CU_ASSERT_EQUAL(sl_iommu_get_fault(f->p, 0, &ft), 0);
    CU_ASSERT_EQUAL(ft.requester, f->rid);
    CU_ASSERT_EQUAL(ft.device_addr, addr[BAD]);
    CU_ASSERT_EQUAL(ft.is_write, 0);
    CU_ASSERT_EQUAL(ft.reason, SL_IOMMU_FAULT_NOT_MAPPED);
}
static void test_gather_unmapped_element(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), gather_unmapped_elem_thread, &f);
}

/* A list that runs into an unmapped page: its first block (2 elements up to the page end) is
 * read, the next block's read faults: error 12 (DECERR) at that block's first beat. */
static void gather_unmapped_list_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    uint64_t win = fx_buffer(f, 1, SL_IOMMU_READ, 0);
    uint64_t lpage = fx_buffer(f, 1, SL_IOMMU_READ, 1);   /* the page after it is not mapped */
    uint64_t list = lpage + FX_PAGE - 2 * DMAC_GATHER_ELEM_SIZE;
    uint64_t addr[2] = {win + 1, win + 1000};
    uint32_t len[2] = {100, 200};
    fx_elems(f, list, addr, len, 2);
    fx_desc(f, 0, list, 0, 10, DMAC_OP_GATHER, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    uint32_t st = fx_rd(f, DMAC_REG_STATUS);
    CU_ASSERT(st & DMAC_STATUS_HALTED);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(st), DMAC_E_LIST_READ);
    CU_ASSERT_EQUAL(DMAC_STATUS_RESP(st), AXI_DECERR);
    CU_ASSERT_EQUAL(fx_err_addr(f), lpage + FX_PAGE);
    CU_ASSERT_EQUAL(fx_desc_status(f, 0), 0x3u | (DMAC_E_LIST_READ << 8) | (AXI_DECERR << 16));
    CU_ASSERT_FATAL(sl_iommu_fault_count(f->p) >= 1);
    sl_iommu_fault_t ft;
    sl_iommu_get_fault(f->p, 0, &ft);
    CU_ASSERT_EQUAL(ft.device_addr, lpage + FX_PAGE);
    CU_ASSERT_EQUAL(ft.reason, SL_IOMMU_FAULT_NOT_MAPPED);
    /* A list wholly on an unmapped page fails at its first beat, after a soft reset. */
    fx_wr(f, DMAC_REG_CTRL, DMAC_CTRL_SRST);
    while (fx_rd(f, DMAC_REG_CTRL) & DMAC_CTRL_SRST) sl_wait_ns(100);
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    fx_desc(f, 0, lpage + FX_PAGE + 64, 0, 3, DMAC_OP_GATHER, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    CU_ASSERT_EQUAL(DMAC_STATUS_CODE(fx_rd(f, DMAC_REG_STATUS)), DMAC_E_LIST_READ);
    CU_ASSERT_EQUAL(fx_err_addr(f), lpage + FX_PAGE + 64);
}
static void test_gather_unmapped_list(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), gather_unmapped_list_thread, &f);
}

/* ---- legacy INTx: the level follows INT_STATUS, mask and W1C ---- */

static void intx_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 4, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);
    uint64_t buf = fx_buffer(f, 1, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    for (unsigned round = 0; round < 6; ++round) {          /* 6 descriptors on a 4-entry ring: wraps */
        unsigned idx = round % 4;
        fx_desc(f, idx, 0xA0A0A0A0A0A0A0A0ull + round, buf + 512 * (round % 4), 100 + round, DMAC_OP_FILL, DMAC_DESC_IRQ);
        fx_wr(f, DMAC_REG_PRODUCER, (round + 1) % 4);
        CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->intx_vector, 10 * MS), 1);
        CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_INT_STATUS), 1u);
        CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_CONSUMER), (round + 1) % 4);
        CU_ASSERT_EQUAL(fx_desc_status(f, idx), 1u);
        fx_wr(f, DMAC_REG_INT_STATUS, 1);                           /* W1C (posted; the read flushes it): the line drops */
        CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_INT_STATUS), 0u);
        CU_ASSERT_EQUAL(sl_irq_level(f->p, f->intx_vector), 0);
    }
    CU_ASSERT_EQUAL(sl_irq_delivered(f->p, f->intx_vector), 6);
    /* masked: status set, line low; unmasking raises it */
    fx_wr(f, DMAC_REG_INT_MASK, 1);
    fx_desc(f, 2, 0x55, buf, 8, DMAC_OP_FILL, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 3);
    CU_ASSERT_EQUAL(fx_wait_irq(f, f->intx_vector, 50000), 0);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_INT_STATUS), 1u);
    fx_wr(f, DMAC_REG_INT_MASK, 0);
    CU_ASSERT_EQUAL(fx_wait_irq(f, f->intx_vector, 10000), 1);
    sl_dma_engine_stats_t st;
    sl_dma_engine_get_stats(f->p, &st);
    CU_ASSERT_EQUAL(st.msi_writes, 0);
    CU_ASSERT_EQUAL(st.irq_edges, 2 * 6 + 1);
}
static void test_legacy_intx(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), intx_thread, &f);
}

/* ---- idle skip: 10 ms of idle costs no evaluated cycles and almost no wall time ---- */

static double idle_wall;
static void idle_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    uint64_t src = fx_buffer(f, 2, SL_IOMMU_READ, 0), dst = fx_buffer(f, 2, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    fx_desc(f, 0, src, dst, 8192, DMAC_OP_COPY, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    sl_dma_engine_stats_t a, b;
    sl_dma_engine_get_stats(f->p, &a);
    /* While it moved data it also skipped the cycles it only waited for memory. */
    CU_ASSERT(a.cycles_waiting > 0);
    double w0 = wall_now();
    sl_wait_ns(10 * MS);
    fx_desc(f, 1, src, dst, 8192, DMAC_OP_COPY, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_INT_STATUS, 1);
    fx_wr(f, DMAC_REG_PRODUCER, 2);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    idle_wall = wall_now() - w0;
    sl_dma_engine_get_stats(f->p, &b);
    /* 10 ms at 250 MHz: 2.5 million cycles passed, none of the idle ones evaluated. */
    CU_ASSERT(b.cycles - a.cycles >= 2500000);
    CU_ASSERT(b.cycles_idle - a.cycles_idle >= 2490000);
    uint64_t evaluated = b.cycles_evaluated - a.cycles_evaluated;
    CU_ASSERT(evaluated < 5000);                       /* one 8 KiB copy and a few register accesses */
    CU_ASSERT(evaluated > 1000);
    CU_ASSERT(b.idle_sleeps > a.idle_sleeps);
    CU_ASSERT_EQUAL(b.cycles, b.cycles_evaluated + b.cycles_waiting + b.cycles_idle + 1);
    CU_ASSERT_EQUAL(fx_desc_status(f, 1), 1u);
}
static void test_idle_skip(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), idle_thread, &f);
    /* The idle 10 ms took (much) less wall time than a copy; generous for loaded machines. */
    CU_ASSERT(idle_wall < 1.0);
}

/* ---- the same platform without the engine ---- */

static void test_without_engine(void) {
    static const char* const a[] = {"pci.dma_engine=false", "pci.scratch_device=true", NULL};
    sl_platform_t* p = fx_platform(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(sl_dma_engine_slot(p), -1);
    CU_ASSERT_EQUAL(sl_pci_scratch_slot(p), 0);
    sl_dma_engine_stats_t st;
    CU_ASSERT_EQUAL(sl_dma_engine_get_stats(p, &st), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "pci.dma_engine"));
    CU_ASSERT_EQUAL(sl_dma_engine_vcd(p, "/tmp/x.vcd"), -1);
    sl_platform_destroy(p);
    /* with both: the engine in slot 0, the scratch device after it */
    static const char* const b[] = {"pci.scratch_device=true", NULL};
    p = fx_platform(b);
    CU_ASSERT_EQUAL(sl_dma_engine_slot(p), 0);
    CU_ASSERT_EQUAL(sl_pci_scratch_slot(p), 1);
    CU_ASSERT_EQUAL(sl_pci_device_count(p), 2);
    sl_platform_destroy(p);
}

static const sl_test_t tests[] = {
    SL_TEST(test_identity),
    SL_TEST(test_copy_msi),
    SL_TEST(test_opcodes_write_read_fill),
    SL_TEST(test_unmapped_page_faults),
    SL_TEST(test_read_only_page_faults),
    SL_TEST(test_bus_master_off),
    SL_TEST(test_gather),
    SL_TEST(test_gather_unmapped_element),
    SL_TEST(test_gather_unmapped_list),
    SL_TEST(test_legacy_intx),
    SL_TEST(test_idle_skip),
    SL_TEST(test_without_engine),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "dma-e2e", tests, SL_COUNT(tests)); }
