/* `staleline run --wave`: FST that GTKWave's own tools read (fst2vcd from Debian's gtkwave
 * converts it; a file of several blocks holds the values of vcd2fst's conversion of the same
 * run's VCD), VCD by extension (the same bytes as --vcd), the time window, the window around
 * the findings, the GTKWave save file (groups and a marker at each finding's time), same seed
 * same bytes, and the exit status 2 with a message for a file that cannot be written and for a
 * window that ends before it starts. */
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl_test.h"

#define SMALL "--set workload.transfers=2 --set workload.max_size=256"
#define BUGGY "--driver bug:missing-clean --set workload.transfers=3 --set workload.max_size=256"

static char* out;

/* `staleline run ARGS`; stdout+stderr in `out`. */
static int run(const char* args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "run %s", args);
    return sl_test_staleline(cmd, &out);
}

static const char* tmp_path(const char* tag) { return sl_test_tmp_path("wave", tag); }

/* A waveform and the GTKWave save file `run --wave` writes beside it (FILE.gtkw). */
static void unlink_wave(const char* path) {
    char gtkw[512];
    const char* dot = strrchr(path, '.');
    snprintf(gtkw, sizeof gtkw, "%.*s.gtkw", (int)(dot ? dot - path : (long)strlen(path)), path);
    unlink(path);
    unlink(gtkw);
}

static char* slurp(const char* path, size_t* len) { return sl_test_slurp(path, len); }

/* The FST converted by Debian's fst2vcd (GTKWave's own reader): the VCD text, or NULL. */
static char* fst2vcd(const char* fst) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s '%s'", SL_FST2VCD, fst);
    char* text = NULL;
    const int rc = sl_test_run(cmd, &text);
    if (rc) {
        fprintf(stderr, "%s failed (%d): %s\n(install Debian's gtkwave: .ci/deps)\n", cmd, rc, text ? text : "");
        free(text);
        return NULL;
    }
    return text;
}

/* First and last time stamp (#T lines) of a VCD text; the count. */
static size_t time_range(const char* vcd, unsigned long long* first, unsigned long long* last) {
    size_t n = 0;
    *first = *last = 0;
    for (const char* l = vcd; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (*l != '#') continue;
        unsigned long long t = strtoull(l + 1, NULL, 10);
        if (!n++) *first = t;
        *last = t;
    }
    return n;
}

