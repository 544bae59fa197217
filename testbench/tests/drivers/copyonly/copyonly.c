/* copyonly: a minimal driver of Staleline's DMA engine, written the way a user writes one
 * and built with staleline_add_driver(). It implements COPY of the DMA transfer protocol and
 * nothing else (WRITE_SRAM, READ_SRAM and FILL: ZX_ERR_NOT_SUPPORTED), runs one descriptor at a
 * time and polls CONSUMER instead of taking interrupts.
 *
 * Built several times by testbench/tests/drivers/CMakeLists.txt: copyonly.so, correct, and
 * one build per defect, each turned on by one define:
 *
 *   COPYONLY_SKIP_CLEAN      forgets to clean the source before the device reads it: on the
 *                            non-coherent platform the device copies stale memory (test_run);
 *
 * and the defects test_outputs needs to check how findings are written (call stacks, driver
 * faults, SARIF, compiler-style lines), built as outputs_*.so under the driver name "outputs":
 *
 *   COPYONLY_LEAK_IN_HELPER  do_copy never unpins: each transfer leaks two pins, both made in the
 *                            helper pin(), called from two lines of do_copy (the call stacks tell
 *                            them apart);
 *   COPYONLY_CORRUPT         after each copy the driver overwrites the destination's first byte
 *                            through the cache and cleans it: wrong data, and nothing a coherency
 *                            checker can find;
 *   COPYONLY_NULL_STORE      the first copy stores through a null pointer: a crash in driver code;
 *   COPYONLY_UNMAPPED_STORE  the first copy stores to the ring after unmapping it: an access to
 *                            unmapped VMO memory;
 *   COPYONLY_BAR_MEMCPY      the first copy writes a register with memcpy: a BAR access the
 *                            platform cannot serve as MMIO;
 *
 * the fidelity switches' test driver (docs/fidelity.md, test_fidelity), built as fidelity*.so
 * under the driver name "fidelity":
 *
 *   COPYONLY_SELF_TEST       at bind, copy a fresh page (zeros) into another and check that
 *                            zeros arrived (fidelity.so: correct);
 *   COPYONLY_ASSUME_CONTIGUOUS  give the engine the first page's address and the whole length,
 *                            as if the pages of a pin were adjacent for the device (Zircon's
 *                            ahci, eda40f0). With iommu.scatter they are not: IOMMU fault;
 *   COPYONLY_FRESH_NO_CLEAN  with the self-test, do not clean its source "because nobody wrote
 *                            it": a fresh page reads as zero to the CPU, but with
 *                            dram.fresh_pages=garbage the zeros are dirty cache lines and the
 *                            engine reads the bytes DRAM held before;
 *
 * and, built as outside_pin.so (test_dma_outside_pin):
 *
 *   COPYONLY_OUTSIDE_PIN     the first descriptor of each copy sends the device one page past
 *                            the last page pinned for the destination: with translation off
 *                            the device writes memory no pin covers (dma-outside-pin), with it
 *                            on the IOMMU refuses the write (iommu-fault).
 *
 * Helpers are noinline so that each call is a frame of its own at a known line. Lines marked
 * "LINE:" are asserted by test_outputs.c: keep them where they are. */
#include <ddk/binding.h>
#include <ddk/debug.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <hw/arch_ops.h>
#include <hw/reg.h>
#include <staleline/dmac-protocol.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

/* The driver's name (COPYONLY_NAME, set by the build; copyonly by default). */
#ifndef COPYONLY_NAME
#define COPYONLY_NAME copyonly
#endif
#define COPYONLY_STR2(x) #x
#define COPYONLY_STR(x) COPYONLY_STR2(x)
#define COPYONLY_NAME_STR COPYONLY_STR(COPYONLY_NAME)

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

typedef struct copyonly {
  zx_device_t* zxdev;
  pci_protocol_t pci;
  volatile uint8_t* regs;
  size_t regs_size;
  zx_handle_t regs_vmo, bti, ring_vmo, ring_pmt;
  desc_t* ring;
  zx_paddr_t ring_addr;
  uint32_t next; /* slot of the next descriptor */
  mtx_t lock;
  zx_status_t first_error;
  dma_xfer_stats_t stats;
  uint32_t* nowhere; /* stays NULL */
  bool self_testing;  /* the bind-time self-test's copy is running (COPYONLY_SELF_TEST) */
} copyonly_t;

