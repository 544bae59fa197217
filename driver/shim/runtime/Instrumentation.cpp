// The runtime of the driver's access instrumentation. Drivers are compiled with
// -fsanitize=thread (at compile time only), so GCC calls these entry points around every
// memory access and function of driver code; together with the memcpy/memset/memmove wrappers
// of staleline/driver_prelude.h they let the cache model see the driver's plain loads and
// stores of DMA buffers (the way the Linux kernel's KCSAN uses the same hooks).
//
// Every access hook has the same fast path: one subtraction and compare against the HostArena
// bounds, so stack, heap and globals of the driver cost almost nothing. Addresses in the arena
// go to observe_access() (cache model, timing, mapping checks). Atomics are performed on the
// host memory (sequentially consistent, whatever order was asked: the simulated CPU is not
// weakly ordered) after being observed.
#include <cstdint>
#include <cstring>

#include "AccessObserver.h"
#include "SimThread.h"

using namespace staleline::zx;

#define SL_PC __builtin_return_address(0)

extern "C" {

// ---- lifecycle and call stack ----

void __tsan_init(void) {}

void __tsan_func_entry(void* pc) { SimThread::current().push_frame(pc); }
void __tsan_func_exit(void) { SimThread::current().pop_frame(); }

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

void __tsan_read_range(void* a, unsigned long size) {
    maybe_observe_range(a, size, false, SL_PC, AccessPath::Instrumented);
}
void __tsan_write_range(void* a, unsigned long size) {
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

#define SL_SEQ __ATOMIC_SEQ_CST
#define SL_ATOMIC_HOOKS(N, T)                                                                                    \
    T __tsan_atomic##N##_load(const volatile T* a, int) {                                                        \
        maybe_observe((const void*)a, sizeof(T), false, SL_PC, AccessPath::Instrumented);                        \
        return __atomic_load_n(a, SL_SEQ);                                                                       \
    }                                                                                                            \
    void __tsan_atomic##N##_store(volatile T* a, T v, int) {                                                     \
        maybe_observe((const void*)a, sizeof(T), true, SL_PC, AccessPath::Instrumented);                         \
        __atomic_store_n(a, v, SL_SEQ);                                                                          \
    }                                                                                                            \
    T __tsan_atomic##N##_exchange(volatile T* a, T v, int) {                                                     \
        maybe_observe((const void*)a, sizeof(T), true, SL_PC, AccessPath::Instrumented);                         \
        return __atomic_exchange_n(a, v, SL_SEQ);                                                                \
    }                                                                                                            \
    T __tsan_atomic##N##_fetch_add(volatile T* a, T v, int) {                                                    \
        maybe_observe((const void*)a, sizeof(T), true, SL_PC, AccessPath::Instrumented);                         \
        return __atomic_fetch_add(a, v, SL_SEQ);                                                                 \
    }                                                                                                            \
    T __tsan_atomic##N##_fetch_sub(volatile T* a, T v, int) {                                                    \
        maybe_observe((const void*)a, sizeof(T), true, SL_PC, AccessPath::Instrumented);                         \
        return __atomic_fetch_sub(a, v, SL_SEQ);                                                                 \
    }                                                                                                            \
    T __tsan_atomic##N##_fetch_and(volatile T* a, T v, int) {                                                    \
        maybe_observe((const void*)a, sizeof(T), true, SL_PC, AccessPath::Instrumented);                         \
        return __atomic_fetch_and(a, v, SL_SEQ);                                                                 \
    }                                                                                                            \
    T __tsan_atomic##N##_fetch_or(volatile T* a, T v, int) {                                                     \
        maybe_observe((const void*)a, sizeof(T), true, SL_PC, AccessPath::Instrumented);                         \
        return __atomic_fetch_or(a, v, SL_SEQ);                                                                  \
    }                                                                                                            \
    T __tsan_atomic##N##_fetch_xor(volatile T* a, T v, int) {                                                    \
        maybe_observe((const void*)a, sizeof(T), true, SL_PC, AccessPath::Instrumented);                         \
        return __atomic_fetch_xor(a, v, SL_SEQ);                                                                 \
    }                                                                                                            \
    T __tsan_atomic##N##_fetch_nand(volatile T* a, T v, int) {                                                   \
        maybe_observe((const void*)a, sizeof(T), true, SL_PC, AccessPath::Instrumented);                         \
        return __atomic_fetch_nand(a, v, SL_SEQ);                                                                \
    }                                                                                                            \
    int __tsan_atomic##N##_compare_exchange_strong(volatile T* a, T* c, T v, int, int) {                         \
        maybe_observe((const void*)a, sizeof(T), true, SL_PC, AccessPath::Instrumented);                         \
        return __atomic_compare_exchange_n(a, c, v, false, SL_SEQ, SL_SEQ);                                      \
    }                                                                                                            \
    int __tsan_atomic##N##_compare_exchange_weak(volatile T* a, T* c, T v, int, int) {                           \
        maybe_observe((const void*)a, sizeof(T), true, SL_PC, AccessPath::Instrumented);                         \
        return __atomic_compare_exchange_n(a, c, v, false, SL_SEQ, SL_SEQ);                                      \
    }                                                                                                            \
    T __tsan_atomic##N##_compare_exchange_val(volatile T* a, T c, T v, int, int) {                               \
        maybe_observe((const void*)a, sizeof(T), true, SL_PC, AccessPath::Instrumented);                         \
        __atomic_compare_exchange_n(a, &c, v, false, SL_SEQ, SL_SEQ);                                            \
        return c;                                                                                                \
    }

