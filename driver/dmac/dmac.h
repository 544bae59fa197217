/* dmac.h: state of the reference DMA engine driver, shared by its files.
 *
 *   dmac-bind.c  bind, device hooks, shutdown
 *   dmac-ring.c  descriptor ring: slots, doorbell, interrupt thread, reaping, error recovery
 *   dmac-xfer.c  the DMA transfer protocol: checks, plans, cache maintenance, completion
 *   dmac-dma.c   device addresses of a VMO range (pin per transfer, or from the pool)
 *   dmac-pool.c  mapping strategy: per-transfer pins or a persistent pre-pinned pool
 *   dmac-gather.c  scatter-gather reads (GATHER_SRAM): segments, element lists per ring slot
 *   crc32.c      CRC-32/IEEE, the checksum the engine writes back
 */
#ifndef DMAC_H_
#define DMAC_H_

#include <ddk/device.h>
#include <ddk/protocol/pci.h>
#include <staleline/dmac-protocol.h>
#include <stdbool.h>
#include <stdint.h>
#include <threads.h>
#include <zircon/types.h>

#include "dmac-bug.h" /* bug-catalogue injection points (testbench/bugs) */
#include "dmac-hw.h"

/* Largest length of one descriptor: bounds the work per reaped descriptor. */
#define DMAC_MAX_DESC_BYTES (1u << 20)
/* Ring slots at least (more when a cache line holds many descriptors, see dmac-ring.c). */
#define DMAC_RING_MIN_ENTRIES 256u

/* One physically (device-address) contiguous run of a pinned range. */
typedef struct dmac_run {
  uint64_t dev_addr;
  uint64_t len;
} dmac_run_t;

/* A VMO range made visible to the device. Pinned per transfer today; a persistent
 * pre-pinned pool would hand out the same structure (see dmac-dma.c). */
typedef struct dmac_dma_range {
  zx_handle_t pmt;  /* ZX_HANDLE_INVALID when not pinned */
  dmac_run_t* runs;
  size_t run_count;
} dmac_dma_range_t;

/* One descriptor of a transfer's plan. */
typedef struct dmac_plan_desc {
  uint64_t src;        /* what goes into the descriptor */
  uint64_t dst;
  uint32_t len;
  uint64_t xfer_offset; /* of the first byte within the transfer */
  uint32_t expect_crc; /* CRC of the bytes as the CPU sees them (computed before or after) */
  uint32_t device_crc; /* what the engine wrote back */
  uint32_t elem_first; /* GATHER: its elements are xfer->gather.elems[elem_first ..], len of them */
} dmac_plan_desc_t;

/* GATHER_SRAM state of a transfer (dmac-gather.c). */
typedef struct dmac_gather {
  dmac_dma_range_t* segs;     /* one mapped range per segment */
  uint32_t seg_count;
  dmac_gather_elem_t* elems;  /* device-contiguous pieces of the segments, in order */
  uint64_t* elem_offset;      /* VMO offset of each element's first byte */
  uint32_t elem_count;
} dmac_gather_t;

typedef struct dmac_xfer {
  dma_xfer_op_t op;
  dmac_dma_range_t src, dst; /* src: COPY/WRITE_SRAM; dst: COPY/READ_SRAM/FILL */
  dmac_gather_t gather;      /* GATHER_SRAM only */
  dmac_plan_desc_t* plan;
  uint32_t plan_len;
  uint32_t placed;          /* descriptors written into the ring */
  uint32_t completed;       /* descriptors the engine finished */
  zx_status_t status;
  bool sync;                /* a caller waits in transfer() and owns the result */
  bool finished;
  struct dmac_xfer* next;   /* pending list / completion list */
} dmac_xfer_t;

/* Driver-side shadow of a ring slot. */
typedef struct dmac_slot {
  dmac_xfer_t* xfer; /* NULL: free */
  uint32_t index;    /* descriptor index in xfer->plan */
} dmac_slot_t;

typedef struct dmac_stats {
  dma_xfer_stats_t pub;
} dmac_stats_t;

