#include "device/DeviceSpec.h"

#include <cerrno>
#include <cstdlib>

#include "config/Config.h"

namespace staleline {

namespace {

const char* const kKey = "platform.devices";

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t at = s.find(sep, start);
        out.push_back(trim(s.substr(start, at == std::string::npos ? std::string::npos : at - start)));
        if (at == std::string::npos) return out;
        start = at + 1;
    }
}

DeviceSpec parse_one(const std::string& entry) {
    std::vector<std::string> parts = split(entry, ',');
    DeviceSpec spec;
    spec.kind = parts[0];
    if (spec.kind.empty() || spec.kind.find('=') != std::string::npos)
        throw ConfigError(kKey, "'" + entry + "': an entry starts with a device kind (see --list-devices)");
    for (size_t i = 1; i < parts.size(); ++i) {
        size_t eq = parts[i].find('=');
        if (eq == std::string::npos || eq == 0)
            throw ConfigError(kKey, "'" + entry + "': expected key=value after the kind, got '" + parts[i] + "'");
        std::string key = trim(parts[i].substr(0, eq)), value = trim(parts[i].substr(eq + 1));
        if (key == "name") {
            if (value.empty()) throw ConfigError(kKey, "'" + entry + "': empty instance name");
            spec.name = value;
        } else if (key == "slot") {
            char* end = nullptr;
            errno = 0;
            long v = std::strtol(value.c_str(), &end, 10);
            if (value.empty() || *end || errno || v < 0 || v > 31)
                throw ConfigError(kKey, "'" + entry + "': slot must be a number in 0..31, got '" + value + "'");
            spec.slot = (int)v;
        } else if (!spec.keys.emplace(key, value).second) {
            throw ConfigError(kKey, "'" + entry + "': key '" + key + "' given twice");
        }
    }
    return spec;
}

}  // namespace

std::vector<DeviceSpec> parse_device_list(const std::string& text) {
    std::vector<DeviceSpec> out;
    if (trim(text).empty()) return out;
    for (const std::string& entry : split(text, ';')) {
        if (entry.empty()) throw ConfigError(kKey, "empty entry in '" + text + "'");
        out.push_back(parse_one(entry));
    }
    return out;
}

}  // namespace staleline
