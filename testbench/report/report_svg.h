/* The report's pictures, drawn as SVG text: the latency breakdown as a stacked bar and the
 * timeline as swimlanes. */
#ifndef STALELINE_REPORT_SVG_H
#define STALELINE_REPORT_SVG_H

#include <jansson.h>
#include <stddef.h>

/* The breakdown's stages (run JSON "latency_breakdown") as one bar of their mean times,
 * stacked in stage order, with a legend. NULL when it has no stage. Caller frees. */
char* report_latency_svg(json_t* breakdown);

/* What the timeline view shows, for its caption. */
typedef struct report_window {
    double from_us, to_us;    /* the time window shown */
    double focus_us;          /* the first finding's time, or -1 */
    size_t shown, total;      /* events drawn, events in the file (metadata excluded) */
    size_t tracks;            /* lanes drawn */
} report_window_t;

/* A swimlane view of a Chrome trace-event document: one lane per track (pid, tid) named by
 * its metadata, per counter a lane of its values; X events as boxes, instant events as
 * markers. At most max_events events: the window is halved around focus_us (the first
 * finding; the trace's start when it is < 0) until they fit. NULL when the document holds
 * no event to draw. Caller frees. */
char* report_timeline_svg(json_t* trace, double focus_us, size_t max_events, report_window_t* w);

#endif
