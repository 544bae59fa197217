// bench_run: the speed and memory of a whole `staleline run` (driver, shim, checker, cache,
// IOMMU, RTL) against the bare Verilated loop moving the same bytes.
//
// For each workload (copy, stream) and size (1x, 16x, 64x the base number of operations) it
// runs `staleline run` as a child process (wall time, peak RSS from wait4, the bytes moved and
// the model's evaluations from --json), then in this process the bare loop of bench_cosim
// (bench_cosim_limit.cpp: the engine in a plain C++ loop, one evaluation per cycle, cycles in
// which the engine only waits for memory skipped as the bridge skips them) copying the same
// bytes in 4 KiB descriptors with the same memory latency in cycles
// (cosim_platform_latency: a read crosses the PCI hop both ways and DRAM once, a posted
// write the hop once). Prints per row wall time per MiB of both, peak RSS, and
//   ratio_vs_bare_<workload>_<size> X    full-run throughput / bare-loop throughput
//   infra_share_<workload>_<size> X      share of the run's wall time outside the model's eval
// The infrastructure's share is an estimate: the run's eval() calls at the bare loop's cost
// per eval() (which includes the bare loop's own trivial memory, so the share printed is a
// lower bound). The full run's wall time includes process start-up and elaboration; the
// marginal cost per MiB (between the smallest and the largest size) is printed as well.
//
// Options: --sizes 1,16,64  --workloads copy,stream  --staleline PATH  --seed N
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "bench_cosim_workload.h"
#include "staleline/config.h"

#ifndef SL_STALELINE_BIN
#define SL_STALELINE_BIN "staleline"
#endif

namespace {

struct Workload {
    std::string name;
    unsigned base_transfers;           // operations at size 1x
    std::vector<std::string> settings;  // extra --set key=value
};

// copy at its defaults (24 copies, about 1.1 MiB); stream in 64 KiB chunks (24 chunks,
// 1.5 MiB at 1x) so that 64x stays a run of about a minute.
const Workload kWorkloads[] = {
    {"copy", 24, {}},
    {"stream", 24, {"workload.max_size=64k"}},
};

struct RunResult {
    bool ok = false;
    double seconds = 0;
    long maxrss_kib = 0;
    uint64_t bytes = 0, evals = 0;
    std::string why;
};

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

json_t* path(json_t* j, std::initializer_list<const char*> keys) {
    for (const char* k : keys) j = j ? json_object_get(j, k) : nullptr;
    return j;
}

RunResult run_staleline(const std::string& bin, const Workload& w, unsigned transfers, const std::string& seed) {
    RunResult r;
    char json[128];
    snprintf(json, sizeof json, "/tmp/bench_run_%d.json", (int)getpid());
    unlink(json);
    std::vector<std::string> args = {bin, "run", "--workload", w.name, "--seed", seed,
                                     "--set", "workload.transfers=" + std::to_string(transfers)};
    for (const std::string& s : w.settings) {
        args.push_back("--set");
        args.push_back(s);
    }
    args.push_back("--json");
    args.push_back(json);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        r.why = "fork failed";
        return r;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) {
        r.why = "wait4 failed";
        return r;
    }
    r.seconds = now_s() - t0;
    r.maxrss_kib = ru.ru_maxrss;
    json_t* j = json_load_file(json, 0, nullptr);
    unlink(json);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !j) {
        r.why = "staleline run exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        if (j) json_decref(j);
        return r;
    }
    r.bytes = (uint64_t)json_integer_value(path(j, {"stats", "dma", "bytes"}));
    r.evals = (uint64_t)json_integer_value(path(j, {"stats", "dma_engine", "evals"}));
    r.ok = json_is_true(json_object_get(j, "data_ok")) && r.bytes > 0;
    if (!r.ok) r.why = "the run's data was not verified";
    json_decref(j);
    return r;
}

