/* dmac-ring.c: the descriptor ring, the doorbell, the interrupt thread, reaping and error
 * recovery.
 *
 * The ring lives in a contiguous VMO that is pinned for the device and mapped CACHED for the
 * CPU, so on a non-coherent platform the driver owns the coherency of every descriptor:
 *  - after filling a descriptor it cleans the descriptor's cache line, then (barrier) writes
 *    PRODUCER: the engine fetches what the CPU wrote;
 *  - before reading back status and CRC it invalidates the status words: the CPU sees what the
 *    engine wrote, not the line it cached when it filled the slot.
 * Several 32-byte descriptors share one cache line (two with 64-byte lines). Cleaning a line
 * writes ALL of it back, so the CPU must never hold a dirty copy of a line while the engine
 * may write a status word into it: the write-back would overwrite the engine's status with
 * the stale copy. Hence the rule of this file: the CPU writes a slot only while no slot of the
 * same line (a "group" of descriptors) is on the device, and without a waiting caller it
 * announces only whole groups. Lines are then either the CPU's (being filled) or the
 * device's (announced), never both.
 *
 * Slot counters run freely (slot = counter % ring_entries, ring_entries a power of two):
 * [tail, rung) belongs to the device, [rung, head) is written but not yet announced. At most
 * ring_entries - 1 slots are in use, so CONSUMER always says unambiguously how far the engine
 * got. */
#include <ddk/debug.h>
#include <hw/arch_ops.h>
#include <hw/reg.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "dmac.h"

/* Macros, not functions: findings name the line of the register access itself. */
#define rd(dev, reg) readl((dev)->regs + (reg))
#define wr(dev, reg, v) writel((v), (dev)->regs + (reg))

