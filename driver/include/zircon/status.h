/* zircon/status.h: status codes as text. */
#ifndef SYSROOT_ZIRCON_STATUS_H_
#define SYSROOT_ZIRCON_STATUS_H_

#include <zircon/types.h>

__BEGIN_CDECLS

/* The name of a status code: zx_status_get_string(ZX_ERR_TIMED_OUT) is "ZX_ERR_TIMED_OUT".
 * A value that is not a defined code gives "(UNKNOWN)". Never NULL. */
const char* zx_status_get_string(zx_status_t status);

__END_CDECLS

#endif /* SYSROOT_ZIRCON_STATUS_H_ */
