// PinRegistry: every zx_bti_pin of the run, live or not, for the coherency checker (which
// device addresses map which VMO pages right now, and which used to) and for the end-of-run
// `leaked-pin` report (pins still live, or quarantined, when the driver was released).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include <systemc>

#include <zircon/types.h>

namespace staleline::zx {

class Vmo;

// One physically contiguous piece of a pin, as the device sees it.
struct PinRun {
    uint64_t device_addr;  // IOVA (bypass: == pa)
    uint64_t pa;
    uint64_t len;
    uint64_t vmo_offset;
};

enum class PinState : uint8_t {
    Pinned,       // live: the device may access it
    Quarantined,  // PMT handle closed without zx_pmt_unpin: still mapped, blocks new pins
    Unpinned,     // zx_pmt_unpin (or quarantine release): device access revoked
};
const char* to_string(PinState s);

struct PinRecord {
    uint64_t id = 0;                 // 1, 2, ... in pin order
    zx_koid_t pmt_koid = 0, bti_koid = 0, vmo_koid = 0;
    unsigned slot = 0;               // PCI slot of the BTI's function
    uint16_t requester = 0;          // its PCI requester id
    uint64_t vmo_offset = 0, size = 0;
    uint32_t options = 0;            // as passed to zx_bti_pin
    uint32_t device_perms = 0;       // ZX_BTI_PERM_* granted
    bool bypass = false;             // iommu.mode=bypass: device addresses are physical
    std::vector<PinRun> runs;
    PinState state = PinState::Pinned;
    sc_core::sc_time pinned_at, unpinned_at, quarantined_at;
    const void* pin_pc = nullptr;    // return address of the zx_bti_pin call in driver code
    const void* unpin_pc = nullptr;
    const void* quarantine_pc = nullptr;  // the zx_handle_close that dropped the last PMT handle
    std::vector<const void*> pin_stack;  // the driver's shadow call stack at the pin, innermost first
    const Vmo* vmo = nullptr;        // valid while state != Unpinned (the pin keeps the VMO alive)

    bool live() const { return state != PinState::Unpinned; }
    // The run containing device address a, or nullptr.
    const PinRun* run_for_device(uint64_t a) const;
};

class PinRegistry {
public:
    PinRecord& add(PinRecord r);            // assigns the id
    const std::deque<PinRecord>& all() const { return records_; }
    std::vector<const PinRecord*> live() const;
    // The newest pin of requester rid covering device address a (live ones first, then the
    // most recently unpinned), or nullptr.
    const PinRecord* find_device(uint16_t rid, uint64_t a) const;
    // Live pins covering physical address pa.
    std::vector<const PinRecord*> find_pa(uint64_t pa) const;
    size_t live_count() const;
    void clear() {
        records_.clear();
        by_device_.clear();
        longest_run_ = 0;
    }

private:
    std::deque<PinRecord> records_;  // deque: references stay valid as records are added
    // (requester, first device address of a run) -> records with such a run; looked up
    // backwards from the address, as far as the longest run reaches.
    std::map<std::pair<uint16_t, uint64_t>, std::vector<size_t>> by_device_;
    uint64_t longest_run_ = 0;
};

}  // namespace staleline::zx
