/* Helpers the workloads share. */
#include "wl_alloc.h"
#include "wl_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

static uint64_t splitmix(uint64_t* x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void wl_rng_seed(wl_rng_t* r, uint64_t seed, const char* name) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a of the name */
    for (const char* c = name; *c; ++c) h = (h ^ (uint8_t)*c) * 1099511628211ULL;
    r->state = seed ^ h;
}

uint64_t wl_rng_next(wl_rng_t* r) { return splitmix(&r->state); }

uint64_t wl_rng_below(wl_rng_t* r, uint64_t n) { return n <= 1 ? 0 : wl_rng_next(r) % n; }

uint64_t wl_rng_size(wl_rng_t* r, uint64_t lo, uint64_t hi) {
    if (hi <= lo) return lo;
    unsigned bits_lo = 63 - (unsigned)__builtin_clzll(lo), bits_hi = 63 - (unsigned)__builtin_clzll(hi);
    for (;;) {
        unsigned b = bits_lo + (unsigned)wl_rng_below(r, bits_hi - bits_lo + 1);
        uint64_t v = (1ULL << b) + wl_rng_below(r, 1ULL << b);
        if (v >= lo && v <= hi) return v;
    }
}

void wl_rng_fill(wl_rng_t* r, uint8_t* p, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint64_t v = wl_rng_next(r);
        for (int k = 0; k < 8 && i < n; ++k, ++i) {
            uint8_t b = (uint8_t)(v >> (8 * k));
            p[i] = b == WL_GUARD_BYTE ? (uint8_t)~b : b;
        }
    }
}

zx_status_t wl_vmo_create(sl_workload_result_t* res, uint64_t size, zx_handle_t* out, uint64_t* actual) {
    zx_status_t st = zx_vmo_create(size, 0, out);
    if (st == ZX_OK) st = zx_vmo_get_size(*out, actual);
    if (st != ZX_OK) wl_status(res, st, "zx_vmo_create(%llu)", (unsigned long long)size);
    return st;
}

zx_status_t wl_vmo_set(zx_handle_t vmo, uint64_t off, uint64_t len, uint8_t byte) {
    uint8_t buf[4096];
    memset(buf, byte, sizeof buf);
    while (len > 0) {
        size_t n = len < sizeof buf ? (size_t)len : sizeof buf;
        zx_status_t st = zx_vmo_write(vmo, buf, off, n);
        if (st != ZX_OK) return st;
        off += n;
        len -= n;
    }
    return ZX_OK;
}

static void vdetail(sl_workload_result_t* res, const char* fmt, va_list ap) {
    if (res->detail[0]) return;
    vsnprintf(res->detail, sizeof res->detail, fmt, ap);
}

void wl_detail(sl_workload_result_t* res, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vdetail(res, fmt, ap);
    va_end(ap);
}

void wl_status(sl_workload_result_t* res, zx_status_t status, const char* fmt, ...) {
    if (status == ZX_OK) return;
    res->failed_ops++;
    if (res->first_status != ZX_OK) return;
    res->first_status = status;
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    wl_detail(res, "%s: %s", what, zx_status_get_string(status));
}

zx_status_t wl_vmo_guard(zx_handle_t vmo, uint64_t off, uint64_t len) {
    const uint64_t lo = off > WL_GUARD ? off - WL_GUARD : 0;
    return wl_vmo_set(vmo, lo, off + len + WL_GUARD - lo, WL_GUARD_BYTE);
}

void wl_verify(sl_workload_result_t* res, zx_handle_t vmo, uint64_t vmo_size, uint64_t off, const uint8_t* want,
               uint64_t len, const char* label) {
    const uint64_t lo = off > WL_GUARD ? off - WL_GUARD : 0;
    const uint64_t hi = off + len + WL_GUARD < vmo_size ? off + len + WL_GUARD : vmo_size;
    uint8_t* got = wl_malloc(hi - lo);
    if (!got) {
        wl_detail(res, "%s: out of host memory", label);
        res->bad_bytes++;
        return;
    }
    zx_status_t st = zx_vmo_read(vmo, got, lo, hi - lo);
    if (st != ZX_OK) {
        wl_status(res, st, "%s: zx_vmo_read", label);
        wl_free(got);
        return;
    }
    uint64_t bad = 0, first = 0;
    for (uint64_t a = lo; a < hi; ++a) {
        const uint8_t expect = (a >= off && a < off + len) ? want[a - off] : WL_GUARD_BYTE;
        if (got[a - lo] != expect && bad++ == 0) first = a;
    }
    if (bad) {
        const int inside = first >= off && first < off + len;
        const uint8_t expect = inside ? want[first - off] : WL_GUARD_BYTE;
        if (inside)
            wl_detail(res, "%s: %llu bytes wrong, first at +%llu: 0x%02x, expected 0x%02x", label,
                      (unsigned long long)bad, (unsigned long long)(first - off), got[first - lo], expect);
        else
            wl_detail(res, "%s: %llu bytes wrong, first a guard byte at VMO offset %llu: 0x%02x, expected 0x%02x",
                      label, (unsigned long long)bad, (unsigned long long)first, got[first - lo], expect);
    }
    res->bytes_checked += hi - lo;
    res->bad_bytes += bad;
    wl_free(got);
}

void wl_compare(sl_workload_result_t* res, zx_handle_t vmo, uint64_t off, const uint8_t* want, uint64_t len,
                const char* label) {
    uint8_t* got = wl_malloc(len ? len : 1);
    if (!got) {
        wl_detail(res, "%s: out of host memory", label);
        res->bad_bytes++;
        return;
    }
    zx_status_t st = zx_vmo_read(vmo, got, off, len);
    if (st != ZX_OK) {
        wl_status(res, st, "%s: zx_vmo_read", label);
        wl_free(got);
        return;
    }
    uint64_t bad = 0, first = 0;
    for (uint64_t i = 0; i < len; ++i)
        if (got[i] != want[i] && bad++ == 0) first = i;
    if (bad)
        wl_detail(res, "%s: %llu bytes wrong, first at +%llu: 0x%02x, expected 0x%02x", label, (unsigned long long)bad,
                  (unsigned long long)first, got[first], want[first]);
    res->bytes_checked += len;
    res->bad_bytes += bad;
    wl_free(got);
}
