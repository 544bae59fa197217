/* A document written once and rendered twice: the report's sections call these, and the
 * same calls produce the HTML page and the Markdown file, so both hold the same content.
 * Every text argument is plain text from the run; the back end escapes it. */
#ifndef STALELINE_REPORT_DOC_H
#define STALELINE_REPORT_DOC_H

#include <stddef.h>
#include <stdio.h>

typedef enum { RDOC_HTML, RDOC_MARKDOWN } rdoc_format_t;

typedef struct rdoc {
    FILE* f;
    rdoc_format_t format;
    const char* dir;  /* the run folder: Markdown writes its images there */
    int failed;       /* an image file could not be written */
    int in_list;
    size_t naligned;          /* the current table's right-aligned columns */
    unsigned char aligned[32];
} rdoc_t;

void rdoc_begin(rdoc_t* d, const char* title);
void rdoc_end(rdoc_t* d);
/* A section heading; id is the HTML anchor. */
void rdoc_heading(rdoc_t* d, int level, const char* id, const char* text);
/* A paragraph of plain text (printf format; the result is escaped). */
void rdoc_para(rdoc_t* d, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
/* The verdict line: a label in bold, coloured by good or bad in HTML, then plain text. */
void rdoc_verdict(rdoc_t* d, int good, const char* label, const char* text);
/* A bulleted list of items; an item may carry a link (href relative to DIR, or NULL). */
void rdoc_list_item(rdoc_t* d, const char* text, const char* href, const char* link_text);
void rdoc_list_end(rdoc_t* d);
/* A table: rdoc_table_begin with the header cells, rows of ncols cells, rdoc_table_end.
 * A column whose header ends in '#' is right-aligned (the '#' is not shown). */
void rdoc_table_begin(rdoc_t* d, size_t ncols, const char* const* header);
void rdoc_table_row(rdoc_t* d, size_t ncols, const char* const* cells);
void rdoc_table_end(rdoc_t* d);
/* Preformatted text (source lines, call stacks). */
void rdoc_code(rdoc_t* d, const char* text);
/* An SVG image: inline as a data: URI in HTML; in Markdown written to DIR/file and linked. */
void rdoc_svg(rdoc_t* d, const char* svg, const char* file, const char* alt);

/* HTML-escape text into f (& < > " '). */
void rdoc_html_escape(FILE* f, const char* text);

#endif
