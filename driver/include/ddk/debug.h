/* ddk/debug.h: driver logging, zxlogf(LEVEL, fmt, ...).
 * Levels ERROR, WARN and INFO are enabled by default (__zircon_driver_rec__.log_flags = 0x7).
 * Staleline prints each line with the simulated time and the driver's name. */
#ifndef DDK_DEBUG_H_
#define DDK_DEBUG_H_

#include <stdint.h>
#include <ddk/driver.h>
#include <zircon/compiler.h>
#include <zircon/syscalls/log.h>

__BEGIN_CDECLS

#define DDK_LOG_ERROR ZX_LOG_ERROR   /* unexpected failures, always shown */
#define DDK_LOG_WARN ZX_LOG_WARN     /* probable problems, always shown */
#define DDK_LOG_INFO ZX_LOG_INFO     /* terse start/stop/state messages, always shown */
#define DDK_LOG_TRACE ZX_LOG_TRACE   /* per-transaction detail, off by default */
#define DDK_LOG_SPEW ZX_LOG_SPEW     /* register dumps, off by default */
#define DDK_LOG_DEBUG1 ZX_LOG_DEBUG1
#define DDK_LOG_DEBUG2 ZX_LOG_DEBUG2
#define DDK_LOG_DEBUG3 ZX_LOG_DEBUG3
#define DDK_LOG_DEBUG4 ZX_LOG_DEBUG4
/* Names used by later Fuchsia releases. */
#define DDK_LOG_WARNING DDK_LOG_WARN
#define DDK_LOG_DEBUG DDK_LOG_TRACE

#define zxlog_level_enabled_etc(flag) \
  ((((flag)&ZX_LOG_LEVEL_MASK) & __zircon_driver_rec__.log_flags) != 0)
#define zxlog_level_enabled(flag) zxlog_level_enabled_etc(DDK_LOG_##flag)

/* Print one log line at level flags (a DDK_LOG_* value). */
void driver_printf(uint32_t flags, const char* fmt, ...) __PRINTFLIKE(2, 3);

#define zxlogf(flag, ...)                                  \
  do {                                                     \
    if (zxlog_level_enabled_etc(DDK_LOG_##flag)) {         \
      driver_printf(DDK_LOG_##flag, __VA_ARGS__);          \
    }                                                      \
  } while (0)

static inline void driver_set_log_flags(uint32_t flags) { __zircon_driver_rec__.log_flags = flags; }
static inline uint32_t driver_get_log_flags(void) { return __zircon_driver_rec__.log_flags; }

__END_CDECLS

#endif /* DDK_DEBUG_H_ */
