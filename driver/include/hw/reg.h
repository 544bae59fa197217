/* hw/reg.h: MMIO register access.
 *
 * Each accessor is one access of the given width, as in Fuchsia: a volatile access normally,
 * a call into the simulator's PCI model when compiled for Staleline (below). readll/writell
 * are Fuchsia's names for 64-bit accesses; readq/writeq are the Linux-style aliases. */
#ifndef HW_REG_H_
#define HW_REG_H_

#include <stdint.h>
#include <hw/arch_ops.h>
#include <zircon/compiler.h>

#if defined(STALELINE_DRIVER)
/* Compiled for Staleline (staleline_add_driver defines STALELINE_DRIVER): each accessor is a
 * call into the shim with the driver's own pointer. A pointer into a BAR mapped with
 * pci_map_bar()/mmio_buffer_init() becomes a timed MMIO transaction to the device; any other
 * pointer is an ordinary volatile access. A plain volatile load or store through a BAR
 * pointer (`base[REG] = v`) is MMIO too, with the same timing: the simulator traps and performs
 * it; only plain moves can be performed that way (not memcpy, atomics or read-modify-write
 * instructions on the BAR). */
__BEGIN_CDECLS
uint8_t sl_mmio_read8(const volatile void* a);
uint16_t sl_mmio_read16(const volatile void* a);
uint32_t sl_mmio_read32(const volatile void* a);
uint64_t sl_mmio_read64(const volatile void* a);
void sl_mmio_write8(uint8_t v, volatile void* a);
void sl_mmio_write16(uint16_t v, volatile void* a);
void sl_mmio_write32(uint32_t v, volatile void* a);
void sl_mmio_write64(uint64_t v, volatile void* a);
__END_CDECLS

static inline void writeb(uint8_t v, volatile void* a) { sl_mmio_write8(v, a); }
static inline void writew(uint16_t v, volatile void* a) { sl_mmio_write16(v, a); }
static inline void writel(uint32_t v, volatile void* a) { sl_mmio_write32(v, a); }
static inline void writell(uint64_t v, volatile void* a) { sl_mmio_write64(v, a); }
static inline void writeq(uint64_t v, volatile void* a) { sl_mmio_write64(v, a); }

static inline uint8_t readb(const volatile void* a) { return sl_mmio_read8(a); }
static inline uint16_t readw(const volatile void* a) { return sl_mmio_read16(a); }
static inline uint32_t readl(const volatile void* a) { return sl_mmio_read32(a); }
static inline uint64_t readll(const volatile void* a) { return sl_mmio_read64(a); }
static inline uint64_t readq(const volatile void* a) { return sl_mmio_read64(a); }
#else
static inline void writeb(uint8_t v, volatile void* a) { *(volatile uint8_t*)a = v; }
static inline void writew(uint16_t v, volatile void* a) { *(volatile uint16_t*)a = v; }
static inline void writel(uint32_t v, volatile void* a) { *(volatile uint32_t*)a = v; }
static inline void writell(uint64_t v, volatile void* a) { *(volatile uint64_t*)a = v; }
static inline void writeq(uint64_t v, volatile void* a) { *(volatile uint64_t*)a = v; }

static inline uint8_t readb(const volatile void* a) { return *(const volatile uint8_t*)a; }
static inline uint16_t readw(const volatile void* a) { return *(const volatile uint16_t*)a; }
static inline uint32_t readl(const volatile void* a) { return *(const volatile uint32_t*)a; }
static inline uint64_t readll(const volatile void* a) { return *(const volatile uint64_t*)a; }
static inline uint64_t readq(const volatile void* a) { return *(const volatile uint64_t*)a; }
#endif

/* Read-modify-write of a bit field [startbit, startbit + width). */
#define RMWREG8(addr, startbit, width, val) \
  writeb((readb(addr) & ~(((1 << (width)) - 1) << (startbit))) | ((val) << (startbit)), (addr))
#define RMWREG16(addr, startbit, width, val) \
  writew((readw(addr) & ~(((1 << (width)) - 1) << (startbit))) | ((val) << (startbit)), (addr))
#define RMWREG32(addr, startbit, width, val) \
  writel((readl(addr) & ~(((1u << (width)) - 1) << (startbit))) | ((val) << (startbit)), (addr))
#define RMWREG64(addr, startbit, width, val)                                                  \
  writell((readll(addr) & ~(((1ull << (width)) - 1) << (startbit))) | ((val) << (startbit)), \
          (addr))

#define set_bitsb(v, a) writeb(readb(a) | (v), (a))
#define clr_bitsb(v, a) writeb(readb(a) & ~(v), (a))
#define set_bitsw(v, a) writew(readw(a) | (v), (a))
#define clr_bitsw(v, a) writew(readw(a) & ~(v), (a))
#define set_bitsl(v, a) writel(readl(a) | (v), (a))
#define clr_bitsl(v, a) writel(readl(a) & ~(v), (a))
#define set_bitsll(v, a) writell(readll(a) | (v), (a))
#define clr_bitsll(v, a) writell(readll(a) & ~(v), (a))

#endif /* HW_REG_H_ */
