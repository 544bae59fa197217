/* lnic-bind.c: the lnic driver's lifecycle and its Ethernet MAC protocol.
 *
 * bind: PCI protocol, BAR0 (uncached device memory), identity, reset, bus mastering, MSI or
 * else the legacy line, the BTI, the rings and buffers, the MAC, the interrupt thread, then a
 * child device offering ZX_PROTOCOL_ETHMAC. The device runs from bind on; frames received
 * while no client has started are dropped.
 * unbind refuses new frames; release stops the device (mask, disable, reset), ends the
 * interrupt thread, unpins everything and turns bus mastering off. */
#include <ddk/binding.h>
#include <ddk/debug.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/ethernet.h>
#include <ddk/protocol/pci.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "lnic.h"

/* ---- the interrupt thread ---- */

static int lnic_irq_thread(void* arg) {
  lnic_t* dev = arg;
  for (;;) {
    const zx_status_t status = zx_interrupt_wait(dev->irq, NULL);
    if (status != ZX_OK) {
      if (status != ZX_ERR_CANCELED) zxlogf(ERROR, "zx_interrupt_wait: %s\n", zx_status_get_string(status));
      break;
    }
    dev->stats.interrupts++;
    /* Acknowledge what was read, then handle it; until ISR reads 0. An MSI goes out when
     * ISR & IMR becomes non-zero: an event set in between would otherwise keep it non-zero
     * and silence the device. */
    uint32_t isr;
    while ((isr = rd(dev, LNIC_REG_ISR)) != 0) {
      wr(dev, LNIC_REG_ISR, isr);
      if (isr & LNIC_INT_TX_DONE) lnic_tx_reclaim(dev);
      if (isr & LNIC_INT_RX_DONE) lnic_rx_poll(dev);
      if (isr & LNIC_INT_ERROR) lnic_hw_recover(dev);
    }
  }
  return 0;
}

/* ---- the Ethernet MAC protocol ---- */

static zx_status_t lnic_query(void* ctx, uint32_t options, ethmac_info_t* info) {
  lnic_t* dev = ctx;
  if (options) return ZX_ERR_INVALID_ARGS;
  memset(info, 0, sizeof *info);
  info->mtu = ETH_MTU_SIZE;
  memcpy(info->mac, dev->mac, sizeof info->mac);
  info->netbuf_size = sizeof(ethmac_netbuf_t);
  return ZX_OK;
}

static void lnic_stop(void* ctx) {
  lnic_t* dev = ctx;
  mtx_lock(&dev->lock);
  dev->ifc.ops = NULL; /* the interrupt thread delivers under the lock: no call after this */
  mtx_unlock(&dev->lock);
}

static zx_status_t lnic_start(void* ctx, const ethmac_ifc_t* ifc) {
  lnic_t* dev = ctx;
  zx_status_t status = ZX_OK;
  mtx_lock(&dev->lock);
  if (dev->ifc.ops) {
    status = ZX_ERR_BAD_STATE;
  } else {
    dev->ifc = *ifc;
    const bool online = rd(dev, LNIC_REG_STATUS) & LNIC_STATUS_LINK_UP;
    ethmac_ifc_status(&dev->ifc, online ? ETHMAC_STATUS_ONLINE : 0);
  }
  mtx_unlock(&dev->lock);
  return status;
}

static zx_status_t lnic_set_param(void* ctx, uint32_t param, int32_t value, const void* data, size_t data_size) {
  lnic_t* dev = ctx;
  switch (param) {
    case ETHMAC_SETPARAM_PROMISC:
    case ETHMAC_SETPARAM_MULTICAST_PROMISC:
    case ETHMAC_SETPARAM_MULTICAST_FILTER:
      return ZX_OK; /* a loopback has no address filter: every frame comes back */
    case ETHMAC_SETPARAM_DUMP_REGS:
      zxlogf(INFO, "ctrl 0x%08x status 0x%08x isr 0x%08x imr 0x%08x err %u tx %u/%u rx %u/%u frames %u/%u\n",
             rd(dev, LNIC_REG_CTRL), rd(dev, LNIC_REG_STATUS), rd(dev, LNIC_REG_ISR), rd(dev, LNIC_REG_IMR),
             rd(dev, LNIC_REG_ERR_CODE), rd(dev, LNIC_REG_TX_HEAD), rd(dev, LNIC_REG_TX_TAIL), rd(dev, LNIC_REG_RX_HEAD),
             rd(dev, LNIC_REG_RX_TAIL), rd(dev, LNIC_REG_TX_FRAMES), rd(dev, LNIC_REG_RX_FRAMES));
      return ZX_OK;
    default:
      return ZX_ERR_NOT_SUPPORTED;
  }
}

static void lnic_get_bti(void* ctx, zx_handle_t* out_bti) {
  lnic_t* dev = ctx;
  *out_bti = dev->bti; /* still the driver's; no ETHMAC_FEATURE_DMA: frames are copied */
}

