// CoherencyChecker: turns what the CPU, the cache, the devices and the driver do into
// findings (FindingKind) with source locations.
//
// It attaches to a Platform and observes:
//   the Cache (CacheObserver): fills, write-backs (before and after), discarded dirty lines,
//     drops, and the brackets of every clean / invalidate;
//   the CoherencyPort: every device transaction that reached memory, with its requester;
//   the IOMMU: translation and permission faults (and its stale-hit counter, which marks
//     DMA through a deferred-invalidated translation);
//   the PCI host: DMA refused because bus mastering was off.
// The shim (or a test playing the driver) tells it what only the driver side knows: CPU
// accesses with their code site, the cache operations the driver asked for, pins, unpins and
// quarantines with their ranges, MMIO writes (the doorbell a device error is blamed on),
// device busy/idle when known, and the end of the run.
//
// Every decision depends on the order of events, never on host state, so a run is
// deterministic. Times are only reported. docs/findings.md gives the rule for each kind.
//
// Two kinds of evidence (checker.evidence): data rules compare the CPU's view with DRAM and
// report bytes that were wrong in this run; hazard rules read the order of reported events
// (CPU stores and loads, cache operations, doorbells, device accesses) in the line history
// and report what that order proves whatever the cache happened to hold, so an adversary or
// a seed can neither hide nor reveal them. Both only on the non-coherent platform.
//
// Precise mode (default) assumes every CPU access is reported. Conservative mode
// (checker.conservative, or set_conservative) is for drivers built without access
// instrumentation: plain loads and stores never reach the cache model, so the CPU view is
// taken as the CPU's data; at each clean the lines whose view differs from DRAM (in bytes the
// device did not write) are adopted as dirty, at each invalidate the view is refreshed from
// DRAM, device reads compare view and DRAM whatever the line state, and an unpin checks that
// what the device wrote was invalidated.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <systemc>

#include "cache/CacheObserver.h"
#include "cache/CoherencyPort.h"
#include "checker/Finding.h"
#include "checker/FindingLog.h"
#include "checker/LineHistory.h"
#include "checker/PinTable.h"
#include "checker/SourceLocator.h"

namespace staleline {

class Platform;
class Cache;
class SparsePages;
struct IommuFault;
struct PciMasterAbort;

// The VMO a CPU access or cache operation went through, when the caller knows it.
struct VmoRef {
    uint64_t koid = 0;  // 0: unknown
    uint64_t offset = 0;
};

// A pin as a test playing the driver makes it: the device's requester id, the VMO, the device
// permissions (PinPerm bits) and the physically contiguous runs with their device addresses.
struct PinRequest {
    int requester = -1;
    uint64_t vmo = 0;
    unsigned perms = 0;
    std::vector<PinRange> runs;
};

class CoherencyChecker : private CacheObserver {
public:
    // Reads checker.* from the platform's configuration and attaches to its models. At most
    // one checker per platform: it registers itself there (Platform::checker()), which is how
    // the driver shim finds it, whichever of the two comes first.
    explicit CoherencyChecker(Platform& p);
    ~CoherencyChecker() override;  // detaches from the models
    CoherencyChecker(const CoherencyChecker&) = delete;
    CoherencyChecker& operator=(const CoherencyChecker&) = delete;

    // ---- what the driver side reports (the shim, or a test playing the driver) ----

