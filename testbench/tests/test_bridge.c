/* The TLM <-> RTL bridges of the DMA engine (bridge/), inside a platform: the AXI4-Lite
 * target bridge (access sizes, strobes, posted writes, errors, timing), the AXI4 initiator
 * bridge (narrow MSI writes, error mapping), the clock loop (quantum, registers while busy,
 * soft reset, determinism) and waveforms. Data movement end to end is in test_dma_e2e.c. */
#define _GNU_SOURCE
#include <sys/wait.h>
#include <unistd.h>

#include "dma_fixture.h"

#define MS 1000000ull

/* ---- AXI4-Lite target: sizes, strobes, alignment, window ---- */

static void sizes_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    uint64_t q = 0;
    CU_ASSERT_EQUAL(sl_cpu_transport(f->p, 0, f->bar + DMAC_REG_ID, &q, 8, 1), SL_RESP_OK);   /* two words, low first */
    CU_ASSERT_EQUAL(q, 0x444D4131ull | (0x00010100ull << 32));   /* ID, VERSION 1.1.0 */
    uint8_t b = 0;
    CU_ASSERT_EQUAL(sl_cpu_transport(f->p, 0, f->bar + DMAC_REG_ID + 3, &b, 1, 1), SL_RESP_OK);
    CU_ASSERT_EQUAL(b, 0x44);                                   /* 'D' of "DMA1" */
    uint16_t h = 0;
    CU_ASSERT_EQUAL(sl_cpu_transport(f->p, 0, f->bar + DMAC_REG_VERSION + 2, &h, 2, 1), SL_RESP_OK);
    CU_ASSERT_EQUAL(h, 0x0001);
    /* sub-word writes become strobes: only the bytes written change */
    fx_wr(f, DMAC_REG_RING_SIZE, 0x11223344u);
    b = 0xAB;
    CU_ASSERT_EQUAL(sl_cpu_transport(f->p, 1, f->bar + DMAC_REG_RING_SIZE + 1, &b, 1, 1), SL_RESP_OK);
    h = 0xCDEF;
    CU_ASSERT_EQUAL(sl_cpu_transport(f->p, 1, f->bar + DMAC_REG_RING_SIZE + 2, &h, 2, 1), SL_RESP_OK);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_RING_SIZE), 0xCDEFAB44u);
    /* an 8-byte write fills both halves of the ring base */
    q = 0x0000123456789AE0ull;
    CU_ASSERT_EQUAL(sl_cpu_transport(f->p, 1, f->bar + DMAC_REG_RING_LO, &q, 8, 1), SL_RESP_OK);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_RING_LO), 0x56789AE0u);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_RING_HI), 0x1234u);
    /* unknown offsets read 0 (the RTL answers OKAY) */
    CU_ASSERT_EQUAL(fx_rd(f, 0x800), 0u);
    /* what the slave cannot take is refused before the pins */
    uint32_t v = 0;
    CU_ASSERT_EQUAL(sl_cpu_transport(f->p, 0, f->bar + 2, &v, 4, 1), SL_RESP_OTHER_ERROR);   /* misaligned */
    uint8_t three[3] = {0};
    CU_ASSERT_EQUAL(sl_cpu_transport(f->p, 1, f->bar + 0x10, three, 3, 1), SL_RESP_OTHER_ERROR);
    CU_ASSERT_EQUAL(sl_cpu_transport(f->p, 0, f->bar + 4096, &v, 4, 1), SL_RESP_ADDRESS_ERROR); /* past BAR0 */
    sl_dma_engine_stats_t st;
    sl_dma_engine_get_stats(f->p, &st);
    CU_ASSERT_EQUAL(st.reg_reads, 2 + 1 + 1 + 1 + 2 + 1);
    CU_ASSERT_EQUAL(st.reg_writes, 1 + 1 + 1 + 2);
}
static void test_lite_sizes_and_strobes(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), sizes_thread, &f);
}

