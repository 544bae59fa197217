/* zircon/process.h: handles of the driver's own process. */
#ifndef SYSROOT_ZIRCON_PROCESS_H_
#define SYSROOT_ZIRCON_PROCESS_H_

#include <zircon/types.h>

__BEGIN_CDECLS

/* The root VMAR of the driver's (simulated) process, with ZX_DEFAULT_VMAR_RIGHTS plus
 * ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE. Owned by the process: do not close it. */
zx_handle_t zx_vmar_root_self(void);

__END_CDECLS

#endif /* SYSROOT_ZIRCON_PROCESS_H_ */
