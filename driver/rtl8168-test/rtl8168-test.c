/* rtl8168-test.c: a small driver for the RTL8168 model (devices/rtl8168) that publishes the
 * Ethernet MAC protocol of 2018 (ddk/protocol/ethernet.h). Correct on a platform whose CPU
 * cache does not snoop DMA:
 *
 *   - registers through BAR 2 (BAR 0 is the I/O BAR, which it does not map);
 *   - one contiguous DMA buffer: TX ring, RX ring (64 descriptors of 16 bytes each), then
 *     one 2 KiB buffer per descriptor, so no buffer shares a cache line with another;
 *   - descriptors share cache lines (four to a 64-byte line) and the device writes them back,
 *     so the CPU writes a descriptor line only while the device cannot touch it, and cleans
 *     and invalidates it right after, so that no stale copy of it stays in the cache:
 *       TX: queue_tx waits until the previous TX walk is over (TPPOLL.NPQ reads 0), then
 *           copy -> clean the buffer -> write the descriptor -> clean+invalidate it -> TPPOLL;
 *       RX: a descriptor handed back is read after an invalidate, its buffer invalidated and
 *           given to recv(); descriptors are given back to the device a whole cache line at a
 *           time, once the CPU owns all of that line's descriptors;
 *   - MSI if offered, else INTx; ISR acknowledged (write 1 to clear) before it is handled.
 *
 * RTL8168_TEST_BUG_TX_DESC_NOT_CLEANED=1 builds the variant without the TX descriptor's clean:
 * the device reads a stale descriptor when TPPOLL rings. */
#include <ddk/binding.h>
#include <ddk/debug.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/ethernet.h>
#include <ddk/protocol/pci.h>
#include <hw/arch_ops.h>
#include <hw/reg.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <zircon/syscalls.h>

#include "rtl8168-regs.h"

#ifndef RTL8168_TEST_BUG_TX_DESC_NOT_CLEANED
#define RTL8168_TEST_BUG_TX_DESC_NOT_CLEANED 0
#endif

#define RING 64u           /* descriptors per ring */
#define BUF 2048u          /* bytes per buffer: a multiple of any cache line */
#define TX_MAX 1514u       /* longest frame queue_tx takes */
#define RING_BYTES (RING * RTL8168_DESC_SIZE)
#define TX_RING_OFF 0u
#define RX_RING_OFF RING_BYTES
#define TX_BUF_OFF 4096u /* after both rings, page aligned */
#define RX_BUF_OFF (TX_BUF_OFF + RING * BUF)
#define DMA_BYTES (RX_BUF_OFF + RING * BUF)
#define TX_WAIT ZX_MSEC(100) /* longest wait for the previous TX walk */

typedef struct rtl_desc {
  uint32_t opts1, opts2;
  uint64_t addr;
} rtl_desc_t;

typedef struct rtl {
  zx_device_t* zxdev;
  pci_protocol_t pci;
  volatile uint8_t* regs;
  size_t regs_size;
  zx_handle_t regs_vmo, bti, irq, vmo, pmt;
  uint8_t* va;       /* the DMA buffer, cached */
  zx_paddr_t bus;    /* its device address */
  uint32_t line;     /* data cache line size */
  mtx_t lock;        /* ifc, RX state */
  mtx_t tx_lock;
  /* Counters that only grow (slot = counter % RING): the next TX descriptor, the next RX
   * descriptor to look at, and the next RX descriptor to give back to the device. */
  unsigned tx_idx, rx_idx, rx_armed;
  uint8_t mac[6];
  ethmac_ifc_t ifc;
  thrd_t irq_thread;
  bool irq_thread_started;
} rtl_t;

static uint8_t rd8(rtl_t* d, unsigned r) { return readb(d->regs + r); }
static uint16_t rd16(rtl_t* d, unsigned r) { return readw(d->regs + r); }
static void wr8(rtl_t* d, unsigned r, uint8_t v) { writeb(v, d->regs + r); }
static void wr16(rtl_t* d, unsigned r, uint16_t v) { writew(v, d->regs + r); }
static void wr32(rtl_t* d, unsigned r, uint32_t v) { writel(v, d->regs + r); }

