/* ddk/protocol/pci.h: the PCI protocol a driver gets from its parent device
 * (device_get_protocol(parent, ZX_PROTOCOL_PCI, &pci)). Same shape as Fuchsia's late-2018
 * banjo-generated header (ddk.protocol.pci): an ops table plus one static inline wrapper per
 * method.
 *
 * The errors listed are those of the late-2018 bus: the devhost's PCI proxy in front of the
 * kernel's PCIe driver, one generation for mode numbers, signatures and codes
 * (docs/api-coverage.md cites the source of each). */
#ifndef DDK_PROTOCOL_PCI_H_
#define DDK_PROTOCOL_PCI_H_

#include <stdbool.h>
#include <zircon/compiler.h>
#include <zircon/syscalls/pci.h>
#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct pci_protocol pci_protocol_t;

typedef uint8_t pci_cap_id_t;
#define PCI_CAP_ID_NULL UINT8_C(0)
#define PCI_CAP_ID_PCI_PWR_MGMT UINT8_C(1)
#define PCI_CAP_ID_AGP UINT8_C(2)
#define PCI_CAP_ID_VPD UINT8_C(3)
#define PCI_CAP_ID_MSI UINT8_C(5)
#define PCI_CAP_ID_PCIX UINT8_C(7)
#define PCI_CAP_ID_HYPERTRANSPORT UINT8_C(8)
#define PCI_CAP_ID_VENDOR UINT8_C(9)
#define PCI_CAP_ID_DEBUG_PORT UINT8_C(10)
#define PCI_CAP_ID_COMPACT_PCI_CRC UINT8_C(11)
#define PCI_CAP_ID_PCI_HOT_PLUG UINT8_C(12)
#define PCI_CAP_ID_PCI_BRIDGE_SUBSYSTEM_VID UINT8_C(13)
#define PCI_CAP_ID_AGP8X UINT8_C(14)
#define PCI_CAP_ID_SECURE_DEVICE UINT8_C(15)
#define PCI_CAP_ID_PCI_EXPRESS UINT8_C(16)
#define PCI_CAP_ID_MSIX UINT8_C(17)
#define PCI_CAP_ID_SATA_DATA_NDX_CFG UINT8_C(18)
#define PCI_CAP_ID_ADVANCED_FEATURES UINT8_C(19)
#define PCI_CAP_ID_ENHANCED_ALLOCATION UINT8_C(20)

typedef uint16_t pci_cfg_t;
#define PCI_CFG_VENDOR_ID UINT16_C(0)
#define PCI_CFG_DEVICE_ID UINT16_C(2)
#define PCI_CFG_REVISION_ID UINT16_C(8)
#define PCI_CFG_CLASS_CODE UINT16_C(9)
#define PCI_CFG_SUBSYSTEM_VENDOR_ID UINT16_C(44)
#define PCI_CFG_SUBSYSTEM_ID UINT16_C(46)
#define PCI_CFG_CAPABILITIES_PTR UINT16_C(52)

typedef struct pci_protocol_ops {
  zx_status_t (*get_bar)(void* ctx, uint32_t bar_id, zx_pci_bar_t* out_res);
  zx_status_t (*map_bar)(void* ctx, uint32_t bar_id, uint32_t cache_policy,
                         void** out_vaddr_buffer, size_t* vaddr_size, zx_handle_t* out_handle);
  zx_status_t (*enable_bus_master)(void* ctx, bool enable);
  zx_status_t (*reset_device)(void* ctx);
  zx_status_t (*map_interrupt)(void* ctx, int32_t which_irq, zx_handle_t* out_handle);
  zx_status_t (*query_irq_mode)(void* ctx, zx_pci_irq_mode_t mode, uint32_t* out_max_irqs);
  zx_status_t (*set_irq_mode)(void* ctx, zx_pci_irq_mode_t mode, uint32_t requested_irq_count);
  zx_status_t (*get_device_info)(void* ctx, zx_pcie_device_info_t* out_into);
  zx_status_t (*config_read)(void* ctx, uint16_t offset, size_t width, uint32_t* out_value);
  zx_status_t (*config_write)(void* ctx, uint16_t offset, size_t width, uint32_t value);
  uint8_t (*get_next_capability)(void* ctx, uint8_t type, uint8_t offset);
  zx_status_t (*get_auxdata)(void* ctx, const char* args, void* out_data_buffer, size_t data_size,
                             size_t* out_data_actual);
  zx_status_t (*get_bti)(void* ctx, uint32_t index, zx_handle_t* out_bti);
} pci_protocol_ops_t;

struct pci_protocol {
  pci_protocol_ops_t* ops;
  void* ctx;
};

/* Describe BAR bar_id (0..5); an MMIO BAR comes with a VMO handle (the caller owns it), an I/O
 * BAR as type ZX_PCI_BAR_TYPE_PIO with its port base in addr and no handle.
 * ZX_ERR_INVALID_ARGS bar_id >= ZX_PCI_MAX_BAR_REGS or out_res NULL.
 * ZX_ERR_NOT_FOUND    the BAR is not implemented by the device. */
static inline zx_status_t pci_get_bar(const pci_protocol_t* proto, uint32_t bar_id,
                                      zx_pci_bar_t* out_res) {
  return proto->ops->get_bar(proto->ctx, bar_id, out_res);
}

/* Map an MMIO BAR with cache_policy (normally ZX_CACHE_POLICY_UNCACHED_DEVICE); *vaddr points
 * at the registers, *size is the BAR size, *out_handle the BAR's VMO (close it when done).
 * ZX_ERR_INVALID_ARGS a pointer is NULL or bar_id >= ZX_PCI_MAX_BAR_REGS.
 * ZX_ERR_NOT_FOUND    the BAR is not implemented.
 * ZX_ERR_WRONG_TYPE   the BAR is a PIO BAR.
 * zx_vmo_set_cache_policy() / zx_vmar_map() errors. */
