/* zircon/time.h: time and duration types and overflow-safe arithmetic.
 * Time is simulated: ZX_CLOCK_MONOTONIC is the SystemC time of the platform in ns. */
#ifndef SYSROOT_ZIRCON_TIME_H_
#define SYSROOT_ZIRCON_TIME_H_

#include <stdint.h>
#include <time.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

typedef int64_t zx_time_t;      /* absolute time in ns (monotonic clock) */
typedef int64_t zx_duration_t;  /* a duration in ns */
typedef int64_t zx_ticks_t;     /* a duration in hardware ticks */

#define ZX_TIME_INFINITE INT64_MAX
#define ZX_TIME_INFINITE_PAST INT64_MIN

/* Saturating arithmetic: results clamp to ZX_TIME_INFINITE / ZX_TIME_INFINITE_PAST. */
static inline zx_time_t zx_time_add_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t x = 0;
  if (__builtin_expect(__builtin_add_overflow(time, duration, &x), 0)) {
    return x >= 0 ? ZX_TIME_INFINITE_PAST : ZX_TIME_INFINITE;
  }
  return x;
}

static inline zx_time_t zx_time_sub_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t x = 0;
  if (__builtin_expect(__builtin_sub_overflow(time, duration, &x), 0)) {
    return x >= 0 ? ZX_TIME_INFINITE_PAST : ZX_TIME_INFINITE;
  }
  return x;
}

static inline zx_duration_t zx_time_sub_time(zx_time_t time1, zx_time_t time2) {
  zx_duration_t x = 0;
  if (__builtin_expect(__builtin_sub_overflow(time1, time2, &x), 0)) {
    return x >= 0 ? ZX_TIME_INFINITE_PAST : ZX_TIME_INFINITE;
  }
  return x;
}

static inline zx_duration_t zx_duration_add_duration(zx_duration_t a, zx_duration_t b) {
  zx_duration_t x = 0;
  if (__builtin_expect(__builtin_add_overflow(a, b, &x), 0)) {
    return x >= 0 ? ZX_TIME_INFINITE_PAST : ZX_TIME_INFINITE;
  }
  return x;
}

static inline zx_duration_t zx_duration_sub_duration(zx_duration_t a, zx_duration_t b) {
  zx_duration_t x = 0;
  if (__builtin_expect(__builtin_sub_overflow(a, b, &x), 0)) {
    return x >= 0 ? ZX_TIME_INFINITE_PAST : ZX_TIME_INFINITE;
  }
  return x;
}

static inline zx_duration_t zx_duration_mul_int64(zx_duration_t duration, int64_t multiplier) {
  zx_duration_t x = 0;
  if (__builtin_expect(__builtin_mul_overflow(duration, multiplier, &x), 0)) {
    return ((duration > 0) == (multiplier > 0)) ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return x;
}

static inline int64_t zx_nsec_from_duration(zx_duration_t n) { return n; }
static inline zx_duration_t zx_duration_from_nsec(int64_t n) { return zx_duration_mul_int64(1, n); }
static inline zx_duration_t zx_duration_from_usec(int64_t n) { return zx_duration_mul_int64(1000, n); }
static inline zx_duration_t zx_duration_from_msec(int64_t n) { return zx_duration_mul_int64(1000000, n); }
static inline zx_duration_t zx_duration_from_sec(int64_t n) { return zx_duration_mul_int64(1000000000, n); }
static inline zx_duration_t zx_duration_from_min(int64_t n) { return zx_duration_mul_int64(60000000000LL, n); }
static inline zx_duration_t zx_duration_from_hour(int64_t n) { return zx_duration_mul_int64(3600000000000LL, n); }

/* Constant-expression forms (usable in static initialisers; no saturation). */
#define ZX_NSEC(n) ((zx_duration_t)(1LL * (n)))
#define ZX_USEC(n) ((zx_duration_t)(1000LL * (n)))
#define ZX_MSEC(n) ((zx_duration_t)(1000000LL * (n)))
#define ZX_SEC(n) ((zx_duration_t)(1000000000LL * (n)))
#define ZX_MIN(n) ((zx_duration_t)(60LL * 1000000000LL * (n)))
#define ZX_HOUR(n) ((zx_duration_t)(3600LL * 1000000000LL * (n)))

__END_CDECLS

#endif /* SYSROOT_ZIRCON_TIME_H_ */