/* Run one descriptor and wait for it. */
__attribute__((noinline)) static zx_status_t run_desc(copyonly_t* dev, uint64_t src, uint64_t dst, uint32_t len) {
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
  writel(dev->next, dev->regs + REG_PRODUCER); /* LINE: doorbell */
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

__attribute__((noinline)) static zx_status_t pin(copyonly_t* dev, zx_handle_t vmo, uint64_t off, uint64_t len, uint32_t perm,
                       zx_paddr_t** addrs, zx_handle_t* pmt) {
  uint64_t first = off & ~(uint64_t)(PAGE - 1), end = (off + len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
  size_t n = (end - first) / PAGE;
  *addrs = malloc(n * sizeof **addrs);
  if (!*addrs) return ZX_ERR_NO_MEMORY;
  zx_status_t st = zx_bti_pin(dev->bti, perm, vmo, first, end - first, *addrs, n, pmt); /* LINE: pin */
  if (st != ZX_OK) {
    free(*addrs);
    *addrs = NULL;
  }
  return st;
}

__attribute__((noinline)) static zx_status_t do_copy(copyonly_t* dev, const dma_xfer_op_t* op) {
  uint64_t size;
  zx_status_t st;
  if (op->length == 0) return ZX_ERR_INVALID_ARGS;
  if ((st = zx_vmo_get_size(op->src_vmo, &size)) != ZX_OK) return st;
  if (op->src_offset > size || op->length > size - op->src_offset) return ZX_ERR_OUT_OF_RANGE;
  if ((st = zx_vmo_get_size(op->dst_vmo, &size)) != ZX_OK) return st;
  if (op->dst_offset > size || op->length > size - op->dst_offset) return ZX_ERR_OUT_OF_RANGE;

  zx_paddr_t *sa = NULL, *da = NULL;
  zx_handle_t spmt = ZX_HANDLE_INVALID, dpmt = ZX_HANDLE_INVALID;
  if ((st = pin(dev, op->src_vmo, op->src_offset, op->length, ZX_BTI_PERM_READ, &sa, &spmt)) != ZX_OK) return st; /* LINE: src */
  if ((st = pin(dev, op->dst_vmo, op->dst_offset, op->length, ZX_BTI_PERM_WRITE, &da, &dpmt)) != ZX_OK) goto out; /* LINE: dst */
#ifndef COPYONLY_SKIP_CLEAN
#ifdef COPYONLY_FRESH_NO_CLEAN
  if (!dev->self_testing) /* the self-test's fresh source "needs no clean" */
#endif
    zx_vmo_op_range(op->src_vmo, ZX_VMO_OP_CACHE_CLEAN, op->src_offset, op->length, NULL, 0);
#endif
#if defined(COPYONLY_NULL_STORE)
  if (dev->stats.transfers == 0) *(volatile uint32_t*)dev->nowhere = 1; /* LINE: null */
#elif defined(COPYONLY_BAR_MEMCPY)
  if (dev->stats.transfers == 0) {
    const uint32_t go = 1;
    memcpy((void*)(dev->regs + REG_PRODUCER), &go, sizeof go); /* LINE: bar */
  }
#elif defined(COPYONLY_UNMAPPED_STORE)
  if (dev->stats.transfers == 0) {
    zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)dev->ring, PAGE);
    dev->ring->status = 1; /* LINE: unmapped */
  }
#endif
  zx_vmo_op_range(op->dst_vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, op->dst_offset, op->length, NULL, 0);

  /* One descriptor per piece that stays within a page on both sides: every page has its own
   * device address. */
  const uint64_t sbase = op->src_offset & ~(uint64_t)(PAGE - 1), dbase = op->dst_offset & ~(uint64_t)(PAGE - 1);
#ifdef COPYONLY_ASSUME_CONTIGUOUS
  /* The first address and the whole length, as if the pin were one run for the device. */
  if (op->length <= UINT32_MAX)
    st = run_desc(dev, sa[0] + (op->src_offset - sbase), da[0] + (op->dst_offset - dbase), (uint32_t)op->length);
  else
#endif
  for (uint64_t done = 0; done < op->length && st == ZX_OK;) {
    uint64_t s = op->src_offset + done, d = op->dst_offset + done;
    uint64_t n = op->length - done;
    if (n > PAGE - s % PAGE) n = PAGE - s % PAGE;
    if (n > PAGE - d % PAGE) n = PAGE - d % PAGE;
#ifdef COPYONLY_OUTSIDE_PIN
    const uint64_t last = (op->dst_offset + op->length - 1 - dbase) / PAGE;
    const zx_paddr_t to = done == 0 ? da[last] + PAGE + d % PAGE : da[(d - dbase) / PAGE] + d % PAGE;
#else
    const zx_paddr_t to = da[(d - dbase) / PAGE] + d % PAGE;
#endif
    st = run_desc(dev, sa[(s - sbase) / PAGE] + s % PAGE, to, (uint32_t)n);
    done += n;
  }
  zx_vmo_op_range(op->dst_vmo, ZX_VMO_OP_CACHE_INVALIDATE, op->dst_offset, op->length, NULL, 0);
#ifdef COPYONLY_CORRUPT
  if (st == ZX_OK) {
    uint8_t b;
    zx_vmo_read(op->dst_vmo, &b, op->dst_offset, 1);
    b ^= 0x5a;
    zx_vmo_write(op->dst_vmo, &b, op->dst_offset, 1);
    zx_vmo_op_range(op->dst_vmo, ZX_VMO_OP_CACHE_CLEAN, op->dst_offset, 1, NULL, 0);
  }
#endif
out:
#ifndef COPYONLY_LEAK_IN_HELPER
  if (dpmt != ZX_HANDLE_INVALID) zx_pmt_unpin(dpmt);
  zx_pmt_unpin(spmt);
#endif
  free(sa);
  free(da);
  return st;
}

