/* The xcopy driver: binds to 1b36:5e00, offers the DMA transfer protocol
 * (staleline/dmac-protocol.h) with COPY. Per transfer: pin the source for device reads and
 * the destination for device writes, clean the source (the CPU wrote it), clean+invalidate
 * the destination (no dirty line may be written back over the device's bytes), copy piece by
 * piece (a piece never crosses a page at either end: pinned pages need not be contiguous),
 * invalidate the destination again (lines the CPU may have refilled meanwhile), unpin. */
#include <ddk/binding.h>
#include <ddk/debug.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/pci.h>
#include <hw/reg.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include <staleline/dmac-protocol.h>

#include "xcopy-regs.h"

typedef struct xcopy {
    zx_device_t* zxdev;
    pci_protocol_t pci;
    zx_handle_t bti, regs_vmo;
    volatile uint8_t* regs;
    size_t regs_size;
    dma_xfer_stats_t stats;
    zx_status_t queued_status;
} xcopy_t;

static void wr(xcopy_t* x, uint32_t reg, uint32_t v) { writel(v, x->regs + reg); }
static uint32_t rd(xcopy_t* x, uint32_t reg) { return readl(x->regs + reg); }

/* Pin [offset, offset+len) of vmo page-rounded; addrs gets one device address per page. */
static zx_status_t pin(xcopy_t* x, zx_handle_t vmo, uint64_t offset, uint64_t len, uint32_t perms,
                       zx_paddr_t** addrs, zx_handle_t* pmt) {
    const uint64_t first = offset & ~(uint64_t)(ZX_PAGE_SIZE - 1);
    const uint64_t end = (offset + len + ZX_PAGE_SIZE - 1) & ~(uint64_t)(ZX_PAGE_SIZE - 1);
    const size_t pages = (end - first) / ZX_PAGE_SIZE;
    *addrs = calloc(pages, sizeof **addrs);
    if (!*addrs) return ZX_ERR_NO_MEMORY;
    zx_status_t st = zx_bti_pin(x->bti, perms, vmo, first, end - first, *addrs, pages, pmt);
    if (st != ZX_OK) free(*addrs);
    return st;
}

static uint64_t dev_addr(const zx_paddr_t* addrs, uint64_t base, uint64_t offset) {
    const uint64_t first = base & ~(uint64_t)(ZX_PAGE_SIZE - 1);
    return addrs[(offset - first) / ZX_PAGE_SIZE] + offset % ZX_PAGE_SIZE;
}

static zx_status_t xcopy_copy(xcopy_t* x, const dma_xfer_op_t* op) {
    zx_paddr_t *src = NULL, *dst = NULL;
    zx_handle_t src_pmt = ZX_HANDLE_INVALID, dst_pmt = ZX_HANDLE_INVALID;
    zx_status_t st = pin(x, op->src_vmo, op->src_offset, op->length, ZX_BTI_PERM_READ, &src, &src_pmt);
    if (st != ZX_OK) return st;
    if ((st = pin(x, op->dst_vmo, op->dst_offset, op->length, ZX_BTI_PERM_WRITE, &dst, &dst_pmt)) != ZX_OK) goto out;
    zx_vmo_op_range(op->src_vmo, ZX_VMO_OP_CACHE_CLEAN, op->src_offset, op->length, NULL, 0);
    zx_vmo_op_range(op->dst_vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, op->dst_offset, op->length, NULL, 0);
    for (uint64_t done = 0; done < op->length && st == ZX_OK;) {
        const uint64_t s = op->src_offset + done, d = op->dst_offset + done;
        uint64_t n = op->length - done;
        if (n > ZX_PAGE_SIZE - s % ZX_PAGE_SIZE) n = ZX_PAGE_SIZE - s % ZX_PAGE_SIZE;
        if (n > ZX_PAGE_SIZE - d % ZX_PAGE_SIZE) n = ZX_PAGE_SIZE - d % ZX_PAGE_SIZE;
        const uint64_t sa = dev_addr(src, op->src_offset, s), da = dev_addr(dst, op->dst_offset, d);
        wr(x, XCOPY_REG_SRC_LO, (uint32_t)sa);
        wr(x, XCOPY_REG_SRC_HI, (uint32_t)(sa >> 32));
        wr(x, XCOPY_REG_DST_LO, (uint32_t)da);
        wr(x, XCOPY_REG_DST_HI, (uint32_t)(da >> 32));
        wr(x, XCOPY_REG_LEN, (uint32_t)n);
        wr(x, XCOPY_REG_GO, 1);
        uint32_t status;
        while (!((status = rd(x, XCOPY_REG_STATUS)) & XCOPY_STATUS_DONE)) zx_nanosleep(zx_deadline_after(ZX_NSEC(200)));
        if (status & XCOPY_STATUS_ERROR) st = ZX_ERR_IO;
        x->stats.descriptors++;
        done += n;
    }
    zx_vmo_op_range(op->dst_vmo, ZX_VMO_OP_CACHE_INVALIDATE, op->dst_offset, op->length, NULL, 0);
out:
    if (dst_pmt != ZX_HANDLE_INVALID) zx_pmt_unpin(dst_pmt);
    zx_pmt_unpin(src_pmt);
    free(src);
    free(dst);
    return st;
}