static void test_fst_read_by_gtkwave_tools(void) {
    const char* fst = tmp_path("a.fst");
    char args[512];
    snprintf(args, sizeof args, SMALL " --wave %s", fst);
    int rc = run(args);
    if (rc) fprintf(stderr, "%s", out);
    CU_ASSERT_EQUAL(rc, 0);
    size_t len = 0;
    char* bytes = slurp(fst, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
    CU_ASSERT(len > 100);
    CU_ASSERT_EQUAL(bytes[0], 0); /* FST_BL_HDR: an FST file starts with its header block */
    free(bytes);
    char* vcd = fst2vcd(fst);
    CU_ASSERT_PTR_NOT_NULL_FATAL(vcd);
    CU_ASSERT_PTR_NOT_NULL(strstr(vcd, "$scope module top $end"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vcd, " m_axi_awvalid $end"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vcd, " m_axi_awaddr [63:0] $end"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vcd, " s_axil_wdata [31:0] $end"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vcd, " irq $end"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vcd, "$timescale\n\t1ps\n$end") ? "" : strstr(vcd, "1ps"));
    unsigned long long first, last;
    CU_ASSERT(time_range(vcd, &first, &last) > 100);
    CU_ASSERT(last > first);
    free(vcd);
    unlink_wave(fst);
}

/* Value-change blocks of an FST file (block types 1, 5, 8 of fstapi: VCDATA, VCDATA_DYN_ALIAS,
 * VCDATA_DYN_ALIAS2), walking its blocks: a type byte, then the length (big-endian, 8 bytes,
 * counting itself); -1 when the file is not such a chain. */
static int fst_value_blocks(const char* path) {
    size_t len = 0;
    unsigned char* d = (unsigned char*)slurp(path, &len);
    if (!d) return -1;
    int n = 0;
    size_t off = 0;
    while (off < len) {
        if (off + 9 > len) {
            n = -1;
            break;
        }
        uint64_t l = 0;
        for (int i = 1; i <= 8; ++i) l = l << 8 | d[off + (size_t)i];
        n += d[off] == 1 || d[off] == 5 || d[off] == 8;
        if (l < 8 || l > len - off - 1) {
            n = -1;
            break;
        }
        off += 1 + l;
    }
    free(d);
    return n;
}

/* A VCD text of fst2vcd as the state it describes: per time step at which some signal's
 * value changed, a digest of (time, each changed signal and its new value); the values a
 * time step repeats, and the order of its lines, do not count. The number of such steps. */
enum { MAX_STEPS = 100000, CODE_SPACE = 95 * 95 * 95 };
typedef struct {
    const char* line;  /* "bVALUE code" or "Vcode": the value's start */
    size_t len;        /* value length */
} cur_t;
static int code_index(const char* c, size_t n) {
    if (n == 0 || n > 3) return -1;
    int k = 0;
    for (size_t i = 0; i < n; ++i) {
        if (c[i] < 33 || c[i] > 126) return -1;
        k = k * 95 + (c[i] - 32);
    }
    return k;
}
typedef struct {
    int code;
    size_t seq;
    const char* v;
    size_t vlen;
} change_t;
static int cmp_change(const void* a, const void* b) {
    const change_t* x = a;
    const change_t* y = b;
    return x->code != y->code ? (x->code < y->code ? -1 : 1) : (x->seq < y->seq ? -1 : x->seq > y->seq);
}
static uint64_t fnv(uint64_t h, const void* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ ((const unsigned char*)p)[i]) * 1099511628211ull;
    return h;
}
static size_t vcd_states(const char* vcd, uint64_t* steps, int* bad) {
    cur_t* cur = calloc(CODE_SPACE, sizeof *cur);
    size_t cap = 4096, nch = 0, nsteps = 0;
    change_t* ch = malloc(cap * sizeof *ch);
    const char* body = strstr(vcd, "$enddefinitions");
    unsigned long long t = 0;
    int have_t = 0;
    *bad = 0;
    for (const char* l = body; l && *l;) {
        const char* nl = strchr(l, '\n');
        const size_t n = nl ? (size_t)(nl - l) : strlen(l);
        const int step_end = !nl || l[n + 1] == '#';
        if (n && *l == '#') {
            t = strtoull(l + 1, NULL, 10);
            have_t = 1;
        } else if (n && have_t && *l != '$') {
            const char* v = l;
            size_t vlen = 1;
            const char* c = l + 1;
            if (*l == 'b' || *l == 'r') {
                const char* sp = memchr(l, ' ', n);
                if (!sp) ++*bad;
                vlen = sp ? (size_t)(sp - l) : n;
                c = sp ? sp + 1 : l + n;
            }
            const int k = code_index(c, n - (size_t)(c - l));
            if (k < 0) ++*bad;
            if (k >= 0) {
                if (nch == cap) ch = realloc(ch, (cap *= 2) * sizeof *ch);
                ch[nch] = (change_t){k, nch, v, vlen};
                ++nch;
            }
        }
        if (step_end && nch) {
            qsort(ch, nch, sizeof *ch, cmp_change);
            uint64_t h = fnv(1469598103934665603ull, &t, sizeof t);
            int changed = 0;
            for (size_t i = 0; i < nch; ++i) {
                if (i + 1 < nch && ch[i + 1].code == ch[i].code) continue; /* the last of the step counts */
                cur_t* s = &cur[ch[i].code];
                if (s->line && s->len == ch[i].vlen && !memcmp(s->line, ch[i].v, s->len)) continue;
                s->line = ch[i].v;
                s->len = ch[i].vlen;
                h = fnv(fnv(h, &ch[i].code, sizeof ch[i].code), ch[i].v, ch[i].vlen);
                changed = 1;
            }
            if (changed && nsteps < MAX_STEPS) steps[nsteps++] = h;
            nch = 0;
        }
        l = nl ? nl + 1 : NULL;
    }
    free(ch);
    free(cur);
    return nsteps;
}

/* A waveform of several FST blocks (the writer closes one every 2 MiB of value changes) holds
 * the same values at the same times as Verilator's VCD of the same run converted by GTKWave's
 * own vcd2fst (one block): both read back with fst2vcd, every time step compared. */
