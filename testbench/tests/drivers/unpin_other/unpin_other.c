/* unpin_other: a driver of the ScratchDevice that unpins what it is told to, for the bad-unpin
 * case "another driver's PMT" (test_syscall_conformance_bti). Built twice with different driver
 * names (UNPIN_OTHER_NAME), so that two drivers share the simulated process and its handle
 * table, as drivers sharing a devhost did.
 *
 * At bind: if unpin_other_victim holds a handle value, the driver unpins it (recording the
 * status and the line of the call); otherwise it pins a page of its own and publishes the PMT
 * handle in unpin_other_pmt. */
#include <ddk/binding.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <zircon/syscalls.h>

/* Read and written by the test through dlsym. */
zx_handle_t unpin_other_victim;
zx_handle_t unpin_other_pmt;
zx_status_t unpin_other_status = 1;
int unpin_other_line;

static zx_status_t unpin_other_bind(void* ctx, zx_device_t* parent) {
  (void)ctx;
  if (unpin_other_victim != ZX_HANDLE_INVALID) {
    unpin_other_line = __LINE__ + 1;
    unpin_other_status = zx_pmt_unpin(unpin_other_victim);
    return ZX_OK;
  }
  pci_protocol_t pci;
  zx_handle_t bti, vmo;
  zx_paddr_t addr;
  zx_status_t st = device_get_protocol(parent, ZX_PROTOCOL_PCI, &pci);
  if (st == ZX_OK) st = pci_get_bti(&pci, 0, &bti);
  if (st == ZX_OK) st = zx_vmo_create(4096, 0, &vmo);
  if (st == ZX_OK) st = zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, 4096, &addr, 1, &unpin_other_pmt);
  return st;
}

static zx_driver_ops_t unpin_other_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = unpin_other_bind,
};

/* The driver's name is a macro argument: expand it before ZIRCON_DRIVER_BEGIN stringifies it. */
#define UNPIN_OTHER_BEGIN(name) ZIRCON_DRIVER_BEGIN(name, unpin_other_ops, "staleline", "0.1", 3)
#define UNPIN_OTHER_END(name) ZIRCON_DRIVER_END(name)

UNPIN_OTHER_BEGIN(UNPIN_OTHER_NAME)
  BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
  BI_ABORT_IF(NE, BIND_PCI_VID, 0x1b36),
  BI_MATCH_IF(EQ, BIND_PCI_DID, 0x5c00),
UNPIN_OTHER_END(UNPIN_OTHER_NAME)
