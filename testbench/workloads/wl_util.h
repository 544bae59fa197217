/* Helpers the workloads share: a seeded generator, buffers in VMOs, byte checks that
 * record the first problem. */
#ifndef SL_WL_UTIL_H
#define SL_WL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

#include "workload.h"

/* Bytes checked on each side of a destination range: a device or a cache write-back that
 * strays past the range shows up there. */
#define WL_GUARD 64u
/* What guard bytes (and destinations before the transfer) hold. */
#define WL_GUARD_BYTE 0xa5u

typedef struct wl_rng {
    uint64_t state;
} wl_rng_t;

/* Seed from sim.seed and the workload's name, so workloads do not share a stream. */
void wl_rng_seed(wl_rng_t* r, uint64_t seed, const char* name);
uint64_t wl_rng_next(wl_rng_t* r);
uint64_t wl_rng_below(wl_rng_t* r, uint64_t n); /* 0 .. n-1 (n >= 1) */
/* Log-uniform size in [lo, hi]: as many small transfers as large ones. */
uint64_t wl_rng_size(wl_rng_t* r, uint64_t lo, uint64_t hi);
/* Random bytes, none equal to WL_GUARD_BYTE (so an unwritten byte never passes). */
void wl_rng_fill(wl_rng_t* r, uint8_t* p, size_t n);

/* A VMO of at least size bytes; *actual gets its size. Records a failure in res. */
zx_status_t wl_vmo_create(sl_workload_result_t* res, uint64_t size, zx_handle_t* out, uint64_t* actual);
/* Write `len` bytes of `byte` at off. */
zx_status_t wl_vmo_set(zx_handle_t vmo, uint64_t off, uint64_t len, uint8_t byte);

/* Record a status other than ZX_OK (the first one is kept with its description). */
void wl_status(sl_workload_result_t* res, zx_status_t status, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Set detail if it is still empty. */
void wl_detail(sl_workload_result_t* res, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

/* Preset the destination [off, off + len) and up to WL_GUARD bytes on each side (what
 * wl_verify checks) to WL_GUARD_BYTE. The VMO must reach off + len + WL_GUARD. */
zx_status_t wl_vmo_guard(zx_handle_t vmo, uint64_t off, uint64_t len);
/* Check [off, off + len) of vmo against want and up to WL_GUARD bytes on each side against
 * WL_GUARD_BYTE, reading what the CPU sees. label names the operation in the detail. */
void wl_verify(sl_workload_result_t* res, zx_handle_t vmo, uint64_t vmo_size, uint64_t off, const uint8_t* want,
               uint64_t len, const char* label);
/* Compare [off, off + len) of vmo (what the CPU sees) with want, no guard bytes (for buffers
 * whose neighbours other operations own); record the first difference. */
void wl_compare(sl_workload_result_t* res, zx_handle_t vmo, uint64_t off, const uint8_t* want, uint64_t len,
                const char* label);

#endif
