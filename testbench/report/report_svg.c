/* SVG drawing of the report's pictures (report_svg.h). Coordinates are printed with fixed
 * precision, so the same input gives the same bytes. */
#define _GNU_SOURCE
#include "report_svg.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_doc.h"

static const char* const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
                                      "#edc948", "#9c755f", "#ff9da7", "#bab0ac", "#86bcb6"};
#define NPALETTE (sizeof palette / sizeof palette[0])

static double num(json_t* o, const char* key) {
    json_t* v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

static void svg_open(FILE* f, int w, int h) {
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
            w, h, w, h, w, h);
}

/* A round step for axis ticks: 1, 2 or 5 times a power of ten, about span/5. */
static double tick_step(double span) {
    double step = 1e-3;
    while (step * 5 < span) {
        if (step * 2 * 5 >= span) return step * 2;
        if (step * 5 * 5 >= span) return step * 5;
        step *= 10;
    }
    return step;
}

char* report_latency_svg(json_t* breakdown) {
    json_t* stages = json_object_get(breakdown, "stages");
    const size_t n = json_array_size(stages);
    if (!n) return NULL;
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += num(json_array_get(stages, i), "mean_ns");
    char* buf = NULL;
    size_t len = 0;
    FILE* f = open_memstream(&buf, &len);
    if (!f) return NULL;
    const int width = 1000, left = 20, plot = width - 2 * left, bar_y = 40, bar_h = 44;
    const int legend_rows = (int)((n + 2) / 3);
    const int height = bar_y + bar_h + 40 + legend_rows * 22 + 10;
    svg_open(f, width, height);
    fprintf(f, "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">Mean time per operation by stage: "
               "%.0f ns</text>\n", left, total);
    double x = left;
    for (size_t i = 0; i < n; ++i) {
        json_t* s = json_array_get(stages, i);
        const double w = total > 0 && num(s, "mean_ns") > 0 ? num(s, "mean_ns") / total * plot : 0;
        fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>", x, bar_y, w, bar_h,
                palette[i % NPALETTE]);
        rdoc_html_escape(f, json_string_value(json_object_get(s, "name")));
        fprintf(f, ": %.0f ns</title></rect>\n", num(s, "mean_ns"));
        x += w;
    }
    /* the axis in ns */
    const double step = tick_step(total > 0 ? total : 1);
    for (int k = 0; k < 40 && total > 0 && k * step <= total + 1e-9; ++k) {
        const double t = k * step, tx = left + t / total * plot;
        fprintf(f, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#555\"/>", tx, bar_y + bar_h, tx,
                bar_y + bar_h + 5);
        fprintf(f, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"%s\" font-size=\"10\">%.0f ns</text>\n", tx,
                bar_y + bar_h + 17, tx > width - left - 30 ? "end" : tx < left + 30 ? "start" : "middle", t);
    }
    for (size_t i = 0; i < n; ++i) {
        json_t* s = json_array_get(stages, i);
        const int lx = left + (int)(i % 3) * (plot / 3), ly = bar_y + bar_h + 34 + (int)(i / 3) * 22;
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>", lx, ly, palette[i % NPALETTE]);
        fprintf(f, "<text x=\"%d\" y=\"%d\">", lx + 20, ly + 12);
        rdoc_html_escape(f, json_string_value(json_object_get(s, "name")));
        fprintf(f, " %.0f ns (%.1f%%)</text>\n", num(s, "mean_ns"), total > 0 ? 100.0 * num(s, "mean_ns") / total : 0.0);
    }
    fputs("</svg>\n", f);
    fclose(f);
    return buf;
}

/* ---- timeline ---- */

typedef struct lane {
    long long pid, tid;  /* tid -1: a counter lane named by counter */
    const char* counter;
    char label[112];
    double max_value;    /* counters */
} lane_t;

static long long ival(json_t* e, const char* key) {
    json_t* v = json_object_get(e, key);
    if (json_is_integer(v)) return (long long)json_integer_value(v);
    return json_is_real(v) && fabs(json_real_value(v)) < 9e18 ? (long long)json_real_value(v) : 0;
}

static const char* sval(json_t* e, const char* key) {
    const char* s = json_string_value(json_object_get(e, key));
    return s ? s : "";
}

static char phase(json_t* e) { return sval(e, "ph")[0]; }
static int drawable_phase(char ph) { return ph == 'X' || ph == 'i' || ph == 'I' || ph == 'C'; }

/* An event the view can place: a known phase and times within 10^15 µs (31 years), so sums
 * and scales stay finite whatever the file holds. */
static int drawable(json_t* e) {
    if (!drawable_phase(phase(e)) || !json_is_number(json_object_get(e, "ts"))) return 0;
    const double ts = num(e, "ts"), dur = phase(e) == 'X' ? num(e, "dur") : 0;
    return ts > -1e15 && ts < 1e15 && dur >= 0 && dur < 1e15;
}

