/* `staleline run --wave`: options, windows, the first pass for --wave-around-findings and the
 * GTKWave save file. run_wave.h says what each part does; docs/waveforms.md why. */
#include "run_wave.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

int run_wave_parse_time(const char* text, uint64_t* ps) {
    static const struct {
        const char* unit;
        double ps;
    } units[] = {{"ps", 1}, {"ns", 1e3}, {"us", 1e6}, {"\xc2\xb5s", 1e6}, {"ms", 1e9}, {"s", 1e12}};
    if (!text || !*text || !(isdigit((unsigned char)text[0]) || text[0] == '.')) return -1;
    char* end = NULL;
    errno = 0;
    const double v = strtod(text, &end);
    if (errno || end == text || v < 0) return -1;
    if (!*end) {
        if (v != 0) return -1; /* a time needs its unit, except 0 */
        *ps = 0;
        return 0;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; ++i)
        if (!strcmp(end, units[i].unit)) {
            const double p = v * units[i].ps;
            if (p >= 1.8e19) return -1;
            *ps = (uint64_t)(p + 0.5);
            return 0;
        }
    return -1;
}

int run_wave_option(run_wave_t* w, int opt, const char* arg) {
    switch (opt) {
    case RUN_WAVE_OPT_WAVE:
        if (!*arg) {
            fprintf(stderr, "staleline run: --wave: empty file name\n");
            return SL_EXIT_USAGE;
        }
        w->path = arg;
        return 0;
    case RUN_WAVE_OPT_FROM:
    case RUN_WAVE_OPT_TO: {
        const int from = opt == RUN_WAVE_OPT_FROM;
        if (run_wave_parse_time(arg, from ? &w->from_ps : &w->to_ps)) {
            fprintf(stderr, "staleline run: --wave-%s: '%s' is not a time (a number and a unit: ps, ns, us, ms, s)\n",
                    from ? "from" : "to", arg);
            return SL_EXIT_USAGE;
        }
        *(from ? &w->has_from : &w->has_to) = 1;
        return 0;
    }
    case RUN_WAVE_OPT_AROUND: {
        /* N microseconds, or a time with its unit */
        char* end = NULL;
        errno = 0;
        const double us = strtod(arg, &end);
        if (end != arg && !*end && !errno && us >= 0 && us < 1.8e13 && isdigit((unsigned char)arg[0]))
            w->around_ps = (uint64_t)(us * 1e6 + 0.5);
        else if (run_wave_parse_time(arg, &w->around_ps)) {
            fprintf(stderr, "staleline run: --wave-around-findings: '%s' is not a number of microseconds\n", arg);
            return SL_EXIT_USAGE;
        }
        w->around = 1;
        return 0;
    }
    default: return SL_EXIT_USAGE;
    }
}

int run_wave_check(run_wave_t* w, const char* vcd_path) {
    if (w->path && vcd_path) {
        fprintf(stderr, "staleline run: --wave and --vcd record the same waveform: give one of them\n");
        return SL_EXIT_USAGE;
    }
    if (!w->path && (w->has_from || w->has_to || w->around)) {
        fprintf(stderr, "staleline run: --wave-from, --wave-to and --wave-around-findings need --wave FILE\n");
        return SL_EXIT_USAGE;
    }
    if (w->has_from && w->has_to && w->from_ps > w->to_ps) {
        fprintf(stderr, "staleline run: --wave-from (%llu ps) is after --wave-to (%llu ps)\n",
                (unsigned long long)w->from_ps, (unsigned long long)w->to_ps);
        return SL_EXIT_USAGE;
    }
    if (!w->around && (w->has_from || w->has_to)) {
        w->windows = malloc(sizeof *w->windows);
        if (!w->windows) return SL_EXIT_USAGE;
        w->windows[0].from_ps = w->has_from ? w->from_ps : 0;
        w->windows[0].to_ps = w->has_to ? w->to_ps : UINT64_MAX;
        w->nwindows = 1;
    }
    return 0;
}

static int cmp_window(const void* a, const void* b) {
    const sl_wave_window_t* x = a;
    const sl_wave_window_t* y = b;
    return x->from_ps < y->from_ps ? -1 : x->from_ps > y->from_ps;
}

