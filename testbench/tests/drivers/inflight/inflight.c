/* inflight: a driver of the probe device (testbench/tests/device_fixtures/probe_model.c) that
 * starts one device write into a pinned page at bind. Its release stops the device the way a
 * Zircon PCI driver should: it waits until the device is done, then turns bus mastering off and
 * unpins. Built with INFLIGHT_NO_WAIT=1 release does not wait: it turns bus mastering off and
 * unpins while the device's DMA is still in flight, the bus-master-left-enabled finding at the
 * release hook (test_bus_master_release). */
#include <ddk/binding.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <hw/reg.h>
#include <stdlib.h>
#include <zircon/syscalls.h>

#ifndef INFLIGHT_NO_WAIT
#define INFLIGHT_NO_WAIT 0
#endif

/* The probe device's registers (probe_model.c). */
#define REG_ADDR_LO 0x08
#define REG_ADDR_HI 0x0c
#define REG_LEN 0x10
#define REG_GO 0x14
#define REG_STATUS 0x18
#define GO_WRITE 2u /* the device writes its DATA registers to memory */

typedef struct {
  pci_protocol_t pci;
  zx_device_t* dev;
  volatile uint8_t* regs;
  uint64_t regs_size;
  zx_handle_t regs_vmo, bti, vmo, pmt;
} inflight_t;

/* Read by the test through dlsym: the line findings must name. */
int inflight_release_line = __LINE__ + 2;

static void inflight_release(void* ctx) {
  inflight_t* f = ctx;
  if (!INFLIGHT_NO_WAIT)
    while (!(readl(f->regs + REG_STATUS) & 1u)) zx_nanosleep(zx_deadline_after(ZX_USEC(1)));
  pci_enable_bus_master(&f->pci, false);
  zx_pmt_unpin(f->pmt);
  zx_handle_close(f->vmo);
  zx_handle_close(f->bti);
  zx_handle_close(f->regs_vmo);
  free(f);
}

static void inflight_unbind(void* ctx) { device_remove(((inflight_t*)ctx)->dev); }

static zx_protocol_device_t inflight_device_ops = {
    .version = DEVICE_OPS_VERSION,
    .unbind = inflight_unbind,
    .release = inflight_release,
};

static zx_status_t inflight_bind(void* ctx, zx_device_t* parent) {
  (void)ctx;
  inflight_t* f = calloc(1, sizeof *f);
  if (!f) return ZX_ERR_NO_MEMORY;
  void* regs = NULL;
  zx_paddr_t addr = 0;
  zx_status_t st = device_get_protocol(parent, ZX_PROTOCOL_PCI, &f->pci);
  if (st == ZX_OK) st = pci_map_bar(&f->pci, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, &regs, &f->regs_size, &f->regs_vmo);
  if (st == ZX_OK) st = pci_get_bti(&f->pci, 0, &f->bti);
  if (st == ZX_OK) st = zx_vmo_create(4096, 0, &f->vmo);
  if (st == ZX_OK) st = zx_vmo_op_range(f->vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, 4096, NULL, 0);
  if (st == ZX_OK) st = zx_bti_pin(f->bti, ZX_BTI_PERM_WRITE, f->vmo, 0, 4096, &addr, 1, &f->pmt);
  if (st == ZX_OK) st = pci_enable_bus_master(&f->pci, true);
  if (st != ZX_OK) {
    free(f); /* the test binds once and fails on any status: nothing more to undo */
    return st;
  }
  f->regs = regs;
  writel((uint32_t)addr, f->regs + REG_ADDR_LO);
  writel((uint32_t)(addr >> 32), f->regs + REG_ADDR_HI);
  writel(16, f->regs + REG_LEN);
  writel(GO_WRITE, f->regs + REG_GO);
  device_add_args_t args = {
      .version = DEVICE_ADD_ARGS_VERSION,
      .name = "inflight",
      .ctx = f,
      .ops = &inflight_device_ops,
  };
  return device_add(parent, &args, &f->dev);
}

static zx_driver_ops_t inflight_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = inflight_bind,
};

ZIRCON_DRIVER_BEGIN(inflight, inflight_ops, "staleline", "0.1", 3)
  BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
  BI_ABORT_IF(NE, BIND_PCI_VID, 0x1b36),
  BI_MATCH_IF(EQ, BIND_PCI_DID, 0x5dfe),
ZIRCON_DRIVER_END(inflight)
