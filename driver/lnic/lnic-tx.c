/* lnic-tx.c: the TX ring.
 *
 * queue_tx copies the frame into the slot's buffer (the 2018 drivers' way: the caller's
 * netbuf is its own again when queue_tx returns ZX_OK), then hands buffer and descriptor to
 * the device, which reads both from DRAM:
 *   copy -> clean the buffer -> write the descriptor -> clean it -> barrier -> TX_TAIL.
 * The device never writes TX memory, so nothing is invalidated here, and several descriptors
 * may share a cache line: a CPU store next to a descriptor the device is reading changes no
 * byte the device reads. The driver learns what was sent from TX_HEAD (TX_DONE interrupt)
 * and only then writes a slot again. */
#include <ddk/debug.h>
#include <hw/arch_ops.h>
#include <string.h>
#include <time.h>
#include <zircon/syscalls.h>

#include "lnic.h"

/* How long queue_tx waits for a free slot before giving up. */
#define LNIC_TX_WAIT ZX_MSEC(100)

zx_status_t lnic_tx_init(lnic_t* dev) {
  dev->tx_entries = LNIC_TX_ENTRIES;
  zx_status_t status = lnic_dma_alloc(dev, (uint64_t)dev->tx_entries * LNIC_DESC_SIZE, ZX_BTI_PERM_READ, "TX ring",
                                      &dev->tx_ring);
  if (status != ZX_OK) return status;
  status = lnic_dma_alloc(dev, (uint64_t)dev->tx_entries * dev->stride, ZX_BTI_PERM_READ, "TX buffers", &dev->tx_bufs);
  if (status != ZX_OK) return status;
  /* The ring's memory is the driver's from the start: zeros, written back. */
  memset(dev->tx_ring.va, 0, dev->tx_ring.bytes);
  zx_cache_flush(dev->tx_ring.va, dev->tx_ring.bytes, ZX_CACHE_FLUSH_DATA);
  dev->tx_tail = dev->tx_done = 0;
  return ZX_OK;
}

void lnic_tx_release(lnic_t* dev) {
  lnic_dma_free(&dev->tx_ring);
  lnic_dma_free(&dev->tx_bufs);
}

static struct timespec to_timespec(zx_time_t t) {
  struct timespec ts = {.tv_sec = (time_t)(t / ZX_SEC(1)), .tv_nsec = (long)(t % ZX_SEC(1))};
  return ts;
}

zx_status_t lnic_queue_tx(void* ctx, uint32_t options, ethmac_netbuf_t* netbuf) {
  lnic_t* dev = ctx;
  (void)options; /* every frame rings the doorbell: no batching on ETHMAC_TX_OPT_MORE */
  const size_t len = netbuf->data_size;
  if (len == 0 || len > LNIC_TX_MAX) {
    zxlogf(ERROR, "queue_tx: frame of %zu bytes\n", len);
    return ZX_ERR_INVALID_ARGS;
  }
  mtx_lock(&dev->tx_lock);
  const struct timespec deadline = to_timespec(zx_deadline_after(LNIC_TX_WAIT));
  while (!dev->shutting_down && dev->tx_tail - dev->tx_done >= dev->tx_entries - 1) {
    if (cnd_timedwait(&dev->tx_space, &dev->tx_lock, &deadline) == thrd_timedout) break;
  }
  if (dev->shutting_down || dev->tx_tail - dev->tx_done >= dev->tx_entries - 1) {
    const zx_status_t status = dev->shutting_down ? ZX_ERR_BAD_STATE : ZX_ERR_NO_RESOURCES;
    mtx_unlock(&dev->tx_lock);
    return status;
  }
  const uint32_t slot = dev->tx_tail % dev->tx_entries;
  const uint64_t off = (uint64_t)slot * dev->stride;
  memcpy(dev->tx_bufs.va + off, netbuf->data_buffer, len);
  if (!LNIC_BUG(TX_MISSING_CLEAN)) zx_vmo_op_range(dev->tx_bufs.vmo, ZX_VMO_OP_CACHE_CLEAN, off, len, NULL, 0); /* bug-catalogue: lnic-tx-missing-clean */

  lnic_desc_t* d = (lnic_desc_t*)(dev->tx_ring.va + (uint64_t)slot * LNIC_DESC_SIZE);
  d->addr = dev->tx_bufs.dev_addr + off;
  d->len = (uint16_t)len;
  d->flags = 0;
  d->status = 0;
  if (!LNIC_BUG(TX_DESC_NOT_CLEANED)) zx_cache_flush(d, LNIC_DESC_SIZE, ZX_CACHE_FLUSH_DATA); /* bug-catalogue: lnic-tx-desc-not-cleaned */

  dev->tx_tail++;
  dev->stats.tx_frames++;
  hw_wmb();
  wr(dev, LNIC_REG_TX_TAIL, dev->tx_tail % dev->tx_entries);
  mtx_unlock(&dev->tx_lock);
  return ZX_OK;
}

void lnic_tx_reclaim(lnic_t* dev) {
  mtx_lock(&dev->tx_lock);
  if (dev->shutting_down) {
    mtx_unlock(&dev->tx_lock);
    return;
  }
  const uint32_t n = dev->tx_entries;
  const uint32_t head = rd(dev, LNIC_REG_TX_HEAD) % n;
  const uint32_t sent = (head + n - dev->tx_done % n) % n;
  if (sent > dev->tx_tail - dev->tx_done) {
    zxlogf(ERROR, "TX_HEAD %u is beyond the frames given (%u..%u)\n", head, dev->tx_done, dev->tx_tail);
  } else if (sent > 0) {
    dev->tx_done += sent;
    cnd_broadcast(&dev->tx_space);
  }
  mtx_unlock(&dev->tx_lock);
}

void lnic_tx_drop_locked(lnic_t* dev) {
  dev->stats.tx_dropped += dev->tx_tail - dev->tx_done;
  dev->tx_tail = dev->tx_done = 0; /* the device starts again at slot 0 */
}
