#include "IotlbReplay.h"

#include <stdexcept>

#include "common/DinTrace.h"
#include "iommu/Iotlb.h"

namespace staleline {

IotlbReplayStats replay_iotlb_din(const Config& cfg, std::istream& in) {
    cfg.validate();
    uint64_t page = cfg.get_size("iotlb.page_size");
    if (page != Iotlb::kPageSize)
        throw ConfigError("iotlb.page_size", "only 4 KiB pages are supported, got " + std::to_string(page));
    std::unique_ptr<Iotlb> tlb;
    try {
        tlb = std::make_unique<Iotlb>((unsigned)cfg.get_int("iotlb.entries"), (unsigned)cfg.get_int("iotlb.ways"),
                                      cfg.get_string("iotlb.policy"), (uint64_t)cfg.get_int("sim.seed"));
    } catch (const std::invalid_argument& e) {
        throw ConfigError("iotlb.ways", e.what());
    }
    IotlbReplayStats s;
    DinTraceReader reader(in);
    DinRecord rec;
    while (reader.next(&rec)) {
        uint64_t dpn = rec.address / page;
        ++s.accesses;
        if (tlb->lookup(0, dpn, nullptr)) {
            ++s.hits;
            continue;
        }
        ++s.misses;
        ++(rec.is_write() ? s.write_misses : s.read_misses);
        IotlbTranslation t;
        t.pa_base = dpn * page;  // identity: the replay measures the cache, not the mapping
        t.perms = 3;
        t.page_size = page;
        if (tlb->insert(0, dpn, t)) ++s.evictions;
    }
    return s;
}

}  // namespace staleline
