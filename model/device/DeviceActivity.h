// DeviceActivity: the platform's channel for "device started / stopped working" events. Every
// device model publishes here when it gets work (busy) and when it has none left (idle);
// whoever cares subscribes (the coherency checker: an unpin while a device is busy is
// unpin-in-flight). No device knows who listens.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include <systemc>

namespace staleline {

struct DeviceActivityEvent {
    uint16_t requester;    // the device's PCI requester id
    bool busy;             // true: started working; false: idle
    sc_core::sc_time time;
};

class DeviceActivity {
public:
    using Listener = std::function<void(const DeviceActivityEvent&)>;

    // Returns a token for unsubscribe().
    uint64_t subscribe(Listener fn) {
        listeners_.emplace(++last_, std::move(fn));
        return last_;
    }
    void unsubscribe(uint64_t token) { listeners_.erase(token); }
    void publish(const DeviceActivityEvent& e) const {
        for (const auto& l : listeners_) l.second(e);
    }

private:
    std::map<uint64_t, Listener> listeners_;  // in subscription order
    uint64_t last_ = 0;
};

}  // namespace staleline
