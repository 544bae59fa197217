/* dmac-dma.c: device addresses of a VMO byte range.
 *
 * zx_bti_pin() works on whole pages and returns one device address per page. A transfer
 * may start and end anywhere, so the page-rounded range is pinned, the per-page addresses are
 * merged into runs where the device sees them contiguous, and the first and last runs are
 * trimmed to the bytes asked for. One descriptor is then issued per run (or per
 * DMAC_MAX_DESC_BYTES piece of one).
 *
 * Mapping strategy (dmac-pool.c, dmac.mapping): pin per transfer and unpin when it completes,
 * or take the addresses from the persistent pre-pinned pool (the range then holds no PMT and
 * dmac_dma_unmap() unpins nothing).
 *
 * The driver's own DMA buffers (the descriptor ring, the gather element lists) are contiguous
 * VMOs mapped cached and pinned whole: dmac_contig_alloc() / dmac_contig_free(). */
#include <ddk/debug.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "dmac.h"

zx_status_t dmac_dma_map(dmac_t* dev, zx_handle_t vmo, uint64_t offset, uint64_t length,
                         uint32_t bti_perms, dmac_dma_range_t* out) {
  memset(out, 0, sizeof *out);
  out->pmt = ZX_HANDLE_INVALID;
  if (length == 0) return ZX_ERR_INVALID_ARGS;
  if (offset + length < offset) return ZX_ERR_OUT_OF_RANGE;

  const uint64_t first_page = offset & ~(uint64_t)(ZX_PAGE_SIZE - 1);
  const uint64_t end = offset + length;
  const uint64_t end_page = (end + ZX_PAGE_SIZE - 1) & ~(uint64_t)(ZX_PAGE_SIZE - 1);
  if (end_page < end) return ZX_ERR_OUT_OF_RANGE;
  const uint64_t pages = (end_page - first_page) / ZX_PAGE_SIZE;

  dmac_run_t* runs = malloc(pages * sizeof *runs);
  if (!runs) return ZX_ERR_NO_MEMORY;
  /* Device addresses: from the persistent pool, else pinned for this transfer (dmac-pool.c).
   * Address of VMO offset o: addrs[(o - base) / chunk] + (o - base) % chunk. */
  const zx_paddr_t* addrs = NULL;
  zx_paddr_t* pinned = NULL;
  uint64_t chunk = ZX_PAGE_SIZE, base = first_page;
  zx_handle_t pmt = ZX_HANDLE_INVALID;
  zx_status_t status = dmac_pool_lookup(dev, vmo, offset, length, &addrs, &chunk, &base);
  if (status == ZX_ERR_NEXT) {
    base = first_page;
    status = dmac_pin(dev, bti_perms, vmo, first_page, end_page - first_page, &pinned, &chunk, &pmt);
    addrs = pinned;
  }
  if (status != ZX_OK) {
    free(runs);
    return status;
  }

  size_t count = 0;
  uint64_t pos = offset;
  for (uint64_t i = 0; i < pages; ++i) {
    const uint64_t page_start = first_page + i * ZX_PAGE_SIZE;
    const uint64_t from = pos > page_start ? pos : page_start;
    const uint64_t to = end < page_start + ZX_PAGE_SIZE ? end : page_start + ZX_PAGE_SIZE;
    const uint64_t addr = DMAC_BUG(CONTIGUITY_ASSUMED) ? addrs[0] + (from - base) : addrs[(from - base) / chunk] + (from - base) % chunk; /* bug-catalogue: contiguity-assumed */
    if (count > 0 && runs[count - 1].dev_addr + runs[count - 1].len == addr) {
      runs[count - 1].len += to - from;
    } else {
      runs[count].dev_addr = addr;
      runs[count].len = to - from;
      ++count;
    }
    pos = to;
  }
  free(pinned);
  out->pmt = pmt;
  out->runs = runs;
  out->run_count = count;
  return ZX_OK;
}

void dmac_dma_unmap(dmac_t* dev, dmac_dma_range_t* range) {
  (void)dev;
  if (range->pmt != ZX_HANDLE_INVALID) {
    zx_status_t status = DMAC_BUG(LEAKED_PIN) ? zx_handle_close(range->pmt) : zx_pmt_unpin(range->pmt); /* bug-catalogue: leaked-pin */
    if (status != ZX_OK) zxlogf(ERROR, "zx_pmt_unpin: %s", zx_status_get_string(status));
  }
  free(range->runs);
  memset(range, 0, sizeof *range);
  range->pmt = ZX_HANDLE_INVALID;
}

zx_status_t dmac_contig_alloc(dmac_t* dev, uint64_t bytes, uint32_t perms, const char* what, zx_handle_t* vmo,
                              void** va, zx_paddr_t* dev_addr, zx_handle_t* pmt) {
  zx_vaddr_t addr = 0;
  zx_status_t status = zx_vmo_create_contiguous(dev->bti, bytes, 0, vmo);
  if (status != ZX_OK) {
    zxlogf(ERROR, "zx_vmo_create_contiguous(%s): %s\n", what, zx_status_get_string(status));
    *vmo = ZX_HANDLE_INVALID;
    return status;
  }
  status = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, *vmo, 0, bytes, &addr);
  if (status != ZX_OK) {
    zxlogf(ERROR, "zx_vmar_map(%s): %s\n", what, zx_status_get_string(status));
    zx_handle_close(*vmo);
    *vmo = ZX_HANDLE_INVALID;
    return status;
  }
  status = zx_bti_pin(dev->bti, perms | ZX_BTI_CONTIGUOUS, *vmo, 0, bytes, dev_addr, 1, pmt);
  if (status != ZX_OK) {
    zxlogf(ERROR, "zx_bti_pin(%s): %s\n", what, zx_status_get_string(status));
    zx_vmar_unmap(zx_vmar_root_self(), addr, bytes);
    zx_handle_close(*vmo);
    *vmo = *pmt = ZX_HANDLE_INVALID;
    return status;
  }
  *va = (void*)addr;
  return ZX_OK;
}

void dmac_contig_free(uint64_t bytes, zx_handle_t* vmo, void** va, zx_handle_t* pmt) {
  if (*pmt != ZX_HANDLE_INVALID) zx_pmt_unpin(*pmt);
  if (*va) zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)*va, bytes);
  if (*vmo != ZX_HANDLE_INVALID) zx_handle_close(*vmo);
  *pmt = *vmo = ZX_HANDLE_INVALID;
  *va = NULL;
}
