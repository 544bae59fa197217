/* staleline: entry point; dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE* f) {
    fputs("usage: staleline <command> [options]\n"
          "\n"
          "commands:\n"
          "  run      load a DMA driver, bind it to the DMA engine, run a workload, check every byte\n"
          "  demo     a short run through the platform models that shows a stale-cache bug and prints statistics\n"
          "  trace    replay a Dinero IV din trace through the cache or IOTLB model, print JSON statistics\n"
          "  params   list every configuration parameter with its default and unit\n"
          "  sweep    run a grid of configurations in parallel processes; CSV, JSON and plots\n"
          "  report   the review report of a run folder: one self-contained HTML page and Markdown\n"
          "\n"
          "Run `staleline <command> --help` for the options of a command.\n"
          "Exit status: 0 ok, 1 wrong data or findings, 2 usage or configuration error.\n",
          f);
}

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return SL_EXIT_USAGE;
    }
    const char* cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return SL_EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        puts("staleline 0.1.0");
        return SL_EXIT_OK;
    }
    if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "trace")) return cmd_trace(argc - 1, argv + 1);
    if (!strcmp(cmd, "params")) return cmd_params(argc - 1, argv + 1);
    if (!strcmp(cmd, "demo")) return cmd_demo(argc - 1, argv + 1);
    if (!strcmp(cmd, "sweep")) return cmd_sweep(argc - 1, argv + 1);
    if (!strcmp(cmd, "report")) return cmd_report(argc - 1, argv + 1);
    fprintf(stderr, "staleline: unknown command '%s'\n", cmd);
    usage(stderr);
    return SL_EXIT_USAGE;
}
