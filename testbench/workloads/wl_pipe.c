/* The operation queue and latency measurement of the sizing workloads (wl_pipe.h). */
#include "wl_pipe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "wl_util.h"

static void on_complete(void* cookie, zx_status_t status) {
    wl_pipe_job_t* j = cookie;
    j->t_done = zx_clock_get_monotonic();
    j->status = status;
}

zx_status_t wl_pipe_init(wl_pipe_t* p, const dma_xfer_protocol_t* dma, sl_workload_result_t* res, const char* name,
                         uint32_t depth, uint64_t warmup, wl_pipe_done_fn done, void* ctx) {
    memset(p, 0, sizeof *p);
    p->dma = dma;
    p->res = res;
    p->name = name;
    p->depth = depth ? depth : 1;
    p->warmup = warmup;
    p->done = done;
    p->ctx = ctx;
    p->jobs = calloc(p->depth, sizeof *p->jobs);
    if (!p->jobs) {
        wl_status(res, ZX_ERR_NO_MEMORY, "%s: operation queue", name);
        return ZX_ERR_NO_MEMORY;
    }
    return ZX_OK;
}

static void record(wl_pipe_t* p, const wl_pipe_job_t* j) {
    if (j->index < p->warmup || j->status != ZX_OK) return;
    if (p->lat_count == p->lat_cap) {
        uint64_t cap = p->lat_cap ? 2 * p->lat_cap : 1024;
        uint64_t* grown = realloc(p->lat, cap * sizeof *grown);
        if (!grown) return; /* the percentiles then cover fewer operations */
        p->lat = grown;
        p->lat_cap = cap;
    }
    p->lat[p->lat_count++] = (uint64_t)(j->t_done - j->t_submit);
    p->measured_bytes += j->op.length;
    if (j->t_done > p->last_done) p->last_done = j->t_done;
}

void wl_pipe_drain(wl_pipe_t* p) {
    if (p->n == 0) return;
    if (p->depth > 1) dma_xfer_wait_all(p->dma); /* per-operation statuses come from the callbacks */
    for (uint32_t k = 0; k < p->n; ++k) {
        wl_pipe_job_t* j = &p->jobs[k];
        p->res->operations++;
        if (j->status == ZX_OK) p->res->bytes += j->op.length;
        else wl_status(p->res, j->status, "%s #%llu (opcode %u, %llu bytes)", p->name, (unsigned long long)j->index,
                       j->op.opcode, (unsigned long long)j->op.length);
        record(p, j);
        if (p->done) p->done(p->ctx, j, p->res);
        memset(j, 0, sizeof *j);
    }
    p->n = 0;
}

zx_status_t wl_pipe_submit(wl_pipe_t* p, const dma_xfer_op_t* op, void* user) {
    /* The measured phase starts with an empty queue, so warm-up work does not overlap it. */
    if (p->issued == p->warmup) wl_pipe_drain(p);
    if (p->n == p->depth) wl_pipe_drain(p);
    wl_pipe_job_t* j = &p->jobs[p->n++];
    j->index = p->issued++;
    j->op = *op;
    j->user = user;
    j->t_submit = zx_clock_get_monotonic();
    if (j->index == p->warmup) p->measure_start = j->t_submit;
    zx_status_t st;
    if (p->depth == 1) {
        j->op.complete = NULL;
        st = dma_xfer_transfer(p->dma, &j->op);
        j->t_done = zx_clock_get_monotonic();
        j->status = st;
    } else {
        j->status = ZX_ERR_INTERNAL;
        j->op.complete = on_complete;
        j->op.cookie = j;
        st = dma_xfer_queue(p->dma, &j->op);
        if (st != ZX_OK) {
            j->status = st;
            j->t_done = j->t_submit;
        }
    }
    return st;
}

static int cmp_u64(const void* a, const void* b) {
    const uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
    return x < y ? -1 : x > y;
}

uint64_t wl_percentile(const uint64_t* sorted, uint64_t n, unsigned q) {
    if (n == 0) return 0;
    uint64_t rank = (q * n + 99) / 100; /* ceil(q/100 * n), 1-based */
    if (rank < 1) rank = 1;
    return sorted[rank - 1];
}

void wl_pipe_finish(wl_pipe_t* p) {
    wl_pipe_drain(p);
    sl_workload_result_t* r = p->res;
    if (p->lat_count) {
        qsort(p->lat, p->lat_count, sizeof *p->lat, cmp_u64);
        r->latency_count = p->lat_count;
        r->latency_p50_ns = wl_percentile(p->lat, p->lat_count, 50);
        r->latency_p99_ns = wl_percentile(p->lat, p->lat_count, 99);
        r->latency_max_ns = p->lat[p->lat_count - 1];
        r->measured_bytes = p->measured_bytes;
        r->measured_ns = (uint64_t)(p->last_done - p->measure_start);
    }
    free(p->lat);
    free(p->jobs);
    p->lat = NULL;
    p->jobs = NULL;
}

void wl_compare(sl_workload_result_t* res, zx_handle_t vmo, uint64_t off, const uint8_t* want, uint64_t len,
                const char* label) {
    uint8_t* got = malloc(len ? len : 1);
    if (!got) {
        wl_detail(res, "%s: out of host memory", label);
        res->bad_bytes++;
        return;
    }
    zx_status_t st = zx_vmo_read(vmo, got, off, len);
    if (st != ZX_OK) {
        wl_status(res, st, "%s: zx_vmo_read", label);
        free(got);
        return;
    }
    uint64_t bad = 0, first = 0;
    for (uint64_t i = 0; i < len; ++i)
        if (got[i] != want[i] && bad++ == 0) first = i;
    if (bad)
        wl_detail(res, "%s: %llu bytes wrong, first at +%llu: 0x%02x, expected 0x%02x", label, (unsigned long long)bad,
                  (unsigned long long)first, got[first], want[first]);
    res->bytes_checked += len;
    res->bad_bytes += bad;
    free(got);
}
