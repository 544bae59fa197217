#define _GNU_SOURCE
#include "sweep_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "staleline/config.h"

/* ---- flattening a point's result into named numbers ---- */

typedef struct {
    char** keys;
    size_t n, cap;
} keyset_t;

static void keyset_add(keyset_t* s, const char* k) {
    for (size_t i = 0; i < s->n; ++i)
        if (!strcmp(s->keys[i], k)) return;
    if (s->n == s->cap) s->keys = realloc(s->keys, (s->cap = s->cap ? 2 * s->cap : 64) * sizeof *s->keys);
    s->keys[s->n++] = strdup(k);
}

static int cmp_str(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

/* Numeric and boolean leaves of v as dotted keys into flat (an object of numbers). */
static void flatten(json_t* v, const char* prefix, json_t* flat) {
    if (json_is_object(v)) {
        const char* k;
        json_t* c;
        json_object_foreach(v, k, c) {
            /* The device list says what the platform was (the configuration), not a result. */
            if (!*prefix && !strcmp(k, "devices")) continue;
            char* p = NULL;
            if (asprintf(&p, "%s%s%s", prefix, *prefix ? "." : "", k) < 0) abort();
            flatten(c, p, flat);
            free(p);
        }
    } else if (json_is_number(v)) {
        json_object_set_new(flat, prefix, json_real(json_number_value(v)));
    } else if (json_is_boolean(v)) {
        json_object_set_new(flat, prefix, json_real(json_is_true(v) ? 1 : 0));
    } else if (json_is_array(v)) {
        char* p = NULL;
        if (asprintf(&p, "%s.count", prefix) < 0) abort();
        json_object_set_new(flat, p, json_real((double)json_array_size(v)));
        free(p);
    }
}

static double get(json_t* flat, const char* k) {
    json_t* v = json_object_get(flat, k);
    return v ? json_number_value(v) : NAN;
}

/* Derived figures an architect reads first. */
static void derive(json_t* flat) {
    double lookups = get(flat, "stats.iotlb.lookups"), misses = get(flat, "stats.iotlb.misses");
    double bytes = get(flat, "stats.dma.bytes");
    if (isnan(bytes)) bytes = get(flat, "stats.pci.upstream_bytes");
    double t = get(flat, "sim_time_ns");
    if (lookups > 0) json_object_set_new(flat, "iotlb_miss_rate", json_real(misses / lookups));
    if (bytes > 0 && !isnan(misses)) json_object_set_new(flat, "iotlb_misses_per_mib", json_real(misses / (bytes / 1048576.0)));
    /* Throughput of the workload's measured phase when it has one (after workload.warmup,
     * without set-up), else all DMA bytes over the whole simulated run. */
    double measured = get(flat, "stats.dma.measured_mb_s");
    if (measured > 0) json_object_set_new(flat, "throughput_mb_s", json_real(measured));
    else if (bytes > 0 && t > 0) json_object_set_new(flat, "throughput_mb_s", json_real(bytes / (t * 1e-9) / 1e6));
    /* Device-bound throughput: the operations' bytes over the time the engine had work. A
     * driver that cannot keep the engine busy lowers throughput_mb_s, not this. */
    double busy = get(flat, "stats.dma_engine.busy_ns"), ops_bytes = get(flat, "stats.dma.bytes");
    if (ops_bytes > 0 && busy > 0) json_object_set_new(flat, "device_mb_s", json_real(ops_bytes / (busy * 1e-9) / 1e6));
}

static const char* const kDerived[] = {"iotlb_miss_rate", "iotlb_misses_per_mib", "throughput_mb_s", "device_mb_s"};
static const char* const kDerivedLabel[] = {"IOTLB miss rate", "IOTLB misses per MiB moved", "DMA throughput (MB/s)",
                                            "device throughput while busy (MB/s)"};
#define NDERIVED (sizeof kDerived / sizeof kDerived[0])

static void print_number(FILE* f, double v) {
    if (isnan(v)) return;
    if (v == floor(v) && fabs(v) < 1e15) fprintf(f, "%.0f", v);
    else fprintf(f, "%.6g", v);
}

/* A SIZE parameter's value in bytes, as the configuration reads it ("64k": 65536). */
static unsigned long long size_bytes(const char* key, const char* v) {
    static sl_config_t* probe;
    unsigned long long b = 0;
    if (!probe) probe = sl_config_new();
    if (sl_config_set(probe, key, v) == 0) sl_config_get_size(probe, key, &b);
    return b;
}

/* ---- plots ---- */

static int all_numeric(const sweep_param_t* p) {
    for (size_t i = 0; i < p->nvalues; ++i) {
        char* end;
        strtod(p->values[i], &end);
        if (*end || end == p->values[i]) return 0;
    }
    return 1;
}

/* gnuplot METRIC.gp in OUT/plots, without a shell: OUT may hold any character. */
static int run_gnuplot(const char* out_dir, const char* metric) {
    char* dir = NULL;
    char* script = NULL;
    if (asprintf(&dir, "%s/plots", out_dir) < 0 || asprintf(&script, "%s.gp", metric) < 0) abort();
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(1, 2); /* as before: gnuplot's complaints go with the sweep's output */
        if (chdir(dir)) _exit(127);
        execlp("gnuplot", "gnuplot", script, (char*)NULL);
        _exit(127);
    }
    int st = 0;
    if (pid > 0) waitpid(pid, &st, 0);
    free(dir);
    free(script);
    return pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
}

