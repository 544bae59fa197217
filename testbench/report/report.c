/* The review report of a run folder (report.h): reads DIR/run.json, looks for the SARIF
 * log, the timeline and waveforms next to it, and writes the same document twice, as
 * report.html and report.md (report_doc.h). */
#define _GNU_SOURCE
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_source.h"
#include "report_doc.h"
#include "report_svg.h"

#define MAX_PLACES 20           /* finding places shown in full */
#define TIMELINE_MAX_EVENTS 600 /* events drawn in the timeline view */
#define SNIPPET_CONTEXT 2       /* source lines shown before and after a finding's line */

typedef struct report {
    const char* dir;
    json_t* run;        /* run.json */
    json_t* timeline;   /* timeline.json, or NULL */
    char timeline_error[256];
    int have_sarif;
    char** waves;       /* *.fst, *.vcd, *.gtkw in DIR, sorted */
    size_t nwaves;
} report_t;

static json_t* get(json_t* o, const char* k) { return json_object_get(o, k); }
static const char* str(json_t* o, const char* k) {
    const char* s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}
static long long inum(json_t* o, const char* k) {
    json_t* v = json_object_get(o, k);
    if (json_is_integer(v)) return (long long)json_integer_value(v);
    return json_is_real(v) && fabs(json_real_value(v)) < 9e18 ? (long long)json_real_value(v) : 0;
}
static double dnum(json_t* o, const char* k) {
    json_t* v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

static int file_exists(const char* dir, const char* name) {
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int name_cmp(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static int ends_with(const char* s, const char* tail) {
    const size_t n = strlen(s), t = strlen(tail);
    return n > t && !strcmp(s + n - t, tail);
}

static void find_waves(report_t* r) {
    DIR* d = opendir(r->dir);
    if (!d) return;
    struct dirent* e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".fst") && !ends_with(e->d_name, ".vcd") && !ends_with(e->d_name, ".gtkw")) continue;
        char** grown = realloc(r->waves, (r->nwaves + 1) * sizeof *grown);
        if (!grown) break;
        r->waves = grown;
        r->waves[r->nwaves++] = strdup(e->d_name);
    }
    closedir(d);
    if (r->nwaves) qsort(r->waves, r->nwaves, sizeof *r->waves, name_cmp); /* the same order on every host */
}

static void format_bytes(char* out, size_t len, long long b) {
    if (b >= (1ll << 20)) snprintf(out, len, "%.2f MiB", (double)b / (1 << 20));
    else if (b >= 1024) snprintf(out, len, "%.2f KiB", (double)b / 1024);
    else snprintf(out, len, "%lld B", b);
}

/* ---- sections ---- */

static void section_configuration(rdoc_t* d, const report_t* r) {
    json_t* run = r->run;
    rdoc_heading(d, 2, "configuration", "Configuration");
    char seed[32], simt[64], devs[2048] = "";
    snprintf(seed, sizeof seed, "%lld", inum(run, "seed"));
    snprintf(simt, sizeof simt, "%lld ns (%.3f ms)", inum(run, "sim_time_ns"), (double)inum(run, "sim_time_ns") / 1e6);
    json_t* devices = get(run, "devices");
    for (size_t i = 0; i < json_array_size(devices); ++i) {
        json_t* dv = json_array_get(devices, i);
        size_t have = strlen(devs);
        snprintf(devs + have, sizeof devs - have, "%s%s (%s, slot %lld%s)", i ? ", " : "", str(dv, "name"),
                 str(dv, "kind"), inum(dv, "slot"), json_is_true(get(dv, "bound")) ? ", bound" : "");
    }
    static const char* const head[] = {"run", "value"};
    rdoc_table_begin(d, 2, head);
    const char* rows[][2] = {{"driver", str(run, "driver")}, {"workload", str(run, "workload")}, {"seed", seed},
                             {"simulated time", simt},       {"devices", devs},                 {"checker", str(run, "checker_mode")}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; ++i) rdoc_table_row(d, 2, rows[i]);
    rdoc_table_end(d);
    json_t* cfg = get(run, "config");
    if (!json_is_object(cfg)) {
        rdoc_para(d, "Non-default parameters: not recorded (this run.json has no \"config\" key; "
                     "`staleline run --json` writes it).");
        return;
    }
    if (json_object_size(cfg) == 0) {
        rdoc_para(d, "Every parameter has its default value (`staleline params` lists them).");
        return;
    }
    rdoc_para(d, "Non-default parameters (%zu; every other parameter has its default, `staleline params`):",
              json_object_size(cfg));
    static const char* const phead[] = {"parameter", "value", "default"};
    rdoc_table_begin(d, 3, phead);
    const char* key;
    json_t* v;
    json_object_foreach(cfg, key, v) {
        const char* row[3] = {key, str(v, "value"), str(v, "default")};
        rdoc_table_row(d, 3, row);
    }
    rdoc_table_end(d);
}

