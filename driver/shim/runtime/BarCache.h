// BarCache: what the CPU cache does to a BAR mapped with a cacheable policy
// (pci_map_bar(..., ZX_CACHE_POLICY_CACHED, ...)), a driver bug: device registers are not
// memory. A load fills its whole line from the device (one MMIO read per 32-bit word, with
// whatever side effects reading those registers has) and later loads of the line are served
// from the cache without reaching the device; a store goes into the line and stays there
// (write-back, write-allocate), reaching the device only when the driver cleans the range
// (zx_cache_flush on the mapping), as dirty 32-bit words. Nothing evicts the lines otherwise:
// posted stores linger.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace staleline::zx {

class BarCache {
public:
    // One device access of a 32-bit word at a BAR offset (is_write: *value is written).
    using WordAccess = std::function<void(uint64_t offset, bool is_write, uint32_t* value)>;

    explicit BarCache(unsigned line_size) : line_(line_size) {}

    // CPU load / store of size bytes at BAR offset off (within one line).
    void read(uint64_t off, void* data, unsigned size, const WordAccess& device);
    void write(uint64_t off, const void* data, unsigned size, const WordAccess& device);
    // Cache maintenance on [off, off + len): clean writes the dirty words of the lines back,
    // invalidate drops the lines (after the clean, if both).
    void maintain(uint64_t off, uint64_t len, bool clean, bool invalidate, const WordAccess& device);

    size_t lines() const { return lines_.size(); }
    // Dirty bytes held (stores the device has not seen).
    uint64_t dirty_bytes() const;

private:
    struct Line {
        std::vector<uint8_t> bytes;
        std::vector<bool> dirty;
    };
    Line& line_for(uint64_t off, const WordAccess& device);
    void write_back(uint64_t base, Line& l, const WordAccess& device);

    unsigned line_;
    std::map<uint64_t, Line> lines_;  // by line offset
};

}  // namespace staleline::zx