static uint32_t round_up_pow2(uint32_t v) {
  uint32_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

zx_status_t dmac_ring_init(dmac_t* dev) {
  uint32_t line = zx_system_get_dcache_line_size();
  if (line == 0 || (line & (line - 1)) != 0) {
    zxlogf(ERROR, "unexpected data cache line size %u\n", line);
    return ZX_ERR_NOT_SUPPORTED;
  }
  dev->group = line > DMAC_DESC_SIZE && !DMAC_BUG(SHARED_CACHE_LINE) ? line / DMAC_DESC_SIZE : 1; /* bug-catalogue: shared-cache-line */
  uint32_t entries = round_up_pow2(DMAC_RING_MIN_ENTRIES);
  if (entries < 4 * dev->group) entries = 4 * dev->group;
  if (entries > DMAC_RING_MAX) {
    zxlogf(ERROR, "cache lines of %u bytes need a ring larger than the engine's\n", line);
    return ZX_ERR_NOT_SUPPORTED;
  }
  dev->ring_entries = entries;
  dev->ring_bytes = ((uint64_t)entries * DMAC_DESC_SIZE + ZX_PAGE_SIZE - 1) & ~(uint64_t)(ZX_PAGE_SIZE - 1);

  dev->slots = calloc(entries, sizeof *dev->slots);
  if (!dev->slots) return ZX_ERR_NO_MEMORY;

  void* va = NULL;
  zx_status_t status = dmac_contig_alloc(dev, dev->ring_bytes, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, "ring",
                                         &dev->ring_vmo, &va, &dev->ring_dev_addr, &dev->ring_pmt);
  if (status != ZX_OK) return status;
  dev->ring = va;
  if (DMAC_BUG(CPU_ADDRESS)) dev->ring_dev_addr = (zx_paddr_t)dev->ring; /* bug-catalogue: cpu-address */
  /* A fresh VMO reads as zeros; write the zeros anyway and push them out, so the ring's
   * content in memory is defined by the driver. */
  if (DMAC_BUG(FRESH_PAGE_GARBAGE)) zx_vmo_op_range(dev->ring_vmo, ZX_VMO_OP_CACHE_INVALIDATE, 0, dev->ring_bytes, NULL, 0); else memset(dev->ring, 0, dev->ring_bytes); /* bug-catalogue: fresh-page-garbage */
  return zx_cache_flush(dev->ring, DMAC_BUG(CACHE_OP_ON_NOTHING) ? (size_t)(uintptr_t)((uint8_t*)dev->ring + dev->ring_bytes) : dev->ring_bytes, ZX_CACHE_FLUSH_DATA); /* bug-catalogue: cache-op-on-nothing */
}

void dmac_ring_release(dmac_t* dev) {
  void* va = dev->ring;
  dmac_contig_free(dev->ring_bytes, &dev->ring_vmo, &va, &dev->ring_pmt);
  dev->ring = NULL;
  free(dev->slots);
  dev->slots = NULL;
}

zx_status_t dmac_engine_reset(dmac_t* dev) {
  wr(dev, DMAC_REG_CTRL, DMAC_CTRL_SRST);
  /* The engine drains its bus transactions, then leaves reset: microseconds. */
  for (int i = 0; i < 1000; ++i) {
    if (!(rd(dev, DMAC_REG_CTRL) & DMAC_CTRL_SRST)) return ZX_OK;
    zx_nanosleep(zx_deadline_after(ZX_USEC(1)));
  }
  zxlogf(ERROR, "soft reset did not finish\n");
  return ZX_ERR_TIMED_OUT;
}

zx_status_t dmac_engine_start(dmac_t* dev) {
  wr(dev, DMAC_REG_RING_LO, (uint32_t)dev->ring_dev_addr);
  wr(dev, DMAC_REG_RING_HI, (uint32_t)(dev->ring_dev_addr >> 32));
  wr(dev, DMAC_REG_RING_SIZE, dev->ring_entries);
  wr(dev, DMAC_REG_INT_MASK, 0);
  wr(dev, DMAC_REG_INT_STATUS, DMAC_INT_DONE | DMAC_INT_ERR);
  uint32_t ctrl = DMAC_CTRL_ENABLE | DMAC_CTRL_IE;
  if (dev->irq_mode == DMA_XFER_IRQ_MSI) ctrl |= DMAC_CTRL_MSI;
  wr(dev, DMAC_REG_CTRL, ctrl);
  if (rd(dev, DMAC_REG_RING_SIZE) != dev->ring_entries) {
    zxlogf(ERROR, "the engine did not take the ring size\n");
    return ZX_ERR_IO;
  }
  return ZX_OK;
}

void dmac_engine_stop(dmac_t* dev) {
  wr(dev, DMAC_REG_INT_MASK, DMAC_INT_DONE | DMAC_INT_ERR);
  wr(dev, DMAC_REG_CTRL, 0);
}

/* May the CPU write slot `head` now? */
static bool head_writable(const dmac_t* dev) {
  const uint32_t n = dev->ring_entries, g = dev->group;
  if (dev->head - dev->tail >= n - 1) return false; /* ring full */
  if (dev->tail == dev->rung) return true;           /* nothing on the device */
  const uint32_t line_start = dev->head - dev->head % g;
  /* A slot of this line announced earlier in this lap and not reaped ... */
  if ((int32_t)(dev->rung - line_start) > 0) return false;
  /* ... or one lap ago (the same line, slots line_start - n ...). */
  if ((int32_t)(line_start + g - n - dev->tail) > 0) return false;
  return true;
}

static uint8_t engine_op(uint32_t opcode) {
  switch (opcode) {
    case DMA_XFER_OP_COPY: return DMAC_OP_COPY;
    case DMA_XFER_OP_WRITE_SRAM: return DMAC_OP_WRITE;
    case DMA_XFER_OP_READ_SRAM: return DMAC_OP_READ;
    case DMA_XFER_OP_GATHER_SRAM: return DMAC_OP_GATHER;
    default: return DMAC_OP_FILL;
  }
}

static void write_slot(dmac_t* dev, dmac_xfer_t* x) {
  const uint32_t s = dev->head % dev->ring_entries;
  const uint32_t i = x->placed;
  dmac_plan_desc_t* p = &x->plan[i];
  dmac_desc_t* d = &dev->ring[s];
  if (x->op.opcode == DMA_XFER_OP_GATHER_SRAM) p->src = dmac_gather_write_list(dev, x, i, s); /* the slot's list */
  d->src = p->src;
  d->dst = p->dst;
  d->len = p->len;
  d->op = engine_op(x->op.opcode);
  d->flags = (i + 1 == x->plan_len) ? DMAC_DESC_IRQ : 0; /* interrupt at the end of a transfer */
  d->reserved = 0;
  d->status = 0;
  d->crc = 0;
  if (!DMAC_BUG(DESCRIPTOR_NOT_CLEANED)) zx_cache_flush(d, DMAC_DESC_SIZE, ZX_CACHE_FLUSH_DATA); /* bug-catalogue: descriptor-not-cleaned */
  dev->slots[s].xfer = x;
  dev->slots[s].index = i;
  x->placed++;
  dev->head++;
}

void dmac_pump_locked(dmac_t* dev) {
  while (dev->pending_head && head_writable(dev)) {
    dmac_xfer_t* x = dev->pending_head;
    write_slot(dev, x);
    if (x->placed == x->plan_len) {
      dev->pending_head = x->next;
      if (!dev->pending_head) dev->pending_tail = NULL;
      x->next = NULL;
    }
  }

  /* Announce whole lines; everything when someone waits (a transfer() or wait_all()) or when
   * nothing else could make progress. */
  uint32_t to = dev->head;
  if (dev->flushers == 0 && !dev->shutting_down) {
    /* (rung may sit inside a line that a waiting caller had announced in part.) */
    const uint32_t whole = to - to % dev->group;
    to = (int32_t)(whole - dev->rung) > 0 ? whole : dev->rung;
  }
  if (to == dev->rung) return;
  /* The last announced descriptor interrupts, so the reaper runs when the batch is done (its
   * line is still the CPU's: nothing of it has been announced). */
  dmac_desc_t* last = &dev->ring[(to - 1) % dev->ring_entries];
  if (!(last->flags & DMAC_DESC_IRQ)) {
    last->flags |= DMAC_DESC_IRQ;
    zx_cache_flush(last, DMAC_DESC_SIZE, ZX_CACHE_FLUSH_DATA);
  }
  hw_wmb();
  wr(dev, DMAC_REG_PRODUCER, to % dev->ring_entries);
  dev->rung = to;
}

/* Make the CPU's view of the status words of slots [from, from + count) current. */
static void invalidate_status(dmac_t* dev, uint32_t from, uint32_t count) {
  while (count > 0) {
    const uint32_t s = from % dev->ring_entries;
    uint32_t n = dev->ring_entries - s;
    if (n > count) n = count;
    const uint64_t off = (uint64_t)s * DMAC_DESC_SIZE + DMAC_DESC_STATUS_OFFSET;
    const uint64_t len = (uint64_t)(n - 1) * DMAC_DESC_SIZE + 8;
    zx_status_t st = zx_vmo_op_range(dev->ring_vmo, ZX_VMO_OP_CACHE_INVALIDATE, off, len, NULL, 0);
    if (st == ZX_ERR_NOT_SUPPORTED) {
      /* Production kernels refuse a bare invalidate. The lines are clean (the CPU never
       * writes a line the engine may write), so clean+invalidate is the same here. */
      st = zx_cache_flush((const uint8_t*)dev->ring + off, len, ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE);
    }
    if (st != ZX_OK) zxlogf(ERROR, "invalidate of ring status: %s\n", zx_status_get_string(st));
    from += n;
    count -= n;
  }
}

/* Take `count` completed slots off the ring; transfers whose last descriptor is among them go
 * to *done. */
static void reap_slots_locked(dmac_t* dev, uint32_t count, dmac_xfer_t** done) {
  if (count == 0) return;
  if (!DMAC_BUG(MISSING_INVALIDATE)) invalidate_status(dev, dev->tail, count); /* bug-catalogue: missing-invalidate */
  for (uint32_t k = 0; k < count; ++k) {
    const uint32_t s = dev->tail % dev->ring_entries;
    const dmac_desc_t* d = &dev->ring[s];
    const uint32_t status = d->status;
    const uint32_t crc = d->crc;
    dmac_xfer_t* x = dev->slots[s].xfer;
    dev->slots[s].xfer = NULL;
    dev->tail++;
    dev->stats.pub.descriptors++;
    if (!x) continue;
    x->plan[dev->slots[s].index].device_crc = crc;
    if ((status & (DMAC_DS_DONE | DMAC_DS_ERROR)) != DMAC_DS_DONE && x->status == ZX_OK) {
      /* CONSUMER moved past it, so the engine wrote DONE: anything else is a stale view. */
      zxlogf(ERROR, "slot %u: status 0x%08x after completion\n", s, status);
      x->status = ZX_ERR_IO;
    }
    if (++x->completed == x->plan_len) {
      x->next = *done;
      *done = x;
    }
  }
}

static void reverse(dmac_xfer_t** list) {
  dmac_xfer_t* out = NULL;
  while (*list) {
    dmac_xfer_t* x = *list;
    *list = x->next;
    x->next = out;
    out = x;
  }
  *list = out;
}

void dmac_reap(dmac_t* dev) {
  dmac_xfer_t* done = NULL;
  mtx_lock(&dev->lock);
  const uint32_t n = dev->ring_entries;
  const uint32_t consumer = rd(dev, DMAC_REG_CONSUMER) & 0xffffu;
  const uint32_t advanced = (consumer + n - dev->tail % n) % n;
  if (advanced > dev->rung - dev->tail) {
    zxlogf(ERROR, "CONSUMER %u is beyond the announced slots\n", consumer);
  } else {
    reap_slots_locked(dev, advanced, &done);
  }
  if (DMAC_BUG(UNPIN_IN_FLIGHT) && dev->tail != dev->rung) zx_pmt_unpin(dev->slots[dev->tail % dev->ring_entries].xfer->src.pmt); /* bug-catalogue: unpin-in-flight */
  dmac_pump_locked(dev);
  cnd_broadcast(&dev->changed);
  mtx_unlock(&dev->lock);
  reverse(&done); /* finish in submission order */
  dmac_finish_list(dev, done);
}

void dmac_ring_abandon_locked(dmac_t* dev, dmac_xfer_t** done, zx_status_t status) {
  dmac_xfer_t* prev = NULL;
  for (uint32_t c = dev->tail; c != dev->head; ++c) {
    const uint32_t s = c % dev->ring_entries;
    dmac_xfer_t* x = dev->slots[s].xfer;
    dev->slots[s].xfer = NULL;
    if (!x || x == prev) continue;
    prev = x;
    if (x->status == ZX_OK) x->status = status;
    if (x->placed < x->plan_len) { /* partly placed: it heads the pending list */
      dev->pending_head = x->next;
      if (!dev->pending_head) dev->pending_tail = NULL;
    }
    x->completed = x->plan_len;
    x->next = *done;
    *done = x;
  }
  dev->tail = dev->rung = dev->head = 0; /* the engine restarts at slot 0 after a reset */
}

/* The engine halted on an error: report it, fail what was on the ring, reset, go on with
 * what is pending. */
static void recover(dmac_t* dev) {
  dmac_xfer_t* done = NULL;
  mtx_lock(&dev->lock);
  const uint32_t st = rd(dev, DMAC_REG_STATUS);
  if (!(st & DMAC_STATUS_HALTED)) {
    mtx_unlock(&dev->lock);
    return;
  }
  const uint64_t addr = ((uint64_t)rd(dev, DMAC_REG_ERR_HI) << 32) | rd(dev, DMAC_REG_ERR_LO);
  const uint32_t slot = rd(dev, DMAC_REG_CONSUMER) & 0xffffu;
  zxlogf(ERROR, "engine halted at slot %u: error %u, bus response %u, address 0x%llx\n", slot,
         DMAC_STATUS_CODE(st), DMAC_STATUS_RESP(st), (unsigned long long)addr);
  dmac_ring_abandon_locked(dev, &done, ZX_ERR_IO);
  zx_status_t status = dmac_engine_reset(dev);
  if (status == ZX_OK) status = dmac_engine_start(dev);
  if (status != ZX_OK) {
    /* The engine is gone: nothing more can run. */
    dev->shutting_down = true;
    for (dmac_xfer_t* x = dev->pending_head; x;) {
      dmac_xfer_t* next = x->next;
      dmac_xfer_cancel_locked(dev, x, ZX_ERR_IO, &done);
      x = next;
    }
    dev->pending_head = dev->pending_tail = NULL;
  } else {
    dmac_pump_locked(dev);
  }
  mtx_unlock(&dev->lock);
  reverse(&done);
  dmac_finish_list(dev, done);
}

int dmac_irq_thread(void* arg) {
  dmac_t* dev = arg;
  for (;;) {
    zx_status_t status = zx_interrupt_wait(dev->irq, NULL);
    if (status != ZX_OK) {
      if (status != ZX_ERR_CANCELED) zxlogf(ERROR, "zx_interrupt_wait: %s\n", zx_status_get_string(status));
      break;
    }
    mtx_lock(&dev->lock);
    dev->stats.pub.interrupts++;
    mtx_unlock(&dev->lock);
    /* Acknowledge, then reap; until INT_STATUS reads 0. An MSI is sent when a cause bit
     * becomes set: if the engine sets DONE again in the very cycle the acknowledgement clears
     * it, the bit stays set and no new message comes, so the driver must see it clear before
     * it waits again. */
    uint32_t cause;
    while ((cause = rd(dev, DMAC_REG_INT_STATUS)) != 0) {
      wr(dev, DMAC_REG_INT_STATUS, cause);
      dmac_reap(dev);
      if (cause & DMAC_INT_ERR) recover(dev);
    }
  }
  return 0;
}
