/* Staleline C API: a simulated platform (DRAM, non-coherent CPU cache, IOMMU + IOTLB,
 * PCI host bridge, interrupt controller and the devices in its PCI slots).
 *
 * SystemC elaborates once per process: create at most one platform per process, run
 * it, read its statistics, destroy it. Code that uses simulated time (CPU accesses
 * through the cache, MMIO, device transactions, waits) runs in threads spawned with
 * sl_platform_spawn(), which are SystemC threads with a large stack. */
#ifndef STALELINE_PLATFORM_H
#define STALELINE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "staleline/config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_platform sl_platform_t;

/* NULL on error (sl_error() says why; configuration errors name their key). */
sl_platform_t* sl_platform_create(const sl_config_t* cfg);
void sl_platform_destroy(sl_platform_t* p);

typedef void (*sl_thread_fn)(void* arg);
/* Start fn(arg) as a simulated thread (stack: 8 MiB) when the simulation runs. */
int sl_platform_spawn(sl_platform_t* p, const char* name, sl_thread_fn fn, void* arg);
/* After sl_platform_run() returned with threads still waiting (a limit stopped the run):
 * end the threads started with sl_platform_spawn() that have not returned, unwinding their
 * stacks (C++ objects on them are destroyed; C frames are abandoned). Threads the driver
 * runtime started keep running, so that the driver can still be released. Returns how many
 * were ended, or -1 when the simulation cannot run any more (after an error). Whatever
 * thread is still waiting when the platform is destroyed is unwound then. */
int sl_platform_unwind_spawned(sl_platform_t* p);
/* Run until every spawned thread has returned and nothing else is scheduled, or until
 * limit_ns of simulated time have passed (0: no limit). Returns 0, or -1 on a
 * simulation error (sl_error()). May be called again to continue. */
int sl_platform_run(sl_platform_t* p, uint64_t limit_ns);
/* Simulated time, in ns, of the next scheduled activity after sl_platform_run() returned
 * (the time now when there is activity left at it); UINT64_MAX when nothing is scheduled,
 * which is how a run that ended is told from one a limit stopped. */
uint64_t sl_platform_next_activity_ns(sl_platform_t* p);

/* Simulated time now, in ns (includes the calling thread's local time offset). */
uint64_t sl_time_ns(void);
/* Let simulated time pass in the calling simulated thread. */
void sl_wait_ns(uint64_t ns);

/* Statistics of every model as one JSON object; the caller frees. */
char* sl_platform_stats_json(sl_platform_t* p);

/* ---- the devices in the PCI slots (platform.devices; docs/devices.md) ---- */

typedef struct sl_device_info {
    const char* instance;  /* "dma_engine", "nic0" (valid while the platform exists) */
    const char* kind;      /* the kind's name */
    unsigned slot;
    uint16_t vendor_id, device_id;
    uint16_t requester_id;
    int rtl;               /* 1: Verilated RTL (has a waveform) */
} sl_device_info_t;

size_t sl_platform_device_count(sl_platform_t* p);
/* The device in `slot`. 0, or -1 (sl_error()) when the slot is empty. */
int sl_platform_device_info(sl_platform_t* p, unsigned slot, sl_device_info_t* out);
/* Slot of the device named `instance`, or -1. */
int sl_platform_device_slot(sl_platform_t* p, const char* instance);
/* Record the RTL signals of the device in `slot` into a VCD file from now on. 0, or -1 with
 * sl_error() (empty slot, not RTL, file not writable). */
int sl_platform_device_vcd(sl_platform_t* p, unsigned slot, const char* path);
/* Print every device kind there is (built-in, and the modules in the search path) to f, one
 * per line: name, form, PCI ids, summary. Returns how many. */
size_t sl_device_kinds_print(FILE* f);

/* ---- DRAM and RAM allocation (untimed: these are the simulator's hands, not the CPU's) ---- */
int sl_dram_read(sl_platform_t* p, uint64_t pa, void* dst, size_t len);
int sl_dram_write(sl_platform_t* p, uint64_t pa, const void* src, size_t len);
/* Allocate npages 4 KiB RAM pages, contiguous or scattered; pages_out gets each page's
 * address. Returns 0, or -1 when RAM is exhausted. */
int sl_phys_alloc(sl_platform_t* p, uint64_t npages, int contiguous, uint64_t* pages_out);

#ifdef __cplusplus
}
#endif
#endif
