// PinView: the pins the checker reads. A pin is what zx_bti_pin made: the device's requester
// id, the VMO, the device permissions, the physically contiguous runs with their device
// addresses, its state and where and when it was made, quarantined and unpinned.
//
// The checker owns this interface and never stores pins of its own when a registry implements
// it: the driver shim's PinRegistry (the kernel object's view) is read through it directly.
// PinTable is the implementation (ordered indexes, bounded retirement); the checker keeps one
// only for a test that plays the driver (sl_checker_pin).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <systemc>

#include "checker/SourceLocation.h"

namespace staleline {

// One physically contiguous piece of a pin.
struct PinRange {
    uint64_t device_addr;  // as the device uses it (IOVA; == pa in bypass mode)
    uint64_t pa;
    uint64_t len;
    uint64_t vmo_offset;
};

enum class PinState : uint8_t {
    Pinned,       // live: the device may access it
    Quarantined,  // the PMT handle was closed without unpinning: still mapped
    Unpinned,     // device access revoked
};
const char* to_string(PinState s);  // "pinned", "quarantined", "unpinned"

enum PinPerm : unsigned { kPinDeviceRead = 1, kPinDeviceWrite = 2 };

struct Pin {
    virtual ~Pin() = default;

    uint64_t id = 0;       // 1, 2, ... in pin order
    int requester = -1;    // PCI requester id of the device, -1 unknown
    uint64_t vmo_koid = 0; // 0 unknown
    unsigned perms = 0;    // PinPerm bits
    std::vector<PinRange> runs;
    PinState state = PinState::Pinned;
    sc_core::sc_time pinned_at, quarantined_at, unpinned_at;
    CodeSite pin_site, quarantine_site, unpin_site;

    bool live() const { return state != PinState::Unpinned; }
    uint64_t size() const {
        uint64_t n = 0;
        for (const PinRange& r : runs) n += r.len;
        return n;
    }
    // Offset of pa in the pinned range (runs in order), or ~0 when no run holds it.
    uint64_t offset_of(uint64_t pa) const {
        uint64_t before = 0;
        for (const PinRange& r : runs) {
            if (pa - r.pa < r.len) return before + (pa - r.pa);
            before += r.len;
        }
        return ~0ULL;
    }
    // The run holding device address a, or nullptr.
    const PinRange* run_for_device(uint64_t a) const {
        for (const PinRange& r : runs)
            if (a - r.device_addr < r.len) return &r;
        return nullptr;
    }
};

class PinView {
public:
    virtual ~PinView() = default;
    // The pin with this id while it is kept (live, or retired and still reachable), else null.
    virtual const Pin* get(uint64_t id) const = 0;
    // The pin covering physical address pa (of requester rid; any when rid < 0) and its run:
    // the newest live one, else (when live_only is false) the newest retired one kept. Only
    // pins granting every PinPerm bit of `perms` count.
    virtual const Pin* find_pa(uint64_t pa, int rid, bool live_only, const PinRange** run = nullptr,
                               unsigned perms = 0) const = 0;
    // The same by device address.
    virtual const Pin* find_device(uint64_t device_addr, int rid, bool live_only, const PinRange** run = nullptr,
                                   unsigned perms = 0) const = 0;
    // Nothing was ever pinned (lookups can be skipped).
    virtual bool empty() const = 0;
    // Every live (pinned or quarantined) pin, in pin order.
    virtual void for_each_live(const std::function<void(const Pin&)>& fn) const = 0;
};

}  // namespace staleline