long long config_int(const char* key) {
    sl_config_t* c = sl_config_new();
    long long v = 0;
    if (!c || sl_config_get_int(c, key, &v) != 0) {
        fprintf(stderr, "bench_run: cannot read %s\n", key);
        exit(2);
    }
    sl_config_free(c);
    return v;
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::string bin = SL_STALELINE_BIN, seed = "1";
    std::vector<unsigned> sizes = {1, 16, 64};
    std::vector<std::string> workloads = {"copy", "stream"};
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 >= argc) {
            fprintf(stderr, "usage: bench_run [--sizes 1,16,64] [--workloads copy,stream] [--staleline PATH] [--seed N]\n");
            return 2;
        }
        std::string v = argv[++i];
        if (a == "--staleline") bin = v;
        else if (a == "--seed") seed = v;
        else if (a == "--workloads") workloads = split(v);
        else if (a == "--sizes") {
            sizes.clear();
            for (const std::string& s : split(v)) {
                char* end = nullptr;
                unsigned long n = strtoul(s.c_str(), &end, 10);
                if (!end || *end || n == 0 || n > 100000) {
                    fprintf(stderr, "bench_run: bad size '%s'\n", s.c_str());
                    return 2;
                }
                sizes.push_back((unsigned)n);
            }
        } else {
            fprintf(stderr, "bench_run: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    const long long dram_ns = config_int("dram.latency_ns"), hop_ns = config_int("pci.hop_latency_ns"),
                    mhz = config_int("rtl.clock_mhz");
    CosimWorkload lat;
    cosim_platform_latency(lat, dram_ns, hop_ns, mhz);
    printf("bench_run: staleline %s, seed %s; bare loop memory latency %u cycles per read, %u per write "
           "(%lld ns DRAM, %lld ns per PCI hop, %lld MHz)\n",
           bin.c_str(), seed.c_str(), lat.mem_latency_cycles, lat.write_latency_cycles, dram_ns, hop_ns, mhz);
    printf("%-8s %5s %9s %9s %10s %10s %9s %7s %8s %8s %9s\n", "workload", "size", "MiB", "run s", "run ms/MiB",
           "bare ms/MiB", "ratio", "infra", "evals", "bare", "peak MiB");
    int failures = 0;
    for (const std::string& name : workloads) {
        const Workload* w = nullptr;
        for (const Workload& k : kWorkloads)
            if (k.name == name) w = &k;
        if (!w) {
            fprintf(stderr, "bench_run: unknown workload %s (copy, stream)\n", name.c_str());
            return 2;
        }
        double first_mib = 0, first_s = 0, last_mib = 0, last_s = 0;
        for (size_t si = 0; si < sizes.size(); ++si) {
            const unsigned size = sizes[si];
            RunResult r = run_staleline(bin, *w, w->base_transfers * size, seed);
            if (!r.ok) {
                printf("%-8s %4ux FAILED: %s\n", name.c_str(), size, r.why.c_str());
                ++failures;
                continue;
            }
            CosimWorkload cw;
            cw.desc_bytes = 4096;
            cw.total_bytes = (r.bytes + cw.desc_bytes - 1) / cw.desc_bytes * cw.desc_bytes;
            cw.mem_latency_cycles = lat.mem_latency_cycles;
            cw.write_latency_cycles = lat.write_latency_cycles;
            cw = cosim_flat_layout(cw);
            CosimResult b = cosim_run_limit(cw);
            if (!b.ok) {
                printf("%-8s %4ux FAILED: the bare loop's destination is wrong\n", name.c_str(), size);
                ++failures;
                continue;
            }
            const double mib = (double)r.bytes / (1 << 20), bare_mib = (double)b.bytes / (1 << 20);
            const double run_ms = r.seconds * 1e3 / mib, bare_ms = b.seconds * 1e3 / bare_mib;
            const double ratio = bare_ms / run_ms;  // throughputs: (MiB/run s) / (MiB/bare s)
            const double eval_s = b.evals ? b.seconds / (double)b.evals : 0;
            const double infra = 1.0 - std::min(1.0, (double)r.evals * eval_s / r.seconds);
            printf("%-8s %4ux %9.2f %9.2f %10.1f %10.1f %9.3f %7.3f %7.2fM %7.2fM %9.1f\n", name.c_str(), size, mib,
                   r.seconds, run_ms, bare_ms, ratio, infra, (double)r.evals / 1e6, (double)b.evals / 1e6,
                   r.maxrss_kib / 1024.0);
            printf("ratio_vs_bare_%s_%ux %.3f\n", name.c_str(), size, ratio);
            printf("infra_share_%s_%ux %.3f\n", name.c_str(), size, infra);
            printf("peak_rss_mib_%s_%ux %.1f\n", name.c_str(), size, r.maxrss_kib / 1024.0);
            if (si == 0) {
                first_mib = mib;
                first_s = r.seconds;
            }
            last_mib = mib;
            last_s = r.seconds;
        }
        if (last_mib > first_mib)
            printf("marginal_ms_per_mib_%s %.1f\n", name.c_str(), (last_s - first_s) * 1e3 / (last_mib - first_mib));
    }
    fflush(stdout);
    return failures ? 1 : 0;
}
