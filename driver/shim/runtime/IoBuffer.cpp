// ddk/io-buffer.h over the Zircon calls of the shim: every io_buffer step is a zx_vmo_create,
// zx_vmar_map, zx_bti_pin, zx_vmo_op_range or zx_cache_flush of its own, so the platform and
// the checker see the same VMOs, mappings, pins and cache operations a driver making those
// calls itself would produce.
#include <cstdlib>
#include <cstring>

#include <ddk/io-buffer.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

namespace {

constexpr uint64_t kPage = ZX_PAGE_SIZE;

uint64_t page_round_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

// Map the VMO (read-only or read/write) and, for a contiguous buffer, pin all of it for the
// device: the state io_buffer_init* leave. Consumes vmo on failure.
zx_status_t map_and_pin(io_buffer_t* buffer, zx_handle_t bti, zx_handle_t vmo, size_t size, zx_off_t offset,
                        uint32_t flags) {
    const zx_vm_option_t perms = (flags & IO_BUFFER_RW) ? (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE) : ZX_VM_PERM_READ;
    zx_vaddr_t virt = 0;
    zx_status_t st = zx_vmar_map(zx_vmar_root_self(), perms, 0, vmo, 0, size, &virt);
    if (st != ZX_OK) {
        zx_handle_close(vmo);
        return st;
    }
    zx_paddr_t phys = IO_BUFFER_INVALID_PHYS;
    zx_handle_t pmt = ZX_HANDLE_INVALID;
    if (flags & IO_BUFFER_CONTIG) {
        // One device address for the whole buffer: contiguous when it spans several pages.
        uint32_t options = ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE;
        if (size > kPage) options |= ZX_BTI_CONTIGUOUS;
        st = zx_bti_pin(bti, options, vmo, 0, page_round_up(size), &phys, 1, &pmt);
        if (st != ZX_OK) {
            zx_vmar_unmap(zx_vmar_root_self(), virt, page_round_up(size));
            zx_handle_close(vmo);
            return st;
        }
    }
    buffer->bti_handle = bti;
    buffer->vmo_handle = vmo;
    buffer->pmt_handle = pmt;
    buffer->size = size;
    buffer->offset = offset;
    buffer->virt = (void*)virt;
    buffer->phys = phys;
    return ZX_OK;
}

}  // namespace

extern "C" {

zx_status_t io_buffer_init_aligned(io_buffer_t* buffer, zx_handle_t bti, size_t size, uint32_t alignment_log2,
                                   uint32_t flags) {
    std::memset(buffer, 0, sizeof *buffer);
    if (size == 0 || (flags & ~(uint32_t)IO_BUFFER_FLAGS_MASK)) return ZX_ERR_INVALID_ARGS;
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    zx_status_t st;
    if ((flags & IO_BUFFER_CONTIG) && size > kPage) {
        st = zx_vmo_create_contiguous(bti, size, alignment_log2, &vmo);
    } else {
        if (alignment_log2 != 0) return ZX_ERR_INVALID_ARGS;
        st = zx_vmo_create(size, 0, &vmo);
    }
    if (st != ZX_OK) return st;
    if (flags & IO_BUFFER_UNCACHED) {
        st = zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED);
        if (st != ZX_OK) {
            zx_handle_close(vmo);
            return st;
        }
    }
    return map_and_pin(buffer, bti, vmo, size, 0, flags);
}

zx_status_t io_buffer_init(io_buffer_t* buffer, zx_handle_t bti, size_t size, uint32_t flags) {
    return io_buffer_init_aligned(buffer, bti, size, 0, flags);
}

zx_status_t io_buffer_init_vmo(io_buffer_t* buffer, zx_handle_t bti, zx_handle_t vmo_handle, zx_off_t offset,
                               uint32_t flags) {
    std::memset(buffer, 0, sizeof *buffer);
    if (flags != IO_BUFFER_RO && flags != IO_BUFFER_RW) return ZX_ERR_INVALID_ARGS;
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    zx_status_t st = zx_handle_duplicate(vmo_handle, ZX_RIGHT_SAME_RIGHTS, &vmo);
    if (st != ZX_OK) return st;
    uint64_t size = 0;
    st = zx_vmo_get_size(vmo, &size);
    if (st != ZX_OK) {
        zx_handle_close(vmo);
        return st;
    }
    return map_and_pin(buffer, bti, vmo, size, offset, flags);
}

