/* dmac-xfer.c: the DMA transfer protocol (staleline/dmac-protocol.h) over the ring.
 *
 * A transfer goes through:
 *  1. checks (opcode, length, VMO and SRAM ranges);
 *  2. pinning of the memory the device touches, with the device's permissions: READ for
 *     memory it reads (COPY source, WRITE_SRAM), WRITE for memory it writes (COPY
 *     destination, READ_SRAM, FILL);
 *  3. a plan: one descriptor per device-contiguous run (both runs for COPY), at most
 *     DMAC_MAX_DESC_BYTES each; the reference CRC of each descriptor is computed from what the
 *     CPU sees of the source (COPY, WRITE_SRAM) or from the pattern (FILL);
 *  4. cache maintenance before the device runs: clean the source (the device reads memory,
 *     not the cache), clean+invalidate the destination (no dirty line may be evicted over the
 *     device's data later, and no clean line may hide it);
 *  5. the ring (dmac-ring.c);
 *  6. after the last descriptor: invalidate the destination (drop lines the CPU may have
 *     pulled in speculatively or through the shared end lines), compute the reference CRC of
 *     READ_SRAM from the destination as the CPU now sees it, compare every descriptor's CRC,
 *     unpin.
 * A CRC mismatch means the device moved other bytes than the CPU has: the transfer fails with
 * ZX_ERR_IO_DATA_INTEGRITY. */
#include <ddk/debug.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "dmac.h"

/* Largest length of one operation (bounds the plan's size). */
#define DMAC_MAX_OP_LENGTH (1ull << 30)

static bool reads_memory(uint32_t opcode) {
  return opcode == DMA_XFER_OP_COPY || opcode == DMA_XFER_OP_WRITE_SRAM;
}
static bool writes_memory(uint32_t opcode) {
  return opcode == DMA_XFER_OP_COPY || opcode == DMA_XFER_OP_READ_SRAM || opcode == DMA_XFER_OP_FILL;
}