static void section_verdict(rdoc_t* d, const report_t* r) {
    json_t* run = r->run;
    json_t* w = get(run, "workload_result");
    const size_t nf = json_array_size(get(run, "findings"));
    rdoc_heading(d, 2, "verdict", "Verdict");
    const int ok = json_is_true(get(run, "data_ok"));
    char moved[32], checked[32], line[512];
    format_bytes(moved, sizeof moved, inum(w, "bytes"));
    format_bytes(checked, sizeof checked, inum(w, "bytes_checked"));
    snprintf(line, sizeof line, "%lld operations, %s moved, %s checked, %lld bad bytes, %lld failed operations.",
             inum(w, "operations"), moved, checked, inum(w, "bad_bytes"), inum(w, "failed_ops"));
    rdoc_verdict(d, ok, ok ? "data VERIFIED" : "data WRONG", line);
    char label[64];
    snprintf(label, sizeof label, "%zu finding%s", nf, nf == 1 ? "" : "s");
    rdoc_verdict(d, nf == 0, label, nf ? "of the coherency checker: see Findings." : "from the coherency checker.");
    if (*str(run, "problem")) rdoc_para(d, "Problem: %s", str(run, "problem"));
    if (*str(w, "detail")) rdoc_para(d, "First problem: %s", str(w, "detail"));
}

static void place_of(json_t* loc, char* out, size_t len) {
    if (*str(loc, "file")) {
        int n = snprintf(out, len, "%s:%lld", str(loc, "file"), inum(loc, "line"));
        if (*str(loc, "function") && n > 0 && (size_t)n < len) snprintf(out + n, len - (size_t)n, " (%s)", str(loc, "function"));
    } else {
        snprintf(out, len, "%s", *str(loc, "function") ? str(loc, "function") : "(no source location)");
    }
}

static int same_place(json_t* a, json_t* b) {
    return !strcmp(str(a, "kind"), str(b, "kind")) && !strcmp(str(get(a, "location"), "file"), str(get(b, "location"), "file")) &&
           inum(get(a, "location"), "line") == inum(get(b, "location"), "line");
}

