#include "checker/FindingKind.h"

namespace staleline {

namespace {

struct KindText {
    const char* name;
    const char* summary;
    const char* remedy;
};

// Index = FindingKind value.
const KindText kKinds[kFindingKindCount] = {
    {"stale-device-read", "The device read memory while the CPU cache held newer, dirty data for it.",
     "Clean the buffer (zx_vmo_op_range ZX_VMO_OP_CACHE_CLEAN or zx_cache_flush ZX_CACHE_FLUSH_DATA) after the "
     "last CPU write and before telling the device to read it."},
    {"stale-cpu-read", "The CPU read a cached line that the device had written after the line was filled.",
     "Invalidate the buffer (ZX_VMO_OP_CACHE_INVALIDATE or ZX_VMO_OP_CACHE_CLEAN_INVALIDATE) after the device "
     "finished writing it and before the CPU reads it; invalidating only before the DMA is not enough, a cache may "
     "refill the line at any time."},
    {"lost-device-write", "A dirty cache line was written back over bytes the device had written.",
     "Clean and invalidate the buffer (ZX_VMO_OP_CACHE_CLEAN_INVALIDATE) before handing it to the device, and do "
     "not write it from the CPU while the device owns it."},
    {"discarded-cpu-write", "A cache invalidate dropped CPU data that had never been cleaned to memory.",
     "Clean before invalidating (ZX_VMO_OP_CACHE_CLEAN_INVALIDATE instead of ZX_VMO_OP_CACHE_INVALIDATE) when the "
     "range holds CPU writes that must survive."},
    {"shared-cache-line", "A DMA buffer shares a cache line with memory the CPU writes.",
     "Align and pad DMA buffers to the data cache line size (zx_system_get_dcache_line_size()) so that no line "
     "holds both DMA data and CPU data."},
    {"iommu-fault", "A device access was refused by the IOMMU: the device address was not mapped or lacked the permission.",
     "Give the device only addresses zx_bti_pin returned, within the pinned size, pinned with the permissions the "
     "transfer needs (ZX_BTI_PERM_READ for device reads, ZX_BTI_PERM_WRITE for device writes)."},
    {"dma-after-unpin", "The device accessed memory through device addresses that had been unpinned.",
     "Stop the device (wait for completion or reset it) before zx_pmt_unpin; never reuse device addresses after "
     "unpinning."},
    {"unpin-in-flight", "Pages were unpinned while the device was still working on them.",
     "Wait for the device to finish (completion interrupt or status) or stop it before zx_pmt_unpin."},
    {"bus-master-disabled", "A device DMA was refused because bus mastering was disabled.",
     "Enable bus mastering (pci_enable_bus_master(..., true)) before starting DMA, and keep it on while DMA runs."},
    {"leaked-pin", "A pinned memory token was still pinned or quarantined at the end of the run.",
     "zx_pmt_unpin every PMT before release; closing a PMT handle without unpinning quarantines the pages."},
    {"cached-bar-mapping", "A PCI BAR (device registers) was mapped with a cacheable cache policy.",
     "Map BARs with ZX_CACHE_POLICY_UNCACHED_DEVICE (pci_map_bar's cache_policy): register reads must come from "
     "the device and register writes must reach it in order, not linger in the CPU cache."},
    {"misaligned-mmio", "An MMIO access crossed a naturally aligned dword (or, for 8 bytes, qword) of a BAR.",
     "Access device registers with their own width at their own offset (readw/writew at a 2-byte aligned offset, "
     "readl/writel at a 4-byte aligned one): PCIe carries byte enables within one dword, so the platform split "
     "this access into several requests, which a register may not tolerate."},
    {"bad-unpin", "zx_pmt_unpin was called twice on one PMT, on a handle that is not a PMT, or on another driver's PMT.",
     "Unpin each PMT exactly once, through the handle zx_bti_pin returned, and forget the handle value afterwards "
     "(zx_pmt_unpin consumes it even when it fails); unpin only the PMTs the driver itself pinned."},
    {"driver-fault", "The driver faulted: an access to unmapped VMO memory, a BAR access the platform cannot serve, or a crash in driver code; the run stopped there.",
     "Fix the access at this line: map the VMO (zx_vmar_map) and stay within the mapping, access BAR registers with "
     "single aligned loads and stores (or readl/writel) within the mapped BAR, and never use memory after it was "
     "unmapped or its VMO released."},
    {"bus-master-left-enabled",
     "The driver's release returned with bus mastering still enabled on its PCI function.",
     "Stop the device and disable bus mastering (pci_enable_bus_master(..., false)) in release, before the pages "
     "are unpinned and the driver's memory goes back: a device left able to master the bus can still write "
     "memory that now belongs to someone else."},
    {"cache-op-outside-mapping",
     "A cache operation covered memory the driver does not map, or ran past the end of the VMO, so it cleaned or "
     "invalidated nothing the driver meant.",
     "Pass the size of the range, not its end address or end offset: zx_vmo_op_range(vmo, op, offset, size) and "
     "zx_cache_flush(addr, size, options) take a size, and offset + size must stay within the VMO. Check the "
     "status: zx_vmo_op_range returns ZX_ERR_OUT_OF_RANGE for a range past the end and does nothing."},
    {"dma-outside-pin",
     "With translation off (IOMMU bypass), a device wrote memory that no live pin of its BTI with write permission "
     "covers: nothing stopped it, as nothing would on a platform without an IOMMU.",
     "Program the device only with addresses zx_bti_pin returned for this device, within the pinned length, and "
     "pin buffers the device writes with ZX_BTI_PERM_WRITE; check the address and length the driver wrote before "
     "the doorbell."},
};

}  // namespace

const char* to_string(FindingKind k) {
    const size_t i = (size_t)k;
    return i < kFindingKindCount ? kKinds[i].name : "unknown";
}

bool parse_finding_kind(const std::string& s, FindingKind* out) {
    for (size_t i = 0; i < kFindingKindCount; ++i)
        if (s == kKinds[i].name) {
            *out = (FindingKind)i;
            return true;
        }
    return false;
}

const char* summary(FindingKind k) {
    const size_t i = (size_t)k;
    return i < kFindingKindCount ? kKinds[i].summary : "";
}

const char* remedy(FindingKind k) {
    const size_t i = (size_t)k;
    return i < kFindingKindCount ? kKinds[i].remedy : "";
}

}  // namespace staleline
