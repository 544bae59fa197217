#include "Config.h"

#include <toml.hpp>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace staleline {

namespace {

#define PARAM(key, type, def, unit, min, max, choices, doc) \
    ParamInfo{key, ParamType::type, def, unit, (long double)(min), (long double)(max), choices, doc},
const std::vector<ParamInfo> kParams = {
#define BOOL Bool
#define INT Int
#define SIZE Size
#define DOUBLE Double
#define ENUM Enum
#define STRING String
#include "params.def"
#undef BOOL
#undef INT
#undef SIZE
#undef DOUBLE
#undef ENUM
#undef STRING
};
#undef PARAM

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) { out.push_back(cur); cur.clear(); }
        else cur += c;
    }
    out.push_back(cur);
    return out;
}

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t\r\n");
    size_t b = s.find_last_not_of(" \t\r\n");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

}  // namespace

const std::vector<ParamInfo>& all_params() { return kParams; }

const ParamInfo* find_param(const std::string& key) {
    for (const auto& p : kParams)
        if (key == p.key) return &p;
    return nullptr;
}

const char* param_type_name(ParamType t) {
    switch (t) {
    case ParamType::Bool: return "bool";
    case ParamType::Int: return "int";
    case ParamType::Size: return "size";
    case ParamType::Double: return "number";
    case ParamType::Enum: return "enum";
    case ParamType::String: return "string";
    }
    return "?";
}

bool parse_size(const std::string& text_in, uint64_t* out) {
    std::string text = trim(text_in);
    if (text.empty() || text[0] == '-' || text[0] == '+') return false;
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(text.c_str(), &end, 0);
    if (errno || end == text.c_str()) return false;
    std::string suffix = end;
    uint64_t mult = 1;
    if (suffix.empty()) mult = 1;
    else if (suffix == "k" || suffix == "K" || suffix == "KiB" || suffix == "kB") mult = 1ULL << 10;
    else if (suffix == "M" || suffix == "MiB" || suffix == "MB") mult = 1ULL << 20;
    else if (suffix == "G" || suffix == "GiB" || suffix == "GB") mult = 1ULL << 30;
    else if (suffix == "T" || suffix == "TiB" || suffix == "TB") mult = 1ULL << 40;
    else return false;
    if (v != 0 && mult > UINT64_MAX / v) return false;
    *out = v * mult;
    return true;
}

Config::Config() {
    for (const auto& p : kParams) {
        values_[p.key] = parse(p, p.def);
        values_[p.key].set_by_user = false;
    }
}

Config::Value Config::parse(const ParamInfo& p, const std::string& raw) const {
    Value v;
    std::string text = trim(raw);
    auto range_error = [&](const std::string& shown) {
        std::ostringstream os;
        os << "value " << shown << " out of range [";
        if (p.type == ParamType::Double) os << (double)p.min << ", " << (double)p.max;
        else if (p.type == ParamType::Size) os << (unsigned long long)p.min << ", " << (unsigned long long)p.max;
        else os << (long long)p.min << ", " << (long long)p.max;
        os << "]";
        return ConfigError(p.key, os.str());
    };
    switch (p.type) {
    case ParamType::Bool:
        if (text == "true" || text == "1" || text == "yes" || text == "on") v.b = true;
        else if (text == "false" || text == "0" || text == "no" || text == "off") v.b = false;
        else throw ConfigError(p.key, "expected a boolean (true/false), got '" + raw + "'");
        v.text = v.b ? "true" : "false";
        return v;
    case ParamType::Int: {
        // keyword aliases such as "full=0"
        if (p.choices && *p.choices) {
            for (const auto& alias : split(p.choices, '|')) {
                auto eq = alias.find('=');
                if (eq != std::string::npos && alias.substr(0, eq) == text) {
                    v.i = std::strtoll(alias.c_str() + eq + 1, nullptr, 0);
                    v.text = text;
                    return v;
                }
            }
        }
        errno = 0;
        char* end = nullptr;
        long long x = std::strtoll(text.c_str(), &end, 0);
        if (text.empty() || errno || *end)
            throw ConfigError(p.key, "expected an integer, got '" + raw + "'");
        if ((long double)x < p.min || (long double)x > p.max) throw range_error(text);
        v.i = x;
        v.text = std::to_string(x);
        // alias values print as their keyword
        if (p.choices && *p.choices)
            for (const auto& alias : split(p.choices, '|')) {
                auto eq = alias.find('=');
                if (eq != std::string::npos && std::strtoll(alias.c_str() + eq + 1, nullptr, 0) == x)
                    v.text = alias.substr(0, eq);
            }
        return v;
    }
    case ParamType::Size: {
        uint64_t x;
        if (!parse_size(text, &x))
            throw ConfigError(p.key, "expected a size such as 4096, 0x1000, 32k, 2M or 1G, got '" + raw + "'");
        if ((long double)x < p.min || (long double)x > p.max) throw range_error(text);
        v.u = x;
        v.text = text;
        return v;
    }
    case ParamType::Double: {
        errno = 0;
        char* end = nullptr;
        double x = std::strtod(text.c_str(), &end);
        if (text.empty() || errno || *end || !std::isfinite(x))
            throw ConfigError(p.key, "expected a number, got '" + raw + "'");
        if (x < (double)p.min || x > (double)p.max) throw range_error(text);
        v.d = x;
        v.text = text;
        return v;
    }
    case ParamType::Enum:
        for (const auto& c : split(p.choices, '|'))
            if (c == text) { v.text = text; return v; }
        throw ConfigError(p.key, "expected one of " + std::string(p.choices) + ", got '" + raw + "'");
    case ParamType::String:
        v.text = raw;
        return v;
    }
    throw ConfigError(p.key, "unknown parameter type");
}

