/* ddk/io-buffer.h: the DDK's DMA buffer helper (libddk's io_buffer_t, late 2018).
 *
 * An io_buffer is a VMO the library creates (or is given), mapped into the driver's address
 * space and pinned for a BTI:
 *   - io_buffer_init(buf, bti, size, flags): a new VMO of `size` bytes, physically contiguous
 *     when IO_BUFFER_CONTIG asks for it and it is larger than a page; mapped read-only or
 *     read/write (IO_BUFFER_RO / IO_BUFFER_RW), cached unless IO_BUFFER_UNCACHED. A CONTIG
 *     buffer is pinned at once and io_buffer_phys() is its device address; any other buffer
 *     gets device addresses only from io_buffer_physmap(), one per page in phys_list.
 *   - io_buffer_init_vmo(): the same over (a duplicate of) the caller's VMO, from `offset`.
 *   - io_buffer_cache_op / _cache_flush / _cache_flush_invalidate: cache maintenance on a
 *     range of the buffer (zx_vmo_op_range / zx_cache_flush).
 *   - io_buffer_release(): unpin, unmap, close; the buffer is invalid afterwards.
 * Every step is one of the Zircon calls of zircon/syscalls.h, made by the shim
 * (shim/runtime/IoBuffer.cpp), so pins, mappings and cache operations are the platform's and
 * the checker sees them. Not provided: io_buffer_init_mmio and io_buffer_init_physical (no
 * physical VMOs in the shim). */
#ifndef DDK_IO_BUFFER_H_
#define DDK_IO_BUFFER_H_

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/assert.h>
#include <zircon/compiler.h>
#include <zircon/syscalls.h>
#include <zircon/types.h>

/* Zircon's C library defined PAGE_SIZE in <limits.h>, which this header includes there;
 * glibc's does not. */
#if !defined(PAGE_SIZE) && !defined(__cplusplus)
#define PAGE_SIZE 4096
#endif

__BEGIN_CDECLS

#define IO_BUFFER_INVALID_PHYS 0

typedef struct {
    zx_handle_t bti_handle; /* borrowed from the caller */
    zx_handle_t vmo_handle; /* owned */
    zx_handle_t pmt_handle; /* owned */
    size_t size;
    zx_off_t offset;
    void* virt;
    /* Device address of the first page (IO_BUFFER_CONTIG buffers), else IO_BUFFER_INVALID_PHYS. */
    zx_paddr_t phys;
    /* From io_buffer_physmap(): one device address per page from the page that holds
     * `offset` to the end (a contiguous buffer's first entry also adds offset's position in
     * its page, as libddk does; a pinned one's does not). */
    zx_paddr_t* phys_list;
    uint64_t phys_count;
} io_buffer_t;

enum {
    IO_BUFFER_RO = (0 << 0),       /* map read-only */
    IO_BUFFER_RW = (1 << 0),       /* map read/write */
    IO_BUFFER_CONTIG = (1 << 1),   /* physically contiguous */
    IO_BUFFER_UNCACHED = (1 << 2), /* map with ZX_CACHE_POLICY_UNCACHED */
    IO_BUFFER_FLAGS_MASK = IO_BUFFER_RW | IO_BUFFER_CONTIG | IO_BUFFER_UNCACHED,
};

/* ZX_ERR_INVALID_ARGS: size 0 or unknown flags; else the first failing call's status. */
zx_status_t io_buffer_init(io_buffer_t* buffer, zx_handle_t bti, size_t size, uint32_t flags);
/* alignment_log2: of the contiguous allocation; must be 0 for a buffer that is not. */
zx_status_t io_buffer_init_aligned(io_buffer_t* buffer, zx_handle_t bti, size_t size, uint32_t alignment_log2,
                                   uint32_t flags);
/* flags: IO_BUFFER_RO or IO_BUFFER_RW only; the VMO handle is duplicated, not taken. */
zx_status_t io_buffer_init_vmo(io_buffer_t* buffer, zx_handle_t bti, zx_handle_t vmo_handle, zx_off_t offset,
                               uint32_t flags);

/* op: ZX_VMO_OP_CACHE_*; offset relative to the buffer's. size 0 does nothing. */
zx_status_t io_buffer_cache_op(io_buffer_t* buffer, const uint32_t op, const zx_off_t offset, const size_t size);
/* Clean (write back) [offset, offset + length): ZX_ERR_OUT_OF_RANGE beyond the buffer. */
zx_status_t io_buffer_cache_flush(io_buffer_t* buffer, zx_off_t offset, size_t length);
/* Clean and invalidate [offset, offset + length). */
zx_status_t io_buffer_cache_flush_invalidate(io_buffer_t* buffer, zx_off_t offset, size_t length);

/* Pin the whole buffer if it is not contiguous and fill phys_list / phys_count (once). */
zx_status_t io_buffer_physmap(io_buffer_t* buffer);
/* Pin [offset, offset + length) of the buffer's VMO: phys_count addresses into physmap, the
 * first plus offset's position in its page; *pmt the pin. */
zx_status_t io_buffer_physmap_range(io_buffer_t* buffer, zx_off_t offset, size_t length, size_t phys_count,
                                    zx_paddr_t* physmap, zx_handle_t* pmt);

void io_buffer_release(io_buffer_t* buffer);

static inline bool io_buffer_is_valid(const io_buffer_t* buffer) { return buffer->vmo_handle != ZX_HANDLE_INVALID; }

static inline void* io_buffer_virt(const io_buffer_t* buffer) {
    return (void*)((uintptr_t)buffer->virt + buffer->offset);
}

static inline zx_paddr_t io_buffer_phys(const io_buffer_t* buffer) {
    ZX_DEBUG_ASSERT(buffer->phys != IO_BUFFER_INVALID_PHYS);
    return buffer->phys + buffer->offset;
}

/* Bytes from `offset` (after the buffer's own) to the end; 0 past it. */
static inline size_t io_buffer_size(const io_buffer_t* buffer, size_t offset) {
    const size_t remaining = buffer->size - buffer->offset - offset;
    return remaining > buffer->size ? 0 : remaining;
}

__END_CDECLS

#endif /* DDK_IO_BUFFER_H_ */
