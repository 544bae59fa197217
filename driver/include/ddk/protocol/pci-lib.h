/* ddk/protocol/pci-lib.h: helpers over the PCI protocol (Fuchsia's pci-lib.h). */
#ifndef DDK_PROTOCOL_PCI_LIB_H_
#define DDK_PROTOCOL_PCI_LIB_H_

#include <ddk/mmio-buffer.h>
#include <ddk/protocol/pci.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

/* Map MMIO BAR bar_id into *buffer (release with mmio_buffer_release()).
 * pci_get_bar() errors; ZX_ERR_WRONG_TYPE for a PIO BAR; mmio_buffer_init() errors. */
static inline zx_status_t pci_map_bar_buffer(const pci_protocol_t* pci, uint32_t bar_id,
                                             uint32_t cache_policy, mmio_buffer_t* buffer) {
  zx_pci_bar_t bar;
  zx_status_t status = pci->ops->get_bar(pci->ctx, bar_id, &bar);
  if (status != ZX_OK) {
    return status;
  }
  if (bar.type == ZX_PCI_BAR_TYPE_PIO || bar.handle == ZX_HANDLE_INVALID) {
    return ZX_ERR_WRONG_TYPE;
  }
  return mmio_buffer_init(buffer, 0, bar.size, bar.handle, cache_policy);
}

/* Fixed-width configuration space accessors. */
static inline zx_status_t pci_config_read8(const pci_protocol_t* pci, uint16_t offset,
                                           uint8_t* value) {
  uint32_t wide = 0;
  zx_status_t status = pci->ops->config_read(pci->ctx, offset, sizeof(uint8_t), &wide);
  *value = (uint8_t)(wide & UINT8_MAX);
  return status;
}

static inline zx_status_t pci_config_read16(const pci_protocol_t* pci, uint16_t offset,
                                            uint16_t* value) {
  uint32_t wide = 0;
  zx_status_t status = pci->ops->config_read(pci->ctx, offset, sizeof(uint16_t), &wide);
  *value = (uint16_t)(wide & UINT16_MAX);
  return status;
}

static inline zx_status_t pci_config_read32(const pci_protocol_t* pci, uint16_t offset,
                                            uint32_t* value) {
  return pci->ops->config_read(pci->ctx, offset, sizeof(uint32_t), value);
}

static inline zx_status_t pci_config_write8(const pci_protocol_t* pci, uint16_t offset,
                                            uint8_t value) {
  return pci->ops->config_write(pci->ctx, offset, sizeof(uint8_t), value);
}

static inline zx_status_t pci_config_write16(const pci_protocol_t* pci, uint16_t offset,
                                             uint16_t value) {
  return pci->ops->config_write(pci->ctx, offset, sizeof(uint16_t), value);
}

static inline zx_status_t pci_config_write32(const pci_protocol_t* pci, uint16_t offset,
                                             uint32_t value) {
  return pci->ops->config_write(pci->ctx, offset, sizeof(uint32_t), value);
}

/* Offset of the first capability of id type, 0 if none. The capability pointer at 0x34 acts
 * as the "next" byte of an imaginary capability at 0x33. */
static inline uint8_t pci_get_first_capability(const pci_protocol_t* pci, uint8_t type) {
  return pci_get_next_capability(pci, type, (uint8_t)(PCI_CFG_CAPABILITIES_PTR - 1u));
}

__END_CDECLS

#endif /* DDK_PROTOCOL_PCI_LIB_H_ */
