/* staleline/driver_prelude.h: force-included into every driver built with
 * staleline_add_driver() (-include staleline/driver_prelude.h); drivers never include it
 * themselves.
 *
 * - STALELINE_DRIVER selects the simulator's MMIO accessors in hw/reg.h.
 * - memcpy, memset and memmove become calls to the shim's wrappers, which tell the cache
 *   model about the bytes they read and write before doing the copy. The compiler's access
 *   instrumentation does not see inside these library calls, so without the wrappers a
 *   memcpy into a DMA buffer would be invisible. <string.h> is included first, so the
 *   driver's own #include <string.h> declares nothing twice. */
#ifndef STALELINE_DRIVER_PRELUDE_H_
#define STALELINE_DRIVER_PRELUDE_H_

#ifndef STALELINE_DRIVER
#define STALELINE_DRIVER 1
#endif

#include <stddef.h>
#include <string.h>
#ifndef __cplusplus
#include <threads.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif
void* sl_driver_memcpy(void* dst, const void* src, size_t n);
void* sl_driver_memmove(void* dst, const void* src, size_t n);
void* sl_driver_memset(void* dst, int c, size_t n);
#ifndef __cplusplus
/* Zircon's C library has it in <threads.h> (the name is the thread's, for debugging); glibc's
 * does not. The shim defines it (shim/runtime/Threads.cpp). */
int thrd_create_with_name(thrd_t* thread, thrd_start_t entry, void* arg, const char* name);
#endif
#ifdef __cplusplus
}
#endif

#define memcpy sl_driver_memcpy
#define memmove sl_driver_memmove
#define memset sl_driver_memset

#endif /* STALELINE_DRIVER_PRELUDE_H_ */