SL_ATOMIC_HOOKS(8, uint8_t)
SL_ATOMIC_HOOKS(16, uint16_t)
SL_ATOMIC_HOOKS(32, uint32_t)
SL_ATOMIC_HOOKS(64, uint64_t)

// 16-byte atomics would need libatomic; every simulated thread runs on the one host thread,
// so plain operations are indivisible with respect to each other.
using u128 = unsigned __int128;
#define SL_OBSERVE128(w) maybe_observe((const void*)a, 16, w, SL_PC, AccessPath::Instrumented)
u128 __tsan_atomic128_load(const volatile u128* a, int) { SL_OBSERVE128(false); return *a; }
void __tsan_atomic128_store(volatile u128* a, u128 v, int) { SL_OBSERVE128(true); *a = v; }
u128 __tsan_atomic128_exchange(volatile u128* a, u128 v, int) { SL_OBSERVE128(true); u128 o = *a; *a = v; return o; }
u128 __tsan_atomic128_fetch_add(volatile u128* a, u128 v, int) { SL_OBSERVE128(true); u128 o = *a; *a = o + v; return o; }
u128 __tsan_atomic128_fetch_sub(volatile u128* a, u128 v, int) { SL_OBSERVE128(true); u128 o = *a; *a = o - v; return o; }
u128 __tsan_atomic128_fetch_and(volatile u128* a, u128 v, int) { SL_OBSERVE128(true); u128 o = *a; *a = o & v; return o; }
u128 __tsan_atomic128_fetch_or(volatile u128* a, u128 v, int) { SL_OBSERVE128(true); u128 o = *a; *a = o | v; return o; }
u128 __tsan_atomic128_fetch_xor(volatile u128* a, u128 v, int) { SL_OBSERVE128(true); u128 o = *a; *a = o ^ v; return o; }
u128 __tsan_atomic128_fetch_nand(volatile u128* a, u128 v, int) { SL_OBSERVE128(true); u128 o = *a; *a = ~(o & v); return o; }
int __tsan_atomic128_compare_exchange_strong(volatile u128* a, u128* c, u128 v, int, int) {
    SL_OBSERVE128(true);
    if (*a == *c) { *a = v; return 1; }
    *c = *a;
    return 0;
}
int __tsan_atomic128_compare_exchange_weak(volatile u128* a, u128* c, u128 v, int mo, int fmo) {
    return __tsan_atomic128_compare_exchange_strong(a, c, v, mo, fmo);
}
u128 __tsan_atomic128_compare_exchange_val(volatile u128* a, u128 c, u128 v, int, int) {
    SL_OBSERVE128(true);
    u128 o = *a;
    if (o == c) *a = v;
    return o;
}

void __tsan_atomic_thread_fence(int) { __atomic_thread_fence(SL_SEQ); }
void __tsan_atomic_signal_fence(int) { __atomic_signal_fence(SL_SEQ); }

// ---- library calls of drivers (staleline/driver_prelude.h) ----

void* sl_driver_memcpy(void* dst, const void* src, size_t n) {
    maybe_observe_range(src, n, false, SL_PC, AccessPath::MemFunction);
    maybe_observe_range(dst, n, true, SL_PC, AccessPath::MemFunction);
    return std::memcpy(dst, src, n);
}

void* sl_driver_memmove(void* dst, const void* src, size_t n) {
    maybe_observe_range(src, n, false, SL_PC, AccessPath::MemFunction);
    maybe_observe_range(dst, n, true, SL_PC, AccessPath::MemFunction);
    return std::memmove(dst, src, n);
}

void* sl_driver_memset(void* dst, int c, size_t n) {
    maybe_observe_range(dst, n, true, SL_PC, AccessPath::MemFunction);
    return std::memset(dst, c, n);
}

}  // extern "C"
