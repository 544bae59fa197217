// zx_handle_close, zx_handle_duplicate and zx_object_get_info over the handle table of the
// simulated driver process. They need no platform model: objects supply their own
// type-specific records through KernelObject::info_record.
#include "HandleTable.h"
#include "UserCopy.h"

#include <zircon/syscalls.h>

#include <cstring>

using staleline::zx::HandleTable;
using staleline::zx::KernelObject;
using staleline::zx::ObjectRef;
using staleline::zx::copy_to_user;

namespace {

// Zircon's single_record_result: copies one record, reports actual/avail, and answers
// ZX_ERR_BUFFER_TOO_SMALL (actual 0, avail 1) when the buffer cannot hold it. Every store goes
// through copy_to_user (the cache model, when the caller's memory is simulated); one that
// cannot be made is ZX_ERR_INVALID_ARGS ("buffer, actual, or avail are invalid pointers").
zx_status_t single_record(void* buffer, size_t buffer_size, size_t* actual, size_t* avail,
                          const void* record, size_t record_size, const void* pc) {
    size_t copied = 0;
    if (buffer_size >= record_size) {
        if (copy_to_user(buffer, record, record_size, pc) != ZX_OK) return ZX_ERR_INVALID_ARGS;
        copied = 1;
    }
    if (actual && copy_to_user(actual, copied, pc) != ZX_OK) return ZX_ERR_INVALID_ARGS;
    const size_t one = 1;
    if (avail && copy_to_user(avail, one, pc) != ZX_OK) return ZX_ERR_INVALID_ARGS;
    return copied ? ZX_OK : ZX_ERR_BUFFER_TOO_SMALL;
}

// Type-specific topics: the object type and the right they require, and the record size.
struct TypedTopic {
    uint32_t topic;
    zx_obj_type_t type;
    zx_rights_t right;
    size_t record_size;
};

constexpr TypedTopic kTypedTopics[] = {
    {ZX_INFO_BTI, ZX_OBJ_TYPE_BTI, ZX_RIGHT_INSPECT, sizeof(zx_info_bti_t)},
    {ZX_INFO_VMO, ZX_OBJ_TYPE_VMO, ZX_RIGHT_NONE, sizeof(zx_info_vmo_t)},
    {ZX_INFO_VMAR, ZX_OBJ_TYPE_VMAR, ZX_RIGHT_INSPECT, sizeof(zx_info_vmar_t)},
};

}  // namespace

extern "C" zx_status_t zx_handle_close(zx_handle_t handle) {
    KernelObject::ClosingPcScope scope(__builtin_return_address(0));
    return HandleTable::current().close(handle);
}

extern "C" zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out) {
    // The new value is copied out like every result; memory it cannot go to closes it again.
    HandleTable& table = HandleTable::current();
    zx_handle_t dup = ZX_HANDLE_INVALID;
    zx_status_t st = table.duplicate(handle, rights, out ? &dup : nullptr);
    if (st != ZX_OK) return st;
    st = copy_to_user(out, dup, __builtin_return_address(0));
    if (st != ZX_OK) {
        table.close(dup);
        return ZX_ERR_INVALID_ARGS;
    }
    return ZX_OK;
}

extern "C" zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer,
                                          size_t buffer_size, size_t* actual, size_t* avail) {
    HandleTable& table = HandleTable::current();
    const void* pc = __builtin_return_address(0);
    switch (topic) {
        case ZX_INFO_HANDLE_VALID:
            return table.get(handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_NONE);

        case ZX_INFO_HANDLE_BASIC: {
            ObjectRef obj;
            zx_rights_t rights = 0;
            zx_status_t st = table.get(handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_NONE, &obj, &rights);
            if (st != ZX_OK) return st;
            zx_info_handle_basic_t info{};
            info.koid = obj->koid();
            info.rights = rights;
            info.type = obj->type();
            info.related_koid = obj->related_koid();
            info.props = KernelObject::waitable(obj->type()) ? ZX_OBJ_PROP_WAITABLE : ZX_OBJ_PROP_NONE;
            return single_record(buffer, buffer_size, actual, avail, &info, sizeof(info), pc);
        }

        case ZX_INFO_HANDLE_COUNT: {
            ObjectRef obj;
            zx_status_t st = table.get(handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_INSPECT, &obj);
            if (st != ZX_OK) return st;
            zx_info_handle_count_t info{};
            info.handle_count = obj->handle_count();
            return single_record(buffer, buffer_size, actual, avail, &info, sizeof(info), pc);
        }

        default:
            break;
    }

    for (const TypedTopic& t : kTypedTopics) {
        if (t.topic != topic) continue;
        ObjectRef obj;
        zx_rights_t rights = 0;
        zx_status_t st = table.get(handle, t.type, t.right, &obj, &rights);
        if (st != ZX_OK) return st;
        alignas(8) unsigned char record[sizeof(zx_info_vmo_t)] = {};
        static_assert(sizeof(zx_info_vmo_t) >= sizeof(zx_info_bti_t) &&
                      sizeof(zx_info_vmo_t) >= sizeof(zx_info_vmar_t), "record buffer too small");
        st = obj->info_record(topic, record, t.record_size);
        if (st != ZX_OK) return st;
        // The VMO record describes the handle it was asked through too.
        if (topic == ZX_INFO_VMO) reinterpret_cast<zx_info_vmo_t*>(record)->handle_rights = rights;
        return single_record(buffer, buffer_size, actual, avail, record, t.record_size, pc);
    }
    // "ZX_ERR_NOT_SUPPORTED topic does not exist."
    return ZX_ERR_NOT_SUPPORTED;
}
