// bench_cosim: co-simulation speed of the DMA engine RTL, one workload three ways.
//
//   1. limit     the bare Verilated model in a plain C++ loop, one evaluation per cycle, a
//                flat memory answering after the platform's default memory latency in
//                cycles (--limit-latency N: N for both; 0: zero latency), skipping the cycles in which
//                the engine only waits for it, as the bridge does (bench_cosim_limit.cpp):
//                the fastest this RTL runs at all on the same cycles;
//   2. naive     what Verilator's SystemC example leads to: a `verilator --sc` model on an
//                sc_clock, pins as sc_signals, an AXI slave SC_METHOD per clock issuing TLM
//                transactions to a memory with the platform's latencies, a testbench thread
//                on the clock (bench_cosim_naive.cpp, its own executable: one binary cannot
//                hold Verilator's runtime twice, for --cc and --sc). Run as a child process;
//                it prints one RESULT line that is read back here;
//   3. staleline the engine in PCI slot 0 of the full platform (PCI hops, IOMMU with IOTLB and
//                page walks, DRAM), bridged by bridge/ (skip while waiting, stop when idle,
//                temporal decoupling), driven through the C API from a simulated thread.
//
// Workload: COPY of --mib MiB in --desc KiB descriptors through a 256-entry ring (default
// 64 MiB in 4 KiB). Figures: simulated cycles and bytes moved per wall second; the ratios
// are of wall time for the same work (bytes per wall second). Then an idle-dominated run:
// 100 times one 4 KiB transfer followed by 10 ms of simulated idle.
//
// Each platform run is a child process (SystemC elaborates once per process).
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_cosim_workload.h"
#include "staleline/staleline.h"

#ifndef SL_NAIVE_BIN
#define SL_NAIVE_BIN "bench_cosim_naive"
#endif