    // After a CPU access of [pa, pa+len) went through the cache (Cache::access has run).
    // cached=false: an uncached mapping, which goes to DRAM and is not checked.
    void cpu_access(uint64_t pa, size_t len, bool is_write, CodeSite site, sc_core::sc_time when, VmoRef vmo = {},
                    bool cached = true);
    // BEFORE the cache operation the driver asked for is applied to [pa, pa+len): its site
    // and VMO then label what the operation causes.
    void cache_op(MaintenanceOp op, uint64_t pa, uint64_t len, CodeSite site, sc_core::sc_time when, VmoRef vmo = {});
    // Pins. The driver shim's PinRegistry is read directly (read_pins): the shim then only says
    // that pin `id` was made, quarantined or unpinned (its record already says so; unpinned()
    // comes before the registry retires it). Without a registry (a test playing the driver)
    // the checker keeps its own PinTable, filled by pin / unpin / quarantine.
    void read_pins(const PinView* registry);  // nullptr: the checker's own table again
    void pinned(uint64_t id);
    void quarantined(uint64_t id);
    void unpinned(uint64_t id);
    // A pin (zx_bti_pin) made at site, in the checker's own table; returns its id (1, 2, ...).
    uint64_t pin(const PinRequest& req, CodeSite site, sc_core::sc_time when);
    // zx_pmt_unpin (or quarantine release): device access to the pin's pages ends here.
    void unpin(uint64_t id, CodeSite site, sc_core::sc_time when);
    // The PMT's handle was closed without unpinning: the pages stay pinned (quarantine).
    void quarantine(uint64_t id, CodeSite site, sc_core::sc_time when);
    // A driver MMIO write to the registers of device `requester` (-1 unknown): the doorbell
    // that later device accesses, faults and refusals of that device are blamed on.
    void mmio_write(int requester, uint64_t reg_offset, CodeSite site, sc_core::sc_time when);
    // A misuse the driver runtime detected at a call (e.g. "cached-bar-mapping" at the
    // pci_map_bar call): reported as a finding of that kind. Unknown kinds are ignored.
    void driver_finding(const std::string& kind, const std::string& message, CodeSite site, sc_core::sc_time when);
    // The device started / finished work (from the device model or the shim), for
    // unpin-in-flight. Without these no unpin-in-flight is reported.
    void device_busy(int requester, sc_core::sc_time when);
    void device_idle(int requester, sc_core::sc_time when);
    // The pages of [pa, pa+len) changed owner (a VMO was created over them or released):
    // forget their history.
    void forget(uint64_t pa, uint64_t len);
    // The run is over: report pins still pinned or quarantined (leaked-pin). Once.
    void end_of_run(sc_core::sc_time when);

    // Conservative mode (see above); starts as checker.conservative.
    void set_conservative(bool on);
    bool conservative() const { return conservative_; }

    // Code sites: a label for a location given as text (interned), and resolution of a site.
    CodeSite label(const SourceLocation& loc);
    SourceLocation resolve(CodeSite site);
    SourceLocator& locator() { return *locator_; }

    // ---- results ----
    const FindingLog& findings() const { return log_; }
    const std::string& help_uri() const { return help_uri_; }

    // The pins the checker reads: the shim's registry, or its own table.
    const PinView& pins() const { return registry_ ? *registry_ : own_pins_; }
    const PinTable& own_pins() const { return own_pins_; }
    // Pins with device activity recorded (live and retired ones still kept; for the memory test).
    size_t pin_activity_count() const { return activity_.size(); }

private:
    // CacheObserver
    void on_fill(uint64_t line, uint64_t size, sc_core::sc_time when) override;
    void on_before_writeback(uint64_t line, uint64_t size, WritebackCause cause, sc_core::sc_time when) override;
    void on_writeback(uint64_t line, uint64_t size, WritebackCause cause, sc_core::sc_time when) override;
    void on_discard(uint64_t line, uint64_t size, sc_core::sc_time when) override;
    void on_maintenance_begin(MaintenanceOp op, uint64_t pa, uint64_t len, sc_core::sc_time when) override;
    void on_maintenance_end(MaintenanceOp op, uint64_t pa, uint64_t len, sc_core::sc_time when) override;

    void on_device_access(const DeviceAccess& a);
    // Translation off: a device write [a.pa, end] not inside the live pins of its device that
    // allow writes is dma-outside-pin (unless already reported as dma-after-unpin).
    void check_write_inside_pins(const DeviceAccess& a, uint64_t end, bool after_unpin);
    void on_iommu_fault(const IommuFault& f);
    void on_master_abort(const PciMasterAbort& m);

