// C API of the platform's devices (staleline/platform.h, "the devices in the PCI slots").
#include <cstdio>
#include <exception>

#include "device/DeviceKinds.h"
#include "device/PciDevice.h"
#include "pci/PciHost.h"
#include "platform/PlatformHandle.h"

using namespace staleline;

extern "C" {

size_t sl_platform_device_count(sl_platform_t* p) { return p ? impl(p).devices().size() : 0; }

int sl_platform_device_info(sl_platform_t* p, unsigned slot, sl_device_info_t* out) {
    clear_error();
    if (!p || !out) return set_error("sl_platform_device_info: null argument");
    if (slot >= impl(p).devices().size()) return set_error("sl_platform_device_info: slot " + std::to_string(slot) + " is empty");
    const PciDevice& d = *impl(p).devices()[slot];
    const PciConfigSpace& c = impl(p).pci().config_space(slot);
    out->instance = d.instance().c_str();
    out->kind = d.kind_name().c_str();
    out->slot = slot;
    out->vendor_id = c.info().vendor_id;
    out->device_id = c.info().device_id;
    out->requester_id = PciHost::requester_id(slot);
    out->rtl = d.has_waveform();
    return 0;
}

int sl_platform_device_slot(sl_platform_t* p, const char* instance) {
    PciDevice* d = p && instance ? impl(p).device_named(instance) : nullptr;
    return d ? (int)d->slot() : -1;
}

int sl_platform_device_vcd(sl_platform_t* p, unsigned slot, const char* path) {
    clear_error();
    if (!p || !path || !*path) return set_error("sl_platform_device_vcd: null platform or empty file name");
    if (slot >= impl(p).devices().size()) return set_error("sl_platform_device_vcd: slot " + std::to_string(slot) + " is empty");
    try {
        impl(p).devices()[slot]->start_vcd(path);
    } catch (const std::exception& e) {
        return set_error(std::string("sl_platform_device_vcd: ") + e.what());
    }
    return 0;
}

size_t sl_device_kinds_print(FILE* f) {
    DeviceKinds kinds;
    register_standard_devices(kinds);
    size_t n = 0;
    for (const DeviceKinds::Listed& l : kinds.list()) {
        if (!l.error.empty()) {
            std::fprintf(f, "%-20s (cannot load %s: %s)\n", l.name.c_str(), l.path.c_str(), l.error.c_str());
            continue;
        }
        std::fprintf(f, "%-20s %-13s %04x:%04x  %s\n", l.name.c_str(),
                     l.path.empty() ? "built-in" : l.rtl ? "RTL" : "behavioural", l.vendor_id, l.device_id,
                     l.summary.c_str());
        if (l.rtl) std::fprintf(f, "    clock_mhz=N   device clock (default: the kind's, else rtl.clock_mhz)\n");
        for (const sl_dev_param_decl_t* p = l.params; p && p->key; ++p)
            std::fprintf(f, "    %s=N   %s (default %llu, %llu..%llu)\n", p->key, p->doc ? p->doc : "",
                         (unsigned long long)p->default_value, (unsigned long long)p->min, (unsigned long long)p->max);
        ++n;
    }
    return n;
}

}  // extern "C"
