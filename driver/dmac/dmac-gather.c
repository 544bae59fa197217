/* dmac-gather.c: scatter-gather reads (DMA_XFER_OP_GATHER_SRAM) with the engine's GATHER
 * descriptor (rtl/README.md).
 *
 * A gather transfer names segments of one VMO. Each segment is mapped for the device like any
 * other source range (per transfer, or from the persistent pool: dmac-dma.c), cut into
 * device-contiguous pieces of at most DMAC_GATHER_ELEM_MAX bytes (the list elements), and
 * the elements are grouped DMAC_GATHER_ELEMS to a descriptor. The engine reads each
 * descriptor's element list from memory, so the lists must be in DMA-able memory the device
 * may read while the descriptor is on the ring: every ring slot owns DMAC_GATHER_ELEMS
 * elements of one contiguous list area, pinned READ once. The list of a slot is written when
 * the descriptor is placed (the slot is known only then) and cleaned before the doorbell,
 * like the descriptor itself; the engine never writes the area, so its lines are never
 * shared with device writes.
 *
 * Reference CRC: the CRC of the gathered bytes as the CPU sees them, per descriptor, before
 * the device runs (the source is cleaned, the device reads memory). */
#include <ddk/debug.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "dmac.h"

zx_status_t dmac_gather_check(const dmac_t* dev, const dma_xfer_op_t* op) {
  if (!dev->has_gather) return ZX_ERR_NOT_SUPPORTED;
  if (!op->segs || op->seg_count == 0) return ZX_ERR_INVALID_ARGS;
  uint64_t size = 0;
  zx_status_t status = zx_vmo_get_size(op->src_vmo, &size);
  if (status != ZX_OK) return status;
  uint64_t sum = 0;
  for (uint32_t i = 0; i < op->seg_count; ++i) {
    const dma_xfer_seg_t* s = &op->segs[i];
    if (s->length == 0) return ZX_ERR_INVALID_ARGS;
    if (s->offset > size || s->length > size - s->offset) return ZX_ERR_OUT_OF_RANGE;
    if (s->length > op->length - sum || sum + s->length < sum) return ZX_ERR_INVALID_ARGS;
    sum += s->length;
  }
  return sum == op->length ? ZX_OK : ZX_ERR_INVALID_ARGS;
}

/* The list area, on the first gather. */
static zx_status_t ensure_lists(dmac_t* dev) {
  mtx_lock(&dev->lock);
  zx_status_t status = ZX_OK;
  if (!dev->lists) {
    const uint64_t bytes = (uint64_t)dev->ring_entries * DMAC_GATHER_ELEMS * sizeof(dmac_gather_elem_t);
    dev->list_bytes = (bytes + ZX_PAGE_SIZE - 1) & ~(uint64_t)(ZX_PAGE_SIZE - 1);
    void* va = NULL;
    status = dmac_contig_alloc(dev, dev->list_bytes, ZX_BTI_PERM_READ, "gather lists", &dev->list_vmo, &va,
                               &dev->list_dev_addr, &dev->list_pmt);
    if (status == ZX_OK) dev->lists = va;
  }
  mtx_unlock(&dev->lock);
  return status;
}

void dmac_gather_release(dmac_t* dev) {
  void* va = dev->lists;
  dmac_contig_free(dev->list_bytes, &dev->list_vmo, &va, &dev->list_pmt);
  dev->lists = NULL;
}

/* Pieces of a mapped range: its runs cut at DMAC_GATHER_ELEM_MAX. */
static uint32_t pieces(const dmac_dma_range_t* r) {
  uint64_t n = 0;
  for (size_t k = 0; k < r->run_count; ++k) n += (r->runs[k].len + DMAC_GATHER_ELEM_MAX - 1) / DMAC_GATHER_ELEM_MAX;
  return (uint32_t)n;
}

static zx_status_t reference_crcs(dmac_xfer_t* x) {
  dmac_gather_t* g = &x->gather;
  uint8_t* buf = malloc(DMAC_CRC_CHUNK);
  if (!buf) return ZX_ERR_NO_MEMORY;
  zx_status_t status = ZX_OK;
  for (uint32_t i = 0; i < x->plan_len && status == ZX_OK; ++i) {
    dmac_plan_desc_t* p = &x->plan[i];
    p->expect_crc = DMAC_CRC32_INIT;
    for (uint32_t e = p->elem_first; e < p->elem_first + p->len && status == ZX_OK; ++e)
      status = dmac_crc_vmo(x->op.src_vmo, g->elem_offset[e], g->elems[e].len, buf, &p->expect_crc);
  }
  free(buf);
  return status;
}

