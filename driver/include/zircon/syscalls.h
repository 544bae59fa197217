/* zircon/syscalls.h: the Zircon system calls a DMA driver uses.
 *
 * Signatures, flag values and status codes are Fuchsia's. Each declaration lists the
 * documented errors in the order the Fuchsia kernel checks them (kernel source, where the
 * reference page gives no order); the shim's tests assert exactly these codes.
 * "handle checks" below means the usual lookup order: ZX_ERR_BAD_HANDLE (not a handle),
 * then ZX_ERR_WRONG_TYPE (wrong object type), then ZX_ERR_ACCESS_DENIED (missing right).
 * Results (out handles, addrs, records, counts, sizes, addresses, timestamps) are CPU stores:
 * one written into a cached mapping sits in the CPU cache until the driver cleans it. A result
 * pointer the kernel cannot write (NULL, unmapped, read-only, a BAR) is ZX_ERR_INVALID_ARGS.
 *
 * Implemented by the Staleline shim (driver/shim): docs/api-coverage.md says which
 * functions exist so far and which Fuchsia behaviours are not modelled. */
#ifndef SYSROOT_ZIRCON_SYSCALLS_H_
#define SYSROOT_ZIRCON_SYSCALLS_H_

#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/pci.h>
#include <zircon/types.h>

__BEGIN_CDECLS

/* ---- virtual memory objects ---- */

/* Create a zero-filled VMO of size bytes rounded up to ZX_PAGE_SIZE, with
 * ZX_DEFAULT_VMO_RIGHTS (plus ZX_RIGHT_RESIZE if ZX_VMO_RESIZABLE).
 * ZX_ERR_INVALID_ARGS  options has bits other than ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE.
 * ZX_ERR_OUT_OF_RANGE  size too large (rounding up overflows).
 * ZX_ERR_NO_MEMORY     no RAM left.
 * ZX_ERR_INVALID_ARGS  out is NULL. */
zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out);

/* Create a VMO backed by physically contiguous RAM, aligned to 2^alignment_log2 bytes
 * (0 means page aligned). Such a VMO may be pinned with ZX_BTI_CONTIGUOUS.
 * ZX_ERR_INVALID_ARGS  size is 0, or alignment_log2 is neither 0 nor in [12, 63]
 *                      (checked before the handle).
 * handle checks        bti: ZX_OBJ_TYPE_BTI with ZX_RIGHT_MAP.
 * ZX_ERR_NO_MEMORY     no contiguous run of RAM that large. */
zx_status_t zx_vmo_create_contiguous(zx_handle_t bti, size_t size, uint32_t alignment_log2,
                                     zx_handle_t* out);

/* Read buffer_size bytes at offset, as the CPU sees them (through the cache model). A buffer
 * that is a mapping of another cached VMO (a bounce buffer) is written through the cache
 * model too: clean it before a device reads it.
 * handle checks        ZX_OBJ_TYPE_VMO with ZX_RIGHT_READ.
 * ZX_ERR_OUT_OF_RANGE  offset + buffer_size overflows or exceeds the VMO size.
 * ZX_ERR_INVALID_ARGS  buffer is NULL (and buffer_size > 0), or not writable memory of the
 *                      process (a read-only VMO mapping, a BAR).
 * ZX_ERR_NOT_FOUND     buffer is simulated memory that is not mapped.
 * ZX_ERR_BAD_STATE     the VMO is uncached and not directly readable. */
zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size);

/* Write buffer_size bytes at offset, as the CPU does (through the cache model). A buffer that
 * is a mapping of another cached VMO is read through the cache model too: invalidate it after
 * a device wrote it.
 * handle checks        ZX_OBJ_TYPE_VMO with ZX_RIGHT_WRITE.
 * ZX_ERR_OUT_OF_RANGE  offset + buffer_size overflows or exceeds the VMO size.
 * ZX_ERR_INVALID_ARGS  buffer is NULL (and buffer_size > 0), or a BAR.
 * ZX_ERR_NOT_FOUND     buffer is simulated memory that is not mapped.
 * ZX_ERR_BAD_STATE     the VMO is uncached and not directly writable. */
zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                         size_t buffer_size);

/* Size of the VMO in bytes (a multiple of ZX_PAGE_SIZE).
 * ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE (not a VMO); no right needed.
 * ZX_ERR_INVALID_ARGS  size is NULL or not writable. */
zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size);

/* Set the cache policy used when the VMO is mapped (ZX_CACHE_POLICY_*).
 * ZX_ERR_INVALID_ARGS  cache_policy has bits outside ZX_CACHE_POLICY_MASK (checked first).
 * handle checks        ZX_OBJ_TYPE_VMO with ZX_RIGHT_MAP.
 * ZX_ERR_BAD_STATE     the VMO is mapped, has children, is a child, has pinned pages, or
 *                      has committed pages while not cached.
 * ZX_ERR_NOT_SUPPORTED the VMO does not hold physical memory. */
zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy);

/* Operation op on [offset, offset + size) of the VMO. Cache operations:
 *   ZX_VMO_OP_CACHE_CLEAN             write dirty lines back to memory       (ZX_RIGHT_READ)
 *   ZX_VMO_OP_CACHE_CLEAN_INVALIDATE  write back, then drop the lines        (ZX_RIGHT_READ)
 *   ZX_VMO_OP_CACHE_INVALIDATE        drop the lines, dirty data is LOST     (ZX_RIGHT_WRITE)
 *   ZX_VMO_OP_CACHE_SYNC              sync instruction with data caches      (ZX_RIGHT_READ)
 * Errors, in check order:
 * ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE (not a VMO).
 * ZX_ERR_INVALID_ARGS  op is not a valid operation.
 * ZX_ERR_NOT_SUPPORTED op is ZX_VMO_OP_CACHE_INVALIDATE and the kernel's debugging syscalls are
 *                      disabled (Staleline: config shim.allow_cache_invalidate=false). This is
 *                      checked before the right.
 * ZX_ERR_ACCESS_DENIED the handle lacks the right listed above.
 * ZX_ERR_INVALID_ARGS  size is 0 for a cache operation.
 * ZX_ERR_OUT_OF_RANGE  offset + size overflows or exceeds the VMO size.
 * ZX_VMO_OP_DECOMMIT: ZX_ERR_INVALID_ARGS when offset or size is not page aligned,
 * ZX_ERR_OUT_OF_RANGE outside the VMO, else ZX_ERR_NOT_SUPPORTED (no VMO allows it here).
 * buffer and buffer_size are only used by ZX_VMO_OP_LOCK. */
zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset, uint64_t size,
                            void* buffer, size_t buffer_size);

/* ---- virtual memory address regions ---- */