static ethmac_protocol_ops_t lnic_ethmac_ops = {
    .query = lnic_query,
    .stop = lnic_stop,
    .start = lnic_start,
    .queue_tx = lnic_queue_tx,
    .set_param = lnic_set_param,
    .get_bti = lnic_get_bti,
};

/* ---- lifecycle ---- */

static void lnic_teardown(lnic_t* dev) {
  if (dev->irq_thread_started) {
    zx_interrupt_destroy(dev->irq); /* the thread sees ZX_ERR_CANCELED */
    thrd_join(dev->irq_thread, NULL);
    dev->irq_thread_started = false;
  }
  if (dev->irq != ZX_HANDLE_INVALID) {
    zx_handle_close(dev->irq);
    dev->irq = ZX_HANDLE_INVALID;
  }
  if (dev->irq_mode_set) pci_set_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_DISABLED, 0);
  lnic_tx_release(dev);
  lnic_rx_release(dev);
  if (dev->bti != ZX_HANDLE_INVALID) {
    zx_handle_close(dev->bti);
    dev->bti = ZX_HANDLE_INVALID;
  }
  if (dev->regs) {
    pci_enable_bus_master(&dev->pci, false);
    zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)dev->regs, dev->regs_size);
    dev->regs = NULL;
  }
  if (dev->regs_vmo != ZX_HANDLE_INVALID) {
    zx_handle_close(dev->regs_vmo);
    dev->regs_vmo = ZX_HANDLE_INVALID;
  }
  cnd_destroy(&dev->tx_space);
  mtx_destroy(&dev->tx_lock);
  mtx_destroy(&dev->lock);
  free(dev);
}

static zx_status_t lnic_get_protocol(void* ctx, uint32_t proto_id, void* protocol) {
  lnic_t* dev = ctx;
  if (proto_id != ZX_PROTOCOL_ETHMAC || !protocol) return ZX_ERR_NOT_SUPPORTED;
  ethmac_protocol_t* proto = protocol;
  proto->ops = &lnic_ethmac_ops;
  proto->ctx = dev;
  return ZX_OK;
}

static void lnic_unbind(void* ctx) {
  lnic_t* dev = ctx;
  mtx_lock(&dev->tx_lock);
  dev->shutting_down = true; /* queue_tx: ZX_ERR_BAD_STATE */
  cnd_broadcast(&dev->tx_space);
  mtx_unlock(&dev->tx_lock);
  device_remove(dev->zxdev);
}

static void lnic_release(void* ctx) {
  lnic_t* dev = ctx;
  mtx_lock(&dev->tx_lock);
  mtx_lock(&dev->lock);
  dev->shutting_down = true;
  dev->ifc.ops = NULL;
  cnd_broadcast(&dev->tx_space);
  lnic_hw_stop(dev); /* the device touches no memory of ours after this */
  mtx_unlock(&dev->lock);
  mtx_unlock(&dev->tx_lock);
  zxlogf(INFO, "%llu frames sent, %llu received, %llu interrupts, %llu dropped, %llu device errors\n",
         (unsigned long long)dev->stats.tx_frames, (unsigned long long)dev->stats.rx_frames,
         (unsigned long long)dev->stats.interrupts,
         (unsigned long long)(dev->stats.rx_dropped + dev->stats.tx_dropped),
         (unsigned long long)dev->stats.hw_errors);
  lnic_teardown(dev);
}

static zx_protocol_device_t lnic_device_ops = {
    .version = DEVICE_OPS_VERSION,
    .get_protocol = lnic_get_protocol,
    .unbind = lnic_unbind,
    .release = lnic_release,
};

/* MSI-X if the function offers it, else MSI, else the legacy line (one vector each). */
static zx_status_t choose_irq_mode(lnic_t* dev) {
  uint32_t count = 0;
  if (pci_query_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_MSI_X, &count) == ZX_OK && count >= 1 &&
      pci_set_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_MSI_X, 1) == ZX_OK) {
    dev->msi = true;
    dev->msix = true;
  } else if (pci_query_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_MSI, &count) == ZX_OK &&
             pci_set_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_MSI, 1) == ZX_OK) {
    dev->msi = true;
  } else if (pci_query_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_LEGACY, &count) == ZX_OK &&
             pci_set_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_LEGACY, 1) == ZX_OK) {
    dev->msi = false;
  } else {
    zxlogf(ERROR, "neither MSI nor legacy interrupts available\n");
    return ZX_ERR_NOT_SUPPORTED;
  }
  dev->irq_mode_set = true;
  return ZX_OK;
}

