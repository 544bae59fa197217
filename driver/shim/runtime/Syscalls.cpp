// The Zircon system calls of zircon/syscalls.h that need the platform models: VMOs, the root
// VMAR, cache maintenance, BTIs and PMTs, interrupts and time. (zx_handle_close,
// zx_handle_duplicate, zx_object_get_info and zx_status_get_string are in shim/core.)
//
// Each call resolves its handles in Zircon's order (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED)
// and charges shim.syscall_ns plus whatever the models cost to the calling simulated thread.
// Without an attached runtime every call answers ZX_ERR_BAD_STATE.
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "BtiPinCheck.h"
#include "Bti.h"
#include "CacheOpCheck.h"
#include "DriverLoader.h"
#include "HandleTable.h"
#include "Interrupt.h"
#include "Mmio.h"
#include "UserBuffer.h"
#include "UserCopy.h"
#include "RootVmar.h"
#include "ShimRuntime.h"
#include "SimThread.h"
#include "checker/SourceLocator.h"
#include "ShimTrace.h"
#include "Vmo.h"
#include "common/EventChannel.h"
#include "iommu/Iommu.h"

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/time.h>

using namespace staleline::zx;
using staleline::describe_call_site;
using staleline::IommuEvent;
using staleline::IommuEventKind;
using staleline::ScopedSubscription;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {

constexpr uint64_t kPage = ZX_PAGE_SIZE;

#define SL_RUNTIME_OR_BAD_STATE()                  \
    ShimRuntime* rt = ShimRuntime::get();          \
    if (!rt) return ZX_ERR_BAD_STATE;              \
    SyscallSpan syscall_span_(__func__);           \
    SimThread& th = rt->enter_call();              \
    (void)th

bool page_aligned(uint64_t v) { return (v & (kPage - 1)) == 0; }

// The IOTLB invalidation commands a call causes, heard from the IOMMU while the call runs:
// the calling thread queues each and waits for its completion (iommu.invalidation_ns apiece).
class InvalidationCharge {
public:
    InvalidationCharge(SimThread& th, ShimRuntime& rt)
        : th_(th), rt_(rt), heard_(rt.platform().iommu().events(), [this](const IommuEvent& e) {
              if (e.kind == IommuEventKind::InvalidationIssued) ++issued_;
          }) {}
    // It waits (charge() synchronises), so a thread ended while suspended here unwinds out
    // of it: sc_unwind_exception must be allowed to leave (Platform::unwind_threads).
    ~InvalidationCharge() noexcept(false) {
        if (issued_) th_.charge(sc_time::from_value(rt_.invalidation_cost().value() * issued_));
    }

private:
    SimThread& th_;
    ShimRuntime& rt_;
    uint64_t issued_ = 0;
    ScopedSubscription<IommuEvent> heard_;
};

// Round size up to whole pages; false when that overflows.
bool round_pages(uint64_t size, uint64_t* out) {
    if (size > ~0ULL - (kPage - 1)) return false;
    *out = (size + kPage - 1) & ~(kPage - 1);
    return true;
}

// A new handle copied out to the caller (copy_to_user, through the cache model when *out is
// simulated memory). When the copy-out fails the handle is closed again and the object goes
// away with it, as in the kernel.
zx_status_t new_handle(ObjectRef obj, zx_rights_t rights, zx_handle_t* out, const void* pc) {
    zx_status_t st = check_user_out(out, sizeof *out);
    if (st != ZX_OK) return st;
    zx_handle_t h = ZX_HANDLE_INVALID;
    st = HandleTable::current().add(std::move(obj), rights, &h);
    if (st != ZX_OK) return st;
    st = copy_to_user(out, h, pc);
    if (st != ZX_OK) HandleTable::current().close(h);
    return st;
}

zx_status_t create_vmo(ShimRuntime& rt, uint64_t size, bool contiguous, uint64_t align_pages, zx_rights_t rights,
                       zx_handle_t* out, const void* pc, uint32_t options = 0) {
    std::shared_ptr<Vmo> vmo;
    zx_status_t st = Vmo::create(rt, size, contiguous, align_pages, &vmo);
    if (st != ZX_OK) return st;
    vmo->set_create_options(options & ZX_VMO_RESIZABLE, options & ZX_VMO_DISCARDABLE);
    return new_handle(vmo, rights, out, pc);  // a failed copy-out: the VMO goes away
}

// Handle values zx_pmt_unpin consumed, with the call's pc, so that a second unpin through the
// same value is told apart from any bad handle. Kept per runtime (a new platform starts
// afresh). The table gives a value out again only after its slot's generation wraps (4096
// reuses), so a remembered value does not name a live handle in practice. Only the latest
// kRemembered unpins are kept: memory stays bounded however many pins a run makes.
class UnpinnedPmtHandles {
public:
    static constexpr size_t kRemembered = 4096;
    void add(zx_handle_t h, const void* pc) {
        sync();
        Consumed& c = pcs_[h];
        c.pc = pc;
        ++c.in_order;
        order_.push_back(h);
        if (order_.size() > kRemembered) {
            // Forget the oldest unless a later unpin consumed the same value again.
            auto it = pcs_.find(order_.front());
            order_.pop_front();
            if (it != pcs_.end() && --it->second.in_order == 0) pcs_.erase(it);
        }
    }
    const void* find(zx_handle_t h) {
        sync();
        auto it = pcs_.find(h);
        return it == pcs_.end() ? nullptr : it->second.pc;
    }

private:
    void sync() {
        if (generation_ != ShimRuntime::generation()) {
            pcs_.clear();
            order_.clear();
            generation_ = ShimRuntime::generation();
        }
    }
    struct Consumed {
        const void* pc = nullptr;
        size_t in_order = 0;  // entries of order_ naming the value
    };
    std::map<zx_handle_t, Consumed> pcs_;
    std::deque<zx_handle_t> order_;  // values in unpin order
    uint64_t generation_ = 0;
};

UnpinnedPmtHandles& unpinned_pmt_handles() {
    static UnpinnedPmtHandles* h = new UnpinnedPmtHandles;
    return *h;
}

// The loaded module (executable or driver) the code address belongs to; nullptr if unknown.
const void* code_module(const void* pc) {
    Dl_info info;
    return pc && dladdr(pc, &info) ? info.dli_fbase : nullptr;
}

const char* object_type_name(zx_obj_type_t t) {
    switch (t) {
        case ZX_OBJ_TYPE_VMO: return "VMO";
        case ZX_OBJ_TYPE_VMAR: return "VMAR";
        case ZX_OBJ_TYPE_BTI: return "BTI";
        case ZX_OBJ_TYPE_PMT: return "PMT";
        case ZX_OBJ_TYPE_INTERRUPT: return "interrupt";
        case ZX_OBJ_TYPE_RESOURCE: return "resource";
        default: return "non-PMT";
    }
}

}  // namespace

