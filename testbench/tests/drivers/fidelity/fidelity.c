/* fidelity: a small driver of Staleline's DMA engine for the fidelity switches
 * (docs/fidelity.md): COPY only, one descriptor at a time, polling CONSUMER, and at bind a
 * self-test that copies a fresh (zero) page into another and checks the result.
 *
 * The correct build uses every device address zx_bti_pin returns (a descriptor never crosses
 * a point where the addresses stop being adjacent) and cleans the self-test's source before
 * the engine reads it. Two builds each carry one mistake a real driver made:
 *  FIDELITY_ASSUME_CONTIGUOUS  gives the engine the first page's address and the whole length,
 *                              as if the pages of a pin were adjacent for the device (Zircon's
 *                              ahci, eda40f0). With iommu.scatter they are not: IOMMU fault.
 *  FIDELITY_FRESH_NO_CLEAN     does not clean the self-test's source "because nobody wrote
 *                              it": a fresh page reads as zero to the CPU, but with
 *                              dram.fresh_pages=garbage the zeros are dirty cache lines and
 *                              the engine reads the bytes DRAM held before. */
#include <ddk/binding.h>
#include <ddk/debug.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <hw/arch_ops.h>
#include <hw/reg.h>
#include <staleline/dmac-protocol.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

/* The engine's programming interface (rtl/README.md). */
#define REG_ID 0x000
#define REG_CTRL 0x008
#define REG_STATUS 0x00c
#define REG_RING_LO 0x010
#define REG_RING_HI 0x014
#define REG_RING_SIZE 0x018
#define REG_PRODUCER 0x01c
#define REG_CONSUMER 0x020
#define CTRL_ENABLE 1u
#define CTRL_SRST 2u
#define STATUS_HALTED 2u
#define OP_COPY 1u
#define RING_SLOTS 4u
#define PAGE ZX_PAGE_SIZE

typedef struct desc {
  uint64_t src, dst;
  uint32_t len;
  uint8_t op, flags;
  uint16_t reserved;
  uint32_t status, crc;
} desc_t;

typedef struct fidelity {
  zx_device_t* zxdev;
  pci_protocol_t pci;
  volatile uint8_t* regs;
  size_t regs_size;
  zx_handle_t regs_vmo, bti, ring_vmo, ring_pmt;
  desc_t* ring;
  zx_paddr_t ring_addr;
  uint32_t next;
  mtx_t lock;
  zx_status_t first_error;
  dma_xfer_stats_t stats;
} fidelity_t;

/* A pinned page-rounded range: one device address per page. */
typedef struct pinned {
  zx_paddr_t* addrs;
  uint64_t base; /* VMO offset of addrs[0] */
  size_t count;
  zx_handle_t pmt;
} pinned_t;

static zx_status_t run_desc(fidelity_t* dev, uint64_t src, uint64_t dst, uint32_t len) {
  desc_t* d = &dev->ring[dev->next];
  d->src = src;
  d->dst = dst;
  d->len = len;
  d->op = OP_COPY;
  d->flags = 0;
  d->reserved = 0;
  d->status = 0;
  d->crc = 0;
  zx_cache_flush(d, sizeof *d, ZX_CACHE_FLUSH_DATA);
  dev->next = (dev->next + 1) % RING_SLOTS;
  hw_wmb();
  writel(dev->next, dev->regs + REG_PRODUCER); /* fidelity: doorbell */
  for (int i = 0; i < 1000000; ++i) {
    if ((readl(dev->regs + REG_CONSUMER) & 0xffffu) == dev->next) {
      zx_cache_flush(&d->status, 8, ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE);
      dev->stats.descriptors++;
      return (d->status & 3u) == 1u ? ZX_OK : ZX_ERR_IO;
    }
    if (readl(dev->regs + REG_STATUS) & STATUS_HALTED) return ZX_ERR_IO;
    zx_nanosleep(zx_deadline_after(ZX_USEC(1)));
  }
  return ZX_ERR_TIMED_OUT;
}

