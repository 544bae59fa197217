// PinRegistry: the pins of the run as the kernel objects see them (zx_bti_pin, zx_pmt_unpin,
// quarantine), and the one model of pins: the coherency checker reads it directly through
// PinView (model/checker/PinView.h), which it implements as a PinTable.
//
// A record is the checker's Pin (requester, VMO, device permissions, runs, state, sites and
// times) plus what only the shim knows (koids, slot, options, the zx_bti_pin call's return
// address, the VMO while pinned). Memory depends on the live pins: a retired pin is kept only
// while a lookup can still return it (PinTable: the newest retired pin per start address, in
// a bounded window), then dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "checker/PinTable.h"

#include <zircon/types.h>

namespace staleline::zx {

class Vmo;

// One physically contiguous piece of a pin, as the device sees it (device_addr: IOVA, or the
// physical address in bypass mode).
using PinRun = PinRange;

struct PinRecord : Pin {
    zx_koid_t pmt_koid = 0, bti_koid = 0;
    unsigned slot = 0;               // PCI slot of the BTI's function
    uint64_t vmo_offset = 0, size = 0;
    uint32_t options = 0;            // as passed to zx_bti_pin
    uint32_t device_perms = 0;       // ZX_BTI_PERM_* granted
    bool bypass = false;             // iommu.mode=bypass: device addresses are physical
    const void* pin_pc = nullptr;    // return address of the zx_bti_pin call in driver code
    const Vmo* vmo = nullptr;        // valid while live (the pin keeps the VMO alive)
};

class PinRegistry : public PinTable {
public:
    PinRegistry() = default;
    PinRegistry(const PinRegistry&) = delete;
    PinRegistry& operator=(const PinRegistry&) = delete;
    ~PinRegistry() override;

    // Stores the record (assigns its id; perms follow device_perms). The PMT holds the
    // returned pointer, so the record outlives its retirement as long as the PMT does.
    std::shared_ptr<PinRecord> add(PinRecord r);
    const PinRecord* record(uint64_t id) const { return static_cast<const PinRecord*>(get(id)); }
    // The newest pin of requester rid covering device address a: live ones first, then the
    // newest retired one still kept; nullptr when none.
    const PinRecord* find_for_device(uint16_t rid, uint64_t a) const {
        return static_cast<const PinRecord*>(find_device(a, rid, false));
    }
    // Called once when the registry goes away (the runtime detaches), for a reader that
    // outlives it (the checker); nullptr: none.
    void set_on_destroy(std::function<void()> fn) { on_destroy_ = std::move(fn); }

private:
    std::function<void()> on_destroy_;
};

}  // namespace staleline::zx
