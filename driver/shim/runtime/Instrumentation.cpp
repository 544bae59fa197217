// The runtime of the driver's access instrumentation. Drivers are compiled with
// -fsanitize=thread (at compile time only), so the compiler (GCC or clang) calls these entry
// points around every memory access and function of driver code; together with the
// memcpy/memset/memmove wrappers of staleline/driver_prelude.h they let the cache model see
// the driver's plain loads and stores of DMA buffers (the way the Linux kernel's KCSAN uses
// the same hooks).
//
// Every access hook has the same fast path: one subtraction and compare against the HostArena
// bounds, so stack, heap and globals of the driver cost almost nothing. Addresses in the arena
// go to observe_access() (cache model, timing, mapping checks). Atomics are performed on the
// host memory (sequentially consistent, whatever order was asked: the simulated CPU is not
// weakly ordered) after being observed.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "AccessObserver.h"
#include "SimThread.h"

using namespace staleline::zx;

#define SL_PC __builtin_return_address(0)

extern "C" {

// ---- lifecycle and call stack ----

// Called by clang's module constructor and by GCC's: nothing to set up.
void __tsan_init(void) {}

void __tsan_func_entry(void* pc) { SimThread::current().push_frame(pc); }
// GCC declares it with a pointer argument it does not pass (clang: no argument).
void __tsan_func_exit(void*) { SimThread::current().pop_frame(); }

// ---- plain, unaligned and volatile accesses ----

#define SL_ACCESS_HOOKS(N)                                                                                          \
    void __tsan_read##N(void* a) { maybe_observe(a, N, false, SL_PC, AccessPath::Instrumented); }                   \
    void __tsan_write##N(void* a) { maybe_observe(a, N, true, SL_PC, AccessPath::Instrumented); }                   \
    void __tsan_unaligned_read##N(void* a) { maybe_observe(a, N, false, SL_PC, AccessPath::Instrumented); }         \
    void __tsan_unaligned_write##N(void* a) { maybe_observe(a, N, true, SL_PC, AccessPath::Instrumented); }         \
    void __tsan_volatile_read##N(void* a) { maybe_observe(a, N, false, SL_PC, AccessPath::Instrumented); }          \
    void __tsan_volatile_write##N(void* a) { maybe_observe(a, N, true, SL_PC, AccessPath::Instrumented); }          \
    void __tsan_unaligned_volatile_read##N(void* a) { maybe_observe(a, N, false, SL_PC, AccessPath::Instrumented); } \
    void __tsan_unaligned_volatile_write##N(void* a) { maybe_observe(a, N, true, SL_PC, AccessPath::Instrumented); }

SL_ACCESS_HOOKS(1)
SL_ACCESS_HOOKS(2)
SL_ACCESS_HOOKS(4)
SL_ACCESS_HOOKS(8)
SL_ACCESS_HOOKS(16)

void __tsan_read_range(void* a, long size) {
    maybe_observe_range(a, size, false, SL_PC, AccessPath::Instrumented);
}
void __tsan_write_range(void* a, long size) {
    maybe_observe_range(a, size, true, SL_PC, AccessPath::Instrumented);
}
void __tsan_read1_pc(void* a, void* pc) { maybe_observe(a, 1, false, pc, AccessPath::Instrumented); }
void __tsan_read2_pc(void* a, void* pc) { maybe_observe(a, 2, false, pc, AccessPath::Instrumented); }
void __tsan_read4_pc(void* a, void* pc) { maybe_observe(a, 4, false, pc, AccessPath::Instrumented); }
void __tsan_read8_pc(void* a, void* pc) { maybe_observe(a, 8, false, pc, AccessPath::Instrumented); }
void __tsan_write1_pc(void* a, void* pc) { maybe_observe(a, 1, true, pc, AccessPath::Instrumented); }
void __tsan_write2_pc(void* a, void* pc) { maybe_observe(a, 2, true, pc, AccessPath::Instrumented); }
void __tsan_write4_pc(void* a, void* pc) { maybe_observe(a, 4, true, pc, AccessPath::Instrumented); }
void __tsan_write8_pc(void* a, void* pc) { maybe_observe(a, 8, true, pc, AccessPath::Instrumented); }

// ---- atomics ----
// Signatures as GCC declares its sanitizer built-ins (unsigned types, volatile void*), which
// it does in any sanitizer build of this file.

#define SL_SEQ __ATOMIC_SEQ_CST
#define SL_OBS(w, T) maybe_observe((const void*)a, sizeof(T), w, SL_PC, AccessPath::Instrumented)
#define SL_ATOMIC_RMW(N, T, OP)                                            \
    T __tsan_atomic##N##_##OP(volatile void* a, T v, int) {                \
        SL_OBS(true, T);                                                      \
        return __atomic_##OP((volatile T*)a, v, SL_SEQ);                   \
    }