/* The finding's line with SNIPPET_CONTEXT lines around it, the line itself marked. */
static char* snippet(json_t* loc) {
    const long long line = inum(loc, "line");
    if (!*str(loc, "file") || line <= 0) return NULL;
    char* buf = NULL;
    size_t len = 0;
    FILE* f = open_memstream(&buf, &len);
    if (!f) return NULL;
    int any = 0;
    for (long long l = line - SNIPPET_CONTEXT; l <= line + SNIPPET_CONTEXT; ++l) {
        char text[512];
        if (l < 1 || cli_source_line(str(loc, "file"), (unsigned)l, text, sizeof text)) continue;
        fprintf(f, "%s %6lld | %s\n", l == line ? ">" : " ", l, text);
        any = 1;
    }
    fclose(f);
    if (!any) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void section_findings(rdoc_t* d, const report_t* r) {
    json_t* findings = get(r->run, "findings");
    const size_t n = json_array_size(findings);
    rdoc_heading(d, 2, "findings", "Findings");
    if (!n) {
        rdoc_para(d, "The coherency checker reported no finding.");
        return;
    }
    /* one entry per kind and source line, as the summary groups them */
    size_t places = 0, shown = 0;
    for (size_t i = 0; i < n; ++i) {
        int first = 1;
        for (size_t k = 0; k < i && first; ++k) first = !same_place(json_array_get(findings, i), json_array_get(findings, k));
        places += first;
    }
    rdoc_para(d, "%zu finding%s at %zu place%s (kind and source line)%s.", n, n == 1 ? "" : "s", places,
              places == 1 ? "" : "s", places > MAX_PLACES ? "; the first places are shown, run.json and the SARIF log hold all" : "");
    for (size_t i = 0; i < n && shown < MAX_PLACES; ++i) {
        json_t* fd = json_array_get(findings, i);
        int first = 1;
        for (size_t k = 0; k < i && first; ++k) first = !same_place(fd, json_array_get(findings, k));
        if (!first) continue;
        ++shown;
        size_t same = 0;
        for (size_t k = i + 1; k < n; ++k) same += same_place(fd, json_array_get(findings, k));
        char place[1024], title[1200], id[32];
        place_of(get(fd, "location"), place, sizeof place);
        snprintf(title, sizeof title, "%s at %s", str(fd, "kind"), place);
        snprintf(id, sizeof id, "finding-%zu", shown);
        rdoc_heading(d, 3, id, title);
        rdoc_para(d, "%s", str(fd, "message"));
        rdoc_para(d, "At %lld ns of simulated time%s%s; %lld occurrence%s.", inum(fd, "time_ns"),
                  *str(fd, "evidence") ? ", evidence: " : "", str(fd, "evidence"), inum(fd, "count"),
                  inum(fd, "count") == 1 ? "" : "s");
        if (same) rdoc_para(d, "And %zu more %s finding%s at this line.", same, str(fd, "kind"), same == 1 ? "" : "s");
        char* src = snippet(get(fd, "location"));
        if (src) rdoc_code(d, src);
        free(src);
        json_t* stack = get(fd, "stack");
        if (json_array_size(stack)) {
            char* buf = NULL;
            size_t len = 0;
            FILE* f = open_memstream(&buf, &len);
            if (f) {
                fputs("call stack:\n", f);
                for (size_t k = 0; k < json_array_size(stack); ++k) {
                    char p[1024];
                    place_of(json_array_get(stack, k), p, sizeof p);
                    fprintf(f, "  #%zu %s\n", k, p);
                }
                fclose(f);
                rdoc_code(d, buf);
            }
            free(buf);
        }
        json_t* rel = get(fd, "related");
        if (json_is_object(rel)) {
            char p[1024];
            place_of(get(rel, "location"), p, sizeof p);
            rdoc_para(d, "Related: %s at %s, %lld ns: %s", str(rel, "what"), p, inum(rel, "time_ns"), str(rel, "message"));
        }
    }
    if (places > shown) rdoc_para(d, "... %zu more places: see run.json or the SARIF log.", places - shown);
}

static void fmt_ns(char* out, size_t len, json_t* o, const char* key) { snprintf(out, len, "%.0f", dnum(o, key)); }

static void section_latency(rdoc_t* d, const report_t* r) {
    rdoc_heading(d, 2, "latency", "Latency breakdown");
    json_t* b = get(r->run, "latency_breakdown");
    json_t* stages = get(b, "stages");
    if (!json_is_object(b) || !json_array_size(stages)) {
        rdoc_para(d, "Not recorded: run.json has no \"latency_breakdown\" (a run with --no-latency-breakdown, or "
                     "by an older staleline). `staleline run --report DIR` records it.");
        return;
    }
    rdoc_para(d, "Where the time of an operation goes, from the first driver call to completion, over %lld "
                 "operations. The bar stacks the stages' mean times; the table gives mean, p50 and p99 per stage "
                 "(the percentiles of the stages do not add up to the total's).",
              inum(b, "operations"));
    char* svg = report_latency_svg(b);
    if (svg) rdoc_svg(d, svg, "report-latency.svg", "latency breakdown: mean time per stage");
    free(svg);
    double total = 0;
    for (size_t i = 0; i < json_array_size(stages); ++i) total += dnum(json_array_get(stages, i), "mean_ns");
    static const char* const head[] = {"stage", "mean ns#", "p50 ns#", "p99 ns#", "share of mean#"};
    rdoc_table_begin(d, 5, head);
    for (size_t i = 0; i < json_array_size(stages); ++i) {
        json_t* s = json_array_get(stages, i);
        char mean[32], p50[32], p99[32], share[32];
        fmt_ns(mean, sizeof mean, s, "mean_ns");
        fmt_ns(p50, sizeof p50, s, "p50_ns");
        fmt_ns(p99, sizeof p99, s, "p99_ns");
        snprintf(share, sizeof share, "%.1f%%", total > 0 ? 100.0 * dnum(s, "mean_ns") / total : 0.0);
        const char* row[5] = {str(s, "name"), mean, p50, p99, share};
        rdoc_table_row(d, 5, row);
    }
    json_t* t = get(b, "total");
    if (json_is_object(t)) {
        char mean[32], p50[32], p99[32];
        fmt_ns(mean, sizeof mean, t, "mean_ns");
        fmt_ns(p50, sizeof p50, t, "p50_ns");
        fmt_ns(p99, sizeof p99, t, "p99_ns");
        const char* row[5] = {"total", mean, p50, p99, "100.0%"};
        rdoc_table_row(d, 5, row);
    }
    rdoc_table_end(d);
}

/* The scalar members of a statistics object, nested objects as "outer.inner". */
static void stat_rows(rdoc_t* d, json_t* o, const char* prefix) {
    const char* key;
    json_t* v;
    json_object_foreach(o, key, v) {
        char name[256], value[64];
        snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "", key);
        if (json_is_object(v)) {
            stat_rows(d, v, name);
            continue;
        }
        if (json_is_integer(v)) snprintf(value, sizeof value, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v)) snprintf(value, sizeof value, "%.3f", json_real_value(v));
        else if (json_is_string(v)) snprintf(value, sizeof value, "%s", json_string_value(v));
        else if (json_is_boolean(v)) snprintf(value, sizeof value, "%s", json_is_true(v) ? "true" : "false");
        else continue; /* arrays: not a counter */
        const char* row[2] = {name, value};
        rdoc_table_row(d, 2, row);
    }
}

