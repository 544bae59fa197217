// MemoryStats: what the DRAM model counts.
#pragma once

#include <cstdint>

namespace staleline {

struct MemoryStats {
    uint64_t reads = 0;           // timed read transactions (b_transport)
    uint64_t writes = 0;          // timed write transactions
    uint64_t bytes_read = 0;
    uint64_t bytes_written = 0;
    uint64_t debug_accesses = 0;  // transport_dbg calls
    uint64_t dmi_grants = 0;      // successful get_direct_mem_ptr calls
};

}  // namespace staleline
