// The IOMMU's statistics, written into the platform's sink (group "iotlb").
#include "iommu/Iommu.h"

namespace staleline {

void Iommu::write_stats(StatsSink::Group& g) const {
    const IommuStats& i = stats_;
    g.count("lookups", i.translations)
        .count("hits", i.iotlb_hits)
        .count("misses", i.iotlb_misses)
        .count("walks", i.walks)
        .count("walk_reads", i.walk_reads);
    // walk concurrency (iommu.walkers): walks that queued for a walker, and hits on an entry
    // whose walk was still in flight
    g.count("walks_waited", i.walks_waited).duration_ns("walk_wait_ns", i.walk_wait).count("hits_pending", i.hits_pending);
    // page-walk cache (iommu.pwc_entries): walks that skipped upper levels, and how many
    g.count("pwc_hits", i.pwc_hits)
        .count("pwc_levels_skipped", i.pwc_levels_skipped)
        .count("pwc_misses", i.pwc_misses)
        .count("pwc_invalidated", i.pwc_invalidated);
    g.count("faults", i.faults)
        .count("invalidation_commands", i.invalidation_commands)
        .count("invalidated_entries", i.invalidated_entries)
        .count("stale_hits", i.stale_hits)
        .count("deferred_flushes", i.deferred_flushes);
    // how long stale translations stayed usable under deferred invalidation
    g.duration_ns("deferred_window_max_ns", i.deferred_window_max)
        .count("deferred_window_mean_ns",
               i.deferred_flushes
                   ? (uint64_t)(i.deferred_window_total / sc_core::sc_time(1, sc_core::SC_NS)) / i.deferred_flushes
                   : 0);
    g.count("evictions", iotlb_.stats().evictions).duration_ns("time_translating_ns", i.time_translating);
}

}  // namespace staleline
