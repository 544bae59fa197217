// PinTable: the pins the checker was told about (zx_bti_pin / zx_pmt_unpin / quarantine),
// live and retired, with their physical and device ranges, permissions and source
// locations. It answers "which pin covers this physical / device address", preferring live
// pins, and remembers for each address range only the newest retired pin, so lookups stay
// cheap in long runs that pin and unpin the same buffers again and again.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <utility>
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

enum class PinState { Pinned, Quarantined, Unpinned };
const char* to_string(PinState s);  // "pinned", "quarantined", "unpinned"

struct CheckerPin {
    uint64_t id = 0;       // 1, 2, ... in pin order
    int requester = -1;    // PCI requester id of the device, -1 unknown
    uint64_t vmo = 0;      // koid, 0 unknown
    unsigned perms = 0;    // 1 device read, 2 device write
    std::vector<PinRange> runs;
    PinState state = PinState::Pinned;
    sc_core::sc_time pinned_at, quarantined_at, unpinned_at;
    CodeSite pin_site, quarantine_site, unpin_site;
    // Device activity, for unpin-in-flight: the busy period (of the pin's device) in which
    // the device last touched the pin, and when.
    uint64_t touched_in_busy = 0;  // 0: not during a busy period
    sc_core::sc_time last_device_access;
    bool device_accessed = false;
    // Unpinned while the device was busy and had touched the pin in that busy period: the
    // period's number. An access to the pin's addresses later in the same period (before the
    // device goes idle) shows the device was still working on it: unpin-in-flight.
    uint64_t unpinned_in_busy = 0;
    bool in_flight_reported = false;
    // Pages (PA) a cache operation covered since the pin: what the driver prepared for the
    // device. A device write to a page of a pin whose other pages were prepared and this one
    // not points at a wrong page (a wrong index into addrs[]).
    std::set<uint64_t> prepared_pages;

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
};

class PinTable {
public:
    // Stores the pin, assigns its id.
    CheckerPin& add(CheckerPin p);
    CheckerPin* get(uint64_t id) { return id && id <= pins_.size() ? &pins_[(size_t)(id - 1)] : nullptr; }
    // Moves a pin out of the live indexes (state already set by the caller).
    void retire(uint64_t id);

    // The pin covering physical address pa (of requester rid; any when rid < 0) and its
    // run: the newest live one, else (when live_only is false) the newest retired one.
    CheckerPin* find_pa(uint64_t pa, int rid, bool live_only, const PinRange** run = nullptr);
    // The same by device address.
    CheckerPin* find_device(uint64_t device_addr, int rid, bool live_only, const PinRange** run = nullptr);

    const std::deque<CheckerPin>& all() const { return pins_; }
    bool empty() const { return pins_.empty(); }

private:
    struct Ref {
        size_t pin;
        size_t run;
    };
    using Index = std::multimap<uint64_t, Ref>;  // start address of a run -> run
    CheckerPin* search(const Index& idx, bool by_device, uint64_t a, int rid, const PinRange** run);
    void insert(Index& idx, bool by_device, size_t pin, bool replace_older);

    std::deque<CheckerPin> pins_;
    Index live_pa_, live_dev_, retired_pa_, retired_dev_;
    uint64_t longest_run_ = 0;
};

}  // namespace staleline
