/* Reading one line of a finding's source file (cli_source.h). */
#include "cli_source.h"

#include <stdio.h>
#include <string.h>

int cli_source_line(const char* file, unsigned line, char* out, size_t len) {
    if (!file || !*file || !line || !len) return -1;
    char path[4096];
    if (file[0] == '/') snprintf(path, sizeof path, "%s", file);
    else snprintf(path, sizeof path, "%s/%s", STALELINE_SOURCE_DIR, file);
    FILE* src = fopen(path, "r");
    if (!src) return -1;
    char buf[512];
    unsigned n = 0;
    int found = -1;
    while (fgets(buf, sizeof buf, src)) {
        size_t got = strlen(buf);
        int whole = got && buf[got - 1] == '\n';
        if (++n == line) {
            while (got && (buf[got - 1] == '\n' || buf[got - 1] == '\r')) buf[--got] = 0;
            snprintf(out, len, "%s", buf);
            found = 0;
            break;
        }
        /* a line longer than the buffer: skip the rest of it */
        while (!whole && fgets(buf, sizeof buf, src)) {
            got = strlen(buf);
            whole = got && buf[got - 1] == '\n';
        }
    }
    fclose(src);
    return found;
}
