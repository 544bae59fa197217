/* Staleline C API: the PCI host bridge, the CPU side bus and the interrupt controller. */
#ifndef STALELINE_PCI_H
#define STALELINE_PCI_H

#include <stddef.h>
#include <stdint.h>

#include "staleline/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fixed physical address map (docs/models-pci.md). */
#define SL_PCI_ECAM_BASE 0xd0000000ULL
#define SL_PCI_MMIO_BASE 0xe0000000ULL
#define SL_PCI_INTX_VECTOR_BASE 16u
#define SL_PCI_MSI_VECTOR_BASE 64u

/* Transaction results as the C API reports them. */
#define SL_RESP_OK 0
#define SL_RESP_ADDRESS_ERROR (-1) /* decode error / IOMMU fault (AXI DECERR) */
#define SL_RESP_GENERIC_ERROR (-2) /* refused: bus mastering off (AXI SLVERR) */
#define SL_RESP_OTHER_ERROR (-3)

unsigned sl_pci_device_count(sl_platform_t* p);
/* Requester id (bus 0, device slot, function 0). */
uint16_t sl_pci_requester_id(unsigned slot);
/* The slot of the ScratchDevice (pci.scratch_device=true), or -1. */
int sl_pci_scratch_slot(sl_platform_t* p);

/* Untimed config-space access of slot's function 0 (as firmware or a debugger would). */
uint32_t sl_pci_config_read(sl_platform_t* p, unsigned slot, unsigned offset, unsigned size);
void sl_pci_config_write(sl_platform_t* p, unsigned slot, unsigned offset, unsigned size, uint32_t value);

/* Timed CPU-side access (from a simulated thread): ECAM, BAR windows, or RAM
 * (uncached=1: straight to DRAM). Returns an SL_RESP_* code. */
int sl_cpu_transport(sl_platform_t* p, int is_write, uint64_t addr, void* data, size_t len, int uncached);

/* Timed upstream transaction from the ScratchDevice's DMA master. Returns SL_RESP_*. */
int sl_scratch_dma(sl_platform_t* p, int is_write, uint64_t dev_addr, void* data, size_t len);
/* Timed upstream transaction as requester rid (tests), through the PCI host and IOMMU. */
int sl_device_transport(sl_platform_t* p, uint16_t rid, int is_write, uint64_t dev_addr, void* data, size_t len);
/* Drive the legacy interrupt line of a slot. */
void sl_pci_set_intx(sl_platform_t* p, unsigned slot, int level);

typedef struct {
    uint16_t requester;
    uint64_t address;
    int is_write;
    uint64_t time_ns;
} sl_pci_master_abort_t;
size_t sl_pci_master_abort_count(sl_platform_t* p);
int sl_pci_get_master_abort(sl_platform_t* p, size_t i, sl_pci_master_abort_t* out);

/* Interrupt controller. */
uint64_t sl_irq_delivered(sl_platform_t* p, unsigned vector);
int sl_irq_level(sl_platform_t* p, unsigned vector);
/* Block the simulated thread until the vector has a pending edge (consumed) or its
 * level is high, or timeout_ns passed (0: forever). Returns 1 on interrupt, 0 on timeout. */
int sl_irq_wait(sl_platform_t* p, unsigned vector, uint64_t timeout_ns);

#ifdef __cplusplus
}
#endif
#endif