/* Windows of ± around_ps about each time, merged, within --wave-from/--wave-to. */
static void windows_around(run_wave_t* w, const uint64_t* t_ps, size_t n) {
    w->windows = calloc(n ? n : 1, sizeof *w->windows); /* never NULL: no finding, no window */
    w->nwindows = 0;
    if (!w->windows) return;
    sl_wave_window_t* v = calloc(n ? n : 1, sizeof *v);
    if (!v) return;
    for (size_t i = 0; i < n; ++i) {
        v[i].from_ps = t_ps[i] > w->around_ps ? t_ps[i] - w->around_ps : 0;
        v[i].to_ps = t_ps[i] > UINT64_MAX - w->around_ps ? UINT64_MAX : t_ps[i] + w->around_ps;
    }
    qsort(v, n, sizeof *v, cmp_window);
    const uint64_t lo = w->has_from ? w->from_ps : 0, hi = w->has_to ? w->to_ps : UINT64_MAX;
    for (size_t i = 0; i < n; ++i) {
        sl_wave_window_t x = v[i];
        if (x.from_ps < lo) x.from_ps = lo;
        if (x.to_ps > hi) x.to_ps = hi;
        if (x.from_ps > x.to_ps) continue;
        sl_wave_window_t* last = w->nwindows ? &w->windows[w->nwindows - 1] : NULL;
        if (last && x.from_ps <= last->to_ps + 1) {
            if (x.to_ps > last->to_ps) last->to_ps = x.to_ps;
        } else {
            w->windows[w->nwindows++] = x;
        }
    }
    free(v);
}

int run_wave_first_pass(run_wave_t* w, const char** json_path, const char** sarif_path, const char** vcd_path) {
    if (!w->path || !w->around) return 0;
    char tmp[PATH_MAX];
    const char* dir = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/staleline-wave-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "staleline run: --wave-around-findings: cannot create a temporary file in %s: %s\n",
                dir && *dir ? dir : "/tmp", strerror(errno));
        return SL_EXIT_USAGE;
    }
    close(fd);
    fflush(stdout);
    fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "staleline run: --wave-around-findings: fork: %s\n", strerror(errno));
        unlink(tmp);
        return SL_EXIT_USAGE;
    }
    if (pid == 0) {
        static char child_json[PATH_MAX];
        snprintf(child_json, sizeof child_json, "%s", tmp);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
            close(null);
        }
        w->path = NULL;
        w->around = 0;
        *json_path = child_json;
        *sarif_path = NULL;
        *vcd_path = NULL;
        return 1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    json_t* root = json_load_file(tmp, 0, NULL);
    unlink(tmp);
    json_t* findings = json_object_get(root, "findings");
    if (!WIFEXITED(status) || WEXITSTATUS(status) > SL_EXIT_FINDINGS || !json_is_array(findings)) {
        fprintf(stderr, "staleline run: --wave-around-findings: the first run (to find the findings' times) did not "
                        "complete; run without the option to see why\n");
        json_decref(root);
        return SL_EXIT_USAGE;
    }
    const size_t n = json_array_size(findings);
    uint64_t* t = calloc(n ? n : 1, sizeof *t);
    for (size_t i = 0; t && i < n; ++i) {
        json_t* ns = json_object_get(json_array_get(findings, i), "time_ns");
        t[i] = json_is_integer(ns) ? (uint64_t)json_integer_value(ns) * 1000u : 0;
    }
    if (t) windows_around(w, t, n);
    free(t);
    json_decref(root);
    return w->windows ? 0 : SL_EXIT_USAGE;
}

int run_wave_start(run_wave_t* w, sl_platform_t* p, unsigned slot) {
    if (!w->path) return 0;
    if (sl_platform_device_wave(p, slot, w->path, w->windows, w->nwindows)) {
        fprintf(stderr, "staleline run: --wave: %s\n", sl_error());
        return SL_EXIT_USAGE;
    }
    return 0;
}

/* ---- the GTKWave save file ---- */

/* The groups of a save file, in display order. A signal is put in the first that takes it. */
enum { G_AW, G_W, G_B, G_AR, G_R, G_IRQ, G_CTRL, G_REGS, G_COUNT };

/* The field of an AXI port signal after its prefix ("m_axi_awvalid" -> channel AW), by the
 * standard AMBA signal names. -1: not an AXI channel signal. */
