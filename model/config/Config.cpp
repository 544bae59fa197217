#include "Config.h"

#include <toml.hpp>

#include "common/DeviceAddressSpace.h"

#include <sys/stat.h>

#include <algorithm>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
    return buf;
}

// The base of an integer's text: 16 with 0x, else 10. Leading zeros are refused rather than
// read as octal (strtoll's base 0 would make 010 eight), as TOML refuses them.
bool integer_base(const std::string& text, int* base) {
    size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
    if (text.compare(i, 2, "0x") == 0 || text.compare(i, 2, "0X") == 0) {
        *base = 16;
        return true;
    }
    *base = 10;
    return !(i + 1 < text.size() && text[i] == '0' && std::isdigit((unsigned char)text[i + 1]));
}

bool parse_size(const std::string& text_in, uint64_t* out) {
    std::string text = trim(text_in);
    int base = 10;
    if (text.empty() || text[0] == '-' || text[0] == '+' || !integer_base(text, &base)) return false;
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(text.c_str(), &end, base);
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
        int base = 10;
        if (!integer_base(text, &base))
            throw ConfigError(p.key, "expected an integer without leading zeros (0x for hex), got '" + raw + "'");
        errno = 0;
        char* end = nullptr;
        long long x = std::strtoll(text.c_str(), &end, base);
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
    try {
        cfg.set(prefix, scalar_text(prefix, v));
    } catch (const ConfigError& e) {
        // The same message, and where in the file the value is.
        const toml::source_location loc = v.location();
        std::string msg = e.what();
        if (!e.key().empty() && msg.compare(0, e.key().size() + 2, e.key() + ": ") == 0)
            msg = msg.substr(e.key().size() + 2);
        if (loc.line() == 0) throw;
        throw ConfigError(e.key(), msg + " (at " + loc.file_name() + ":" + std::to_string(loc.line()) + ")");
    }
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

namespace {
constexpr size_t kMaxConfigBytes = 1u << 20;  // a configuration is a few hundred lines
constexpr int kMaxConfigNesting = 32;         // tables and arrays; the parser recurses per level

// The file's text: a regular file of at most kMaxConfigBytes (a directory, a device or a
// FIFO is refused by name; /proc files report size 0, so the size is what was read).
std::string read_config_text(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        throw ConfigError("", "cannot read config file " + path + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw ConfigError("", "config file " + path + " is a directory");
    if (!S_ISREG(st.st_mode)) throw ConfigError("", "config file " + path + " is not a regular file");
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw ConfigError("", "cannot read config file " + path + ": " + std::strerror(errno));
    std::string text;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() <= kMaxConfigBytes) text.append(buf, n);
    bool failed = std::ferror(f);
    std::fclose(f);
    if (failed) throw ConfigError("", "cannot read config file " + path);
    if (text.size() > kMaxConfigBytes)
        throw ConfigError("", "config file " + path + " is larger than " + std::to_string(kMaxConfigBytes >> 20) +
                                  " MiB");
    if (text.find('\0') != std::string::npos) throw ConfigError("", "config file " + path + " contains a NUL byte");
    return text;
}

// Offset of the first byte that does not belong to a well-formed UTF-8 sequence (no overlong
// forms, no surrogates, nothing above U+10FFFF), or npos. TOML files are UTF-8; the parser's own
// check reads past its buffer when it reports a bad sequence inside a literal string.
size_t first_invalid_utf8(const std::string& text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    for (size_t i = 0; i < n;) {
        const unsigned char c = s[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (c < 0x80) { ++i; continue; }
        else if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;        // overlong
            else if (c == 0xED) hi = 0x9F;   // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;        // overlong
            else if (c == 0xF4) hi = 0x8F;   // above U+10FFFF
        } else return i;
        if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < len; ++k)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
        i += len;
    }
    return std::string::npos;
}

void check_config_utf8(const std::string& path, const std::string& text) {
    const size_t bad = first_invalid_utf8(text);
    if (bad == std::string::npos) return;
    const size_t line = 1 + (size_t)std::count(text.begin(), text.begin() + (std::ptrdiff_t)bad, '\n');
    throw ConfigError("", "config file " + path + ":" + std::to_string(line) +
                              ": not UTF-8 text (TOML files are UTF-8)");
}

// Refuse nesting deeper than kMaxConfigNesting before the recursive parser sees it: count [ and
// { outside strings and comments. Names the line where the limit is crossed.
void check_config_nesting(const std::string& path, const std::string& text) {
    int depth = 0;
    size_t line = 1;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\n') ++line;
        else if (c == '#') {
            while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
        } else if (c == '"' || c == '\'') {
            bool multi = text.compare(i, 3, std::string(3, c)) == 0;
            size_t close = multi ? 3 : 1;
            for (i += close; i < text.size(); ++i) {
                if (text[i] == '\n') ++line;
                if (c == '"' && text[i] == '\\') { ++i; continue; }
                if (text.compare(i, close, std::string(close, c)) == 0) { i += close - 1; break; }
            }
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxConfigNesting)
                throw ConfigError("", "config file " + path + ":" + std::to_string(line) + ": nested deeper than " +
                                          std::to_string(kMaxConfigNesting) + " tables or arrays");
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
}
}  // namespace

