// The C handle behind sl_config_t.
#pragma once

#include "config/Config.h"
#include "staleline/config.h"

struct sl_config {
    staleline::Config cfg;
};
