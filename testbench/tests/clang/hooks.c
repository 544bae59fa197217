/* Every kind of access clang's -fsanitize=thread instruments, so that the hooks it calls can
 * be listed (test_clang_drivers: each must be defined by the staleline executable). Built
 * as a module, never run. */
#include <stdatomic.h>
#include <stdint.h>

struct big {
    uint64_t a[8];
};

struct __attribute__((packed)) unaligned {
    uint8_t pad;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
};

uint64_t hooks_plain(uint8_t* p8, uint16_t* p16, uint32_t* p32, uint64_t* p64, __int128* p128) {
    *p8 += 1;
    *p16 += 1;
    *p32 += 1;
    *p64 += 1;
    *p128 += 1;
    return *p8 + *p16 + *p32 + *p64 + (uint64_t)*p128;
}

uint64_t hooks_unaligned(struct unaligned* u) {
    u->u16 += 1;
    u->u32 += 1;
    u->u64 += 1;
    return u->u16 + u->u32 + u->u64;
}

uint64_t hooks_volatile(volatile uint8_t* p8, volatile uint16_t* p16, volatile uint32_t* p32, volatile uint64_t* p64) {
    *p8 = 1;
    *p16 = 2;
    *p32 = 3;
    *p64 = 4;
    return *p8 + *p16 + *p32 + *p64;
}

/* Copies and zeroing the compiler generates itself (no memcpy in the source). */
void hooks_copies(struct big* dst, const struct big* src, struct big* zero) {
    *dst = *src;
    *zero = (struct big){0};
}

#define ATOMICS(T, name)                                                                   \
    T hooks_atomic_##name(_Atomic T* a, T v) {                                             \
        T e = v;                                                                           \
        atomic_store(a, v);                                                                \
        T r = atomic_load(a) + atomic_exchange(a, v) + atomic_fetch_add(a, v) +            \
              atomic_fetch_sub(a, v) + atomic_fetch_and(a, v) + atomic_fetch_or(a, v) +    \
              atomic_fetch_xor(a, v);                                                      \
        atomic_compare_exchange_strong(a, &e, v);                                          \
        atomic_compare_exchange_weak_explicit(a, &e, v, memory_order_acquire, memory_order_relaxed); \
        return r + e;                                                                      \
    }
ATOMICS(uint8_t, 8)
ATOMICS(uint16_t, 16)
ATOMICS(uint32_t, 32)
ATOMICS(uint64_t, 64)

void hooks_fences(void) {
    atomic_thread_fence(memory_order_seq_cst);
    atomic_signal_fence(memory_order_seq_cst);
}