static rtl_desc_t* tx_desc(rtl_t* d, unsigned i) { return (rtl_desc_t*)(d->va + TX_RING_OFF) + i; }
static rtl_desc_t* rx_desc(rtl_t* d, unsigned i) { return (rtl_desc_t*)(d->va + RX_RING_OFF) + i; }

/* Cache maintenance on [p, p + len) of the DMA buffer. */
static void clean(rtl_t* d, const void* p, size_t len) {
  zx_vmo_op_range(d->vmo, ZX_VMO_OP_CACHE_CLEAN, (uint64_t)((const uint8_t*)p - d->va), len, NULL, 0);
}
static void clean_invalidate(rtl_t* d, const void* p, size_t len) {
  zx_vmo_op_range(d->vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, (uint64_t)((const uint8_t*)p - d->va), len, NULL, 0);
}
static void invalidate(rtl_t* d, const void* p, size_t len) {
  const uint64_t off = (uint64_t)((const uint8_t*)p - d->va);
  if (zx_vmo_op_range(d->vmo, ZX_VMO_OP_CACHE_INVALIDATE, off, len, NULL, 0) == ZX_ERR_NOT_SUPPORTED)
    zx_vmo_op_range(d->vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, off, len, NULL, 0); /* production kernels */
}

/* Descriptors per cache line. */
static unsigned per_line(const rtl_t* d) { return d->line / RTL8168_DESC_SIZE; }

/* ---- receive ---- */

/* Give RX descriptors [rx_armed, upto) back to the device, whole cache lines only (descriptor
 * j may be given back once j - RING has been consumed: upto = rx_idx + RING). */
static void rx_rearm(rtl_t* d, unsigned upto) {
  const unsigned n = per_line(d);
  while (upto - d->rx_armed >= n) {
    for (unsigned k = 0; k < n; ++k) {
      const unsigned i = (d->rx_armed + k) % RING;
      rtl_desc_t* r = rx_desc(d, i);
      r->addr = d->bus + RX_BUF_OFF + (uint64_t)i * BUF;
      r->opts2 = 0;
      r->opts1 = RTL8168_DESC_OWN | (i == RING - 1 ? RTL8168_DESC_EOR : 0) | BUF;
    }
    clean_invalidate(d, rx_desc(d, d->rx_armed % RING), d->line);
    d->rx_armed += n;
  }
}

static void rx_poll(rtl_t* d) {
  mtx_lock(&d->lock);
  for (;;) {
    const unsigned i = d->rx_idx % RING;
    rtl_desc_t* r = rx_desc(d, i);
    invalidate(d, r, sizeof *r);
    const uint32_t opts1 = r->opts1;
    if (opts1 & RTL8168_DESC_OWN) break;
    size_t len = opts1 & RTL8168_RX_LEN_MASK;
    len = len >= RTL8168_FCS_LEN ? len - RTL8168_FCS_LEN : 0; /* the length counts the FCS */
    const uint8_t* buf = d->va + RX_BUF_OFF + (uint64_t)i * BUF;
    invalidate(d, buf, len);
    if (d->ifc.ops) ethmac_ifc_recv(&d->ifc, buf, len, 0);
    ++d->rx_idx;
    rx_rearm(d, d->rx_idx + RING);
  }
  mtx_unlock(&d->lock);
}

static int irq_thread(void* arg) {
  rtl_t* d = arg;
  for (;;) {
    if (zx_interrupt_wait(d->irq, NULL) != ZX_OK) break;
    uint16_t isr;
    while ((isr = rd16(d, RTL8168_ISR)) != 0) {
      wr16(d, RTL8168_ISR, isr); /* acknowledge first: a later event raises a new message */
      if (isr & (RTL8168_INT_ROK | RTL8168_INT_RDU)) rx_poll(d);
      if (isr & RTL8168_INT_SYSERR) zxlogf(ERROR, "rtl8168: device reports a DMA error\n");
    }
  }
  return 0;
}

