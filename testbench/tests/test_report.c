/* The review report (testbench/report/, docs/review-report.md): `staleline run --report DIR`
 * writes run.json, findings.sarif, report.html and report.md into DIR; `staleline report DIR`
 * renders the report of a folder. Checked: the verdict, the finding's kind, file:line and its
 * quoted source line, the non-default parameters, the statistics, the same bytes for the same
 * seed, clear exit-2 errors, HTML escaping of what comes from the run, and the sections fed by
 * a latency breakdown, a timeline and waveform files when they are present (a hand-written
 * run folder). report_chromium.sh loads the pages in a browser. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl_test.h"

#define SMALL "--set workload.transfers=4 --set workload.max_size=16k"

static char* out;
static char dirs[4][64];
static int ndirs;

/* A fresh folder under /tmp, removed at the end of the case. */
static const char* tmp_dir(void) {
    snprintf(dirs[ndirs], sizeof dirs[ndirs], "/tmp/sl_report_XXXXXX");
    const char* d = mkdtemp(dirs[ndirs]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return dirs[ndirs++];
}

static void cleanup(void) {
    for (int i = 0; i < ndirs; ++i) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dirs[i]);
        if (system(cmd)) fprintf(stderr, "cannot remove %s\n", dirs[i]);
    }
    ndirs = 0;
}

static char* slurp(const char* dir, const char* name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return sl_test_slurp(path, NULL);
}

static void write_file(const char* dir, const char* name, const char* text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE* f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static int has(const char* text, const char* what) {
    if (text && strstr(text, what)) return 1;
    fprintf(stderr, "missing: %s\n", what);
    return 0;
}

static void html_escape(const char* s, char* out_buf, size_t len) {
    size_t n = 0;
    for (; *s && n + 7 < len; ++s) {
        const char* e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
        if (e) n += (size_t)snprintf(out_buf + n, len - n, "%s", e);
        else out_buf[n++] = *s;
    }
    out_buf[n] = 0;
}

/* Line `line` of a file of the source tree. */
static int source_line(const char* file, long long line, char* buf, size_t len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", SL_SOURCE_DIR, file);
    FILE* f = fopen(path, "r");
    if (!f) return -1;
    long long n = 0;
    int found = -1;
    while (fgets(buf, (int)len, f))
        if (++n == line) {
            buf[strcspn(buf, "\r\n")] = 0;
            found = 0;
            break;
        }
    fclose(f);
    return found;
}

/* `staleline run ARGS --report DIR`: the exit status. */
static int run_report(const char* dir, const char* args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "run %s --report %s", args, dir);
    return sl_test_staleline(cmd, &out);
}

/* A clean run: both files, the verdict, the non-default parameters given with --set, the
 * statistics, the SARIF link; run.json records the configuration. */
static void test_clean_run(void) {
    const char* dir = tmp_dir();
    CU_ASSERT_EQUAL_FATAL(run_report(dir, SMALL " --set cache.ways=4 --set iotlb.entries=16"), 0);
    CU_ASSERT(has(out, "report:     "));
    char* html = slurp(dir, "report.html");
    char* md = slurp(dir, "report.md");
    char* sarif = slurp(dir, "findings.sarif");
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    CU_ASSERT_PTR_NOT_NULL(sarif);
    char path[512];
    snprintf(path, sizeof path, "%s/run.json", dir);
    json_t* j = json_load_file(path, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t* cfg = json_object_get(j, "config");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(cfg, "cache.ways"), "value")), "4");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(cfg, "cache.ways"), "default")), "8");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(cfg, "workload.transfers"), "value")), "4");
    CU_ASSERT_PTR_NULL(json_object_get(cfg, "cache.size")); /* a default is not listed */
    json_decref(j);
    CU_ASSERT(has(html, "<span class=\"verdict good\">data VERIFIED</span>"));
    CU_ASSERT(has(html, "<span class=\"verdict good\">0 findings</span>"));
    CU_ASSERT(has(html, "<tr><td>cache.ways</td><td>4</td><td>8</td></tr>"));
    CU_ASSERT(has(html, "<tr><td>iotlb.entries</td><td>16</td><td>"));
    CU_ASSERT(has(html, "<h3 id=\"stats-cache\">CPU cache</h3>"));
    CU_ASSERT(has(html, "<h3 id=\"stats-iotlb\">IOTLB and IOMMU: translations, page walks, invalidations</h3>"));
    CU_ASSERT(has(html, "<td>lookups</td>"));
    CU_ASSERT(has(html, "<a href=\"findings.sarif\">findings.sarif</a>"));
    CU_ASSERT(has(html, "The coherency checker reported no finding."));
    CU_ASSERT(has(md, "**data VERIFIED**"));
    CU_ASSERT(has(md, "| cache.ways | 4 | 8 |"));
    CU_ASSERT(has(md, "### CPU cache"));
    CU_ASSERT(has(md, "[findings.sarif](<findings.sarif>)"));
    free(html);
    free(md);
    free(sarif);
    cleanup();
}