    // Bytes of line [off, off+n) whose CPU view differs from DRAM; which bytes count:
    enum class Bytes { All, DeviceWritten, NotDeviceWritten };
    uint64_t differing(uint64_t line, uint64_t off, uint64_t n, const LineHistory* h, Bytes which,
                       uint64_t* first_off = nullptr) const;

    // A range of offending bytes gathered over the lines of one event, with the most recent
    // related CPU write and device write among them.
    struct Offense {
        bool any = false;
        uint64_t first = 0, end = 0, bytes = 0;
        CpuWriteEvent cpu;
        DeviceWriteEvent dev;
        sc_core::sc_time fill_time;
        bool fill_known = false;
        const Finding* order_finding = nullptr;  // a hazard finding already made for these lines
        void add(uint64_t a, uint64_t n);
        void note(const LineHistory& h);
    };
    struct Doorbell {
        CodeSite site;
        sc_core::sc_time when;
        uint64_t offset = 0;
        bool valid = false;
        uint64_t seq = 0;
    };
    struct OpContext {
        bool active = false;
        MaintenanceOp op = MaintenanceOp::Clean;
        uint64_t pa = 0, len = 0;
        CodeSite site;
        VmoRef vmo;
        sc_core::sc_time when;
        // How far the driver thread that asked for it ran ahead of the kernel (the cache model
        // stamps its events with kernel time): its lines' invalidate time is the driver's.
        sc_core::sc_time ahead;
        uint64_t seq = 0;
        Offense lost, discarded;
    };

    const Doorbell& doorbell(int requester) const;
    // Stores f unless checker.evidence filters it out; the stored (or merged) finding, or null.
    const Finding* report(Finding f);
    // Fills vmo / device address of f from the pin covering f.address (requester rid).
    void locate_memory(Finding& f, int rid);
    RelatedEvent related_cpu_write(const CpuWriteEvent& e);
    RelatedEvent related_device_write(const DeviceWriteEvent& e);
    RelatedEvent related_pin(const Pin& p, const char* what);
    std::string describe_device_write(const DeviceWriteEvent& e);
    void flush_op();
    // A device access (or fault) at addresses of pin p after p was unpinned: if the device has
    // been busy since before the unpin and had touched p in that busy period, the unpin was
    // in flight.
    void confirm_in_flight(const Pin& p, int rid, bool is_write, sc_core::sc_time when);
    void check_conservative_begin(const OpContext& op);

    // ---- hazard rules ----
    enum class EvidenceMode { Order, Data, Both };
    // Lines a device write hit while the CPU's stores in them were not cleaned (order-dirty):
    // lost-device-write at the store that dirtied the first of them.
    void order_lost_write(const std::vector<uint64_t>& lines, const DeviceWriteEvent& dev);
    // A data-rule lost-device-write over lines an order finding covers: upgrade that finding.
    bool merge_into_order(const Finding* order_finding, const std::string& observed);
    // What the history says is missing or wrong for a stale CPU read / stale device read of
    // [first, end); may move the finding to a cache operation of the wrong kind or range.
    std::string advise_invalidate(Finding& f, uint64_t first, uint64_t end, const DeviceWriteEvent& dev,
                                  const SourceLocation& read_at);
    std::string advise_clean(Finding& f, uint64_t first, uint64_t end, uint64_t dma_pa, uint64_t dma_len,
                             const CpuWriteEvent& cpu, const Doorbell& bell);
    // [start, end) of the lines holding [first, end).
    std::string line_range(uint64_t first, uint64_t end) const;
    std::string where_text(CodeSite site);
    uint64_t prev_doorbell_seq(uint64_t before) const;

