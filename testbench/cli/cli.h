/* The staleline command line: one file per subcommand, shared option handling here. */
#ifndef STALELINE_CLI_H
#define STALELINE_CLI_H

#include "staleline/staleline.h"

/* Exit statuses of every subcommand. */
enum {
    SL_EXIT_OK = 0,       /* data right, no findings */
    SL_EXIT_FINDINGS = 1, /* wrong data or findings */
    SL_EXIT_USAGE = 2,    /* usage or configuration error */
};

/* Long options every platform-building subcommand accepts. */
#define SL_CONFIG_LONG_OPTIONS \
    {"set", required_argument, 0, 'S'}, {"config", required_argument, 0, 'C'}, {"seed", required_argument, 0, 's'}

/* Handle one of the shared options (S, C, s) into cfg. Returns 0, or SL_EXIT_USAGE
 * after printing an error naming the key. Config files are applied where they appear,
 * so a later --set overrides them. */
int cli_config_option(sl_config_t* cfg, int opt, const char* arg);
/* Validate and print the error if any; returns 0 or SL_EXIT_USAGE. */
int cli_config_finish(sl_config_t* cfg);
/* Print a configuration error (sl_error()) and return SL_EXIT_USAGE. */
int cli_config_error(void);

int cmd_run(int argc, char** argv);
int cmd_trace(int argc, char** argv);
int cmd_params(int argc, char** argv);
int cmd_demo(int argc, char** argv);
int cmd_sweep(int argc, char** argv);
int cmd_report(int argc, char** argv);

#endif
