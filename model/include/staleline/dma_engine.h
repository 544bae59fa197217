/* Staleline C API: the DMA engine (rtl/dma_engine.v, Verilated) as the PCI function in
 * slot 0 (pci.dma_engine=true, the default), connected by the TLM bridges in bridge/.
 * Registers, descriptor format and errors: rtl/README.md. Timing and the bridge: docs/cosim.md. */
#ifndef STALELINE_DMA_ENGINE_H
#define STALELINE_DMA_ENGINE_H

#include <stdint.h>

#include "staleline/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SL_DMA_ENGINE_VENDOR_ID 0x1b36u
#define SL_DMA_ENGINE_DEVICE_ID 0x5d00u

/* PCI slot of the engine, or -1 when the platform has none (pci.dma_engine=false). */
int sl_dma_engine_slot(sl_platform_t* p);

/* Dump the RTL signals of the engine to a VCD file (GTKWave) from now on, one sample per
 * clock edge the bridge evaluates (skipped idle or waiting cycles change no signal; the
 * clock then shows no edges). Times are in ps. Call before sl_platform_run() to get the whole
 * run. Returns 0, or -1 with sl_error() set (no engine, file not writable). */
int sl_dma_engine_vcd(sl_platform_t* p, const char* path);
/* Close the VCD file (also done when the platform is destroyed). 0, or -1 without engine. */
int sl_dma_engine_vcd_stop(sl_platform_t* p);

typedef struct {
    uint64_t cycles;            /* RTL clock edges from time 0 to now (rtl.clock_mhz) */
    uint64_t cycles_evaluated;  /* edges the Verilated model was actually evaluated for */
    uint64_t evals;             /* eval() calls of the model: one per evaluated edge, two with a VCD open */
    uint64_t cycles_waiting;    /* skipped: the engine only waited for a response not yet due */
    uint64_t cycles_idle;       /* skipped: the engine was idle */
    uint64_t reg_reads, reg_writes;       /* AXI4-Lite accesses to its registers */
    uint64_t read_bursts, write_bursts;   /* AXI4 bursts of its master port (one TLM transaction each) */
    uint64_t bytes_read, bytes_written;   /* bytes those transactions moved */
    uint64_t error_responses;   /* bursts answered SLVERR/DECERR */
    uint64_t msi_writes;        /* MSI messages it wrote */
    uint64_t irq_edges;         /* changes of its legacy interrupt line */
    uint64_t quantum_syncs;     /* times its clock loop synchronised at a quantum boundary */
    uint64_t idle_sleeps;       /* times its clock stopped because it was idle */
} sl_dma_engine_stats_t;

/* 0, or -1 with sl_error() set when the platform has no engine. */
int sl_dma_engine_get_stats(sl_platform_t* p, sl_dma_engine_stats_t* out);

#ifdef __cplusplus
}
#endif
#endif
