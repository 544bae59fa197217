/* The review report of a run folder (docs/review-report.md): DIR/report.html, one
 * self-contained page, and DIR/report.md with the same content, from what the run wrote
 * into DIR (run.json, findings.sarif, timeline.json, waveforms). */
#ifndef STALELINE_REPORT_H
#define STALELINE_REPORT_H

#include <stddef.h>

/* Render the report of DIR. Returns 0, or -1 with a message naming the problem in err
 * (no such folder, no run.json, a run.json that is not a run's JSON, a file that cannot be
 * written). */
int sl_report_render(const char* dir, char* err, size_t errlen);

#endif
