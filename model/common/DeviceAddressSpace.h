// DeviceAddressSpace: which device addresses BTIs hand out under translation. The IOMMU's
// tables span 12 + 9 * levels bits over 4 KiB pages; pins are placed from a base far above RAM
// (and never below the top half of a small space), so a physical address given to a device
// does not translate. The shim allocates from this range, and the configuration keeps the MSI
// window out of it.
#pragma once

#include <algorithm>
#include <cstdint>

namespace staleline {

struct DeviceAddressRange {
    uint64_t first;  // lowest device address a BTI hands out
    uint64_t size;   // of the IOMMU's whole space (~0 when 64 bits): addresses run to size - 1
};

inline DeviceAddressRange bti_device_addresses(unsigned levels) {
    const unsigned bits = 12 + 9 * levels;
    const uint64_t size = bits >= 64 ? ~0ULL : 1ULL << bits;
    return DeviceAddressRange{std::min<uint64_t>(0x1000000000ULL, size / 2), size};
}

}  // namespace staleline