/* ---- AXI4-Lite timing: a read is a round trip plus the RTL's cycles, a write is posted ---- */

static void timing_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_ID), 0x444D4131u);
    uint64_t rd = sl_time_ns() - t0;
    /* two 150 ns hops (charged on the way in), then AR at the next 4 ns clock edge and R at
     * the one after */
    CU_ASSERT(rd >= 300 + 4);
    CU_ASSERT(rd <= 300 + 8);
    t0 = sl_time_ns();
    fx_wr(f, DMAC_REG_INT_MASK, 3);
    CU_ASSERT_EQUAL(sl_time_ns() - t0, 150);                      /* posted: one hop, no wait */
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_INT_MASK), 3u);                    /* and a read sees it */
    /* after a long idle the clock has moved on: the access is still a round trip */
    sl_wait_ns(5 * MS);
    t0 = sl_time_ns();
    fx_rd(f, DMAC_REG_STATUS);
    CU_ASSERT(sl_time_ns() - t0 <= 300 + 8);
}
static void test_lite_timing(void) {
    dma_fx_t f;
    static const char* const a[] = {"pci.hop_latency_ns=150", "rtl.clock_mhz=250", NULL};
    fx_run(fx_platform(a), timing_thread, &f);
}

/* ---- the MSI is a narrow write: upper word of the bus, WSTRB 0xF0, still one message ---- */

static void msi_upper_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    sl_pci_config_write(f->p, f->slot, CFG_MSI + 4, 4, (uint32_t)FX_MSI_ADDR + 4);
    sl_pci_config_write(f->p, f->slot, CFG_MSI + 12, 2, 99);
    fx_ring(f, 4, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    uint64_t buf = fx_buffer(f, 1, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    fx_desc(f, 0, 0x77, buf, 64, DMAC_OP_FILL, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL_FATAL(fx_wait_irq(f, 99, 10 * MS), 1);
    CU_ASSERT_EQUAL(sl_irq_delivered(f->p, 99), 1);
    CU_ASSERT_EQUAL(sl_irq_delivered(f->p, f->msi_vector), 0);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_STATUS) & DMAC_STATUS_MSI_ERR, 0u);
}
static void test_msi_narrow_write(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), msi_upper_thread, &f);
}

/* ---- a refused MSI write comes back as SLVERR: STATUS.MSI_ERR, no message ---- */

static void msi_refused_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 4, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    uint64_t buf = fx_buffer(f, 1, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    fx_desc(f, 0, 0x77, buf, 64, DMAC_OP_FILL, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    while (fx_rd(f, DMAC_REG_CONSUMER) != 1) sl_wait_ns(1000);
    /* bus mastering off, then an unmask makes the engine send a (refused) message */
    fx_wr(f, DMAC_REG_INT_MASK, 1);
    fx_wr(f, DMAC_REG_INT_STATUS, 1);
    fx_desc(f, 1, 0x77, buf, 64, DMAC_OP_FILL, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 2);
    while (fx_rd(f, DMAC_REG_CONSUMER) != 2) sl_wait_ns(1000);
    sl_pci_config_write(f->p, f->slot, CFG_CMD, 2, CMD_MEM);
    fx_wr(f, DMAC_REG_INT_MASK, 0);
    sl_wait_ns(10000);
    CU_ASSERT(fx_rd(f, DMAC_REG_STATUS) & DMAC_STATUS_MSI_ERR);
    CU_ASSERT_EQUAL(sl_irq_delivered(f->p, f->msi_vector), 1);   /* only the first one */
    CU_ASSERT_EQUAL(sl_pci_master_abort_count(f->p), 1);
    sl_pci_master_abort_t ab;
    sl_pci_get_master_abort(f->p, 0, &ab);
    CU_ASSERT_EQUAL(ab.address, FX_MSI_ADDR);
    CU_ASSERT_EQUAL(ab.is_write, 1);
    sl_dma_engine_stats_t st;
    sl_dma_engine_get_stats(f->p, &st);
    CU_ASSERT_EQUAL(st.msi_writes, 2);
    CU_ASSERT_EQUAL(st.error_responses, 1);
}
static void test_msi_refused_is_slverr(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), msi_refused_thread, &f);
}

