// DeviceKinds: the registry of device kinds a platform can put in its PCI slots. A kind is
// described by an sl_device_kind_t (staleline/device.h) and made by a DeviceMaker for its
// form: built-in kinds are registered by the library's composition root
// (register_standard_devices(), StandardDevices.h); device modules are found by name
// (NAME.so in $STALELINE_DEVICE_PATH, <executable dir>/../lib/devices, the build's
// lib/devices) or by path, loaded once per process and made by the RTL or the behavioural
// form's maker.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "device/DeviceSpec.h"
#include "staleline/device.h"

namespace staleline {

class Config;
class DeviceActivity;
class PciDevice;
class PciHost;
struct PciDeviceInfo;
struct DeviceKind;

// Everything a maker needs to build one device instance in `slot`. `params` are the spec's
// keys the platform did not consume (kind-specific settings); the maker rejects unknown ones.
struct DeviceContext {
    const Config& cfg;
    PciHost& pci;
    DeviceActivity& activity;
    const DeviceKind& kind;
    const DeviceSpec& spec;     // name filled in
    const PciDeviceInfo& info;  // identity after overrides
    unsigned slot;
};
using DeviceMaker = std::unique_ptr<PciDevice> (*)(const DeviceContext&);

struct DeviceKind {
    const sl_device_kind_t* desc = nullptr;
    DeviceMaker make = nullptr;
    std::string path;  // the module file; "" for a built-in kind
    std::unique_ptr<sl_device_kind_t> own;  // a module built for ABI 2, normalised (desc points here)
    bool rtl() const { return desc->rtl != nullptr; }
};

class DeviceKinds {
public:
    void add_builtin(const sl_device_kind_t* desc, DeviceMaker make);
    // How module kinds of each form are made.
    void set_forms(DeviceMaker rtl, DeviceMaker behavioural);

    // The kind a name or path stands for (a name with '/' or ending in ".so" is a path).
    // Throws ConfigError (key platform.devices) when it is unknown or its module is not a
    // valid device module, naming the files tried.
    const DeviceKind& find(const std::string& name_or_path);

    // Built-in kinds, then every loadable module in the search path (by name, first found
    // wins), for --list-devices. Modules that fail to load are listed with `error`.
    struct Listed {
        std::string name, path, summary, error;
        uint16_t vendor_id = 0, device_id = 0;
        bool rtl = false;
        const sl_dev_param_decl_t* params = nullptr;  // the kind's own keys
    };
    std::vector<Listed> list();

    static std::vector<std::string> search_path();

private:
    const DeviceKind* load(const std::string& path, std::string* error);

    std::vector<std::unique_ptr<DeviceKind>> kinds_;
    DeviceMaker rtl_ = nullptr, behavioural_ = nullptr;
};

// The library's kinds and forms (defined in bridge/StandardDevices.cpp: the built-in DMA
// engine and scratch device, RTL and behavioural modules).
void register_standard_devices(DeviceKinds& kinds);

}  // namespace staleline
