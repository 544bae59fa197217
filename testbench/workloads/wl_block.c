/* block: a block device through the DDK's block-impl protocol (ddk/protocol/block.h), read
 * and written from client VMOs the way the block core does it, and checked like blockio:
 * against a shadow copy of the device kept here.
 *
 * The device range used starts at block 0 and covers min(block_count, workload.pool_size)
 * bytes. It is written whole first, then workload.transfers reads and writes of random block
 * ranges (1 .. workload.max_size bytes, capped by the driver's max_transfer_size) go from
 * or to VMOs at random block offsets (so a transfer may start anywhere in a page and cross
 * pages), workload.queue_depth in flight; a FLUSH follows, then the whole range is read back.
 * Reads are checked byte for byte, with guard bytes on both sides (wl_verify). Operations in
 * flight never overlap on the device, so the shadow is right whatever order the driver
 * completes them in.
 *
 * Each operation is allocated with the size query() returns (the driver keeps its state
 * behind the block_op_t). The driver calls back from its own thread; this thread waits on a
 * sync completion per operation, at most NO_PROGRESS_TIMEOUT of simulated time: an operation
 * that never completes is a failure, and the rest of the run is abandoned (its memory is left
 * to the driver, which may still call back). */
#include <ddk/protocol/block.h>
#include <lib/sync/completion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include <staleline/shim_trace.h>

#include "wl_alloc.h"
#include "wl_util.h"
#include "workloads.h"

#define NO_PROGRESS_TIMEOUT ZX_SEC(1)
#define MAX_DEPTH 64u

typedef struct request {
    block_op_t* op; /* op_size bytes */
    sync_completion_t done;
    zx_status_t status;
    uint64_t index;
    int is_write, is_flush;
    uint64_t dev_block, blocks;
    zx_handle_t vmo;
    uint64_t vmo_size, vmo_off; /* bytes */
    uint8_t* want;              /* read: what must come back */
} request_t;

typedef struct block_wl {
    const block_impl_protocol_t* proto;
    block_info_t info;
    size_t op_size;
    sl_workload_result_t* res;
    wl_rng_t r;
    uint8_t* shadow;
    request_t* flight[MAX_DEPTH]; /* oldest first */
    uint32_t depth, in_flight;
    bool stuck; /* an operation never completed: stop */
} block_wl_t;

static void on_complete(void* cookie, zx_status_t status, block_op_t* op) {
    (void)op;
    request_t* q = cookie;
    q->status = status;
    sl_trace_op_end(q->index); /* the driver says it is done (docs/timeline.md) */
    sync_completion_signal(&q->done);
}

static void request_free(request_t* q) {
    if (q->vmo) zx_handle_close(q->vmo);
    wl_free(q->want);
    wl_free(q->op);
    wl_free(q);
}

static void label(const request_t* q, char* buf, size_t len) {
    if (q->is_flush) snprintf(buf, len, "block #%llu (flush)", (unsigned long long)q->index);
    else
        snprintf(buf, len, "block #%llu (%s %llu blocks at block %llu, VMO +%llu)", (unsigned long long)q->index,
                 q->is_write ? "write" : "read", (unsigned long long)q->blocks, (unsigned long long)q->dev_block,
                 (unsigned long long)q->vmo_off);
}

/* Wait for the oldest operation in flight and check it. */
static void retire_oldest(block_wl_t* w) {
    request_t* q = w->flight[0];
    memmove(w->flight, w->flight + 1, (w->in_flight - 1) * sizeof w->flight[0]);
    w->in_flight--;
    char text[160];
    label(q, text, sizeof text);
    if (sync_completion_wait(&q->done, NO_PROGRESS_TIMEOUT) != ZX_OK) {
        wl_status(w->res, ZX_ERR_TIMED_OUT, "%s: no completion", text);
        w->stuck = true; /* q stays with the driver */
        return;
    }
    if (q->status != ZX_OK) wl_status(w->res, q->status, "%s", text);
    else if (!q->is_write && !q->is_flush)
        wl_verify(w->res, q->vmo, q->vmo_size, q->vmo_off, q->want, q->blocks * w->info.block_size, text);
    request_free(q);
}

static void drain(block_wl_t* w) {
    while (w->in_flight && !w->stuck) retire_oldest(w);
}

static bool overlaps_flight(const block_wl_t* w, uint64_t blk, uint64_t cnt) {
    for (uint32_t i = 0; i < w->in_flight; ++i) {
        const request_t* q = w->flight[i];
        if (!q->is_flush && blk < q->dev_block + q->blocks && q->dev_block < blk + cnt) return true;
    }
    return false;
}