static const char* stat_title(const char* key) {
    if (!strcmp(key, "cache")) return "CPU cache";
    if (!strcmp(key, "iotlb")) return "IOTLB and IOMMU: translations, page walks, invalidations";
    if (!strcmp(key, "iommu")) return "IOMMU";
    if (!strcmp(key, "dma")) return "DMA transfers";
    if (!strcmp(key, "shim")) return "Driver runtime (shim)";
    if (!strcmp(key, "irq")) return "Interrupts";
    if (!strcmp(key, "dram")) return "DRAM";
    return key;
}

static void stat_table(rdoc_t* d, const char* key, json_t* o) {
    char id[96];
    snprintf(id, sizeof id, "stats-%s", key);
    rdoc_heading(d, 3, id, stat_title(key));
    static const char* const head[] = {"counter", "value#"};
    rdoc_table_begin(d, 2, head);
    stat_rows(d, o, "");
    rdoc_table_end(d);
}

static void section_statistics(rdoc_t* d, const report_t* r) {
    rdoc_heading(d, 2, "statistics", "Statistics");
    json_t* stats = get(r->run, "stats");
    /* The IOMMU's counters are the IOTLB's (walks, faults, invalidations); a separate "iommu"
     * object, when a platform has one, follows them. */
    static const char* const first[] = {"cache", "iotlb", "iommu"};
    for (size_t i = 0; i < 3; ++i) {
        if (json_is_object(get(stats, first[i]))) stat_table(d, first[i], get(stats, first[i]));
        else if (i < 2) rdoc_para(d, "%s: not in run.json.", stat_title(first[i]));
    }
    const char* key;
    json_t* v;
    json_object_foreach(stats, key, v) {
        if (json_is_object(v) && strcmp(key, "cache") && strcmp(key, "iotlb") && strcmp(key, "iommu")) stat_table(d, key, v);
    }
}

/* The earliest finding's time in µs, -1 without findings. */
static double first_finding_us(json_t* run) {
    json_t* findings = get(run, "findings");
    double best = -1;
    for (size_t i = 0; i < json_array_size(findings); ++i) {
        const double t = (double)inum(json_array_get(findings, i), "time_ns") / 1000.0;
        if (best < 0 || t < best) best = t;
    }
    return best;
}

static void section_timeline(rdoc_t* d, const report_t* r) {
    rdoc_heading(d, 2, "timeline", "Timeline");
    if (!r->timeline) {
        if (r->timeline_error[0]) rdoc_para(d, "timeline.json could not be read: %s", r->timeline_error);
        else
            rdoc_para(d, "Not recorded: the folder has no timeline.json. `staleline run --report DIR` records it there "
                         "(a --timeline FILE elsewhere takes its place; --timeline-categories keeps big runs small).");
        return;
    }
    report_window_t w;
    char* svg = report_timeline_svg(r->timeline, first_finding_us(r->run), TIMELINE_MAX_EVENTS, &w);
    if (!svg) {
        rdoc_para(d, "timeline.json holds no event to draw.");
        return;
    }
    const int focus_shown = w.focus_us >= w.from_us && w.focus_us <= w.to_us;
    if (w.shown < w.total)
        rdoc_para(d, "%zu of the %zu events, on %zu track%s: the time window %.3f us to %.3f us %s (at most %d events "
                     "are drawn; the window is halved until they fit). timeline.json holds them all: open it in a "
                     "trace viewer such as Perfetto.",
                  w.shown, w.total, w.tracks, w.tracks == 1 ? "" : "s", w.from_us, w.to_us,
                  w.focus_us >= 0 ? "around the first finding (dashed red line)" : "from the start of the run",
                  TIMELINE_MAX_EVENTS);
    else
        rdoc_para(d, "All %zu event%s, on %zu track%s, from %.3f us to %.3f us of simulated time%s.", w.total,
                  w.total == 1 ? "" : "s", w.tracks, w.tracks == 1 ? "" : "s", w.from_us, w.to_us,
                  focus_shown ? "; the dashed red line is the first finding" : "");
    rdoc_svg(d, svg, "report-timeline.svg", "timeline: one lane per track");
    free(svg);
}

