// RootVmar: the root virtual memory address region of the simulated driver process. Mappings
// are not placed by the VMAR: a mapping of a VMO points into that VMO's own host buffer (the
// CPU view when cached, the DRAM copy when not, the BAR reservation for a BAR), so two
// mappings of the same VMO range share an address. The VMAR keeps the list of mappings for
// zx_vmar_unmap and the VMO's mapping counts.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "KernelObject.h"

namespace staleline::zx {

class ShimRuntime;
class Vmo;

class RootVmar final : public KernelObject {
public:
    explicit RootVmar(ShimRuntime& rt);

    struct Mapping {
        uintptr_t addr;
        uint64_t len;
        std::shared_ptr<Vmo> vmo;
        uint64_t vmo_offset;
        bool writable;
    };

    // Adds a mapping of [vmo_offset, vmo_offset + len) of vmo (arguments already checked);
    // returns its address.
    uintptr_t map(const std::shared_ptr<Vmo>& vmo, uint64_t vmo_offset, uint64_t len, bool writable);
    // Removes what is mapped in [addr, addr + len), newest mappings first, each page once.
    // ZX_ERR_NOT_FOUND when nothing is mapped there.
    zx_status_t unmap(uintptr_t addr, uint64_t len);
    // The newest mapping containing addr, or nullptr.
    const Mapping* find(uintptr_t addr) const;
    const std::vector<Mapping>& mappings() const { return mappings_; }
    void clear();

    zx_status_t info_record(uint32_t topic, void* record, size_t record_size) const override;

private:
    ShimRuntime& rt_;
    std::vector<Mapping> mappings_;  // in creation order
};

}  // namespace staleline::zx