#define SL_ATOMIC_HOOKS(N, T)                                                                 \
    T __tsan_atomic##N##_load(const volatile void* a, int) {                                  \
        SL_OBS(false, T);                                                                        \
        return __atomic_load_n((const volatile T*)a, SL_SEQ);                                 \
    }                                                                                         \
    void __tsan_atomic##N##_store(volatile void* a, T v, int) {                               \
        SL_OBS(true, T);                                                                         \
        __atomic_store_n((volatile T*)a, v, SL_SEQ);                                          \
    }                                                                                         \
    T __tsan_atomic##N##_exchange(volatile void* a, T v, int) {                               \
        SL_OBS(true, T);                                                                         \
        return __atomic_exchange_n((volatile T*)a, v, SL_SEQ);                                \
    }                                                                                         \
    SL_ATOMIC_RMW(N, T, fetch_add)                                                            \
    SL_ATOMIC_RMW(N, T, fetch_sub)                                                            \
    SL_ATOMIC_RMW(N, T, fetch_and)                                                            \
    SL_ATOMIC_RMW(N, T, fetch_or)                                                             \
    SL_ATOMIC_RMW(N, T, fetch_xor)                                                            \
    SL_ATOMIC_RMW(N, T, fetch_nand)                                                           \
    bool __tsan_atomic##N##_compare_exchange_strong(volatile void* a, void* c, T v, int, int) { \
        SL_OBS(true, T);                                                                         \
        return __atomic_compare_exchange_n((volatile T*)a, (T*)c, v, false, SL_SEQ, SL_SEQ);  \
    }                                                                                         \
    bool __tsan_atomic##N##_compare_exchange_weak(volatile void* a, void* c, T v, int, int) { \
        SL_OBS(true, T);                                                                         \
        return __atomic_compare_exchange_n((volatile T*)a, (T*)c, v, false, SL_SEQ, SL_SEQ);  \
    }                                                                                         \
    T __tsan_atomic##N##_compare_exchange_val(volatile void* a, T c, T v, int, int) {         \
        SL_OBS(true, T);                                                                         \
        __atomic_compare_exchange_n((volatile T*)a, &c, v, false, SL_SEQ, SL_SEQ);            \
        return c;                                                                             \
    }

SL_ATOMIC_HOOKS(8, unsigned char)
SL_ATOMIC_HOOKS(16, unsigned short)
SL_ATOMIC_HOOKS(32, unsigned int)
SL_ATOMIC_HOOKS(64, unsigned long)

// 16-byte atomics would need libatomic; every simulated thread runs on the one host thread,
// so plain operations are indivisible with respect to each other.
using u128 = unsigned __int128;
#define SL_U128 (*(volatile u128*)a)
#define SL_RMW128(OP, EXPR)                                   \
    u128 __tsan_atomic128_##OP(volatile void* a, u128 v, int) { \
        maybe_observe((const void*)a, 16, true, SL_PC, AccessPath::Instrumented); \
        u128 o = SL_U128;                                     \
        SL_U128 = (EXPR);                                     \
        return o;                                             \
    }