extern "C" {

// ---- VMOs ----

zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out) {
    SL_RUNTIME_OR_BAD_STATE();
    if (options & ~(ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE)) return ZX_ERR_INVALID_ARGS;
    uint64_t rounded;
    if (!round_pages(size, &rounded)) return ZX_ERR_OUT_OF_RANGE;
    // Resizing is not modelled, but a resizable VMO's handle carries ZX_RIGHT_RESIZE.
    zx_rights_t rights = ZX_DEFAULT_VMO_RIGHTS | ((options & ZX_VMO_RESIZABLE) ? ZX_RIGHT_RESIZE : 0);
    return create_vmo(*rt, rounded, false, 1, rights, out, __builtin_return_address(0), options);
}

zx_status_t zx_vmo_create_contiguous(zx_handle_t bti, size_t size, uint32_t alignment_log2, zx_handle_t* out) {
    SL_RUNTIME_OR_BAD_STATE();
    if (size == 0) return ZX_ERR_INVALID_ARGS;
    if (alignment_log2 != 0 && (alignment_log2 < 12 || alignment_log2 > 63)) return ZX_ERR_INVALID_ARGS;
    std::shared_ptr<Bti> b;
    zx_status_t st = HandleTable::current().get_as<Bti>(bti, ZX_RIGHT_MAP, &b);
    if (st != ZX_OK) return st;
    uint64_t rounded;
    if (!round_pages(size, &rounded)) return ZX_ERR_NO_MEMORY;
    const unsigned shift = alignment_log2 ? alignment_log2 - 12 : 0;
    if (shift >= 40) return ZX_ERR_NO_MEMORY;  // no RAM is aligned that much
    return create_vmo(*rt, rounded, true, 1ULL << shift, ZX_DEFAULT_VMO_RIGHTS, out, __builtin_return_address(0));
}