static zx_status_t pin(fidelity_t* dev, zx_handle_t vmo, uint64_t off, uint64_t len, uint32_t perm, pinned_t* p) {
  p->base = off & ~(uint64_t)(PAGE - 1);
  const uint64_t end = (off + len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
  p->count = (end - p->base) / PAGE;
  p->pmt = ZX_HANDLE_INVALID;
  p->addrs = malloc(p->count * sizeof *p->addrs);
  if (!p->addrs) return ZX_ERR_NO_MEMORY;
  zx_status_t st = zx_bti_pin(dev->bti, perm, vmo, p->base, end - p->base, p->addrs, p->count, &p->pmt);
  if (st != ZX_OK) {
    free(p->addrs);
    p->addrs = NULL;
  }
  return st;
}

static void unpin(pinned_t* p) {
  if (p->pmt != ZX_HANDLE_INVALID) zx_pmt_unpin(p->pmt);
  free(p->addrs);
  memset(p, 0, sizeof *p);
}

/* Device address of VMO offset o, and how many bytes from it stay adjacent for the device. */
static zx_paddr_t dev_addr(const pinned_t* p, uint64_t o, uint64_t* adjacent) {
  size_t k = (o - p->base) / PAGE;
  const zx_paddr_t a = p->addrs[k] + (o - p->base) % PAGE;
  uint64_t n = PAGE - (o - p->base) % PAGE;
  while (k + 1 < p->count && p->addrs[k + 1] == p->addrs[k] + PAGE) {
    ++k;
    n += PAGE;
  }
  *adjacent = n;
  return a;
}

static zx_status_t copy_pinned(fidelity_t* dev, const pinned_t* s, uint64_t soff, const pinned_t* d, uint64_t doff,
                               uint64_t length) {
  zx_status_t st = ZX_OK;
#ifdef FIDELITY_ASSUME_CONTIGUOUS
  /* The first address and the whole length, as if the pin were one run for the device. */
  (void)dev_addr;
  st = run_desc(dev, s->addrs[0] + (soff - s->base), d->addrs[0] + (doff - d->base), (uint32_t)length); /* fidelity: contiguity assumed */
#else
  for (uint64_t done = 0; done < length && st == ZX_OK;) {
    uint64_t sn, dn;
    const zx_paddr_t sa = dev_addr(s, soff + done, &sn), da = dev_addr(d, doff + done, &dn);
    uint64_t n = length - done;
    if (n > sn) n = sn;
    if (n > dn) n = dn;
    if (n > 0x80000000u) n = 0x80000000u;
    st = run_desc(dev, sa, da, (uint32_t)n);
    done += n;
  }
#endif
  return st;
}

static zx_status_t do_copy(fidelity_t* dev, const dma_xfer_op_t* op) {
  uint64_t size;
  zx_status_t st;
  if (op->length == 0 || op->length > UINT32_MAX) return ZX_ERR_INVALID_ARGS;
  if ((st = zx_vmo_get_size(op->src_vmo, &size)) != ZX_OK) return st;
  if (op->src_offset > size || op->length > size - op->src_offset) return ZX_ERR_OUT_OF_RANGE;
  if ((st = zx_vmo_get_size(op->dst_vmo, &size)) != ZX_OK) return st;
  if (op->dst_offset > size || op->length > size - op->dst_offset) return ZX_ERR_OUT_OF_RANGE;
  pinned_t s = {0}, d = {0};
  if ((st = pin(dev, op->src_vmo, op->src_offset, op->length, ZX_BTI_PERM_READ, &s)) != ZX_OK) return st;
  if ((st = pin(dev, op->dst_vmo, op->dst_offset, op->length, ZX_BTI_PERM_WRITE, &d)) == ZX_OK) {
    zx_vmo_op_range(op->src_vmo, ZX_VMO_OP_CACHE_CLEAN, op->src_offset, op->length, NULL, 0);
    zx_vmo_op_range(op->dst_vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, op->dst_offset, op->length, NULL, 0);
    st = copy_pinned(dev, &s, op->src_offset, &d, op->dst_offset, op->length);
    zx_vmo_op_range(op->dst_vmo, ZX_VMO_OP_CACHE_INVALIDATE, op->dst_offset, op->length, NULL, 0);
  }
  unpin(&d);
  unpin(&s);
  return st;
}

/* At bind: copy a fresh page (zeros) into another and check that zeros arrived. */
static zx_status_t self_test(fidelity_t* dev) {
  zx_handle_t src = ZX_HANDLE_INVALID, dst = ZX_HANDLE_INVALID;
  pinned_t s = {0}, d = {0};
  zx_status_t st = zx_vmo_create(PAGE, 0, &src);
  if (st == ZX_OK) st = zx_vmo_create(PAGE, 0, &dst);
  if (st == ZX_OK) st = pin(dev, src, 0, PAGE, ZX_BTI_PERM_READ, &s);
  if (st == ZX_OK) st = pin(dev, dst, 0, PAGE, ZX_BTI_PERM_WRITE, &d);
  if (st == ZX_OK) {
#ifndef FIDELITY_FRESH_NO_CLEAN
    zx_vmo_op_range(src, ZX_VMO_OP_CACHE_CLEAN, 0, PAGE, NULL, 0); /* the kernel's zeros may still be in the cache */
#endif
    zx_vmo_op_range(dst, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, PAGE, NULL, 0);
    st = copy_pinned(dev, &s, 0, &d, 0, PAGE);
    zx_vmo_op_range(dst, ZX_VMO_OP_CACHE_INVALIDATE, 0, PAGE, NULL, 0);
  }
  if (st == ZX_OK) {
    uint8_t* got = malloc(PAGE);
    st = got ? zx_vmo_read(dst, got, 0, PAGE) : ZX_ERR_NO_MEMORY;
    for (size_t i = 0; st == ZX_OK && i < PAGE; ++i)
      if (got[i]) {
        zxlogf(ERROR, "fidelity: self-test: byte %zu of a copied zero page is 0x%02x\n", i, got[i]);
        break;
      }
    free(got);
  }
  unpin(&d);
  unpin(&s);
  zx_handle_close(dst);
  zx_handle_close(src);
  return st;
}

static zx_status_t fi_transfer(void* ctx, const dma_xfer_op_t* op) {
  fidelity_t* dev = ctx;
  if (!op) return ZX_ERR_INVALID_ARGS;
  if (op->opcode != DMA_XFER_OP_COPY) return ZX_ERR_NOT_SUPPORTED;
  mtx_lock(&dev->lock);
  zx_status_t st = do_copy(dev, op);
  dev->stats.transfers++;
  if (st == ZX_OK) dev->stats.bytes += op->length;
  else dev->stats.errors++;
  mtx_unlock(&dev->lock);
  return st;
}

static zx_status_t fi_queue(void* ctx, const dma_xfer_op_t* op) {
  fidelity_t* dev = ctx;
  zx_status_t st = fi_transfer(ctx, op);
  if (st == ZX_ERR_NOT_SUPPORTED || st == ZX_ERR_INVALID_ARGS) return st;
  if (st != ZX_OK && dev->first_error == ZX_OK) dev->first_error = st;
  if (op->complete) op->complete(op->cookie, st);
  return ZX_OK;
}

static zx_status_t fi_wait_all(void* ctx) {
  fidelity_t* dev = ctx;
  zx_status_t st = dev->first_error;
  dev->first_error = ZX_OK;
  return st;
}

static zx_status_t fi_get_info(void* ctx, dma_xfer_info_t* out) {
  (void)ctx;
  if (!out) return ZX_ERR_INVALID_ARGS;
  memset(out, 0, sizeof *out);
  out->max_length = UINT32_MAX;
  out->ops_supported = 1u << DMA_XFER_OP_COPY;
  out->ring_entries = RING_SLOTS;
  return ZX_OK;
}

static zx_status_t fi_get_stats(void* ctx, dma_xfer_stats_t* out) {
  fidelity_t* dev = ctx;
  if (!out) return ZX_ERR_INVALID_ARGS;
  *out = dev->stats;
  return ZX_OK;
}

static dma_xfer_protocol_ops_t fi_protocol_ops = {
    .get_info = fi_get_info,
    .transfer = fi_transfer,
    .queue = fi_queue,
    .wait_all = fi_wait_all,
    .get_stats = fi_get_stats,
};

static void fi_teardown(fidelity_t* dev) {
  if (dev->regs) {
    writel(0, dev->regs + REG_CTRL);
    pci_enable_bus_master(&dev->pci, false);
    zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)dev->regs, dev->regs_size);
  }
  if (dev->ring_pmt != ZX_HANDLE_INVALID) zx_pmt_unpin(dev->ring_pmt);
  if (dev->ring) zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)dev->ring, PAGE);
  zx_handle_close(dev->ring_vmo);
  zx_handle_close(dev->bti);
  zx_handle_close(dev->regs_vmo);
  mtx_destroy(&dev->lock);
  free(dev);
}

