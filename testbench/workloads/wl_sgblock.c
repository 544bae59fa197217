/* sgblock: block I/O with scatter-gather lists. Requests of 512 B .. 1 MiB (log-uniform,
 * whole 512-byte sectors, bounded by workload.min_size/max_size) are split into segments of
 * 512 B .. 16 KiB at random sector-aligned offsets of one buffer pool VMO of
 * workload.pool_size bytes, one protocol operation per segment, as a storage driver's SG list
 * over pool buffers. A write request has the device read its segments (WRITE_SRAM: the device
 * SRAM is the controller's staging buffer, used cyclically), a read request has it write them
 * (READ_SRAM). Shadows of the pool and the SRAM follow every segment in submission order; a
 * segment the device wrote is compared with the pool's shadow when its batch is done, and a
 * segment that would touch pool bytes a queued segment writes (or write bytes one reads)
 * waits for the queue to drain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "wl_alloc.h"
#include "wl_queue.h"
#include "wl_util.h"
#include "workloads.h"

#define SECTOR 512u
#define SEG_MAX (16u << 10)
#define REQ_MIN 512u
#define REQ_MAX (1u << 20)
#define POOL_FILL_MAX (16u << 20)

typedef struct sg_wl {
    zx_handle_t pool;
    uint8_t* pool_shadow;
    uint8_t* sram_shadow;
} sg_wl_t;

typedef struct sg_job {
    uint64_t request, off, len;
    int device_writes;
} sg_job_t;

static void on_done(void* ctx, wl_queue_job_t* j, sl_workload_result_t* res) {
    sg_wl_t* w = ctx;
    sg_job_t* sj = j->user;
    if (sj && sj->device_writes && j->status == ZX_OK) {
        char label[112];
        snprintf(label, sizeof label, "sgblock request %llu (read segment, pool +%llu, %llu bytes)",
                 (unsigned long long)sj->request, (unsigned long long)sj->off, (unsigned long long)sj->len);
        wl_compare(res, w->pool, sj->off, w->pool_shadow + sj->off, sj->len, label);
    }
    wl_free(sj);
}

void wl_sgblock_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res) {
    const dma_xfer_protocol_t* dma = proto;
    dma_xfer_info_t info;
    zx_status_t st = dma_xfer_get_info(dma, &info);
    if (st != ZX_OK) {
        wl_status(res, st, "sgblock: get_info");
        return;
    }
    const uint32_t need = (1u << DMA_XFER_OP_WRITE_SRAM) | (1u << DMA_XFER_OP_READ_SRAM);
    if ((info.ops_supported & need) != need || info.sram_size < SEG_MAX) {
        wl_status(res, ZX_ERR_NOT_SUPPORTED, "sgblock: the driver offers no SRAM of at least %u bytes", SEG_MAX);
        return;
    }
    if (p->pool_size < SEG_MAX || p->pool_size > (1ull << 30)) {
        wl_status(res, ZX_ERR_OUT_OF_RANGE, "sgblock: workload.pool_size must be 16 KiB .. 1 GiB");
        return;
    }
    uint64_t req_lo = p->min_size > REQ_MIN ? p->min_size : REQ_MIN, req_hi = p->max_size < REQ_MAX ? p->max_size : REQ_MAX;
    if (req_hi < req_lo) req_hi = req_lo;
    sg_wl_t w = {.pool = ZX_HANDLE_INVALID};
    /* Segments are whole sectors, so the hazard granularity leaves their ranges exact. */
    const wl_queue_config_t qc = {.name = "sgblock", .measure = true, .depth = p->queue_depth, .warmup = p->warmup,
                                  .hazard_align = WL_QUEUE_HAZARD_ALIGN, .done = on_done, .ctx = &w};
    wl_queue_t q;
    if (wl_queue_init(&q, dma, res, &qc) != ZX_OK) return;
    w.pool_shadow = wl_calloc(1, p->pool_size);
    w.sram_shadow = wl_calloc(1, info.sram_size);
    uint64_t pool_size = 0;
    if (!w.pool_shadow || !w.sram_shadow) {
        wl_status(res, ZX_ERR_NO_MEMORY, "sgblock: shadows");
        goto out;
    }
    if (wl_vmo_create(res, p->pool_size, &w.pool, &pool_size) != ZX_OK) goto out;
    wl_rng_t r;
    wl_rng_seed(&r, p->seed, "sgblock");
    const uint64_t fill = p->pool_size < POOL_FILL_MAX ? p->pool_size : POOL_FILL_MAX;
    wl_rng_fill(&r, w.pool_shadow, fill);
    if ((st = zx_vmo_write(w.pool, w.pool_shadow, 0, fill)) != ZX_OK) {
        wl_status(res, st, "sgblock: filling the pool");
        goto out;
    }
    uint64_t sram_cur = 0, ops = 0;
    const uint64_t sectors = p->pool_size / SECTOR;
    for (uint64_t req = 0; ops < p->warmup + p->transfers; ++req) {
        uint64_t left = wl_rng_size(&r, req_lo, req_hi);
        left = (left + SECTOR - 1) / SECTOR * SECTOR;
        const int device_writes = (int)wl_rng_below(&r, 2); /* a read request */
        while (left > 0 && ops < p->warmup + p->transfers) {
            uint64_t len = SECTOR * (1 + wl_rng_below(&r, SEG_MAX / SECTOR));
            if (len > left) len = left;
            const uint64_t off = wl_rng_below(&r, sectors - len / SECTOR + 1) * SECTOR;
            if (sram_cur + len > info.sram_size) sram_cur = 0;
            const wl_range_t range = {.vmo = w.pool, .off = off, .len = len, .device_writes = device_writes};
            wl_queue_reserve(&q, &range);
            sg_job_t* sj = wl_calloc(1, sizeof *sj);
            if (!sj) {
                wl_status(res, ZX_ERR_NO_MEMORY, "sgblock: job");
                goto out;
            }
            *sj = (sg_job_t){.request = req, .off = off, .len = len, .device_writes = device_writes};
            dma_xfer_op_t op;
            if (device_writes) {
                memcpy(w.pool_shadow + off, w.sram_shadow + sram_cur, len);
                op = dma_xfer_op_read_sram(sram_cur, w.pool, off, len);
            } else {
                memcpy(w.sram_shadow + sram_cur, w.pool_shadow + off, len);
                op = dma_xfer_op_write_sram(w.pool, off, len, sram_cur);
            }
            wl_queue_submit(&q, &op, &range, sj);
            sram_cur += len;
            left -= len;
            ++ops;
        }
    }
out:
    wl_queue_finish(&q);
    if (w.pool != ZX_HANDLE_INVALID) zx_handle_close(w.pool);
    wl_free(w.pool_shadow);
    wl_free(w.sram_shadow);
}