static int axi_channel(const char* field) {
    static const char* const aw[] = {"awaddr", "awvalid", "awready", "awlen", "awsize", "awburst", "awid", "awprot",
                                     "awcache", "awlock", "awqos", "awregion", "awuser"};
    static const char* const wch[] = {"wdata", "wstrb", "wlast", "wvalid", "wready", "wuser", "wid"};
    static const char* const b[] = {"bresp", "bvalid", "bready", "bid", "buser"};
    static const char* const ar[] = {"araddr", "arvalid", "arready", "arlen", "arsize", "arburst", "arid", "arprot",
                                     "arcache", "arlock", "arqos", "arregion", "aruser"};
    static const char* const r[] = {"rdata", "rresp", "rlast", "rvalid", "rready", "rid", "ruser"};
    static const struct {
        const char* const* names;
        size_t n;
    } ch[] = {{aw, 13}, {wch, 7}, {b, 5}, {ar, 13}, {r, 7}};
    for (int c = 0; c < 5; ++c)
        for (size_t i = 0; i < ch[c].n; ++i)
            if (!strcmp(field, ch[c].names[i])) return c;
    return -1;
}

static int contains_ci(const char* s, const char* what) {
    const size_t n = strlen(what);
    for (; *s; ++s)
        if (!strncasecmp(s, what, n)) return 1;
    return 0;
}

/* Which group `name` (top.m_axi_awaddr[63:0]) goes in, and for AXI signals the port prefix
 * (m_axi_) into port. -1: none. Only the top scope's signals (the device's ports) are grouped,
 * except registers: signals of a scope whose name says reg (u_regs). */
static int group_of(const char* name, char* port, size_t portlen) {
    char base[256];
    const char* dot = strrchr(name, '.');
    const char* leaf = dot ? dot + 1 : name;
    snprintf(base, sizeof base, "%s", leaf);
    char* br = strchr(base, '[');
    if (br) *br = 0;
    for (char* c = base; *c; ++c) *c = (char)tolower((unsigned char)*c);
    const int top = dot && !memchr(name, '.', (size_t)(dot - name));
    if (!top) {
        if (!dot) return -1;
        const char* scope_end = dot;
        const char* scope = scope_end;
        while (scope > name && scope[-1] != '.') --scope;
        char sc[128];
        snprintf(sc, sizeof sc, "%.*s", (int)(scope_end - scope), scope);
        return contains_ci(sc, "reg") ? G_REGS : -1;
    }
    const char* us = strrchr(base, '_');
    if (us) {
        const int c = axi_channel(us + 1);
        if (c >= 0) {
            snprintf(port, portlen, "%.*s", (int)(us - base), base);
            return c;
        }
    }
    if (strstr(base, "irq") || strstr(base, "msi") || strstr(base, "intr") || strstr(base, "interrupt")) return G_IRQ;
    if (!strcmp(base, "clk") || strstr(base, "clock") || strstr(base, "rst") || strstr(base, "reset") ||
        !strcmp(base, "idle") || !strcmp(base, "waiting"))
        return G_CTRL;
    return -1;
}

static const char* const channel_title[] = {"AW write address", "W write data", "B write response", "AR read address",
                                            "R read data"};

static int is_register_port(const char* port) { return contains_ci(port, "axil") || contains_ci(port, "lite"); }

/* Signals of group g (and, for AXI channels, of port `port`) in one GTKWave group. */
static void write_group(FILE* f, sl_platform_t* p, unsigned slot, int g, const char* port, const char* title) {
    const size_t n = sl_platform_device_wave_signal_count(p, slot);
    int opened = 0;
    for (size_t i = 0; i < n; ++i) {
        const char* s = sl_platform_device_wave_signal(p, slot, i);
        char sp[256] = "";
        if (group_of(s, sp, sizeof sp) != g || (port && strcmp(sp, port))) continue;
        if (!opened) fprintf(f, "@800200\n-%s\n", title);
        opened = 1;
        /* one bit in binary, a bus in hexadecimal */
        fprintf(f, "%s\n%s\n", strchr(s, '[') && !strstr(s, "[0:0]") ? "@22" : "@28", s);
    }
    if (opened) fprintf(f, "@1000200\n-%s\n", title);
}