static void fi_unbind(void* ctx) {
  fidelity_t* dev = ctx;
  device_remove(dev->zxdev);
}

static void fi_release(void* ctx) { fi_teardown(ctx); }

static zx_protocol_device_t fi_device_ops = {
    .version = DEVICE_OPS_VERSION,
    .unbind = fi_unbind,
    .release = fi_release,
};

static zx_status_t fi_bind(void* ctx, zx_device_t* parent) {
  (void)ctx;
  fidelity_t* dev = calloc(1, sizeof *dev);
  if (!dev) return ZX_ERR_NO_MEMORY;
  mtx_init(&dev->lock, mtx_plain);
  void* regs = NULL;
  zx_status_t st = device_get_protocol(parent, ZX_PROTOCOL_PCI, &dev->pci);
  if (st == ZX_OK)
    st = pci_map_bar(&dev->pci, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, &regs, &dev->regs_size, &dev->regs_vmo);
  if (st != ZX_OK) goto fail;
  dev->regs = regs;
  if (readl(dev->regs + REG_ID) != 0x444d4131u) {
    st = ZX_ERR_NOT_SUPPORTED;
    goto fail;
  }
  writel(CTRL_SRST, dev->regs + REG_CTRL);
  while (readl(dev->regs + REG_CTRL) & CTRL_SRST) zx_nanosleep(zx_deadline_after(ZX_USEC(1)));
  if ((st = pci_enable_bus_master(&dev->pci, true)) != ZX_OK) goto fail;
  if ((st = pci_get_bti(&dev->pci, 0, &dev->bti)) != ZX_OK) goto fail;
  if ((st = zx_vmo_create_contiguous(dev->bti, PAGE, 0, &dev->ring_vmo)) != ZX_OK) goto fail;
  zx_vaddr_t va;
  if ((st = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, dev->ring_vmo, 0, PAGE, &va)) !=
      ZX_OK)
    goto fail;
  dev->ring = (desc_t*)va;
  if ((st = zx_bti_pin(dev->bti, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE | ZX_BTI_CONTIGUOUS, dev->ring_vmo, 0, PAGE,
                       &dev->ring_addr, 1, &dev->ring_pmt)) != ZX_OK)
    goto fail;
  writel((uint32_t)dev->ring_addr, dev->regs + REG_RING_LO);
  writel((uint32_t)(dev->ring_addr >> 32), dev->regs + REG_RING_HI);
  writel(RING_SLOTS, dev->regs + REG_RING_SIZE);
  writel(CTRL_ENABLE, dev->regs + REG_CTRL);
  if ((st = self_test(dev)) != ZX_OK) goto fail;

  device_add_args_t args = {
      .version = DEVICE_ADD_ARGS_VERSION,
      .name = "fidelity",
      .ctx = dev,
      .ops = &fi_device_ops,
      .proto_id = ZX_PROTOCOL_DMA_XFER,
      .proto_ops = &fi_protocol_ops,
  };
  if ((st = device_add(parent, &args, &dev->zxdev)) != ZX_OK) goto fail;
  return ZX_OK;
fail:
  zxlogf(ERROR, "fidelity: bind failed: %s\n", zx_status_get_string(st));
  fi_teardown(dev);
  return st;
}

static zx_driver_ops_t fi_driver_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = fi_bind,
};

ZIRCON_DRIVER_BEGIN(fidelity, fi_driver_ops, "staleline-tests", "0.1", 1)
    BI_MATCH_IF(EQ, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
ZIRCON_DRIVER_END(fidelity)
