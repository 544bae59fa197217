/* blockio: the device SRAM used like a disk of workload.block_size blocks. The whole SRAM
 * is written first, then random block ranges are written (WRITE_SRAM from a VMO) or read
 * (READ_SRAM into a VMO) and checked against a shadow copy kept here, and at the end the
 * whole SRAM is read back and checked. Buffers start at block-aligned or arbitrary VMO
 * offsets. Queued operations take effect in the order queued, so the shadow is updated at
 * submission. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "wl_alloc.h"
#include "wl_queue.h"
#include "wl_util.h"
#include "workloads.h"

typedef struct block_job {
    int is_write;
    uint64_t sram_off, len;
    zx_handle_t vmo;
    uint64_t vmo_size, vmo_off;
    uint8_t* data; /* write: what was written; read: what must come back */
} block_job_t;

typedef struct blockio {
    wl_queue_t q;
    wl_rng_t r;
    uint8_t* shadow;
    sl_workload_result_t* res;
} blockio_t;

static void release(block_job_t* j) {
    if (j->vmo) zx_handle_close(j->vmo);
    wl_free(j->data);
    wl_free(j);
}

static void label(void* ctx, const wl_queue_job_t* qj, char* buf, size_t len) {
    (void)ctx;
    const block_job_t* j = qj->user;
    snprintf(buf, len, "blockio #%llu (%s SRAM +%llu, %llu bytes, VMO +%llu)", (unsigned long long)qj->index,
             j->is_write ? "write" : "read", (unsigned long long)j->sram_off, (unsigned long long)j->len,
             (unsigned long long)j->vmo_off);
}

static void on_done(void* ctx, wl_queue_job_t* qj, sl_workload_result_t* res) {
    block_job_t* j = qj->user;
    if (qj->status == ZX_OK && !j->is_write) {
        char text[160];
        label(ctx, qj, text, sizeof text);
        wl_verify(res, j->vmo, j->vmo_size, j->vmo_off, j->data, j->len, text);
    }
    release(j);
}

/* Issue one operation; the data for a write comes from the generator. Nonzero (the error
 * recorded, nothing issued) when its buffer cannot be made. */
static int issue(blockio_t* b, uint64_t index, int is_write, uint64_t sram_off, uint64_t len, uint64_t vmo_off) {
    wl_queue_reserve(&b->q, NULL); /* every operation has a buffer of its own */
    block_job_t* j = wl_calloc(1, sizeof *j);
    if (!j) {
        wl_status(b->res, ZX_ERR_NO_MEMORY, "blockio #%llu: job", (unsigned long long)index);
        return -1;
    }
    *j = (block_job_t){.is_write = is_write, .sram_off = sram_off, .len = len, .vmo_off = vmo_off};
    j->data = wl_malloc(len);
    if (!j->data) {
        wl_status(b->res, ZX_ERR_NO_MEMORY, "blockio #%llu: host buffer", (unsigned long long)index);
        goto fail;
    }
    if (wl_vmo_create(b->res, vmo_off + len + WL_GUARD, &j->vmo, &j->vmo_size) != ZX_OK) goto fail;
    zx_status_t st;
    if (is_write) {
        wl_rng_fill(&b->r, j->data, len);
        st = zx_vmo_write(j->vmo, j->data, vmo_off, len);
        memcpy(b->shadow + sram_off, j->data, len);
    } else {
        memcpy(j->data, b->shadow + sram_off, len);
        st = wl_vmo_guard(j->vmo, vmo_off, len);
    }
    if (st != ZX_OK) {
        wl_status(b->res, st, "blockio #%llu: preparing the buffer", (unsigned long long)index);
        goto fail;
    }
    const dma_xfer_op_t op = is_write ? dma_xfer_op_write_sram(j->vmo, vmo_off, len, sram_off)
                                      : dma_xfer_op_read_sram(sram_off, j->vmo, vmo_off, len);
    wl_queue_submit(&b->q, &op, NULL, j);
    return 0;

fail: /* never issued: not an operation */
    release(j);
    return -1;
}

void wl_blockio_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res) {
    const dma_xfer_protocol_t* dma = proto;
    dma_xfer_info_t info;
    zx_status_t st = dma_xfer_get_info(dma, &info);
    if (st != ZX_OK) {
        wl_status(res, st, "blockio: get_info");
        return;
    }
    const uint32_t need = (1u << DMA_XFER_OP_WRITE_SRAM) | (1u << DMA_XFER_OP_READ_SRAM);
    const uint64_t bs = p->block_size;
    if ((info.ops_supported & need) != need || info.sram_size < bs) {
        wl_status(res, ZX_ERR_NOT_SUPPORTED, "blockio: the driver offers no SRAM of at least one %llu-byte block",
                  (unsigned long long)bs);
        return;
    }
    const uint64_t blocks = info.sram_size / bs;
    uint64_t max_blocks = p->max_size / bs;
    if (max_blocks == 0) max_blocks = 1;
    if (max_blocks > blocks) max_blocks = blocks;

    blockio_t b = {.res = res};
    wl_rng_seed(&b.r, p->seed, "blockio");
    const wl_queue_config_t qc = {.name = "blockio", .depth = p->queue_depth, .done = on_done, .label = label};
    if (wl_queue_init(&b.q, dma, res, &qc) != ZX_OK) goto out;
    b.shadow = wl_calloc(blocks, bs);
    if (!b.shadow) {
        wl_status(res, ZX_ERR_NO_MEMORY, "blockio: shadow");
        goto out;
    }
    uint64_t index = 0;
    /* Format: every block gets known content. */
    for (uint64_t blk = 0; blk < blocks; blk += max_blocks) {
        const uint64_t cnt = blocks - blk < max_blocks ? blocks - blk : max_blocks;
        if (issue(&b, index++, 1, blk * bs, cnt * bs, 0)) goto out;
    }
    for (uint64_t i = 0; i < p->transfers; ++i) {
        const uint64_t start = wl_rng_below(&b.r, blocks);
        const uint64_t room = blocks - start < max_blocks ? blocks - start : max_blocks;
        const uint64_t cnt = 1 + wl_rng_below(&b.r, room);
        const uint64_t vmo_off = (i % 2) ? wl_rng_below(&b.r, 4096) : bs * wl_rng_below(&b.r, 4);
        if (issue(&b, index++, (int)wl_rng_below(&b.r, 2), start * bs, cnt * bs, vmo_off)) goto out;
    }
    /* Read everything back. */
    for (uint64_t blk = 0; blk < blocks; blk += max_blocks) {
        const uint64_t cnt = blocks - blk < max_blocks ? blocks - blk : max_blocks;
        if (issue(&b, index++, 0, blk * bs, cnt * bs, 0)) goto out;
    }
out:
    wl_queue_finish(&b.q);
    wl_free(b.shadow);
}
