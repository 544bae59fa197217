// FaultHandler: SIGSEGV/SIGBUS inside the shim's arena.
//
// A load or store through a BAR pointer (the DDK tutorial's `volatile uint32_t* base;
// base[REG] = v;`) faults on the BAR's PROT_NONE reservation, in instrumented and
// uninstrumented drivers alike. The handler decodes the faulting move (MovDecoder), performs
// it as MMIO through the same path as readl/writel (mmio_bar_access: MMIO timing and order,
// a cached BAR's lines), writes a load's result into the destination register and resumes
// after the instruction. An access it cannot emulate (another instruction, an unaligned or
// released BAR access, memory of a destroyed VMO) stops the run with a DriverFault naming the
// rule and the source line, so the run still ends with its summary. So does a fault of driver
// code outside the arena (a null or wild pointer) on a simulated thread; every DriverFault is a
// `driver-fault` finding at the faulting line. Faults elsewhere go to the handler installed
// before (ASan's, or the default).
#pragma once

namespace staleline::zx {

// Installs the SIGSEGV/SIGBUS handler once per process.
void install_fault_handler();

}  // namespace staleline::zx
