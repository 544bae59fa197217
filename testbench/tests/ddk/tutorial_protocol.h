/* The protocol of the tutorial driver (tutorial_driver.c): lets test_ddk_tutorial run the DDK
 * tutorial's snippets (hardware-interfacing) one at a time inside a driver module. */
#ifndef SL_TUTORIAL_PROTOCOL_H
#define SL_TUTORIAL_PROTOCOL_H

#include <stdint.h>
#include <zircon/types.h>

#define SL_TUTORIAL_PROTOCOL 0x70544f52u /* 'pTOR' */

/* Register offsets of the ScratchDevice used as the tutorial's REGISTER_X / REGISTER_READY
 * (uint32_t indices into BAR0). */
#define REGISTER_X 4
#define REGISTER_READY 8
#define READY_BIT 0x1u

typedef struct sl_tutorial_ops {
  /* Which IRQ mode bind chose: ZX_PCIE_IRQ_MODE_MSI or _LEGACY; 0: the "an error" branch. */
  uint32_t (*irq_mode)(void* ctx);
  /* base[reg] = value, a volatile store through the BAR pointer. */
  void (*write_reg)(void* ctx, uint32_t reg, uint32_t value);
  /* base[reg], a volatile load. */
  uint32_t (*read_reg)(void* ctx, uint32_t reg);
  /* The tutorial's bounded polling loop; returns the timeout left (-1: it ran out). */
  int (*poll_ready)(void* ctx, int timeout);
  /* Interrupts the interrupt handling thread has seen so far. */
  int (*irq_count)(void* ctx);
  /* The tutorial's shutdown: zx_interrupt_destroy, thrd_join. Returns the thread's result
   * (1: it saw ZX_ERR_CANCELED). */
  int (*shutdown)(void* ctx);
  /* The device addresses bind got from zx_bti_pin (n of them) and the pin's status. */
  zx_status_t (*pin_status)(void* ctx, const zx_paddr_t** addrs, size_t* n);
} sl_tutorial_ops_t;

#endif
