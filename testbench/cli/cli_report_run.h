/* `staleline run --report DIR`: the run folder of a review report (docs/review-report.md). */
#ifndef STALELINE_CLI_REPORT_RUN_H
#define STALELINE_CLI_REPORT_RUN_H

#include <stddef.h>
#include <stdio.h>

/* Create DIR if it does not exist and set the paths of the files the run writes into it:
 * run.json, findings.sarif, timeline.json (each buffer len bytes). Returns 0, or
 * SL_EXIT_USAGE after printing why. */
int cli_report_prepare(const char* dir, char* json, char* sarif, char* timeline, size_t len);
/* Render DIR/report.html and DIR/report.md once the run's files are written; the paths go to
 * out. Returns 0, or SL_EXIT_USAGE after printing why. */
int cli_report_finish(const char* dir, FILE* out);

#endif