static int write_gtkw(const run_wave_t* w, const char* gtkw, sl_platform_t* p, unsigned slot, sl_checker_t* chk) {
    FILE* f = fopen(gtkw, "w");
    if (!f) return -1;
    char dump[PATH_MAX], save[PATH_MAX];
    if (!realpath(w->path, dump)) snprintf(dump, sizeof dump, "%s", w->path);
    if (!realpath(gtkw, save)) snprintf(save, sizeof save, "%s", gtkw);
    sl_device_info_t di;
    const int have_info = !sl_platform_device_info(p, slot, &di);
    const size_t nfind = chk ? sl_checker_finding_count(chk) : 0;
    fprintf(f, "[*] staleline run: waveform of device %s, %zu finding%s marked\n", have_info ? di.instance : "?",
            nfind < 26 ? nfind : 26, nfind == 1 ? "" : "s");
    fprintf(f, "[dumpfile] \"%s\"\n", dump);
    fprintf(f, "[savefile] \"%s\"\n", save);
    fprintf(f, "[timestart] %llu\n", (unsigned long long)(w->windows && w->nwindows ? w->windows[0].from_ps : 0));
    /* Named markers A..Z at the findings' times (ps, the waveform's unit). */
    long long marks[26];
    for (int i = 0; i < 26; ++i) marks[i] = -1;
    for (size_t i = 0; i < nfind && i < 26; ++i) {
        sl_finding_t fd;
        if (sl_checker_get_finding(chk, i, &fd)) continue;
        marks[i] = (long long)(fd.time_ns * 1000u);
        fprintf(f, "[markername] %c%s\n", 'A' + (int)i, fd.kind);
    }
    fprintf(f, "*-20.000000 %lld", marks[0]);
    for (int i = 0; i < 26; ++i) fprintf(f, " %lld", marks[i]);
    fputc('\n', f);
    fprintf(f, "[sst_expanded] 1\n");
    /* AXI ports: masters' channels first, then the register port's, each port's in AW W B AR R order. */
    const size_t n = sl_platform_device_wave_signal_count(p, slot);
    char ports[16][64];
    size_t nports = 0;
    for (size_t i = 0; i < n; ++i) {
        char sp[256] = "";
        const int g = group_of(sl_platform_device_wave_signal(p, slot, i), sp, sizeof sp);
        if (g < 0 || g > G_R) continue;
        int seen = 0;
        for (size_t k = 0; k < nports; ++k) seen |= !strcmp(ports[k], sp);
        if (!seen && nports < 16) snprintf(ports[nports++], sizeof ports[0], "%s", sp);
    }
    for (int regs = 0; regs < 2; ++regs)
        for (size_t k = 0; k < nports; ++k) {
            if (is_register_port(ports[k]) != regs) continue;
            for (int c = G_AW; c <= G_R; ++c) {
                char title[1200];
                snprintf(title, sizeof title, "%s %s %s", regs ? "Registers" : "AXI", ports[k], channel_title[c]);
                write_group(f, p, slot, c, ports[k], title);
            }
        }
    write_group(f, p, slot, G_IRQ, NULL, "Interrupt");
    write_group(f, p, slot, G_REGS, NULL, "Registers (internal)");
    write_group(f, p, slot, G_CTRL, NULL, "Clock, reset, state");
    return fclose(f) ? -1 : 0;
}

int run_wave_finish(run_wave_t* w, sl_platform_t* p, unsigned slot, sl_checker_t* chk) {
    if (!w->path) return 0;
    if (sl_platform_device_wave_finish(p, slot)) {
        fprintf(stderr, "staleline run: --wave: %s\n", sl_error());
        return SL_EXIT_USAGE;
    }
    char gtkw[PATH_MAX];
    snprintf(gtkw, sizeof gtkw - 6, "%s", w->path);
    char* slash = strrchr(gtkw, '/');
    char* ext = strrchr(gtkw, '.');
    if (ext && (!slash || ext > slash + 1)) *ext = 0;
    strcat(gtkw, ".gtkw");
    if (write_gtkw(w, gtkw, p, slot, chk)) {
        fprintf(stderr, "staleline run: --wave: cannot write the GTKWave save file '%s': %s\n", gtkw, strerror(errno));
        return SL_EXIT_USAGE;
    }
    return 0;
}

void run_wave_free(run_wave_t* w) {
    free(w->windows);
    w->windows = NULL;
}