/* ---- registers while the engine is busy; soft reset in the middle of a transfer ---- */

static void busy_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    enum { N = 64 * 1024 };
    uint64_t src = fx_buffer(f, N / 4096, SL_IOMMU_READ, 0), dst = fx_buffer(f, N / 4096, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    static uint8_t data[N];
    fx_random(data, N, 3);
    fx_dev_write(f, src, data, N);
    fx_desc(f, 0, src, dst, N, DMAC_OP_COPY, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    /* polling while it runs: busy until it is not, each poll a bounded round trip */
    unsigned polls = 0, busy = 0;
    uint64_t worst = 0;
    for (;;) {
        uint64_t t0 = sl_time_ns();
        uint32_t st = fx_rd(f, DMAC_REG_STATUS);
        uint64_t dt = sl_time_ns() - t0;
        if (dt > worst) worst = dt;
        ++polls;
        if (!(st & DMAC_STATUS_BUSY)) break;
        ++busy;
        CU_ASSERT_FATAL(polls < 100000);
    }
    CU_ASSERT(busy > 3);
    /* a read waits for the RTL's answer; the RTL runs at most one quantum ahead */
    CU_ASSERT(worst <= 300 + 1000 + 16);
    CU_ASSERT_EQUAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    CU_ASSERT_EQUAL(fx_desc_status(f, 0), 1u);
    CU_ASSERT_EQUAL(fx_desc_crc(f, 0), fx_crc32(data, N));

    /* soft reset 20 us into a second copy: drains, registers back to reset values */
    fx_desc(f, 1, src, dst, N, DMAC_OP_COPY, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_INT_STATUS, 1);
    fx_wr(f, DMAC_REG_PRODUCER, 2);
    sl_wait_ns(20000);
    CU_ASSERT(fx_rd(f, DMAC_REG_STATUS) & DMAC_STATUS_BUSY);
    fx_wr(f, DMAC_REG_CTRL, DMAC_CTRL_SRST);
    int n = 0;
    while ((fx_rd(f, DMAC_REG_CTRL) & DMAC_CTRL_SRST) && n < 1000) ++n;
    CU_ASSERT(n < 1000);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_STATUS), DMAC_STATUS_IDLE);
    CU_ASSERT_EQUAL(fx_rd(f, DMAC_REG_RING_SIZE), 0u);
    CU_ASSERT_EQUAL(fx_desc_status(f, 1), FX_SENTINEL);
    sl_dma_engine_stats_t a, b;
    sl_dma_engine_get_stats(f->p, &a);
    sl_wait_ns(100000);
    sl_dma_engine_get_stats(f->p, &b);
    CU_ASSERT_EQUAL(b.read_bursts, a.read_bursts);              /* nothing moves after the reset */
    CU_ASSERT_EQUAL(b.write_bursts, a.write_bursts);
    CU_ASSERT_EQUAL(b.cycles_evaluated, a.cycles_evaluated);     /* and the clock stopped */
    /* usable again */
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    fx_desc(f, 0, src + 1, dst + 2, 1000, DMAC_OP_COPY, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    CU_ASSERT_EQUAL(fx_desc_status(f, 0), 1u);
    CU_ASSERT_EQUAL(fx_desc_crc(f, 0), fx_crc32(data + 1, 1000));
}
static void test_registers_while_busy_and_soft_reset(void) {
    dma_fx_t f;
    fx_run(fx_platform(NULL), busy_thread, &f);
}

/* ---- quantum and determinism: results never depend on the quantum; same run, same numbers ---- */

typedef struct {
    uint32_t crc, status;
    uint64_t end_ns;
    sl_dma_engine_stats_t st;
} scenario_out_t;

