/* PCI host bridge: BAR probing and placement, MMIO routing, bus-master refusal, MSI and
 * INTx delivery, config-space semantics of reserved and read-only fields. */
#include <string.h>

#include "sl_test.h"
#include "staleline/staleline.h"

#define CMD 0x04
#define BAR0 0x10
#define MSI 0x50

typedef struct {
    sl_platform_t* p;
    unsigned slot;
} ctx_t;

static sl_platform_t* make(const char* extra) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.scratch_device", "true"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.hop_latency_ns", "100"), 0);
    if (extra) CU_ASSERT_EQUAL_FATAL(sl_config_set_assignment(c, extra), 0);
    sl_platform_t* p = sl_platform_create(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    sl_config_free(c);
    return p;
}

static uint64_t ecam(unsigned slot, unsigned reg) { return SL_PCI_ECAM_BASE | (uint64_t)slot << 15 | reg; }

static uint32_t cfg_read_timed(sl_platform_t* p, unsigned slot, unsigned reg) {
    uint32_t v = 0;
    CU_ASSERT_EQUAL(sl_cpu_transport(p, 0, ecam(slot, reg), &v, 4, 1), SL_RESP_OK);
    return v;
}
static void cfg_write_timed(sl_platform_t* p, unsigned slot, unsigned reg, uint32_t v) {
    CU_ASSERT_EQUAL(sl_cpu_transport(p, 1, ecam(slot, reg), &v, 4, 1), SL_RESP_OK);
}

static void run(sl_platform_t* p, sl_thread_fn fn, ctx_t* c) {
    c->p = p;
    c->slot = (unsigned)sl_pci_scratch_slot(p);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(p, "test", fn, c), 0);
    CU_ASSERT_EQUAL(sl_platform_run(p, 0), 0);
    sl_platform_destroy(p);
}

/* Firmware placed BAR0 in the MMIO window, aligned to its size; probing through ECAM
 * (write ones, read back) gives the size; restoring gives the base back. */
static void bar_probe_thread(void* arg) {
    ctx_t* c = arg;
    uint32_t lo = cfg_read_timed(c->p, c->slot, BAR0), hi = cfg_read_timed(c->p, c->slot, BAR0 + 4);
    uint64_t base = ((uint64_t)hi << 32) | (lo & ~0xfu);
    CU_ASSERT_EQUAL(lo & 0x7, 0x4); /* memory, 64-bit */
    CU_ASSERT(base >= SL_PCI_MMIO_BASE && base < SL_PCI_MMIO_BASE + 0x10000000ULL);
    CU_ASSERT_EQUAL(base % 4096, 0);
    cfg_write_timed(c->p, c->slot, BAR0, 0xffffffffu);
    cfg_write_timed(c->p, c->slot, BAR0 + 4, 0xffffffffu);
    uint64_t mask = ((uint64_t)cfg_read_timed(c->p, c->slot, BAR0 + 4) << 32) | (cfg_read_timed(c->p, c->slot, BAR0) & ~0xfu);
    CU_ASSERT_EQUAL(~mask + 1, 4096);
    cfg_write_timed(c->p, c->slot, BAR0, (uint32_t)base);
    cfg_write_timed(c->p, c->slot, BAR0 + 4, (uint32_t)(base >> 32));
    CU_ASSERT_EQUAL(sl_pci_config_read(c->p, c->slot, BAR0, 4), lo);
    /* an ECAM round trip costs two hops (config reads are non-posted) */
    uint64_t t0 = sl_time_ns();
    cfg_read_timed(c->p, c->slot, 0);
    CU_ASSERT_EQUAL(sl_time_ns() - t0, 200);
}
static void test_bar_probing(void) {
    ctx_t c;
    run(make(NULL), bar_probe_thread, &c);
}

/* MMIO to the BAR reaches the device only with memory space enabled; the address
 * the device sees is the offset within the BAR. */
