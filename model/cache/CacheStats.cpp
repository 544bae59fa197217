// The CPU cache's statistics, written into the platform's sink (group "cache").
#include "cache/Cache.h"

namespace staleline {

void Cache::write_stats(StatsSink::Group& g) const {
    const CacheStats& c = stats();  // the merged view
    g.count("accesses", c.accesses)
        .count("hits", c.hits)
        .count("misses", c.misses)
        .count("read_misses", c.read_misses)
        .count("write_misses", c.write_misses)
        .count("evictions", c.evictions)
        .count("writebacks", c.writebacks)
        .count("cleans", c.cleans)
        .count("invalidates", c.invalidates)
        .count("discarded_dirty_lines", c.discarded_dirty_lines)
        .count("adversary_fills", c.adversary_fills)
        .count("adversary_evictions", c.adversary_evictions);
}

}  // namespace staleline
