/* The configuration of a run as the run JSON records it (key "config"). */
#ifndef STALELINE_CLI_CONFIG_JSON_H
#define STALELINE_CLI_CONFIG_JSON_H

#include <jansson.h>

#include "staleline/config.h"

/* Every parameter whose value differs from its default, in the order of
 * model/config/params.def: {"cache.size": {"value": "16384", "default": "32768"}, ...}, the
 * values as the configuration prints them. */
json_t* cli_config_json(const sl_config_t* cfg);

#endif
