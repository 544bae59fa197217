// Config: the hierarchical parameters of a Staleline platform (`cache.ways`,
// `iotlb.entries`, ...). The list of parameters, with defaults, units, bounds and
// docs, lives in params.def; this class validates and holds values.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace staleline {

// A configuration error always names the key it concerns; the CLI maps it to exit 2.
class ConfigError : public std::runtime_error {
public:
    ConfigError(std::string key, const std::string& msg)
        : std::runtime_error(key.empty() ? msg : key + ": " + msg), key_(std::move(key)) {}
    const std::string& key() const { return key_; }
private:
    std::string key_;
};

enum class ParamType { Bool, Int, Size, Double, Enum, String };

struct ParamInfo {
    const char* key;
    ParamType type;
    const char* def;
    const char* unit;
    long double min, max;  // bounds for Int/Size/Double; long double holds every 64-bit integer exactly
    const char* choices;   // Enum: "a|b|c"; Int: keyword aliases "full=0"
    const char* doc;
};

const std::vector<ParamInfo>& all_params();
const ParamInfo* find_param(const std::string& key);
const char* param_type_name(ParamType t);

// Parses "32k", "2M", "0x1000", "4096" into bytes. Returns false on garbage or overflow.
bool parse_size(const std::string& text, uint64_t* out);

class Config {
public:
    Config();  // every parameter at its default

    // Set one parameter from text (CLI `--set key=value`). Throws ConfigError naming the key.
    void set(const std::string& key, const std::string& value);
    // Parse "key=value" as given to --set.
    void set_assignment(const std::string& assignment);
    // Load a TOML file: tables become key prefixes ([cache] ways = 4 -> cache.ways).
    void load_file(const std::string& path);
    // Cross-parameter checks (cache geometry, IOTLB geometry). Throws ConfigError.
    void validate() const;

    bool get_bool(const std::string& key) const;
    int64_t get_int(const std::string& key) const;
    uint64_t get_size(const std::string& key) const;
    double get_double(const std::string& key) const;
    const std::string& get_string(const std::string& key) const;  // Enum and String
    // The value as the user would write it back (canonical text).
    std::string text(const std::string& key) const;
    bool is_default(const std::string& key) const;

    // Markdown table of every parameter (docs/configuration.md).
    static std::string markdown();

private:
    struct Value {
        std::string text;  // canonical
        int64_t i = 0;
        uint64_t u = 0;
        double d = 0;
        bool b = false;
        bool set_by_user = false;
    };
    const Value& value(const std::string& key, ParamType want) const;
    Value parse(const ParamInfo& p, const std::string& text) const;
    std::map<std::string, Value> values_;
};

}  // namespace staleline
