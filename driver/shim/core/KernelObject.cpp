#include "KernelObject.h"

#include <atomic>

namespace staleline::zx {

namespace {
// Koids are never reused; the first 1024 are reserved, as in Zircon.
std::atomic<zx_koid_t> g_next_koid{ZX_KOID_FIRST};
}  // namespace

KernelObject::KernelObject(zx_obj_type_t type) : type_(type), koid_(g_next_koid++) {}

KernelObject::~KernelObject() = default;

zx_status_t KernelObject::info_record(uint32_t, void*, size_t) const { return ZX_ERR_NOT_SUPPORTED; }

zx_rights_t KernelObject::default_rights(zx_obj_type_t type) {
    switch (type) {
        case ZX_OBJ_TYPE_VMO: return ZX_DEFAULT_VMO_RIGHTS;
        case ZX_OBJ_TYPE_VMAR: return ZX_DEFAULT_VMAR_RIGHTS;
        case ZX_OBJ_TYPE_BTI: return ZX_DEFAULT_BTI_RIGHTS;
        case ZX_OBJ_TYPE_PMT: return ZX_DEFAULT_PMT_RIGHTS;
        case ZX_OBJ_TYPE_INTERRUPT: return ZX_DEFAULT_INTERRUPT_RIGHTS;
        case ZX_OBJ_TYPE_RESOURCE: return ZX_DEFAULT_RESOURCE_RIGHTS;
        case ZX_OBJ_TYPE_IOMMU: return ZX_DEFAULT_IOMMU_RIGHTS;
        case ZX_OBJ_TYPE_PCI_DEVICE: return ZX_DEFAULT_PCI_DEVICE_RIGHTS;
        case ZX_OBJ_TYPE_EVENT: return ZX_DEFAULT_EVENT_RIGHTS;
        case ZX_OBJ_TYPE_TIMER: return ZX_DEFAULT_TIMER_RIGHTS;
        case ZX_OBJ_TYPE_CLOCK: return ZX_DEFAULT_CLOCK_RIGHTS;
        default: return ZX_RIGHTS_BASIC;
    }
}

bool KernelObject::waitable(zx_obj_type_t type) { return (default_rights(type) & ZX_RIGHT_WAIT) != 0; }

// Simulated threads are coroutines on one host thread and a close does not yield between
// setting and reading this, so one variable (restored by the scope) is enough.
static const void* g_closing_pc = nullptr;

const void* KernelObject::closing_pc() { return g_closing_pc; }

KernelObject::ClosingPcScope::ClosingPcScope(const void* pc) : saved_(g_closing_pc) { g_closing_pc = pc; }

KernelObject::ClosingPcScope::~ClosingPcScope() { g_closing_pc = saved_; }

}  // namespace staleline::zx
