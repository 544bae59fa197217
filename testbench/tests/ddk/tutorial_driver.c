/* tutorial_driver: the DDK tutorial's hardware-interfacing snippets, as they stand, in a driver
 * bound to the ScratchDevice: IRQ-mode selection, pci_map_bar into a `volatile uint32_t*`
 * (the tutorial passes &base where pci_map_bar takes void**: the same pointer-type warning as
 * on Fuchsia), plain volatile register stores and the bounded polling loop, the interrupt
 * handling thread with its shutdown, and zx_bti_pin with its addresses. Built instrumented
 * (sl_tutorial_driver) and uninstrumented (sl_tutorial_driver_plain) by
 * testbench/tests/CMakeLists.txt. */
#include <stdlib.h>
#include <threads.h>

#include <ddk/binding.h>
#include <ddk/debug.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "tutorial_protocol.h"

#define PIN_PAGES 4

typedef struct {
  zx_device_t* zxdev;
  pci_protocol_t pci;
  volatile uint32_t* base;
  size_t size;
  zx_handle_t handle;
  uint32_t irq_mode;
  zx_handle_t irq_handle;
  thrd_t iht;
  int irqs;
  zx_handle_t bti, vmo, pmt;
  zx_paddr_t addrs[PIN_PAGES];
  zx_status_t pin_status;
} my_device_t;

typedef my_device_t ethernet_device_t; /* the tutorial's IRQ snippet calls it edev */

static int irq_thread(void* arg) {
  my_device_t* dev = arg;
  for (;;) {
    zx_status_t rc;
    rc = zx_interrupt_wait(dev->irq_handle, NULL);
    if (rc == ZX_ERR_CANCELED) {
      // we are being shut down, do any cleanups required
      return 1;
    }
    dev->irqs++;
  }
}

static uint32_t op_irq_mode(void* ctx) { return ((my_device_t*)ctx)->irq_mode; }

static void op_write_reg(void* ctx, uint32_t reg, uint32_t value) {
  my_device_t* dev = ctx;
  volatile uint32_t* base = dev->base;
  base[reg] = value;
}

static uint32_t op_read_reg(void* ctx, uint32_t reg) {
  my_device_t* dev = ctx;
  volatile uint32_t* base = dev->base;
  return base[reg];
}

static int op_poll_ready(void* ctx, int budget) {
  my_device_t* dev = ctx;
  volatile uint32_t* base = dev->base;
  int timeout = budget;
  while (timeout-- > 0 && !(base[REGISTER_READY] & READY_BIT)) ;
  return timeout;
}

static int op_irq_count(void* ctx) { return ((my_device_t*)ctx)->irqs; }

static int op_shutdown(void* ctx) {
  my_device_t* dev = ctx;
  // destroy the handle, this will cause zx_interrupt_wait() to pop
  zx_interrupt_destroy(dev->irq_handle);
  // wait for the IHT to finish
  int result = -1;
  thrd_join(dev->iht, &result);
  return result;
}

static zx_status_t op_pin_status(void* ctx, const zx_paddr_t** addrs, size_t* n) {
  my_device_t* dev = ctx;
  *addrs = dev->addrs;
  *n = PIN_PAGES;
  return dev->pin_status;
}

static sl_tutorial_ops_t tutorial_ops = {
    .irq_mode = op_irq_mode,
    .write_reg = op_write_reg,
    .read_reg = op_read_reg,
    .poll_ready = op_poll_ready,
    .irq_count = op_irq_count,
    .shutdown = op_shutdown,
    .pin_status = op_pin_status,
};

static void tutorial_release(void* ctx) {
  my_device_t* dev = ctx; pci_enable_bus_master(&dev->pci, false); /* the function masters the bus no more */
  zx_handle_close(dev->irq_handle);
  if (dev->pin_status == ZX_OK) zx_pmt_unpin(dev->pmt);
  zx_handle_close(dev->vmo);
  zx_handle_close(dev->bti);
  zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)dev->base, dev->size);
  zx_handle_close(dev->handle);
  free(dev);
}

