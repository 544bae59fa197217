// The DDK functions of ddk/driver.h, ddk/device.h, ddk/debug.h and ddk/mmio-buffer.h.
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "DeviceManager.h"
#include "DriverLoader.h"
#include "ShimRuntime.h"
#include "SimThread.h"

#include <ddk/debug.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/mmio-buffer.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

using namespace staleline::zx;

namespace {

const char* level_name(uint32_t flags) {
    switch (flags & ZX_LOG_LEVEL_MASK) {
        case DDK_LOG_ERROR: return "ERROR";
        case DDK_LOG_WARN: return "WARN";
        case DDK_LOG_INFO: return "INFO";
        case DDK_LOG_TRACE: return "TRACE";
        case DDK_LOG_SPEW: return "SPEW";
        case DDK_LOG_DEBUG1: return "DEBUG1";
        case DDK_LOG_DEBUG2: return "DEBUG2";
        case DDK_LOG_DEBUG3: return "DEBUG3";
        case DDK_LOG_DEBUG4: return "DEBUG4";
        default: return "LOG";
    }
}

}  // namespace

extern "C" {

zx_status_t device_add_from_driver(zx_driver_t* drv, zx_device_t* parent, device_add_args_t* args, zx_device_t** out) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return ZX_ERR_BAD_STATE;
    SimThread& th = rt->enter_call();
    // The driver record's .driver is the DriverInstance; code bound in-process has none and
    // is attributed to the driver whose thread it runs on.
    DriverInstance* d = drv ? reinterpret_cast<DriverInstance*>(drv) : th.driver;
    return rt->devices().add(d, parent, args, out);
}

zx_status_t device_remove(zx_device_t* device) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return ZX_ERR_BAD_STATE;
    rt->enter_call();
    return rt->devices().remove(device);
}

zx_status_t device_rebind(zx_device_t* device) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return ZX_ERR_BAD_STATE;
    rt->enter_call();
    return ZX_ERR_NOT_SUPPORTED;  // one driver per device: nothing else to bind
}

void device_make_visible(zx_device_t* device) {
    if (device) device->visible = true;
}

zx_status_t device_get_protocol(const zx_device_t* device, uint32_t proto_id, void* protocol) {
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return ZX_ERR_BAD_STATE;
    rt->enter_call();
    if (!device || !protocol) return ZX_ERR_INVALID_ARGS;
    // As the device host does: the device's get_protocol hook if it has one, else the
    // protocol it was added with.
    if (device->ops && device->ops->get_protocol) return device->ops->get_protocol(device->ctx, proto_id, protocol);
    if (device->proto_id == proto_id && device->proto_ops) {
        struct {
            void* ops;
            void* ctx;
        } proto = {device->proto_ops, device->ctx};
        std::memcpy(protocol, &proto, sizeof proto);
        return ZX_OK;
    }
    return ZX_ERR_NOT_SUPPORTED;
}

const char* device_get_name(zx_device_t* dev) { return dev ? dev->name.c_str() : nullptr; }

zx_device_t* device_get_parent(zx_device_t* dev) { return dev ? dev->parent : nullptr; }

void driver_printf(uint32_t flags, const char* fmt, ...) {
    ShimRuntime* rt = ShimRuntime::get();
    FILE* f = rt ? rt->log_file() : stderr;
    const SimThread& th = SimThread::current();
    const char* who = th.driver ? th.driver->name().c_str() : "driver";
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t n = std::strlen(msg);
    const char* nl = n && msg[n - 1] == '\n' ? "" : "\n";
    std::fprintf(f, "[%12llu ns] %s: %s: %s%s", (unsigned long long)th.now_ns(), who, level_name(flags), msg, nl);
}

zx_status_t mmio_buffer_init(mmio_buffer_t* buffer, zx_off_t offset, size_t size, zx_handle_t vmo,
                             uint32_t cache_policy) {
    // Fuchsia's mmio_buffer_init consumes vmo whatever happens.
    if (!buffer) {
        zx_handle_close(vmo);
        return ZX_ERR_INVALID_ARGS;
    }
    uint64_t vmo_size = 0;
    zx_status_t st = zx_vmo_get_size(vmo, &vmo_size);
    if (st == ZX_OK && (offset + size < offset || offset + size > vmo_size)) st = ZX_ERR_OUT_OF_RANGE;
    if (st == ZX_OK) st = zx_vmo_set_cache_policy(vmo, cache_policy);
    const uint64_t first = offset & ~(uint64_t)(ZX_PAGE_SIZE - 1);
    const uint64_t last = (offset + size + ZX_PAGE_SIZE - 1) & ~(uint64_t)(ZX_PAGE_SIZE - 1);
    zx_vaddr_t addr = 0;
    if (st == ZX_OK)
        st = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_MAP_RANGE, 0, vmo, first,
                         last - first, &addr);
    if (st != ZX_OK) {
        zx_handle_close(vmo);
        return st;
    }
    buffer->vaddr = (void*)(addr + (offset - first));
    buffer->offset = offset;
    buffer->size = size;
    buffer->vmo = vmo;
    return ZX_OK;
}

void mmio_buffer_release(mmio_buffer_t* buffer) {
    if (!buffer) return;
    if (buffer->vmo != ZX_HANDLE_INVALID) {
        const uintptr_t v = (uintptr_t)buffer->vaddr;
        const uintptr_t first = v & ~(uintptr_t)(ZX_PAGE_SIZE - 1);
        const uintptr_t last = (v + buffer->size + ZX_PAGE_SIZE - 1) & ~(uintptr_t)(ZX_PAGE_SIZE - 1);
        zx_vmar_unmap(zx_vmar_root_self(), first, last - first);
        zx_handle_close(buffer->vmo);
    }
    std::memset(buffer, 0, sizeof *buffer);
}

}  // extern "C"