static scenario_out_t scen_out;
static void scenario_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 8, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    enum { N = 20000 };
    static uint8_t data[N];
    fx_random(data, N, 9);
    uint64_t src = fx_buffer(f, 6, SL_IOMMU_READ, 0), dst = fx_buffer(f, 6, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    fx_dev_write(f, src + 3, data, N);
    fx_desc(f, 0, src + 3, dst + 5, N, DMAC_OP_COPY, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    scen_out.crc = fx_desc_crc(f, 0);
    scen_out.status = fx_desc_status(f, 0);
    scen_out.end_ns = sl_time_ns();
    sl_dma_engine_get_stats(f->p, &scen_out.st);
    CU_ASSERT_EQUAL(scen_out.crc, fx_crc32(data, N));
}

/* Runs the scenario in a child process (one platform per process) and returns its output.
 * vcd: NULL, or a waveform file to write during the run. */
static scenario_out_t run_scenario(const char* quantum, const char* vcd) {
    int fd[2];
    scenario_out_t out;
    memset(&out, 0, sizeof out);
    CU_ASSERT_FATAL(pipe(fd) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        const char* a[] = {quantum, NULL};
        dma_fx_t f;
        sl_platform_t* p = fx_platform(a);
        if (vcd) CU_ASSERT_EQUAL(sl_dma_engine_vcd(p, vcd), 0);
        fx_run(p, scenario_thread, &f);
        ssize_t w = write(fd[1], &scen_out, sizeof scen_out);
        _exit(w == (ssize_t)sizeof scen_out && CU_get_number_of_failures() == 0 ? 0 : 1);
    }
    close(fd[1]);
    ssize_t r = read(fd[0], &out, sizeof out);
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    CU_ASSERT_EQUAL(r, (ssize_t)sizeof out);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return out;
}

static void test_quantum_and_determinism(void) {
    char vcd[64];
    snprintf(vcd, sizeof vcd, "/tmp/sl_bridge_det_%d.vcd", (int)getpid());
    scenario_out_t a = run_scenario("sim.quantum_ns=1000", NULL);
    scenario_out_t b = run_scenario("sim.quantum_ns=1000", NULL);
    scenario_out_t c = run_scenario("sim.quantum_ns=50", NULL);
    scenario_out_t d = run_scenario("sim.quantum_ns=100000", NULL);
    scenario_out_t e = run_scenario("sim.quantum_ns=1000", vcd);  /* evaluates both clock phases */
    unlink(vcd);
    /* same config: identical in every figure */
    CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
    /* writing a waveform changes nothing the model does; it evaluates both clock phases */
    CU_ASSERT_EQUAL(e.st.evals, 2 * e.st.cycles_evaluated);
    CU_ASSERT(a.st.evals == a.st.cycles_evaluated || a.st.evals == 2 * a.st.cycles_evaluated);
    e.st.evals = a.st.evals;
    CU_ASSERT_EQUAL(memcmp(&a, &e, sizeof a), 0);
    /* other quanta: same data, same status; the RTL saw the same cycles */
    CU_ASSERT_EQUAL(a.status, 1u);
    CU_ASSERT_EQUAL(c.crc, a.crc);
    CU_ASSERT_EQUAL(d.crc, a.crc);
    CU_ASSERT_EQUAL(c.status, 1u);
    CU_ASSERT_EQUAL(d.status, 1u);
    CU_ASSERT_EQUAL(c.st.read_bursts, a.st.read_bursts);
    CU_ASSERT_EQUAL(d.st.write_bursts, a.st.write_bursts);
    /* a smaller quantum means more synchronisation, never fewer */
    CU_ASSERT(c.st.quantum_syncs > a.st.quantum_syncs);
    CU_ASSERT(a.st.quantum_syncs >= d.st.quantum_syncs);
}

/* ---- waveforms ---- */

static char vcd_path[64];
static void vcd_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    fx_ring(f, 4, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
    uint64_t buf = fx_buffer(f, 1, SL_IOMMU_READ | SL_IOMMU_WRITE, 0);
    fx_desc(f, 0, 0x42, buf, 256, DMAC_OP_FILL, DMAC_DESC_IRQ);
    fx_wr(f, DMAC_REG_PRODUCER, 1);
    CU_ASSERT_EQUAL(fx_wait_irq(f, f->msi_vector, 10 * MS), 1);
    sl_wait_ns(MS);  /* idle: no samples, no cost */
    CU_ASSERT_EQUAL(sl_dma_engine_vcd_stop(f->p), 0);
}
static void test_vcd(void) {
    snprintf(vcd_path, sizeof vcd_path, "/tmp/sl_bridge_%d.vcd", (int)getpid());
    sl_platform_t* p = fx_platform(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(sl_dma_engine_vcd(p, "/nonexistent-dir/x.vcd"), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "/nonexistent-dir/x.vcd"));
    CU_ASSERT_EQUAL(sl_dma_engine_vcd(p, ""), -1);
    CU_ASSERT_EQUAL(sl_dma_engine_vcd(p, vcd_path), 0);
    dma_fx_t f;
    memset(&f, 0, sizeof f);
    f.p = p;
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(p, "test", vcd_thread, &f), 0);
    CU_ASSERT_EQUAL(sl_platform_run(p, 0), 0);
    sl_dma_engine_stats_t st;
    sl_dma_engine_get_stats(p, &st);
    sl_platform_destroy(p);

    FILE* fp = fopen(vcd_path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    static char buf[8 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = 0;
    fclose(fp);
    unlink(vcd_path);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "$enddefinitions"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "$timescale"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "1ps"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "m_axi_awvalid"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "s_axil_wdata"));
    /* two samples per evaluated cycle, at the half period and the edge (250 MHz: 2000 ps) */
    unsigned stamps = 0, off_grid = 0;
    unsigned long long last = 0;
    for (char* s = strstr(buf, "\n#"); s; s = strstr(s + 1, "\n#")) {
        unsigned long long t = strtoull(s + 2, NULL, 10);
        ++stamps;
        off_grid += t % 2000 != 0;
        last = t;
    }
    CU_ASSERT(stamps > 100);
    CU_ASSERT(stamps <= 2 * st.cycles_evaluated + 1);
    CU_ASSERT_EQUAL(off_grid, 0);
    CU_ASSERT(last <= st.cycles * 4000ull);
}