static zx_status_t xcopy_get_info(void* ctx, dma_xfer_info_t* info) {
    memset(info, 0, sizeof *info);
    info->max_length = UINT64_MAX;
    info->ops_supported = 1u << DMA_XFER_OP_COPY;
    return ZX_OK;
}

static zx_status_t xcopy_transfer(void* ctx, const dma_xfer_op_t* op) {
    xcopy_t* x = ctx;
    if (op->opcode != DMA_XFER_OP_COPY) return ZX_ERR_NOT_SUPPORTED;
    if (op->length == 0) return ZX_ERR_INVALID_ARGS;
    zx_status_t st = xcopy_copy(x, op);
    x->stats.transfers++;
    if (st == ZX_OK) x->stats.bytes += op->length;
    else x->stats.errors++;
    return st;
}

/* One operation at a time: a queued transfer is carried out at once. */
static zx_status_t xcopy_queue(void* ctx, const dma_xfer_op_t* op) {
    xcopy_t* x = ctx;
    zx_status_t st = xcopy_transfer(ctx, op);
    if (st != ZX_OK && x->queued_status == ZX_OK) x->queued_status = st;
    if (op->complete) op->complete(op->cookie, st);
    return ZX_OK;
}

static zx_status_t xcopy_wait_all(void* ctx) {
    xcopy_t* x = ctx;
    zx_status_t st = x->queued_status;
    x->queued_status = ZX_OK;
    return st;
}

static zx_status_t xcopy_get_stats(void* ctx, dma_xfer_stats_t* out) {
    *out = ((xcopy_t*)ctx)->stats;
    return ZX_OK;
}

static dma_xfer_protocol_ops_t xcopy_proto_ops = {
    .get_info = xcopy_get_info,
    .transfer = xcopy_transfer,
    .queue = xcopy_queue,
    .wait_all = xcopy_wait_all,
    .get_stats = xcopy_get_stats,
};

static void xcopy_release(void* ctx) {
    xcopy_t* x = ctx;
    pci_enable_bus_master(&x->pci, false);
    zx_handle_close(x->bti);
    zx_handle_close(x->regs_vmo);
    free(x);
}

static void xcopy_unbind(void* ctx) { device_remove(((xcopy_t*)ctx)->zxdev); }

static zx_protocol_device_t xcopy_device_ops = {
    .version = DEVICE_OPS_VERSION,
    .unbind = xcopy_unbind,
    .release = xcopy_release,
};

static zx_status_t xcopy_bind(void* ctx, zx_device_t* parent) {
    xcopy_t* x = calloc(1, sizeof *x);
    if (!x) return ZX_ERR_NO_MEMORY;
    zx_status_t st = device_get_protocol(parent, ZX_PROTOCOL_PCI, &x->pci);
    void* regs = NULL;
    if (st == ZX_OK) st = pci_map_bar(&x->pci, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, &regs, &x->regs_size, &x->regs_vmo);
    if (st == ZX_OK) st = pci_enable_bus_master(&x->pci, true);
    if (st == ZX_OK) st = pci_get_bti(&x->pci, 0, &x->bti);
    if (st != ZX_OK) {
        zxlogf(ERROR, "xcopy: bind: %s\n", zx_status_get_string(st));
        free(x);
        return st;
    }
    x->regs = regs;
    device_add_args_t args = {
        .version = DEVICE_ADD_ARGS_VERSION,
        .name = "xcopy",
        .ctx = x,
        .ops = &xcopy_device_ops,
        .proto_id = ZX_PROTOCOL_DMA_XFER,
        .proto_ops = &xcopy_proto_ops,
    };
    return device_add(parent, &args, &x->zxdev);
}

static zx_driver_ops_t xcopy_driver_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = xcopy_bind,
};

ZIRCON_DRIVER_BEGIN(xcopy, xcopy_driver_ops, "examples", "0.1", 3)
    BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
    BI_ABORT_IF(NE, BIND_PCI_VID, XCOPY_VENDOR_ID),
    BI_MATCH_IF(EQ, BIND_PCI_DID, XCOPY_DEVICE_ID),
ZIRCON_DRIVER_END(xcopy)
