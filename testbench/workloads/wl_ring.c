/* ring: a NIC's receive and transmit rings. workload.rings rings of workload.ring_entries
 * buffers of workload.buffer_size bytes, each ring one VMO; operations go round-robin over
 * the rings, each to the next buffer of its ring. Even rings receive: the device writes the
 * buffer (READ_SRAM: a packet from the "wire", the device SRAM); odd rings transmit: the CPU
 * writes a fresh packet into the buffer and the device reads it (WRITE_SRAM onto the wire).
 * The SRAM's shadow follows every operation in submission order; a received buffer is
 * compared with it when its batch is done. A buffer is reused only after rings x entries
 * operations, so the queue depth is capped at that. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "wl_alloc.h"
#include "wl_queue.h"
#include "wl_util.h"
#include "workloads.h"

typedef struct ring_wl {
    zx_handle_t* vmos;
    uint8_t* sram_shadow;
    uint64_t buffer_size;
} ring_wl_t;

typedef struct ring_job {
    uint64_t ring, slot;
    uint8_t* want; /* receive: the packet the buffer must hold */
} ring_job_t;

static void on_done(void* ctx, wl_queue_job_t* j, sl_workload_result_t* res) {
    ring_wl_t* w = ctx;
    ring_job_t* rj = j->user;
    if (rj && rj->want && j->status == ZX_OK) {
        char label[96];
        snprintf(label, sizeof label, "ring #%llu (RX ring %llu, buffer %llu)", (unsigned long long)j->index,
                 (unsigned long long)rj->ring, (unsigned long long)rj->slot);
        wl_compare(res, w->vmos[rj->ring], rj->slot * w->buffer_size, rj->want, w->buffer_size, label);
    }
    if (rj) wl_free(rj->want);
    wl_free(rj);
}

void wl_ring_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res) {
    const dma_xfer_protocol_t* dma = proto;
    dma_xfer_info_t info;
    zx_status_t st = dma_xfer_get_info(dma, &info);
    if (st != ZX_OK) {
        wl_status(res, st, "ring: get_info");
        return;
    }
    const uint32_t need = (1u << DMA_XFER_OP_WRITE_SRAM) | (1u << DMA_XFER_OP_READ_SRAM);
    const uint64_t b = p->buffer_size, n = p->ring_entries, nr = p->rings;
    if ((info.ops_supported & need) != need || info.sram_size < b) {
        wl_status(res, ZX_ERR_NOT_SUPPORTED, "ring: the driver offers no SRAM of at least one %llu-byte buffer",
                  (unsigned long long)b);
        return;
    }
    ring_wl_t w = {.buffer_size = b};
    uint64_t depth = p->queue_depth ? p->queue_depth : 1;
    if (depth > n * nr) depth = n * nr;
    /* One set-up operation (the wire's initial bytes) precedes the warm-up. */
    const wl_queue_config_t qc = {.name = "ring", .measure = true, .depth = (uint32_t)depth, .warmup = p->warmup + 1,
                                  .done = on_done, .ctx = &w};
    wl_queue_t q;
    if (wl_queue_init(&q, dma, res, &qc) != ZX_OK) return;
    w.vmos = wl_calloc(nr, sizeof *w.vmos);
    w.sram_shadow = wl_malloc(info.sram_size);
    uint8_t* packet = wl_malloc(info.sram_size > b ? info.sram_size : b);
    if (!w.vmos || !w.sram_shadow || !packet) {
        wl_status(res, ZX_ERR_NO_MEMORY, "ring: buffers");
        goto out;
    }
    uint64_t vmo_size = 0;
    for (uint64_t i = 0; i < nr; ++i)
        if (wl_vmo_create(res, n * b, &w.vmos[i], &vmo_size) != ZX_OK) goto out;

    wl_rng_t r;
    wl_rng_seed(&r, p->seed, "ring");
    /* Set-up: the wire (SRAM) carries known bytes, written from the first ring's memory. */
    zx_handle_t wire = ZX_HANDLE_INVALID;
    uint64_t wire_size = 0;
    if (wl_vmo_create(res, info.sram_size, &wire, &wire_size) != ZX_OK) goto out;
    wl_rng_fill(&r, w.sram_shadow, info.sram_size);
    st = zx_vmo_write(wire, w.sram_shadow, 0, info.sram_size);
    dma_xfer_op_t op = dma_xfer_op_write_sram(wire, 0, info.sram_size, 0);
    if (st == ZX_OK) wl_queue_submit(&q, &op, NULL, NULL);
    wl_queue_drain(&q);
    zx_handle_close(wire);
    if (st != ZX_OK) {
        wl_status(res, st, "ring: the wire's initial bytes");
        goto out;
    }

    const uint64_t wire_slots = info.sram_size / b;
    const uint64_t total = p->warmup + p->transfers;
    for (uint64_t k = 0; k < total; ++k) {
        /* A buffer is reused only after rings x entries operations, more than the queue
         * holds: it is free once the queue has room. */
        wl_queue_reserve(&q, NULL);
        ring_job_t* rj = wl_calloc(1, sizeof *rj);
        if (!rj) {
            wl_status(res, ZX_ERR_NO_MEMORY, "ring: job");
            break;
        }
        rj->ring = k % nr;
        rj->slot = (k / nr) % n;
        const uint64_t buf_off = rj->slot * b, sram_off = (k % wire_slots) * b;
        if (rj->ring % 2 == 0) { /* receive */
            rj->want = wl_malloc(b);
            if (!rj->want || (st = wl_vmo_set(w.vmos[rj->ring], buf_off, b, WL_GUARD_BYTE)) != ZX_OK) {
                wl_status(res, rj->want ? st : ZX_ERR_NO_MEMORY, "ring #%llu: preparing the buffer",
                          (unsigned long long)k);
                wl_free(rj->want);
                wl_free(rj);
                break;
            }
            memcpy(rj->want, w.sram_shadow + sram_off, b);
            op = dma_xfer_op_read_sram(sram_off, w.vmos[rj->ring], buf_off, b);
        } else { /* transmit */
            wl_rng_fill(&r, packet, b);
            if ((st = zx_vmo_write(w.vmos[rj->ring], packet, buf_off, b)) != ZX_OK) {
                wl_status(res, st, "ring #%llu: writing the packet", (unsigned long long)k);
                wl_free(rj);
                break;
            }
            memcpy(w.sram_shadow + sram_off, packet, b);
            op = dma_xfer_op_write_sram(w.vmos[rj->ring], buf_off, b, sram_off);
        }
        wl_queue_submit(&q, &op, NULL, rj);
    }
    wl_queue_finish(&q);
    /* The wire holds what was transmitted last. */
    if (res->failed_ops == 0 && nr > 1 && wl_vmo_create(res, info.sram_size, &wire, &wire_size) == ZX_OK) {
        st = dma_xfer_read_sram(dma, 0, wire, 0, info.sram_size);
        res->operations++;
        if (st != ZX_OK) wl_status(res, st, "ring: reading the wire back");
        else wl_compare(res, wire, 0, w.sram_shadow, info.sram_size, "ring: wire read back");
        zx_handle_close(wire);
    }
out:
    wl_queue_finish(&q);
    for (uint64_t i = 0; w.vmos && i < nr; ++i)
        if (w.vmos[i]) zx_handle_close(w.vmos[i]);
    wl_free(w.vmos);
    wl_free(w.sram_shadow);
    wl_free(packet);
}
