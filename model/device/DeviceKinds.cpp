#include "device/DeviceKinds.h"

#include <dirent.h>
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "config/Config.h"
#include "staleline/modules.h"

namespace staleline {

namespace {

const char* const kKey = "platform.devices";

bool is_path(const std::string& s) {
    return s.find('/') != std::string::npos || (s.size() > 3 && s.compare(s.size() - 3, 3, ".so") == 0);
}

bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

// Why a module's description cannot be used, or "".
std::string invalid(const sl_device_kind_t* k) {
    if (!k) return "staleline_device_kind() returned NULL";
    if (k->abi_version != SL_DEVICE_ABI_VERSION)
        return "built for device ABI " + std::to_string(k->abi_version) + ", this Staleline has " +
               std::to_string(SL_DEVICE_ABI_VERSION) + " (rebuild it)";
    if (!k->name || !*k->name) return "the kind has no name";
    if (k->bar0_size < 4096 || !is_pow2(k->bar0_size) || k->bar0_size > (1ULL << 27))
        return "bar0_size must be a power of two from 4096 to 128M, got " + std::to_string(k->bar0_size);
    if (k->interrupt_pin > 1) return "interrupt_pin must be 0 (none) or 1 (INTA)";
    if (k->msix_vectors > 8) return "msix_vectors must be 0..8";
    if (k->msix_vectors && (k->msix_table_offset % 8 ||
                            k->msix_table_offset + 16ULL * k->msix_vectors + 8 > k->bar0_size))
        return "the MSI-X table must be 8-byte aligned and, with its pending bits, inside BAR0";
    if (!k->ops == !k->rtl) return "a kind is either behavioural (ops) or RTL (rtl), not both or neither";
    if (k->ops && (!k->ops->create || !k->ops->read || !k->ops->write))
        return "a behavioural kind needs ops->create, ops->read and ops->write";
    return "";
}

}  // namespace

void DeviceKinds::add_builtin(const sl_device_kind_t* desc, DeviceMaker make) {
    auto k = std::make_unique<DeviceKind>();
    k->desc = desc;
    k->make = make;
    kinds_.push_back(std::move(k));
}

void DeviceKinds::set_forms(DeviceMaker rtl, DeviceMaker behavioural) {
    rtl_ = rtl;
    behavioural_ = behavioural;
}

std::vector<std::string> DeviceKinds::search_path() {
#ifdef STALELINE_BUILD_DEVICE_DIR
    const char* build = STALELINE_BUILD_DEVICE_DIR;
#else
    const char* build = nullptr;
#endif
    static char dirs[8][SL_MODULE_DIR_MAX];
    size_t n = sl_module_search_path("devices", "STALELINE_DEVICE_PATH", build, dirs, 8);
    return std::vector<std::string>(dirs, dirs + n);
}

const DeviceKind* DeviceKinds::load(const std::string& path, std::string* error) {
    char real[PATH_MAX];
    std::string key = realpath(path.c_str(), real) ? std::string(real) : path;
    for (const auto& k : kinds_)
        if (!k->path.empty() && k->path == key) return k.get();
    if (access(key.c_str(), R_OK) != 0) {
        *error = "no file " + path;
        return nullptr;
    }
    // Kept open for the life of the process: its code runs inside the simulation, which
    // elaborates once per process anyway.
    void* h = dlopen(key.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        *error = dlerror();
        return nullptr;
    }
    auto entry = reinterpret_cast<sl_device_kind_fn>(dlsym(h, SL_DEVICE_ENTRY));
    if (!entry) {
        *error = path + " is not a device module (no " SL_DEVICE_ENTRY "())";
        dlclose(h);
        return nullptr;
    }
    const sl_device_kind_t* desc = entry();
    std::string why = invalid(desc);
    if (!why.empty()) {
        *error = path + ": " + why;
        dlclose(h);
        return nullptr;
    }
    auto k = std::make_unique<DeviceKind>();
    k->desc = desc;
    k->make = desc->rtl ? rtl_ : behavioural_;
    k->path = key;
    kinds_.push_back(std::move(k));
    return kinds_.back().get();
}

const DeviceKind& DeviceKinds::find(const std::string& name_or_path) {
    std::string error;
    if (is_path(name_or_path)) {
        if (const DeviceKind* k = load(name_or_path, &error)) return *k;
        throw ConfigError(kKey, "cannot load device module '" + name_or_path + "': " + error);
    }
    for (const auto& k : kinds_)
        if (k->path.empty() && name_or_path == k->desc->name) return *k;
    std::string tried;
    for (const std::string& dir : search_path()) {
        std::string file = dir + "/" + name_or_path + ".so";
        std::string why;
        if (const DeviceKind* k = load(file, &why)) return *k;
        if (access(file.c_str(), F_OK) == 0)  // it exists but is unusable: say so, do not go on
            throw ConfigError(kKey, "cannot load device module '" + file + "': " + why);
        tried += (tried.empty() ? "" : ", ") + file;
    }
    std::string known;
    for (const Listed& l : list()) known += (known.empty() ? "" : ", ") + l.name;
    throw ConfigError(kKey, "unknown device kind '" + name_or_path + "' (known: " + known + "; tried " + tried + ")");
}

std::vector<DeviceKinds::Listed> DeviceKinds::list() {
    std::vector<Listed> out;
    auto add = [&](const DeviceKind& k) {
        Listed l;
        l.name = k.desc->name;
        l.path = k.path;
        l.summary = k.desc->summary ? k.desc->summary : "";
        l.vendor_id = k.desc->vendor_id;
        l.device_id = k.desc->device_id;
        l.rtl = k.rtl();
        l.params = k.desc->params;
        out.push_back(l);
    };
    for (const auto& k : kinds_)
        if (k->path.empty()) add(*k);
    std::vector<std::string> seen;
    for (const std::string& dir : search_path()) {
        DIR* d = opendir(dir.c_str());
        if (!d) continue;
        std::vector<std::string> files;
        while (dirent* e = readdir(d)) {
            std::string f = e->d_name;
            if (f.size() > 3 && f.compare(f.size() - 3, 3, ".so") == 0) files.push_back(f.substr(0, f.size() - 3));
        }
        closedir(d);
        std::sort(files.begin(), files.end());  // the same listing on every host
        for (const std::string& f : files) {
            if (std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
            seen.push_back(f);
            std::string why;
            if (const DeviceKind* k = load(dir + "/" + f + ".so", &why)) {
                add(*k);
            } else {
                Listed l;
                l.name = f;
                l.path = dir + "/" + f + ".so";
                l.error = why;
                out.push_back(l);
            }
        }
    }
    return out;
}

}  // namespace staleline
