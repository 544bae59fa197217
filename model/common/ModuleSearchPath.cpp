// The one search path for modules found by name (staleline/modules.h).
#include "staleline/modules.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

void add(char (*dirs)[SL_MODULE_DIR_MAX], size_t* n, size_t cap, const std::string& dir) {
    if (dir.empty()) return;
    char real[PATH_MAX];
    const std::string d = realpath(dir.c_str(), real) ? std::string(real) : dir;  // one spelling each
    for (size_t i = 0; i < *n; ++i)
        if (d == dirs[i]) return;
    if (*n < cap && d.size() < SL_MODULE_DIR_MAX) std::snprintf(dirs[(*n)++], SL_MODULE_DIR_MAX, "%s", d.c_str());
}

}  // namespace

extern "C" size_t sl_module_search_path(const char* kind, const char* env_var, const char* build_dir,
                                        char (*dirs)[SL_MODULE_DIR_MAX], size_t cap) {
    size_t n = 0;
    if (const char* env = env_var ? std::getenv(env_var) : nullptr) {
        std::string s(env);
        size_t start = 0;
        for (;;) {
            size_t colon = s.find(':', start);
            add(dirs, &n, cap, s.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
    }
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = 0;
        std::string bin(exe);
        bin = bin.substr(0, bin.rfind('/'));
        add(dirs, &n, cap, bin + "/../lib/staleline/" + kind);
        add(dirs, &n, cap, bin + "/../lib/" + kind);
    }
    if (build_dir) add(dirs, &n, cap, build_dir);
    return n;
}
