// PciDevice: what the platform needs of any device in a PCI slot, whatever its form (RTL
// behind the bridges of bridge/, a behavioural C model, a built-in model). The platform
// registers the device's PciDeviceInfo with the PCI host, then calls bind() in slot order,
// and reads statistics and waveforms through here. Devices publish busy/idle on the
// platform's DeviceActivity.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "common/StatsSink.h"

namespace staleline {

class PciHost;

class PciDevice {
public:
    PciDevice(std::string name, std::string kind, unsigned slot)
        : name_(std::move(name)), kind_(std::move(kind)), slot_(slot) {}
    virtual ~PciDevice() = default;
    PciDevice(const PciDevice&) = delete;
    PciDevice& operator=(const PciDevice&) = delete;

    const std::string& instance() const { return name_; }  // instance name ("dma_engine", "nic0")
    const std::string& kind_name() const { return kind_; }  // kind name ("dma_engine", "lnic")
    unsigned slot() const { return slot_; }

    // Bind the register target to host.bar_socket and the DMA initiator to
    // host.upstream_socket (called once, in slot order).
    virtual void bind(PciHost& host) = 0;

    // The device has work of its own forever (an RTL device without the `idle` hint is
    // clocked every cycle): the platform then ends a run when its software threads end.
    virtual bool free_running() const { return false; }

    // Statistics into `obj` (a JSON object the platform files under the instance name).
    virtual void write_stats(StatsSink::Group& g) const = 0;

    // Waveform of the device's signals (RTL devices). Throws std::runtime_error if the
    // device has none or the file cannot be written.
    virtual bool has_waveform() const { return false; }
    virtual void start_vcd(const std::string& path) {
        throw std::runtime_error("device '" + name_ + "' (" + kind_ + ") has no waveform: it is not RTL");
    }
    virtual void stop_vcd() {}
    virtual bool vcd_open() const { return false; }

private:
    std::string name_, kind_;
    unsigned slot_;
};

}  // namespace staleline