static void routing_thread(void* arg) {
    ctx_t* c = arg;
    uint64_t base = ((uint64_t)sl_pci_config_read(c->p, c->slot, BAR0 + 4, 4) << 32) |
                    (sl_pci_config_read(c->p, c->slot, BAR0, 4) & ~0xfu);
    uint32_t v = 0xdeadbeef, r = 0;
    CU_ASSERT_EQUAL(sl_cpu_transport(c->p, 1, base + 0x10, &v, 4, 1), SL_RESP_ADDRESS_ERROR); /* memory space off */
    sl_pci_config_write(c->p, c->slot, CMD, 2, 0x2);
    CU_ASSERT_EQUAL(sl_cpu_transport(c->p, 1, base + 0x10, &v, 4, 1), SL_RESP_OK);
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(sl_cpu_transport(c->p, 0, base + 0x10, &r, 4, 1), SL_RESP_OK);
    CU_ASSERT_EQUAL(r, 0xdeadbeef);
    CU_ASSERT(sl_time_ns() - t0 >= 200); /* non-posted read: two hops plus the device */
    CU_ASSERT_EQUAL(sl_cpu_transport(c->p, 0, base + 0x0c, &r, 4, 1), SL_RESP_OK);
    CU_ASSERT_EQUAL(r, 0); /* a different register */
    CU_ASSERT_EQUAL(sl_cpu_transport(c->p, 0, base + 4096, &r, 4, 1), SL_RESP_ADDRESS_ERROR); /* past the BAR */
    CU_ASSERT_EQUAL(sl_cpu_transport(c->p, 0, 0x10000, &r, 4, 1), SL_RESP_ADDRESS_ERROR);    /* nothing there */
    /* an absent function reads all ones, as enumeration expects */
    uint32_t absent = 0;
    CU_ASSERT_EQUAL(sl_cpu_transport(c->p, 0, ecam(7, 0), &absent, 4, 1), SL_RESP_OK);
    CU_ASSERT_EQUAL(absent, 0xffffffffu);
}
static void test_mmio_routing(void) {
    ctx_t c;
    run(make(NULL), routing_thread, &c);
}

/* Bus mastering off: the upstream request is refused, recorded, and memory untouched. */
static void bus_master_thread(void* arg) {
    ctx_t* c = arg;
    uint64_t pa;
    CU_ASSERT_EQUAL_FATAL(sl_phys_alloc(c->p, 1, 1, &pa), 0);
    uint8_t buf[64];
    memset(buf, 0x5a, sizeof buf);
    sl_time_ns();
    CU_ASSERT_EQUAL(sl_scratch_dma(c->p, 1, pa, buf, sizeof buf), SL_RESP_GENERIC_ERROR);
    CU_ASSERT_EQUAL_FATAL(sl_pci_master_abort_count(c->p), 1);
    sl_pci_master_abort_t ab;
    CU_ASSERT_EQUAL(sl_pci_get_master_abort(c->p, 0, &ab), 0);
    CU_ASSERT_EQUAL(ab.requester, sl_pci_requester_id(c->slot));
    CU_ASSERT_EQUAL(ab.address, pa);
    CU_ASSERT_EQUAL(ab.is_write, 1);
    uint8_t mem[64];
    sl_dram_read(c->p, pa, mem, sizeof mem);
    for (int i = 0; i < 64; ++i) CU_ASSERT_EQUAL(mem[i], 0);
    /* signaled target abort is latched in status, write-1-to-clear */
    CU_ASSERT(sl_pci_config_read(c->p, c->slot, 0x06, 2) & (1u << 11));
    sl_pci_config_write(c->p, c->slot, 0x06, 2, 1u << 11);
    CU_ASSERT_FALSE(sl_pci_config_read(c->p, c->slot, 0x06, 2) & (1u << 11));
    /* with bus mastering on (IOMMU in bypass) the same write lands */
    sl_pci_config_write(c->p, c->slot, CMD, 2, 0x6);
    CU_ASSERT_EQUAL(sl_scratch_dma(c->p, 1, pa, buf, sizeof buf), SL_RESP_OK);
    sl_dram_read(c->p, pa, mem, sizeof mem);
    CU_ASSERT_EQUAL(memcmp(mem, buf, sizeof buf), 0);
    CU_ASSERT_EQUAL(sl_pci_master_abort_count(c->p), 1);
}
static void test_bus_master_refusal(void) {
    ctx_t c;
    run(make("iommu.mode=bypass"), bus_master_thread, &c);
}

/* An MSI is a posted write to the MSI window with the programmed data: it raises that
 * vector and never reaches memory. */
