/* zircon/syscalls/log.h: debuglog levels (used by ddk/debug.h's zxlogf). */
#ifndef SYSROOT_ZIRCON_SYSCALLS_LOG_H_
#define SYSROOT_ZIRCON_SYSCALLS_LOG_H_

#define ZX_LOG_ERROR (0x0001)
#define ZX_LOG_WARN (0x0002)
#define ZX_LOG_INFO (0x0004)
#define ZX_LOG_TRACE (0x0010)
#define ZX_LOG_SPEW (0x0020)
#define ZX_LOG_DEBUG1 (0x0100)
#define ZX_LOG_DEBUG2 (0x0200)
#define ZX_LOG_DEBUG3 (0x0400)
#define ZX_LOG_DEBUG4 (0x0800)
#define ZX_LOG_LOCAL (0x1000)  /* do not forward over the network */
#define ZX_LOG_LEVEL_MASK (0x0FFF)
#define ZX_LOG_FLAGS_MASK (0xFFFF)

#endif /* SYSROOT_ZIRCON_SYSCALLS_LOG_H_ */