namespace {
// A toml11 parse error as one line: FILE:LINE, the key on that line (with its [table]), the
// parser's reason. toml11 writes "[error] REASON", then " --> FILE" and source lines as
// " N | text"; the last one quoted is where the error is.
ConfigError toml_syntax_error(const std::string& path, const std::string& text, const std::string& what) {
    std::istringstream in(what);
    std::string row, reason;
    size_t line = 0;
    while (std::getline(in, row)) {
        if (reason.empty() && row.compare(0, 8, "[error] ") == 0) reason = row.substr(8);
        size_t bar = row.find(" | ");
        if (bar == std::string::npos) continue;
        const std::string num = trim(row.substr(0, bar));
        if (!num.empty() && std::all_of(num.begin(), num.end(), [](char c) { return std::isdigit((unsigned char)c); }))
            line = std::strtoul(num.c_str(), nullptr, 10);
    }
    if (reason.empty()) reason = trim(what.substr(0, what.find('\n')));
    if (line == 0) return ConfigError("", "config file " + path + ": " + reason);
    // The key: "name =" on that line, under the last [table] header above it.
    std::istringstream src(text);
    std::string table, key, l;
    for (size_t n = 1; n <= line && std::getline(src, l); ++n) {
        const std::string t = trim(l);
        if (n < line && t.size() > 2 && t[0] == '[') {
            const size_t open = t[1] == '[' ? 2 : 1, close = t.find(']');
            if (close != std::string::npos && close > open) table = trim(t.substr(open, close - open));
        } else if (n == line) {
            const size_t eq = t.find('=');
            if (eq != std::string::npos && t[0] != '[') key = trim(t.substr(0, eq));
        }
    }
    if (!key.empty() && !table.empty()) key = table + "." + key;
    reason = "config file " + path + ":" + std::to_string(line) + ": " + reason;
    if (!key.empty()) return ConfigError(key, reason);
    return ConfigError("", reason);
}
}  // namespace

