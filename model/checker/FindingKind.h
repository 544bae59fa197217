// FindingKind: the stable names of what the coherency checker reports. The names are an
// interface (JSON, SARIF rule ids, tests, docs/findings.md anchors): never rename one.
#pragma once

#include <cstddef>
#include <string>

namespace staleline {

enum class FindingKind {
    StaleDeviceRead,     // the device read memory while the CPU held newer dirty data
    StaleCpuRead,        // the CPU read a cached line the device had written since it was filled
    LostDeviceWrite,     // a dirty line was written back over bytes the device wrote later
    DiscardedCpuWrite,   // an invalidate dropped CPU data that was never cleaned
    SharedCacheLine,     // DMA memory shares a cache line with memory the CPU writes
    IommuFault,          // translation or permission fault
    DmaAfterUnpin,       // device access through addresses that were unpinned
    UnpinInFlight,       // unpin while the device still works on the pages
    BusMasterDisabled,   // device DMA refused: bus mastering off
    LeakedPin,           // a PMT still pinned or quarantined at the end of the run
    CachedBarMapping,    // a BAR (device registers) mapped with a cacheable policy
    MisalignedMmio,      // an MMIO access crossing a dword (or qword) boundary, split by the platform
    BadUnpin,            // zx_pmt_unpin twice, of a non-PMT handle, or of another driver's PMT
    DriverFault,         // the driver faulted (unmapped VMO memory, a BAR access the platform cannot serve, a crash)
    BusMasterLeftEnabled,   // release returned with bus mastering still on
    CacheOpOutsideMapping,  // a cache operation on a range the driver does not map, or past the VMO's end
    DmaOutsidePin,          // translation off: a device write outside every live pin of its BTI that allows writes
};
constexpr size_t kFindingKindCount = 17;

// "stale-device-read", ... (the stable name).
const char* to_string(FindingKind k);
// false when s names no kind.
bool parse_finding_kind(const std::string& s, FindingKind* out);
// One sentence: what happened (SARIF shortDescription).
const char* summary(FindingKind k);
// What the driver should do about it (SARIF fullDescription, messages).
const char* remedy(FindingKind k);

}  // namespace staleline