static void section_files(rdoc_t* d, const report_t* r, int html) {
    rdoc_heading(d, 2, "files", "Files of the run");
    rdoc_list_item(d, "The run as JSON: ", "run.json", "run.json");
    if (r->have_sarif) rdoc_list_item(d, "The findings as a SARIF 2.1.0 log (code-scanning tools, editors): ", "findings.sarif", "findings.sarif");
    else rdoc_list_item(d, "SARIF log: not in the folder (`staleline run --sarif DIR/findings.sarif`).", NULL, NULL);
    if (r->timeline) rdoc_list_item(d, "The timeline as Chrome trace-event JSON (Perfetto): ", "timeline.json", "timeline.json");
    for (size_t i = 0; i < r->nwaves; ++i) {
        const char* w = r->waves[i];
        rdoc_list_item(d, ends_with(w, ".gtkw") ? "GTKWave save file (signal layout, markers): " : "Waveform: ", w, w);
    }
    if (!r->nwaves)
        rdoc_list_item(d, "Waveform: none in the folder (record one into it: `staleline run --wave DIR/run.fst --report DIR`).", NULL, NULL);
    rdoc_list_item(d, html ? "This report as Markdown: " : "This report as one HTML page: ", html ? "report.md" : "report.html",
                   html ? "report.md" : "report.html");
    rdoc_list_end(d);
}

static int write_one(report_t* r, rdoc_format_t format, const char* name, char* err, size_t errlen) {
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", r->dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE* f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    rdoc_t d = {f, format, r->dir, 0, 0, 0, {0}};
    char title[512];
    snprintf(title, sizeof title, "Staleline review: driver %s, workload %s, seed %lld", str(r->run, "driver"),
             str(r->run, "workload"), inum(r->run, "seed"));
    rdoc_begin(&d, title);
    rdoc_para(&d, "Sections: configuration, verdict, findings, latency breakdown, statistics, timeline, files.");
    section_configuration(&d, r);
    section_verdict(&d, r);
    section_findings(&d, r);
    section_latency(&d, r);
    section_statistics(&d, r);
    section_timeline(&d, r);
    section_files(&d, r, format == RDOC_HTML);
    rdoc_end(&d);
    int bad = ferror(f) || d.failed;
    if (fclose(f)) bad = 1;
    if (bad || rename(tmp, path)) {
        snprintf(err, errlen, "cannot write %s", path);
        remove(tmp);
        return -1;
    }
    return 0;
}

int sl_report_render(const char* dir, char* err, size_t errlen) {
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: no such folder", dir);
        return -1;
    }
    report_t r;
    memset(&r, 0, sizeof r);
    r.dir = dir;
    char path[4096];
    snprintf(path, sizeof path, "%s/run.json", dir);
    if (!file_exists(dir, "run.json")) {
        snprintf(err, errlen,
                 "%s has no run.json: write one with `staleline run --report %s` (or `staleline run --json %s/run.json`)",
                 dir, dir, dir);
        return -1;
    }
    json_error_t je;
    r.run = json_load_file(path, 0, &je);
    if (!json_is_object(r.run) || !json_is_boolean(get(r.run, "data_ok")) || !json_is_array(get(r.run, "findings"))) {
        if (r.run) snprintf(err, errlen, "%s is not the JSON of a `staleline run` (no data_ok and findings)", path);
        else snprintf(err, errlen, "%s: line %d: %s", path, je.line, je.text);
        json_decref(r.run);
        return -1;
    }
    r.have_sarif = file_exists(dir, "findings.sarif");
    if (file_exists(dir, "timeline.json")) {
        snprintf(path, sizeof path, "%s/timeline.json", dir);
        r.timeline = json_load_file(path, 0, &je);
        if (!r.timeline) snprintf(r.timeline_error, sizeof r.timeline_error, "line %d: %s", je.line, je.text);
    }
    find_waves(&r);
    int rc = write_one(&r, RDOC_HTML, "report.html", err, errlen);
    if (!rc) rc = write_one(&r, RDOC_MARKDOWN, "report.md", err, errlen);
    json_decref(r.run);
    json_decref(r.timeline);
    for (size_t i = 0; i < r.nwaves; ++i) free(r.waves[i]);
    free(r.waves);
    return rc;
}
