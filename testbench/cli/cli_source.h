/* Source lines of findings, as the summary of `staleline run` and the review report quote
 * them. */
#ifndef STALELINE_CLI_SOURCE_H
#define STALELINE_CLI_SOURCE_H

#include <stddef.h>

/* Line `line` (1-based) of a source file into out, without its line end; relative paths
 * are under the source tree. A line longer than the buffer is cut. Returns 0, or -1 when
 * the file cannot be read or is shorter. */
int cli_source_line(const char* file, unsigned line, char* out, size_t len);

#endif
