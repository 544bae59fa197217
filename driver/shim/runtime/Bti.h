// Bti and Pmt: the bus transaction initiator of a PCI function and the pinned memory tokens
// zx_bti_pin hands out.
//
// A pin takes [offset, offset + size) of a VMO, gives it one run of device addresses from the
// BTI's IovaAllocator (plus an unmapped guard page after it) and programs the IOMMU for the
// function's requester id, one Iommu::map per physically contiguous piece. With iommu.scatter=true
// a pin of a non-contiguous VMO without ZX_BTI_CONTIGUOUS is scattered instead:
// its block of device addresses has two pages per pinned page, and page i is mapped at slot
// 2 * perm[i] of it (perm a permutation drawn from the BTI's generator, seeded by sim.seed and
// the slot), so no two pages are adjacent and the page after each is unmapped. With
// iommu.mode=bypass the device addresses are the physical ones and nothing is programmed.
// zx_pmt_unpin unmaps (the IOMMU invalidates its IOTLB per iommu.invalidation) and frees the
// addresses. Closing a PMT's handle without unpinning puts it in the BTI's quarantine: still
// mapped, and new pins fail with ZX_ERR_BAD_STATE until zx_bti_release_quarantine().
//
// The quarantine belongs to the BTI kernel object. The PCI bus driver (PciFunction) keeps the
// one BTI object of its function for as long as the function exists and hands out a new handle
// to it on every pci_get_bti, so a driver that closes all its BTI handles and asks again finds
// its quarantined PMTs there (counted in ZX_INFO_BTI, released by zx_bti_release_quarantine).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "BtiPinCheck.h"
#include "IovaAllocator.h"
#include "KernelObject.h"
#include "PinRegistry.h"

namespace staleline::zx {

class DriverInstance;
class Pmt;
class ShimRuntime;
class Vmo;

class Bti final : public KernelObject, public std::enable_shared_from_this<Bti> {
public:
    Bti(ShimRuntime& rt, unsigned slot, uint16_t requester);

    unsigned slot() const { return slot_; }
    uint16_t requester() const { return rid_; }
    static constexpr uint64_t kMinimumContiguity = 4096;

    // zx_bti_pin once every argument has been checked (plan from check_bti_pin). Fills
    // addrs[plan.addrs_count]. ZX_ERR_NO_MEMORY when device addresses or IOMMU table pages run
    // out (nothing is left mapped then).
    zx_status_t pin(const std::shared_ptr<Vmo>& vmo, uint64_t offset, uint64_t size, uint32_t options,
                    const BtiPinPlan& plan, zx_paddr_t* addrs, const void* pc, std::shared_ptr<Pmt>* out);

    bool quarantine_empty() const { return quarantine_.empty(); }
    size_t quarantine_count() const { return quarantine_.size(); }
    void quarantine(std::shared_ptr<Pmt> pmt);
    // zx_bti_release_quarantine: unpins every quarantined PMT.
    void release_quarantine();
    size_t live_pmts() const { return live_pmts_; }

    zx_status_t info_record(uint32_t topic, void* record, size_t record_size) const override;
    // The bus driver lets go of the BTI (the runtime detaches): nobody can release the
    // quarantine any more, so the BTI lets go of its quarantined PMTs (which hold the BTI: a
    // cycle). Their pages stay pinned and mapped; the pin records still say quarantined
    // (leaked-pin at the end of the run). Later quarantines are not kept either.
    void release_by_bus();

private:
    friend class Pmt;
    ShimRuntime& rt_;
    const uint64_t runtime_generation_;
    unsigned slot_;
    uint16_t rid_;
    IovaAllocator iova_;
    const bool scatter_;        // iommu.scatter
    std::mt19937_64 scatter_rng_;  // where scattered pages go: same seed, same addresses
    std::vector<std::shared_ptr<Pmt>> quarantine_;
    bool released_by_bus_ = false;
    size_t live_pmts_ = 0;
};

class Pmt final : public KernelObject, public std::enable_shared_from_this<Pmt> {
public:
    Pmt(std::shared_ptr<Bti> bti, std::shared_ptr<Vmo> vmo, std::shared_ptr<PinRecord> record, uint64_t iova_base,
        uint64_t iova_bytes);
    ~Pmt() override;

    zx_koid_t related_koid() const override;
    const PinRecord& record() const { return record_; }
    bool unpinned() const { return unpinned_; }
    // The driver whose thread pinned it (nullptr: a thread that runs no driver, e.g. a test),
    // and the PCI slot of its BTI: zx_pmt_unpin by another driver is a finding (bad-unpin).
    const DriverInstance* pinned_by() const { return pinned_by_; }
    unsigned bti_slot() const { return bti_->slot(); }

    // zx_pmt_unpin: set before the handle is removed, so that losing the last handle does not
    // quarantine a PMT that is being unpinned.
    void mark_unpinning() { unpinning_ = true; }
    // Revokes the device's access (idempotent).
    void unpin(const void* pc);

    void on_zero_handles() override;

private:
    friend class Bti;
    std::shared_ptr<Bti> bti_;
    std::shared_ptr<Vmo> vmo_;
    std::shared_ptr<PinRecord> keep_;  // the registry may drop the record once it is retired
    PinRecord& record_;
    uint64_t iova_base_, iova_bytes_;  // allocation incl. the guard page (0 in bypass)
    bool unpinning_ = false, unpinned_ = false;
    bool scattered_ = false;  // one device address per page (iommu.scatter)
    const DriverInstance* pinned_by_ = nullptr;
};

}  // namespace staleline::zx