static inline zx_status_t pci_map_bar(const pci_protocol_t* proto, uint32_t bar_id,
                                      uint32_t cache_policy, void** out_vaddr_buffer,
                                      size_t* vaddr_size, zx_handle_t* out_handle) {
  return proto->ops->map_bar(proto->ctx, bar_id, cache_policy, out_vaddr_buffer, vaddr_size,
                             out_handle);
}

/* Set or clear Bus Master Enable in the command register. While it is clear, the device's
 * DMA is blocked (Staleline reports bus-master-disabled). */
static inline zx_status_t pci_enable_bus_master(const pci_protocol_t* proto, bool enable) {
  return proto->ops->enable_bus_master(proto->ctx, enable);
}

/* Function-level reset of the device. */
static inline zx_status_t pci_reset_device(const pci_protocol_t* proto) {
  return proto->ops->reset_device(proto->ctx);
}

/* Interrupt object for vector which_irq of the current IRQ mode (rights
 * ZX_DEFAULT_PCI_INTERRUPT_RIGHTS). Mapping a vector again replaces the earlier object, which
 * then never triggers.
 * ZX_ERR_INVALID_ARGS out_handle NULL.
 * ZX_ERR_INVALID_ARGS which_irq < 0 or >= the vector count of the last successful
 *                     pci_set_irq_mode() (0 before any).
 * ZX_ERR_BAD_STATE    interrupts are disabled (mode DISABLED, or a failed mode change). */
static inline zx_status_t pci_map_interrupt(const pci_protocol_t* proto, int32_t which_irq,
                                            zx_handle_t* out_handle) {
  return proto->ops->map_interrupt(proto->ctx, which_irq, out_handle);
}

/* How many vectors mode (ZX_PCIE_IRQ_MODE_*) offers; 0 for ZX_PCIE_IRQ_MODE_DISABLED.
 * ZX_ERR_INVALID_ARGS  out_max_irqs NULL (Staleline; see docs/api-coverage.md).
 * ZX_ERR_INVALID_ARGS  mode is not a ZX_PCIE_IRQ_MODE_* value.
 * ZX_ERR_NOT_SUPPORTED the device does not support mode (MSI-X: never). */
static inline zx_status_t pci_query_irq_mode(const pci_protocol_t* proto, zx_pci_irq_mode_t mode,
                                             uint32_t* out_max_irqs) {
  return proto->ops->query_irq_mode(proto->ctx, mode, out_max_irqs);
}

/* Switch to mode with requested_irq_count vectors (ignored for DISABLED). Interrupt objects of
 * the mode left stay valid handles but never trigger again.
 * ZX_ERR_INVALID_ARGS  mode is not a ZX_PCIE_IRQ_MODE_* value, or requested_irq_count is 0
 *                      for a mode other than DISABLED.
 * ZX_ERR_NOT_SUPPORTED the device does not support mode, or not that many vectors in it
 *                      (LEGACY: 1); interrupts are then disabled. */
static inline zx_status_t pci_set_irq_mode(const pci_protocol_t* proto, zx_pci_irq_mode_t mode,
                                           uint32_t requested_irq_count) {
  return proto->ops->set_irq_mode(proto->ctx, mode, requested_irq_count);
}

/* Vendor/device ids, class and bus/device/function of the device. */
static inline zx_status_t pci_get_device_info(const pci_protocol_t* proto,
                                              zx_pcie_device_info_t* out_into) {
  return proto->ops->get_device_info(proto->ctx, out_into);
}

/* Configuration space access; width is 1, 2 or 4 bytes, offset naturally aligned.
 * ZX_ERR_INVALID_ARGS width not 1/2/4, out_value NULL, offset misaligned.
 * ZX_ERR_OUT_OF_RANGE offset + width beyond the 4 KiB extended configuration space. */
static inline zx_status_t pci_config_read(const pci_protocol_t* proto, uint16_t offset,
                                          size_t width, uint32_t* out_value) {
  return proto->ops->config_read(proto->ctx, offset, width, out_value);
}
static inline zx_status_t pci_config_write(const pci_protocol_t* proto, uint16_t offset,
                                           size_t width, uint32_t value) {
  return proto->ops->config_write(proto->ctx, offset, width, value);
}

/* Offset of the next capability of id type after the capability at offset; 0 if none.
 * Start a walk with pci_get_first_capability() (ddk/protocol/pci-lib.h). */
static inline uint8_t pci_get_next_capability(const pci_protocol_t* proto, uint8_t type,
                                              uint8_t offset) {
  return proto->ops->get_next_capability(proto->ctx, type, offset);
}

/* Platform auxiliary data (ACPI); not provided by the simulated bus (ZX_ERR_NOT_SUPPORTED). */
static inline zx_status_t pci_get_auxdata(const pci_protocol_t* proto, const char* args,
                                          void* out_data_buffer, size_t data_size,
                                          size_t* out_data_actual) {
  return proto->ops->get_auxdata(proto->ctx, args, out_data_buffer, data_size, out_data_actual);
}

/* Bus Transaction Initiator of the device: the handle for zx_bti_pin() and
 * zx_vmo_create_contiguous(). index is 0 (one BTI per function).
 * ZX_ERR_INVALID_ARGS out_bti NULL.
 * ZX_ERR_OUT_OF_RANGE index != 0. */
static inline zx_status_t pci_get_bti(const pci_protocol_t* proto, uint32_t index,
                                      zx_handle_t* out_bti) {
  return proto->ops->get_bti(proto->ctx, index, out_bti);
}

__END_CDECLS

#endif /* DDK_PROTOCOL_PCI_H_ */