namespace {

constexpr uint32_t kRing = 256, kChunk = 64;  // descriptors per interrupt; at most 3 chunks queued

std::vector<std::string> g_settings;  // --set key=value for the platform runs

sl_platform_t* make_platform(std::string* why) {
    sl_config_t* c = sl_config_new();
    for (const std::string& a : g_settings)
        if (sl_config_set_assignment(c, a.c_str())) {
            *why = sl_error();
            sl_config_free(c);
            return nullptr;
        }
    sl_platform_t* p = sl_platform_create(c);
    if (!p) *why = sl_error();
    sl_config_free(c);
    return p;
}

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------------- variant 3 (platform)

struct PlatformRun {
    CosimWorkload w;
    bool idle_mode = false;      // the idle-dominated run instead of the throughput run
    bool with_idle = true;       // idle mode: 10 ms waits between the transfers (false: none)
    sl_platform_t* p = nullptr;
    int slot = 0;
    uint16_t rid = 0;
    uint64_t bar = 0, ring_pa = 0, src_pa = 0, dst_pa = 0;
    unsigned vector = 0;
    CosimResult r;
    uint64_t evaluated = 0, waiting = 0, idle = 0, syncs = 0, evals = 0;
    bool fail = false;
    std::string why;
};

uint32_t rd(PlatformRun& s, uint32_t off) {
    uint32_t v = 0;
    if (sl_cpu_transport(s.p, 0, s.bar + off, &v, 4, 1) != SL_RESP_OK) s.fail = true;
    return v;
}
void wr(PlatformRun& s, uint32_t off, uint32_t v) {
    if (sl_cpu_transport(s.p, 1, s.bar + off, &v, 4, 1) != SL_RESP_OK) s.fail = true;
}

void put_desc(PlatformRun& s, uint64_t i, uint8_t flags) {
    uint8_t d[32] = {};
    uint64_t src = s.w.src + i * s.w.desc_bytes, dst = s.w.dst + i * s.w.desc_bytes;
    uint32_t len = s.w.desc_bytes;
    std::memcpy(d, &src, 8);
    std::memcpy(d + 8, &dst, 8);
    std::memcpy(d + 16, &len, 4);
    d[20] = DMAC_OP_COPY;
    d[21] = flags;
    sl_dram_write(s.p, s.ring_pa + 32 * (i % kRing), d, 32);
}

void setup(PlatformRun& s) {
    s.slot = sl_dma_engine_slot(s.p);
    s.rid = sl_pci_requester_id((unsigned)s.slot);
    s.bar = ((uint64_t)sl_pci_config_read(s.p, s.slot, 0x14, 4) << 32) | (sl_pci_config_read(s.p, s.slot, 0x10, 4) & ~0xFu);
    s.vector = SL_PCI_MSI_VECTOR_BASE + (unsigned)s.slot;
    sl_pci_config_write(s.p, s.slot, 0x04, 2, 0x6);  // memory space, bus master
    sl_pci_config_write(s.p, s.slot, 0x54, 4, 0xfee00000u);
    sl_pci_config_write(s.p, s.slot, 0x58, 4, 0);
    sl_pci_config_write(s.p, s.slot, 0x5C, 2, s.vector);
    sl_pci_config_write(s.p, s.slot, 0x52, 2, 1);
    // Buffers: contiguous RAM, mapped page-granular in the IOMMU at device addresses that
    // differ from the physical ones (so every access is really translated).
    uint64_t bytes = s.w.total_bytes, pages = bytes / 4096;
    uint64_t ring_pages[2];  // 256 descriptors of 32 bytes
    if (sl_phys_alloc(s.p, 2, 1, ring_pages)) s.fail = true;
    s.ring_pa = ring_pages[0];
    std::vector<uint64_t> tmp(pages);
    if (sl_phys_alloc(s.p, pages, 1, tmp.data())) s.fail = true;
    s.src_pa = tmp[0];
    if (sl_phys_alloc(s.p, pages, 1, tmp.data())) s.fail = true;
    s.dst_pa = tmp[0];
    s.w.ring = 0x10000000;
    s.w.src = 0x20000000;
    s.w.dst = s.w.src + bytes + (1 << 20);
    if (sl_iommu_map(s.p, s.rid, s.w.ring, s.ring_pa, 32 * kRing, SL_IOMMU_READ | SL_IOMMU_WRITE) ||
        sl_iommu_map(s.p, s.rid, s.w.src, s.src_pa, bytes, SL_IOMMU_READ) ||
        sl_iommu_map(s.p, s.rid, s.w.dst, s.dst_pa, bytes, SL_IOMMU_READ | SL_IOMMU_WRITE)) {
        s.fail = true;
        s.why = sl_error();
    }
    std::vector<uint64_t> buf(1 << 16);
    for (uint64_t off = 0; off < bytes; off += 8 * buf.size()) {
        size_t n = std::min<uint64_t>(buf.size(), (bytes - off) / 8);
        for (size_t i = 0; i < n; ++i) buf[i] = cosim_pattern(off + 8 * i);
        sl_dram_write(s.p, s.src_pa + off, buf.data(), 8 * n);
    }
    wr(s, DMAC_REG_RING_LO, (uint32_t)s.w.ring);
    wr(s, DMAC_REG_RING_HI, (uint32_t)(s.w.ring >> 32));
    wr(s, DMAC_REG_RING_SIZE, kRing);
    wr(s, DMAC_REG_CTRL, DMAC_CTRL_ENABLE | DMAC_CTRL_IE | DMAC_CTRL_MSI);
}

void throughput_thread(void* arg) {
    PlatformRun& s = *static_cast<PlatformRun*>(arg);
    setup(s);
    sl_dma_engine_stats_t a, b;
    sl_dma_engine_get_stats(s.p, &a);
    uint64_t t_sim0 = sl_time_ns();
    double t0 = now_s();
    uint64_t n = s.w.descriptors(), posted = 0, completed = 0;
    while (completed < n && !s.fail) {
        // Keep up to three chunks queued; the last descriptor of a chunk interrupts.
        while (posted < n && posted - completed + kChunk <= 3 * kChunk) {
            uint64_t k = std::min<uint64_t>(kChunk, n - posted);
            for (uint64_t i = 0; i < k; ++i, ++posted) put_desc(s, posted, i + 1 == k ? 1 : 0);
            wr(s, DMAC_REG_PRODUCER, (uint32_t)(posted % kRing));
        }
        if (!sl_irq_wait(s.p, s.vector, 1000000000ull)) {
            s.fail = true;
            s.why = "no interrupt within 1 s of simulated time";
            break;
        }
        wr(s, DMAC_REG_INT_STATUS, DMAC_INT_DONE);  // then look: completions after this raise a new message
        uint32_t c = rd(s, DMAC_REG_CONSUMER);
        completed += (c + kRing - (uint32_t)(completed % kRing)) % kRing;
    }
    double t1 = now_s();
    sl_dma_engine_get_stats(s.p, &b);
    s.r.seconds = t1 - t0;
    s.r.sim_seconds = (sl_time_ns() - t_sim0) * 1e-9;
    s.r.cycles = b.cycles - a.cycles;
    s.r.cycles_evaluated = b.cycles_evaluated - a.cycles_evaluated;
    s.r.bytes = s.w.total_bytes;
    s.evaluated = s.r.cycles_evaluated;
    s.waiting = b.cycles_waiting - a.cycles_waiting;
    s.idle = b.cycles_idle - a.cycles_idle;
    s.syncs = b.quantum_syncs - a.quantum_syncs;
    s.evals = b.evals - a.evals;
    uint32_t status = rd(s, DMAC_REG_STATUS);
    if ((status & 0x2) != 0) {
        char m[160];
        snprintf(m, sizeof m, "engine halted: STATUS 0x%08x, ERR_ADDR 0x%08x%08x", status, rd(s, DMAC_REG_ERR_HI), rd(s, DMAC_REG_ERR_LO));
        s.fail = true;
        s.why = m;
    }
    CosimWorkload phys = s.w;
    phys.dst = s.dst_pa;
    s.r.ok = !s.fail && cosim_check(phys, [&](uint64_t a2, void* d, size_t l) { sl_dram_read(s.p, a2, d, l); });
}

// 100 times: one descriptor, its interrupt, then (with_idle) 10 ms of nothing.
void idle_thread(void* arg) {
    PlatformRun& s = *static_cast<PlatformRun*>(arg);
    setup(s);
    uint64_t t_sim0 = sl_time_ns();
    double t0 = now_s();
    for (uint64_t i = 0; i < 100 && !s.fail; ++i) {
        put_desc(s, i, 1);
        wr(s, DMAC_REG_PRODUCER, (uint32_t)((i + 1) % kRing));
        if (!sl_irq_wait(s.p, s.vector, 1000000000ull)) s.fail = true;
        wr(s, DMAC_REG_INT_STATUS, DMAC_INT_DONE);
        if (s.with_idle) sl_wait_ns(10000000);
    }
    s.r.seconds = now_s() - t0;
    s.r.sim_seconds = (sl_time_ns() - t_sim0) * 1e-9;
    sl_dma_engine_stats_t b;
    sl_dma_engine_get_stats(s.p, &b);
    s.evaluated = b.cycles_evaluated;
    s.idle = b.cycles_idle;
    s.r.cycles = b.cycles;
    s.r.ok = !s.fail;
}

// Runs one platform scenario in a child process; the result comes back through a pipe.
struct ChildResult {
    CosimResult r;
    uint64_t evaluated, waiting, idle, syncs, evals;
    char why[200];
};

bool run_platform(PlatformRun& s, ChildResult& out) {
    int fd[2];
    if (pipe(fd)) return false;
    fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        std::string why;
        s.p = make_platform(&why);
        ChildResult cr{};
        if (!s.p) {
            snprintf(cr.why, sizeof cr.why, "%s", why.c_str());
        } else {
            sl_platform_spawn(s.p, "bench", s.idle_mode ? idle_thread : throughput_thread, &s);
            if (sl_platform_run(s.p, 0)) s.why = sl_error();
            cr.r = s.r;
            cr.evaluated = s.evaluated;
            cr.waiting = s.waiting;
            cr.idle = s.idle;
            cr.syncs = s.syncs;
            cr.evals = s.evals;
            snprintf(cr.why, sizeof cr.why, "%s", s.why.c_str());
            sl_platform_destroy(s.p);
        }
        ssize_t wn = write(fd[1], &cr, sizeof cr);
        _exit(wn == (ssize_t)sizeof cr ? 0 : 1);
    }
    close(fd[1]);
    ssize_t n = read(fd[0], &out, sizeof out);
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return n == (ssize_t)sizeof out && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

// ---------------------------------------------------------------- variant 2 (naive helper)

bool run_naive(const std::string& bin, const CosimWorkload& w, CosimResult& r) {
    std::string cmd = bin + " " + std::to_string(w.total_bytes) + " " + std::to_string(w.desc_bytes) + " 2>&1";
    fflush(nullptr);
    FILE* f = popen(cmd.c_str(), "r");
    if (!f) return false;
    char line[512];
    bool got = false;
    while (fgets(line, sizeof line, f)) {
        unsigned long long cyc = 0, ev = 0, bytes = 0;
        int ok = 0;
        double sec = 0, sim = 0;
        if (sscanf(line, "RESULT ok=%d cycles=%llu evaluated=%llu bytes=%llu seconds=%lf sim_seconds=%lf", &ok, &cyc,
                   &ev, &bytes, &sec, &sim) == 6) {
            r.ok = ok;
            r.cycles = cyc;
            r.cycles_evaluated = ev;
            r.bytes = bytes;
            r.seconds = sec;
            r.sim_seconds = sim;
            got = true;
        } else {
            fputs(line, stderr);
        }
    }
    int st = pclose(f);
    return got && st == 0;
}

void print(const char* name, const CosimResult& r) {
    printf("%-10s %s  %7.1f MiB  %11llu cycles (%11llu evaluated)  %7.3f s wall  %7.3f ms sim  %8.3f Mcycles/s  %8.2f MB/s\n",
           name, r.ok ? "ok  " : "FAIL", r.bytes / 1048576.0, (unsigned long long)r.cycles,
           (unsigned long long)r.cycles_evaluated, r.seconds, r.sim_seconds * 1e3, r.cycles / r.seconds / 1e6,
           r.bytes / r.seconds / 1e6);
}

// One variant in this process (no fork for the platform: a profiler sees it all).
int run_only(const std::string& which, const CosimWorkload& w, const CosimWorkload& wn, const std::string& naive_bin) {
    CosimResult r;
    if (which == "limit") {
        r = cosim_run_limit(cosim_flat_layout(w));
    } else if (which == "naive") {
        if (!run_naive(naive_bin, cosim_flat_layout(wn), r)) return 1;
    } else if (which == "staleline" || which == "idle") {
        PlatformRun s;
        s.w = w;
        if (which == "idle") {
            s.idle_mode = true;
            s.w.total_bytes = 100 * 4096;
            s.w.desc_bytes = 4096;
        }
        std::string why;
        s.p = make_platform(&why);
        if (!s.p) {
            fprintf(stderr, "bench_cosim: %s\n", why.c_str());
            return 2;
        }
        sl_platform_spawn(s.p, "bench", s.idle_mode ? idle_thread : throughput_thread, &s);
        if (sl_platform_run(s.p, 0)) return 1;
        r = s.r;
        printf("evaluated %llu, waiting %llu, idle %llu, quantum syncs %llu %s\n", (unsigned long long)s.evaluated,
               (unsigned long long)s.waiting, (unsigned long long)s.idle, (unsigned long long)s.syncs, s.why.c_str());
        sl_platform_destroy(s.p);
    } else {
        fprintf(stderr, "bench_cosim: --only limit|naive|staleline|idle\n");
        return 2;
    }
    print(which.c_str(), r);
    return r.ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    uint64_t mib = 64, naive_mib = 0, desc_kib = 4;
    long long limit_latency = -1;  // cycles; -1: the platform's default latency
    std::string naive_bin = SL_NAIVE_BIN, only;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&](const char* opt) -> const char* {
            if (i + 1 >= argc) {
                fprintf(stderr, "bench_cosim: %s needs a value\n", opt);
                exit(2);
            }
            return argv[++i];
        };
        if (a == "--mib") mib = strtoull(val("--mib"), nullptr, 10);
        else if (a == "--naive-mib") naive_mib = strtoull(val("--naive-mib"), nullptr, 10);
        else if (a == "--desc-kib") desc_kib = strtoull(val("--desc-kib"), nullptr, 10);
        else if (a == "--naive-bin") naive_bin = val("--naive-bin");
        else if (a == "--only") only = val("--only");
        else if (a == "--limit-latency") limit_latency = strtoll(val("--limit-latency"), nullptr, 10);
        else if (a == "--set") g_settings.push_back(val("--set"));
        else {
            fprintf(stderr,
                    "usage: bench_cosim [--mib N (64)] [--naive-mib N (= --mib)] [--desc-kib N (4)] [--naive-bin PATH]\n"
                    "                   [--only limit|naive|staleline|idle]   (one variant, for profiling; no ratios)\n"
                    "                   [--limit-latency CYCLES]   (the limit's memory latency; default: the platform's)\n"
                    "                   [--set key=value ...]   (configuration of the platform runs)\n");
            return 2;
        }
    }
    if (mib == 0 || desc_kib == 0 || desc_kib > 1024 || (mib << 10) % desc_kib) {
        fprintf(stderr, "bench_cosim: --mib must be a positive multiple of --desc-kib (1..1024 KiB)\n");
        return 2;
    }
    if (naive_mib == 0) naive_mib = mib;
    CosimWorkload w;
    w.total_bytes = mib << 20;
    w.desc_bytes = (uint32_t)(desc_kib << 10);
    {
        sl_config_t* c = sl_config_new();
        long long dram = 0, hop = 0, mhz = 0;
        sl_config_get_int(c, "dram.latency_ns", &dram);
        sl_config_get_int(c, "pci.hop_latency_ns", &hop);
        sl_config_get_int(c, "rtl.clock_mhz", &mhz);
        sl_config_free(c);
        cosim_platform_latency(w, dram, hop, mhz);
    }
    if (limit_latency > 1000000) {
        fprintf(stderr, "bench_cosim: --limit-latency must be 0..1000000 cycles\n");
        return 2;
    }
    if (limit_latency >= 0) w.mem_latency_cycles = w.write_latency_cycles = (uint32_t)limit_latency;
    CosimWorkload wn = w;
    wn.total_bytes = naive_mib << 20;

    printf("workload: COPY %llu MiB in %u-byte descriptors, 256-entry ring, interrupt every %u descriptors\n",
           (unsigned long long)mib, w.desc_bytes, kChunk);
    printf("limit: memory latency %u cycles per read, %u per write, one evaluation per cycle\n", w.mem_latency_cycles,
           w.write_latency_cycles);
    if (naive_mib != mib) printf("(naive variant: %llu MiB, same rate per byte expected)\n", (unsigned long long)naive_mib);

    if (!only.empty()) return run_only(only, w, wn, naive_bin);

    CosimResult limit = cosim_run_limit(cosim_flat_layout(w));
    print("limit", limit);

    CosimResult naive;
    bool naive_ok = run_naive(naive_bin, cosim_flat_layout(wn), naive);
    if (naive_ok) print("naive", naive);
    else printf("naive      FAIL: could not run %s\n", naive_bin.c_str());

    PlatformRun s;
    s.w = w;
    ChildResult cr{};
    bool plat_ok = run_platform(s, cr);
    CosimResult plat = cr.r;
    print("staleline", plat);
    if (!plat_ok || !plat.ok) printf("staleline  FAIL: %s\n", cr.why);
    printf("           staleline cycles: %llu evaluated (%llu model evals), %llu skipped while waiting for memory, %llu idle; "
           "%llu quantum syncs\n",
           (unsigned long long)cr.evaluated, (unsigned long long)cr.evals, (unsigned long long)cr.waiting,
           (unsigned long long)cr.idle, (unsigned long long)cr.syncs);

    // Idle-dominated: 100 x (one 4 KiB transfer + 10 ms idle), and the same without the idle.
    PlatformRun si;
    si.w = w;
    si.w.total_bytes = 100 * 4096;
    si.w.desc_bytes = 4096;
    si.idle_mode = true;
    ChildResult ci{}, cn{};
    bool idle_ok = run_platform(si, ci);
    si.with_idle = false;
    bool busy_ok = run_platform(si, cn);
    if (idle_ok && busy_ok && ci.r.ok && cn.r.ok) {
        printf("idle run:  100 x (4 KiB copy + 10 ms idle): %.3f s simulated in %.3f s wall; %llu of %llu cycles evaluated\n",
               ci.r.sim_seconds, ci.r.seconds, (unsigned long long)ci.evaluated, (unsigned long long)ci.r.cycles);
        printf("           the same without the idle: %.3f ms simulated in %.3f s wall: the %.3f s of idle cost %+.1f ms wall "
               "(%+.1f us per 10 ms)\n",
               cn.r.sim_seconds * 1e3, cn.r.seconds, ci.r.sim_seconds - cn.r.sim_seconds, (ci.r.seconds - cn.r.seconds) * 1e3,
               (ci.r.seconds - cn.r.seconds) * 1e6 / 100);
    } else {
        printf("idle run:  FAIL\n");
    }

    auto bps = [](const CosimResult& r) { return r.bytes / r.seconds; };
    auto cps = [](const CosimResult& r) { return r.cycles / r.seconds; };
    double vs_limit = bps(plat) / bps(limit);
    double vs_naive = naive_ok ? bps(plat) / bps(naive) : 0;
    printf("simulated cycles per wall second: staleline/limit %.3f, staleline/naive %.2f\n", cps(plat) / cps(limit),
           naive_ok ? cps(plat) / cps(naive) : 0.0);
    printf("bytes moved per wall second (the same work): staleline/limit %.3f, staleline/naive %.2f\n", vs_limit, vs_naive);
    printf("ratio_vs_limit %.3f\n", vs_limit);
    printf("ratio_vs_naive %.2f\n", vs_naive);
    bool ok = limit.ok && naive_ok && naive.ok && plat_ok && plat.ok && idle_ok && busy_ok;
    return ok ? 0 : 1;
}
