/* staleline/dmac-protocol.h: the DMA transfer protocol.
 *
 * The device a DMA-engine driver publishes with device_add() offers this protocol
 * (proto_id ZX_PROTOCOL_DMA_XFER, proto_ops a dma_xfer_protocol_ops_t). The workloads of
 * `staleline run` use nothing else, so any driver that implements it runs them. A client gets
 * it DDK style:
 *
 *   dma_xfer_protocol_t dma;
 *   device_get_protocol(child, ZX_PROTOCOL_DMA_XFER, &dma);
 *   dma_xfer_copy(&dma, src_vmo, 0, dst_vmo, 0, 4096);
 *
 * Buffers are the caller's VMOs (zx_vmo_create); offsets and lengths are in bytes, any
 * alignment, length >= 1. The driver pins, does the cache maintenance, programs the device,
 * waits for completion and unpins: after a transfer completed with ZX_OK, zx_vmo_read() of
 * the destination returns the new bytes. While a transfer is in flight the caller must not
 * touch the bytes it reads or writes, nor the cache lines at the ends of a destination range
 * (they are written back and invalidated around the transfer).
 *
 * docs/driver-interface.md is the reference: semantics, errors, threading, and how to
 * implement the protocol in a driver of your own. */
#ifndef STALELINE_DMAC_PROTOCOL_H_
#define STALELINE_DMAC_PROTOCOL_H_

#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

/* 'pDMX' */
#define ZX_PROTOCOL_DMA_XFER 0x70444d58u

/* Operations. */
#define DMA_XFER_OP_COPY 1u       /* src VMO range -> dst VMO range (device reads and writes memory) */
#define DMA_XFER_OP_WRITE_SRAM 2u /* src VMO range -> device SRAM at sram_offset (device reads memory) */
#define DMA_XFER_OP_READ_SRAM 3u  /* device SRAM at sram_offset -> dst VMO range (device writes memory) */
#define DMA_XFER_OP_FILL 4u       /* 64-bit pattern -> dst VMO range (device writes memory) */
#define DMA_XFER_OP_GATHER_SRAM 5u /* src VMO segments -> device SRAM at sram_offset, one after
                                    * the other (device reads memory: scatter-gather) */

/* One segment of a GATHER_SRAM: bytes [offset, offset + length) of the source VMO. */
typedef struct dma_xfer_seg {
  uint64_t offset;
  uint64_t length; /* >= 1 */
} dma_xfer_seg_t;

/* Called once when a queued transfer finished, from a driver thread: must not block and must
 * not call into the protocol. */
typedef void (*dma_xfer_complete_t)(void* cookie, zx_status_t status);

typedef struct dma_xfer_op {
  uint32_t opcode;        /* DMA_XFER_OP_* */
  uint64_t length;        /* bytes, >= 1 */
  zx_handle_t src_vmo;    /* COPY, WRITE_SRAM */
  uint64_t src_offset;
  zx_handle_t dst_vmo;    /* COPY, READ_SRAM, FILL */
  uint64_t dst_offset;
  uint64_t sram_offset;   /* WRITE_SRAM: destination, READ_SRAM: source */
  uint64_t pattern;       /* FILL: byte i of the range gets (pattern >> 8 * (i % 8)) & 0xff */
  dma_xfer_complete_t complete; /* optional, queued transfers only */
  void* cookie;
  const dma_xfer_seg_t* segs; /* GATHER_SRAM: seg_count segments of src_vmo; read during the
                               * call only (queue() copies what it needs) */
  uint32_t seg_count;
} dma_xfer_op_t;

#define DMA_XFER_IRQ_LEGACY 1u
#define DMA_XFER_IRQ_MSI 2u

typedef struct dma_xfer_info {
  uint64_t sram_size;     /* bytes of device SRAM (0: no SRAM, WRITE/READ_SRAM not supported) */
  uint64_t max_length;    /* largest length of one operation (UINT64_MAX: no limit) */
  uint32_t ops_supported; /* bit (1 << DMA_XFER_OP_*) per supported operation */
  uint32_t irq_mode;      /* DMA_XFER_IRQ_* the driver uses */
  uint32_t ring_entries;  /* descriptors the driver keeps in flight at most (0: n/a) */
  uint32_t reserved;
} dma_xfer_info_t;

/* Counters since bind. */
typedef struct dma_xfer_stats {
  uint64_t transfers;      /* operations completed (any status) */
  uint64_t bytes;          /* bytes of operations completed with ZX_OK */
  uint64_t descriptors;    /* device descriptors completed */
  uint64_t interrupts;     /* interrupts handled */
  uint64_t crc_checked;    /* descriptors whose device CRC was compared */
  uint64_t crc_mismatches; /* ... and differed from the CRC of what the CPU sees */
  uint64_t errors;         /* operations completed with an error other than ZX_ERR_CANCELED */
  uint64_t canceled;       /* operations completed with ZX_ERR_CANCELED */
} dma_xfer_stats_t;

typedef struct dma_xfer_protocol_ops {
  zx_status_t (*get_info)(void* ctx, dma_xfer_info_t* out_info);
  /* Run op and wait for it. */
  zx_status_t (*transfer)(void* ctx, const dma_xfer_op_t* op);
  /* Start op (the driver may batch it until wait_all) and return; the result goes to
   * op->complete and to wait_all. op is copied. */
  zx_status_t (*queue)(void* ctx, const dma_xfer_op_t* op);
  /* Wait until every queued operation finished; ZX_OK, or the first error among the queued
   * operations that finished since the previous wait_all. */
  zx_status_t (*wait_all)(void* ctx);
  zx_status_t (*get_stats)(void* ctx, dma_xfer_stats_t* out_stats);
} dma_xfer_protocol_ops_t;

