/* Shared handling of --set, --config and --seed. */
#include <stdio.h>

#include "cli.h"

int cli_config_error(void) {
    if (*sl_error_key())
        fprintf(stderr, "staleline: configuration error: %s\n", sl_error());
    else
        fprintf(stderr, "staleline: %s\n", sl_error());
    return SL_EXIT_USAGE;
}

int cli_config_option(sl_config_t* cfg, int opt, const char* arg) {
    int rc = 0;
    switch (opt) {
    case 'S': rc = sl_config_set_assignment(cfg, arg); break;
    case 'C': rc = sl_config_load(cfg, arg); break;
    case 's': rc = sl_config_set(cfg, "sim.seed", arg); break;
    default: return SL_EXIT_USAGE;
    }
    return rc ? cli_config_error() : 0;
}

int cli_config_finish(sl_config_t* cfg) { return sl_config_validate(cfg) ? cli_config_error() : 0; }