/* ---- transmit ---- */

/* The previous TX walk is over: the device touches no TX descriptor now. */
static bool tx_idle(rtl_t* d) {
  const zx_time_t deadline = zx_deadline_after(TX_WAIT);
  while (rd8(d, RTL8168_TPPOLL) & RTL8168_TPPOLL_NPQ) {
    if (zx_clock_get_monotonic() > deadline) return false;
    zx_nanosleep(zx_deadline_after(ZX_USEC(1)));
  }
  return true;
}

static zx_status_t rtl_queue_tx(void* ctx, uint32_t options, ethmac_netbuf_t* netbuf) {
  rtl_t* d = ctx;
  (void)options;
  const size_t len = netbuf->data_size;
  if (len == 0 || len > TX_MAX) return ZX_ERR_INVALID_ARGS;
  mtx_lock(&d->tx_lock);
  const unsigned i = d->tx_idx % RING;
  rtl_desc_t* t = tx_desc(d, i);
  if (!tx_idle(d)) {
    mtx_unlock(&d->tx_lock);
    return ZX_ERR_NO_RESOURCES;
  }
  invalidate(d, t, sizeof *t); /* the device cleared OWN: see it */
  if (t->opts1 & RTL8168_DESC_OWN) {
    mtx_unlock(&d->tx_lock);
    return ZX_ERR_NO_RESOURCES;
  }
  uint8_t* buf = d->va + TX_BUF_OFF + (uint64_t)i * BUF;
  memcpy(buf, netbuf->data_buffer, len);
  clean(d, buf, len);
  t->addr = d->bus + TX_BUF_OFF + (uint64_t)i * BUF;
  t->opts2 = 0;
  t->opts1 = RTL8168_DESC_OWN | RTL8168_DESC_FS | RTL8168_DESC_LS | (i == RING - 1 ? RTL8168_DESC_EOR : 0) | (uint32_t)len;
  if (!RTL8168_TEST_BUG_TX_DESC_NOT_CLEANED) clean_invalidate(d, t, sizeof *t); /* bug: rtl8168-tx-desc-not-cleaned */
  hw_wmb();
  writeb(RTL8168_TPPOLL_NPQ, d->regs + RTL8168_TPPOLL); /* doorbell */
  ++d->tx_idx;
  mtx_unlock(&d->tx_lock);
  return ZX_OK;
}

/* ---- the Ethernet MAC protocol ---- */

static zx_status_t rtl_query(void* ctx, uint32_t options, ethmac_info_t* info) {
  rtl_t* d = ctx;
  if (options) return ZX_ERR_INVALID_ARGS;
  memset(info, 0, sizeof *info);
  info->mtu = ETH_MTU_SIZE;
  memcpy(info->mac, d->mac, sizeof info->mac);
  info->netbuf_size = sizeof(ethmac_netbuf_t);
  return ZX_OK;
}

static void rtl_stop(void* ctx) {
  rtl_t* d = ctx;
  mtx_lock(&d->lock);
  d->ifc.ops = NULL;
  mtx_unlock(&d->lock);
}

static zx_status_t rtl_start(void* ctx, const ethmac_ifc_t* ifc) {
  rtl_t* d = ctx;
  mtx_lock(&d->lock);
  zx_status_t st = ZX_OK;
  if (d->ifc.ops) {
    st = ZX_ERR_BAD_STATE;
  } else {
    d->ifc = *ifc;
    ethmac_ifc_status(&d->ifc, (rd8(d, RTL8168_PHYSTATUS) & RTL8168_PHY_LINK) ? ETHMAC_STATUS_ONLINE : 0);
  }
  mtx_unlock(&d->lock);
  return st;
}

static zx_status_t rtl_set_param(void* ctx, uint32_t param, int32_t value, const void* data, size_t size) {
  rtl_t* d = ctx;
  (void)data;
  (void)size;
  if (param != ETHMAC_SETPARAM_PROMISC) return ZX_ERR_NOT_SUPPORTED;
  mtx_lock(&d->lock);
  const uint8_t rcr = rd8(d, RTL8168_RCR);
  wr8(d, RTL8168_RCR, value ? (uint8_t)(rcr | RTL8168_RCR_AAP) : (uint8_t)(rcr & ~RTL8168_RCR_AAP));
  mtx_unlock(&d->lock);
  return ZX_OK;
}

