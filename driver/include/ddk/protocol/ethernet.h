/* ddk/protocol/ethernet.h: the Ethernet MAC protocol (ethmac) between an Ethernet controller
 * driver and the generic ethernet layer above it, as Fuchsia's C drivers used it at the end of
 * 2018. Type names, member order, values and signatures follow that API, so drivers written
 * for it (e.g. Zircon's realtek-8111) compile unchanged.
 *
 * The controller driver publishes a device with proto_id ZX_PROTOCOL_ETHMAC (ddk/driver.h)
 * and an ethmac_protocol_ops_t. Its client:
 *   query()    MTU, MAC address, features, size of a netbuf;
 *   start(ifc) from then on the driver calls ifc: status() on link changes, recv() for every
 *              received frame (data valid only during the call), complete_tx() for netbufs it
 *              took over (queue_tx() returned ZX_ERR_SHOULD_WAIT);
 *   queue_tx() hand a frame over: ZX_OK when the driver has copied or queued it (the netbuf is
 *              the caller's again), ZX_ERR_SHOULD_WAIT when the driver keeps the netbuf until
 *              complete_tx(), any other status when it was not taken;
 *   stop()     no ifc call after it returns. */
#ifndef DDK_PROTOCOL_ETHERNET_H_
#define DDK_PROTOCOL_ETHERNET_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

/* Sizes of Ethernet frames, in bytes. */
#define ETH_MAC_SIZE UINT32_C(6)
#define ETH_MTU_SIZE UINT32_C(1500)
#define ETH_FRAME_MAX_HDR_SIZE UINT32_C(18) /* two addresses, an 802.1Q tag, the ethertype */
#define ETH_FRAME_MAX_SIZE UINT32_C(1518)

/* ethmac_info_t.features */
typedef uint32_t ethmac_feature_t;
#define ETHMAC_FEATURE_WLAN UINT32_C(0x1)  /* a wireless device */
#define ETHMAC_FEATURE_SYNTH UINT32_C(0x2) /* no hardware behind it */
#define ETHMAC_FEATURE_DMA UINT32_C(0x4)   /* netbufs carry device addresses (phys), see get_bti */

/* ethmac_ifc_status(): link state bits. */
#define ETHMAC_STATUS_ONLINE UINT32_C(0x1)

/* queue_tx() options: more frames follow at once, the driver may delay its doorbell. */
#define ETHMAC_TX_OPT_MORE UINT32_C(1)

/* set_param() parameters; the meaning of value and data depends on the parameter. */
#define ETHMAC_SETPARAM_PROMISC UINT32_C(1)           /* value: bool */
#define ETHMAC_SETPARAM_MULTICAST_PROMISC UINT32_C(2) /* value: bool */
#define ETHMAC_SETPARAM_MULTICAST_FILTER UINT32_C(3)  /* value: address count (or _OVERFLOW),
                                                       * data: that many 6-byte addresses */
#define ETHMAC_SETPARAM_DUMP_REGS UINT32_C(4)         /* log the registers */
#define ETHMAC_MULTICAST_FILTER_OVERFLOW INT32_C(-1)  /* more addresses than can be listed */

typedef struct ethmac_info ethmac_info_t;
typedef struct ethmac_netbuf ethmac_netbuf_t;
typedef struct eth_dev_metadata eth_dev_metadata_t;
typedef struct ethmac_ifc ethmac_ifc_t;
typedef struct ethmac_protocol ethmac_protocol_t;

struct ethmac_info {
  uint32_t features; /* ETHMAC_FEATURE_* */
  uint32_t mtu;      /* largest payload, bytes */
  uint8_t mac[ETH_MAC_SIZE];
  uint8_t reserved0[2];
  uint64_t netbuf_size; /* bytes a client allocates per netbuf (>= sizeof(ethmac_netbuf_t)) */
  uint32_t reserved1[2];
};

/* A frame to send. The driver may keep private data after the struct (netbuf_size). */
struct ethmac_netbuf {
  const void* data_buffer;
  size_t data_size;
  zx_paddr_t phys; /* device address of the data, with ETHMAC_FEATURE_DMA only */
  uint16_t reserved;
  uint32_t flags;
};

/* Board metadata naming an Ethernet device. */
struct eth_dev_metadata {
  uint32_t vid;
  uint32_t pid;
  uint32_t did;
};

/* The client's callbacks, given to start(). */
typedef struct ethmac_ifc_ops {
  void (*status)(void* ctx, uint32_t status);
  void (*recv)(void* ctx, const void* data_buffer, size_t data_size, uint32_t flags);
  void (*complete_tx)(void* ctx, ethmac_netbuf_t* netbuf, zx_status_t status);
} ethmac_ifc_ops_t;

struct ethmac_ifc {
  ethmac_ifc_ops_t* ops;
  void* ctx;
};

static inline void ethmac_ifc_status(const ethmac_ifc_t* ifc, uint32_t status) {
  ifc->ops->status(ifc->ctx, status);
}

static inline void ethmac_ifc_recv(const ethmac_ifc_t* ifc, const void* data_buffer, size_t data_size,
                                   uint32_t flags) {
  ifc->ops->recv(ifc->ctx, data_buffer, data_size, flags);
}

static inline void ethmac_ifc_complete_tx(const ethmac_ifc_t* ifc, ethmac_netbuf_t* netbuf, zx_status_t status) {
  ifc->ops->complete_tx(ifc->ctx, netbuf, status);
}

/* The driver's operations. */
typedef struct ethmac_protocol_ops {
  zx_status_t (*query)(void* ctx, uint32_t options, ethmac_info_t* out_info);
  void (*stop)(void* ctx);
  zx_status_t (*start)(void* ctx, const ethmac_ifc_t* ifc);
  zx_status_t (*queue_tx)(void* ctx, uint32_t options, ethmac_netbuf_t* netbuf);
  zx_status_t (*set_param)(void* ctx, uint32_t param, int32_t value, const void* data_buffer, size_t data_size);
  /* The BTI for pinning netbufs (ETHMAC_FEATURE_DMA); the caller does not own the handle. */
  void (*get_bti)(void* ctx, zx_handle_t* out_bti);
} ethmac_protocol_ops_t;

struct ethmac_protocol {
  ethmac_protocol_ops_t* ops;
  void* ctx;
};

static inline zx_status_t ethmac_query(const ethmac_protocol_t* proto, uint32_t options, ethmac_info_t* out_info) {
  return proto->ops->query(proto->ctx, options, out_info);
}

static inline void ethmac_stop(const ethmac_protocol_t* proto) { proto->ops->stop(proto->ctx); }

static inline zx_status_t ethmac_start(const ethmac_protocol_t* proto, const ethmac_ifc_t* ifc) {
  return proto->ops->start(proto->ctx, ifc);
}

static inline zx_status_t ethmac_queue_tx(const ethmac_protocol_t* proto, uint32_t options, ethmac_netbuf_t* netbuf) {
  return proto->ops->queue_tx(proto->ctx, options, netbuf);
}

static inline zx_status_t ethmac_set_param(const ethmac_protocol_t* proto, uint32_t param, int32_t value,
                                           const void* data_buffer, size_t data_size) {
  return proto->ops->set_param(proto->ctx, param, value, data_buffer, data_size);
}

static inline void ethmac_get_bti(const ethmac_protocol_t* proto, zx_handle_t* out_bti) {
  proto->ops->get_bti(proto->ctx, out_bti);
}

__END_CDECLS

#endif /* DDK_PROTOCOL_ETHERNET_H_ */