void Config::set(const std::string& key_in, const std::string& value) {
    std::string key = trim(key_in);
    const ParamInfo* p = find_param(key);
    if (!p) throw ConfigError(key, "unknown configuration key (see `staleline params`)");
    Value v = parse(*p, value);
    v.set_by_user = true;
    values_[key] = v;
}

void Config::set_assignment(const std::string& a) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0)
        throw ConfigError(trim(a), "expected key=value");
    set(a.substr(0, eq), a.substr(eq + 1));
}

namespace {
std::string scalar_text(const std::string& key, const toml::value& v);

// A [[device]] array of tables: each table is one entry of platform.devices, its keys
// (kind first) written KIND,key=value,... as on the command line.
std::string device_list_text(const toml::value& v) {
    const char* const key = "platform.devices";
    if (!v.is_array()) throw ConfigError(key, "'device' must be an array of tables: [[device]] kind = \"...\"");
    std::string list;
    for (const toml::value& t : v.as_array()) {
        if (!t.is_table()) throw ConfigError(key, "each [[device]] must be a table");
        const auto& tab = t.as_table();
        auto kind = tab.find("kind");
        if (kind == tab.end() || !kind->second.is_string())
            throw ConfigError(key, "each [[device]] needs kind = \"NAME\" (see staleline run --list-devices)");
        std::string entry = kind->second.as_string().str;
        for (const auto& kv : tab) {
            if (kv.first == "kind") continue;
            std::string value = scalar_text("device." + kv.first, kv.second);
            if (value.find_first_of(",;") != std::string::npos)
                throw ConfigError(key, "[[device]] " + kv.first + ": a value cannot contain ',' or ';'");
            entry += "," + kv.first + "=" + value;
        }
        list += (list.empty() ? "" : ";") + entry;
    }
    return list;
}

void flatten(Config& cfg, const std::string& prefix, const toml::value& v) {
    if (prefix == "device") {
        cfg.set("platform.devices", device_list_text(v));
        return;
    }
    if (v.is_table()) {
        for (const auto& kv : v.as_table())
            flatten(cfg, prefix.empty() ? kv.first : prefix + "." + kv.first, kv.second);
        return;
    }
    cfg.set(prefix, scalar_text(prefix, v));
}

std::string scalar_text(const std::string& prefix, const toml::value& v) {
    std::string text;
    switch (v.type()) {
    case toml::value_t::boolean: text = v.as_boolean() ? "true" : "false"; break;
    case toml::value_t::integer: text = std::to_string(v.as_integer()); break;
    case toml::value_t::floating: {
        std::ostringstream os;
        os.precision(17);
        os << v.as_floating();
        text = os.str();
        break;
    }
    case toml::value_t::string: text = v.as_string().str; break;
    default: throw ConfigError(prefix, "unsupported TOML value type (use a bool, number or string)");
    }
    return text;
}
}  // namespace

void Config::load_file(const std::string& path) {
    toml::value root;
    try {
        root = toml::parse(path);
    } catch (const std::exception& e) {
        // toml11 messages name the file, line and column already
        throw ConfigError("", std::string("cannot read config file: ") + e.what());
    }
    flatten(*this, "", root);
}