/* Map len bytes of vmo at vmo_offset into the VMAR; *mapped_addr gets the address.
 * Errors, in the kernel's order:
 * handle checks        handle: ZX_OBJ_TYPE_VMAR; vmo: ZX_OBJ_TYPE_VMO.
 * ZX_ERR_INVALID_ARGS  mapped_addr NULL.
 * ZX_ERR_ACCESS_DENIED vmo lacks ZX_RIGHT_MAP.
 * ZX_ERR_NOT_SUPPORTED ZX_VM_REQUIRE_NON_RESIZABLE and vmo is resizable; vmo is resizable or
 *                      discardable and ZX_VM_ALLOW_FAULTS is not set.
 * ZX_ERR_INVALID_ARGS  unknown options or ZX_VM_ALIGN_* value; ZX_VM_SPECIFIC_OVERWRITE with
 *                      ZX_VM_MAP_RANGE; ZX_VM_OFFSET_IS_UPPER_LIMIT with ZX_VM_SPECIFIC(_OVERWRITE);
 *                      ZX_VM_PERM_WRITE/EXECUTE without ZX_VM_PERM_READ.
 * ZX_ERR_ACCESS_DENIED a requested permission is not allowed by the VMO or VMAR rights.
 * ZX_ERR_INVALID_ARGS  vmar_offset non-zero without ZX_VM_SPECIFIC* or ZX_VM_OFFSET_IS_UPPER_LIMIT;
 *                      vmar_offset or vmo_offset not page aligned; len 0 or not page aligned.
 * ZX_ERR_OUT_OF_RANGE  vmo_offset + len overflows.
 * ZX_ERR_INVALID_ARGS  ZX_VM_SPECIFIC* with vmar_offset and len outside the VMAR.
 * ZX_ERR_BUFFER_TOO_SMALL the mapping extends past the end of a non-resizable VMO and
 *                      ZX_VM_ALLOW_FAULTS is not set.
 * Not modelled (ZX_ERR_NOT_SUPPORTED): ZX_VM_SPECIFIC*, ZX_VM_ALIGN_* above 4 KiB, an upper
 * limit the VMO's fixed address does not meet, a faulting mapping past the end of the VMO. */
zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset,
                        zx_handle_t vmo, uint64_t vmo_offset, size_t len,
                        zx_vaddr_t* mapped_addr);

/* Unmap [addr, addr + len).
 * ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE (not a VMAR).
 * ZX_ERR_INVALID_ARGS  addr not page aligned, len 0 or not page aligned.
 * ZX_ERR_NOT_FOUND     nothing is mapped there. */
zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len);

/* ---- cache maintenance by address ---- */

/* Cache maintenance on the CPU caches covering [addr, addr + size). options is one of
 *   ZX_CACHE_FLUSH_DATA                            clean (write back)
 *   ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE clean, then invalidate
 *   ZX_CACHE_FLUSH_INSN                            sync instruction cache
 *   ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INSN     (+ ZX_CACHE_FLUSH_INVALIDATE)
 * ZX_ERR_INVALID_ARGS  any other combination: 0, ZX_CACHE_FLUSH_INVALIDATE without
 *                      ZX_CACHE_FLUSH_DATA, unknown bits. No rights: this is not a syscall. */
zx_status_t zx_cache_flush(const void* addr, size_t size, uint32_t options);

/* ---- bus transaction initiators and pinned memory ---- */

/* Pin [offset, offset + size) of vmo and grant the device behind the BTI access to it with
 * the ZX_BTI_PERM_* of options (from the device's point of view). addrs gets num_addrs
 * device addresses: size / ZX_PAGE_SIZE with no option, ceil(size / minimum_contiguity) with
 * ZX_BTI_COMPRESS, exactly 1 with ZX_BTI_CONTIGUOUS. *pmt gets the Pinned Memory Token,
 * which must be released with zx_pmt_unpin() once the device is done.
 * Errors, in the kernel's check order:
 * handle checks        handle: ZX_OBJ_TYPE_BTI with ZX_RIGHT_MAP.
 * ZX_ERR_INVALID_ARGS  offset or size not page aligned.
 * handle checks        vmo: ZX_OBJ_TYPE_VMO with ZX_RIGHT_MAP.
 * ZX_ERR_ACCESS_DENIED ZX_BTI_PERM_READ without ZX_RIGHT_READ on vmo, ZX_BTI_PERM_WRITE
 *                      without ZX_RIGHT_WRITE, ZX_BTI_PERM_EXECUTE without ZX_RIGHT_READ.
 * ZX_ERR_INVALID_ARGS  undefined option bits, ZX_BTI_COMPRESS together with
 *                      ZX_BTI_CONTIGUOUS, or ZX_BTI_CONTIGUOUS on a VMO that was not created
 *                      contiguous.
 * ZX_ERR_INVALID_ARGS  size is 0.
 * ZX_ERR_OUT_OF_RANGE  offset + size is outside the VMO.
 * ZX_ERR_BAD_STATE     the BTI has PMTs in quarantine (see zx_bti_release_quarantine()).
 * ZX_ERR_INVALID_ARGS  options grants no permission (options 0).
 * ZX_ERR_INVALID_ARGS  num_addrs is not the count described above.
 * ZX_ERR_INVALID_ARGS  addrs or pmt is NULL or not writable.
 * ZX_ERR_NO_MEMORY     no device addresses left in the BTI, or no memory for IOMMU page tables.
 * addrs is written through the CPU cache: a list the device reads (a PRP list in a cached DMA
 * page) must be cleaned after this call. */
