/* xcopy as a behavioural model: GO schedules the copy 50 ns later on the device's thread,
 * which reads the source and writes the destination through the IOMMU. */
#include <stdint.h>
#include <stdlib.h>

#include <staleline/device.h>

#include "xcopy-regs.h"

typedef struct xcopy {
    sl_dev_t* dev;
    uint64_t src, dst;
    uint32_t len, status;
    uint8_t buf[XCOPY_MAX_LEN];
} xcopy_t;

static void* create(sl_dev_t* dev) {
    xcopy_t* x = calloc(1, sizeof *x);
    if (x) x->dev = dev;
    return x;
}

static void copy(void* ctx, void* arg) {
    xcopy_t* x = ctx;
    (void)arg;
    sl_dev_set_busy(x->dev, true);
    const uint32_t len = x->len > XCOPY_MAX_LEN ? XCOPY_MAX_LEN : x->len;
    int ok = len > 0 && sl_dev_dma_read(x->dev, x->src, x->buf, len) == SL_DMA_OK &&
             sl_dev_dma_write(x->dev, x->dst, x->buf, len) == SL_DMA_OK;
    x->status = ok ? XCOPY_STATUS_DONE : XCOPY_STATUS_DONE | XCOPY_STATUS_ERROR;
    sl_dev_count(x->dev, "copies", 1);
    sl_dev_set_busy(x->dev, false);
}

static uint64_t rd(void* ctx, unsigned bar, uint64_t off, unsigned size) {
    xcopy_t* x = ctx;
    return off == XCOPY_REG_STATUS ? x->status : off == XCOPY_REG_LEN ? x->len : 0;
}

static void wr(void* ctx, unsigned bar, uint64_t off, unsigned size, uint64_t v) {
    xcopy_t* x = ctx;
    switch (off) {
    case XCOPY_REG_SRC_LO: x->src = (x->src & ~0xffffffffull) | (uint32_t)v; break;
    case XCOPY_REG_SRC_HI: x->src = (x->src & 0xffffffffull) | v << 32; break;
    case XCOPY_REG_DST_LO: x->dst = (x->dst & ~0xffffffffull) | (uint32_t)v; break;
    case XCOPY_REG_DST_HI: x->dst = (x->dst & 0xffffffffull) | v << 32; break;
    case XCOPY_REG_LEN: x->len = (uint32_t)v; break;
    case XCOPY_REG_GO:
        x->status = 0;
        sl_dev_schedule(x->dev, 50, copy, NULL);
        break;
    default: break;
    }
}

static void destroy(void* ctx) { free(ctx); }

static const sl_dev_ops_t kOps = {create, rd, wr, destroy};
static const sl_device_kind_t kKind = {
    SL_DEVICE_ABI_VERSION, "xcopy-model", "example copy engine (examples/xcopy_model.c)",
    XCOPY_VENDOR_ID, XCOPY_DEVICE_ID, 0x088000, 1, 4096, false, 1, 0, NULL, &kOps, NULL, 0, 0, {{0}},
};

const sl_device_kind_t* staleline_device_kind(void) { return &kKind; }
