#include "device/DeviceKinds.h"

#include <dirent.h>
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "config/Config.h"
#include "staleline/modules.h"

namespace staleline {

namespace {

const char* const kKey = "platform.devices";

bool is_path(const std::string& s) {
    return s.find('/') != std::string::npos || (s.size() > 3 && s.compare(s.size() - 3, 3, ".so") == 0);
}

bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

bool uses_bars(const sl_device_kind_t* k) {
    for (const sl_bar_decl_t& b : k->bars)
        if (b.type != SL_BAR_NONE) return true;
    return false;
}

// Why the kind's BARs cannot be used, or "".
std::string invalid_bars(const sl_device_kind_t* k) {
    if (!uses_bars(k)) {
        if (k->bar0_size < 4096 || !is_pow2(k->bar0_size) || k->bar0_size > (1ULL << 27))
            return "bar0_size must be a power of two from 4096 to 128M, got " + std::to_string(k->bar0_size);
        return "";
    }
    if (k->bar0_size) return "bar0_size must be 0 when bars[] describes the BARs";
    for (unsigned i = 0; i < 6; ++i) {
        const sl_bar_decl_t& b = k->bars[i];
        const std::string bar = "bars[" + std::to_string(i) + "]";
        switch (b.type) {
        case SL_BAR_NONE: break;
        case SL_BAR_MEM64:
            if (i == 5 || k->bars[i + 1].type != SL_BAR_NONE)
                return bar + " is a 64-bit BAR: it needs bars[" + std::to_string(i + 1) + "] free for its upper half";
            // fall through
        case SL_BAR_MEM32:
            if (b.size < 4096 || !is_pow2(b.size) || b.size > (1ULL << 27))
                return bar + ": a memory BAR's size must be a power of two from 4096 to 128M, got " + std::to_string(b.size);
            break;
        case SL_BAR_IO:
            if (b.size < 4 || !is_pow2(b.size) || b.size > 256)
                return bar + ": an I/O BAR's size must be a power of two from 4 to 256, got " + std::to_string(b.size);
            break;
        default: return bar + ": unknown BAR type " + std::to_string(b.type);
        }
        if (b.type == SL_BAR_MEM64) ++i;  // the upper half
    }
    const bool bar0_mem = k->bars[0].type == SL_BAR_MEM64 || k->bars[0].type == SL_BAR_MEM32;
    if (k->msix_vectors && !bar0_mem) return "MSI-X needs BAR0 to be a memory BAR";
    if (k->rtl) {
        for (unsigned i = 1; i < 6; ++i)
            if (k->bars[i].type != SL_BAR_NONE) return "an RTL kind decodes BAR0 only";
        if (!bar0_mem) return "an RTL kind's BAR0 must be a memory BAR";
    }
    return "";
}

// Why a module's description cannot be used, or "". ABI 2 descriptions end before `bars`.
std::string invalid(const sl_device_kind_t* k) {
    if (!k) return "staleline_device_kind() returned NULL";
    if (k->abi_version != SL_DEVICE_ABI_VERSION && k->abi_version != 2)
        return "built for device ABI " + std::to_string(k->abi_version) + ", this Staleline has " +
               std::to_string(SL_DEVICE_ABI_VERSION) + " (rebuild it)";
    if (!k->name || !*k->name) return "the kind has no name";
    if (k->interrupt_pin > 1) return "interrupt_pin must be 0 (none) or 1 (INTA)";
    if (k->msix_vectors > 8) return "msix_vectors must be 0..8";
    if (!k->ops == !k->rtl) return "a kind is either behavioural (ops) or RTL (rtl), not both or neither";
    if (k->ops && (!k->ops->create || !k->ops->read || !k->ops->write))
        return "a behavioural kind needs ops->create, ops->read and ops->write";
    return "";
}

// The rest of the checks, on a description with all ABI 3 fields (an ABI 2 one normalised).
std::string invalid_layout(const sl_device_kind_t* k) {
    std::string why = invalid_bars(k);
    if (!why.empty()) return why;
    const uint64_t bar0 = uses_bars(k) ? k->bars[0].size : k->bar0_size;
    if (k->msix_vectors && (k->msix_table_offset % 8 || k->msix_table_offset + 16ULL * k->msix_vectors + 8 > bar0))
        return "the MSI-X table must be 8-byte aligned and, with its pending bits, inside BAR0";
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
    auto k = std::make_unique<DeviceKind>();
    std::string why = invalid(desc);
    if (why.empty() && desc->abi_version != SL_DEVICE_ABI_VERSION) {
        // An ABI 2 description: the fields up to `bars`, the rest zero (BAR0 of bar0_size).
        k->own = std::make_unique<sl_device_kind_t>();
        std::memcpy(k->own.get(), desc, offsetof(sl_device_kind_t, bars));
        desc = k->own.get();
    }
    if (why.empty()) why = invalid_layout(desc);
    if (!why.empty()) {
        *error = path + ": " + why;
        dlclose(h);
        return nullptr;
    }
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