static const char* meta_name(json_t* events, const char* what, long long pid, long long tid) {
    for (size_t i = 0; i < json_array_size(events); ++i) {
        json_t* e = json_array_get(events, i);
        if (phase(e) == 'M' && !strcmp(sval(e, "name"), what) && ival(e, "pid") == pid &&
            (tid < 0 || ival(e, "tid") == tid))
            return sval(json_object_get(e, "args"), "name");
    }
    return NULL;
}

static int lane_cmp(const void* a, const void* b) {
    const lane_t *x = a, *y = b;
    if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
    const int xc = x->counter != NULL, yc = y->counter != NULL;
    if (xc != yc) return xc - yc; /* threads first, then the counters */
    if (xc) return strcmp(x->counter, y->counter);
    return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static size_t lane_of(lane_t* lanes, size_t n, json_t* e) {
    const long long pid = ival(e, "pid");
    for (size_t i = 0; i < n; ++i) {
        if (lanes[i].pid != pid) continue;
        if (phase(e) == 'C' ? lanes[i].counter && !strcmp(lanes[i].counter, sval(e, "name"))
                            : !lanes[i].counter && lanes[i].tid == ival(e, "tid"))
            return i;
    }
    return n;
}

/* The first numeric argument of a counter event. */
static double counter_value(json_t* e) {
    const char* k;
    json_t* v;
    json_object_foreach(json_object_get(e, "args"), k, v) {
        if (json_is_number(v)) return json_number_value(v);
    }
    return 0;
}

static int in_window(json_t* e, double lo, double hi) {
    const double ts = num(e, "ts");
    if (phase(e) == 'X') return ts <= hi && ts + num(e, "dur") >= lo;
    return ts >= lo && ts <= hi;
}

char* report_timeline_svg(json_t* trace, double focus_us, size_t max_events, report_window_t* w) {
    json_t* events = json_is_array(trace) ? trace : json_object_get(trace, "traceEvents");
    const size_t nev = json_array_size(events);
    memset(w, 0, sizeof *w);
    w->focus_us = focus_us;
    double t0 = 0, t1 = 0;
    size_t total = 0, nlanes = 0;
    lane_t* lanes = calloc(nev ? nev : 1, sizeof *lanes);
    if (!lanes) return NULL;
    for (size_t i = 0; i < nev; ++i) {
        json_t* e = json_array_get(events, i);
        if (!drawable(e)) continue;
        const double ts = num(e, "ts"), end = ts + (phase(e) == 'X' ? num(e, "dur") : 0);
        if (!total || ts < t0) t0 = ts;
        if (!total || end > t1) t1 = end;
        ++total;
        size_t l = lane_of(lanes, nlanes, e);
        if (l == nlanes) {
            lanes[l].pid = ival(e, "pid");
            lanes[l].tid = phase(e) == 'C' ? -1 : ival(e, "tid");
            lanes[l].counter = phase(e) == 'C' ? sval(e, "name") : NULL;
            ++nlanes;
        }
        if (phase(e) == 'C' && counter_value(e) > lanes[l].max_value) lanes[l].max_value = counter_value(e);
    }
    w->total = total;
    if (!total) {
        free(lanes);
        return NULL;
    }
    qsort(lanes, nlanes, sizeof *lanes, lane_cmp);
    for (size_t l = 0; l < nlanes; ++l) {
        const char* proc = meta_name(events, "process_name", lanes[l].pid, -1);
        const char* thr = lanes[l].counter ? lanes[l].counter : meta_name(events, "thread_name", lanes[l].pid, lanes[l].tid);
        char p[48], t[48];
        if (proc) snprintf(p, sizeof p, "%s", proc);
        else snprintf(p, sizeof p, "pid %lld", lanes[l].pid);
        if (thr) snprintf(t, sizeof t, "%s", thr);
        else snprintf(t, sizeof t, "tid %lld", lanes[l].tid);
        snprintf(lanes[l].label, sizeof lanes[l].label, "%s: %s", p, t);
    }
    /* the window: halved around the focus until its events fit */
    const int focused = focus_us >= 0;
    double lo = t0, hi = t1 > t0 ? t1 : t0 + 1;
    for (int halvings = 0; halvings < 200; ++halvings) {
        size_t in = 0;
        for (size_t i = 0; i < nev; ++i) {
            json_t* e = json_array_get(events, i);
            in += drawable(e) && in_window(e, lo, hi);
        }
        w->shown = in;
        if (in <= max_events || hi - lo < 0.002) break;
        const double half = (hi - lo) / 2;
        if (focused) {
            lo = focus_us - half / 2 < t0 ? t0 : focus_us - half / 2;
            hi = lo + half;
        } else {
            hi = lo + half;
        }
    }
    w->from_us = lo;
    w->to_us = hi;
    w->tracks = nlanes;

    const int width = 1200, label_w = 250, right = 16, top = 34, lane_h = 22, gap = 4;
    const int plot_w = width - label_w - right;
    const int height = top + (int)nlanes * (lane_h + gap) + 12;
    const double scale = plot_w / (hi - lo);
    char* buf = NULL;
    size_t len = 0;
    FILE* f = open_memstream(&buf, &len);
    if (!f) {
        free(lanes);
        return NULL;
    }
    svg_open(f, width, height);
    /* the axis in µs of simulated time */
    const double step = tick_step(hi - lo);
    const double first_tick = floor(lo / step) * step;
    for (int k = 0; k < 40; ++k) {
        const double t = first_tick + k * step;
        if (t > hi + 1e-9) break;
        if (t < lo - 1e-9) continue;
        const double x = label_w + (t - lo) * scale;
        fprintf(f, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#dde3e9\"/>", x, top - 6, x, height - 8);
        fprintf(f, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"%s\" font-size=\"10\">%.3f us</text>\n", x, top - 10,
                x > width - right - 40 ? "end" : "middle", t);
    }
    for (size_t l = 0; l < nlanes; ++l) {
        const int y = top + (int)l * (lane_h + gap);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", label_w, y, plot_w, lane_h,
                l % 2 ? "#f7f9fb" : "#eef2f6");
        fprintf(f, "<text x=\"6\" y=\"%d\" font-size=\"11\">", y + 15);
        rdoc_html_escape(f, lanes[l].label);
        fputs("</text>\n", f);
    }
    if (focused && focus_us >= lo && focus_us <= hi) {
        const double x = label_w + (focus_us - lo) * scale;
        fprintf(f, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#c62828\" stroke-dasharray=\"4 3\"/>\n",
                x, top - 6, x, height - 8);
    }
    double* last_x = calloc(nlanes, sizeof *last_x); /* counters: the step line's previous point */
    double* last_v = calloc(nlanes, sizeof *last_v);
    char* started = calloc(nlanes, 1);
    for (size_t i = 0; i < nev && last_x && last_v && started; ++i) {
        json_t* e = json_array_get(events, i);
        const char ph = phase(e);
        if (!drawable(e) || !in_window(e, lo, hi)) continue;
        const size_t l = lane_of(lanes, nlanes, e);
        if (l >= nlanes) continue;
        const int y = top + (int)l * (lane_h + gap);
        const double ts = num(e, "ts");
        const char* cat = sval(e, "cat");
        uint32_t hsh = 2166136261u;
        for (const char* c = cat; *c; ++c) hsh = (hsh ^ (unsigned char)*c) * 16777619u;
        if (ph == 'X') {
            double x0 = label_w + (ts - lo) * scale, x1 = label_w + (ts + num(e, "dur") - lo) * scale;
            if (x0 < label_w) x0 = label_w;
            if (x1 > label_w + plot_w) x1 = label_w + plot_w;
            fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" stroke=\"#ffffff\" "
                       "stroke-width=\"0.3\"><title>",
                    x0, y + 3, x1 - x0 < 0.5 ? 0.5 : x1 - x0, lane_h - 6, palette[hsh % NPALETTE]);
            rdoc_html_escape(f, sval(e, "name"));
            fputs(" [", f);
            rdoc_html_escape(f, cat);
            fprintf(f, "] at %.3f us for %.3f us</title></rect>\n", ts, num(e, "dur"));
        } else if (ph == 'C') {
            const double v = counter_value(e), x = label_w + (ts - lo) * scale;
            const double yv = y + lane_h - 2 - (lanes[l].max_value > 0 ? v / lanes[l].max_value * (lane_h - 4) : 0);
            if (started[l])
                fprintf(f, "<polyline points=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f\" fill=\"none\" stroke=\"#2f5d8a\"/>\n",
                        last_x[l], last_v[l], x, last_v[l], x, yv);
            started[l] = 1;
            last_x[l] = x;
            last_v[l] = yv;
        } else {
            const double x = label_w + (ts - lo) * scale;
            const int finding = strstr(cat, "finding") != NULL;
            fprintf(f, "<path d=\"M%.2f %d l5 7 l-5 7 l-5 -7 z\" fill=\"%s\"><title>", x, y + 4,
                    finding ? "#c62828" : "#333333");
            rdoc_html_escape(f, sval(e, "name"));
            fprintf(f, " at %.3f us</title></path>\n", ts);
        }
    }
    free(last_x);
    free(last_v);
    free(started);
    fputs("</svg>\n", f);
    fclose(f);
    free(lanes);
    return buf;
}
