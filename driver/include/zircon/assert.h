/* zircon/assert.h: Zircon's user-space assertions.
 *
 * ZX_PANIC prints its message and ends the process in Zircon (printf + abort). Under Staleline
 * it calls panic(), which ends the run as a driver fault: "driver fault ...: panic: ASSERT
 * FAILED at (file.c:LINE): expr", a clear error and a non-zero exit, never a crash of the
 * simulator. ZX_DEBUG_ASSERT is compiled in only when ZX_DEBUGLEVEL > 1, as in Zircon
 * (drivers built without ZX_DEBUGLEVEL, the default, do not evaluate it). */
#ifndef SYSROOT_ZIRCON_ASSERT_H_
#define SYSROOT_ZIRCON_ASSERT_H_

#include <zircon/compiler.h>

__BEGIN_CDECLS
/* Ends the run: a driver fault with the formatted message and the caller's source line. */
void panic(const char* fmt, ...) __NO_RETURN __PRINTFLIKE(1, 2);
__END_CDECLS

#define ZX_PANIC(fmt, ...) panic(fmt, ##__VA_ARGS__)

#define ZX_ASSERT(x)                                                            \
    do {                                                                        \
        if (__builtin_expect(!(x), 0)) {                                        \
            ZX_PANIC("ASSERT FAILED at (%s:%d): %s\n", __FILE__, __LINE__, #x); \
        }                                                                       \
    } while (0)

#define ZX_ASSERT_MSG(x, msg, ...)                                  \
    do {                                                            \
        if (__builtin_expect(!(x), 0)) {                            \
            ZX_PANIC("ASSERT FAILED at (%s:%d): %s\n" msg "\n",     \
                     __FILE__, __LINE__, #x, ##__VA_ARGS__);        \
        }                                                           \
    } while (0)

#ifdef ZX_DEBUGLEVEL
#define ZX_DEBUG_ASSERT_IMPLEMENTED (ZX_DEBUGLEVEL > 1)
#else
#define ZX_DEBUG_ASSERT_IMPLEMENTED 0
#endif

#define ZX_DEBUG_ASSERT(x)                                                            \
    do {                                                                              \
        if (ZX_DEBUG_ASSERT_IMPLEMENTED && __builtin_expect(!(x), 0)) {               \
            ZX_PANIC("DEBUG ASSERT FAILED at (%s:%d): %s\n", __FILE__, __LINE__, #x); \
        }                                                                             \
    } while (0)

#define ZX_DEBUG_ASSERT_MSG(x, msg, ...)                                  \
    do {                                                                  \
        if (ZX_DEBUG_ASSERT_IMPLEMENTED && __builtin_expect(!(x), 0)) {   \
            ZX_PANIC("DEBUG ASSERT FAILED at (%s:%d): %s\n" msg "\n",     \
                     __FILE__, __LINE__, #x, ##__VA_ARGS__);              \
        }                                                                 \
    } while (0)

#if ZX_DEBUG_ASSERT_IMPLEMENTED
#define ZX_DEBUG_ASSERT_COND(x) ZX_DEBUG_ASSERT(x)
#define ZX_DEBUG_ASSERT_MSG_COND(x, msg, ...) ZX_DEBUG_ASSERT_MSG(x, msg, ##__VA_ARGS__)
#else
#define ZX_DEBUG_ASSERT_COND(x) do { } while (0)
#define ZX_DEBUG_ASSERT_MSG_COND(x, msg, ...) do { } while (0)
#endif

#endif /* SYSROOT_ZIRCON_ASSERT_H_ */