/* A gnuplot single-quoted string: a quote inside is doubled. */
static void gp_string(FILE* f, const char* s) {
    fputc('\'', f);
    for (; *s; ++s) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static void plot_metric(const sweep_grid_t* g, json_t** flats, const sweep_report_opts_t* o, int xk, size_t m) {
    const char* metric = kDerived[m];
    size_t n = sweep_grid_points(g);
    int any = 0;
    for (size_t i = 0; i < n && !any; ++i) any = flats[i] && json_object_get(flats[i], metric);
    if (!any) return;
    const sweep_param_t* xp = &g->params[xk];
    int numeric = all_numeric(xp);
    char *dat = NULL, *gp = NULL;
    if (asprintf(&dat, "%s/plots/%s.dat", o->out_dir, metric) < 0 || asprintf(&gp, "%s/plots/%s.gp", o->out_dir, metric) < 0)
        abort();
    FILE* d = fopen(dat, "w");
    FILE* s = fopen(gp, "w");
    if (!d || !s) {
        if (d) fclose(d);
        if (s) fclose(s);
        free(dat);
        free(gp);
        return;
    }
    /* one data block per curve: the points sharing every parameter but x */
    size_t ncurves = n / xp->nvalues, block = 0;
    char** titles = calloc(ncurves, sizeof *titles);
    for (size_t i = 0; i < n; ++i) {
        if (sweep_grid_value_index(g, i, (size_t)xk) != 0) continue;
        size_t len = 1;
        for (size_t k = 0; k < g->nparams; ++k)
            if ((int)k != xk) len += strlen(g->params[k].key) + strlen(sweep_grid_value(g, i, k)) + 3;
        char* t = calloc(1, len + 8);
        for (size_t k = 0; k < g->nparams; ++k) {
            if ((int)k == xk) continue;
            if (*t) strcat(t, ", ");
            strcat(t, g->params[k].key);
            strcat(t, "=");
            strcat(t, sweep_grid_value(g, i, k));
        }
        titles[block] = t;
        if (block) fputs("\n\n", d);
        fprintf(d, "# %s\n", *t ? t : "all");
        /* walk x for this curve: points differ only in x's index */
        size_t stride = 1;
        for (size_t j = g->nparams; j-- > (size_t)xk + 1;) stride *= g->params[j].nvalues;
        for (size_t xi = 0; xi < xp->nvalues; ++xi) {
            size_t pi = i + xi * stride;
            double v = flats[pi] ? get(flats[pi], metric) : NAN;
            fprintf(d, "%s ", xp->values[xi]);
            if (isnan(v)) fputs("NaN", d);
            else print_number(d, v);
            fputc('\n', d);
        }
        ++block;
    }
    fclose(d);

    double lo = INFINITY, hi = 0;
    for (size_t xi = 0; numeric && xi < xp->nvalues; ++xi) {
        double v = atof(xp->values[xi]);
        lo = fmin(lo, v);
        hi = fmax(hi, v);
    }
    fprintf(s, "# Regenerate with: gnuplot %s.gp (in this folder)\n", metric);
    fprintf(s, "set title '%s vs %s' noenhanced\nset xlabel '%s' noenhanced\nset ylabel '%s'\n", kDerivedLabel[m], xp->key,
            xp->key, kDerivedLabel[m]); /* keys are [a-z._] */
    fputs("set grid\nset key outside right top noenhanced\nset yrange [0:*]\n", s);
    if (numeric && lo > 0 && hi / lo >= 16) fputs("set logscale x 2\n", s);
    for (int pass = 0; pass < 2; ++pass) {
        if (pass == 0) fprintf(s, "set terminal svg size 900,520 dynamic font 'sans,11'\nset output '%s.svg'\n", metric);
        else fprintf(s, "set terminal pngcairo size 900,520 font 'sans,10'\nset output '%s.png'\n", metric);
        fputs("plot ", s);
        for (size_t c = 0; c < block; ++c) {
            if (numeric)
                fprintf(s, "%s'%s.dat' index %zu using 1:2 with linespoints pt 7 title ", c ? ", " : "", metric, c);
            else
                fprintf(s, "%s'%s.dat' index %zu using 0:2:xtic(1) with linespoints pt 7 title ", c ? ", " : "", metric, c);
            gp_string(s, *titles[c] ? titles[c] : metric);
        }
        fputs("\n", s);
    }
    fclose(s);
    for (size_t c = 0; c < block; ++c) free(titles[c]);
    free(titles);

    if (run_gnuplot(o->out_dir, metric)) fprintf(stderr, "sweep: gnuplot failed for %s (is gnuplot installed?)\n", metric);
    free(dat);
    free(gp);
}

int sweep_report(const sweep_grid_t* g, const sweep_point_t* pts, const sweep_report_opts_t* o) {
    size_t n = sweep_grid_points(g);
    json_t** flats = calloc(n, sizeof *flats);
    keyset_t keys = {0};
    for (size_t i = 0; i < n; ++i) {
        if (!pts[i].result) continue;
        flats[i] = json_object();
        flatten(pts[i].result, "", flats[i]);
        derive(flats[i]);
        const char* k;
        json_t* v;
        json_object_foreach(flats[i], k, v) {
            int derived = 0;
            for (size_t d = 0; d < NDERIVED; ++d) derived |= !strcmp(k, kDerived[d]);
            if (!derived) keyset_add(&keys, k);
        }
    }
    if (keys.n) qsort(keys.keys, keys.n, sizeof *keys.keys, cmp_str); /* a sweep whose every point failed has none */

    char *csv_path = NULL, *json_path = NULL;
    if (asprintf(&csv_path, "%s/results.csv", o->out_dir) < 0 || asprintf(&json_path, "%s/results.json", o->out_dir) < 0) abort();
    FILE* csv = fopen(csv_path, "w");
    int rc = 0;
    if (!csv) {
        fprintf(stderr, "sweep: cannot write %s\n", csv_path);
        rc = -1;
    } else {
        for (size_t k = 0; k < g->nparams; ++k) {
            fprintf(csv, "%s,", g->params[k].key);
            if (o->bytes_columns && g->params[k].is_size) fprintf(csv, "%s_bytes,", g->params[k].key);
        }
        fputs("status,exit,error", csv);
        for (size_t d = 0; d < NDERIVED; ++d) fprintf(csv, ",%s", kDerived[d]);
        for (size_t k = 0; k < keys.n; ++k) fprintf(csv, ",%s", keys.keys[k]);
        fputc('\n', csv);
    }
    json_t* rows = json_array();
    for (size_t i = 0; i < n; ++i) {
        json_t* row = json_object();
        json_t* params = json_object();
        for (size_t k = 0; k < g->nparams; ++k) json_object_set_new(params, g->params[k].key, json_string(sweep_grid_value(g, i, k)));
        json_object_set_new(row, "params", params);
        if (o->bytes_columns) {
            json_t* bytes = json_object();
            for (size_t k = 0; k < g->nparams; ++k)
                if (g->params[k].is_size) json_object_set_new(bytes, g->params[k].key, json_integer((json_int_t)size_bytes(g->params[k].key, sweep_grid_value(g, i, k))));
            json_object_set_new(row, "params_bytes", bytes);
        }
        const char* status = pts[i].state == SWEEP_POINT_FAILED    ? "failed"
                             : pts[i].state == SWEEP_POINT_MISSING ? "missing"
                             : pts[i].state == SWEEP_POINT_STALE   ? "stale"
                                                                   : "ok";
        json_object_set_new(row, "status", json_string(status));
        json_object_set_new(row, "exit", json_integer(pts[i].exit_code));
        if (pts[i].error) json_object_set_new(row, "error", json_string(pts[i].error));
        if (flats[i]) json_object_set(row, "stats", flats[i]);
        json_array_append_new(rows, row);
        if (!csv) continue;
        for (size_t k = 0; k < g->nparams; ++k) {
            fprintf(csv, "%s,", sweep_grid_value(g, i, k));
            if (o->bytes_columns && g->params[k].is_size) fprintf(csv, "%llu,", size_bytes(g->params[k].key, sweep_grid_value(g, i, k)));
        }
        fprintf(csv, "%s,%d,", status, pts[i].exit_code);
        if (pts[i].error) {
            fputc('"', csv);
            for (const char* c = pts[i].error; *c; ++c) {
                if (*c == '"') fputc('"', csv);
                fputc(*c, csv);
            }
            fputc('"', csv);
        }
        for (size_t d = 0; d < NDERIVED; ++d) {
            fputc(',', csv);
            if (flats[i]) print_number(csv, get(flats[i], kDerived[d]));
        }
        for (size_t k = 0; k < keys.n; ++k) {
            fputc(',', csv);
            if (flats[i]) print_number(csv, get(flats[i], keys.keys[k]));
        }
        fputc('\n', csv);
    }
    if (csv) fclose(csv);
    json_t* doc = json_object();
    json_t* swept = json_array();
    for (size_t k = 0; k < g->nparams; ++k) {
        json_t* p = json_object();
        json_t* vals = json_array();
        for (size_t v = 0; v < g->params[k].nvalues; ++v) json_array_append_new(vals, json_string(g->params[k].values[v]));
        json_object_set_new(p, "key", json_string(g->params[k].key));
        json_object_set_new(p, "values", vals);
        json_array_append_new(swept, p);
    }
    json_object_set_new(doc, "swept", swept);
    json_object_set_new(doc, "points", rows);
    if (json_dump_file(doc, json_path, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) {
        fprintf(stderr, "sweep: cannot write %s\n", json_path);
        rc = -1;
    }
    json_decref(doc);

    if (o->plots && g->nparams > 0) {
        int xk = o->x_key ? sweep_grid_find(g, o->x_key) : 0;
        if (xk < 0) xk = 0;
        char* pdir = NULL;
        if (asprintf(&pdir, "%s/plots", o->out_dir) < 0) abort();
        mkdir(pdir, 0755);
        free(pdir);
        for (size_t m = 0; m < NDERIVED; ++m) plot_metric(g, flats, o, xk, m);
    }
    for (size_t i = 0; i < n; ++i) json_decref(flats[i]);
    free(flats);
    for (size_t k = 0; k < keys.n; ++k) free(keys.keys[k]);
    free(keys.keys);
    free(csv_path);
    free(json_path);
    return rc;
}