static zx_status_t check_vmo_range(zx_handle_t vmo, uint64_t offset, uint64_t length) {
  uint64_t size = 0;
  zx_status_t status = zx_vmo_get_size(vmo, &size);
  if (status != ZX_OK) return status;
  if (offset > size || length > size - offset) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

static zx_status_t check_op(const dmac_t* dev, const dma_xfer_op_t* op) {
  if (op->opcode < DMA_XFER_OP_COPY || op->opcode > DMA_XFER_OP_GATHER_SRAM) return ZX_ERR_INVALID_ARGS;
  if (op->length == 0) return ZX_ERR_INVALID_ARGS;
  if (op->length > DMAC_MAX_OP_LENGTH) return ZX_ERR_OUT_OF_RANGE;
  zx_status_t status;
  if (op->opcode == DMA_XFER_OP_GATHER_SRAM && (status = dmac_gather_check(dev, op)) != ZX_OK) return status;
  if (reads_memory(op->opcode) && (status = check_vmo_range(op->src_vmo, op->src_offset, op->length)) != ZX_OK)
    return status;
  if (writes_memory(op->opcode) && (status = check_vmo_range(op->dst_vmo, op->dst_offset, op->length)) != ZX_OK)
    return status;
  if (op->opcode == DMA_XFER_OP_WRITE_SRAM || op->opcode == DMA_XFER_OP_READ_SRAM ||
      op->opcode == DMA_XFER_OP_GATHER_SRAM) {
    if (op->sram_offset > dev->sram_size || op->length > dev->sram_size - op->sram_offset)
      return ZX_ERR_OUT_OF_RANGE;
  }
  /* The engine streams forward through a FIFO: overlapping ranges would read bytes it
   * already wrote. */
  if (op->opcode == DMA_XFER_OP_COPY && op->src_vmo == op->dst_vmo &&
      op->src_offset < op->dst_offset + op->length && op->dst_offset < op->src_offset + op->length)
    return ZX_ERR_INVALID_ARGS;
  return ZX_OK;
}

static uint64_t rotate_pattern(uint64_t pattern, uint64_t xfer_offset) {
  const unsigned r = (unsigned)(xfer_offset % 8) * 8;
  return r ? (pattern >> r) | (pattern << (64 - r)) : pattern;
}

/* Walk the runs of src and/or dst together: one descriptor per piece that is contiguous on
 * both sides. */
static zx_status_t build_plan(dmac_xfer_t* x) {
  const dma_xfer_op_t* op = &x->op;
  const bool mem_src = reads_memory(op->opcode), mem_dst = writes_memory(op->opcode);
  size_t bound = (size_t)(op->length / DMAC_MAX_DESC_BYTES) + 1;
  if (mem_src) bound += x->src.run_count;
  if (mem_dst) bound += x->dst.run_count;
  x->plan = calloc(bound, sizeof *x->plan);
  if (!x->plan) return ZX_ERR_NO_MEMORY;

  size_t si = 0, di = 0;
  uint64_t s_used = 0, d_used = 0, pos = 0;
  uint32_t n = 0;
  while (pos < op->length) {
    uint64_t len = op->length - pos;
    if (len > DMAC_MAX_DESC_BYTES) len = DMAC_MAX_DESC_BYTES;
    if (mem_src && len > x->src.runs[si].len - s_used) len = x->src.runs[si].len - s_used;
    if (mem_dst && len > x->dst.runs[di].len - d_used) len = x->dst.runs[di].len - d_used;
    dmac_plan_desc_t* p = &x->plan[n++];
    p->len = (uint32_t)len;
    p->xfer_offset = pos;
    switch (op->opcode) {
      case DMA_XFER_OP_READ_SRAM: p->src = op->sram_offset + pos; break;
      case DMA_XFER_OP_FILL: p->src = rotate_pattern(op->pattern, pos); break;
      default: p->src = x->src.runs[si].dev_addr + s_used; break;
    }
    p->dst = mem_dst ? x->dst.runs[di].dev_addr + d_used : op->sram_offset + pos;
    pos += len;
    if (mem_src && (s_used += len) == x->src.runs[si].len) ++si, s_used = 0;
    if (mem_dst && (d_used += len) == x->dst.runs[di].len) ++di, d_used = 0;
  }
  x->plan_len = n;
  return ZX_OK;
}

zx_status_t dmac_crc_vmo(zx_handle_t vmo, uint64_t offset, uint64_t len, uint8_t* buf, uint32_t* crc) {
  zx_status_t status = ZX_OK;
  for (uint64_t done = 0; done < len && status == ZX_OK;) {
    size_t n = len - done < DMAC_CRC_CHUNK ? (size_t)(len - done) : DMAC_CRC_CHUNK;
    status = zx_vmo_read(vmo, buf, offset + done, n);
    *crc = dmac_crc32_update(*crc, buf, n);
    done += n;
  }
  return status;
}

/* CRC of each planned descriptor over the VMO bytes it covers, as the CPU reads them. */
static zx_status_t crc_from_vmo(dmac_xfer_t* x, zx_handle_t vmo, uint64_t base) {
  uint8_t* buf = malloc(DMAC_CRC_CHUNK);
  if (!buf) return ZX_ERR_NO_MEMORY;
  zx_status_t status = ZX_OK;
  for (uint32_t i = 0; i < x->plan_len && status == ZX_OK; ++i) {
    dmac_plan_desc_t* p = &x->plan[i];
    p->expect_crc = DMAC_CRC32_INIT;
    status = dmac_crc_vmo(vmo, base + p->xfer_offset, p->len, buf, &p->expect_crc);
  }
  free(buf);
  return status;
}

static void crc_from_pattern(dmac_xfer_t* x) {
  uint8_t bytes[64];
  for (uint32_t i = 0; i < x->plan_len; ++i) {
    dmac_plan_desc_t* p = &x->plan[i];
    for (unsigned k = 0; k < sizeof bytes; ++k) bytes[k] = (uint8_t)(p->src >> (8 * (k % 8)));
    uint32_t crc = DMAC_CRC32_INIT;
    for (uint64_t done = 0; done < p->len;) {
      size_t n = p->len - done < sizeof bytes ? (size_t)(p->len - done) : sizeof bytes;
      crc = dmac_crc32_update(crc, bytes, n);
      done += n;
    }
    p->expect_crc = crc;
  }
}

zx_status_t dmac_cache_op(zx_handle_t vmo, uint32_t op, uint64_t offset, uint64_t length) {
  zx_status_t status = zx_vmo_op_range(vmo, op, offset, length, NULL, 0);
  if (status == ZX_ERR_NOT_SUPPORTED && op == ZX_VMO_OP_CACHE_INVALIDATE) {
    /* A production kernel refuses a bare invalidate. The range holds no dirty line (it was
     * cleaned and invalidated before the device ran, and the CPU kept off it), so
     * clean+invalidate drops the same lines. */
    status = zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, offset, length, NULL, 0);
  }
  if (status != ZX_OK) zxlogf(ERROR, "cache op %u: %s\n", op, zx_status_get_string(status));
  return status;
}

