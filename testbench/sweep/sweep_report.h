/* SweepReport: a finished sweep as results.csv and results.json (one row per point,
 * in grid order, parameters then statistics), and gnuplot plots of the IOTLB miss rate,
 * misses per MiB and throughput against one swept parameter, one curve per value of
 * the others. */
#ifndef STALELINE_SWEEP_REPORT_H
#define STALELINE_SWEEP_REPORT_H

#include "sweep_grid.h"
#include "sweep_runner.h"

typedef struct {
    const char* out_dir;
    const char* x_key;  /* the x axis; default: the first swept parameter */
    int plots;          /* draw plots (needs gnuplot) */
    int bytes_columns;  /* a <param>_bytes column beside each SIZE parameter */
} sweep_report_opts_t;

/* Returns 0, or -1 when a file could not be written (message on stderr). */
int sweep_report(const sweep_grid_t* g, const sweep_point_t* pts, const sweep_report_opts_t* o);

#endif
