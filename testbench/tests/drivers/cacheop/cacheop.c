/* cacheop: driver code that gets the size of a cache operation wrong, called by
 * test_cache_op_outside on a simulated thread: the end of the range passed where the call takes
 * a size (the length/end mix-up NuttX fixed in 27fe5a5 and 8edbf04). Each function records the
 * line of its call for the test (cache-op-outside-mapping is reported there). */
#include <stdint.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

int cacheop_line;

/* A clean of [offset, end) of a VMO with the end offset as the size: past the VMO's end for
 * any offset > 0 when end is its size. Returns the status the driver would ignore. */
zx_status_t cacheop_clean_to_end(zx_handle_t vmo, uint64_t offset, uint64_t end) {
  cacheop_line = __LINE__ + 1;
  return zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_CLEAN, offset, end, NULL, 0);
}

/* A flush of [p, end) of a mapping with the end address as the size: it runs past the mapping
 * into memory nothing maps, where the cache instructions fault. */
zx_status_t cacheop_flush_to_end(void* p, void* end) {
  cacheop_line = __LINE__ + 1;
  return zx_cache_flush(p, (size_t)(uintptr_t)end, ZX_CACHE_FLUSH_DATA);
}

/* The same flush with the size: correct. */
zx_status_t cacheop_flush(void* p, void* end) {
  cacheop_line = __LINE__ + 1;
  return zx_cache_flush(p, (size_t)((uintptr_t)end - (uintptr_t)p), ZX_CACHE_FLUSH_DATA);
}

/* A driver of the ScratchDevice, so the shim loads it like any driver; its bind does nothing. */
#include <ddk/binding.h>
#include <ddk/driver.h>

static zx_status_t cacheop_bind(void* ctx, zx_device_t* parent) {
  (void)ctx;
  (void)parent;
  return ZX_OK;
}

static zx_driver_ops_t cacheop_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = cacheop_bind,
};

ZIRCON_DRIVER_BEGIN(cacheop, cacheop_ops, "staleline", "0.1", 3)
  BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
  BI_ABORT_IF(NE, BIND_PCI_VID, 0x1b36),
  BI_MATCH_IF(EQ, BIND_PCI_DID, 0x5c00),
ZIRCON_DRIVER_END(cacheop)