#ifdef COPYONLY_SELF_TEST
/* At bind: copy a fresh page (zeros) into another and check that zeros arrived. A wrong byte
 * is logged, not fatal: the run goes on and the checker says why. */
static zx_status_t self_test(copyonly_t* dev) {
  zx_handle_t src = ZX_HANDLE_INVALID, dst = ZX_HANDLE_INVALID;
  zx_status_t st = zx_vmo_create(PAGE, 0, &src);
  if (st == ZX_OK) st = zx_vmo_create(PAGE, 0, &dst);
  if (st == ZX_OK) {
    const dma_xfer_op_t op = {.opcode = DMA_XFER_OP_COPY, .src_vmo = src, .dst_vmo = dst, .length = PAGE};
    dev->self_testing = true;
    st = do_copy(dev, &op);
    dev->self_testing = false;
  }
  uint8_t* got = st == ZX_OK ? malloc(PAGE) : NULL;
  if (st == ZX_OK) st = got ? zx_vmo_read(dst, got, 0, PAGE) : ZX_ERR_NO_MEMORY;
  for (size_t i = 0; st == ZX_OK && i < PAGE; ++i)
    if (got[i]) {
      zxlogf(ERROR, COPYONLY_NAME_STR ": self-test: byte %zu of a copied zero page is 0x%02x\n", i, got[i]);
      break;
    }
  free(got);
  zx_handle_close(dst);
  zx_handle_close(src);
  return st;
}
#endif

static zx_status_t co_transfer(void* ctx, const dma_xfer_op_t* op) {
  copyonly_t* dev = ctx;
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

/* Synchronous underneath: queue runs the copy, then reports. */
static zx_status_t co_queue(void* ctx, const dma_xfer_op_t* op) {
  copyonly_t* dev = ctx;
  zx_status_t st = co_transfer(ctx, op);
  if (st == ZX_ERR_NOT_SUPPORTED || st == ZX_ERR_INVALID_ARGS) return st;
  if (st != ZX_OK && dev->first_error == ZX_OK) dev->first_error = st;
  if (op->complete) op->complete(op->cookie, st);
  return ZX_OK;
}

static zx_status_t co_wait_all(void* ctx) {
  copyonly_t* dev = ctx;
  zx_status_t st = dev->first_error;
  dev->first_error = ZX_OK;
  return st;
}

static zx_status_t co_get_info(void* ctx, dma_xfer_info_t* out) {
  if (!out) return ZX_ERR_INVALID_ARGS;
  memset(out, 0, sizeof *out);
  out->max_length = UINT32_MAX;
  out->ops_supported = 1u << DMA_XFER_OP_COPY;
  out->ring_entries = RING_SLOTS;
  return ZX_OK;
}

static zx_status_t co_get_stats(void* ctx, dma_xfer_stats_t* out) {
  copyonly_t* dev = ctx;
  if (!out) return ZX_ERR_INVALID_ARGS;
  *out = dev->stats;
  return ZX_OK;
}

static dma_xfer_protocol_ops_t co_protocol_ops = {
    .get_info = co_get_info,
    .transfer = co_transfer,
    .queue = co_queue,
    .wait_all = co_wait_all,
    .get_stats = co_get_stats,
};

static void co_teardown(copyonly_t* dev) {
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

static void co_unbind(void* ctx) {
  copyonly_t* dev = ctx;
  device_remove(dev->zxdev);
}

static void co_release(void* ctx) { co_teardown(ctx); }

static zx_protocol_device_t co_device_ops = {
    .version = DEVICE_OPS_VERSION,
    .unbind = co_unbind,
    .release = co_release,
};

static zx_status_t co_bind(void* ctx, zx_device_t* parent) {
  copyonly_t* dev = calloc(1, sizeof *dev);
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
#ifdef COPYONLY_SELF_TEST
  if ((st = self_test(dev)) != ZX_OK) goto fail;
#endif

  device_add_args_t args = {
      .version = DEVICE_ADD_ARGS_VERSION,
      .name = COPYONLY_NAME_STR,
      .ctx = dev,
      .ops = &co_device_ops,
      .proto_id = ZX_PROTOCOL_DMA_XFER,
      .proto_ops = &co_protocol_ops,
  };
  if ((st = device_add(parent, &args, &dev->zxdev)) != ZX_OK) goto fail;
  return ZX_OK;
fail:
  zxlogf(ERROR, COPYONLY_NAME_STR ": bind failed: %s\n", zx_status_get_string(st));
  co_teardown(dev);
  return st;
}

static zx_driver_ops_t co_driver_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = co_bind,
};

/* The driver's name is a macro argument: expand it before ZIRCON_DRIVER_BEGIN stringifies it. */
#define COPYONLY_BEGIN(name) ZIRCON_DRIVER_BEGIN(name, co_driver_ops, "staleline-tests", "0.1", 1)
#define COPYONLY_END(name) ZIRCON_DRIVER_END(name)

COPYONLY_BEGIN(COPYONLY_NAME)
    BI_MATCH_IF(EQ, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
COPYONLY_END(COPYONLY_NAME)