static void rtl_get_bti(void* ctx, zx_handle_t* out) { *out = ((rtl_t*)ctx)->bti; }

static ethmac_protocol_ops_t rtl_ethmac_ops = {
    .query = rtl_query,
    .stop = rtl_stop,
    .start = rtl_start,
    .queue_tx = rtl_queue_tx,
    .set_param = rtl_set_param,
    .get_bti = rtl_get_bti,
};

/* ---- lifecycle ---- */

static void teardown(rtl_t* d) {
  if (d->irq_thread_started) {
    zx_interrupt_destroy(d->irq); /* the thread sees ZX_ERR_CANCELED */
    thrd_join(d->irq_thread, NULL);
  }
  if (d->irq != ZX_HANDLE_INVALID) zx_handle_close(d->irq);
  if (d->pmt != ZX_HANDLE_INVALID) zx_pmt_unpin(d->pmt);
  if (d->va) zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)d->va, DMA_BYTES);
  if (d->vmo != ZX_HANDLE_INVALID) zx_handle_close(d->vmo);
  if (d->bti != ZX_HANDLE_INVALID) zx_handle_close(d->bti);
  if (d->regs) zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)d->regs, d->regs_size);
  if (d->regs_vmo != ZX_HANDLE_INVALID) zx_handle_close(d->regs_vmo);
  mtx_destroy(&d->lock);
  mtx_destroy(&d->tx_lock);
  free(d);
}

/* Reset and wait for it, so that the device touches no memory of ours afterwards. */
static bool hw_reset(rtl_t* d) {
  wr8(d, RTL8168_CR, RTL8168_CR_RST);
  for (int k = 0; k < 1000; ++k) {
    if (!(rd8(d, RTL8168_CR) & RTL8168_CR_RST)) return true;
    zx_nanosleep(zx_deadline_after(ZX_USEC(10)));
  }
  return false;
}

static void rtl_release(void* ctx) {
  rtl_t* d = ctx;
  wr16(d, RTL8168_IMR, 0);
  hw_reset(d);
  pci_enable_bus_master(&d->pci, false);
  teardown(d);
}

static zx_protocol_device_t rtl_device_ops = {
    .version = DEVICE_OPS_VERSION,
    .release = rtl_release,
};

