/* Staleline C API: configuration.
 * Parameters are named hierarchically ("cache.ways", "iotlb.entries"); the full list with
 * defaults and units is docs/configuration.md (generated from model/config/params.def). */
#ifndef STALELINE_CONFIG_H
#define STALELINE_CONFIG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_config sl_config_t;

sl_config_t* sl_config_new(void);
sl_config_t* sl_config_clone(const sl_config_t* cfg);
void sl_config_free(sl_config_t* cfg);

/* All return 0 on success, -1 on error with sl_error()/sl_error_key() set. */
int sl_config_set(sl_config_t* cfg, const char* key, const char* value);
int sl_config_set_assignment(sl_config_t* cfg, const char* key_eq_value); /* "cache.ways=4" */
int sl_config_load(sl_config_t* cfg, const char* toml_path);
int sl_config_validate(const sl_config_t* cfg);
/* Current value as text into buf; -1 for an unknown key. */
int sl_config_get(const sl_config_t* cfg, const char* key, char* buf, size_t len);
/* Typed value of an INT, SIZE (bytes) or BOOL parameter; -1 for an unknown key or another
 * type. */
int sl_config_get_int(const sl_config_t* cfg, const char* key, long long* out);
int sl_config_get_size(const sl_config_t* cfg, const char* key, unsigned long long* out);
int sl_config_get_bool(const sl_config_t* cfg, const char* key, int* out);

/* Markdown table of every parameter; caller frees. */
char* sl_config_params_markdown(void);

/* Last error message and the configuration key it names ("" when none), per thread. */
const char* sl_error(void);
const char* sl_error_key(void);

#ifdef __cplusplus
}
#endif
#endif