    EvidenceMode evidence_ = EvidenceMode::Both;
    bool hazards_ = true;  // the hazard rules: non-coherent platform, checker.evidence not data
    uint64_t seq_ = 0;     // reported events, in order
    std::deque<uint64_t> doorbell_seqs_;
    // lost-device-write hazards by (store's pc, store's label, doorbell seq).
    std::map<std::tuple<const void*, uint32_t, uint64_t>, const Finding*> lost_by_store_;

    Platform& p_;
    Cache& cache_;
    SparsePages& view_;
    SparsePages& dram_;
    LineHistoryTable lines_;
    const PinView* registry_ = nullptr;  // the driver shim's pins, when it reports them
    PinTable own_pins_;                  // pins reported with pin() / unpin() / quarantine()
    // What the checker learnt about a pin from the devices and the cache operations, for the
    // pins the view still keeps (swept now and then: memory follows the view's).
    struct PinActivity {
        // The busy period (of the pin's device) in which the device last touched the pin, and when.
        uint64_t touched_in_busy = 0;  // 0: not during a busy period
        sc_core::sc_time last_device_access;
        // Unpinned while the device was busy and had touched the pin in that busy period: the
        // period's number. An access to the pin's addresses later in the same period (before the
        // device goes idle) shows the device was still working on it: unpin-in-flight.
        uint64_t unpinned_in_busy = 0;
        bool in_flight_reported = false;
        // Pages (PA) a cache operation covered since the pin: what the driver prepared for the
        // device. A device write to a page of a pin whose other pages were prepared and this one
        // not points at a wrong page (a wrong index into addrs[]).
        std::set<uint64_t> prepared_pages;
    };
    std::unordered_map<uint64_t, PinActivity> activity_;
    uint64_t pins_since_sweep_ = 0;
    PinActivity& activity(const Pin& p) { return activity_[p.id]; }
    const PinActivity* activity_of(uint64_t id) const {
        auto it = activity_.find(id);
        return it == activity_.end() ? nullptr : &it->second;
    }
    FindingLog log_;
    std::unique_ptr<SourceLocator> locator_;
    std::vector<SourceLocation> labels_;
    std::map<SourceLocation, uint32_t> label_index_;
    bool conservative_;
    std::string help_uri_;

    OpContext pending_op_;  // announced by cache_op(), consumed by on_maintenance_begin
    OpContext op_;          // the maintenance operation in progress
    // The latest cache operations (bounded): the hazard advice names the one that came too
    // early, covered too little or was of the wrong kind.
    struct RecentOp {
        MaintenanceOp op;
        uint64_t pa, len;
        CodeSite site;
        sc_core::sc_time when;
        uint64_t seq = 0;
    };
    std::deque<RecentOp> recent_ops_;
    std::map<int, Doorbell> doorbells_;
    Doorbell last_doorbell_;
    // Which registers are doorbells, learnt from busy/idle: per requester, the register offsets
    // whose write was the last one before the device went from idle to busy, with how often,
    // and the last write to each. A device access is then blamed on the latest write to the
    // register that woke the device most often, not on a later write to another register
    // (an interrupt acknowledgement while the device still works).
    struct RegisterWrites {
        std::map<uint64_t, uint64_t> wakes;
        std::map<uint64_t, Doorbell> last;
    };
    std::map<int, RegisterWrites> registers_;
    std::map<int, uint64_t> busy_;  // requester -> busy period number (absent or 0: idle)
    uint64_t busy_periods_ = 0;
    uint64_t transactions_ = 0;
    bool stale_translation_pending_ = false;  // a StaleHit since the last device access was checked
    uint64_t activity_token_ = 0;  // our DeviceActivity subscription
    uint64_t iommu_token_ = 0;     // our IommuEvents subscription
    // "00:01.0", and the device's instance name when the bus has several devices.
    std::string device_text(int rid) const;
    bool ended_ = false;
};

}  // namespace staleline
