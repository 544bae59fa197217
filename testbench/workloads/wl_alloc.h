/* wl_alloc: the heap of the built-in workloads. A workload runs on a simulated thread; when the
 * run ends early (a driver fault, a time limit) that thread is never resumed, and whatever its
 * frames had allocated would leak. Blocks from here are tracked, so the run's owner releases
 * the ones such a thread left behind (sl_workload_free_abandoned). */
#ifndef WL_ALLOC_H
#define WL_ALLOC_H

#include <stddef.h>

void* wl_malloc(size_t n);
void* wl_calloc(size_t n, size_t size);
void* wl_realloc(void* p, size_t n);
void wl_free(void* p);

#endif