u128 __tsan_atomic128_load(const volatile void* a, int) {
    maybe_observe((const void*)a, 16, false, SL_PC, AccessPath::Instrumented);
    return *(const volatile u128*)a;
}
void __tsan_atomic128_store(volatile void* a, u128 v, int) {
    maybe_observe((const void*)a, 16, true, SL_PC, AccessPath::Instrumented);
    SL_U128 = v;
}
SL_RMW128(exchange, v)
SL_RMW128(fetch_add, o + v)
SL_RMW128(fetch_sub, o - v)
SL_RMW128(fetch_and, o & v)
SL_RMW128(fetch_or, o | v)
SL_RMW128(fetch_xor, o ^ v)
SL_RMW128(fetch_nand, ~(o & v))
bool __tsan_atomic128_compare_exchange_strong(volatile void* a, void* c, u128 v, int, int) {
    maybe_observe((const void*)a, 16, true, SL_PC, AccessPath::Instrumented);
    u128 o = SL_U128;
    if (o == *(u128*)c) {
        SL_U128 = v;
        return true;
    }
    *(u128*)c = o;
    return false;
}
bool __tsan_atomic128_compare_exchange_weak(volatile void* a, void* c, u128 v, int mo, int fmo) {
    return __tsan_atomic128_compare_exchange_strong(a, c, v, mo, fmo);
}
u128 __tsan_atomic128_compare_exchange_val(volatile void* a, u128 c, u128 v, int, int) {
    maybe_observe((const void*)a, 16, true, SL_PC, AccessPath::Instrumented);
    u128 o = SL_U128;
    if (o == c) SL_U128 = v;
    return o;
}

void __tsan_atomic_thread_fence(int) { __atomic_thread_fence(SL_SEQ); }
void __tsan_atomic_signal_fence(int) { __atomic_signal_fence(SL_SEQ); }

// ---- library calls of drivers (staleline/driver_prelude.h) ----
//
// Observed and performed piece by piece: a range observed whole and larger than the cache
// would have its first lines evicted by the model (written back, dropped) before the host
// copy wrote them, and those bytes would be lost. A piece is small enough for any cache of a
// few KiB to hold both its source and its destination.

namespace {
constexpr size_t kPiece = 256;
}  // namespace

void* sl_driver_memcpy(void* dst, const void* src, size_t n) {
    for (size_t off = 0; off < n; off += kPiece) {
        const size_t k = std::min(kPiece, n - off);
        maybe_observe_range((const char*)src + off, k, false, SL_PC, AccessPath::MemFunction);
        maybe_observe_range((char*)dst + off, k, true, SL_PC, AccessPath::MemFunction, /*sync_first=*/false);
        std::memcpy((char*)dst + off, (const char*)src + off, k);
    }
    return dst;
}

void* sl_driver_memmove(void* dst, const void* src, size_t n) {
    // Overlapping ranges: move from the end when the destination lies above the source.
    const bool backwards = (uintptr_t)dst > (uintptr_t)src && (uintptr_t)dst - (uintptr_t)src < n;
    for (size_t done = 0; done < n;) {
        const size_t k = std::min(kPiece, n - done);
        const size_t off = backwards ? n - done - k : done;
        maybe_observe_range((const char*)src + off, k, false, SL_PC, AccessPath::MemFunction);
        maybe_observe_range((char*)dst + off, k, true, SL_PC, AccessPath::MemFunction, /*sync_first=*/false);
        std::memmove((char*)dst + off, (const char*)src + off, k);
        done += k;
    }
    return dst;
}

void* sl_driver_memset(void* dst, int c, size_t n) {
    for (size_t off = 0; off < n; off += kPiece) {
        const size_t k = std::min(kPiece, n - off);
        maybe_observe_range((char*)dst + off, k, true, SL_PC, AccessPath::MemFunction);
        std::memset((char*)dst + off, c, k);
    }
    return dst;
}

// ---- library calls the compiler makes by itself ----
//
// clang's instrumentation turns the memcpy/memset/memmove it generates (aggregate copies,
// zero-initialisation), which GCC reports as __tsan_read_range/__tsan_write_range, into calls
// to the library functions, out of the prelude's reach: staleline_add_driver links a
// clang-built instrumented module with --wrap=memcpy (and memset, memmove) so they come here.
// Later clang versions call __tsan_memcpy & co instead. Aliases: the return address is the
// driver's, as for the prelude's wrappers.
void* __wrap_memcpy(void* dst, const void* src, size_t n) __attribute__((alias("sl_driver_memcpy")));
void* __wrap_memmove(void* dst, const void* src, size_t n) __attribute__((alias("sl_driver_memmove")));
void* __wrap_memset(void* dst, int c, size_t n) __attribute__((alias("sl_driver_memset")));
void* __tsan_memcpy(void* dst, const void* src, size_t n) __attribute__((alias("sl_driver_memcpy")));
void* __tsan_memmove(void* dst, const void* src, size_t n) __attribute__((alias("sl_driver_memmove")));
void* __tsan_memset(void* dst, int c, size_t n) __attribute__((alias("sl_driver_memset")));

}  // extern "C"
