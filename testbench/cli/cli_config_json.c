/* Non-default parameters of a run (cli_config_json.h). The keys come from the one list of
 * parameters, params.def; the defaults from a configuration nobody has set. */
#include "cli_config_json.h"

#include <string.h>

static const char* const param_keys[] = {
#define PARAM(key, type, def, unit, min, max, choices, doc) key,
#include "params.def"
#undef PARAM
};

json_t* cli_config_json(const sl_config_t* cfg) {
    json_t* out = json_object();
    sl_config_t* defaults = sl_config_new();
    if (!defaults) return out;
    for (size_t i = 0; i < sizeof param_keys / sizeof param_keys[0]; ++i) {
        char value[1024], def[1024];
        if (sl_config_get(cfg, param_keys[i], value, sizeof value) ||
            sl_config_get(defaults, param_keys[i], def, sizeof def) || !strcmp(value, def))
            continue;
        json_t* p = json_object();
        json_object_set_new(p, "value", json_string(value));
        json_object_set_new(p, "default", json_string(def));
        json_object_set_new(out, param_keys[i], p);
    }
    sl_config_free(defaults);
    return out;
}
