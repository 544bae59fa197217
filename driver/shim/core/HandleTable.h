// HandleTable: the handle table of the simulated driver process.
//
// Handle values are built as Zircon builds them: a slot index and a per-slot generation
// (bumped every time the slot is reused) shifted left by two, the two low bits set
// (ZX_HANDLE_FIXED_BITS_MASK), XORed with a per-table mixer whose low bits are clear. So a
// value is never 0, always has the low bits set, and a closed handle's value stays invalid
// when its slot is reused. Freed slots are reused FIFO, and only once kReuseDelay of them are
// waiting, so a value freed now does not come back soon even with the generation wrapped.
//
// Lookups fail in Zircon's order: ZX_ERR_BAD_HANDLE (not a live handle of this table), then
// ZX_ERR_WRONG_TYPE, then ZX_ERR_ACCESS_DENIED (a required right is missing).
#pragma once

#include "KernelObject.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace staleline::zx {

class HandleTable {
public:
    static constexpr size_t kMaxHandles = 256 * 1024;  // Zircon's handle arena size
    static constexpr size_t kReuseDelay = 64;          // freed slots waiting before reuse
    static constexpr uint32_t kIndexBits = 18;          // log2(kMaxHandles)
    static constexpr uint32_t kGenerationBits = 12;     // 32 - 2 reserved - kIndexBits

    // mixer: XOR mask of handle values (its two low bits are ignored). capacity: most handles
    // open at once, at most kMaxHandles; a larger value is clamped.
    explicit HandleTable(uint32_t mixer = kDefaultMixer, size_t capacity = kMaxHandles);
    HandleTable(const HandleTable&) = delete;
    HandleTable& operator=(const HandleTable&) = delete;
    ~HandleTable();

    // New handle to obj with rights. ZX_ERR_INVALID_ARGS if obj or out is null,
    // ZX_ERR_NO_MEMORY when the table is full (Zircon's answer to an exhausted arena).
    zx_status_t add(ObjectRef obj, zx_rights_t rights, zx_handle_t* out);

    // zx_handle_close: ZX_OK for ZX_HANDLE_INVALID, ZX_ERR_BAD_HANDLE for a dead value.
    zx_status_t close(zx_handle_t handle);

    // zx_handle_duplicate: BAD_HANDLE, ACCESS_DENIED (no ZX_RIGHT_DUPLICATE), INVALID_ARGS
    // (rights not a subset, or out null), NO_MEMORY. ZX_RIGHT_SAME_RIGHTS keeps the rights.
    zx_status_t duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);

    // Resolves a handle. type ZX_OBJ_TYPE_NONE accepts any type; required are the rights the
    // handle must all have. out and out_rights may be null.
    zx_status_t get(zx_handle_t handle, zx_obj_type_t type, zx_rights_t required,
                    ObjectRef* out = nullptr, zx_rights_t* out_rights = nullptr) const;

    // Resolves a handle to a concrete object class (ZX_ERR_WRONG_TYPE if it is another class).
    template <class T>
    zx_status_t get_as(zx_handle_t handle, zx_rights_t required, std::shared_ptr<T>* out,
                       zx_rights_t* out_rights = nullptr) const {
        ObjectRef obj;
        zx_rights_t rights = 0;
        zx_status_t st = get(handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_NONE, &obj, &rights);
        if (st != ZX_OK) return st;
        auto typed = std::dynamic_pointer_cast<T>(obj);
        if (!typed) return ZX_ERR_WRONG_TYPE;
        if ((rights & required) != required) return ZX_ERR_ACCESS_DENIED;
        if (out) *out = std::move(typed);
        if (out_rights) *out_rights = rights;
        return ZX_OK;
    }

    // Takes a handle out of the table whatever it names and hands back the object (for calls
    // that consume their handle before checking it, like zx_pmt_unpin). ZX_ERR_BAD_HANDLE.
    // on_zero_handles() runs here if this was the last handle.
    zx_status_t remove(zx_handle_t handle, ObjectRef* out = nullptr, zx_rights_t* out_rights = nullptr);

    size_t size() const;            // open handles
    size_t capacity() const { return capacity_; }

    // The table of the simulated driver process (created on first use with the defaults).
    static HandleTable& current();
    // Replaces the current table with an empty one; handles of the old table become invalid.
    static void reset_current(uint32_t mixer = kDefaultMixer, size_t capacity = kMaxHandles);

    // Deterministic default mixer: same run, same handle values.
    static constexpr uint32_t kDefaultMixer = 0x5a1e1a4cu;

private:
    struct Slot {
        ObjectRef object;         // null while free
        zx_rights_t rights = 0;
        uint32_t base_value = 0;  // index | generation << kIndexBits; 0 = never used
    };

    zx_handle_t value_of(uint32_t base_value) const;
    // Slot index for a value, or -1 if it does not name a live handle. Caller holds mutex_.
    long find_locked(zx_handle_t handle) const;
    // Allocates a slot for obj; returns the handle value or ZX_HANDLE_INVALID when full.
    zx_handle_t insert_locked(ObjectRef obj, zx_rights_t rights);
    // A handle taken out of its slot; released by the caller outside the lock.
    struct Removed {
        ObjectRef object;
        bool last_handle = false;  // it was the object's last handle
    };
    Removed erase_locked(size_t index);
    static void release(Removed removed);

    const uint32_t mixer_;
    const size_t capacity_;
    mutable std::mutex mutex_;
    std::vector<Slot> slots_;
    std::deque<uint32_t> free_;  // freed slot indices, oldest first
    size_t live_ = 0;
};

}  // namespace staleline::zx