static void tutorial_unbind(void* ctx) { device_remove(((my_device_t*)ctx)->zxdev); }

static zx_protocol_device_t tutorial_device_ops = {
    .version = DEVICE_OPS_VERSION,
    .unbind = tutorial_unbind,
    .release = tutorial_release,
};

static zx_status_t tutorial_bind(void* ctx, zx_device_t* parent) {
  my_device_t* dev = calloc(1, sizeof *dev);
  ethernet_device_t* edev = dev;
  if (!dev) return ZX_ERR_NO_MEMORY;
  if (device_get_protocol(parent, ZX_PROTOCOL_PCI, &dev->pci) != ZX_OK) return ZX_ERR_NOT_SUPPORTED;

  /* ---- Base address register ---- */
  volatile uint32_t* base;
  size_t size;
  zx_handle_t handle;
  zx_status_t rc;
  rc = pci_map_bar(&dev->pci, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, &base, &size, &handle);
  if (rc == ZX_OK) {
    base[REGISTER_X] = 0x1234; // configure register X for deep sleep mode
  } else {
    return rc;
  }
  dev->base = base;
  dev->size = size;
  dev->handle = handle;

  /* ---- Attaching to an interrupt ---- */
  // Query whether we have MSI or Legacy interrupts.
  uint32_t irq_cnt = 0;
  if ((pci_query_irq_mode(&edev->pci, ZX_PCIE_IRQ_MODE_MSI, &irq_cnt) == ZX_OK) &&
      (pci_set_irq_mode(&edev->pci, ZX_PCIE_IRQ_MODE_MSI, 1) == ZX_OK)) {
    // using MSI interrupts
    dev->irq_mode = ZX_PCIE_IRQ_MODE_MSI;
  } else if ((pci_query_irq_mode(&edev->pci, ZX_PCIE_IRQ_MODE_LEGACY, &irq_cnt) == ZX_OK) &&
             (pci_set_irq_mode(&edev->pci, ZX_PCIE_IRQ_MODE_LEGACY, 1) == ZX_OK)) {
    // using legacy interrupts
    dev->irq_mode = ZX_PCIE_IRQ_MODE_LEGACY;
  } else {
    // an error
    return ZX_ERR_NOT_SUPPORTED;
  }
  rc = pci_map_interrupt(&dev->pci, 0, &dev->irq_handle);
  if (rc != ZX_OK) return rc;
  if (thrd_create(&dev->iht, irq_thread, dev) != thrd_success) return ZX_ERR_NO_RESOURCES;

  /* ---- DMA ---- */
  pci_enable_bus_master(&dev->pci, true);
  rc = pci_get_bti(&dev->pci, 0, &dev->bti);
  if (rc != ZX_OK) return rc;
  rc = zx_vmo_create(PIN_PAGES * ZX_PAGE_SIZE, 0, &dev->vmo);
  if (rc != ZX_OK) return rc;
  dev->pin_status = zx_bti_pin(dev->bti, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, dev->vmo, 0,
                               PIN_PAGES * ZX_PAGE_SIZE, dev->addrs, PIN_PAGES, &dev->pmt);

  device_add_args_t args = {
      .version = DEVICE_ADD_ARGS_VERSION,
      .name = "sl-tutorial",
      .ctx = dev,
      .ops = &tutorial_device_ops,
      .proto_id = SL_TUTORIAL_PROTOCOL,
      .proto_ops = &tutorial_ops,
  };
  return device_add(parent, &args, &dev->zxdev);
}

static zx_driver_ops_t tutorial_driver_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = tutorial_bind,
};

ZIRCON_DRIVER_BEGIN(sl_tutorial, tutorial_driver_ops, "staleline", "0.1", 3)
  BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
  BI_ABORT_IF(NE, BIND_PCI_VID, 0x1b36),
  BI_MATCH_IF(EQ, BIND_PCI_DID, 0x5c00),
ZIRCON_DRIVER_END(sl_tutorial)
