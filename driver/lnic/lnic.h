/* lnic.h: state of the lnic driver, shared by its files.
 *
 *   lnic-bind.c  bind, the ethmac protocol, the interrupt thread, unbind/release
 *   lnic-hw.c    registers: identity, reset, MAC, ring programming, start/stop, error recovery;
 *                the driver's DMA memory (contiguous, pinned, mapped cached)
 *   lnic-tx.c    TX ring: queue_tx (copy, clean, descriptor, doorbell), reclaim by TX_HEAD
 *   lnic-rx.c    RX ring: posting whole cache lines of descriptors, receive (invalidate, deliver)
 */
#ifndef LNIC_H_
#define LNIC_H_

#include <ddk/device.h>
#include <ddk/protocol/ethernet.h>
#include <ddk/protocol/pci.h>
#include <hw/reg.h>
#include <stdbool.h>
#include <stdint.h>
#include <threads.h>
#include <zircon/types.h>

#include "lnic-bug.h" /* bug-catalogue injection points (testbench/bugs/lnic) */
#include "lnic-regs.h"

/* Room of one frame buffer (the device's largest frame). Buffers are LNIC_BUF_SIZE plus one
 * cache line apart, so that consecutive buffers start in different cache sets: with a stride
 * of exactly 2 KiB every frame's first line would compete for the same two sets. */
#define LNIC_BUF_SIZE LNIC_MAX_FRAME
#define LNIC_TX_ENTRIES 64u
#define LNIC_RX_MIN_ENTRIES 16u
/* Largest frame queue_tx takes: MTU plus addresses, tag and ethertype. */
#define LNIC_TX_MAX ETH_FRAME_MAX_SIZE

/* Macros, not functions: findings name the line of the register access itself. */
#define rd(dev, reg) readl((dev)->regs + (reg))
#define wr(dev, reg, v) writel((v), (dev)->regs + (reg))

/* A driver-owned DMA area: contiguous VMO, mapped cached, pinned at one device address. */
typedef struct lnic_dma {
  zx_handle_t vmo;
  zx_handle_t pmt;
  uint8_t* va;
  zx_paddr_t dev_addr;
  uint64_t bytes;
} lnic_dma_t;

typedef struct lnic_stats {
  uint64_t interrupts;
  uint64_t tx_frames, rx_frames;
  uint64_t rx_dropped;  /* no client (stopped), truncated or not DONE */
  uint64_t tx_dropped;  /* on the ring when the device halted */
  uint64_t hw_errors;
} lnic_stats_t;

typedef struct lnic {
  zx_device_t* parent;
  zx_device_t* zxdev;
  pci_protocol_t pci;

  volatile uint8_t* regs; /* BAR0 */
  size_t regs_size;
  zx_handle_t regs_vmo;
  zx_handle_t bti;
  zx_handle_t irq;
  bool msi;  /* message-signalled (MSI or MSI-X), not the legacy line */
  bool msix; /* ... through an MSI-X table entry */
  bool irq_mode_set;
  uint8_t mac[ETH_MAC_SIZE];
  uint32_t line;   /* data cache line, bytes */
  uint32_t stride; /* bytes from one frame buffer to the next */

  /* TX: [tx_done, tx_tail) are on the device (free-running counters, slot = n % entries). */
  mtx_t tx_lock;
  cnd_t tx_space;
  lnic_dma_t tx_ring, tx_bufs;
  uint32_t tx_entries;
  uint32_t tx_tail, tx_done;

  /* RX: [rx_next, rx_posted) are posted; rx_posted moves a whole cache line of descriptors
   * (rx_group) at a time, and at most rx_entries - rx_group are posted. */
  lnic_dma_t rx_ring, rx_bufs;
  uint32_t rx_entries, rx_group;
  uint32_t rx_next, rx_posted;

  /* lock: the client interface, RX state, shutdown. Order: tx_lock, then lock. */
  mtx_t lock;
  ethmac_ifc_t ifc;
  bool shutting_down;
  bool irq_thread_started;
  thrd_t irq_thread;
  lnic_stats_t stats;
} lnic_t;

/* lnic-hw.c */
zx_status_t lnic_hw_identify(lnic_t* dev);
zx_status_t lnic_hw_reset(lnic_t* dev); /* CTRL.RESET: rings, indices, interrupts zero */
void lnic_hw_init_mac(lnic_t* dev);     /* read it, or give the device a local address */
void lnic_hw_start(lnic_t* dev);        /* ring registers, RX tail, interrupts, TX/RX enable */
void lnic_hw_stop(lnic_t* dev);         /* mask, disable, let the frame on the bus end, reset */
/* The device halted on an error: report it, reset, put the rings back, go on. Called by the
 * interrupt thread. */
void lnic_hw_recover(lnic_t* dev);
zx_status_t lnic_dma_alloc(lnic_t* dev, uint64_t bytes, uint32_t perms, const char* what, lnic_dma_t* out);
void lnic_dma_free(lnic_dma_t* d);
/* Drop the CPU's cached copy of [offset, offset + len) (clean+invalidate where a bare
 * invalidate is refused: the driver never dirties what it invalidates). */
void lnic_cache_invalidate(const lnic_dma_t* d, uint64_t offset, uint64_t len);

/* lnic-tx.c */
zx_status_t lnic_tx_init(lnic_t* dev);
void lnic_tx_release(lnic_t* dev);
zx_status_t lnic_queue_tx(void* ctx, uint32_t options, ethmac_netbuf_t* netbuf);
void lnic_tx_reclaim(lnic_t* dev);       /* TX_DONE: slots up to TX_HEAD are free again */
void lnic_tx_drop_locked(lnic_t* dev);   /* after a reset: the ring is empty (tx_lock held) */

/* lnic-rx.c */
zx_status_t lnic_rx_init(lnic_t* dev);
void lnic_rx_release(lnic_t* dev);
void lnic_rx_fill_locked(lnic_t* dev);   /* every descriptor written and cleaned, rx_posted set */
void lnic_rx_poll(lnic_t* dev);          /* RX_DONE: deliver what the device wrote, repost lines */

#endif /* LNIC_H_ */