/* A bug of the catalogue: the verdict, the finding's kind at file:line with its quoted source
 * line (HTML-escaped in the page) and its call stack. */
static void test_bug_run(void) {
    const char* dir = tmp_dir();
    CU_ASSERT_EQUAL_FATAL(run_report(dir, "--driver bug:missing-clean " SMALL), 1);
    char path[512];
    snprintf(path, sizeof path, "%s/run.json", dir);
    json_t* j = json_load_file(path, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t* fd = json_array_get(json_object_get(j, "findings"), 0);
    CU_ASSERT_STRING_EQUAL_FATAL(json_string_value(json_object_get(fd, "kind")), "stale-device-read");
    json_t* loc = json_object_get(fd, "location");
    const char* file = json_string_value(json_object_get(loc, "file"));
    const long long line = json_integer_value(json_object_get(loc, "line"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    CU_ASSERT_FATAL(line > 0);
    char src[512], esc[2048], want[4096];
    CU_ASSERT_EQUAL_FATAL(source_line(file, line, src, sizeof src), 0);
    char* html = slurp(dir, "report.html");
    char* md = slurp(dir, "report.md");
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    CU_ASSERT(has(html, "<span class=\"verdict bad\">data WRONG</span>"));
    CU_ASSERT(has(md, "**data WRONG**"));
    snprintf(want, sizeof want, "stale-device-read at %s:%lld", file, line);
    CU_ASSERT(has(html, want));
    html_escape(src, esc, sizeof esc);
    snprintf(want, sizeof want, "&gt; %6lld | %s\n", line, esc);
    CU_ASSERT(has(html, want));
    snprintf(want, sizeof want, "> %6lld | %s\n", line, src); /* Markdown: a code block, as is */
    CU_ASSERT(has(md, want));
    /* the call stack: frame 0 is the finding's place */
    json_t* f0 = json_array_get(json_object_get(fd, "stack"), 0);
    snprintf(want, sizeof want, "  #0 %s:%lld (", json_string_value(json_object_get(f0, "file")),
             (long long)json_integer_value(json_object_get(f0, "line")));
    CU_ASSERT(has(html, want));
    CU_ASSERT(has(md, want));
    CU_ASSERT(has(html, "<h2 id=\"findings\">Findings</h2>"));
    json_decref(j);
    free(html);
    free(md);
    cleanup();
}

/* The same seed gives the same bytes, in two folders; `staleline report` alone rewrites the
 * same report. */
static void test_deterministic(void) {
    const char* a = tmp_dir();
    const char* b = tmp_dir();
    CU_ASSERT_EQUAL_FATAL(run_report(a, "--driver bug:missing-clean --seed 5 " SMALL), 1);
    CU_ASSERT_EQUAL_FATAL(run_report(b, "--driver bug:missing-clean --seed 5 " SMALL), 1);
    char* ha = slurp(a, "report.html");
    char* hb = slurp(b, "report.html");
    char* ma = slurp(a, "report.md");
    char* mb = slurp(b, "report.md");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ha);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ma);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
    CU_ASSERT_STRING_EQUAL(ha, hb);
    CU_ASSERT_STRING_EQUAL(ma, mb);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "report %s", a);
    CU_ASSERT_EQUAL(sl_test_staleline(cmd, &out), 0);
    char* again = slurp(a, "report.html");
    CU_ASSERT_PTR_NOT_NULL_FATAL(again);
    CU_ASSERT_STRING_EQUAL(again, ha);
    free(ha);
    free(hb);
    free(ma);
    free(mb);
    free(again);
    cleanup();
}

