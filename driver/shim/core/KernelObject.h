// KernelObject: the base of every object a Zircon handle can refer to (VMO, BTI, PMT,
// interrupt, VMAR, resource ...). Objects are reference counted (std::shared_ptr) and also
// count the handles that name them, because Zircon gives the last handle's close a meaning:
// a PMT closed without zx_pmt_unpin() goes to quarantine, an interrupt cancels its waiter.
#pragma once

#include <zircon/syscalls/object.h>
#include <zircon/types.h>

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <memory>

namespace staleline::zx {

class KernelObject {
public:
    explicit KernelObject(zx_obj_type_t type);
    virtual ~KernelObject();
    KernelObject(const KernelObject&) = delete;
    KernelObject& operator=(const KernelObject&) = delete;

    zx_obj_type_t type() const { return type_; }
    zx_koid_t koid() const { return koid_; }
    // Koid of a related object (a PMT's BTI, say); ZX_KOID_INVALID when there is none.
    virtual zx_koid_t related_koid() const { return ZX_KOID_INVALID; }
    // Handles currently naming this object (ZX_INFO_HANDLE_COUNT).
    uint32_t handle_count() const { return handle_count_; }

    // Called once the last handle has been closed; the object may live on if something
    // else (a mapping, a PMT, a quarantine list) still holds a reference.
    virtual void on_zero_handles() {}
    // While zx_handle_close runs: the return address of that call in the caller's code, so an
    // object whose on_zero_handles() reports something (a PMT quarantined by a close) can say
    // where the close was. nullptr otherwise (e.g. handles closed at the end of the run).
    static const void* closing_pc();
    class ClosingPcScope {
    public:
        explicit ClosingPcScope(const void* pc);
        ~ClosingPcScope();
        ClosingPcScope(const ClosingPcScope&) = delete;
        ClosingPcScope& operator=(const ClosingPcScope&) = delete;
    private:
        const void* saved_;
    };

    // Fills the record of a type-specific ZX_INFO_* topic (ZX_INFO_BTI, ZX_INFO_VMO,
    // ZX_INFO_VMAR). The caller has already checked the type and the rights and passes a
    // zeroed record of the topic's size. ZX_ERR_NOT_SUPPORTED when the object has no data.
    virtual zx_status_t info_record(uint32_t topic, void* record, size_t record_size) const;

    // Rights a new handle to an object of this type gets (Fuchsia's ZX_DEFAULT_*_RIGHTS).
    static zx_rights_t default_rights(zx_obj_type_t type);
    // Whether objects of this type can be waited on (ZX_OBJ_PROP_WAITABLE): the types whose
    // default rights include ZX_RIGHT_WAIT.
    static bool waitable(zx_obj_type_t type);

private:
    friend class HandleTable;
    const zx_obj_type_t type_;
    const zx_koid_t koid_;
    std::atomic<uint32_t> handle_count_{0};
};

using ObjectRef = std::shared_ptr<KernelObject>;

}  // namespace staleline::zx