typedef struct dma_xfer_protocol {
  dma_xfer_protocol_ops_t* ops;
  void* ctx;
} dma_xfer_protocol_t;

static inline zx_status_t dma_xfer_get_info(const dma_xfer_protocol_t* p, dma_xfer_info_t* out) {
  return p->ops->get_info(p->ctx, out);
}
static inline zx_status_t dma_xfer_transfer(const dma_xfer_protocol_t* p, const dma_xfer_op_t* op) {
  return p->ops->transfer(p->ctx, op);
}
static inline zx_status_t dma_xfer_queue(const dma_xfer_protocol_t* p, const dma_xfer_op_t* op) {
  return p->ops->queue(p->ctx, op);
}
static inline zx_status_t dma_xfer_wait_all(const dma_xfer_protocol_t* p) {
  return p->ops->wait_all(p->ctx);
}
static inline zx_status_t dma_xfer_get_stats(const dma_xfer_protocol_t* p, dma_xfer_stats_t* out) {
  return p->ops->get_stats(p->ctx, out);
}

/* ---- operation builders and synchronous shorthands ---- */

static inline dma_xfer_op_t dma_xfer_op_copy(zx_handle_t src_vmo, uint64_t src_off,
                                             zx_handle_t dst_vmo, uint64_t dst_off, uint64_t len) {
  dma_xfer_op_t op = {0};
  op.opcode = DMA_XFER_OP_COPY;
  op.length = len;
  op.src_vmo = src_vmo;
  op.src_offset = src_off;
  op.dst_vmo = dst_vmo;
  op.dst_offset = dst_off;
  return op;
}
static inline dma_xfer_op_t dma_xfer_op_write_sram(zx_handle_t vmo, uint64_t off, uint64_t len,
                                                   uint64_t sram_off) {
  dma_xfer_op_t op = {0};
  op.opcode = DMA_XFER_OP_WRITE_SRAM;
  op.length = len;
  op.src_vmo = vmo;
  op.src_offset = off;
  op.sram_offset = sram_off;
  return op;
}
static inline dma_xfer_op_t dma_xfer_op_read_sram(uint64_t sram_off, zx_handle_t vmo, uint64_t off,
                                                  uint64_t len) {
  dma_xfer_op_t op = {0};
  op.opcode = DMA_XFER_OP_READ_SRAM;
  op.length = len;
  op.dst_vmo = vmo;
  op.dst_offset = off;
  op.sram_offset = sram_off;
  return op;
}
static inline dma_xfer_op_t dma_xfer_op_fill(zx_handle_t vmo, uint64_t off, uint64_t len,
                                             uint64_t pattern) {
  dma_xfer_op_t op = {0};
  op.opcode = DMA_XFER_OP_FILL;
  op.length = len;
  op.dst_vmo = vmo;
  op.dst_offset = off;
  op.pattern = pattern;
  return op;
}

/* length must be the sum of the segments' lengths. */
static inline dma_xfer_op_t dma_xfer_op_gather_sram(zx_handle_t vmo, const dma_xfer_seg_t* segs,
                                                    uint32_t seg_count, uint64_t length,
                                                    uint64_t sram_off) {
  dma_xfer_op_t op = {0};
  op.opcode = DMA_XFER_OP_GATHER_SRAM;
  op.length = length;
  op.src_vmo = vmo;
  op.segs = segs;
  op.seg_count = seg_count;
  op.sram_offset = sram_off;
  return op;
}

static inline zx_status_t dma_xfer_copy(const dma_xfer_protocol_t* p, zx_handle_t src_vmo,
                                        uint64_t src_off, zx_handle_t dst_vmo, uint64_t dst_off,
                                        uint64_t len) {
  dma_xfer_op_t op = dma_xfer_op_copy(src_vmo, src_off, dst_vmo, dst_off, len);
  return dma_xfer_transfer(p, &op);
}
static inline zx_status_t dma_xfer_write_sram(const dma_xfer_protocol_t* p, zx_handle_t vmo,
                                              uint64_t off, uint64_t len, uint64_t sram_off) {
  dma_xfer_op_t op = dma_xfer_op_write_sram(vmo, off, len, sram_off);
  return dma_xfer_transfer(p, &op);
}
static inline zx_status_t dma_xfer_read_sram(const dma_xfer_protocol_t* p, uint64_t sram_off,
                                             zx_handle_t vmo, uint64_t off, uint64_t len) {
  dma_xfer_op_t op = dma_xfer_op_read_sram(sram_off, vmo, off, len);
  return dma_xfer_transfer(p, &op);
}
static inline zx_status_t dma_xfer_fill(const dma_xfer_protocol_t* p, zx_handle_t vmo, uint64_t off,
                                        uint64_t len, uint64_t pattern) {
  dma_xfer_op_t op = dma_xfer_op_fill(vmo, off, len, pattern);
  return dma_xfer_transfer(p, &op);
}

__END_CDECLS

#endif /* STALELINE_DMAC_PROTOCOL_H_ */
