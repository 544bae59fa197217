#include "RootVmar.h"

#include <algorithm>

#include "ShimRuntime.h"
#include "Vmo.h"

#include <zircon/syscalls/object.h>

namespace staleline::zx {

RootVmar::RootVmar(ShimRuntime& rt) : KernelObject(ZX_OBJ_TYPE_VMAR), rt_(rt) {}

uintptr_t RootVmar::map(const std::shared_ptr<Vmo>& vmo, uint64_t vmo_offset, uint64_t len, bool writable) {
    uintptr_t addr = (uintptr_t)vmo->mapping_base() + vmo_offset;
    mappings_.push_back({addr, len, vmo, vmo_offset, writable});
    vmo->count_pages(vmo_offset, len, writable, +1);
    vmo->count_mappings(+1);
    return addr;
}

zx_status_t RootVmar::unmap(uintptr_t addr, uint64_t len) {
    using Interval = std::pair<uintptr_t, uintptr_t>;  // [first, second)
    // `todo` is what is still to be unmapped. Each mapping, newest first, gives up its overlap
    // with it; what remains of the mapping (zero, one or two pieces) replaces it.
    std::vector<Interval> todo{{addr, addr + len}};
    bool found = false;
    for (size_t i = mappings_.size(); i-- > 0 && !todo.empty();) {
        const Mapping m = mappings_[i];
        const uintptr_t mlo = m.addr, mhi = m.addr + m.len;
        std::vector<Interval> next, removed;
        for (auto [lo, hi] : todo) {
            const uintptr_t a = std::max(lo, mlo), b = std::min(hi, mhi);
            if (a >= b) {
                next.emplace_back(lo, hi);
                continue;
            }
            if (lo < a) next.emplace_back(lo, a);
            if (b < hi) next.emplace_back(b, hi);
            removed.emplace_back(a, b);
        }
        todo.swap(next);
        if (removed.empty()) continue;
        found = true;
        std::sort(removed.begin(), removed.end());
        std::vector<Mapping> pieces;
        uintptr_t at = mlo;
        for (auto [a, b] : removed) {
            m.vmo->count_pages(m.vmo_offset + (a - mlo), b - a, m.writable, -1);
            if (at < a) pieces.push_back({at, a - at, m.vmo, m.vmo_offset + (at - mlo), m.writable});
            at = b;
        }
        if (at < mhi) pieces.push_back({at, mhi - at, m.vmo, m.vmo_offset + (at - mlo), m.writable});
        m.vmo->count_mappings((long)pieces.size() - 1);
        mappings_.erase(mappings_.begin() + (long)i);
        mappings_.insert(mappings_.begin() + (long)i, pieces.begin(), pieces.end());
    }
    return found ? ZX_OK : ZX_ERR_NOT_FOUND;
}

const RootVmar::Mapping* RootVmar::find(uintptr_t addr) const {
    for (size_t i = mappings_.size(); i-- > 0;)
        if (addr - mappings_[i].addr < mappings_[i].len) return &mappings_[i];
    return nullptr;
}

void RootVmar::clear() {
    for (Mapping& m : mappings_) {
        m.vmo->count_pages(m.vmo_offset, m.len, m.writable, -1);
        m.vmo->count_mappings(-1);
    }
    mappings_.clear();
}

zx_status_t RootVmar::info_record(uint32_t topic, void* record, size_t record_size) const {
    if (topic != ZX_INFO_VMAR || record_size < sizeof(zx_info_vmar_t)) return ZX_ERR_NOT_SUPPORTED;
    auto* info = static_cast<zx_info_vmar_t*>(record);
    info->base = rt_.arena().base();
    info->len = rt_.arena().size();
    return ZX_OK;
}

}  // namespace staleline::zx
