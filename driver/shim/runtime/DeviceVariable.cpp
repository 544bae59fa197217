// device_get_variable(): a driver reads a configuration parameter by its key (Fuchsia's
// boot arguments; here the platform's configuration, e.g. "dmac.mapping"). The value is the
// canonical text `staleline params` shows. No simulated cost (a lookup in the driver host).
#include <cstring>

#include <ddk/device.h>
#include <zircon/errors.h>

#include "ShimRuntime.h"
#include "config/Config.h"

extern "C" zx_status_t device_get_variable(zx_device_t* device, const char* name, char* out, size_t out_size,
                                           size_t* size_actual) {
    (void)device;
    if (!name || (!out && out_size)) return ZX_ERR_INVALID_ARGS;
    staleline::zx::ShimRuntime* rt = staleline::zx::ShimRuntime::get();
    if (!rt || !staleline::find_param(name)) return ZX_ERR_NOT_FOUND;
    const std::string text = rt->platform().config().text(name);
    if (size_actual) *size_actual = text.size() + 1;
    if (text.size() + 1 > out_size) return ZX_ERR_BUFFER_TOO_SMALL;
    std::memcpy(out, text.c_str(), text.size() + 1);
    return ZX_OK;
}
