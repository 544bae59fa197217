/* zircon/syscalls/pci.h: PCI types shared by the kernel and the PCI protocol. */
#ifndef SYSROOT_ZIRCON_SYSCALLS_PCI_H_
#define SYSROOT_ZIRCON_SYSCALLS_PCI_H_

#include <zircon/types.h>

__BEGIN_CDECLS

/* A BAR as returned by the PCI protocol's get_bar: an MMIO BAR carries a VMO handle
 * covering the BAR, a PIO BAR a port base address. */
typedef uint32_t zx_pci_bar_types_t;
#define ZX_PCI_BAR_TYPE_UNUSED ((zx_pci_bar_types_t)0u)
#define ZX_PCI_BAR_TYPE_MMIO ((zx_pci_bar_types_t)1u)
#define ZX_PCI_BAR_TYPE_PIO ((zx_pci_bar_types_t)2u)

typedef struct zx_pci_bar {
  uint32_t id;
  uint32_t type;             /* ZX_PCI_BAR_TYPE_* */
  size_t size;
  union {
    uintptr_t addr;
    zx_handle_t handle;
  };
} zx_pci_bar_t;

typedef struct zx_pcie_device_info {
  uint16_t vendor_id;
  uint16_t device_id;
  uint8_t base_class;
  uint8_t sub_class;
  uint8_t program_interface;
  uint8_t revision_id;
  uint8_t bus_id;
  uint8_t dev_id;
  uint8_t func_id;
} zx_pcie_device_info_t;

#define ZX_PCI_MAX_BUSSES (256u)
#define ZX_PCI_MAX_DEVICES_PER_BUS (32u)
#define ZX_PCI_MAX_FUNCTIONS_PER_DEVICE (8u)
#define ZX_PCI_MAX_FUNCTIONS_PER_BUS (ZX_PCI_MAX_DEVICES_PER_BUS * ZX_PCI_MAX_FUNCTIONS_PER_DEVICE)
#define ZX_PCI_MAX_LEGACY_IRQ_PINS (4u)
#define ZX_PCI_MAX_MSI_IRQS (32u)
#define ZX_PCI_MAX_MSIX_IRQS (2048u)
#define ZX_PCI_STANDARD_CONFIG_HDR_SIZE (64u)
#define ZX_PCI_BASE_CONFIG_SIZE (256u)
#define ZX_PCI_EXTENDED_CONFIG_SIZE (4096u)
#define ZX_PCI_BAR_REGS_PER_BRIDGE (2u)
#define ZX_PCI_BAR_REGS_PER_DEVICE (6u)
#define ZX_PCI_MAX_BAR_REGS (6u)
#define ZX_PCI_NO_IRQ_MAPPING UINT32_MAX

/* Interrupt modes (pci_query_irq_mode / pci_set_irq_mode). */
typedef uint32_t zx_pci_irq_mode_t;
#define ZX_PCIE_IRQ_MODE_DISABLED ((zx_pci_irq_mode_t)0u)
#define ZX_PCIE_IRQ_MODE_LEGACY ((zx_pci_irq_mode_t)1u)
#define ZX_PCIE_IRQ_MODE_MSI ((zx_pci_irq_mode_t)2u)
#define ZX_PCIE_IRQ_MODE_MSI_X ((zx_pci_irq_mode_t)3u)

__END_CDECLS

#endif /* SYSROOT_ZIRCON_SYSCALLS_PCI_H_ */