/* Queue one operation (kind: 0 read, 1 write, 2 flush). Nonzero when it could not be made. */
static int issue(block_wl_t* w, uint64_t index, int kind, uint64_t blk, uint64_t cnt, uint64_t vmo_blocks) {
    const uint64_t bs = w->info.block_size;
    if (kind == 2 || overlaps_flight(w, blk, cnt)) drain(w);
    while (w->in_flight >= w->depth && !w->stuck) retire_oldest(w);
    if (w->stuck) return -1;
    request_t* q = wl_calloc(1, sizeof *q);
    if (!q || !(q->op = wl_calloc(1, w->op_size))) {
        wl_free(q);
        wl_status(w->res, ZX_ERR_NO_MEMORY, "block #%llu: operation", (unsigned long long)index);
        return -1;
    }
    q->index = index;
    q->is_write = kind == 1;
    q->is_flush = kind == 2;
    if (q->is_flush) {
        q->op->command = BLOCK_OP_FLUSH;
    } else {
        const uint64_t len = cnt * bs;
        q->dev_block = blk;
        q->blocks = cnt;
        q->vmo_off = vmo_blocks * bs;
        zx_status_t st = wl_vmo_create(w->res, q->vmo_off + len + WL_GUARD, &q->vmo, &q->vmo_size);
        if (st != ZX_OK) goto fail;
        if (!(q->want = wl_malloc(len))) {
            wl_status(w->res, ZX_ERR_NO_MEMORY, "block #%llu: host buffer", (unsigned long long)index);
            goto fail;
        }
        if (q->is_write) {
            wl_rng_fill(&w->r, q->want, len);
            st = zx_vmo_write(q->vmo, q->want, q->vmo_off, len);
            memcpy(w->shadow + blk * bs, q->want, len);
        } else {
            memcpy(q->want, w->shadow + blk * bs, len);
            st = wl_vmo_guard(q->vmo, q->vmo_off, len);
        }
        if (st != ZX_OK) {
            wl_status(w->res, st, "block #%llu: preparing the buffer", (unsigned long long)index);
            goto fail;
        }
        q->op->rw = (block_read_write_t){.command = q->is_write ? BLOCK_OP_WRITE : BLOCK_OP_READ,
                                         .vmo = q->vmo,
                                         .length = (uint32_t)cnt,
                                         .offset_dev = blk,
                                         .offset_vmo = vmo_blocks};
        w->res->bytes += len;
    }
    w->res->operations++;
    w->flight[w->in_flight++] = q;
    /* One operation per request for the latency breakdown: from queue to its completion. */
    sl_trace_op_begin(q->index);
    block_impl_queue(w->proto, q->op, on_complete, q);
    sl_trace_op_submitted(q->index);
    return 0;

fail: /* never queued: not an operation */
    request_free(q);
    return -1;
}

void wl_block_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res) {
    block_wl_t w = {.proto = proto, .res = res};
    block_impl_query(w.proto, &w.info, &w.op_size);
    const uint64_t bs = w.info.block_size;
    if (bs == 0 || w.info.block_count == 0 || w.op_size < sizeof(block_op_t)) {
        wl_status(res, ZX_ERR_NOT_SUPPORTED, "block: query gave %llu blocks of %llu bytes, operations of %zu bytes",
                  (unsigned long long)w.info.block_count, (unsigned long long)bs, w.op_size);
        return;
    }
    uint64_t span = p->pool_size / bs;
    if (span == 0) span = 1;
    if (span > w.info.block_count) span = w.info.block_count;
    uint64_t max_blocks = p->max_size / bs;
    if (w.info.max_transfer_size != BLOCK_MAX_TRANSFER_UNBOUNDED && w.info.max_transfer_size / bs < max_blocks)
        max_blocks = w.info.max_transfer_size / bs;
    if (max_blocks == 0) max_blocks = 1;
    if (max_blocks > span) max_blocks = span;
    w.depth = p->queue_depth < MAX_DEPTH ? p->queue_depth : MAX_DEPTH;
    if (w.depth == 0) w.depth = 1;
    wl_rng_seed(&w.r, p->seed, "block");
    w.shadow = wl_calloc(span, bs);
    if (!w.shadow) {
        wl_status(res, ZX_ERR_NO_MEMORY, "block: shadow");
        return;
    }
    uint64_t index = 0;
    /* Format: every block of the range gets known content. */
    for (uint64_t blk = 0; blk < span; blk += max_blocks) {
        const uint64_t cnt = span - blk < max_blocks ? span - blk : max_blocks;
        if (issue(&w, index++, 1, blk, cnt, 0)) goto out;
    }
    for (uint64_t i = 0; i < p->transfers; ++i) {
        const uint64_t start = wl_rng_below(&w.r, span);
        const uint64_t room = span - start < max_blocks ? span - start : max_blocks;
        const uint64_t cnt = 1 + wl_rng_below(&w.r, room);
        const uint64_t vmo_blocks = wl_rng_below(&w.r, 2 * 4096 / bs + 1);
        if (issue(&w, index++, (int)wl_rng_below(&w.r, 2), start, cnt, vmo_blocks)) goto out;
    }
    if (issue(&w, index++, 2, 0, 0, 0)) goto out;
    /* Read everything back. */
    for (uint64_t blk = 0; blk < span; blk += max_blocks) {
        const uint64_t cnt = span - blk < max_blocks ? span - blk : max_blocks;
        if (issue(&w, index++, 0, blk, cnt, 0)) goto out;
    }
out:
    drain(&w);
    wl_free(w.shadow);
}