void Config::validate() const {
    uint64_t size = get_size("cache.size"), line = get_size("cache.line");
    int64_t ways = get_int("cache.ways");
    if (!is_pow2(line)) throw ConfigError("cache.line", "must be a power of two, got " + std::to_string(line));
    if (size % (line * (uint64_t)ways) != 0)
        throw ConfigError("cache.size", "must be divisible by cache.line * cache.ways (" + std::to_string(line) +
                                            " * " + std::to_string(ways) + "), got " + std::to_string(size));
    if (get_string("cache.policy") == "plru" && !is_pow2((uint64_t)ways))
        throw ConfigError("cache.ways", "plru needs a power-of-two number of ways, got " + std::to_string(ways));
    int64_t entries = get_int("iotlb.entries"), tways = get_int("iotlb.ways");
    if (tways > entries)
        throw ConfigError("iotlb.ways", "cannot exceed iotlb.entries (" + std::to_string(entries) + ")");
    if (tways != 0 && entries % tways != 0)
        throw ConfigError("iotlb.entries", "must be divisible by iotlb.ways (" + std::to_string(tways) + ")");
    int64_t eff_ways = tways == 0 ? entries : tways;
    if (get_string("iotlb.policy") == "plru" && !is_pow2((uint64_t)eff_ways))
        throw ConfigError("iotlb.ways", "plru needs a power-of-two number of ways, got " + std::to_string(eff_ways));
    if (get_size("platform.phys_base") % 4096)
        throw ConfigError("platform.phys_base", "must be 4 KiB aligned");
    if (get_size("platform.phys_size") % 4096)
        throw ConfigError("platform.phys_size", "must be a multiple of 4 KiB");
    {
        // RAM must stay clear of the fixed PCI windows (ECAM, MMIO) and the MSI window.
        uint64_t base = get_size("platform.phys_base"), len = get_size("platform.phys_size");
        if (base + len < base) throw ConfigError("platform.phys_size", "RAM range wraps around the address space");
        if (base < 0x100000000ULL && base + len > 0xc0000000ULL)
            throw ConfigError("platform.phys_size", "RAM [phys_base, phys_base+phys_size) overlaps the PCI/MSI hole "
                                                    "0xc0000000-0xffffffff; lower it or set platform.phys_base >= 4G");
    }
    if (get_size("pci.msi_address") % 4096)
        throw ConfigError("pci.msi_address", "must be 4 KiB aligned");
}

const Config::Value& Config::value(const std::string& key, ParamType want) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw ConfigError(key, "unknown configuration key");
    const ParamInfo* p = find_param(key);
    bool ok = p->type == want || (want == ParamType::String && p->type == ParamType::Enum);
    if (!ok) throw ConfigError(key, std::string("read as ") + param_type_name(want) + " but is " + param_type_name(p->type));
    return it->second;
}

bool Config::get_bool(const std::string& k) const { return value(k, ParamType::Bool).b; }
int64_t Config::get_int(const std::string& k) const { return value(k, ParamType::Int).i; }
uint64_t Config::get_size(const std::string& k) const { return value(k, ParamType::Size).u; }
double Config::get_double(const std::string& k) const { return value(k, ParamType::Double).d; }
const std::string& Config::get_string(const std::string& k) const { return value(k, ParamType::String).text; }

std::string Config::text(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw ConfigError(key, "unknown configuration key");
    return it->second.text;
}

bool Config::is_default(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() || !it->second.set_by_user;
}

std::string Config::markdown() {
    std::ostringstream os;
    os << "| key | type | default | unit | range / choices | meaning |\n";
    os << "|---|---|---|---|---|---|\n";
    for (const auto& p : kParams) {
        os << "| `" << p.key << "` | " << param_type_name(p.type) << " | `" << p.def << "` | " << p.unit << " | ";
        switch (p.type) {
        case ParamType::Int:
            os << (long long)p.min << " .. " << (long long)p.max;
            if (p.choices && *p.choices) os << " (aliases: " << p.choices << ")";
            break;
        case ParamType::Size: os << (unsigned long long)p.min << " .. " << (unsigned long long)p.max; break;
        case ParamType::Double: os << (double)p.min << " .. " << (double)p.max; break;
        case ParamType::Enum: os << "`" << p.choices << "`"; break;
        default: break;
        }
        os << " | " << p.doc << " |\n";
    }
    return os.str();
}

}  // namespace staleline
