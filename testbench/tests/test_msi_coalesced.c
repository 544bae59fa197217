/* MSIs that arrive while nobody waits are one interrupt: a Zircon interrupt object is
 * triggered or not, it counts nothing, so the next wait returns once for all of them. (Taken
 * one per wait, they piled up in the interrupt controller whenever a driver handled several
 * events per wake: about 0.6 per frame of an ethmac-loopback run with the lnic driver, which
 * woke at once for each on every later wait.) Edges still on their way are not taken early. */
#include "sl_test.h"
#include "staleline/staleline.h"

#define CMD 0x04
#define MSI 0x50
#define MSI_ADDR 0xfee00000u

typedef struct {
    sl_platform_t* p;
    unsigned slot;
} ctx_t;

static void run(void (*fn)(void*)) {
    sl_config_t* cfg = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(cfg, "pci.scratch_device", "true"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(cfg, "pci.hop_latency_ns", "100"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(cfg, "iommu.mode", "bypass"), 0);
    ctx_t c = {sl_platform_create(cfg), 0};
    sl_config_free(cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c.p);
    c.slot = (unsigned)sl_pci_scratch_slot(c.p);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(c.p, "test", fn, &c), 0);
    CU_ASSERT_EQUAL(sl_platform_run(c.p, 0), 0);
    sl_platform_destroy(c.p);
}

/* MSI on vector vec, bus mastering on. */
static void enable_msi(const ctx_t* c, unsigned vec) {
    sl_pci_config_write(c->p, c->slot, MSI + 4, 4, MSI_ADDR);
    sl_pci_config_write(c->p, c->slot, MSI + 8, 4, 0);
    sl_pci_config_write(c->p, c->slot, MSI + 12, 2, vec);
    sl_pci_config_write(c->p, c->slot, MSI + 2, 2, 1);
    sl_pci_config_write(c->p, c->slot, CMD, 2, 0x6);
}

static void send_msi(const ctx_t* c, unsigned vec) {
    uint32_t data = vec;
    CU_ASSERT_EQUAL(sl_scratch_dma(c->p, 1, MSI_ADDR, &data, 4), SL_RESP_OK);
}

/* Three MSIs arrived before the wait: one wake, then nothing left. */
static void three_arrived_thread(void* arg) {
    const ctx_t* c = arg;
    const unsigned vec = SL_PCI_MSI_VECTOR_BASE + 5;
    enable_msi(c, vec);
    for (int i = 0; i < 3; ++i) send_msi(c, vec);
    sl_wait_ns(1000); /* all three have arrived */
    CU_ASSERT_EQUAL(sl_irq_delivered(c->p, vec), 3);
    const uint64_t t = sl_time_ns();
    CU_ASSERT_EQUAL(sl_irq_wait(c->p, vec, 1000), 1);
    CU_ASSERT_EQUAL(sl_time_ns(), t); /* at once */
    CU_ASSERT_EQUAL(sl_irq_wait(c->p, vec, 1000), 0); /* the other two went with it */
    CU_ASSERT_EQUAL(sl_time_ns(), t + 1000);
    /* The next MSI is a new interrupt. */
    send_msi(c, vec);
    CU_ASSERT_EQUAL(sl_irq_wait(c->p, vec, 1000), 1);
    CU_ASSERT_EQUAL(sl_irq_wait(c->p, vec, 1000), 0);
    CU_ASSERT_EQUAL(sl_irq_delivered(c->p, vec), 4);
}
static void test_msis_arrived_are_one_wake(void) { run(three_arrived_thread); }

static const sl_test_t tests[] = {
    SL_TEST(test_msis_arrived_are_one_wake),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "msi_coalesced", tests, SL_COUNT(tests)); }