/* A folder that does not exist, an empty one, a run.json that is not a run's: exit 2 and a
 * message naming the problem. */
static void test_bad_folders(void) {
    CU_ASSERT_EQUAL(sl_test_staleline("report /nonexistent/sl-report-folder", &out), 2);
    CU_ASSERT(has(out, "staleline report: /nonexistent/sl-report-folder: no such folder\n"));
    const char* dir = tmp_dir();
    char cmd[256], want[512];
    snprintf(cmd, sizeof cmd, "report %s", dir);
    CU_ASSERT_EQUAL(sl_test_staleline(cmd, &out), 2);
    snprintf(want, sizeof want, "staleline report: %s has no run.json: write one with `staleline run --report %s`", dir, dir);
    CU_ASSERT(has(out, want));
    write_file(dir, "run.json", "{\"hello\": 1}\n");
    CU_ASSERT_EQUAL(sl_test_staleline(cmd, &out), 2);
    CU_ASSERT(has(out, "is not the JSON of a `staleline run` (no data_ok and findings)"));
    write_file(dir, "run.json", "{\"data_ok\": tru");
    CU_ASSERT_EQUAL(sl_test_staleline(cmd, &out), 2);
    CU_ASSERT(has(out, "run.json: line 1: "));
    CU_ASSERT_EQUAL(sl_test_staleline("report", &out), 2);
    CU_ASSERT(has(out, "staleline report: expected one run folder"));
    cleanup();
}

/* A hand-written run folder (report_fixture/) with what other parts of a run may add: a
 * latency breakdown in run.json, a timeline, a waveform and its save file. Text from the run
 * (a message that is a script, file names with markup) is escaped. */