zx_status_t dmac_clean_source(zx_handle_t vmo, uint64_t offset, uint64_t length) {
  if (DMAC_BUG(MISSING_CLEAN)) return ZX_OK; /* bug-catalogue: missing-clean */
  return dmac_cache_op(vmo, ZX_VMO_OP_CACHE_CLEAN, offset, length);
}

static void free_xfer(dmac_t* dev, dmac_xfer_t* x) {
  dmac_gather_unmap(dev, x);
  dmac_dma_unmap(dev, &x->src);
  dmac_dma_unmap(dev, &x->dst);
  free(x->plan);
  free(x);
}

/* Steps 2 to 4. */
static zx_status_t prepare(dmac_t* dev, dmac_xfer_t* x) {
  const dma_xfer_op_t* op = &x->op;
  zx_status_t status;
  if (op->opcode == DMA_XFER_OP_GATHER_SRAM) return dmac_gather_prepare(dev, x);
  if (reads_memory(op->opcode) &&
      (status = dmac_dma_map(dev, op->src_vmo, op->src_offset, op->length, ZX_BTI_PERM_READ, &x->src)) != ZX_OK)
    return status;
  if (writes_memory(op->opcode) &&
      (status = dmac_dma_map(dev, op->dst_vmo, op->dst_offset, op->length,
                             DMAC_BUG(WRONG_PERMISSION) ? ZX_BTI_PERM_READ : ZX_BTI_PERM_WRITE, /* bug-catalogue: wrong-permission */
                             &x->dst)) != ZX_OK)
    return status;
  if ((status = build_plan(x)) != ZX_OK) return status;
  if (reads_memory(op->opcode)) {
    if ((status = crc_from_vmo(x, op->src_vmo, op->src_offset)) != ZX_OK) return status;
    if ((status = dmac_clean_source(op->src_vmo, op->src_offset, op->length)) != ZX_OK) return status;
  } else if (op->opcode == DMA_XFER_OP_FILL) {
    crc_from_pattern(x);
  }
  if (DMAC_BUG(INVALIDATE_DISCARDS_DIRTY) && writes_memory(op->opcode)) zx_vmo_op_range(op->dst_vmo, ZX_VMO_OP_CACHE_INVALIDATE, op->dst_offset, op->length, NULL, 0); /* bug-catalogue: invalidate-discards-dirty */
  if (!DMAC_BUG(DIRTY_EVICT_OVER_DMA) && writes_memory(op->opcode) && /* bug-catalogue: dirty-evict-over-dma */
      (status = DMAC_BUG(ZEROED_BUFFER_NO_CLEAN) ? zx_vmo_op_range(op->dst_vmo, ZX_VMO_OP_ZERO, op->dst_offset, op->length, NULL, 0) : dmac_cache_op(op->dst_vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, op->dst_offset, op->length)) != ZX_OK) /* bug-catalogue: zeroed-buffer-no-clean */
    return status;
  return ZX_OK;
}

