/* dmac-pool.c: the mapping strategy of the reference driver (config dmac.mapping, dmac.pin,
 * dmac.pool_size, read with device_get_variable at bind).
 *
 *  per-transfer  pin the pages of each operation before it runs, unpin when it completes;
 *                iommu.invalidation decides whether the unpin's IOTLB invalidation is strict
 *                or deferred (a flush queue, during which stale translations still work).
 *  pool          a persistent pre-pinned pool: the first time a client VMO is used, the whole
 *                VMO is pinned (read and write, as a bounce/pool buffer is) and stays pinned
 *                until unbind; later operations on it take their device addresses from the
 *                pool: no pin, no unpin, no IOTLB invalidation per transfer. VMOs are told
 *                apart by koid (a handle value may be reused for another VMO). A VMO that
 *                would push the pool beyond dmac.pool_size is pinned per transfer.
 *
 * dmac.pin sets how zx_bti_pin reports addresses: page (one per page), compress
 * (ZX_BTI_COMPRESS, one per minimum-contiguity chunk), contiguous (ZX_BTI_CONTIGUOUS, one for
 * the range; only VMOs created contiguous, others are pinned by page). */
#include <ddk/debug.h>
#include <ddk/device.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "dmac.h"

typedef struct dmac_pool_entry {
  zx_koid_t koid;
  zx_handle_t pmt;
  uint64_t size;       /* bytes pinned (the whole VMO) */
  uint64_t chunk;      /* bytes per address in addrs */
  zx_paddr_t* addrs;
} dmac_pool_entry_t;

/* Entries stay in the order they were pinned (release unpins in that order); an
 * open-addressing index by koid finds one in constant time, so a lookup does not grow with
 * the number of VMOs in the pool. */
struct dmac_pool {
  mtx_t lock;
  dmac_pool_entry_t* entries;
  size_t count, cap;
  size_t* index;       /* slots of entry number + 1; 0: empty. index_cap is a power of two */
  size_t index_cap;
  uint64_t pinned_bytes;
};

static uint64_t variable_size(const char* text) {
  char* end = NULL;
  unsigned long long v = strtoull(text, &end, 0);
  switch (end ? *end : 0) {
    case 'k': case 'K': return v << 10;
    case 'M': return v << 20;
    case 'G': return v << 30;
    case 'T': return v << 40;
    default: return v;
  }
}

zx_status_t dmac_mapping_init(dmac_t* dev) {
  char text[64];
  size_t actual = 0;
  dev->mapping = DMAC_MAPPING_PER_TRANSFER;
  dev->pin_mode = DMAC_PIN_PAGE;
  dev->pool_limit = 256ull << 20;
  /* Missing variables (another host) keep the defaults. */
  if (device_get_variable(dev->parent, "dmac.mapping", text, sizeof text, &actual) == ZX_OK) {
    if (!strcmp(text, "pool")) dev->mapping = DMAC_MAPPING_POOL;
    else if (strcmp(text, "per-transfer")) {
      zxlogf(ERROR, "dmac.mapping '%s': expected per-transfer or pool\n", text);
      return ZX_ERR_INVALID_ARGS;
    }
  }
  if (device_get_variable(dev->parent, "dmac.pin", text, sizeof text, &actual) == ZX_OK) {
    if (!strcmp(text, "compress")) dev->pin_mode = DMAC_PIN_COMPRESS;
    else if (!strcmp(text, "contiguous")) dev->pin_mode = DMAC_PIN_CONTIGUOUS;
    else if (strcmp(text, "page")) {
      zxlogf(ERROR, "dmac.pin '%s': expected page, compress or contiguous\n", text);
      return ZX_ERR_INVALID_ARGS;
    }
  }
  if (device_get_variable(dev->parent, "dmac.pool_size", text, sizeof text, &actual) == ZX_OK)
    dev->pool_limit = variable_size(text);
  dev->min_contiguity = ZX_PAGE_SIZE;
  zx_info_bti_t bti_info;
  if (zx_object_get_info(dev->bti, ZX_INFO_BTI, &bti_info, sizeof bti_info, NULL, NULL) == ZX_OK &&
      bti_info.minimum_contiguity >= ZX_PAGE_SIZE)
    dev->min_contiguity = bti_info.minimum_contiguity;
  if (dev->mapping == DMAC_MAPPING_POOL) {
    dev->pool = calloc(1, sizeof *dev->pool);
    if (!dev->pool) return ZX_ERR_NO_MEMORY;
    if (mtx_init(&dev->pool->lock, mtx_plain) != thrd_success) {
      free(dev->pool);
      dev->pool = NULL;
      return ZX_ERR_NO_RESOURCES;
    }
  }
  return ZX_OK;
}

