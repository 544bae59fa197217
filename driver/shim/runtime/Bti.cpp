#include "Bti.h"

#include <algorithm>

#include "CheckerBridge.h"
#include "ShimRuntime.h"
#include "SimThread.h"
#include "Vmo.h"

#include <zircon/syscalls/object.h>

namespace staleline::zx {

namespace {
constexpr uint64_t kPage = 4096;
constexpr uint64_t k2M = 2ULL << 20;
}  // namespace

Bti::Bti(ShimRuntime& rt, unsigned slot, uint16_t requester)
    : KernelObject(ZX_OBJ_TYPE_BTI),
      rt_(rt),
      runtime_generation_(ShimRuntime::generation()),
      slot_(slot),
      rid_(requester),
      iova_(rt.iova_base(), std::min<uint64_t>(rt.device_aspace_size(), ~0ULL - kPage) - rt.iova_base()),
      scatter_(rt.platform().config().get_bool("iommu.scatter")),
      scatter_rng_((uint64_t)rt.platform().config().get_int("sim.seed") * 0x9e3779b97f4a7c15ULL ^ (0x5ca77e5ULL + slot)) {}

zx_status_t Bti::pin(const std::shared_ptr<Vmo>& vmo, uint64_t offset, uint64_t size, uint32_t options,
                     const BtiPinPlan& plan, zx_paddr_t* addrs, const void* pc, std::shared_ptr<Pmt>* out) {
    Iommu& iommu = rt_.platform().iommu();
    const bool bypass = iommu.bypass();
    unsigned perms = 0;
    if (plan.device_perms & (ZX_BTI_PERM_READ | ZX_BTI_PERM_EXECUTE)) perms |= Iommu::kRead;
    if (plan.device_perms & ZX_BTI_PERM_WRITE) perms |= Iommu::kWrite;

    PinRecord rec;
    rec.bti_koid = koid();
    rec.vmo_koid = vmo->koid();
    rec.slot = slot_;
    rec.requester = rid_;
    rec.vmo_offset = offset;
    rec.size = size;
    rec.options = options;
    rec.device_perms = plan.device_perms;
    rec.bypass = bypass;
    rec.vmo = vmo.get();

    uint64_t iova = 0, iova_bytes = 0;
    const uint64_t npages = size / kPage;
    // Scattered (iommu.scatter): the device address of page i is iova + slot[i] * kPage.
    std::vector<uint64_t> slot;
    if (!bypass && scatter_ && !vmo->contiguous() && !plan.contiguous && npages > 1) {
        slot.resize(npages);
        for (uint64_t i = 0; i < npages; ++i) slot[i] = 2 * i;
        for (uint64_t i = npages - 1; i > 0; --i)
            std::swap(slot[i], slot[std::uniform_int_distribution<uint64_t>(0, i)(scatter_rng_)]);
    }
    if (!bypass) {
        // One run of device addresses plus a guard page (scattered: two pages per page); 2 MiB
        // alignment for large pins lets iommu.block_2m use block mappings.
        iova_bytes = slot.empty() ? size + kPage : 2 * size;
        if (!iova_.allocate(iova_bytes, size >= k2M && slot.empty() ? k2M : kPage, &iova)) return ZX_ERR_NO_MEMORY;
    }
    auto device_addr = [&](uint64_t off) {
        if (bypass) return vmo->pa(off);
        if (slot.empty()) return iova + (off - offset);
        return iova + slot[(off - offset) / kPage] * kPage + (off - offset) % kPage;
    };
    for (uint64_t off = offset; off < offset + size;) {
        uint64_t n = slot.empty() ? std::min(vmo->contiguous_bytes(off), offset + size - off) : kPage;
        uint64_t dev = device_addr(off);
        if (!bypass && !iommu.map(rid_, dev, vmo->pa(off), n, perms)) {
            for (const PinRun& r : rec.runs) iommu.unmap(rid_, r.device_addr, r.len);
            iova_.free(iova, iova_bytes);
            return ZX_ERR_NO_MEMORY;
        }
        rec.runs.push_back({dev, vmo->pa(off), n, off});
        off += n;
    }

    // The addresses the caller gets: one per page, per minimum-contiguity chunk (COMPRESS, one
    // page here) or the start of the range (CONTIGUOUS, whose VMO is one physical run).
    for (size_t i = 0; i < plan.addrs_count; ++i) addrs[i] = device_addr(offset + i * plan.run_bytes);

    SimThread& th = SimThread::current();
    rec.pinned_at = th.now();
    rec.pin_pc = pc;
    rec.pin_site = driver_site(pc);
    std::shared_ptr<PinRecord> kept = rt_.pins().add(std::move(rec));
    PinRecord& stored = *kept;
    auto pmt = std::make_shared<Pmt>(shared_from_this(), vmo, std::move(kept), iova, iova_bytes);
    pmt->scattered_ = !slot.empty();
    stored.pmt_koid = pmt->koid();
    pmt->pinned_by_ = th.driver;
    vmo->add_pin();
    ++live_pmts_;
    ++rt_.counters().pins;
    if (rt_.observer()) rt_.observer()->on_pin(stored);
    *out = std::move(pmt);
    return ZX_OK;
}

void Bti::quarantine(std::shared_ptr<Pmt> pmt) {
    pmt->record_.state = PinState::Quarantined;
    pmt->record_.quarantined_at = SimThread::current().now();
    pmt->record_.quarantine_site = driver_site(KernelObject::closing_pc());
    if (rt_.observer()) rt_.observer()->on_pin_state(pmt->record_);
    if (!released_by_bus_) quarantine_.push_back(std::move(pmt));
}

void Bti::release_by_bus() {
    released_by_bus_ = true;
    quarantine_.clear();
}

void Bti::release_quarantine() {
    std::vector<std::shared_ptr<Pmt>> q;
    q.swap(quarantine_);
    for (auto& pmt : q) pmt->unpin(nullptr);
}

zx_status_t Bti::info_record(uint32_t topic, void* record, size_t record_size) const {
    if (topic != ZX_INFO_BTI || record_size < sizeof(zx_info_bti_t)) return ZX_ERR_NOT_SUPPORTED;
    auto* info = static_cast<zx_info_bti_t*>(record);
    info->minimum_contiguity = kMinimumContiguity;
    info->aspace_size = rt_.device_aspace_size();
    info->pmo_count = live_pmts_;
    info->quarantine_count = quarantine_.size();
    return ZX_OK;
}

Pmt::Pmt(std::shared_ptr<Bti> bti, std::shared_ptr<Vmo> vmo, std::shared_ptr<PinRecord> record, uint64_t iova_base,
         uint64_t iova_bytes)
    : KernelObject(ZX_OBJ_TYPE_PMT),
      bti_(std::move(bti)),
      vmo_(std::move(vmo)),
      keep_(std::move(record)),
      record_(*keep_),
      iova_base_(iova_base),
      iova_bytes_(iova_bytes) {}

Pmt::~Pmt() = default;

zx_koid_t Pmt::related_koid() const { return bti_->koid(); }

void Pmt::unpin(const void* pc) {
    if (unpinned_) return;
    unpinned_ = true;
    ShimRuntime& rt = bti_->rt_;
    if (!ShimRuntime::alive(bti_->runtime_generation_)) return;  // the platform is gone
    Iommu& iommu = rt.platform().iommu();
    if (!record_.bypass) {
        // The pin's device addresses are one IOVA range: one unmap, one IOTLB invalidation
        // command (as an IOMMU driver invalidates an unmapped IOVA range), whatever the number
        // of physical runs behind it. A scattered pin's pages are unmapped one by one under
        // that one command.
        if (scattered_) {
            std::vector<std::pair<uint64_t, uint64_t>> ranges;
            ranges.reserve(record_.runs.size());
            for (const PinRun& r : record_.runs) ranges.emplace_back(r.device_addr, r.len);
            iommu.unmap(bti_->rid_, ranges);
        } else if (!record_.runs.empty()) {
            iommu.unmap(bti_->rid_, record_.runs.front().device_addr, record_.size);
        }
        bti_->iova_.free(iova_base_, iova_bytes_);
    }
    vmo_->remove_pin();
    if (bti_->live_pmts_) --bti_->live_pmts_;
    record_.state = PinState::Unpinned;
    record_.unpinned_at = SimThread::current().now();
    record_.unpin_site = driver_site(pc);
    record_.vmo = nullptr;
    ++rt.counters().unpins;
    if (rt.observer()) rt.observer()->on_pin_state(record_);
    rt.pins().retire(record_.id);
}

void Pmt::on_zero_handles() {
    if (unpinning_ || unpinned_) return;
    if (!ShimRuntime::alive(bti_->runtime_generation_)) return;
    bti_->quarantine(shared_from_this());
}

}  // namespace staleline::zx