static zx_status_t lnic_bind(void* ctx, zx_device_t* parent) {
  lnic_t* dev = calloc(1, sizeof *dev);
  if (!dev) return ZX_ERR_NO_MEMORY;
  dev->parent = parent;
  dev->regs_vmo = dev->bti = dev->irq = ZX_HANDLE_INVALID;
  dev->tx_ring.vmo = dev->tx_ring.pmt = dev->tx_bufs.vmo = dev->tx_bufs.pmt = ZX_HANDLE_INVALID;
  dev->rx_ring.vmo = dev->rx_ring.pmt = dev->rx_bufs.vmo = dev->rx_bufs.pmt = ZX_HANDLE_INVALID;
  if (mtx_init(&dev->lock, mtx_plain) != thrd_success || mtx_init(&dev->tx_lock, mtx_plain) != thrd_success ||
      cnd_init(&dev->tx_space) != thrd_success) {
    free(dev);
    return ZX_ERR_NO_RESOURCES;
  }

  zx_status_t status = device_get_protocol(parent, ZX_PROTOCOL_PCI, &dev->pci);
  if (status != ZX_OK) {
    zxlogf(ERROR, "parent offers no PCI protocol: %s\n", zx_status_get_string(status));
    goto fail;
  }
  void* regs = NULL;
  status = pci_map_bar(&dev->pci, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, &regs, &dev->regs_size, &dev->regs_vmo);
  if (status != ZX_OK) {
    zxlogf(ERROR, "pci_map_bar(0): %s\n", zx_status_get_string(status));
    goto fail;
  }
  dev->regs = regs;
  if (dev->regs_size < LNIC_BAR0_SIZE) {
    zxlogf(ERROR, "BAR0 is %zu bytes, lnic has %u\n", dev->regs_size, LNIC_BAR0_SIZE);
    status = ZX_ERR_NOT_SUPPORTED;
    goto fail;
  }
  if ((status = lnic_hw_identify(dev)) != ZX_OK) goto fail;
  if ((status = lnic_hw_reset(dev)) != ZX_OK) goto fail; /* whatever ran before us */
  if ((status = pci_enable_bus_master(&dev->pci, true)) != ZX_OK) {
    zxlogf(ERROR, "pci_enable_bus_master: %s\n", zx_status_get_string(status));
    goto fail;
  }
  if ((status = choose_irq_mode(dev)) != ZX_OK) goto fail;
  if ((status = pci_map_interrupt(&dev->pci, 0, &dev->irq)) != ZX_OK) {
    zxlogf(ERROR, "pci_map_interrupt: %s\n", zx_status_get_string(status));
    goto fail;
  }
  if ((status = pci_get_bti(&dev->pci, 0, &dev->bti)) != ZX_OK) {
    zxlogf(ERROR, "pci_get_bti: %s\n", zx_status_get_string(status));
    goto fail;
  }
  dev->line = zx_system_get_dcache_line_size();
  if (dev->line == 0 || (dev->line & (dev->line - 1)) != 0 || dev->line > LNIC_BUF_SIZE) {
    zxlogf(ERROR, "unexpected data cache line size %u\n", dev->line);
    status = ZX_ERR_NOT_SUPPORTED;
    goto fail;
  }
  dev->stride = LNIC_BUF_SIZE + dev->line;
  if ((status = lnic_tx_init(dev)) != ZX_OK) goto fail;
  if ((status = lnic_rx_init(dev)) != ZX_OK) goto fail;
  lnic_hw_init_mac(dev);
  lnic_hw_start(dev);
  if (thrd_create(&dev->irq_thread, lnic_irq_thread, dev) != thrd_success) {
    status = ZX_ERR_NO_RESOURCES;
    goto stop;
  }
  dev->irq_thread_started = true;

  device_add_args_t args = {
      .version = DEVICE_ADD_ARGS_VERSION,
      .name = "lnic",
      .ctx = dev,
      .ops = &lnic_device_ops,
      .proto_id = ZX_PROTOCOL_ETHMAC,
      .proto_ops = &lnic_ethmac_ops,
  };
  if ((status = device_add(parent, &args, &dev->zxdev)) != ZX_OK) {
    zxlogf(ERROR, "device_add: %s\n", zx_status_get_string(status));
    goto stop;
  }
  zxlogf(INFO, "lnic %02x:%02x:%02x:%02x:%02x:%02x, %s interrupts, %u TX / %u RX descriptors\n", dev->mac[0],
         dev->mac[1], dev->mac[2], dev->mac[3], dev->mac[4], dev->mac[5], dev->msix ? "MSI-X" : dev->msi ? "MSI" : "legacy",
         dev->tx_entries, dev->rx_entries);
  return ZX_OK;

stop:
  lnic_hw_stop(dev);
fail:
  lnic_teardown(dev);
  return status;
}

static zx_driver_ops_t lnic_driver_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = lnic_bind,
};

// clang-format off
ZIRCON_DRIVER_BEGIN(lnic, lnic_driver_ops, "staleline", "0.1", 3)
    BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
    BI_ABORT_IF(NE, BIND_PCI_VID, LNIC_VENDOR_ID),
    BI_MATCH_IF(EQ, BIND_PCI_DID, LNIC_DEVICE_ID),
ZIRCON_DRIVER_END(lnic)
// clang-format on