zx_status_t zx_bti_pin(zx_handle_t handle, uint32_t options, zx_handle_t vmo, uint64_t offset,
                       uint64_t size, zx_paddr_t* addrs, size_t num_addrs, zx_handle_t* pmt);

/* Unpin the pages of a PMT and revoke the device's access. Always consumes the handle, even
 * when it is not a PMT.
 * ZX_ERR_BAD_HANDLE    handle is not a handle.
 * ZX_ERR_WRONG_TYPE    handle is not a PMT (the handle is closed anyway).
 * Staleline reports a double unpin, the unpin of a handle that is not a PMT and the unpin of
 * a PMT another driver pinned as findings (bad-unpin) at the line of the call. */
zx_status_t zx_pmt_unpin(zx_handle_t handle);

/* Release the quarantined PMTs of a BTI: PMTs whose handle was closed without
 * zx_pmt_unpin() stay pinned (and block new pins) until this is called.
 * handle checks        ZX_OBJ_TYPE_BTI with ZX_RIGHT_WRITE. */
zx_status_t zx_bti_release_quarantine(zx_handle_t handle);

/* ---- objects and handles ---- */

/* Query information about an object. Topics provided: ZX_INFO_HANDLE_VALID (no record),
 * ZX_INFO_HANDLE_BASIC, ZX_INFO_HANDLE_COUNT (ZX_RIGHT_INSPECT), ZX_INFO_BTI (BTI,
 * ZX_RIGHT_INSPECT), ZX_INFO_VMO (VMO), ZX_INFO_VMAR (VMAR, ZX_RIGHT_INSPECT).
 * ZX_ERR_NOT_SUPPORTED   topic unknown (checked before the handle).
 * handle checks          type and right per topic as listed.
 * ZX_ERR_INVALID_ARGS    buffer is NULL while buffer_size could hold a record.
 * ZX_ERR_BUFFER_TOO_SMALL buffer_size smaller than one record; *actual = 0, *avail = 1.
 * actual and avail are optional. */
zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer,
                               size_t buffer_size, size_t* actual, size_t* avail);

/* Close a handle. Closing ZX_HANDLE_INVALID is ZX_OK (like free(NULL)). Closing the last
 * handle of a PMT that was not unpinned puts it in its BTI's quarantine; closing an interrupt
 * handle cancels a zx_interrupt_wait() on it.
 * ZX_ERR_BAD_HANDLE    handle is not a handle. */
zx_status_t zx_handle_close(zx_handle_t handle);

/* Create a second handle to the same object with rights (ZX_RIGHT_SAME_RIGHTS: the same).
 * ZX_ERR_BAD_HANDLE    handle is not a handle.
 * ZX_ERR_ACCESS_DENIED handle lacks ZX_RIGHT_DUPLICATE.
 * ZX_ERR_INVALID_ARGS  rights is not a subset of the handle's rights, or out is NULL.
 * ZX_ERR_NO_MEMORY     the handle table is full. */
zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);

/* ---- interrupts ---- */

