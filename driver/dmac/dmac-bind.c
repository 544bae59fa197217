/* dmac-bind.c: the reference driver of Staleline's DMA engine: bind, the published device,
 * unbind and release.
 *
 * bind: PCI protocol, BAR0 (uncached device memory), identity check, bus mastering, MSI or
 * else legacy interrupts, the BTI, the descriptor ring, the interrupt thread, then a child
 * device offering the DMA transfer protocol (staleline/dmac-protocol.h).
 * unbind stops accepting work; release waits for the transfers on the device (or resets the
 * engine after a timeout), cancels those not started, stops the engine, ends the interrupt
 * thread and gives back every handle and pin. */
#include <ddk/binding.h>
#include <ddk/debug.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <hw/reg.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "dmac.h"

/* How long release waits for transfers on the device before resetting it. */
#define DMAC_DRAIN_TIMEOUT ZX_MSEC(100)

static void dmac_teardown(dmac_t* dev) {
  if (dev->irq_thread_started) {
    zx_interrupt_destroy(dev->irq); /* wakes the interrupt thread with ZX_ERR_CANCELED */
    thrd_join(dev->irq_thread, NULL);
    dev->irq_thread_started = false;
  }
  if (dev->irq != ZX_HANDLE_INVALID) {
    zx_handle_close(dev->irq);
    dev->irq = ZX_HANDLE_INVALID;
  }
  if (dev->irq_mode != 0) pci_set_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_DISABLED, 0);
  dmac_ring_release(dev);
  dmac_gather_release(dev);
  dmac_pool_release(dev); /* the engine is stopped: nothing uses the pool's pages any more */
  if (dev->bti != ZX_HANDLE_INVALID) {
    zx_handle_close(dev->bti);
    dev->bti = ZX_HANDLE_INVALID;
  }
  if (dev->regs) {
    if (!DMAC_BUG(BUS_MASTER_LEFT_ON)) pci_enable_bus_master(&dev->pci, false); /* bug-catalogue: bus-master-left-on */
    zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)dev->regs, dev->regs_size);
    dev->regs = NULL;
  }
  if (dev->regs_vmo != ZX_HANDLE_INVALID) {
    zx_handle_close(dev->regs_vmo);
    dev->regs_vmo = ZX_HANDLE_INVALID;
  }
}

void dmac_shutdown(dmac_t* dev) {
  dmac_xfer_t* done = NULL;
  mtx_lock(&dev->lock);
  dev->shutting_down = true;
  /* Transfers not started yet are canceled; one already partly on the ring is completed. */
  dmac_xfer_t* keep = NULL;
  for (dmac_xfer_t* x = dev->pending_head; x;) {
    dmac_xfer_t* next = x->next;
    if (x->placed == 0) dmac_xfer_cancel_locked(dev, x, ZX_ERR_CANCELED, &done);
    else keep = x;
    x = next;
  }
  if (keep) keep->next = NULL;
  dev->pending_head = dev->pending_tail = keep;
  dev->flushers++;
  dmac_pump_locked(dev); /* announce whatever is written */
  mtx_unlock(&dev->lock);
  dmac_finish_list(dev, done);

  /* Wait for the engine to finish what it has (the interrupt thread reaps). */
  const zx_time_t deadline = zx_deadline_after(DMAC_DRAIN_TIMEOUT);
  zx_duration_t nap = ZX_USEC(1);
  mtx_lock(&dev->lock);
  while ((dev->tail != dev->head || dev->pending_head) && zx_clock_get_monotonic() < deadline) {
    mtx_unlock(&dev->lock);
    zx_nanosleep(zx_deadline_after(nap));
    if (nap < ZX_USEC(64)) nap *= 2;
    mtx_lock(&dev->lock);
  }
  const bool drained = dev->tail == dev->head && !dev->pending_head;
  mtx_unlock(&dev->lock);

  dmac_engine_stop(dev);
  if (!drained) {
    zxlogf(WARN, "transfers still on the engine at release: resetting it\n");
    dmac_engine_reset(dev); /* the engine lets go of the bus before the pages are unpinned */
  }
  /* End the interrupt thread before touching the ring without it. */
  zx_interrupt_destroy(dev->irq);
  if (dev->irq_thread_started) thrd_join(dev->irq_thread, NULL);
  dev->irq_thread_started = false;

  done = NULL;
  mtx_lock(&dev->lock);
  dmac_ring_abandon_locked(dev, &done, ZX_ERR_CANCELED);
  for (dmac_xfer_t* x = dev->pending_head; x;) {
    dmac_xfer_t* next = x->next;
    dmac_xfer_cancel_locked(dev, x, ZX_ERR_CANCELED, &done);
    x = next;
  }
  dev->pending_head = dev->pending_tail = NULL;
  dev->flushers--;
  mtx_unlock(&dev->lock);
  dmac_finish_list(dev, done);

  dmac_teardown(dev);
  cnd_destroy(&dev->changed);
  mtx_destroy(&dev->lock);
}

static zx_status_t dmac_get_protocol(void* ctx, uint32_t proto_id, void* protocol) {
  dmac_t* dev = ctx;
  if (proto_id != ZX_PROTOCOL_DMA_XFER || !protocol) return ZX_ERR_NOT_SUPPORTED;
  dma_xfer_protocol_t* proto = protocol;
  proto->ops = &dmac_protocol_ops;
  proto->ctx = dev;
  return ZX_OK;
}

