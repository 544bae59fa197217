/* SweepGrid: the points of a parameter sweep, the cartesian product of
 * `--param key=v1,v2,...` lists, in a fixed order (first key slowest). A value A..B
 * (integers) stands for every integer from A to B, e.g. sim.seed=1..20. */
#ifndef STALELINE_SWEEP_GRID_H
#define STALELINE_SWEEP_GRID_H

#include <stddef.h>

#define SWEEP_MAX_PARAMS 8
#define SWEEP_MAX_VALUES 100000
#define SWEEP_MAX_POINTS 1000000

typedef struct {
    char* key;
    char* spec;      /* as given, "key=1..20,64": printed commands carry it unexpanded */
    char** values;
    size_t nvalues;
    int is_size;     /* a SIZE parameter: every value is a number of bytes */
} sweep_param_t;

typedef struct {
    sweep_param_t params[SWEEP_MAX_PARAMS];
    size_t nparams;
} sweep_grid_t;

/* Add "key=v1,v2,..."; each value is checked against the configuration table.
 * Returns 0, or -1 with a message naming the key in err. */
int sweep_grid_add(sweep_grid_t* g, const char* spec, char* err, size_t errlen);
size_t sweep_grid_points(const sweep_grid_t* g);
/* Value index of parameter k at point i. */
size_t sweep_grid_value_index(const sweep_grid_t* g, size_t point, size_t k);
const char* sweep_grid_value(const sweep_grid_t* g, size_t point, size_t k);
/* A file-name-safe, readable name of the point: "iotlb.entries=16_iotlb.ways=4". Caller frees. */
char* sweep_grid_slug(const sweep_grid_t* g, size_t point);
/* Index of a parameter by key, or -1. */
int sweep_grid_find(const sweep_grid_t* g, const char* key);
void sweep_grid_free(sweep_grid_t* g);

/* Every configuration key and its type name ("int", "size", "bool", ...), in table order. */
size_t sweep_config_keys(const char* const** keys, const char* const** types);

#endif