/* Block until the interrupt triggers; acknowledges it first. *out_timestamp (optional) gets
 * the simulated time of the trigger.
 * handle checks        ZX_OBJ_TYPE_INTERRUPT with ZX_RIGHT_WAIT.
 * ZX_ERR_BAD_STATE     the interrupt is bound to a port.
 * ZX_ERR_CANCELED      zx_interrupt_destroy() was called, or the handle closed, while waiting.
 * ZX_ERR_INVALID_ARGS  out_timestamp is not writable (found after the wait, which is consumed). */
zx_status_t zx_interrupt_wait(zx_handle_t handle, zx_time_t* out_timestamp);

/* Destroy an interrupt object: a pending or later zx_interrupt_wait() returns
 * ZX_ERR_CANCELED.
 * ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE (not an interrupt); no right is checked. */
zx_status_t zx_interrupt_destroy(zx_handle_t handle);

/* Re-arm an interrupt bound to a port (interrupts waited on with zx_interrupt_wait() re-arm
 * themselves). Interrupts cannot be bound to ports in Staleline, so a valid handle always gets
 * ZX_ERR_BAD_STATE.
 * handle checks        ZX_OBJ_TYPE_INTERRUPT with ZX_RIGHT_WRITE.
 * ZX_ERR_BAD_STATE     not bound to a port (checked before ZX_ERR_CANCELED, as in the kernel).
 * ZX_ERR_CANCELED      zx_interrupt_destroy() was called. */
zx_status_t zx_interrupt_ack(zx_handle_t handle);

/* Create an interrupt object. With options ZX_INTERRUPT_VIRTUAL, src_obj and src_num are
 * ignored and a virtual interrupt is returned (rights ZX_DEFAULT_INTERRUPT_RIGHTS); it behaves
 * as an edge interrupt triggered by zx_interrupt_trigger(). Physical interrupts need an IRQ
 * resource; drivers get them from pci_map_interrupt() instead.
 * Errors, in the kernel's order:
 * ZX_ERR_BAD_HANDLE    src_obj is not a handle (not a virtual interrupt).
 * ZX_ERR_WRONG_TYPE    src_obj is not a resource (not a virtual interrupt).
 * ZX_ERR_INVALID_ARGS  options has bits other than ZX_INTERRUPT_VIRTUAL (with it), or
 *                      out_handle is NULL. */
zx_status_t zx_interrupt_create(zx_handle_t src_obj, uint32_t src_num, uint32_t options,
                                zx_handle_t* out_handle);

/* Trigger a virtual interrupt: a zx_interrupt_wait() on it returns (now, or at its next call)
 * with timestamp, the timestamp of the first trigger since the last wait returned.
 * Errors, in the kernel's order:
 * ZX_ERR_INVALID_ARGS  options is not 0 (checked before the handle).
 * handle checks        ZX_OBJ_TYPE_INTERRUPT with ZX_RIGHT_SIGNAL.
 * ZX_ERR_BAD_STATE     handle is not a virtual interrupt.
 * ZX_ERR_CANCELED      zx_interrupt_destroy() was called on handle. */
zx_status_t zx_interrupt_trigger(zx_handle_t handle, uint32_t options, zx_time_t timestamp);

/* ---- system information ---- */

/* Size in bytes of a line of the CPU data cache (the platform's cache.line). Drivers that
 * share cache lines between the CPU and a device (descriptor rings) size their layout by it.
 * A vDSO call in Fuchsia: no handle, no error. */
uint32_t zx_system_get_dcache_line_size(void);

/* ---- time ---- */

/* Sleep until deadline (simulated ZX_CLOCK_MONOTONIC time). Always ZX_OK. */
zx_status_t zx_nanosleep(zx_time_t deadline);

/* Now + nanoseconds, saturating at ZX_TIME_INFINITE. */
zx_time_t zx_deadline_after(zx_duration_t nanoseconds);

/* Simulated monotonic time in ns. */
zx_time_t zx_clock_get_monotonic(void);

__END_CDECLS

#endif /* SYSROOT_ZIRCON_SYSCALLS_H_ */
