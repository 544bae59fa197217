/* staleline report: the review report of a run folder (testbench/report/,
 * docs/review-report.md). */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "report.h"

static void usage(FILE* f) {
    fputs("usage: staleline report DIR\n"
          "\n"
          "Writes DIR/report.html (one self-contained page) and DIR/report.md (the same content) from the run\n"
          "in DIR: run.json (`staleline run --json DIR/run.json`, or `staleline run --report DIR`, which also\n"
          "writes the rest and this report), findings.sarif, timeline.json and waveforms (*.fst, *.vcd, *.gtkw)\n"
          "when present. Sections: configuration (every non-default parameter), data verdict, findings with\n"
          "their source lines and call stacks, latency breakdown, cache, IOTLB and IOMMU statistics, a\n"
          "timeline view, links to the SARIF log and the waveforms (docs/review-report.md).\n"
          "Exit status: 0 written, 2 no such folder, no run.json in it, or a file that cannot be written.\n",
          f);
}

int cmd_report(int argc, char** argv) {
    static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return SL_EXIT_OK;
        }
        usage(stderr);
        return SL_EXIT_USAGE;
    }
    if (argc - optind != 1) {
        fprintf(stderr, "staleline report: expected one run folder\n");
        usage(stderr);
        return SL_EXIT_USAGE;
    }
    char err[4096];
    if (sl_report_render(argv[optind], err, sizeof err)) {
        fprintf(stderr, "staleline report: %s\n", err);
        return SL_EXIT_USAGE;
    }
    printf("staleline report: wrote %s/report.html and %s/report.md\n", argv[optind], argv[optind]);
    return SL_EXIT_OK;
}
