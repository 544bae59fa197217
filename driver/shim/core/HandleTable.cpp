#include "HandleTable.h"

#include <algorithm>

namespace staleline::zx {

namespace {
constexpr uint32_t kIndexMask = (1u << HandleTable::kIndexBits) - 1;
constexpr uint32_t kGenerationMask = ((1u << HandleTable::kGenerationBits) - 1)
                                     << HandleTable::kIndexBits;

std::unique_ptr<HandleTable>& current_table() {
    static std::unique_ptr<HandleTable> table;
    return table;
}
}  // namespace

HandleTable::HandleTable(uint32_t mixer, size_t capacity)
    : mixer_(mixer & ~ZX_HANDLE_FIXED_BITS_MASK),
      capacity_(std::min(capacity, kMaxHandles)) {}

HandleTable::~HandleTable() {
    // Close what is still open so objects see on_zero_handles(), as at process exit.
    std::vector<Removed> objects;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (size_t i = 0; i < slots_.size(); i++) {
            if (slots_[i].object) objects.push_back(erase_locked(i));
        }
    }
    for (auto& removed : objects) release(std::move(removed));
}

zx_handle_t HandleTable::value_of(uint32_t base_value) const {
    return ((base_value << 2) | ZX_HANDLE_FIXED_BITS_MASK) ^ mixer_;
}

long HandleTable::find_locked(zx_handle_t handle) const {
    if ((handle & ZX_HANDLE_FIXED_BITS_MASK) != ZX_HANDLE_FIXED_BITS_MASK) return -1;
    const uint32_t base = (handle ^ mixer_) >> 2;
    const uint32_t index = base & kIndexMask;
    if (index >= slots_.size()) return -1;
    const Slot& slot = slots_[index];
    if (!slot.object || slot.base_value != base) return -1;
    return static_cast<long>(index);
}

zx_handle_t HandleTable::insert_locked(ObjectRef obj, zx_rights_t rights) {
    uint32_t index;
    if (!free_.empty() && (free_.size() >= kReuseDelay || slots_.size() >= capacity_)) {
        index = free_.front();
        free_.pop_front();
    } else if (slots_.size() < capacity_) {
        index = static_cast<uint32_t>(slots_.size());
        slots_.emplace_back();
    } else {
        return ZX_HANDLE_INVALID;
    }
    Slot& slot = slots_[index];
    // Next generation of this slot; generation 0 is skipped so base_value is never 0.
    uint32_t generation = ((slot.base_value & kGenerationMask) >> kIndexBits) + 1;
    generation &= (1u << kGenerationBits) - 1;
    if (generation == 0) generation = 1;
    slot.base_value = index | (generation << kIndexBits);
    slot.rights = rights;
    slot.object = std::move(obj);
    slot.object->handle_count_++;
    live_++;
    return value_of(slot.base_value);
}

HandleTable::Removed HandleTable::erase_locked(size_t index) {
    Slot& slot = slots_[index];
    Removed removed;
    removed.object = std::move(slot.object);
    slot.object.reset();
    slot.rights = 0;
    free_.push_back(static_cast<uint32_t>(index));
    live_--;
    removed.last_handle = --removed.object->handle_count_ == 0;
    return removed;
}

void HandleTable::release(Removed removed) {
    // Outside the table lock: on_zero_handles() may close other handles.
    if (removed.last_handle) removed.object->on_zero_handles();
}

zx_status_t HandleTable::add(ObjectRef obj, zx_rights_t rights, zx_handle_t* out) {
    if (!obj || !out) return ZX_ERR_INVALID_ARGS;
    zx_handle_t value;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        value = insert_locked(std::move(obj), rights);
    }
    if (value == ZX_HANDLE_INVALID) return ZX_ERR_NO_MEMORY;
    // Outside the lock: out may be driver memory in a VMO, whose store the shim simulates
    // (it may wait, or end the driver's thread with a fault); the table must not stay locked.
    *out = value;
    return ZX_OK;
}

zx_status_t HandleTable::close(zx_handle_t handle) {
    // Closing the "never a handle" value is not an error, like free(NULL).
    if (handle == ZX_HANDLE_INVALID) return ZX_OK;
    return remove(handle);
}

zx_status_t HandleTable::remove(zx_handle_t handle, ObjectRef* out, zx_rights_t* out_rights) {
    Removed removed;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        long index = find_locked(handle);
        if (index < 0) return ZX_ERR_BAD_HANDLE;
        if (out_rights) *out_rights = slots_[index].rights;
        removed = erase_locked(static_cast<size_t>(index));
    }
    if (out) *out = removed.object;
    release(std::move(removed));
    return ZX_OK;
}

zx_status_t HandleTable::duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out) {
    std::unique_lock<std::mutex> lock(mutex_);
    long index = find_locked(handle);
    if (index < 0) return ZX_ERR_BAD_HANDLE;
    const Slot& source = slots_[index];
    if (!(source.rights & ZX_RIGHT_DUPLICATE)) return ZX_ERR_ACCESS_DENIED;
    if (rights == ZX_RIGHT_SAME_RIGHTS) {
        rights = source.rights;
    } else if ((source.rights & rights) != rights) {
        return ZX_ERR_INVALID_ARGS;
    }
    // Zircon only finds a bad out pointer when it copies the new value out.
    if (!out) return ZX_ERR_INVALID_ARGS;
    ObjectRef obj = source.object;  // copy: insert may grow slots_
    zx_handle_t value = insert_locked(std::move(obj), rights);
    if (value == ZX_HANDLE_INVALID) return ZX_ERR_NO_MEMORY;
    lock.unlock();
    *out = value;  // outside the lock, as in add()
    return ZX_OK;
}

zx_status_t HandleTable::get(zx_handle_t handle, zx_obj_type_t type, zx_rights_t required,
                             ObjectRef* out, zx_rights_t* out_rights) const {
    std::lock_guard<std::mutex> lock(mutex_);
    long index = find_locked(handle);
    if (index < 0) return ZX_ERR_BAD_HANDLE;
    const Slot& slot = slots_[index];
    if (type != ZX_OBJ_TYPE_NONE && slot.object->type() != type) return ZX_ERR_WRONG_TYPE;
    if ((slot.rights & required) != required) return ZX_ERR_ACCESS_DENIED;
    if (out) *out = slot.object;
    if (out_rights) *out_rights = slot.rights;
    return ZX_OK;
}

size_t HandleTable::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return live_;
}

HandleTable& HandleTable::current() {
    auto& table = current_table();
    if (!table) table = std::make_unique<HandleTable>();
    return *table;
}

void HandleTable::reset_current(uint32_t mixer, size_t capacity) {
    auto& table = current_table();
    table.reset();  // closes the old table's handles first
    table = std::make_unique<HandleTable>(mixer, capacity);
}

}  // namespace staleline::zx
