/* lnic-hw.c: lnic's registers (rtl/lnic/lnic-regs.h) and the driver's DMA memory.
 *
 * Rings and frame buffers are contiguous VMOs pinned for the device and mapped CACHED for the
 * CPU: on a non-coherent platform the driver cleans what the device will read and invalidates
 * what the device wrote (lnic-tx.c, lnic-rx.c). */
#include <ddk/debug.h>
#include <hw/arch_ops.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "lnic.h"

/* Locally administered, unicast: for a device whose MAC registers were never programmed. */
static const uint8_t kDefaultMac[ETH_MAC_SIZE] = {0x02, 0x00, 0x4c, 0x4e, 0x49, 0x43};

zx_status_t lnic_hw_identify(lnic_t* dev) {
  const uint32_t id = rd(dev, LNIC_REG_ID);
  const uint32_t version = rd(dev, LNIC_REG_VERSION);
  if (id != LNIC_ID_VALUE || (version >> 16) != (LNIC_VERSION_VALUE >> 16)) {
    zxlogf(ERROR, "not an lnic we know: id 0x%08x version 0x%08x\n", id, version);
    return ZX_ERR_NOT_SUPPORTED;
  }
  return ZX_OK;
}

zx_status_t lnic_hw_reset(lnic_t* dev) {
  wr(dev, LNIC_REG_CTRL, LNIC_CTRL_RESET);
  for (int i = 0; i < 100; ++i) {
    if (!(rd(dev, LNIC_REG_CTRL) & LNIC_CTRL_RESET)) return ZX_OK;
    zx_nanosleep(zx_deadline_after(ZX_USEC(1)));
  }
  zxlogf(ERROR, "reset did not finish\n");
  return ZX_ERR_TIMED_OUT;
}

void lnic_hw_init_mac(lnic_t* dev) {
  const uint32_t lo = rd(dev, LNIC_REG_MAC_LO);
  const uint32_t hi = rd(dev, LNIC_REG_MAC_HI);
  for (int i = 0; i < 4; ++i) dev->mac[i] = (uint8_t)(lo >> (8 * i));
  dev->mac[4] = (uint8_t)hi;
  dev->mac[5] = (uint8_t)(hi >> 8);
  bool zero = true;
  for (unsigned i = 0; i < ETH_MAC_SIZE; ++i) zero = zero && dev->mac[i] == 0;
  if (!zero && !(dev->mac[0] & 1u)) return;
  /* Unprogrammed (or a group address): use ours and tell the device (CTRL.RESET keeps it). */
  memcpy(dev->mac, kDefaultMac, sizeof dev->mac);
  wr(dev, LNIC_REG_MAC_LO,
     (uint32_t)dev->mac[0] | (uint32_t)dev->mac[1] << 8 | (uint32_t)dev->mac[2] << 16 | (uint32_t)dev->mac[3] << 24);
  wr(dev, LNIC_REG_MAC_HI, (uint32_t)dev->mac[4] | (uint32_t)dev->mac[5] << 8);
}

void lnic_hw_start(lnic_t* dev) {
  wr(dev, LNIC_REG_TX_BASE_LO, (uint32_t)dev->tx_ring.dev_addr);
  wr(dev, LNIC_REG_TX_BASE_HI, (uint32_t)(dev->tx_ring.dev_addr >> 32));
  wr(dev, LNIC_REG_TX_SIZE, dev->tx_entries);
  wr(dev, LNIC_REG_RX_BASE_LO, (uint32_t)dev->rx_ring.dev_addr);
  wr(dev, LNIC_REG_RX_BASE_HI, (uint32_t)(dev->rx_ring.dev_addr >> 32));
  wr(dev, LNIC_REG_RX_SIZE, dev->rx_entries);
  wr(dev, LNIC_REG_ISR, LNIC_INT_TX_DONE | LNIC_INT_RX_DONE | LNIC_INT_ERROR);
  wr(dev, LNIC_REG_IMR, LNIC_INT_TX_DONE | LNIC_INT_RX_DONE | LNIC_INT_ERROR);
  wr(dev, LNIC_REG_CTRL, LNIC_CTRL_TX_EN | LNIC_CTRL_RX_EN);
  /* The descriptors are in memory (lnic_rx_fill_locked cleaned them): post the buffers. */
  hw_wmb();
  wr(dev, LNIC_REG_RX_TAIL, dev->rx_posted % dev->rx_entries);
}

