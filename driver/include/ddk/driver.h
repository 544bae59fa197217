/* ddk/driver.h: the driver's entry points (zx_driver_ops_t), device_add and protocol ids.
 *
 * The simulated device manager calls ops->init (optional) once, then ops->bind(ctx, parent)
 * with parent a device that offers ZX_PROTOCOL_PCI; the driver gets the protocol with
 * device_get_protocol(parent, ZX_PROTOCOL_PCI, &pci) and publishes its device with
 * device_add(). */
#ifndef DDK_DRIVER_H_
#define DDK_DRIVER_H_

#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct zx_device zx_device_t;   /* opaque: owned by the device manager */
typedef struct zx_driver zx_driver_t;   /* opaque */
typedef struct zx_protocol_device zx_protocol_device_t;
typedef struct zx_device_prop zx_device_prop_t;
typedef struct zx_driver_rec zx_driver_rec_t;
typedef struct zx_bind_inst zx_bind_inst_t;

/* echo -n "zx_driver_ops_v0.5" | sha256sum | cut -c1-16 */
#define DRIVER_OPS_VERSION 0x2b3490fa40d9f452

typedef struct zx_driver_ops {
  uint64_t version; /* DRIVER_OPS_VERSION */

  /* Called once before any other op; may return a context passed to the other ops. */
  zx_status_t (*init)(void** out_ctx);

  /* Bind to parent: initialise the hardware and publish children with device_add(). */
  zx_status_t (*bind)(void* ctx, zx_device_t* parent);

  /* Bus drivers only (not used by Staleline). */
  zx_status_t (*create)(void* ctx, zx_device_t* parent, const char* name, const char* args,
                        zx_handle_t rpc_channel);

  /* Last call before the driver is unloaded. */
  void (*release)(void* ctx);
} zx_driver_ops_t;

/* echo -n "device_add_args_v0.5" | sha256sum | cut -c1-16 */
#define DEVICE_ADD_ARGS_VERSION 0x96a64134d56e88e3

enum {
  DEVICE_ADD_NON_BINDABLE = (1 << 0), /* do not bind drivers to this device automatically */
  DEVICE_ADD_INSTANCE = (1 << 1),     /* device instance (not in devfs, not bindable) */
  DEVICE_ADD_MUST_ISOLATE = (1 << 2), /* children load in their own devhost */
  DEVICE_ADD_INVISIBLE = (1 << 3),    /* invisible until device_make_visible() */
};

typedef struct device_add_args {
  uint64_t version;                 /* DEVICE_ADD_ARGS_VERSION */
  const char* name;                 /* copied; at most ZX_DEVICE_NAME_MAX characters */
  void* ctx;                        /* passed to every zx_protocol_device_t hook */
  zx_protocol_device_t* ops;        /* device hooks (ddk/device.h) */
  zx_device_prop_t* props;          /* optional device properties */
  uint32_t prop_count;
  uint32_t proto_id;                /* optional protocol this device offers */
  void* proto_ops;                  /* and its ops table */
  const char* proxy_args;           /* DEVICE_ADD_MUST_ISOLATE only */
  uint32_t flags;                   /* DEVICE_ADD_* */
} device_add_args_t;

struct zx_driver_rec {
  const zx_driver_ops_t* ops;
  zx_driver_t* driver;
  uint32_t log_flags;               /* DDK_LOG_* levels enabled for zxlogf */
};

/* Defined by ZIRCON_DRIVER_BEGIN (ddk/binding.h); the device manager fills .driver. */
extern zx_driver_rec_t __zircon_driver_rec__;

/* Create a device under parent and add it to the device manager. All args are copied (the
 * name string too; other pointers as pointers). *out is valid when this returns ZX_OK.
 * ZX_ERR_INVALID_ARGS  args NULL, args->version wrong, args->ops NULL or its version wrong,
 *                      name NULL or longer than ZX_DEVICE_NAME_MAX, or out NULL.
 * ZX_ERR_BAD_STATE     parent is being removed. */
zx_status_t device_add_from_driver(zx_driver_t* drv, zx_device_t* parent,
                                   device_add_args_t* args, zx_device_t** out);

static inline zx_status_t device_add(zx_device_t* parent, device_add_args_t* args,
                                     zx_device_t** out) {
  return device_add_from_driver(__zircon_driver_rec__.driver, parent, args, out);
}

/* Remove a device added with device_add(); its unbind/release hooks run afterwards. */
zx_status_t device_remove(zx_device_t* device);
zx_status_t device_rebind(zx_device_t* device);
void device_make_visible(zx_device_t* device);

/* Fill *protocol (a protocol struct such as pci_protocol_t: {ops, ctx}) with the protocol
 * proto_id offered by device.
 * ZX_ERR_NOT_SUPPORTED device does not offer proto_id.
 * ZX_ERR_INVALID_ARGS  device or protocol is NULL. */
zx_status_t device_get_protocol(const zx_device_t* device, uint32_t proto_id, void* protocol);

/* Protocol identifiers (Fuchsia's four-character codes). */
enum {
  ZX_PROTOCOL_DEVICE = 0x70444556,      /* 'pDEV' */
  ZX_PROTOCOL_ROOT = 0x70414141,        /* 'pAAA' */
  ZX_PROTOCOL_MISC = 0x704d5343,        /* 'pMSC' */
  ZX_PROTOCOL_MISC_PARENT = 0x704d5350, /* 'pMSP' */
  ZX_PROTOCOL_PCI = 0x70504349,         /* 'pPCI' */
  ZX_PROTOCOL_PCIROOT = 0x70505254,     /* 'pPRT' */
  ZX_PROTOCOL_ETHMAC = 0x70454d41,      /* 'pEMA' */
  ZX_PROTOCOL_BLOCK = 0x70424c4b,       /* 'pBLK' */
  ZX_PROTOCOL_BLOCK_IMPL = 0x70424b43,  /* 'pBKC' */
};

/* Round a up / down to a multiple of b, a power of two. */
#define ROUNDUP(a, b) (((a) + ((b)-1)) & ~((b)-1))
#define ROUNDDOWN(a, b) ((a) & ~((b)-1))

__END_CDECLS

#endif /* DDK_DRIVER_H_ */
