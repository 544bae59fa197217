// DRAM's statistics, written into the platform's sink (group "dram").
#include "memory/Memory.h"

namespace staleline {

void Memory::write_stats(StatsSink::Group& g) const {
    g.count("reads", stats_.reads)
        .count("writes", stats_.writes)
        .count("bytes_read", stats_.bytes_read)
        .count("bytes_written", stats_.bytes_written)
        .count("pages_touched", store_.pages_touched());  // pages held now (SparsePages)
}

}  // namespace staleline