/* Step 6 for one transfer; returns the CRC counters to add. */
static void complete(dmac_t* dev, dmac_xfer_t* x, uint64_t* checked, uint64_t* mismatches) {
  const dma_xfer_op_t* op = &x->op;
  if (!DMAC_BUG(INVALIDATE_BEFORE_ONLY) && writes_memory(op->opcode) && x->dst.run_count) { /* bug-catalogue: invalidate-before-only */
    zx_status_t status = dmac_cache_op(op->dst_vmo, ZX_VMO_OP_CACHE_INVALIDATE, op->dst_offset, op->length);
    if (status != ZX_OK && x->status == ZX_OK) x->status = status;
  }
  if (x->status == ZX_OK && op->opcode == DMA_XFER_OP_READ_SRAM) {
    zx_status_t status = crc_from_vmo(x, op->dst_vmo, op->dst_offset);
    if (status != ZX_OK) x->status = status;
  }
  if (x->status == ZX_OK) {
    for (uint32_t i = 0; i < x->plan_len; ++i) {
      const dmac_plan_desc_t* p = &x->plan[i];
      ++*checked;
      if (p->device_crc != p->expect_crc) {
        if (x->status == ZX_OK && op->opcode == DMA_XFER_OP_GATHER_SRAM)
          zxlogf(ERROR, "gather: CRC mismatch in descriptor %u (bytes from %llu on): device 0x%08x, CPU 0x%08x\n", i,
                 (unsigned long long)p->xfer_offset, p->device_crc, p->expect_crc);
        else if (x->status == ZX_OK)
          zxlogf(ERROR, "op %u: CRC mismatch in bytes %llu..%llu: device 0x%08x, CPU 0x%08x\n", op->opcode,
                 (unsigned long long)p->xfer_offset, (unsigned long long)(p->xfer_offset + p->len - 1),
                 p->device_crc, p->expect_crc);
        ++*mismatches;
        x->status = ZX_ERR_IO_DATA_INTEGRITY;
      }
    }
  }
  /* The engine is done with the memory. */
  dmac_gather_unmap(dev, x);
  dmac_dma_unmap(dev, &x->src);
  dmac_dma_unmap(dev, &x->dst);
}

static void publish_locked(dmac_t* dev, dmac_xfer_t* x) {
  dma_xfer_stats_t* s = &dev->stats.pub;
  s->transfers++;
  if (x->status == ZX_OK) s->bytes += x->op.length;
  else if (x->status == ZX_ERR_CANCELED) s->canceled++;
  else s->errors++;
  if (x->sync) {
    x->finished = true; /* the waiter frees it */
    return;
  }
  if (x->status != ZX_OK && dev->first_error == ZX_OK) dev->first_error = x->status;
  if (x->op.complete) x->op.complete(x->op.cookie, x->status);
  dev->queued--;
  free_xfer(dev, x);
}

void dmac_finish_list(dmac_t* dev, dmac_xfer_t* list) {
  if (!list) return;
  uint64_t checked = 0, mismatches = 0;
  for (dmac_xfer_t* x = list; x; x = x->next) complete(dev, x, &checked, &mismatches);
  mtx_lock(&dev->lock);
  dev->stats.pub.crc_checked += checked;
  dev->stats.pub.crc_mismatches += mismatches;
  while (list) {
    dmac_xfer_t* x = list;
    list = x->next;
    x->next = NULL;
    publish_locked(dev, x);
  }
  cnd_broadcast(&dev->changed);
  mtx_unlock(&dev->lock);
}

void dmac_xfer_cancel_locked(dmac_t* dev, dmac_xfer_t* x, zx_status_t status, dmac_xfer_t** done_list) {
  (void)dev;
  if (x->status == ZX_OK) x->status = status;
  x->completed = x->plan_len;
  x->next = *done_list;
  *done_list = x;
}