namespace {
// The checks zx_vmo_read and zx_vmo_write share, in Zircon's order. *vmo stays null when
// there is nothing to copy (a zero-length call succeeds without looking at the buffer).
zx_status_t vmo_for_copy(zx_handle_t handle, zx_rights_t right, const void* buffer, uint64_t offset,
                         size_t buffer_size, std::shared_ptr<Vmo>* vmo) {
    std::shared_ptr<Vmo> v;
    zx_status_t st = HandleTable::current().get_as<Vmo>(handle, right, &v);
    if (st != ZX_OK) return st;
    if (v->is_mmio()) return ZX_ERR_NOT_SUPPORTED;
    if (offset + buffer_size < offset || offset + buffer_size > v->size()) return ZX_ERR_OUT_OF_RANGE;
    if (!v->cached()) return ZX_ERR_BAD_STATE;
    if (!buffer_size) return ZX_OK;
    if (!buffer) return ZX_ERR_INVALID_ARGS;
    // The kernel copies to or from the caller's memory as the caller could: a buffer in
    // simulated memory must be mapped (and writable for zx_vmo_read), else the copy faults
    // and the call fails.
    st = check_user_buffer(*ShimRuntime::get(), buffer, buffer_size, right == ZX_RIGHT_READ);
    if (st != ZX_OK) return st;
    *vmo = std::move(v);
    return ZX_OK;
}
}  // namespace

zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size) {
    SL_RUNTIME_OR_BAD_STATE();
    std::shared_ptr<Vmo> vmo;
    zx_status_t st = vmo_for_copy(handle, ZX_RIGHT_READ, buffer, offset, buffer_size, &vmo);
    if (st != ZX_OK || !vmo) return st;
    sc_time d = SC_ZERO_TIME;
    vmo->cpu_read(buffer, offset, buffer_size, __builtin_return_address(0), d);
    th.charge(d);
    return ZX_OK;
}

zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset, size_t buffer_size) {
    SL_RUNTIME_OR_BAD_STATE();
    std::shared_ptr<Vmo> vmo;
    zx_status_t st = vmo_for_copy(handle, ZX_RIGHT_WRITE, buffer, offset, buffer_size, &vmo);
    if (st != ZX_OK || !vmo) return st;
    sc_time d = SC_ZERO_TIME;
    vmo->cpu_write(buffer, offset, buffer_size, __builtin_return_address(0), d);
    th.charge(d);
    return ZX_OK;
}

zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size) {
    SL_RUNTIME_OR_BAD_STATE();
    std::shared_ptr<Vmo> vmo;
    zx_status_t st = HandleTable::current().get_as<Vmo>(handle, ZX_RIGHT_NONE, &vmo);
    if (st != ZX_OK) return st;
    return copy_to_user(size, vmo->size(), __builtin_return_address(0));
}

zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy) {
    SL_RUNTIME_OR_BAD_STATE();
    if (cache_policy & ~ZX_CACHE_POLICY_MASK) return ZX_ERR_INVALID_ARGS;
    std::shared_ptr<Vmo> vmo;
    zx_status_t st = HandleTable::current().get_as<Vmo>(handle, ZX_RIGHT_MAP, &vmo);
    if (st != ZX_OK) return st;
    sc_time d = SC_ZERO_TIME;
    st = vmo->set_cache_policy(cache_policy, d);
    th.charge(d);
    return st;
}

namespace {
bool is_cache_op(uint32_t op) {
    return op == ZX_VMO_OP_CACHE_SYNC || op == ZX_VMO_OP_CACHE_INVALIDATE || op == ZX_VMO_OP_CACHE_CLEAN ||
           op == ZX_VMO_OP_CACHE_CLEAN_INVALIDATE;
}

// zx_cache_flush on a range that runs from a mapping into memory nothing maps: the vDSO's cache
// instructions fault there "as [they] would for a data read" (zx_cache_flush's reference page),
// so the finding comes first, at the call, and the fault follows.
[[noreturn]] void cache_flush_outside(ShimRuntime& rt, size_t size, const void* pc) {
    char msg[240];
    std::snprintf(msg, sizeof msg,
                  "zx_cache_flush of %llu bytes covers memory the driver does not map (past the end of a mapping: "
                  "a size that is an end address? or a mapping already gone); the cache instructions fault there",
                  (unsigned long long)size);
    rt.warn("cache-op-outside-mapping", msg, pc);
    rt.fault("zx_cache_flush on memory that is not a live mapping", pc);
}
}  // namespace

zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset, uint64_t size, void* buffer,
                            size_t buffer_size) {
    SL_RUNTIME_OR_BAD_STATE();
    std::shared_ptr<Vmo> vmo;
    zx_rights_t rights = 0;
    zx_status_t st = HandleTable::current().get_as<Vmo>(handle, ZX_RIGHT_NONE, &vmo, &rights);
    if (st != ZX_OK) return st;
    VmoOpCheck check = check_vmo_op_range(op, offset, size, vmo->size(), rights, rt->allow_cache_invalidate());
    if (check.status == ZX_ERR_OUT_OF_RANGE && is_cache_op(op)) {
        // Fuchsia returns ZX_ERR_OUT_OF_RANGE and maintains nothing; a driver that ignores the
        // status never learns that its clean or invalidate did not happen.
        char msg[240];
        std::snprintf(msg, sizeof msg,
                      "zx_vmo_op_range cache operation on [0x%llx, 0x%llx) of a VMO of %llu bytes: past the end, "
                      "ZX_ERR_OUT_OF_RANGE, nothing cleaned or invalidated (a size that is an end offset?)",
                      (unsigned long long)offset, (unsigned long long)(offset + size), (unsigned long long)vmo->size());
        rt->warn("cache-op-outside-mapping", msg, __builtin_return_address(0));
    }
    if (check.status != ZX_OK) return check.status;
    const bool in_range = offset + size >= offset && offset + size <= vmo->size();
    if (check.cache_op) {
        if (vmo->is_mmio()) return ZX_ERR_NOT_SUPPORTED;
        sc_time d = SC_ZERO_TIME;
        vmo->cache_op(offset, size, check.maintenance, false, __builtin_return_address(0), d);
        th.charge(d);
        return ZX_OK;
    }
    switch (op) {
        case ZX_VMO_OP_COMMIT:  // every page is committed at creation
        case ZX_VMO_OP_DONT_NEED:
        case ZX_VMO_OP_ALWAYS_NEED:
            return in_range ? ZX_OK : ZX_ERR_OUT_OF_RANGE;
        case ZX_VMO_OP_ZERO: {
            if (!in_range) return ZX_ERR_OUT_OF_RANGE;
            if (vmo->is_mmio()) return ZX_ERR_NOT_SUPPORTED;
            if (!vmo->cached()) return ZX_ERR_BAD_STATE;
            sc_time d = SC_ZERO_TIME;
            vmo->zero(offset, size, __builtin_return_address(0), d);
            th.charge(d);
            return ZX_OK;
        }
        case ZX_VMO_OP_DECOMMIT:
            // "Provided range must be page aligned" (ZX_ERR_INVALID_ARGS) and in the VMO; then
            // "the underlying VMO does not allow decommiting" (ZX_ERR_NOT_SUPPORTED), which is
            // every VMO here: pages cannot be given back while the models alias them.
            if (!page_aligned(offset) || !page_aligned(size)) return ZX_ERR_INVALID_ARGS;
            return in_range ? ZX_ERR_NOT_SUPPORTED : ZX_ERR_OUT_OF_RANGE;
        default:
            // The LOCK family (discardable VMOs only; never discarded here).
            return ZX_ERR_NOT_SUPPORTED;
    }
}

// ---- VMARs ----

zx_handle_t zx_vmar_root_self(void) {
    ShimRuntime* rt = ShimRuntime::get();
    return rt ? rt->root_vmar_handle() : ZX_HANDLE_INVALID;
}

zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset, zx_handle_t vmo_handle,
                        uint64_t vmo_offset, size_t len, zx_vaddr_t* mapped_addr) {
    SL_RUNTIME_OR_BAD_STATE();
    std::shared_ptr<RootVmar> vmar;
    zx_rights_t vmar_rights = 0, vmo_rights = 0;
    zx_status_t st = HandleTable::current().get_as<RootVmar>(handle, ZX_RIGHT_NONE, &vmar, &vmar_rights);
    if (st != ZX_OK) return st;
    std::shared_ptr<Vmo> vmo;
    st = HandleTable::current().get_as<Vmo>(vmo_handle, ZX_RIGHT_NONE, &vmo, &vmo_rights);
    if (st != ZX_OK) return st;
    if (!mapped_addr) return ZX_ERR_INVALID_ARGS;
    if (!(vmo_rights & ZX_RIGHT_MAP)) return ZX_ERR_ACCESS_DENIED;
    // "ZX_ERR_NOT_SUPPORTED If the vmo is resizable ... but ZX_VM_ALLOW_FAULTS is not set"; the
    // kernel asks the same of a discardable VMO (its pages may go away under the mapping).
    if ((options & ZX_VM_REQUIRE_NON_RESIZABLE) && vmo->resizable()) return ZX_ERR_NOT_SUPPORTED;
    const bool allow_faults = options & ZX_VM_ALLOW_FAULTS;
    if (!allow_faults && (vmo->resizable() || vmo->discardable())) return ZX_ERR_NOT_SUPPORTED;
    const zx_vm_option_t known = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC |
                                 ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_MAP_RANGE | ZX_VM_REQUIRE_NON_RESIZABLE |
                                 ZX_VM_ALLOW_FAULTS | ZX_VM_OFFSET_IS_UPPER_LIMIT |
                                 ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED | (0x1fu << ZX_VM_ALIGN_BASE);
    if (options & ~known) return ZX_ERR_INVALID_ARGS;
    // ZX_VM_ALIGN_*: log2 of the alignment, 10 (1 KiB) .. 32 (4 GiB), or 0.
    const unsigned align_log2 = (options >> ZX_VM_ALIGN_BASE) & 0x1f;
    if (align_log2 && (align_log2 < 10 || align_log2 > 32)) return ZX_ERR_INVALID_ARGS;
    const bool specific = options & (ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE);
    const bool upper_limit = options & ZX_VM_OFFSET_IS_UPPER_LIMIT;
    // "ZX_VM_SPECIFIC_OVERWRITE and ZX_VM_MAP_RANGE are both given"; ZX_VM_OFFSET_IS_UPPER_LIMIT
    // "cannot be specified if ZX_VM_SPECIFIC is used" (nor with ZX_VM_SPECIFIC_OVERWRITE).
    if ((options & ZX_VM_SPECIFIC_OVERWRITE) && (options & ZX_VM_MAP_RANGE)) return ZX_ERR_INVALID_ARGS;
    if (upper_limit && specific) return ZX_ERR_INVALID_ARGS;
    const bool r = options & ZX_VM_PERM_READ, w = options & ZX_VM_PERM_WRITE, x = options & ZX_VM_PERM_EXECUTE;
    if ((w || x) && !r) return ZX_ERR_INVALID_ARGS;
    if ((r && !(vmo_rights & ZX_RIGHT_READ)) || (w && !(vmo_rights & ZX_RIGHT_WRITE)) ||
        (x && !(vmo_rights & ZX_RIGHT_EXECUTE)))
        return ZX_ERR_ACCESS_DENIED;
    if ((r && !(vmar_rights & ZX_RIGHT_READ)) || (w && !(vmar_rights & ZX_RIGHT_WRITE)) ||
        (x && !(vmar_rights & ZX_RIGHT_EXECUTE)))
        return ZX_ERR_ACCESS_DENIED;
    if (!specific && !upper_limit && vmar_offset != 0) return ZX_ERR_INVALID_ARGS;
    if (!page_aligned(vmar_offset) || !page_aligned(vmo_offset) || len == 0 || !page_aligned(len))
        return ZX_ERR_INVALID_ARGS;
    // "ZX_ERR_OUT_OF_RANGE vmo_offset + ROUNDUP(len, PAGE_SIZE) overflows."
    if (vmo_offset + len < vmo_offset) return ZX_ERR_OUT_OF_RANGE;
    if (vmo_offset + len > vmo->size()) {
        if (!allow_faults) return ZX_ERR_BUFFER_TOO_SMALL;
        return ZX_ERR_NOT_SUPPORTED;  // a mapping past the end that faults: not modelled
    }
    // "vmar_offset and len describe an unsatisfiable allocation due to exceeding the region
    // bounds" (a specific placement outside the VMAR: invalid before it is unmodelled).
    const uint64_t vmar_size = rt->arena().size();
    if (specific && (vmar_offset >= vmar_size || len > vmar_size - vmar_offset)) return ZX_ERR_INVALID_ARGS;
    // A mapping points into the VMO's own host buffer: it cannot be put at a chosen place,
    // below a chosen limit or at an alignment above a page.
    if (specific || align_log2 > 12) return ZX_ERR_NOT_SUPPORTED;
    const uintptr_t addr = (uintptr_t)vmo->mapping_base() + vmo_offset;
    if (upper_limit && addr + len - rt->arena().base() > vmar_offset) return ZX_ERR_NOT_SUPPORTED;
    st = check_user_out(mapped_addr, sizeof *mapped_addr);  // the copy-out would fail: no mapping
    if (st != ZX_OK) return st;
    const zx_vaddr_t mapped = vmar->map(vmo, vmo_offset, len, w);
    return copy_to_user(mapped_addr, mapped, __builtin_return_address(0));
}

zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len) {
    SL_RUNTIME_OR_BAD_STATE();
    std::shared_ptr<RootVmar> vmar;
    zx_status_t st = HandleTable::current().get_as<RootVmar>(handle, ZX_RIGHT_NONE, &vmar);
    if (st != ZX_OK) return st;
    if (!page_aligned(addr) || len == 0 || !page_aligned(len)) return ZX_ERR_INVALID_ARGS;
    if (addr + len < addr) return ZX_ERR_INVALID_ARGS;
    return vmar->unmap(addr, len);
}

// ---- cache maintenance by address ----

zx_status_t zx_cache_flush(const void* addr, size_t size, uint32_t options) {
    SL_RUNTIME_OR_BAD_STATE();
    CacheFlushCheck check = check_cache_flush(options);
    if (check.status != ZX_OK) return check.status;
    // Only cached mappings of VMOs hold lines; the rest of the process (heap, stack, uncached
    // mappings, BARs) has nothing the model tracks.
    const uintptr_t p = (uintptr_t)addr, end = size > ~(uintptr_t)0 - p ? ~(uintptr_t)0 : p + size;
    const uintptr_t lo = std::max(p, g_arena_lo), hi = std::min(end, g_arena_lo + g_arena_span);
    // A range that starts in a mapping and runs past the arena covers memory nothing maps.
    if (p >= g_arena_lo && p < g_arena_lo + g_arena_span && end > hi) cache_flush_outside(*rt, size, __builtin_return_address(0));
    sc_time d = SC_ZERO_TIME;
    for (uintptr_t a = lo; a < hi;) {
        const Region* r = rt->arena().find(a);
        if (!r) cache_flush_outside(*rt, size, __builtin_return_address(0));
        const uintptr_t stop = std::min<uintptr_t>(hi, r->end);
        if (r->kind == RegionKind::Bar && r->vmo->bar_cache()) {
            // A BAR mapped cacheable: its lines are the CPU cache's too.
            const uint64_t first = a - r->start, last = stop - r->start;
            for (uint64_t pg = first / kPage; pg * kPage < last; ++pg)
                if (!r->vmo->page_mapped(pg)) rt->fault("zx_cache_flush on a BAR mapping that was released");
            mmio_bar_maintain(*r->vmo, first, last - first, check.maintenance.clean || check.maintenance.sync_insn,
                              check.maintenance.invalidate, __builtin_return_address(0));
        } else if (r->kind == RegionKind::CpuView) {
            Vmo* vmo = r->vmo;
            const uint64_t first = a - r->start, last = stop - r->start;
            for (uint64_t pg = first / kPage; pg * kPage < last; ++pg)
                if (!vmo->page_mapped(pg)) rt->fault("zx_cache_flush on VMO memory that is not mapped");
            vmo->cache_op(first, last - first, check.maintenance, true, __builtin_return_address(0), d);
        }
        a = stop;
    }
    th.charge(d);
    return ZX_OK;
}

// ---- BTIs and PMTs ----

zx_status_t zx_bti_pin(zx_handle_t handle, uint32_t options, zx_handle_t vmo_handle, uint64_t offset, uint64_t size,
                       zx_paddr_t* addrs, size_t num_addrs, zx_handle_t* pmt) {
    SL_RUNTIME_OR_BAD_STATE();
    std::shared_ptr<Bti> bti;
    zx_status_t st = HandleTable::current().get_as<Bti>(handle, ZX_RIGHT_MAP, &bti);
    if (st != ZX_OK) return st;
    if (!bti_pin_range_aligned(offset, size)) return ZX_ERR_INVALID_ARGS;
    std::shared_ptr<Vmo> vmo;
    zx_rights_t vmo_rights = 0;
    st = HandleTable::current().get_as<Vmo>(vmo_handle, ZX_RIGHT_NONE, &vmo, &vmo_rights);
    if (st != ZX_OK) return st;
    BtiPinRequest req;
    req.options = options;
    req.offset = offset;
    req.size = size;
    req.addrs_count = num_addrs;
    req.addrs_given = addrs != nullptr;
    req.pmt_given = pmt != nullptr;
    BtiPinTarget target;
    target.vmo_rights = vmo_rights;
    target.vmo_size = vmo->size();
    target.vmo_contiguous = vmo->contiguous();
    target.minimum_contiguity = Bti::kMinimumContiguity;
    target.bti_quarantine_empty = bti->quarantine_empty();
    BtiPinCheck check = check_bti_pin(req, target);
    if (check.status != ZX_OK) return check.status;
    if (vmo->is_mmio()) return ZX_ERR_NOT_SUPPORTED;  // peer-to-peer DMA to a BAR is not modelled
    // The results are copied out after the pin; memory they cannot go to fails the call, so
    // look before pinning rather than pin and undo.
    st = check_user_out(addrs, num_addrs * sizeof *addrs);
    if (st == ZX_OK) st = check_user_out(pmt, sizeof *pmt);
    if (st != ZX_OK) return st;
    const void* pc = __builtin_return_address(0);
    std::vector<zx_paddr_t> device_addrs(check.plan.addrs_count);
    std::shared_ptr<Pmt> p;
    {
        InvalidationCharge charge(th, *rt);  // a queued invalidation the new mapping overlaps
        st = bti->pin(vmo, offset, size, options, check.plan, device_addrs.data(), pc, &p);
    }
    if (st != ZX_OK) return st;
    th.charge(sc_time::from_value(rt->pin_page_cost().value() * (size / kPage)));
    // The kernel writes the list through the CPU: a list in a cached mapping (a PRP list the
    // device reads) sits in the cache until the driver cleans it.
    st = copy_to_user(addrs, device_addrs.data(), device_addrs.size() * sizeof *addrs, pc);
    if (st == ZX_OK) st = new_handle(p, ZX_DEFAULT_PMT_RIGHTS, pmt, pc);
    if (st != ZX_OK) {
        p->mark_unpinning();
        p->unpin(pc);
        return st;
    }
    return ZX_OK;
}