static void dmac_unbind(void* ctx) {
  dmac_t* dev = ctx;
  mtx_lock(&dev->lock);
  dev->shutting_down = true; /* new transfers fail with ZX_ERR_BAD_STATE */
  mtx_unlock(&dev->lock);
  device_remove(dev->zxdev);
}

static void dmac_release(void* ctx) {
  dmac_t* dev = ctx;
  dmac_shutdown(dev);
  free(dev);
}

static zx_protocol_device_t dmac_device_ops = {
    .version = DEVICE_OPS_VERSION,
    .get_protocol = dmac_get_protocol,
    .unbind = dmac_unbind,
    .release = dmac_release,
};

/* MSI if the function offers it, else the legacy line: Fuchsia's recipe. */
static zx_status_t choose_irq_mode(dmac_t* dev) {
  uint32_t irq_cnt = 0;
  if ((pci_query_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_MSI, &irq_cnt) == ZX_OK) &&
      (pci_set_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_MSI, 1) == ZX_OK)) {
    dev->irq_mode = DMA_XFER_IRQ_MSI;
  } else if ((pci_query_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_LEGACY, &irq_cnt) == ZX_OK) &&
             (pci_set_irq_mode(&dev->pci, ZX_PCIE_IRQ_MODE_LEGACY, 1) == ZX_OK)) {
    dev->irq_mode = DMA_XFER_IRQ_LEGACY;
  } else {
    zxlogf(ERROR, "neither MSI nor legacy interrupts available\n");
    return ZX_ERR_NOT_SUPPORTED;
  }
  return ZX_OK;
}

static zx_status_t dmac_bind(void* ctx, zx_device_t* parent) {
  dmac_t* dev = calloc(1, sizeof *dev);
  if (!dev) return ZX_ERR_NO_MEMORY;
  dev->parent = parent;
  if (mtx_init(&dev->lock, mtx_plain) != thrd_success || cnd_init(&dev->changed) != thrd_success) {
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
  if (dev->regs_size < DMAC_REG_SPAN) {
    zxlogf(ERROR, "BAR0 is %zu bytes, the registers need %u\n", dev->regs_size, DMAC_REG_SPAN);
    status = ZX_ERR_NOT_SUPPORTED;
    goto fail;
  }
  const uint32_t id = readl(dev->regs + DMAC_REG_ID);
  const uint32_t version = readl(dev->regs + DMAC_REG_VERSION);
  if (id != DMAC_ID_VALUE || DMAC_VERSION_MAJOR(version) != DMAC_SUPPORTED_MAJOR) {
    zxlogf(ERROR, "not a DMA engine we know: id 0x%08x version 0x%08x\n", id, version);
    status = ZX_ERR_NOT_SUPPORTED;
    goto fail;
  }
  dev->has_gather = DMAC_VERSION_MINOR(version) >= DMAC_GATHER_MINOR;
  /* Start from a known state whatever ran before us. */
  if ((status = dmac_engine_reset(dev)) != ZX_OK) goto fail;
  dev->sram_size = readl(dev->regs + DMAC_REG_SRAM_SIZE);

  if (!DMAC_BUG(NO_BUS_MASTER) && (status = pci_enable_bus_master(&dev->pci, true)) != ZX_OK) { /* bug-catalogue: no-bus-master */
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
  if ((status = dmac_mapping_init(dev)) != ZX_OK) goto fail;
  if ((status = dmac_ring_init(dev)) != ZX_OK) goto fail;
  if ((status = dmac_engine_start(dev)) != ZX_OK) goto fail;
  if (thrd_create(&dev->irq_thread, dmac_irq_thread, dev) != thrd_success) {
    status = ZX_ERR_NO_RESOURCES;
    goto fail;
  }
  dev->irq_thread_started = true;

  device_add_args_t args = {
      .version = DEVICE_ADD_ARGS_VERSION,
      .name = "dmac",
      .ctx = dev,
      .ops = &dmac_device_ops,
      .proto_id = ZX_PROTOCOL_DMA_XFER,
      .proto_ops = &dmac_protocol_ops,
  };
  if ((status = device_add(parent, &args, &dev->zxdev)) != ZX_OK) {
    zxlogf(ERROR, "device_add: %s\n", zx_status_get_string(status));
    dmac_engine_stop(dev);
    goto fail;
  }
  zxlogf(INFO, "DMA engine v%u.%u, %s interrupts, %u-slot ring, %llu KiB SRAM\n", version >> 16,
         (version >> 8) & 0xffu, dev->irq_mode == DMA_XFER_IRQ_MSI ? "MSI" : "legacy", dev->ring_entries,
         (unsigned long long)(dev->sram_size / 1024));
  return ZX_OK;

fail:
  dmac_teardown(dev);
  cnd_destroy(&dev->changed);
  mtx_destroy(&dev->lock);
  free(dev);
  return status;
}

static zx_driver_ops_t dmac_driver_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = dmac_bind,
};

// clang-format off
ZIRCON_DRIVER_BEGIN(dmac, dmac_driver_ops, "staleline", "0.1", 3)
    BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
    BI_ABORT_IF(NE, BIND_PCI_VID, DMAC_PCI_VID),
    BI_MATCH_IF(EQ, BIND_PCI_DID, DMAC_PCI_DID),
ZIRCON_DRIVER_END(dmac)
// clang-format on
