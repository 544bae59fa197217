// DeviceActivity: the platform's channel for "device started / stopped working" events. Every
// device model publishes here when it gets work (busy) and when it has none left (idle);
// whoever cares subscribes (the coherency checker: an unpin while a device is busy is
// unpin-in-flight). No device knows who listens.
#pragma once

#include <cstdint>

#include <systemc>

#include "common/EventChannel.h"

namespace staleline {

struct DeviceActivityEvent {
    uint16_t requester;    // the device's PCI requester id
    bool busy;             // true: started working; false: idle
    sc_core::sc_time time;
};

class DeviceActivity : public EventChannel<DeviceActivityEvent> {};

}  // namespace staleline