static void test_fst_blocks_same_values(void) {
    const char* fst = tmp_path("blocks.fst");
    const char* vcd = tmp_path("blocks.vcd");
    const char* conv = tmp_path("blocks_conv.fst");
    char args[512];
    snprintf(args, sizeof args, "--set workload.transfers=2 --set workload.max_size=16k --wave %s", fst);
    CU_ASSERT_EQUAL_FATAL(run(args), 0);
    snprintf(args, sizeof args, "--set workload.transfers=2 --set workload.max_size=16k --wave %s", vcd);
    CU_ASSERT_EQUAL_FATAL(run(args), 0);
    CU_ASSERT(fst_value_blocks(fst) >= 2);
    /* vcd2fst is fst2vcd's sibling in Debian's gtkwave */
    char tool[PATH_MAX], cmd[3 * PATH_MAX];
    snprintf(tool, sizeof tool, "%s", SL_FST2VCD);
    char* base = strstr(tool, "fst2vcd");
    CU_ASSERT_PTR_NOT_NULL_FATAL(base);
    memcpy(base, "vcd2fst", 7);
    snprintf(cmd, sizeof cmd, "%s '%s' '%s'", tool, vcd, conv);
    char* text = NULL;
    CU_ASSERT_EQUAL_FATAL(sl_test_run(cmd, &text), 0);
    free(text);
    CU_ASSERT_EQUAL(fst_value_blocks(conv), 1);
    char* a = fst2vcd(fst);
    char* b = fst2vcd(conv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    uint64_t* sa = malloc(MAX_STEPS * sizeof *sa);
    uint64_t* sb = malloc(MAX_STEPS * sizeof *sb);
    int bad_a, bad_b;
    const size_t na = vcd_states(a, sa, &bad_a), nb = vcd_states(b, sb, &bad_b);
    CU_ASSERT_EQUAL(bad_a, 0);
    CU_ASSERT_EQUAL(bad_b, 0);
    CU_ASSERT(na > 1000 && na < MAX_STEPS);
    CU_ASSERT_EQUAL(na, nb);
    size_t first_diff = na;
    for (size_t i = 0; i < na && i < nb; ++i)
        if (sa[i] != sb[i]) {
            first_diff = i;
            break;
        }
    CU_ASSERT_EQUAL(first_diff, na);
    free(sa);
    free(sb);
    free(a);
    free(b);
    unlink_wave(fst);
    unlink_wave(vcd);
    unlink(conv);
}

/* The same run through --wave x.vcd and through --vcd: the same waveform, the same bytes. */
static void test_vcd_by_extension_matches_vcd_option(void) {
    const char* a = tmp_path("a.vcd");
    const char* b = tmp_path("b.vcd");
    char args[512];
    snprintf(args, sizeof args, SMALL " --wave %s", a);
    CU_ASSERT_EQUAL(run(args), 0);
    snprintf(args, sizeof args, SMALL " --vcd %s", b);
    CU_ASSERT_EQUAL(run(args), 0);
    size_t la = 0, lb = 0;
    char* x = slurp(a, &la);
    char* y = slurp(b, &lb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    CU_ASSERT(la > 1000);
    CU_ASSERT_EQUAL(la, lb);
    CU_ASSERT(la == lb && !memcmp(x, y, la));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "$enddefinitions"));
    free(x);
    free(y);
    unlink_wave(a);
    unlink_wave(b);
}

/* The time steps of a VCD text within [from, to] (all: to = ~0), in order; their count. */
static size_t steps_in(const char* vcd, unsigned long long from, unsigned long long to, unsigned long long* t, size_t cap) {
    size_t n = 0;
    for (const char* l = vcd; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (*l != '#') continue;
        const unsigned long long v = strtoull(l + 1, NULL, 10);
        if (v < from || v > to) continue;
        if (n < cap) t[n] = v;
        ++n;
    }
    return n;
}

/* --wave-from 20us --wave-to 30us: exactly the time steps the whole run's waveform has in that
 * span (the device is idle part of it: idle cycles are not evaluated, so they have none). */
static void test_window_from_to(void) {
    const char* all = tmp_path("all.fst");
    const char* fst = tmp_path("w.fst");
    char args[512];
    snprintf(args, sizeof args, SMALL " --wave %s", all);
    CU_ASSERT_EQUAL(run(args), 0);
    snprintf(args, sizeof args, SMALL " --wave %s --wave-from 20us --wave-to 30us", fst);
    int rc = run(args);
    if (rc) fprintf(stderr, "%s", out);
    CU_ASSERT_EQUAL(rc, 0);
    char* whole = fst2vcd(all);
    char* vcd = fst2vcd(fst);
    CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
    CU_ASSERT_PTR_NOT_NULL_FATAL(vcd);
    static unsigned long long a[100000], b[100000];
    const size_t na = steps_in(whole, 20000000ull, 30000000ull, a, 100000);
    const size_t nb = steps_in(vcd, 0, ~0ull, b, 100000);
    const size_t before = steps_in(whole, 0, 19999999ull, a + 0, 0);
    CU_ASSERT(na > 10);
    CU_ASSERT(before > 10); /* the whole run has time steps before the window ... */
    CU_ASSERT_EQUAL(nb, na); /* ... the windowed one only those inside it */
    CU_ASSERT(nb == na && na <= 100000 && !memcmp(a, b, na * sizeof a[0]));
    CU_ASSERT(b[0] >= 20000000ull && b[nb ? nb - 1 : 0] <= 30000000ull);
    CU_ASSERT_PTR_NOT_NULL(strstr(vcd, " m_axi_awvalid $end"));
    free(whole);
    free(vcd);
    unlink_wave(all);
    unlink_wave(fst);
}