static void msi_thread(void* arg) {
    ctx_t* c = arg;
    unsigned vec = SL_PCI_MSI_VECTOR_BASE + 3;
    CU_ASSERT_EQUAL(sl_pci_config_read(c->p, c->slot, 0x34, 1), MSI); /* capability pointer */
    CU_ASSERT_EQUAL(sl_pci_config_read(c->p, c->slot, MSI, 1), 0x05);  /* MSI capability id */
    CU_ASSERT(sl_pci_config_read(c->p, c->slot, MSI + 2, 2) & 0x80);    /* 64-bit capable */
    sl_pci_config_write(c->p, c->slot, MSI + 4, 4, 0xfee00000u);
    sl_pci_config_write(c->p, c->slot, MSI + 8, 4, 0);
    sl_pci_config_write(c->p, c->slot, MSI + 12, 2, vec);
    sl_pci_config_write(c->p, c->slot, MSI + 2, 2, 1);
    CU_ASSERT_EQUAL(sl_pci_config_read(c->p, c->slot, MSI + 2, 2) & 1, 1);
    sl_pci_config_write(c->p, c->slot, CMD, 2, 0x6);
    CU_ASSERT_EQUAL(sl_irq_delivered(c->p, vec), 0);
    CU_ASSERT_EQUAL(sl_irq_wait(c->p, vec, 1000), 0); /* nothing yet: times out */
    uint32_t data = vec;
    CU_ASSERT_EQUAL(sl_scratch_dma(c->p, 1, 0xfee00000u, &data, 4), SL_RESP_OK);
    CU_ASSERT_EQUAL(sl_irq_delivered(c->p, vec), 1);
    CU_ASSERT_EQUAL(sl_irq_wait(c->p, vec, 1000), 1);
    CU_ASSERT_EQUAL(sl_irq_wait(c->p, vec, 1000), 0); /* the edge was consumed */
    uint8_t mem[4];
    sl_dram_read(c->p, 0xfee00000u, mem, 4);
    CU_ASSERT_EQUAL(mem[0] | mem[1] | mem[2] | mem[3], 0);
}
/* A device thread that sends one MSI (vector g_msi_vec) after g_msi_after_ns. */
static sl_platform_t* g_msi_p;
static unsigned g_msi_vec;
static uint64_t g_msi_after_ns;
static void msi_sender(void* arg) {
    (void)arg;
    sl_wait_ns(g_msi_after_ns);
    uint32_t data = g_msi_vec;
    CU_ASSERT_EQUAL(sl_scratch_dma(g_msi_p, 1, 0xfee00000u, &data, 4), SL_RESP_OK);
}

/* Two MSIs on their way at once, sent 50 ns apart, each arriving one hop (100 ns) later: the
 * vector's event is due for the first only (an sc_event keeps its earliest notification),
 * and taking the first re-arms it for the second, so each is taken when it arrives. */
static void msi_in_flight_thread(void* arg) {
    ctx_t* c = arg;
    g_msi_p = c->p;
    g_msi_vec = SL_PCI_MSI_VECTOR_BASE + 3;
    sl_pci_config_write(c->p, c->slot, MSI + 4, 4, 0xfee00000u);
    sl_pci_config_write(c->p, c->slot, MSI + 12, 2, g_msi_vec);
    sl_pci_config_write(c->p, c->slot, MSI + 2, 2, 1);
    sl_pci_config_write(c->p, c->slot, CMD, 2, 0x6);
    const uint64_t t = sl_time_ns();
    g_msi_after_ns = 0;
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(c->p, "msi-a", msi_sender, NULL), 0);
    sl_wait_ns(50);
    g_msi_after_ns = 0;
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(c->p, "msi-b", msi_sender, NULL), 0);
    CU_ASSERT_EQUAL(sl_irq_wait(c->p, g_msi_vec, 1000), 1);
    CU_ASSERT_EQUAL(sl_time_ns(), t + 100);
    CU_ASSERT_EQUAL(sl_irq_wait(c->p, g_msi_vec, 1000), 1);
    CU_ASSERT_EQUAL(sl_time_ns(), t + 150);
    CU_ASSERT_EQUAL(sl_irq_delivered(c->p, g_msi_vec), 2);
}
static void test_msi_in_flight(void) {
    ctx_t c;
    run(make("iommu.mode=bypass"), msi_in_flight_thread, &c);
}

static void test_msi_delivery(void) {
    ctx_t c;
    run(make("iommu.mode=bypass"), msi_thread, &c);
}