static zx_status_t submit(dmac_t* dev, const dma_xfer_op_t* op, bool sync) {
  if (!op) return ZX_ERR_INVALID_ARGS;
  zx_status_t status = check_op(dev, op);
  if (status != ZX_OK) return status;
  mtx_lock(&dev->lock);
  const bool closing = dev->shutting_down;
  mtx_unlock(&dev->lock);
  if (closing) return ZX_ERR_BAD_STATE;

  dmac_xfer_t* x = calloc(1, sizeof *x);
  if (!x) return ZX_ERR_NO_MEMORY;
  x->op = *op;
  x->sync = sync;
  x->status = ZX_OK;
  x->src.pmt = x->dst.pmt = ZX_HANDLE_INVALID;
  if (sync) x->op.complete = NULL; /* the caller gets the status */
  if ((status = prepare(dev, x)) != ZX_OK) {
    free_xfer(dev, x);
    return status;
  }

  mtx_lock(&dev->lock);
  if (dev->shutting_down) {
    mtx_unlock(&dev->lock);
    free_xfer(dev, x);
    return ZX_ERR_BAD_STATE;
  }
  if (dev->pending_tail) dev->pending_tail->next = x;
  else dev->pending_head = x;
  dev->pending_tail = x;
  if (!sync) {
    dev->queued++;
    dmac_pump_locked(dev);
    mtx_unlock(&dev->lock);
    return ZX_OK;
  }
  dev->flushers++;
  dmac_pump_locked(dev);
  while (!x->finished) cnd_wait(&dev->changed, &dev->lock);
  dev->flushers--;
  status = x->status;
  mtx_unlock(&dev->lock);
  free_xfer(dev, x);
  return status;
}

static zx_status_t dmac_get_info(void* ctx, dma_xfer_info_t* out) {
  dmac_t* dev = ctx;
  if (!out) return ZX_ERR_INVALID_ARGS;
  memset(out, 0, sizeof *out);
  out->sram_size = dev->sram_size;
  out->max_length = DMAC_MAX_OP_LENGTH;
  out->ops_supported = (1u << DMA_XFER_OP_COPY) | (1u << DMA_XFER_OP_WRITE_SRAM) |
                       (1u << DMA_XFER_OP_READ_SRAM) | (1u << DMA_XFER_OP_FILL) |
                       (dev->has_gather ? 1u << DMA_XFER_OP_GATHER_SRAM : 0u);
  out->irq_mode = dev->irq_mode;
  out->ring_entries = dev->ring_entries;
  return ZX_OK;
}

static zx_status_t dmac_transfer(void* ctx, const dma_xfer_op_t* op) { return submit(ctx, op, true); }

static zx_status_t dmac_queue(void* ctx, const dma_xfer_op_t* op) { return submit(ctx, op, false); }

static zx_status_t dmac_wait_all(void* ctx) {
  dmac_t* dev = ctx;
  mtx_lock(&dev->lock);
  dev->flushers++;
  dmac_pump_locked(dev);
  while (dev->queued > 0) cnd_wait(&dev->changed, &dev->lock);
  dev->flushers--;
  zx_status_t status = dev->first_error;
  dev->first_error = ZX_OK;
  mtx_unlock(&dev->lock);
  return status;
}

static zx_status_t dmac_get_stats(void* ctx, dma_xfer_stats_t* out) {
  dmac_t* dev = ctx;
  if (!out) return ZX_ERR_INVALID_ARGS;
  mtx_lock(&dev->lock);
  *out = dev->stats.pub;
  mtx_unlock(&dev->lock);
  return ZX_OK;
}

dma_xfer_protocol_ops_t dmac_protocol_ops = {
    .get_info = dmac_get_info,
    .transfer = dmac_transfer,
    .queue = dmac_queue,
    .wait_all = dmac_wait_all,
    .get_stats = dmac_get_stats,
};