/* --driver bug:missing-clean: the save file groups the channels and marks each finding. */
static void test_gtkw_groups_and_markers(void) {
    const char* fst = tmp_path("bug.fst");
    const char* json = tmp_path("bug.json");
    char gtkw[300];
    snprintf(gtkw, sizeof gtkw, "/tmp/sl_test_wave_%d_bug.gtkw", (int)getpid());
    char args[768];
    snprintf(args, sizeof args, BUGGY " --wave %s --json %s", fst, json);
    CU_ASSERT_EQUAL(run(args), 1);
    char* text = slurp(json, NULL);
    json_t* j = text ? json_loads(text, 0, NULL) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t* findings = json_object_get(j, "findings");
    const size_t nf = json_array_size(findings);
    CU_ASSERT(nf >= 1);
    char* save = slurp(gtkw, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(save);
    char fstabs[PATH_MAX], line[PATH_MAX + 32];
    CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(fst, fstabs));
    snprintf(line, sizeof line, "[dumpfile] \"%s\"\n", fstabs);
    CU_ASSERT_PTR_NOT_NULL(strstr(save, line));
    /* One named marker per finding (A, B, ...) named by its kind, at its time in ps. */
    char star[1024];
    long long first_ps = (long long)json_integer_value(json_object_get(json_array_get(findings, 0), "time_ns")) * 1000;
    int at = snprintf(star, sizeof star, "*-20.000000 %lld", first_ps);
    for (size_t i = 0; i < 26; ++i) {
        json_t* f = json_array_get(findings, i);
        if (i < nf) {
            const long long ps = (long long)json_integer_value(json_object_get(f, "time_ns")) * 1000;
            at += snprintf(star + at, sizeof star - (size_t)at, " %lld", ps);
            snprintf(line, sizeof line, "[markername] %c%s\n", 'A' + (int)i, json_string_value(json_object_get(f, "kind")));
            CU_ASSERT_PTR_NOT_NULL(strstr(save, line));
        } else {
            at += snprintf(star + at, sizeof star - (size_t)at, " -1");
        }
    }
    strcat(star, "\n");
    CU_ASSERT_PTR_NOT_NULL(strstr(save, star));
    if (!strstr(save, star)) fprintf(stderr, "expected %s in:\n%s", star, save);
    /* The groups, each opened and closed, with their signals by hierarchical name. */
    static const char* const groups[] = {
        "@800200\n-AXI m_axi AW write address\n", "@1000200\n-AXI m_axi AW write address\n",
        "-AXI m_axi W write data\n", "-AXI m_axi B write response\n", "-AXI m_axi AR read address\n",
        "-AXI m_axi R read data\n", "-Registers s_axil AW write address\n", "-Registers s_axil R read data\n",
        "@800200\n-Interrupt\n", "-Clock, reset, state\n",
        "@28\ntop.m_axi_awvalid\n", "@22\ntop.m_axi_awaddr[63:0]\n", "@28\ntop.irq\n", "top.msi_enable\n",
        "top.s_axil_wdata[31:0]\n", "@28\ntop.clk\n"};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; ++i) {
        CU_ASSERT_PTR_NOT_NULL(strstr(save, groups[i]));
        if (!strstr(save, groups[i])) fprintf(stderr, "missing: %s\n", groups[i]);
    }
    /* AW before W before B before AR before R, masters before registers, then the interrupt. */
    CU_ASSERT(strstr(save, "-AXI m_axi AW") < strstr(save, "-AXI m_axi W "));
    CU_ASSERT(strstr(save, "-AXI m_axi R ") < strstr(save, "-Registers s_axil AW"));
    CU_ASSERT(strstr(save, "-Registers s_axil R ") < strstr(save, "-Interrupt"));
    free(save);
    json_decref(j);
    free(text);
    unlink_wave(fst);
    unlink(json);
    unlink(gtkw);
}

