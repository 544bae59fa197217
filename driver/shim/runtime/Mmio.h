// MMIO through a mapped BAR: what readb/w/l/ll and writeb/w/l/ll (hw/reg.h, sl_mmio_*) do
// with a BAR pointer, and what the fault handler does when a driver dereferences one (a
// volatile load or store, trapped and emulated). One path, so both have MMIO timing and order.
#pragma once

#include <cstdint>

namespace staleline::zx {

// When addr lies in a mapped BAR: performs the access as MMIO (an uncached transaction to the
// device, synchronised with the calling thread's time; through the BAR's cache if the BAR was
// mapped with a cacheable policy) and returns true. Returns false for any other address.
// Raises a DriverFault for an unaligned access or a released mapping. pc: the return address
// (or instruction address + 1) in driver code the access is blamed on.
bool mmio_bar_access(const volatile void* addr, bool is_write, void* data, unsigned size, const void* pc);

class Vmo;
// zx_cache_flush over [off, off + len) of a BAR mapped cacheable: clean writes its dirty words
// to the device, invalidate drops its lines. No-op for a BAR without a cache.
void mmio_bar_maintain(Vmo& bar, uint64_t off, uint64_t len, bool clean, bool invalidate, const void* pc);

}  // namespace staleline::zx