zx_status_t dmac_pin(dmac_t* dev, uint32_t perms, zx_handle_t vmo, uint64_t offset, uint64_t size,
                     zx_paddr_t** out_addrs, uint64_t* out_chunk, zx_handle_t* out_pmt) {
  uint64_t chunk = ZX_PAGE_SIZE;
  uint32_t options = 0;
  if (dev->pin_mode == DMAC_PIN_CONTIGUOUS) {
    chunk = size;
    options = ZX_BTI_CONTIGUOUS;
  } else if (dev->pin_mode == DMAC_PIN_COMPRESS) {
    chunk = dev->min_contiguity;
    options = ZX_BTI_COMPRESS;
  }
  for (;;) {
    const uint64_t count = (size + chunk - 1) / chunk;
    zx_paddr_t* addrs = malloc(count * sizeof *addrs);
    if (!addrs) return ZX_ERR_NO_MEMORY;
    zx_status_t status = zx_bti_pin(dev->bti, perms | options, vmo, offset, size, addrs, count, out_pmt);
    if (status == ZX_OK) {
      *out_addrs = addrs;
      *out_chunk = chunk;
      return ZX_OK;
    }
    free(addrs);
    /* A VMO not created contiguous cannot be pinned contiguous: pin it by page. */
    if (status != ZX_ERR_INVALID_ARGS || options != ZX_BTI_CONTIGUOUS) return status;
    chunk = ZX_PAGE_SIZE;
    options = 0;
  }
}

static size_t koid_slot(zx_koid_t koid, size_t cap) {
  uint64_t h = koid * 0x9e3779b97f4a7c15ull; /* koids are sequential: spread them */
  return (size_t)(h >> 32) & (cap - 1);
}

static dmac_pool_entry_t* pool_find(struct dmac_pool* pool, zx_koid_t koid) {
  if (!pool->index_cap) return NULL;
  for (size_t s = koid_slot(koid, pool->index_cap);; s = (s + 1) & (pool->index_cap - 1)) {
    const size_t i = pool->index[s];
    if (!i) return NULL;
    if (pool->entries[i - 1].koid == koid) return &pool->entries[i - 1];
  }
}

static void index_put(size_t* index, size_t cap, zx_koid_t koid, size_t entry) {
  size_t s = koid_slot(koid, cap);
  while (index[s]) s = (s + 1) & (cap - 1);
  index[s] = entry + 1;
}

/* Room for one more entry in the index (kept at most half full). */
static zx_status_t index_reserve(struct dmac_pool* pool) {
  if (2 * (pool->count + 1) <= pool->index_cap) return ZX_OK;
  const size_t cap = pool->index_cap ? 2 * pool->index_cap : 16;
  size_t* index = calloc(cap, sizeof *index);
  if (!index) return ZX_ERR_NO_MEMORY;
  for (size_t i = 0; i < pool->count; ++i) index_put(index, cap, pool->entries[i].koid, i);
  free(pool->index);
  pool->index = index;
  pool->index_cap = cap;
  return ZX_OK;
}

zx_status_t dmac_pool_lookup(dmac_t* dev, zx_handle_t vmo, uint64_t offset, uint64_t length,
                             const zx_paddr_t** addrs, uint64_t* chunk, uint64_t* base) {
  struct dmac_pool* pool = dev->pool;
  if (!pool) return ZX_ERR_NEXT;
  zx_info_handle_basic_t info;
  uint64_t size = 0;
  zx_status_t status = zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL);
  if (status != ZX_OK) return status;
  if ((status = zx_vmo_get_size(vmo, &size)) != ZX_OK) return status;
  if (offset + length > size) return ZX_ERR_OUT_OF_RANGE;
  mtx_lock(&pool->lock);
  dmac_pool_entry_t* e = pool_find(pool, info.koid);
  if (!e || e->size < size) { /* new, or grown since it was pinned: pin per transfer */
    if (e || pool->pinned_bytes + size > dev->pool_limit) {
      mtx_unlock(&pool->lock);
      return ZX_ERR_NEXT;
    }
    if (pool->count == pool->cap) {
      size_t cap = pool->cap ? 2 * pool->cap : 8;
      dmac_pool_entry_t* grown = realloc(pool->entries, cap * sizeof *grown);
      if (!grown) {
        mtx_unlock(&pool->lock);
        return ZX_ERR_NO_MEMORY;
      }
      pool->entries = grown;
      pool->cap = cap;
    }
    if ((status = index_reserve(pool)) != ZX_OK) {
      mtx_unlock(&pool->lock);
      return status;
    }
    dmac_pool_entry_t fresh = {.koid = info.koid, .size = size, .pmt = ZX_HANDLE_INVALID};
    status = dmac_pin(dev, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, vmo, 0, size, &fresh.addrs, &fresh.chunk, &fresh.pmt);
    if (status != ZX_OK) {
      mtx_unlock(&pool->lock);
      return status;
    }
    index_put(pool->index, pool->index_cap, fresh.koid, pool->count);
    pool->entries[pool->count++] = fresh;
    pool->pinned_bytes += size;
    e = &pool->entries[pool->count - 1];
  }
  *addrs = e->addrs;
  *chunk = e->chunk;
  *base = 0;
  mtx_unlock(&pool->lock);
  return ZX_OK;
}

void dmac_pool_release(dmac_t* dev) {
  struct dmac_pool* pool = dev->pool;
  if (!pool) return;
  for (size_t i = 0; i < pool->count; ++i) {
    zx_status_t status = zx_pmt_unpin(pool->entries[i].pmt);
    if (status != ZX_OK) zxlogf(ERROR, "zx_pmt_unpin(pool): %s\n", zx_status_get_string(status));
    free(pool->entries[i].addrs);
  }
  free(pool->entries);
  free(pool->index);
  mtx_destroy(&pool->lock);
  free(pool);
  dev->pool = NULL;
}