/* Same seed, same bytes: the FST and the save file. */
static void test_same_seed_same_bytes(void) {
    const char* fst = tmp_path("d.fst");
    char gtkw[300];
    snprintf(gtkw, sizeof gtkw, "/tmp/sl_test_wave_%d_d.gtkw", (int)getpid());
    char args[512];
    snprintf(args, sizeof args, BUGGY " --seed 5 --wave %s", fst);
    CU_ASSERT_EQUAL(run(args), 1);
    size_t l1 = 0, g1 = 0;
    char* a = slurp(fst, &l1);
    char* ga = slurp(gtkw, &g1);
    CU_ASSERT_EQUAL(run(args), 1);
    size_t l2 = 0, g2 = 0;
    char* b = slurp(fst, &l2);
    char* gb = slurp(gtkw, &g2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ga);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gb);
    CU_ASSERT(l1 > 100);
    CU_ASSERT_EQUAL(l1, l2);
    CU_ASSERT(l1 == l2 && !memcmp(a, b, l1));
    CU_ASSERT(g1 == g2 && !memcmp(ga, gb, g1));
    free(a);
    free(b);
    free(ga);
    free(gb);
    unlink_wave(fst);
    unlink(gtkw);
}

/* Only ± 1 µs around each finding: every time step recorded is near one. */
static void test_around_findings(void) {
    const char* fst = tmp_path("near.fst");
    const char* json = tmp_path("near.json");
    char args[768];
    snprintf(args, sizeof args, BUGGY " --wave %s --wave-around-findings 1 --json %s", fst, json);
    int rc = run(args);
    if (rc != 1) fprintf(stderr, "%s", out);
    CU_ASSERT_EQUAL(rc, 1);
    char* text = slurp(json, NULL);
    json_t* j = text ? json_loads(text, 0, NULL) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t* findings = json_object_get(j, "findings");
    const size_t nf = json_array_size(findings);
    CU_ASSERT_FATAL(nf >= 1);
    char* vcd = fst2vcd(fst);
    CU_ASSERT_PTR_NOT_NULL_FATAL(vcd);
    size_t steps = 0, far = 0;
    for (const char* l = vcd; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (*l != '#') continue;
        const unsigned long long t = strtoull(l + 1, NULL, 10);
        int near = 0;
        for (size_t i = 0; i < nf; ++i) {
            const unsigned long long f =
                (unsigned long long)json_integer_value(json_object_get(json_array_get(findings, i), "time_ns")) * 1000ull;
            near |= t + 1000000ull >= f && t <= f + 1000000ull;
        }
        ++steps;
        far += !near;
    }
    CU_ASSERT(steps > 10);
    CU_ASSERT_EQUAL(far, 0);
    free(vcd);
    json_decref(j);
    free(text);
    unlink_wave(fst);
    unlink(json);
}

static void test_errors_exit_2(void) {
    CU_ASSERT_EQUAL(run(SMALL " --wave /nonexistent-dir/x.fst"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "staleline run: --wave: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot open FST file '/nonexistent-dir/x.fst' for writing: No such file or directory"));
    CU_ASSERT_EQUAL(run(SMALL " --wave /dev/full"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot write VCD file '/dev/full': No space left on device"));
    CU_ASSERT_EQUAL(run(SMALL " --wave /tmp/x.fst --wave-from 30us --wave-to 20us"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "staleline run: --wave-from (30000000 ps) is after --wave-to (20000000 ps)"));
    CU_ASSERT_EQUAL(run(SMALL " --wave /tmp/x.fst --wave-from 20"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--wave-from: '20' is not a time"));
    CU_ASSERT_EQUAL(run(SMALL " --wave-to 20us"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "need --wave FILE"));
    CU_ASSERT_EQUAL(run(SMALL " --wave /tmp/x.fst --vcd /tmp/x.vcd"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "staleline run: --wave and --vcd record the same waveform: give one of them"));
    CU_ASSERT_EQUAL(run(SMALL " --wave /tmp/x.fst --wave-around-findings many"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--wave-around-findings: 'many' is not a number of microseconds"));
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_fst_read_by_gtkwave_tools),
        SL_TEST(test_vcd_by_extension_matches_vcd_option),
        SL_TEST(test_window_from_to),
        SL_TEST(test_gtkw_groups_and_markers),
        SL_TEST(test_same_seed_same_bytes),
        SL_TEST(test_around_findings),
        SL_TEST(test_errors_exit_2),
        SL_TEST(test_fst_blocks_same_values),
    };
    int rc = sl_test_main(argc, argv, "wave", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