static void test_present_parts_and_escaping(void) {
    const char* dir = tmp_dir();
    char cp[1024];
    snprintf(cp, sizeof cp, "cp %s/testbench/tests/report_fixture/run.json %s/testbench/tests/report_fixture/timeline.json %s",
             SL_SOURCE_DIR, SL_SOURCE_DIR, dir);
    CU_ASSERT_EQUAL_FATAL(system(cp), 0);
    write_file(dir, "run.fst", "");
    write_file(dir, "run.gtkw", "");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "report %s", dir);
    CU_ASSERT_EQUAL_FATAL(sl_test_staleline(cmd, &out), 0);
    char* html = slurp(dir, "report.html");
    char* md = slurp(dir, "report.md");
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    /* escaped, never markup */
    CU_ASSERT(has(html, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"));
    CU_ASSERT_PTR_NULL(strstr(html, "<script>alert"));
    CU_ASSERT(has(html, "driver drv&lt;x&gt;, workload copy"));
    CU_ASSERT(has(html, "First problem: byte 7 &amp; &lt;more&gt;"));
    CU_ASSERT(has(html, "stale-device-read at no/such&lt;file&gt;.c:9 (f)"));
    CU_ASSERT(has(md, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    CU_ASSERT_PTR_NULL(strstr(md, "<script>"));
    /* the latency breakdown: the plot and the table */
    CU_ASSERT(has(html, "<img alt=\"latency breakdown: mean time per stage\" src=\"data:image/svg+xml;base64,"));
    CU_ASSERT(has(html, "<tr><td>driver_prep</td><td class=\"num\">300</td><td class=\"num\">280</td>"
                        "<td class=\"num\">350</td><td class=\"num\">30.0%</td></tr>"));
    CU_ASSERT(has(html, "<tr><td>total</td><td class=\"num\">1000</td><td class=\"num\">990</td>"
                        "<td class=\"num\">1200</td><td class=\"num\">100.0%</td></tr>"));
    CU_ASSERT(has(md, "| memory | 700 | 690 | 900 | 70.0% |"));
    CU_ASSERT(has(md, "![latency breakdown: mean time per stage](report-latency.svg)"));
    char* lat = slurp(dir, "report-latency.svg");
    CU_ASSERT(has(lat, "<title>memory: 700 ns</title>"));
    CU_ASSERT(has(lat, ">Mean time per operation by stage: 1000 ns</text>"));
    /* the timeline: three lanes named by their metadata, every event, the finding marked */
    CU_ASSERT(has(html, "All 5 events, on 3 tracks, from 0.500 us to 3.500 us of simulated time; the dashed red line "
                        "is the first finding."));
    char* tl = slurp(dir, "report-timeline.svg");
    CU_ASSERT(has(tl, ">driver: run</text>"));
    CU_ASSERT(has(tl, ">dma_engine: tid 1</text>"));
    CU_ASSERT(has(tl, ">pid 3: dram_bw</text>"));
    CU_ASSERT(has(tl, "<title>read &lt;burst&gt; [axi] at 1.500 us for 2.000 us</title>"));
    CU_ASSERT(has(tl, "fill=\"#c62828\"><title>stale-device-read at 2.000 us</title>"));
    /* the files */
    CU_ASSERT(has(html, "<a href=\"run.fst\">run.fst</a>"));
    CU_ASSERT(has(html, "GTKWave save file (signal layout, markers): <a href=\"run.gtkw\">run.gtkw</a>"));
    CU_ASSERT(has(html, "<a href=\"timeline.json\">timeline.json</a>"));
    CU_ASSERT(has(html, "SARIF log: not in the folder"));
    CU_ASSERT(has(html, "<tr><td>misses_per_mib</td><td class=\"num\">1.500</td></tr>"));
    CU_ASSERT(has(html, "<h3 id=\"stats-iommu\">IOMMU</h3>"));
    free(html);
    free(md);
    free(lat);
    free(tl);
    cleanup();
}

/* Without them: the sections say they were not recorded and how to record them. */
static void test_absent_parts(void) {
    const char* dir = tmp_dir();
    write_file(dir, "run.json",
               "{\"data_ok\": true, \"driver\": \"dmac\", \"workload\": \"copy\", \"seed\": 1, \"findings\": [],\n"
               " \"stats\": {}}\n");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "report %s", dir);
    CU_ASSERT_EQUAL_FATAL(sl_test_staleline(cmd, &out), 0);
    char* html = slurp(dir, "report.html");
    char* md = slurp(dir, "report.md");
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    CU_ASSERT(has(html, "<p>Not recorded: the folder has no timeline.json. `staleline run --report DIR`"));
    CU_ASSERT(has(html, "<p>Not recorded: run.json has no &quot;latency_breakdown&quot; (a run with --no-latency-breakdown"));
    CU_ASSERT(has(html, "Non-default parameters: not recorded"));
    CU_ASSERT(has(html, "Waveform: none in the folder"));
    CU_ASSERT(has(html, "<p>CPU cache: not in run.json.</p>"));
    CU_ASSERT(has(md, "Not recorded: the folder has no timeline.json. \\`staleline run --report DIR\\`"));
    CU_ASSERT_PTR_NULL(strstr(html, "<img alt="));
    free(html);
    free(md);
    cleanup();
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_clean_run),
        SL_TEST(test_bug_run),
        SL_TEST(test_deterministic),
        SL_TEST(test_bad_folders),
        SL_TEST(test_present_parts_and_escaping),
        SL_TEST(test_absent_parts),
    };
    int rc = sl_test_main(argc, argv, "report", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
