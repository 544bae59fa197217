/* busmaster: a driver of the ScratchDevice that turns bus mastering on at bind and publishes a
 * device whose release hook stops it again, as a Zircon PCI driver should (test_bus_master_release).
 * Built with BUSMASTER_LEFT_ON=1 its release returns with bus mastering still on: the
 * bus-master-left-enabled finding, at the release hook, naming the enabling call (the shape
 * Zircon's intel-ethernet driver fixed in 03691e7). */
#include <ddk/binding.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <stdlib.h>
#include <zircon/syscalls.h>

#ifndef BUSMASTER_LEFT_ON
#define BUSMASTER_LEFT_ON 0
#endif

typedef struct {
  pci_protocol_t pci;
  zx_device_t* dev;
} busmaster_t;

/* Read by the test through dlsym: the lines findings must name. */
int busmaster_enable_line;
int busmaster_release_line = __LINE__ + 2;

static void busmaster_release(void* ctx) {
  busmaster_t* b = ctx;
  if (!BUSMASTER_LEFT_ON) pci_enable_bus_master(&b->pci, false);
  free(b);
}

static void busmaster_unbind(void* ctx) { device_remove(((busmaster_t*)ctx)->dev); }

static zx_protocol_device_t busmaster_device_ops = {
    .version = DEVICE_OPS_VERSION,
    .unbind = busmaster_unbind,
    .release = busmaster_release,
};

static zx_status_t busmaster_bind(void* ctx, zx_device_t* parent) {
  (void)ctx;
  busmaster_t* b = calloc(1, sizeof *b);
  if (!b) return ZX_ERR_NO_MEMORY;
  zx_status_t st = device_get_protocol(parent, ZX_PROTOCOL_PCI, &b->pci);
  busmaster_enable_line = __LINE__ + 1;
  if (st == ZX_OK) st = pci_enable_bus_master(&b->pci, true);
  if (st != ZX_OK) {
    free(b);
    return st;
  }
  device_add_args_t args = {
      .version = DEVICE_ADD_ARGS_VERSION,
      .name = "busmaster",
      .ctx = b,
      .ops = &busmaster_device_ops,
  };
  st = device_add(parent, &args, &b->dev);
  if (st != ZX_OK) {
    pci_enable_bus_master(&b->pci, false);
    free(b);
  }
  return st;
}

static zx_driver_ops_t busmaster_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = busmaster_bind,
};

ZIRCON_DRIVER_BEGIN(busmaster, busmaster_ops, "staleline", "0.1", 3)
  BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
  BI_ABORT_IF(NE, BIND_PCI_VID, 0x1b36),
  BI_MATCH_IF(EQ, BIND_PCI_DID, 0x5c00),
ZIRCON_DRIVER_END(busmaster)