/* Mapping strategy (dmac-pool.c). */
enum { DMAC_MAPPING_PER_TRANSFER = 0, DMAC_MAPPING_POOL = 1 };
enum { DMAC_PIN_PAGE = 0, DMAC_PIN_COMPRESS = 1, DMAC_PIN_CONTIGUOUS = 2 };
struct dmac_pool;

typedef struct dmac {
  zx_device_t* parent;
  zx_device_t* zxdev;
  pci_protocol_t pci;

  volatile uint8_t* regs; /* BAR0 */
  size_t regs_size;
  zx_handle_t regs_vmo;
  zx_handle_t bti;
  zx_handle_t irq;
  uint32_t irq_mode; /* DMA_XFER_IRQ_* */
  uint64_t sram_size;

  /* Descriptor ring: contiguous, pinned, mapped cached. */
  zx_handle_t ring_vmo;
  zx_handle_t ring_pmt;
  uint64_t ring_bytes;
  dmac_desc_t* ring; /* cached mapping */
  zx_paddr_t ring_dev_addr;
  uint32_t ring_entries;
  uint32_t group;      /* descriptors per CPU cache line (>= 1) */
  dmac_slot_t* slots;

  /* GATHER element lists: DMAC_GATHER_ELEMS per ring slot, in a contiguous VMO pinned READ
   * for the device and mapped cached (created on the first GATHER, dmac-gather.c). */
  bool has_gather;     /* the engine is 1.1 or later */
  zx_handle_t list_vmo;
  zx_handle_t list_pmt;
  uint64_t list_bytes;
  dmac_gather_elem_t* lists;
  zx_paddr_t list_dev_addr;

  /* Free-running slot counters (slot = counter % ring_entries):
   * [tail, rung) on the device, [rung, head) written but not yet announced. */
  uint32_t tail, rung, head;

  mtx_t lock;
  cnd_t changed;       /* a transfer finished or a slot was freed */
  dmac_xfer_t* pending_head; /* transfers with descriptors still to place, FIFO */
  dmac_xfer_t* pending_tail;
  uint32_t queued;     /* queued (not sync) transfers not finished */
  uint32_t flushers;   /* callers waiting: announce partial cache-line groups too */
  zx_status_t first_error; /* of queued transfers since the last wait_all */
  bool shutting_down;
  bool irq_thread_started;
  thrd_t irq_thread;

  dmac_stats_t stats;

  /* Mapping strategy (dmac-pool.c). */
  uint32_t mapping;        /* DMAC_MAPPING_* */
  uint32_t pin_mode;       /* DMAC_PIN_* */
  uint64_t pool_limit;     /* bytes the pool may keep pinned */
  uint64_t min_contiguity; /* of the BTI (ZX_BTI_COMPRESS chunk) */
  struct dmac_pool* pool;  /* NULL unless DMAC_MAPPING_POOL */
} dmac_t;

/* dmac-ring.c */
zx_status_t dmac_ring_init(dmac_t* dev);      /* allocate, pin, map; program the engine */
void dmac_ring_release(dmac_t* dev);
zx_status_t dmac_engine_start(dmac_t* dev);   /* ring registers, interrupts, enable */
void dmac_engine_stop(dmac_t* dev);           /* disable and mask */
zx_status_t dmac_engine_reset(dmac_t* dev);   /* soft reset, waiting for the drain */
void dmac_pump_locked(dmac_t* dev);           /* place pending descriptors, ring the doorbell */
int dmac_irq_thread(void* arg);
/* Finish transfers whose descriptors the engine completed (called by the interrupt thread,
 * and by shutdown). */
void dmac_reap(dmac_t* dev);
/* After shutdown's wait: take every descriptor off the ring (engine stopped). */
void dmac_ring_abandon_locked(dmac_t* dev, dmac_xfer_t** done_list, zx_status_t status);

/* dmac-xfer.c */
extern dma_xfer_protocol_ops_t dmac_protocol_ops;
/* Post-process transfers that left the ring (cache maintenance, CRC checks, unpin), then
 * publish their results. Called without the lock. */
void dmac_finish_list(dmac_t* dev, dmac_xfer_t* list);
/* Finish a transfer that never reached the ring. */
void dmac_xfer_cancel_locked(dmac_t* dev, dmac_xfer_t* xfer, zx_status_t status, dmac_xfer_t** done_list);

