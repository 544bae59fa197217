/* zircon/compiler.h: the few compiler helpers the other Zircon/DDK headers use.
 *
 * A deliberately small subset of Fuchsia's header: it does not define the bare
 * likely()/unlikely()/add_overflow() macros, which would leak into every C++ file
 * that includes a driver header next to SystemC. */
#ifndef SYSROOT_ZIRCON_COMPILER_H_
#define SYSROOT_ZIRCON_COMPILER_H_

#ifdef __cplusplus
#define __BEGIN_CDECLS extern "C" {
#define __END_CDECLS }
#define __CONSTEXPR constexpr
#else
#define __BEGIN_CDECLS
#define __END_CDECLS
#define __CONSTEXPR
#endif

#define __PRINTFLIKE(fmt, args) __attribute__((__format__(__printf__, fmt, args)))
#define __NO_RETURN __attribute__((__noreturn__))
#define __EXPORT __attribute__((__visibility__("default")))
#define __SECTION(name) __attribute__((__section__(name)))
#define __ALIGNED(n) __attribute__((__aligned__(n)))
#define __UNUSED __attribute__((__unused__))
#define __WARN_UNUSED_RESULT __attribute__((__warn_unused_result__))
#define __PACKED __attribute__((__packed__))

/* Elements of an array. */
#define countof(a) (sizeof(a) / sizeof((a)[0]))

#endif /* SYSROOT_ZIRCON_COMPILER_H_ */
