#define _GNU_SOURCE
#include "sweep_grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "staleline/config.h"

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
    for (char* v = strtok_r(list, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
        if (p->nvalues == SWEEP_MAX_VALUES) {
            snprintf(err, errlen, "%s: at most %d values", key, SWEEP_MAX_VALUES);
            rc = -1;
            break;
        }
        if (sl_config_set(probe, key, v)) {
            snprintf(err, errlen, "%s", sl_error()); /* names the key */
            rc = -1;
            break;
        }
        p->values[p->nvalues++] = strdup(v);
    }
    if (!rc && p->nvalues == 0) {
        snprintf(err, errlen, "%s: no values given", key);
        rc = -1;
    }
    free(list);
    sl_config_free(probe);
    if (rc) {
        for (size_t i = 0; i < p->nvalues; ++i) free(p->values[i]);
        free(p->key);
        return -1;
    }
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
    for (size_t k = 0; k < g->nparams; ++k) {
        if (k) strcat(s, "_");
        strcat(s, g->params[k].key);
        strcat(s, "=");
        strcat(s, sweep_grid_value(g, point, k));
    }
    if (g->nparams == 0) strcpy(s, "default");
    for (char* c = s; *c; ++c)
        if (*c == '/' || *c == ' ') *c = '-';
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
        for (size_t i = 0; i < g->params[k].nvalues; ++i) free(g->params[k].values[i]);
    }
    g->nparams = 0;
}
