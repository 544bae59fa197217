// C API of device waveforms (staleline/wave.h): RtlPciDevice::start_wave / finish_wave.
#include "staleline/wave.h"

#include <exception>
#include <string>
#include <vector>

#include "bridge/RtlPciDevice.h"
#include "platform/PlatformHandle.h"

using namespace staleline;

namespace {
RtlPciDevice* rtl_device(sl_platform_t* p, unsigned slot, const char* fn) {
    if (!p) {
        set_error(std::string(fn) + ": null platform");
        return nullptr;
    }
    if (slot >= impl(p).devices().size()) {
        set_error(std::string(fn) + ": slot " + std::to_string(slot) + " is empty");
        return nullptr;
    }
    auto* d = dynamic_cast<RtlPciDevice*>(impl(p).devices()[slot].get());
    if (!d) set_error(std::string(fn) + ": the device in slot " + std::to_string(slot) + " is not RTL (it has no waveform)");
    return d;
}
}  // namespace

extern "C" {

int sl_platform_device_wave(sl_platform_t* p, unsigned slot, const char* path, const sl_wave_window_t* windows,
                            size_t n) {
    clear_error();
    if (!path || !*path) return set_error("sl_platform_device_wave: empty file name");
    RtlPciDevice* d = rtl_device(p, slot, "sl_platform_device_wave");
    if (!d) return -1;
    std::vector<WaveWindow> w;
    if (windows) {
        for (size_t i = 0; i < n; ++i) {
            if (windows[i].from_ps > windows[i].to_ps || (i && windows[i].from_ps <= windows[i - 1].to_ps))
                return set_error("sl_platform_device_wave: windows must be ordered, disjoint and not reversed");
            w.push_back(WaveWindow{windows[i].from_ps, windows[i].to_ps});
        }
        // No window at all: one that no time step reaches.
        if (w.empty()) w.push_back(WaveWindow{UINT64_MAX, UINT64_MAX});
    }
    try {
        d->start_wave(path, w);
    } catch (const std::exception& e) {
        return set_error(std::string("sl_platform_device_wave: ") + e.what());
    }
    return 0;
}

int sl_platform_device_wave_finish(sl_platform_t* p, unsigned slot) {
    clear_error();
    RtlPciDevice* d = rtl_device(p, slot, "sl_platform_device_wave_finish");
    if (!d) return -1;
    try {
        d->finish_wave();
    } catch (const std::exception& e) {
        return set_error(std::string("sl_platform_device_wave_finish: ") + e.what());
    }
    return 0;
}

size_t sl_platform_device_wave_signal_count(sl_platform_t* p, unsigned slot) {
    RtlPciDevice* d = p && slot < impl(p).devices().size() ? dynamic_cast<RtlPciDevice*>(impl(p).devices()[slot].get()) : nullptr;
    return d ? d->wave_signals().size() : 0;
}

const char* sl_platform_device_wave_signal(sl_platform_t* p, unsigned slot, size_t i) {
    RtlPciDevice* d = p && slot < impl(p).devices().size() ? dynamic_cast<RtlPciDevice*>(impl(p).devices()[slot].get()) : nullptr;
    return d && i < d->wave_signals().size() ? d->wave_signals()[i].c_str() : nullptr;
}

}  // extern "C"
