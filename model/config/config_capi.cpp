// C API over Config (staleline/config.h) and the per-thread error every C API shares.
#include <cstring>
#include <exception>

#include "config/ConfigHandle.h"
#include "platform/PlatformHandle.h"

namespace staleline {
namespace {
thread_local std::string g_error;
thread_local std::string g_error_key;
}  // namespace

int set_error(const std::string& msg, const std::string& key) {
    g_error = msg;
    g_error_key = key;
    return -1;
}
void clear_error() {
    g_error.clear();
    g_error_key.clear();
}
}  // namespace staleline

using staleline::ConfigError;
using staleline::set_error;

namespace {
// Runs fn, mapping exceptions to the C error convention.
template <typename Fn>
int guarded(Fn fn) {
    try {
        staleline::clear_error();
        fn();
        return 0;
    } catch (const ConfigError& e) {
        return set_error(e.what(), e.key());
    } catch (const std::exception& e) {
        return set_error(e.what());
    }
}
}  // namespace

extern "C" {

sl_config_t* sl_config_new(void) { return new sl_config; }
sl_config_t* sl_config_clone(const sl_config_t* cfg) { return new sl_config(*cfg); }
void sl_config_free(sl_config_t* cfg) { delete cfg; }

int sl_config_set(sl_config_t* cfg, const char* key, const char* value) {
    return guarded([&] { cfg->cfg.set(key ? key : "", value ? value : ""); });
}
int sl_config_set_assignment(sl_config_t* cfg, const char* a) {
    return guarded([&] { cfg->cfg.set_assignment(a ? a : ""); });
}
int sl_config_load(sl_config_t* cfg, const char* path) {
    return guarded([&] { cfg->cfg.load_file(path ? path : ""); });
}
int sl_config_validate(const sl_config_t* cfg) {
    return guarded([&] { cfg->cfg.validate(); });
}
int sl_config_get(const sl_config_t* cfg, const char* key, char* buf, size_t len) {
    return guarded([&] {
        std::string v = cfg->cfg.text(key ? key : "");
        if (len) {
            std::strncpy(buf, v.c_str(), len - 1);
            buf[len - 1] = 0;
        }
    });
}
int sl_config_get_int(const sl_config_t* cfg, const char* key, long long* out) {
    return guarded([&] { *out = (long long)cfg->cfg.get_int(key ? key : ""); });
}
int sl_config_get_size(const sl_config_t* cfg, const char* key, unsigned long long* out) {
    return guarded([&] { *out = (unsigned long long)cfg->cfg.get_size(key ? key : ""); });
}
int sl_config_get_bool(const sl_config_t* cfg, const char* key, int* out) {
    return guarded([&] { *out = cfg->cfg.get_bool(key ? key : "") ? 1 : 0; });
}
char* sl_config_params_markdown(void) { return strdup(staleline::Config::markdown().c_str()); }
const char* sl_error(void) { return staleline::g_error.c_str(); }
const char* sl_error_key(void) { return staleline::g_error_key.c_str(); }

}  // extern "C"
