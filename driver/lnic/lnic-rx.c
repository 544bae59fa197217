/* lnic-rx.c: the RX ring.
 *
 * The device writes two things the CPU reads: the frame into the buffer and the write-back
 * into bytes 8..15 of the descriptor. Both are invalidated after the device wrote them (RX_HEAD
 * moved past the descriptor) and before the CPU reads them; a real cache may have refilled
 * those lines at any moment before, so an invalidate before the DMA would not do.
 *
 * The CPU never stores into a buffer, so buffer lines are never dirty and nothing is cleaned
 * before a buffer goes back to the device. Descriptors are another matter: four 16-byte
 * descriptors share a 64-byte line (lnic-regs.h), and cleaning a line writes all of it back.
 * A line is therefore either the CPU's or the device's: the driver posts whole lines
 * (rx_group descriptors: written, cleaned, then RX_TAIL) and rewrites a line only when the
 * device has written back every descriptor in it and the driver has read them. */
#include <ddk/debug.h>
#include <hw/arch_ops.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "lnic.h"

static lnic_desc_t* rx_desc(lnic_t* dev, uint32_t n) {
  return (lnic_desc_t*)(dev->rx_ring.va + (uint64_t)(n % dev->rx_entries) * LNIC_DESC_SIZE);
}

static uint64_t rx_buf_offset(const lnic_t* dev, uint32_t n) { return (uint64_t)(n % dev->rx_entries) * dev->stride; }

static void write_desc(lnic_t* dev, uint32_t n) {
  lnic_desc_t* d = rx_desc(dev, n);
  d->addr = dev->rx_bufs.dev_addr + rx_buf_offset(dev, n);
  d->len = LNIC_BUF_SIZE;
  d->flags = 0;
  d->status = 0;
}

zx_status_t lnic_rx_init(lnic_t* dev) {
  dev->rx_group = dev->line > LNIC_DESC_SIZE ? dev->line / LNIC_DESC_SIZE : 1;
  uint32_t entries = LNIC_RX_MIN_ENTRIES;
  while (entries < 4 * dev->rx_group) entries *= 2;
  if (entries > 4096u) {
    zxlogf(ERROR, "cache lines of %u bytes need an RX ring larger than the device's\n", dev->line);
    return ZX_ERR_NOT_SUPPORTED;
  }
  dev->rx_entries = entries;
  zx_status_t status = lnic_dma_alloc(dev, (uint64_t)entries * LNIC_DESC_SIZE, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE,
                                      "RX ring", &dev->rx_ring);
  if (status != ZX_OK) return status;
  status = lnic_dma_alloc(dev, (uint64_t)entries * dev->stride, ZX_BTI_PERM_WRITE, "RX buffers", &dev->rx_bufs);
  if (status != ZX_OK) return status;
  /* The buffers' lines hold nothing of the CPU's; make sure none is cached dirty. */
  zx_vmo_op_range(dev->rx_bufs.vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, dev->rx_bufs.bytes, NULL, 0);
  mtx_lock(&dev->lock);
  lnic_rx_fill_locked(dev);
  mtx_unlock(&dev->lock);
  return ZX_OK;
}

void lnic_rx_release(lnic_t* dev) {
  lnic_dma_free(&dev->rx_ring);
  lnic_dma_free(&dev->rx_bufs);
}

void lnic_rx_fill_locked(lnic_t* dev) {
  /* After a reset the device may have written back descriptors the driver never read: drop
   * those lines before storing into them (no line of the ring is ever dirty here). */
  lnic_cache_invalidate(&dev->rx_ring, 0, (uint64_t)dev->rx_entries * LNIC_DESC_SIZE);
  for (uint32_t n = 0; n < dev->rx_entries; ++n) write_desc(dev, n);
  zx_cache_flush(dev->rx_ring.va, (uint64_t)dev->rx_entries * LNIC_DESC_SIZE, ZX_CACHE_FLUSH_DATA);
  dev->rx_next = 0;
  dev->rx_posted = dev->rx_entries - dev->rx_group; /* whole lines, one line short of full */
}

/* Make the CPU's view of descriptors [from, from + count) current. */
static void invalidate_descs(lnic_t* dev, uint32_t from, uint32_t count) {
  while (count > 0) {
    const uint32_t s = from % dev->rx_entries;
    uint32_t k = dev->rx_entries - s;
    if (k > count) k = count;
    lnic_cache_invalidate(&dev->rx_ring, (uint64_t)s * LNIC_DESC_SIZE, (uint64_t)k * LNIC_DESC_SIZE);
    from += k;
    count -= k;
  }
}

/* Give the device back every line whose descriptors were all consumed. */
static void repost_locked(lnic_t* dev) {
  const uint32_t g = dev->rx_group, limit = dev->rx_entries - g;
  const uint32_t before = dev->rx_posted;
  while (dev->rx_posted + g - dev->rx_next <= limit) {
    for (uint32_t k = 0; k < g; ++k) write_desc(dev, dev->rx_posted + k);
    zx_cache_flush(rx_desc(dev, dev->rx_posted), (uint64_t)g * LNIC_DESC_SIZE, ZX_CACHE_FLUSH_DATA);
    dev->rx_posted += g;
  }
  if (dev->rx_posted == before) return;
  hw_wmb();
  wr(dev, LNIC_REG_RX_TAIL, dev->rx_posted % dev->rx_entries);
}

void lnic_rx_poll(lnic_t* dev) {
  mtx_lock(&dev->lock);
  if (dev->shutting_down) { /* the device was reset under us */
    mtx_unlock(&dev->lock);
    return;
  }
  const uint32_t n = dev->rx_entries;
  const uint32_t head = rd(dev, LNIC_REG_RX_HEAD) % n;
  const uint32_t count = (head + n - dev->rx_next % n) % n;
  if (count > dev->rx_posted - dev->rx_next) {
    zxlogf(ERROR, "RX_HEAD %u is beyond the buffers posted (%u..%u)\n", head, dev->rx_next, dev->rx_posted);
    mtx_unlock(&dev->lock);
    return;
  }
  if (!LNIC_BUG(RX_DESC_NOT_INVALIDATED)) invalidate_descs(dev, dev->rx_next, count); /* bug-catalogue: lnic-rx-desc-not-invalidated */
  for (uint32_t k = 0; k < count; ++k, ++dev->rx_next) {
    const lnic_desc_t* d = rx_desc(dev, dev->rx_next);
    const uint32_t status = d->status;
    const uint32_t len = d->len;
    if ((status & (LNIC_DESC_STATUS_DONE | LNIC_DESC_STATUS_TRUNCATED)) != LNIC_DESC_STATUS_DONE || len == 0 ||
        len > LNIC_BUF_SIZE) {
      /* RX_HEAD moved past it, so the device wrote DONE: anything else is a stale view or a
       * frame cut short. */
      zxlogf(ERROR, "RX slot %u: status 0x%08x, %u bytes\n", dev->rx_next % n, status, len);
      dev->stats.rx_dropped++;
      continue;
    }
    const uint64_t off = rx_buf_offset(dev, dev->rx_next);
    if (!LNIC_BUG(RX_MISSING_INVALIDATE)) lnic_cache_invalidate(&dev->rx_bufs, off, len); /* bug-catalogue: lnic-rx-missing-invalidate */
    dev->stats.rx_frames++;
    if (dev->ifc.ops) {
      ethmac_ifc_recv(&dev->ifc, dev->rx_bufs.va + off, len, 0);
    } else {
      dev->stats.rx_dropped++; /* stopped: nobody to give it to */
    }
  }
  repost_locked(dev);
  mtx_unlock(&dev->lock);
}
