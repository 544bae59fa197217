// bench_timeline: what the timeline and the latency breakdown cost. The same `staleline run`
// in four modes, run alternately: nothing listening to the trace channel
// (--no-latency-breakdown: models publish nothing), the default run (the latency breakdown
// listens), --timeline FILE (every category), and --timeline with the driver and findings
// tracks only. Prints the median and fastest wall time of each, their ratio to the first,
// peak RSS and the timeline's size. Options: --runs N, --workload W, --transfers N,
// --max-size S, --staleline PATH.
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Mode {
    const char* name;
    std::vector<std::string> extra;
    std::vector<double> seconds;
    long maxrss_kib = 0;
    long long file_bytes = -1;
};

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// One run; false when it did not exit 0.
bool run(const std::string& bin, const std::vector<std::string>& base, Mode& m) {
    std::vector<std::string> args = {bin, "run"};
    args.insert(args.end(), base.begin(), base.end());
    args.insert(args.end(), m.extra.begin(), m.extra.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) return false;
    m.seconds.push_back(now_s() - t0);
    m.maxrss_kib = std::max(m.maxrss_kib, (long)ru.ru_maxrss);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
    unsigned runs = 5;
    std::string workload = "copy", transfers = "2000", max_size = "16k";
#ifdef SL_STALELINE_BIN
    std::string bin = SL_STALELINE_BIN;
#else
    std::string bin = "build/bin/staleline";
#endif
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 < argc && a == "--runs") runs = (unsigned)std::max(1, atoi(argv[++i]));
        else if (i + 1 < argc && a == "--workload") workload = argv[++i];
        else if (i + 1 < argc && a == "--transfers") transfers = argv[++i];
        else if (i + 1 < argc && a == "--max-size") max_size = argv[++i];
        else if (i + 1 < argc && a == "--staleline") bin = argv[++i];
        else {
            fprintf(stderr, "usage: bench_timeline [--runs N] [--workload W] [--transfers N] [--max-size S] "
                            "[--staleline PATH]\n");
            return 2;
        }
    }
    char file[64];
    snprintf(file, sizeof file, "/tmp/bench_timeline_%d.json", (int)getpid());
    std::vector<Mode> modes = {{"no listener", {"--no-latency-breakdown"}, {}},
                               {"breakdown (default)", {}, {}},
                               {"timeline, all", {"--timeline", file}, {}},
                               {"timeline, driver", {"--timeline", file, "--timeline-categories", "driver,findings"}, {}}};
    const std::vector<std::string> base = {"--workload", workload, "--set", "workload.transfers=" + transfers,
                                           "--set", "workload.max_size=" + max_size};
    printf("bench_timeline: staleline run --workload %s --set workload.transfers=%s --set workload.max_size=%s, "
           "%u runs per mode, alternated\n",
           workload.c_str(), transfers.c_str(), max_size.c_str(), runs);
    for (unsigned r = 0; r < runs; ++r)
        for (Mode& m : modes) {
            if (!run(bin, base, m)) {
                fprintf(stderr, "bench_timeline: the run (%s) failed\n", m.name);
                return 1;
            }
            struct stat st;
            if (m.extra.size() > 1 && stat(file, &st) == 0) m.file_bytes = st.st_size;
            unlink(file);
        }
    const double base_med = median(modes[0].seconds);
    printf("%-22s %9s %9s %9s %9s %12s\n", "mode", "median s", "best s", "ratio", "RSS MiB", "file MiB");
    for (const Mode& m : modes) {
        const double med = median(m.seconds);
        printf("%-22s %9.3f %9.3f %9.3f %9.1f %12s\n", m.name, med, *std::min_element(m.seconds.begin(), m.seconds.end()),
               base_med > 0 ? med / base_med : 0.0, m.maxrss_kib / 1024.0,
               m.file_bytes < 0 ? "-" : std::to_string(m.file_bytes / 1048576.0).substr(0, 6).c_str());
    }
    printf("ratio_breakdown_vs_none %.3f\n", base_med > 0 ? median(modes[1].seconds) / base_med : 0.0);
    printf("ratio_timeline_vs_none %.3f\n", base_med > 0 ? median(modes[2].seconds) / base_med : 0.0);
    printf("ratio_timeline_driver_vs_none %.3f\n", base_med > 0 ? median(modes[3].seconds) / base_med : 0.0);
    return 0;
}
