// C API of the shim core (include/staleline/zx_core.h).
#include "BtiPinCheck.h"
#include "CacheOpCheck.h"
#include "HandleTable.h"

#include <staleline/zx_core.h>

#include <atomic>

using namespace staleline::zx;

namespace {

std::atomic<size_t> g_alive{0};
std::atomic<size_t> g_zero_handle_events{0};

// A kernel object with no behaviour, for exercising the handle table.
class PlainObject final : public KernelObject {
public:
    explicit PlainObject(zx_obj_type_t type) : KernelObject(type) { g_alive++; }
    ~PlainObject() override { g_alive--; }
    void on_zero_handles() override { g_zero_handle_events++; }
};

void copy_maintenance(const CacheMaintenance& m, const char* reason, sl_cache_maintenance_t* out) {
    if (!out) return;
    out->clean = m.clean;
    out->invalidate = m.invalidate;
    out->sync_insn = m.sync_insn;
    out->reason = reason;
}

}  // namespace

extern "C" {

void sl_zx_reset_handles(uint32_t mixer, size_t capacity) { HandleTable::reset_current(mixer, capacity); }

size_t sl_zx_handle_table_size(void) { return HandleTable::current().size(); }

zx_status_t sl_zx_test_object_create(zx_obj_type_t type, zx_rights_t rights, zx_handle_t* out) {
    if (!out) return ZX_ERR_INVALID_ARGS;
    return HandleTable::current().add(std::make_shared<PlainObject>(type), rights, out);
}

size_t sl_zx_test_objects_alive(void) { return g_alive; }

size_t sl_zx_test_zero_handle_events(void) { return g_zero_handle_events; }

zx_status_t sl_zx_handle_check(zx_handle_t handle, zx_obj_type_t type, zx_rights_t required) {
    return HandleTable::current().get(handle, type, required);
}

zx_status_t sl_zx_handle_take(zx_handle_t handle, zx_obj_type_t* out_type) {
    ObjectRef obj;
    zx_status_t st = HandleTable::current().remove(handle, &obj);
    if (st == ZX_OK && out_type) *out_type = obj->type();
    return st;
}

zx_status_t sl_zx_check_bti_pin(const sl_bti_pin_args_t* args, sl_bti_pin_plan_t* plan) {
    if (!args) return ZX_ERR_INVALID_ARGS;
    BtiPinRequest req;
    req.options = args->options;
    req.offset = args->offset;
    req.size = args->size;
    req.addrs_count = args->addrs_count;
    req.addrs_given = args->addrs_given;
    req.pmt_given = args->pmt_given;
    BtiPinTarget target;
    target.vmo_rights = args->vmo_rights;
    target.vmo_size = args->vmo_size;
    target.vmo_contiguous = args->vmo_contiguous;
    target.minimum_contiguity = args->minimum_contiguity;
    target.bti_quarantine_empty = args->bti_quarantine_empty;
    BtiPinCheck check = check_bti_pin(req, target);
    if (plan) {
        plan->device_perms = check.plan.device_perms;
        plan->compress = check.plan.compress;
        plan->contiguous = check.plan.contiguous;
        plan->addrs_count = check.plan.addrs_count;
        plan->run_bytes = check.plan.run_bytes;
        plan->reason = check.reason;
    }
    return check.status;
}

zx_status_t sl_zx_check_vmo_op_range(uint32_t op, uint64_t offset, uint64_t size, uint64_t vmo_size,
                                     zx_rights_t rights, bool allow_invalidate,
                                     sl_cache_maintenance_t* out) {
    VmoOpCheck check = check_vmo_op_range(op, offset, size, vmo_size, rights, allow_invalidate);
    copy_maintenance(check.maintenance, check.reason, out);
    return check.status;
}

zx_status_t sl_zx_check_cache_flush(uint32_t options, sl_cache_maintenance_t* out) {
    CacheFlushCheck check = check_cache_flush(options);
    copy_maintenance(check.maintenance, check.reason, out);
    return check.status;
}

}  // extern "C"
