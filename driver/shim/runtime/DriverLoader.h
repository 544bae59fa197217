// DriverLoader: loads driver modules built with staleline_add_driver() (a shared object
// holding the ZIRCON_DRIVER record) and runs their entry points on simulated threads:
// ops->init, then the bind program against the PCI function's properties, then
// ops->bind(ctx, parent) with parent the device node of a PCI slot. Release runs the unbind
// hooks of the devices the driver added, their release hooks, then ops->release(ctx).
//
// A driver is found by path, or by name in the driver directories: $STALELINE_DRIVER_PATH
// (colon-separated), then <executable dir>/../lib/drivers, then the build's lib/drivers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ddk/binding.h>
#include <ddk/driver.h>

namespace staleline::zx {

class ShimRuntime;

class DriverInstance {
public:
    const std::string& name() const { return name_; }  // from the driver note (ZIRCON_DRIVER_BEGIN)
    const std::string& path() const { return path_; }
    const std::string& vendor() const { return vendor_; }
    const std::string& version() const { return version_; }
    const zx_driver_ops_t* ops() const { return rec_->ops; }
    zx_driver_rec_t* record() const { return rec_; }
    void* ctx() const { return ctx_; }

    // ZX_ERR_SHOULD_WAIT until bind has run; then init's error or bind's status.
    zx_status_t bind_status() const { return bind_status_; }
    bool bound() const { return bind_status_ == ZX_OK; }
    bool released() const { return released_; }
    // The first slot it was bound to (-1: none), and all of them in bind order.
    int slot() const { return slots_.empty() ? -1 : (int)slots_.front(); }
    const std::vector<unsigned>& slots() const { return slots_; }
    // Built with access instrumentation (its plain loads and stores are observed); false for
    // an UNINSTRUMENTED build, which the coherency checker checks in conservative mode.
    bool instrumented() const { return instrumented_; }

private:
    friend class DriverLoader;
    std::string name_, path_, vendor_, version_;
    void* dl_ = nullptr;
    zx_driver_rec_t* rec_ = nullptr;
    const zircon_driver_note_payload_t* note_ = nullptr;
    const zx_bind_inst_t* program_ = nullptr;
    void* ctx_ = nullptr;
    zx_status_t bind_status_ = ZX_ERR_SHOULD_WAIT;
    bool initialised_ = false, released_ = false;
    bool instrumented_ = false;
    std::vector<unsigned> slots_;
};

class DriverLoader {
public:
    explicit DriverLoader(ShimRuntime& rt);

    // The file a name stands for ("" and *error when none): a name containing '/' or ending
    // in ".so" is a path; otherwise NAME.so is looked up in the driver directories.
    static std::string resolve(const std::string& name_or_path, std::string* error);
    static std::vector<std::string> search_path();

    // dlopen + find the driver record. nullptr with *error on failure (file not found, not a
    // driver, wrong DRIVER_OPS_VERSION, unresolved symbols ...).
    DriverInstance* load(const std::string& name_or_path, std::string* error);

    // Whether the driver's bind program accepts the PCI function in slot.
    bool matches(const DriverInstance& d, unsigned slot) const;

    // init (once) + bind program + bind(ctx, parent of slot) on the calling simulated thread.
    // ZX_ERR_NOT_SUPPORTED when the bind program rejects the function, ZX_ERR_NOT_FOUND for
    // an empty slot, ZX_ERR_BAD_STATE when already bound to that slot or released.
    zx_status_t bind_now(DriverInstance& d, unsigned slot);
    // The same on a new simulated thread; returns ZX_OK once started (the result is
    // bind_status() after the run), or the error that prevented the start.
    zx_status_t bind_async(DriverInstance& d, unsigned slot);

    // Unbind and release the driver's devices, then ops->release(ctx), on the calling thread.
    zx_status_t release_now(DriverInstance& d);
    zx_status_t release_async(DriverInstance& d);

    const std::vector<std::unique_ptr<DriverInstance>>& drivers() const { return drivers_; }

private:
    zx_status_t check_bind(DriverInstance& d, unsigned slot) const;
    zx_status_t run_bind(DriverInstance& d, unsigned slot);

    ShimRuntime& rt_;
    std::vector<std::unique_ptr<DriverInstance>> drivers_;
};

}  // namespace staleline::zx
