/* random: the working-set sweep. workload.transfers accesses of workload.access_size bytes at
 * random multiples of that size inside one window VMO of workload.window bytes (the device
 * reads the window: WRITE_SRAM into a random SRAM slot; or writes it: READ_SRAM), as pcie-bench
 * does on a pre-pinned window. With dmac.mapping=pool the driver pins the window once; per
 * transfer it pins and unpins the touched page each time.
 *
 * With workload.gather=N (reads only) each operation is one GATHER_SRAM of N accesses: the
 * device reads them back to back from one scatter-gather list into N x access_size
 * consecutive SRAM bytes, without a descriptor per access (pcie-bench's back-to-back reads).
 * workload.transfers and workload.warmup still count accesses (rounded up to whole
 * operations).
 *
 * The window starts with random bytes (at most its first 4 MiB; the rest stays zero, so large
 * windows cost no set-up time) and a shadow of the window and of the SRAM follows every
 * operation in submission order. Checks: every device read by the driver's CRC; every device
 * write against the shadow when its batch is done; at the end the whole SRAM, read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "wl_alloc.h"
#include "wl_queue.h"
#include "wl_util.h"
#include "workloads.h"

#define RANDOM_FILL_MAX (4u << 20)
#define RANDOM_WINDOW_MAX (1ull << 30) /* the host keeps a shadow of the window */

typedef struct random_wl {
    zx_handle_t window;
    uint64_t window_size;
    uint8_t* win_shadow;
    uint8_t* sram_shadow;
    uint64_t sram_size;
} random_wl_t;

typedef struct random_job {
    uint64_t off, len;
    int device_writes;
} random_job_t;

static void on_done(void* ctx, wl_queue_job_t* j, sl_workload_result_t* res) {
    random_wl_t* w = ctx;
    random_job_t* rj = j->user;
    if (rj && rj->device_writes && j->status == ZX_OK) {
        char label[96];
        snprintf(label, sizeof label, "random #%llu (device write, window +%llu, %llu bytes)",
                 (unsigned long long)j->index, (unsigned long long)rj->off, (unsigned long long)rj->len);
        /* All of the batch is done: the window equals the shadow as of now. */
        wl_compare(res, w->window, rj->off, w->win_shadow + rj->off, rj->len, label);
    }
    wl_free(rj);
}

/* workload.gather: operations of p->gather accesses each, one scatter-gather list apiece. */
static void gather_accesses(random_wl_t* w, wl_queue_t* q, wl_rng_t* r, const sl_workload_params_t* p,
                            const dma_xfer_info_t* info, sl_workload_result_t* res) {
    const uint64_t a = p->access_size, run = (uint64_t)p->gather * a;
    const uint64_t slots = p->window / a, sram_runs = info->sram_size / run;
    const uint64_t total = p->warmup + p->transfers;
    dma_xfer_seg_t* segs = wl_calloc(p->gather, sizeof *segs);
    if (!segs) {
        wl_status(res, ZX_ERR_NO_MEMORY, "random: gather list");
        return;
    }
    for (uint64_t done = 0; done < total;) {
        const uint32_t n = total - done < p->gather ? (uint32_t)(total - done) : p->gather;
        wl_queue_reserve(q, NULL); /* gathers only read the window */
        const uint64_t sram_off = wl_rng_below(r, sram_runs) * run;
        for (uint32_t k = 0; k < n; ++k) {
            segs[k].offset = wl_rng_below(r, slots) * a;
            segs[k].length = a;
            memcpy(w->sram_shadow + sram_off + k * a, w->win_shadow + segs[k].offset, a);
        }
        dma_xfer_op_t op = dma_xfer_op_gather_sram(w->window, segs, n, (uint64_t)n * a, sram_off);
        wl_queue_submit(q, &op, NULL, NULL); /* the driver copies the list before it returns */
        done += n;
    }
    wl_free(segs);
    wl_queue_finish(q);
}