void lnic_hw_stop(lnic_t* dev) {
  wr(dev, LNIC_REG_IMR, 0);
  wr(dev, LNIC_REG_CTRL, 0); /* no new frame starts */
  /* A frame already on the bus finishes (a frame is microseconds); then reset, so that the
   * device holds no address of ours when the pages are unpinned. */
  for (int i = 0; i < 1000 && (rd(dev, LNIC_REG_STATUS) & LNIC_STATUS_BUSY); ++i)
    zx_nanosleep(zx_deadline_after(ZX_USEC(1)));
  lnic_hw_reset(dev);
}

void lnic_hw_recover(lnic_t* dev) {
  mtx_lock(&dev->tx_lock);
  mtx_lock(&dev->lock);
  const uint32_t status = rd(dev, LNIC_REG_STATUS);
  if (!(status & LNIC_STATUS_HALTED) || dev->shutting_down) {
    mtx_unlock(&dev->lock);
    mtx_unlock(&dev->tx_lock);
    return;
  }
  const uint32_t code = rd(dev, LNIC_REG_ERR_CODE);
  const uint64_t addr = (uint64_t)rd(dev, LNIC_REG_ERR_ADDR_HI) << 32 | rd(dev, LNIC_REG_ERR_ADDR_LO);
  dev->stats.hw_errors++;
  zxlogf(ERROR, "device halted: error %u at device address 0x%llx, TX %u..%u, RX %u..%u\n", code,
         (unsigned long long)addr, dev->tx_done, dev->tx_tail, dev->rx_next, dev->rx_posted);
  if (lnic_hw_reset(dev) == ZX_OK) {
    lnic_tx_drop_locked(dev);
    lnic_rx_fill_locked(dev);
    lnic_hw_start(dev);
  }
  cnd_broadcast(&dev->tx_space);
  mtx_unlock(&dev->lock);
  mtx_unlock(&dev->tx_lock);
}

zx_status_t lnic_dma_alloc(lnic_t* dev, uint64_t bytes, uint32_t perms, const char* what, lnic_dma_t* out) {
  memset(out, 0, sizeof *out);
  bytes = (bytes + ZX_PAGE_SIZE - 1) & ~(uint64_t)(ZX_PAGE_SIZE - 1);
  zx_status_t status = zx_vmo_create_contiguous(dev->bti, bytes, 0, &out->vmo);
  if (status != ZX_OK) {
    zxlogf(ERROR, "zx_vmo_create_contiguous(%s): %s\n", what, zx_status_get_string(status));
    out->vmo = ZX_HANDLE_INVALID;
    return status;
  }
  out->bytes = bytes;
  zx_vaddr_t va = 0;
  status = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, out->vmo, 0, bytes, &va);
  if (status != ZX_OK) {
    zxlogf(ERROR, "zx_vmar_map(%s): %s\n", what, zx_status_get_string(status));
    lnic_dma_free(out);
    return status;
  }
  out->va = (uint8_t*)va;
  status = zx_bti_pin(dev->bti, perms | ZX_BTI_CONTIGUOUS, out->vmo, 0, bytes, &out->dev_addr, 1, &out->pmt);
  if (status != ZX_OK) {
    zxlogf(ERROR, "zx_bti_pin(%s): %s\n", what, zx_status_get_string(status));
    out->pmt = ZX_HANDLE_INVALID;
    lnic_dma_free(out);
    return status;
  }
  return ZX_OK;
}

void lnic_dma_free(lnic_dma_t* d) {
  if (d->pmt != ZX_HANDLE_INVALID) zx_pmt_unpin(d->pmt);
  if (d->va) zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)d->va, d->bytes);
  if (d->vmo != ZX_HANDLE_INVALID) zx_handle_close(d->vmo);
  memset(d, 0, sizeof *d);
  d->vmo = d->pmt = ZX_HANDLE_INVALID;
}

void lnic_cache_invalidate(const lnic_dma_t* d, uint64_t offset, uint64_t len) {
  zx_status_t st = zx_vmo_op_range(d->vmo, ZX_VMO_OP_CACHE_INVALIDATE, offset, len, NULL, 0);
  if (st == ZX_ERR_NOT_SUPPORTED) /* production kernels refuse a bare invalidate */
    st = zx_vmo_op_range(d->vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, offset, len, NULL, 0);
  if (st != ZX_OK) zxlogf(ERROR, "cache invalidate: %s\n", zx_status_get_string(st));
}
