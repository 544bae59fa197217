// DeviceSpec: one entry of the platform's device list (`platform.devices`, `--device`, a TOML
// [[device]] table): the kind, the instance name, an optional slot and the per-device settings,
// as written by the user. Parsing only; DeviceKinds says whether the kind and keys exist.
//
//   KIND[,name=INSTANCE][,slot=N][,key=value]...     several separated by ';'
#pragma once

#include <map>
#include <string>
#include <vector>

namespace staleline {

struct DeviceSpec {
    std::string kind;                          // built-in name, module name or module path
    std::string name;                          // instance name ("" until DeviceKinds names it)
    int slot = -1;                             // requested PCI slot, -1: the next free one
    std::map<std::string, std::string> keys;   // the rest, in key order
};

// Parse a device list. Throws ConfigError (key "platform.devices") on an empty kind, an entry
// without '=', a repeated key, or a slot that is not a number in 0..31.
std::vector<DeviceSpec> parse_device_list(const std::string& text);

}  // namespace staleline