zx_status_t zx_pmt_unpin(zx_handle_t handle) {
    SL_RUNTIME_OR_BAD_STATE();
    const void* pc = __builtin_return_address(0);
    HandleTable& table = HandleTable::current();
    ObjectRef obj;
    zx_status_t st = table.get(handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_NONE, &obj);
    if (st != ZX_OK) {
        // A handle this call consumed before: the PMT was unpinned already.
        if (const void* first = unpinned_pmt_handles().find(handle)) {
            char value[16];
            std::snprintf(value, sizeof value, "0x%x", handle);
            rt->warn("bad-unpin",
                     std::string("zx_pmt_unpin of PMT handle ") + value + ", which an earlier zx_pmt_unpin (" +
                         describe_call_site(first) + ") consumed: a double unpin (ZX_ERR_BAD_HANDLE)",
                     pc);
        }
        return st;
    }
    auto pmt = std::dynamic_pointer_cast<Pmt>(obj);
    if (pmt) pmt->mark_unpinning();  // losing the handle must not quarantine it
    table.remove(handle);            // the handle is consumed whatever it was
    if (!pmt) {
        char value[16];
        std::snprintf(value, sizeof value, "0x%x", handle);
        rt->warn("bad-unpin",
                 std::string("zx_pmt_unpin of handle ") + value + ", a " + object_type_name(obj->type()) +
                     " handle and not a PMT: nothing is unpinned and the handle is closed anyway (ZX_ERR_WRONG_TYPE)",
                 pc);
        return ZX_ERR_WRONG_TYPE;
    }
    unpinned_pmt_handles().add(handle, pc);
    if (pmt->pinned_by() && th.driver && pmt->pinned_by() != th.driver &&
        code_module(pmt->record().pin_pc) != code_module(pc)) {
        // One process, one handle table: a driver can reach a PMT another driver pinned on its
        // own BTI (a stale or shared handle value). Zircon unpins it; the owner's device loses
        // its access under the owner's feet. Both the threads and the code must differ: a
        // driver whose protocol op pins on a client driver's thread and unpins on its own
        // thread unpins its own PMT.
        rt->warn("bad-unpin",
                 "zx_pmt_unpin by driver " + th.driver->name() + " of a PMT that driver " + pmt->pinned_by()->name() +
                     " pinned on the BTI of PCI slot " + std::to_string(pmt->bti_slot()) + " (" +
                     describe_call_site(pmt->record().pin_pc) + "): another driver's device loses access to its buffer",
                 pc);
    }
    {
        InvalidationCharge charge(th, *rt);
        pmt->unpin(pc);
    }
    th.charge(sc_time::from_value(rt->pin_page_cost().value() * (pmt->record().size / kPage)));
    return ZX_OK;
}

zx_status_t zx_bti_release_quarantine(zx_handle_t handle) {
    SL_RUNTIME_OR_BAD_STATE();
    std::shared_ptr<Bti> bti;
    zx_status_t st = HandleTable::current().get_as<Bti>(handle, ZX_RIGHT_WRITE, &bti);
    if (st != ZX_OK) return st;
    bti->release_quarantine();
    return ZX_OK;
}

