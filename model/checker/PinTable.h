// PinTable: pins live and retired, indexed by physical and by device address, in memory that
// depends on the live pins, not on how many were ever made.
//
// A live pin is in the live indexes. A retired (unpinned) pin moves to the retired indexes,
// where for each (requester, start address of a run) only the newest retired pin is kept:
// that is all a later lookup can return (dma-after-unpin, unpin-in-flight and iommu-fault
// name the newest retired pin covering an address). A retired pin is dropped once no retired
// index entry names it, or when it falls out of the window of the kRetiredWindow most
// recently retired pins. Adding and retiring a pin cost O(runs * log n).
//
// The driver shim's PinRegistry is a PinTable holding its own records (derived from Pin); the
// checker reads either through PinView.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>

#include "checker/PinView.h"

namespace staleline {

class PinTable : public PinView {
public:
    // Retired pins kept at most (the most recently retired ones).
    static constexpr size_t kRetiredWindow = 4096;

    // Stores the pin (state Pinned or Quarantined), assigns its id, indexes its runs as live.
    Pin& add(std::shared_ptr<Pin> p);
    // The pin's state is now Unpinned: moves it from the live to the retired indexes.
    void retire(uint64_t id);
    // Forgets every pin; ids start again at 1.
    void clear();

    Pin* get(uint64_t id);
    const Pin* get(uint64_t id) const override;
    const Pin* find_pa(uint64_t pa, int rid, bool live_only, const PinRange** run = nullptr,
                       unsigned perms = 0) const override;
    const Pin* find_device(uint64_t device_addr, int rid, bool live_only, const PinRange** run = nullptr,
                           unsigned perms = 0) const override;
    bool empty() const override { return made_ == 0; }
    void for_each_live(const std::function<void(const Pin&)>& fn) const override;

    uint64_t made() const { return made_; }      // pins ever added (the last id)
    size_t live_count() const { return live_.size(); }
    size_t kept() const { return pins_.size(); }  // live and retired pins held

private:
    struct Ref {
        const Pin* pin;  // held by pins_ while any index names it
        size_t run;
    };
    using Index = std::multimap<uint64_t, Ref>;  // start address of a run -> run
    struct Kept {
        std::shared_ptr<Pin> pin;
        unsigned retired_refs = 0;  // retired index entries naming it
    };
    const Pin* search(const Index& idx, bool by_device, uint64_t a, int rid, const PinRange** run,
                      unsigned perms) const;
    void unindex(Index& idx, bool by_device, const Pin& p);
    void index_retired(Index& idx, bool by_device, const Pin& p);
    void release(uint64_t id);  // a retired entry naming id went away
    void drop_retired(uint64_t id);

    std::map<uint64_t, Kept> pins_;  // by id
    std::set<uint64_t> live_;        // ids of live pins
    std::deque<uint64_t> retired_order_;  // ids in retirement order (may name dropped pins)
    size_t retired_kept_ = 0;
    Index live_pa_, live_dev_, retired_pa_, retired_dev_;
    uint64_t longest_run_ = 0;
    uint64_t made_ = 0;
};

}  // namespace staleline