/* INTx: the line follows the device, masked by the command register's interrupt
 * disable bit; status bit 3 shows the device's request either way. */
static void intx_thread(void* arg) {
    ctx_t* c = arg;
    unsigned line = sl_pci_config_read(c->p, c->slot, 0x3c, 1);
    CU_ASSERT_EQUAL(line, SL_PCI_INTX_VECTOR_BASE + c->slot);
    CU_ASSERT_EQUAL(sl_pci_config_read(c->p, c->slot, 0x3d, 1), 1); /* INTA */
    sl_pci_set_intx(c->p, c->slot, 1);
    CU_ASSERT_EQUAL(sl_irq_level(c->p, line), 1);
    CU_ASSERT(sl_pci_config_read(c->p, c->slot, 0x06, 2) & 0x8);
    CU_ASSERT_EQUAL(sl_irq_wait(c->p, line, 100), 1);
    sl_pci_config_write(c->p, c->slot, CMD, 2, 1u << 10); /* interrupt disable */
    CU_ASSERT_EQUAL(sl_irq_level(c->p, line), 0);
    CU_ASSERT(sl_pci_config_read(c->p, c->slot, 0x06, 2) & 0x8);
    sl_pci_config_write(c->p, c->slot, CMD, 2, 0);
    CU_ASSERT_EQUAL(sl_irq_level(c->p, line), 1);
    sl_pci_set_intx(c->p, c->slot, 0);
    CU_ASSERT_EQUAL(sl_irq_level(c->p, line), 0);
    CU_ASSERT_EQUAL(sl_irq_delivered(c->p, line), 2); /* two rising edges of the line */
}
static void test_intx(void) {
    ctx_t c;
    run(make(NULL), intx_thread, &c);
}

/* Reserved registers read zero and ignore writes; read-only ids stay; the command
 * register keeps only its implemented bits; sub-word accesses work. */
static void test_config_space_fields(void) {
    sl_platform_t* p = make(NULL);
    unsigned s = (unsigned)sl_pci_scratch_slot(p);
    uint32_t id = sl_pci_config_read(p, s, 0, 4);
    CU_ASSERT_EQUAL(id & 0xffff, sl_pci_config_read(p, s, 0, 2));
    CU_ASSERT_EQUAL(id >> 16, sl_pci_config_read(p, s, 2, 2));
    sl_pci_config_write(p, s, 0, 4, 0x12345678);
    CU_ASSERT_EQUAL(sl_pci_config_read(p, s, 0, 4), id);
    const unsigned reserved[] = {0x18, 0x1c, 0x20, 0x24, 0x28, 0x30, 0x38, 0x40, 0x48, 0x60, 0x100, 0xffc};
    for (size_t i = 0; i < SL_COUNT(reserved); ++i) {
        sl_pci_config_write(p, s, reserved[i], 4, 0xffffffffu);
        CU_ASSERT_EQUAL(sl_pci_config_read(p, s, reserved[i], 4), 0);
    }
    sl_pci_config_write(p, s, CMD, 2, 0xffff);
    CU_ASSERT_EQUAL(sl_pci_config_read(p, s, CMD, 2), 0x0406); /* memory, bus master, INTx disable */
    sl_pci_config_write(p, s, 0x0c, 1, 0x10); /* cache line size is read-write */
    CU_ASSERT_EQUAL(sl_pci_config_read(p, s, 0x0c, 1), 0x10);
    CU_ASSERT_EQUAL(sl_pci_config_read(p, s, 0x0e, 1), 0); /* header type 0 */
    sl_pci_config_write(p, s, MSI + 4, 4, 0xfee00003u); /* low two bits of the MSI address are reserved */
    CU_ASSERT_EQUAL(sl_pci_config_read(p, s, MSI + 4, 4), 0xfee00000u);
    CU_ASSERT_EQUAL(sl_pci_config_read(p, s, 0x06, 2) & 0x10, 0x10); /* capability list */
    sl_platform_destroy(p);
}

static const sl_test_t tests[] = {
    SL_TEST(test_bar_probing), SL_TEST(test_mmio_routing), SL_TEST(test_bus_master_refusal),
    SL_TEST(test_msi_delivery), SL_TEST(test_msi_in_flight), SL_TEST(test_intx),         SL_TEST(test_config_space_fields),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "pci", tests, SL_COUNT(tests)); }