// ---- interrupts ----

zx_status_t zx_interrupt_wait(zx_handle_t handle, zx_time_t* out_timestamp) {
    SL_RUNTIME_OR_BAD_STATE();
    std::shared_ptr<Interrupt> irq;
    zx_status_t st = HandleTable::current().get_as<Interrupt>(handle, ZX_RIGHT_WAIT, &irq);
    if (st != ZX_OK) return st;
    zx_time_t timestamp = 0;
    st = irq->wait(&timestamp);
    if (shim_trace_channel(staleline::TraceKind::IrqWake)) trace_irq_wake(th.now());
    // "ZX_ERR_INVALID_ARGS the out_timestamp parameter is an invalid pointer": found when the
    // timestamp is copied out, after the wait.
    if (st == ZX_OK && out_timestamp) st = copy_to_user(out_timestamp, timestamp, __builtin_return_address(0));
    return st;
}

zx_status_t zx_interrupt_destroy(zx_handle_t handle) {
    SL_RUNTIME_OR_BAD_STATE();
    std::shared_ptr<Interrupt> irq;
    zx_status_t st = HandleTable::current().get_as<Interrupt>(handle, ZX_RIGHT_NONE, &irq);
    if (st != ZX_OK) return st;
    irq->destroy();
    return ZX_OK;
}

zx_status_t zx_interrupt_ack(zx_handle_t handle) {
    SL_RUNTIME_OR_BAD_STATE();
    std::shared_ptr<Interrupt> irq;
    zx_status_t st = HandleTable::current().get_as<Interrupt>(handle, ZX_RIGHT_WRITE, &irq);
    if (st != ZX_OK) return st;
    return ZX_ERR_BAD_STATE;  // "handle is not bound to a port": interrupts cannot be bound here
}

zx_status_t zx_interrupt_create(zx_handle_t src_obj, uint32_t src_num, uint32_t options, zx_handle_t* out_handle) {
    SL_RUNTIME_OR_BAD_STATE();
    if (!(options & ZX_INTERRUPT_VIRTUAL)) {
        // A physical interrupt needs an IRQ resource, which no driver process holds here: the
        // lookup fails as the kernel's validate_resource_irq does.
        zx_status_t st = HandleTable::current().get(src_obj, ZX_OBJ_TYPE_RESOURCE, ZX_RIGHT_NONE);
        if (st != ZX_OK) return st;
        return ZX_ERR_NOT_SUPPORTED;  // unreachable: the shim hands out no resources
    }
    // "If options is ZX_INTERRUPT_VIRTUAL, src_obj and src_num are ignored"; any other bit with it
    // is an invalid flag.
    (void)src_obj;
    (void)src_num;
    if (options != ZX_INTERRUPT_VIRTUAL) return ZX_ERR_INVALID_ARGS;
    // A failed copy-out of the handle: the object goes away.
    return new_handle(std::make_shared<Interrupt>(*rt), ZX_DEFAULT_INTERRUPT_RIGHTS, out_handle,
                      __builtin_return_address(0));
}

zx_status_t zx_interrupt_trigger(zx_handle_t handle, uint32_t options, zx_time_t timestamp) {
    SL_RUNTIME_OR_BAD_STATE();
    if (options) return ZX_ERR_INVALID_ARGS;  // checked before the handle, as in the kernel
    std::shared_ptr<Interrupt> irq;
    zx_status_t st = HandleTable::current().get_as<Interrupt>(handle, ZX_RIGHT_SIGNAL, &irq);
    if (st != ZX_OK) return st;
    return irq->trigger(timestamp);
}

// ---- time ----

zx_status_t zx_nanosleep(zx_time_t deadline) {
    SL_RUNTIME_OR_BAD_STATE();
    th.sync();
    const zx_time_t now = (zx_time_t)th.now_ns();
    if (deadline <= now) return ZX_OK;
    const sc_time d((double)(deadline - now), sc_core::SC_NS);
    if (th.can_wait()) th.wait(d);
    else th.charge(d);
    return ZX_OK;
}

zx_time_t zx_deadline_after(zx_duration_t nanoseconds) {
    return zx_time_add_duration(zx_clock_get_monotonic(), nanoseconds);
}

zx_time_t zx_clock_get_monotonic(void) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return (zx_time_t)(sc_core::sc_time_stamp() / sc_time(1, sc_core::SC_NS));
    // Reading the clock costs a little, so a loop that only polls the clock still advances.
    return (zx_time_t)rt->enter_call().now_ns();
}

}  // extern "C"