zx_status_t io_buffer_cache_op(io_buffer_t* buffer, const uint32_t op, const zx_off_t offset, const size_t size) {
    if (size == 0) return ZX_OK;
    return zx_vmo_op_range(buffer->vmo_handle, op, buffer->offset + offset, size, nullptr, 0);
}

zx_status_t io_buffer_cache_flush(io_buffer_t* buffer, zx_off_t offset, size_t length) {
    if (offset + length < offset || offset + length > buffer->size) return ZX_ERR_OUT_OF_RANGE;
    return zx_cache_flush((const char*)io_buffer_virt(buffer) + offset, length, ZX_CACHE_FLUSH_DATA);
}

zx_status_t io_buffer_cache_flush_invalidate(io_buffer_t* buffer, zx_off_t offset, size_t length) {
    if (offset + length < offset || offset + length > buffer->size) return ZX_ERR_OUT_OF_RANGE;
    return zx_cache_flush((const char*)io_buffer_virt(buffer) + offset, length,
                          ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE);
}

zx_status_t io_buffer_physmap_range(io_buffer_t* buffer, zx_off_t offset, size_t length, size_t phys_count,
                                    zx_paddr_t* physmap, zx_handle_t* pmt) {
    const uint64_t in_page = offset & (kPage - 1);
    const uint64_t first = offset - in_page;
    const uint64_t span = page_round_up(length + in_page);
    if (span / kPage != phys_count) return ZX_ERR_INVALID_ARGS;
    zx_status_t st = zx_bti_pin(buffer->bti_handle, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, buffer->vmo_handle, first,
                                span, physmap, phys_count, pmt);
    if (st != ZX_OK) return st;
    physmap[0] += in_page;
    return ZX_OK;
}

zx_status_t io_buffer_physmap(io_buffer_t* buffer) {
    if (buffer->phys_count > 0) return ZX_OK;  // done before
    if (buffer->size == 0) return ZX_ERR_INVALID_ARGS;
    if (buffer->pmt_handle != ZX_HANDLE_INVALID && buffer->phys == IO_BUFFER_INVALID_PHYS) return ZX_ERR_BAD_STATE;
    const uint64_t first = buffer->offset & ~(kPage - 1);
    const uint64_t length = buffer->size - first;
    const uint64_t pages = page_round_up(length) / kPage;
    auto* list = static_cast<zx_paddr_t*>(std::malloc(pages * sizeof(zx_paddr_t)));
    if (!list) return ZX_ERR_NO_MEMORY;
    if (buffer->phys == IO_BUFFER_INVALID_PHYS) {
        zx_handle_t pmt = ZX_HANDLE_INVALID;
        zx_status_t st = io_buffer_physmap_range(buffer, first, length, pages, list, &pmt);
        if (st != ZX_OK) {
            std::free(list);
            return st;
        }
        buffer->pmt_handle = pmt;
    } else {
        // Contiguous and pinned already: the pages follow each other.
        for (uint64_t i = 0; i < pages; ++i) list[i] = buffer->phys + first + i * kPage;
        list[0] += buffer->offset & (kPage - 1);
    }
    buffer->phys_list = list;
    buffer->phys_count = pages;
    return ZX_OK;
}

void io_buffer_release(io_buffer_t* buffer) {
    if (buffer->vmo_handle != ZX_HANDLE_INVALID) {
        if (buffer->pmt_handle != ZX_HANDLE_INVALID) {
            zx_pmt_unpin(buffer->pmt_handle);
            buffer->pmt_handle = ZX_HANDLE_INVALID;
        }
        zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)buffer->virt, page_round_up(buffer->size));
        zx_handle_close(buffer->vmo_handle);
        buffer->vmo_handle = ZX_HANDLE_INVALID;
    }
    std::free(buffer->phys_list);
    buffer->phys_list = nullptr;
    buffer->phys = IO_BUFFER_INVALID_PHYS;
    buffer->phys_count = 0;
}

}  // extern "C"