/* ---- a run that ends with register writes still queued releases them ---- */

static void unfinished_thread(void* arg) {
    dma_fx_t* f = arg;
    fx_init(f);
    sl_wait_ns(500);           /* the engine is idle and its clock asleep */
    fx_wr(f, DMAC_REG_INT_MASK, 1);   /* posted at 500 ns, due after one hop: the run ends before */
}
static void test_unfinished_run(void) {
    sl_platform_t* p = fx_platform(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    dma_fx_t f;
    memset(&f, 0, sizeof f);
    f.p = p;
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(p, "test", unfinished_thread, &f), 0);
    CU_ASSERT_EQUAL(sl_platform_run(p, 600), 0);   /* the write is due at 650 ns */
    sl_dma_engine_stats_t st;
    sl_dma_engine_get_stats(p, &st);
    CU_ASSERT_EQUAL(st.reg_writes, 0);
    sl_platform_destroy(p);                         /* releases it (ASan: no use after free) */
}

static const sl_test_t tests[] = {
    SL_TEST(test_lite_sizes_and_strobes),
    SL_TEST(test_lite_timing),
    SL_TEST(test_msi_narrow_write),
    SL_TEST(test_msi_refused_is_slverr),
    SL_TEST(test_registers_while_busy_and_soft_reset),
    SL_TEST(test_quantum_and_determinism),
    SL_TEST(test_vcd),
    SL_TEST(test_unfinished_run),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "bridge", tests, SL_COUNT(tests)); }