static zx_status_t rtl_bind(void* ctx, zx_device_t* parent) {
  (void)ctx;
  rtl_t* d = calloc(1, sizeof *d);
  if (!d) return ZX_ERR_NO_MEMORY;
  d->regs_vmo = d->bti = d->irq = d->vmo = d->pmt = ZX_HANDLE_INVALID;
  mtx_init(&d->lock, mtx_plain);
  mtx_init(&d->tx_lock, mtx_plain);
  zx_status_t st = device_get_protocol(parent, ZX_PROTOCOL_PCI, &d->pci);
  if (st != ZX_OK) goto fail;
  void* regs = NULL;
  st = pci_map_bar(&d->pci, RTL8168_MMIO_BAR, ZX_CACHE_POLICY_UNCACHED_DEVICE, &regs, &d->regs_size, &d->regs_vmo);
  if (st != ZX_OK) {
    zxlogf(ERROR, "rtl8168: pci_map_bar(%u): %d\n", RTL8168_MMIO_BAR, st);
    goto fail;
  }
  d->regs = regs;
  uint32_t n = 0;
  if (!(pci_query_irq_mode(&d->pci, ZX_PCIE_IRQ_MODE_MSI, &n) == ZX_OK &&
        pci_set_irq_mode(&d->pci, ZX_PCIE_IRQ_MODE_MSI, 1) == ZX_OK) &&
      (st = pci_set_irq_mode(&d->pci, ZX_PCIE_IRQ_MODE_LEGACY, 1)) != ZX_OK)
    goto fail;
  if ((st = pci_map_interrupt(&d->pci, 0, &d->irq)) != ZX_OK) goto fail;
  if ((st = pci_enable_bus_master(&d->pci, true)) != ZX_OK) goto fail;
  if ((st = pci_get_bti(&d->pci, 0, &d->bti)) != ZX_OK) goto fail;
  d->line = zx_system_get_dcache_line_size();
  if (d->line < RTL8168_DESC_SIZE || d->line > BUF || (d->line & (d->line - 1))) {
    st = ZX_ERR_NOT_SUPPORTED;
    goto fail;
  }

  /* The DMA buffer: zeros, written back and dropped from the cache before the device sees it. */
  if ((st = zx_vmo_create_contiguous(d->bti, DMA_BYTES, 0, &d->vmo)) != ZX_OK) goto fail;
  zx_vaddr_t va = 0;
  st = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, d->vmo, 0, DMA_BYTES, &va);
  if (st != ZX_OK) goto fail;
  d->va = (uint8_t*)va;
  st = zx_bti_pin(d->bti, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE | ZX_BTI_CONTIGUOUS, d->vmo, 0, DMA_BYTES, &d->bus, 1,
                  &d->pmt);
  if (st != ZX_OK) goto fail;
  memset(d->va, 0, RX_BUF_OFF);
  clean_invalidate(d, d->va, DMA_BYTES);

  if (!hw_reset(d)) {
    st = ZX_ERR_TIMED_OUT;
    goto fail;
  }
  for (int k = 0; k < 6; ++k) d->mac[k] = rd8(d, RTL8168_IDR0 + k);
  rx_rearm(d, RING); /* every RX descriptor to the device */
  wr32(d, RTL8168_TNPDS, (uint32_t)(d->bus + TX_RING_OFF));
  wr32(d, RTL8168_TNPDS + 4, (uint32_t)((d->bus + TX_RING_OFF) >> 32));
  wr32(d, RTL8168_RDSAR, (uint32_t)(d->bus + RX_RING_OFF));
  wr32(d, RTL8168_RDSAR + 4, (uint32_t)((d->bus + RX_RING_OFF) >> 32));
  wr16(d, RTL8168_RMS, BUF);
  wr16(d, RTL8168_ISR, 0xffff);
  wr16(d, RTL8168_IMR, RTL8168_INT_ROK | RTL8168_INT_RDU | RTL8168_INT_SYSERR);
  wr8(d, RTL8168_CR, RTL8168_CR_RE | RTL8168_CR_TE);
  wr8(d, RTL8168_RCR, RTL8168_RCR_APM | RTL8168_RCR_AB | RTL8168_RCR_AM);

  if (thrd_create(&d->irq_thread, irq_thread, d) != thrd_success) {
    st = ZX_ERR_NO_RESOURCES;
    goto fail;
  }
  d->irq_thread_started = true;
  device_add_args_t args = {
      .version = DEVICE_ADD_ARGS_VERSION,
      .name = "rtl8168-test",
      .ctx = d,
      .ops = &rtl_device_ops,
      .proto_id = ZX_PROTOCOL_ETHMAC,
      .proto_ops = &rtl_ethmac_ops,
  };
  if ((st = device_add(parent, &args, &d->zxdev)) != ZX_OK) goto fail;
  return ZX_OK;

fail:
  zxlogf(ERROR, "rtl8168: bind failed: %d\n", st);
  if (d->regs) hw_reset(d);
  teardown(d);
  return st;
}

static zx_driver_ops_t rtl_driver_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = rtl_bind,
};

ZIRCON_DRIVER_BEGIN(rtl8168_test, rtl_driver_ops, "staleline", "0.1", 3)
    BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
    BI_ABORT_IF(NE, BIND_PCI_VID, RTL8168_VENDOR_ID),
    BI_MATCH_IF(EQ, BIND_PCI_DID, RTL8168_DEVICE_ID),
ZIRCON_DRIVER_END(rtl8168_test)
