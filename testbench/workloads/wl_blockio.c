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

#include "wl_util.h"
#include "workloads.h"

typedef struct block_job {
    uint64_t index;
    int is_write;
    uint64_t sram_off, len;
    zx_handle_t vmo;
    uint64_t vmo_size, vmo_off;
    uint8_t* data; /* write: what was written; read: what must come back */
    zx_status_t status;
} block_job_t;

typedef struct blockio {
    const dma_xfer_protocol_t* dma;
    sl_workload_result_t* res;
    uint8_t* shadow;
    uint32_t depth;
    block_job_t* jobs;
    uint32_t n; /* jobs in the current batch */
} blockio_t;

static void on_complete(void* cookie, zx_status_t status) { ((block_job_t*)cookie)->status = status; }

static void finish(block_job_t* j, sl_workload_result_t* res) {
    if (j->data && j->vmo) {
        char label[120];
        snprintf(label, sizeof label, "blockio #%llu (%s SRAM +%llu, %llu bytes, VMO +%llu)",
                 (unsigned long long)j->index, j->is_write ? "write" : "read", (unsigned long long)j->sram_off,
                 (unsigned long long)j->len, (unsigned long long)j->vmo_off);
        res->operations++;
        if (j->status != ZX_OK) {
            wl_status(res, j->status, "%s", label);
        } else {
            res->bytes += j->len;
            if (!j->is_write) wl_verify(res, j->vmo, j->vmo_size, j->vmo_off, j->data, j->len, label);
        }
    }
    if (j->vmo) zx_handle_close(j->vmo);
    free(j->data);
    memset(j, 0, sizeof *j);
}

static void drain(blockio_t* b) {
    if (b->depth > 1 && b->n > 0) dma_xfer_wait_all(b->dma);
    for (uint32_t k = 0; k < b->n; ++k) finish(&b->jobs[k], b->res);
    b->n = 0;
}

/* Issue one operation (queued when depth > 1); the data for a write comes from rng. */
static int issue(blockio_t* b, wl_rng_t* r, uint64_t index, int is_write, uint64_t sram_off, uint64_t len,
                 uint64_t vmo_off) {
    if (b->n == b->depth) drain(b);
    block_job_t* j = &b->jobs[b->n++];
    j->index = index;
    j->is_write = is_write;
    j->sram_off = sram_off;
    j->len = len;
    j->vmo_off = vmo_off;
    j->data = malloc(len);
    if (!j->data) {
        wl_status(b->res, ZX_ERR_NO_MEMORY, "blockio #%llu: host buffer", (unsigned long long)index);
        goto fail;
    }
    if (wl_vmo_create(b->res, vmo_off + len + WL_GUARD, &j->vmo, &j->vmo_size) != ZX_OK) goto fail;
    zx_status_t st;
    if (is_write) {
        wl_rng_fill(r, j->data, len);
        st = zx_vmo_write(j->vmo, j->data, vmo_off, len);
        memcpy(b->shadow + sram_off, j->data, len);
    } else {
        memcpy(j->data, b->shadow + sram_off, len);
        const uint64_t lo = vmo_off > WL_GUARD ? vmo_off - WL_GUARD : 0;
        st = wl_vmo_set(j->vmo, lo, vmo_off + len + WL_GUARD - lo, WL_GUARD_BYTE);
    }
    if (st != ZX_OK) {
        wl_status(b->res, st, "blockio #%llu: preparing the buffer", (unsigned long long)index);
        goto fail;
    }
    dma_xfer_op_t op = is_write ? dma_xfer_op_write_sram(j->vmo, vmo_off, len, sram_off)
                                : dma_xfer_op_read_sram(sram_off, j->vmo, vmo_off, len);
    if (b->depth == 1) {
        j->status = dma_xfer_transfer(b->dma, &op);
    } else {
        j->status = ZX_ERR_INTERNAL;
        op.complete = on_complete;
        op.cookie = j;
        st = dma_xfer_queue(b->dma, &op);
        if (st != ZX_OK) j->status = st;
    }
    return 0;

fail: /* not issued: not counted as an operation */
    free(j->data);
    j->data = NULL;
    finish(j, b->res);
    b->n--;
    return -1;
}

void wl_blockio_run(const dma_xfer_protocol_t* dma, const sl_workload_params_t* p, sl_workload_result_t* res) {
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

    wl_rng_t r;
    wl_rng_seed(&r, p->seed, "blockio");
    blockio_t b = {.dma = dma, .res = res, .depth = p->queue_depth ? p->queue_depth : 1};
    b.shadow = calloc(blocks, bs);
    b.jobs = calloc(b.depth, sizeof *b.jobs);
    if (!b.shadow || !b.jobs) {
        wl_status(res, ZX_ERR_NO_MEMORY, "blockio: shadow");
        goto out;
    }
    uint64_t index = 0;
    /* Format: every block gets known content. */
    for (uint64_t blk = 0; blk < blocks; blk += max_blocks) {
        const uint64_t cnt = blocks - blk < max_blocks ? blocks - blk : max_blocks;
        if (issue(&b, &r, index++, 1, blk * bs, cnt * bs, 0)) goto out;
    }
    for (uint64_t i = 0; i < p->transfers; ++i) {
        const uint64_t start = wl_rng_below(&r, blocks);
        const uint64_t room = blocks - start < max_blocks ? blocks - start : max_blocks;
        const uint64_t cnt = 1 + wl_rng_below(&r, room);
        const uint64_t vmo_off = (i % 2) ? wl_rng_below(&r, 4096) : bs * wl_rng_below(&r, 4);
        if (issue(&b, &r, index++, (int)wl_rng_below(&r, 2), start * bs, cnt * bs, vmo_off)) goto out;
    }
    /* Read everything back. */
    for (uint64_t blk = 0; blk < blocks; blk += max_blocks) {
        const uint64_t cnt = blocks - blk < max_blocks ? blocks - blk : max_blocks;
        if (issue(&b, &r, index++, 0, blk * bs, cnt * bs, 0)) goto out;
    }
out:
    drain(&b);
    free(b.jobs);
    free(b.shadow);
}
