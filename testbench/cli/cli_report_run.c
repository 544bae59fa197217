/* The run folder of `staleline run --report DIR` (cli_report_run.h). */
#include "cli_report_run.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "report.h"

int cli_report_prepare(const char* dir, char* json, char* sarif, char* timeline, size_t len) {
    struct stat st;
    if (!*dir || (mkdir(dir, 0777) && errno != EEXIST) || stat(dir, &st) || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "staleline run: --report: cannot create the folder '%s': %s\n", dir,
                *dir ? strerror(errno ? errno : ENOTDIR) : "empty name");
        return SL_EXIT_USAGE;
    }
    if ((size_t)snprintf(json, len, "%s/run.json", dir) >= len || (size_t)snprintf(sarif, len, "%s/findings.sarif", dir) >= len ||
        (size_t)snprintf(timeline, len, "%s/timeline.json", dir) >= len) {
        fprintf(stderr, "staleline run: --report: folder name too long\n");
        return SL_EXIT_USAGE;
    }
    return 0;
}

int cli_report_finish(const char* dir, FILE* out) {
    char err[4096];
    if (sl_report_render(dir, err, sizeof err)) {
        fprintf(stderr, "staleline run: --report: %s\n", err);
        return SL_EXIT_USAGE;
    }
    fprintf(out, "report:     %s/report.html, %s/report.md\n", dir, dir);
    return 0;
}
