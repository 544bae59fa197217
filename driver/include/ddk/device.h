/* ddk/device.h: the device hooks a driver implements (zx_protocol_device_t) and device
 * accessors. device_add_args_t and device_add() live in ddk/driver.h, as in Fuchsia;
 * this header includes it so either include works. */
#ifndef DDK_DEVICE_H_
#define DDK_DEVICE_H_

#include <ddk/driver.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

#define ZX_DEVICE_NAME_MAX 31

/* echo -n "zx_device_ops_v0.5" | sha256sum | cut -c1-16 */
#define DEVICE_OPS_VERSION 0xc9410d2a24f57424

/* Device hooks. Unset hooks get the default behaviour noted. Staleline calls get_protocol,
 * unbind and release; the file-style hooks (open ... ioctl) are kept for source compatibility
 * and are not called by the simulator. */
struct zx_protocol_device {
  uint64_t version; /* DEVICE_OPS_VERSION */

  /* Fill *protocol if the device offers proto_id (default: ZX_ERR_NOT_SUPPORTED). */
  zx_status_t (*get_protocol)(void* ctx, uint32_t proto_id, void* protocol);
  zx_status_t (*open)(void* ctx, zx_device_t** dev_out, uint32_t flags);
  zx_status_t (*open_at)(void* ctx, zx_device_t** dev_out, const char* path, uint32_t flags);
  zx_status_t (*close)(void* ctx, uint32_t flags);

  /* The parent is going away: stop using it and call device_remove() on this device. */
  void (*unbind)(void* ctx);

  /* Last hook: the device has been removed. Free everything (stop DMA, unpin, close
   * handles) before returning. */
  void (*release)(void* ctx);

  zx_status_t (*read)(void* ctx, void* buf, size_t count, zx_off_t off, size_t* actual);
  zx_status_t (*write)(void* ctx, const void* buf, size_t count, zx_off_t off, size_t* actual);
  zx_off_t (*get_size)(void* ctx);
  zx_status_t (*ioctl)(void* ctx, uint32_t op, const void* in_buf, size_t in_len, void* out_buf,
                       size_t out_len, size_t* out_actual);
  zx_status_t (*suspend)(void* ctx, uint32_t flags);
  zx_status_t (*resume)(void* ctx, uint32_t flags);
  zx_status_t (*rxrpc)(void* ctx, zx_handle_t channel);
};

/* Name given to device_add(). */
const char* device_get_name(zx_device_t* dev);

/* Parent of dev (NULL for the root). */
zx_device_t* device_get_parent(zx_device_t* dev);

/* A configuration variable by name (Fuchsia: a boot argument; Staleline: a configuration key
 * such as "dmac.mapping") as text, NUL-terminated. *size_actual gets the size it needs.
 * ZX_ERR_NOT_FOUND no such variable, ZX_ERR_BUFFER_TOO_SMALL out_size too small. */
zx_status_t device_get_variable(zx_device_t* device, const char* name, char* out, size_t out_size,
                                size_t* size_actual);

__END_CDECLS

#endif /* DDK_DEVICE_H_ */
