// IotlbReplay: runs a Dinero IV din trace through an Iotlb alone (no SystemC): every
// address is a device address of requester 0; each access is a lookup, a miss inserts an
// identity translation. What `staleline trace --model iotlb` reports.
#pragma once

#include <cstdint>
#include <istream>

#include "config/Config.h"

namespace staleline {

struct IotlbReplayStats {
    uint64_t accesses = 0, hits = 0, misses = 0, read_misses = 0, write_misses = 0, evictions = 0;
};

// Geometry from iotlb.entries / iotlb.ways / iotlb.policy / iotlb.page_size / sim.seed.
// Throws ConfigError on a bad configuration and TraceError ("line N: ...") on a malformed line.
IotlbReplayStats replay_iotlb_din(const Config& cfg, std::istream& in);

}  // namespace staleline
