/* ddk/mmio-buffer.h: a mapped MMIO region (a BAR) as one value. */
#ifndef DDK_MMIO_BUFFER_H_
#define DDK_MMIO_BUFFER_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct {
  void* vaddr;       /* the content at offset in vmo */
  zx_off_t offset;
  size_t size;
  zx_handle_t vmo;
} mmio_buffer_t;

/* Map [offset, offset + size) of vmo with cache_policy. Always consumes vmo, also on error.
 * ZX_ERR_INVALID_ARGS  buffer NULL.
 * ZX_ERR_OUT_OF_RANGE  offset + size overflows or exceeds the VMO.
 * zx_vmo_set_cache_policy() / zx_vmar_map() errors. */
zx_status_t mmio_buffer_init(mmio_buffer_t* buffer, zx_off_t offset, size_t size, zx_handle_t vmo,
                             uint32_t cache_policy);

/* Unmap the region and close its VMO; the buffer becomes all zero. NULL is ignored. */
void mmio_buffer_release(mmio_buffer_t* buffer);

__END_CDECLS

#endif /* DDK_MMIO_BUFFER_H_ */