void Config::load_file(const std::string& path) {
    toml::value root;
    std::string text = read_config_text(path);
    check_config_utf8(path, text);
    check_config_nesting(path, text);
    try {
        std::istringstream in(text);
        root = toml::parse(in, path);
    } catch (const std::exception& e) {
        throw toml_syntax_error(path, text, e.what());
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
        throw ConfigError("iotlb.ways", "cannot exceed iotlb.entries (" + std::to_string(entries) + "), got " +
                                            std::to_string(tways));
    if (tways != 0 && entries % tways != 0)
        throw ConfigError("iotlb.entries", "must be divisible by iotlb.ways (" + std::to_string(tways) + "), got " +
                                               std::to_string(entries));
    int64_t eff_ways = tways == 0 ? entries : tways;
    if (get_string("iotlb.policy") == "plru" && !is_pow2((uint64_t)eff_ways))
        throw ConfigError("iotlb.ways", "plru needs a power-of-two number of ways, got " + std::to_string(eff_ways));
    if (get_size("platform.phys_base") % 4096)
        throw ConfigError("platform.phys_base", "must be 4 KiB aligned, got " + hex(get_size("platform.phys_base")));
    if (get_size("platform.phys_size") % 4096)
        throw ConfigError("platform.phys_size", "must be a multiple of 4 KiB, got " + hex(get_size("platform.phys_size")));
    {
        // RAM must stay clear of the fixed PCI windows (ECAM, MMIO) and the MSI window.
        uint64_t base = get_size("platform.phys_base"), len = get_size("platform.phys_size");
        const std::string ram = "RAM [platform.phys_base, + platform.phys_size) = [" + hex(base) + ", + " + hex(len) + ")";
        if (base + len < base)
            throw ConfigError(is_default("platform.phys_base") ? "platform.phys_size" : "platform.phys_base",
                              ram + " wraps around the address space: it must end below 2^64");
        if (base < 0x100000000ULL && base + len > 0xc0000000ULL)
            throw ConfigError(is_default("platform.phys_size") ? "platform.phys_base" : "platform.phys_size",
                              ram + " overlaps the PCI/MSI hole 0xc0000000-0xffffffff; it must end below 0xc0000000 "
                                    "or start at platform.phys_base >= 4G");
    }
    if (get_size("pci.msi_address") % 4096)
        throw ConfigError("pci.msi_address", "must be 4 KiB aligned, got " + hex(get_size("pci.msi_address")));
    {
        // Page-table entries hold physical addresses in bits 12..51 (model/iommu/Pte.h).
        uint64_t base = get_size("platform.phys_base"), len = get_size("platform.phys_size");
        if (base + len > (1ULL << 52))
            throw ConfigError(is_default("platform.phys_base") ? "platform.phys_size" : "platform.phys_base",
                              "RAM [platform.phys_base, + platform.phys_size) = [" + hex(base) + ", + " + hex(len) +
                                  ") must lie below 2^52 (52-bit physical addresses)");
        // An upstream write to the MSI window is a message, never memory: the window must not
        // hide RAM (bypass: device addresses are physical) or device addresses a BTI hands out
        // (translate: from min(64 GiB, half the space) to the top of the IOMMU's address space).
        uint64_t msi = get_size("pci.msi_address");
        if (msi + 4096 < msi) throw ConfigError("pci.msi_address", "the 4 KiB window wraps around the address space");
        const bool bypass = get_string("iommu.mode") == "bypass";
        if (bypass && msi < base + len && base < msi + 4096)
            throw ConfigError("pci.msi_address", "the MSI window " + hex(msi) + " overlaps RAM [" + hex(base) + ", " +
                                                     hex(base + len) + ")");
        if (!bypass) {
            const DeviceAddressRange r = bti_device_addresses((unsigned)get_int("iommu.levels"));
            const uint64_t aspace = r.size, iova_base = r.first;
            if (msi < aspace && msi + 4096 > iova_base)
                throw ConfigError("pci.msi_address", "the MSI window " + hex(msi) +
                                                         " lies inside the device addresses BTIs hand out [" +
                                                         hex(iova_base) + ", " + hex(aspace) + ") with iommu.levels=" +
                                                         std::to_string(get_int("iommu.levels")));
        }
    }
    {
        // The ring workload lays its buffers back to back: a buffer that is not a whole number
        // of cache lines shares a line with its neighbour, which the device writes while the
        // CPU fills the other (lost-device-write, wrong data). Only a size the user set: the
        // platform alone (no ring workload) takes any cache.line with the default size.
        const uint64_t buf = get_size("workload.buffer_size");
        if (!is_default("workload.buffer_size") && buf % line)
            throw ConfigError("workload.buffer_size", "must be a multiple of cache.line (" + std::to_string(line) +
                                                          "): ring buffers are laid back to back and must not "
                                                          "share a cache line, got " + std::to_string(buf));
    }
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
