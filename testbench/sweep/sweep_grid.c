#define _GNU_SOURCE
#include "sweep_grid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "staleline/config.h"

/* The configuration table, read once from its markdown form (the only listing the C API has). */
static char** g_keys;
static char** g_types;
static size_t g_nkeys;

size_t sweep_config_keys(const char* const** keys, const char* const** types) {
    if (!g_keys) {
        char* md = sl_config_params_markdown();
        size_t cap = 0;
        for (char *save = NULL, *line = strtok_r(md, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char key[128], type[32];
            if (sscanf(line, "| `%127[^`]` | %31[a-z] |", key, type) != 2) continue;
            if (g_nkeys == cap) {
                cap = cap ? 2 * cap : 64;
                g_keys = realloc(g_keys, cap * sizeof *g_keys);
                g_types = realloc(g_types, cap * sizeof *g_types);
            }
            g_keys[g_nkeys] = strdup(key);
            g_types[g_nkeys++] = strdup(type);
        }
        free(md);
    }
    *keys = (const char* const*)g_keys;
    *types = (const char* const*)g_types;
    return g_nkeys;
}

static int key_is_size(const char* key) {
    const char* const* keys;
    const char* const* types;
    size_t n = sweep_config_keys(&keys, &types);
    for (size_t i = 0; i < n; ++i)
        if (!strcmp(keys[i], key)) return !strcmp(types[i], "size");
    return 0;
}

/* "A..B" with integers A <= B: sets *lo, *hi and returns 1. */
static int parse_range(const char* v, long long* lo, long long* hi) {
    const char* dots = strstr(v, "..");
    if (!dots || dots == v) return 0;
    char* end;
    errno = 0;
    *lo = strtoll(v, &end, 10);
    if (end != dots || errno) return 0;
    *hi = strtoll(dots + 2, &end, 10);
    return !*end && !errno && dots[2] && *lo <= *hi;
}

static int add_value(sweep_param_t* p, sl_config_t* probe, const char* v, char* err, size_t errlen) {
    if (p->nvalues == SWEEP_MAX_VALUES) {
        snprintf(err, errlen, "%s: at most %d values", p->key, SWEEP_MAX_VALUES);
        return -1;
    }
    if (sl_config_set(probe, p->key, v)) {
        snprintf(err, errlen, "%s", sl_error()); /* names the key */
        return -1;
    }
    if ((p->nvalues & (p->nvalues - 1)) == 0) /* grow at powers of two */
        p->values = realloc(p->values, (p->nvalues ? 2 * p->nvalues : 1) * sizeof *p->values);
    p->values[p->nvalues++] = strdup(v);
    return 0;
}

int sweep_grid_add(sweep_grid_t* g, const char* spec, char* err, size_t errlen) {
    const char* eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        snprintf(err, errlen, "--param %s: expected key=v1,v2,...", spec);
        return -1;
    }
    char* key = strndup(spec, (size_t)(eq - spec));
    if (g->nparams == SWEEP_MAX_PARAMS) {
        snprintf(err, errlen, "%s: at most %d swept parameters", key, SWEEP_MAX_PARAMS);
        free(key);
        return -1;
    }
    if (sweep_grid_find(g, key) >= 0) {
        snprintf(err, errlen, "%s: swept twice (give all its values in one --param)", key);
        free(key);
        return -1;
    }
    sweep_param_t* p = &g->params[g->nparams];
    memset(p, 0, sizeof *p);
    p->key = key;
    sl_config_t* probe = sl_config_new();
    char* list = strdup(eq + 1);
    int rc = 0;
    char* save = NULL;
    for (char* v = strtok_r(list, ",", &save); v && !rc; v = strtok_r(NULL, ",", &save)) {
        long long lo, hi;
        if (parse_range(v, &lo, &hi)) {
            if (hi - lo >= SWEEP_MAX_VALUES) {
                snprintf(err, errlen, "%s: at most %d values", key, SWEEP_MAX_VALUES);
                rc = -1;
            }
            for (long long x = lo; !rc && x <= hi; ++x) {
                char num[32];
                snprintf(num, sizeof num, "%lld", x);
                rc = add_value(p, probe, num, err, errlen);
            }
        } else {
            rc = add_value(p, probe, v, err, errlen);
        }
    }
    if (!rc && p->nvalues == 0) {
        snprintf(err, errlen, "%s: no values given", key);
        rc = -1;
    }
    if (!rc && sweep_grid_points(g) * p->nvalues > SWEEP_MAX_POINTS) {
        snprintf(err, errlen, "%s: the grid would have more than %d points", key, SWEEP_MAX_POINTS);
        rc = -1;
    }
    free(list);
    sl_config_free(probe);
    if (rc) {
        for (size_t i = 0; i < p->nvalues; ++i) free(p->values[i]);
        free(p->values);
        free(p->key);
        return -1;
    }
    p->spec = strdup(spec);
    p->is_size = key_is_size(key);
    g->nparams++;
    return 0;
}

size_t sweep_grid_points(const sweep_grid_t* g) {
    size_t n = 1;
    for (size_t k = 0; k < g->nparams; ++k) n *= g->params[k].nvalues;
    return n;
}

size_t sweep_grid_value_index(const sweep_grid_t* g, size_t point, size_t k) {
    /* the last parameter varies fastest */
    size_t stride = 1;
    for (size_t j = g->nparams; j-- > k + 1;) stride *= g->params[j].nvalues;
    return (point / stride) % g->params[k].nvalues;
}

const char* sweep_grid_value(const sweep_grid_t* g, size_t point, size_t k) {
    return g->params[k].values[sweep_grid_value_index(g, point, k)];
}

char* sweep_grid_slug(const sweep_grid_t* g, size_t point) {
    size_t cap = 16;
    for (size_t k = 0; k < g->nparams; ++k) cap += strlen(g->params[k].key) + strlen(sweep_grid_value(g, point, k)) + 2;
    char* s = calloc(1, cap);
    char* w = s;
    for (size_t k = 0; k < g->nparams; ++k)
        w += sprintf(w, "%s%s=%s", k ? "_" : "", g->params[k].key, sweep_grid_value(g, point, k));
    if (g->nparams == 0) strcpy(s, "default");
    for (char* c = s; *c; ++c)
        if (*c == '/' || *c == ' ') *c = '-';
    if (*s == '.') *s = '-'; /* names starting with a dot are the runner's temporary files */
    return s;
}

int sweep_grid_find(const sweep_grid_t* g, const char* key) {
    for (size_t k = 0; k < g->nparams; ++k)
        if (!strcmp(g->params[k].key, key)) return (int)k;
    return -1;
}

void sweep_grid_free(sweep_grid_t* g) {
    for (size_t k = 0; k < g->nparams; ++k) {
        free(g->params[k].key);
        free(g->params[k].spec);
        for (size_t i = 0; i < g->params[k].nvalues; ++i) free(g->params[k].values[i]);
        free(g->params[k].values);
    }
    g->nparams = 0;
}
