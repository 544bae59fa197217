// zx_system_get_dcache_line_size(): the platform's cache.line, as Fuchsia's vDSO reports the
// CPU's data cache line size. No handle, no error, no simulated cost (a vDSO read).
#include <cstdint>

#include "ShimRuntime.h"

extern "C" uint32_t zx_system_get_dcache_line_size(void) {
    staleline::zx::ShimRuntime* rt = staleline::zx::ShimRuntime::get();
    // Without a platform there is no cache; 64 is what every supported CPU has.
    if (!rt) return 64;
    return (uint32_t)rt->platform().config().get_size("cache.line");
}