void wl_random_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res) {
    const dma_xfer_protocol_t* dma = proto;
    dma_xfer_info_t info;
    zx_status_t st = dma_xfer_get_info(dma, &info);
    if (st != ZX_OK) {
        wl_status(res, st, "random: get_info");
        return;
    }
    const uint32_t need = (1u << DMA_XFER_OP_WRITE_SRAM) | (1u << DMA_XFER_OP_READ_SRAM);
    const uint64_t a = p->access_size;
    if ((info.ops_supported & need) != need || info.sram_size < a) {
        wl_status(res, ZX_ERR_NOT_SUPPORTED, "random: the driver offers no SRAM of at least %llu bytes",
                  (unsigned long long)a);
        return;
    }
    if (p->window > RANDOM_WINDOW_MAX || p->window < a) {
        wl_status(res, ZX_ERR_OUT_OF_RANGE, "random: workload.window must be %llu .. %llu bytes",
                  (unsigned long long)a, (unsigned long long)RANDOM_WINDOW_MAX);
        return;
    }
    random_wl_t w = {.window = ZX_HANDLE_INVALID, .sram_size = info.sram_size};
    if (p->gather > 0 && ((info.ops_supported & (1u << DMA_XFER_OP_GATHER_SRAM)) == 0 ||
                          (uint64_t)p->gather * a > info.sram_size)) {
        wl_status(res, ZX_ERR_NOT_SUPPORTED,
                  "random: workload.gather needs a driver with GATHER_SRAM and gather x access_size (%llu) <= the SRAM (%llu)",
                  (unsigned long long)p->gather * a, (unsigned long long)info.sram_size);
        return;
    }
    /* One set-up operation (the SRAM's initial content) precedes the warm-up (in operations). */
    const uint64_t warm_ops = p->gather ? (p->warmup + p->gather - 1) / p->gather : p->warmup;
    const wl_queue_config_t qc = {.name = "random", .measure = true, .depth = p->queue_depth, .warmup = warm_ops + 1,
                                  .hazard_align = WL_QUEUE_HAZARD_ALIGN, .done = on_done, .ctx = &w};
    wl_queue_t q;
    if (wl_queue_init(&q, dma, res, &qc) != ZX_OK) return;
    w.win_shadow = wl_calloc(1, p->window);
    w.sram_shadow = wl_calloc(1, info.sram_size);
    if (!w.win_shadow || !w.sram_shadow) {
        wl_status(res, ZX_ERR_NO_MEMORY, "random: shadows of %llu bytes", (unsigned long long)p->window);
        goto out;
    }
    if (wl_vmo_create(res, p->window, &w.window, &w.window_size) != ZX_OK) goto out;

    wl_rng_t r;
    wl_rng_seed(&r, p->seed, "random");
    const uint64_t fill = p->window < RANDOM_FILL_MAX ? p->window : RANDOM_FILL_MAX;
    wl_rng_fill(&r, w.win_shadow, fill);
    if ((st = zx_vmo_write(w.window, w.win_shadow, 0, fill)) != ZX_OK) {
        wl_status(res, st, "random: filling the window");
        goto out;
    }
    /* Set-up: the SRAM gets the first bytes of the window. */
    const uint64_t first = info.sram_size < p->window ? info.sram_size : p->window;
    memcpy(w.sram_shadow, w.win_shadow, first);
    dma_xfer_op_t op = dma_xfer_op_write_sram(w.window, 0, first, 0);
    wl_queue_submit(&q, &op, NULL, NULL);
    wl_queue_drain(&q);

    const uint64_t slots = p->window / a, sram_slots = info.sram_size / a;
    const uint64_t total = p->warmup + p->transfers;
    if (p->gather > 0) {
        gather_accesses(&w, &q, &r, p, &info, res);
        goto check_sram;
    }
    for (uint64_t i = 0; i < total; ++i) {
        const uint64_t off = wl_rng_below(&r, slots) * a, sram_off = wl_rng_below(&r, sram_slots) * a;
        int device_writes = p->direction == WL_DIR_WRITE || (p->direction == WL_DIR_MIXED && wl_rng_below(&r, 2));
        const wl_range_t range = {.vmo = w.window, .off = off, .len = a, .device_writes = device_writes};
        wl_queue_reserve(&q, &range);
        random_job_t* rj = wl_calloc(1, sizeof *rj);
        if (!rj) {
            wl_status(res, ZX_ERR_NO_MEMORY, "random: job");
            break;
        }
        rj->off = off;
        rj->len = a;
        rj->device_writes = device_writes;
        if (device_writes) {
            memcpy(w.win_shadow + off, w.sram_shadow + sram_off, a);
            op = dma_xfer_op_read_sram(sram_off, w.window, off, a);
        } else {
            memcpy(w.sram_shadow + sram_off, w.win_shadow + off, a);
            op = dma_xfer_op_write_sram(w.window, off, a, sram_off);
        }
        wl_queue_submit(&q, &op, &range, rj);
    }
    wl_queue_finish(&q);

check_sram:
    /* The SRAM, read back whole, equals its shadow. */
    if (res->failed_ops == 0) {
        zx_handle_t check = ZX_HANDLE_INVALID;
        uint64_t check_size = 0;
        if (wl_vmo_create(res, info.sram_size, &check, &check_size) == ZX_OK) {
            st = dma_xfer_read_sram(dma, 0, check, 0, info.sram_size);
            res->operations++;
            if (st != ZX_OK) wl_status(res, st, "random: reading the SRAM back");
            else wl_compare(res, check, 0, w.sram_shadow, info.sram_size, "random: SRAM read back");
            zx_handle_close(check);
        }
    }
out:
    wl_queue_finish(&q);
    if (w.window != ZX_HANDLE_INVALID) zx_handle_close(w.window);
    wl_free(w.win_shadow);
    wl_free(w.sram_shadow);
}