zx_status_t dmac_gather_prepare(dmac_t* dev, dmac_xfer_t* x) {
  const dma_xfer_op_t* op = &x->op;
  dmac_gather_t* g = &x->gather;
  zx_status_t status = ensure_lists(dev);
  if (status != ZX_OK) return status;
  g->segs = calloc(op->seg_count, sizeof *g->segs);
  if (!g->segs) return ZX_ERR_NO_MEMORY;
  uint64_t elems = 0;
  for (uint32_t i = 0; i < op->seg_count; ++i) {
    g->segs[i].pmt = ZX_HANDLE_INVALID;
    g->seg_count = i + 1;
    if ((status = dmac_dma_map(dev, op->src_vmo, op->segs[i].offset, op->segs[i].length, ZX_BTI_PERM_READ,
                               &g->segs[i])) != ZX_OK)
      return status;
    elems += pieces(&g->segs[i]);
  }
  if (elems > UINT32_MAX / 2) return ZX_ERR_OUT_OF_RANGE;
  g->elems = calloc(elems, sizeof *g->elems);
  g->elem_offset = calloc(elems, sizeof *g->elem_offset);
  x->plan_len = (uint32_t)((elems + DMAC_GATHER_ELEMS - 1) / DMAC_GATHER_ELEMS);
  x->plan = calloc(x->plan_len, sizeof *x->plan);
  if (!g->elems || !g->elem_offset || !x->plan) return ZX_ERR_NO_MEMORY;

  /* Elements in segment order; descriptors take DMAC_GATHER_ELEMS each. */
  uint32_t e = 0;
  uint64_t pos = 0; /* bytes gathered before */
  for (uint32_t i = 0; i < op->seg_count; ++i) {
    uint64_t vmo_off = op->segs[i].offset;
    for (size_t k = 0; k < g->segs[i].run_count; ++k) {
      const dmac_run_t* run = &g->segs[i].runs[k];
      for (uint64_t used = 0; used < run->len; ++e) {
        uint64_t len = run->len - used;
        if (len > DMAC_GATHER_ELEM_MAX) len = DMAC_GATHER_ELEM_MAX;
        if (e % DMAC_GATHER_ELEMS == 0) {
          dmac_plan_desc_t* p = &x->plan[e / DMAC_GATHER_ELEMS];
          p->elem_first = e;
          p->xfer_offset = pos;
          p->dst = op->sram_offset + pos;
        }
        x->plan[e / DMAC_GATHER_ELEMS].len++; /* the descriptor's length is its element count */
        g->elems[e].addr = run->dev_addr + used;
        g->elems[e].len = (uint32_t)len;
        g->elem_offset[e] = vmo_off;
        used += len;
        vmo_off += len;
        pos += len;
      }
    }
  }
  g->elem_count = e;

  if ((status = reference_crcs(x)) != ZX_OK) return status;
  for (uint32_t i = 0; i < op->seg_count; ++i) {
    if ((status = dmac_clean_source(op->src_vmo, op->segs[i].offset, op->segs[i].length)) != ZX_OK) return status;
  }
  return ZX_OK;
}

uint64_t dmac_gather_write_list(dmac_t* dev, dmac_xfer_t* x, uint32_t i, uint32_t s) {
  const dmac_plan_desc_t* p = &x->plan[i];
  dmac_gather_elem_t* list = dev->lists + (uint64_t)s * DMAC_GATHER_ELEMS;
  memcpy(list, x->gather.elems + p->elem_first, (size_t)p->len * sizeof *list);
  zx_cache_flush(list, (size_t)p->len * sizeof *list, ZX_CACHE_FLUSH_DATA);
  return dev->list_dev_addr + (uint64_t)s * DMAC_GATHER_ELEMS * sizeof *list;
}

void dmac_gather_unmap(dmac_t* dev, dmac_xfer_t* x) {
  dmac_gather_t* g = &x->gather;
  for (uint32_t i = 0; i < g->seg_count; ++i) dmac_dma_unmap(dev, &g->segs[i]);
  free(g->segs);
  free(g->elems);
  free(g->elem_offset);
  memset(g, 0, sizeof *g);
}