/* dmac-dma.c */
zx_status_t dmac_dma_map(dmac_t* dev, zx_handle_t vmo, uint64_t offset, uint64_t length,
                         uint32_t bti_perms, dmac_dma_range_t* out);
void dmac_dma_unmap(dmac_t* dev, dmac_dma_range_t* range);
/* A driver-owned buffer the device reaches at one device address: a contiguous VMO of `bytes`
 * (whole pages) mapped cached at *va and pinned with perms | ZX_BTI_CONTIGUOUS. `what` names
 * it in errors. On failure nothing stays allocated. */
zx_status_t dmac_contig_alloc(dmac_t* dev, uint64_t bytes, uint32_t perms, const char* what, zx_handle_t* vmo,
                              void** va, zx_paddr_t* dev_addr, zx_handle_t* pmt);
/* Unpin, unmap, close whatever of it exists. */
void dmac_contig_free(uint64_t bytes, zx_handle_t* vmo, void** va, zx_handle_t* pmt);

/* dmac-pool.c */
zx_status_t dmac_mapping_init(dmac_t* dev); /* read dmac.mapping / dmac.pin / dmac.pool_size */
/* Pin [offset, offset + size) by dev->pin_mode; *out_addrs (malloc'ed) has one address per *out_chunk bytes. */
zx_status_t dmac_pin(dmac_t* dev, uint32_t perms, zx_handle_t vmo, uint64_t offset, uint64_t size,
                     zx_paddr_t** out_addrs, uint64_t* out_chunk, zx_handle_t* out_pmt);
/* Addresses of the VMO from the pool (pinning it whole on first use): ZX_OK, ZX_ERR_NEXT
 * when the range must be pinned per transfer, or an error. The address of VMO offset o is
 * addrs[(o - *base) / *chunk] + (o - *base) % *chunk; addrs stays valid until release. */
zx_status_t dmac_pool_lookup(dmac_t* dev, zx_handle_t vmo, uint64_t offset, uint64_t length,
                             const zx_paddr_t** addrs, uint64_t* chunk, uint64_t* base);
void dmac_pool_release(dmac_t* dev); /* unpin the pool (the engine is stopped) */

/* Cache maintenance on a VMO range (a refused bare invalidate becomes clean+invalidate). */
zx_status_t dmac_cache_op(zx_handle_t vmo, uint32_t op, uint64_t offset, uint64_t length);

/* Bounce buffer for reading data to checksum. */
#define DMAC_CRC_CHUNK 16384u
/* Extend *crc over [offset, offset + len) of vmo as the CPU reads it, through buf
 * (DMAC_CRC_CHUNK bytes). */
zx_status_t dmac_crc_vmo(zx_handle_t vmo, uint64_t offset, uint64_t len, uint8_t* buf, uint32_t* crc);
/* Clean a range the device will read (it reads DRAM, not the cache). */
zx_status_t dmac_clean_source(zx_handle_t vmo, uint64_t offset, uint64_t length);

/* dmac-gather.c */
/* Elements per descriptor (its list lives in the slot's part of the list area). */
#define DMAC_GATHER_ELEMS 64u
zx_status_t dmac_gather_check(const dmac_t* dev, const dma_xfer_op_t* op);
/* Map the segments, build the element list and the plan, reference CRCs, clean the cache. */
zx_status_t dmac_gather_prepare(dmac_t* dev, dmac_xfer_t* x);
/* Write descriptor i's elements into slot s's list (and clean them); returns the list's
 * device address. */
uint64_t dmac_gather_write_list(dmac_t* dev, dmac_xfer_t* x, uint32_t i, uint32_t s);
void dmac_gather_unmap(dmac_t* dev, dmac_xfer_t* x); /* unpin segments, free the lists */
void dmac_gather_release(dmac_t* dev);             /* the list area (engine stopped) */

/* crc32.c */
uint32_t dmac_crc32_update(uint32_t crc, const void* data, size_t len);
#define DMAC_CRC32_INIT 0u

/* dmac-bind.c */
void dmac_shutdown(dmac_t* dev);

#endif /* DMAC_H_ */
