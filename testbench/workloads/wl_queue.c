/* The operation queue every workload submits through (wl_queue.h). */
#include "wl_alloc.h"
#include "wl_queue.h"

#include <lib/sync/completion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <staleline/shim_trace.h>
#include <zircon/syscalls.h>

#include "wl_util.h"

/* Every operation is marked for the latency breakdown and the timeline (staleline/shim_trace.h):
 * free in simulated time, so marking never changes a run. */
/* sl_workload_request_stop / sl_workload_in_driver: one run per process, one host thread. */
static volatile bool g_stop, g_in_driver;

void sl_workload_request_stop(void) { g_stop = true; }
bool sl_workload_in_driver(void) { return g_in_driver; }

static void on_complete(void* cookie, zx_status_t status) {
    wl_queue_job_t* j = cookie;
    j->status = status;
    sl_trace_op_end(j->index);
}

static void on_complete_timed(void* cookie, zx_status_t status) {
    wl_queue_job_t* j = cookie;
    j->t_done = zx_clock_get_monotonic();
    j->status = status;
    sl_trace_op_end(j->index);
}

zx_status_t wl_queue_init(wl_queue_t* q, const dma_xfer_protocol_t* dma, sl_workload_result_t* res,
                          const wl_queue_config_t* cfg) {
    memset(q, 0, sizeof *q);
    q->dma = dma;
    q->res = res;
    q->cfg = *cfg;
    if (!q->cfg.name) q->cfg.name = "workload";
    if (q->cfg.depth == 0) q->cfg.depth = 1;
    if (q->cfg.hazard_align & (q->cfg.hazard_align - 1)) {
        wl_status(res, ZX_ERR_INVALID_ARGS, "%s: hazard alignment %u is not a power of two", q->cfg.name,
                  q->cfg.hazard_align);
        return ZX_ERR_INVALID_ARGS;
    }
    q->jobs = wl_calloc(q->cfg.depth, sizeof *q->jobs);
    if (!q->jobs) {
        wl_status(res, ZX_ERR_NO_MEMORY, "%s: operation queue", q->cfg.name);
        return ZX_ERR_NO_MEMORY;
    }
    return ZX_OK;
}

static void round_out(const wl_queue_t* q, const wl_range_t* r, uint64_t* lo, uint64_t* hi) {
    const uint64_t a = q->cfg.hazard_align ? q->cfg.hazard_align : 1;
    *lo = r->off / a * a;
    *hi = (r->off + r->len + a - 1) / a * a;
}

/* Does range meet a queued range where one of the two is a device write? */
static int conflicts(const wl_queue_t* q, const wl_range_t* range) {
    if (!range) return 0;
    uint64_t lo, hi;
    round_out(q, range, &lo, &hi);
    for (uint32_t i = 0; i < q->n; ++i) {
        const wl_queue_job_t* o = &q->jobs[i];
        if (o->has_range && o->range.vmo == range->vmo && (range->device_writes || o->range.device_writes) &&
            lo < o->range.hi && o->range.lo < hi)
            return 1;
    }
    return 0;
}

static int cmp_latency(const void* a, const void* b) {
    const uint64_t x = ((const wl_latency_t*)a)->ns, y = ((const wl_latency_t*)b)->ns;
    return x < y ? -1 : x > y;
}

/* Sorts q->lat and merges equal latencies into one entry. */
static void compact_latencies(wl_queue_t* q) {
    if (!q->lat_used) return;
    qsort(q->lat, q->lat_used, sizeof *q->lat, cmp_latency);
    uint64_t k = 0;
    for (uint64_t i = 1; i < q->lat_used; ++i) {
        if (q->lat[i].ns == q->lat[k].ns)
            q->lat[k].count += q->lat[i].count;
        else
            q->lat[++k] = q->lat[i];
    }
    q->lat_used = k + 1;
}

static void record(wl_queue_t* q, const wl_queue_job_t* j) {
    if (!q->cfg.measure || j->index < q->cfg.warmup || j->status != ZX_OK) return;
    if (q->lat_used == q->lat_cap) {
        compact_latencies(q);
        if (q->lat_used * 2 >= q->lat_cap) { /* mostly distinct: grow */
            uint64_t cap = q->lat_cap ? 2 * q->lat_cap : 1024;
            wl_latency_t* grown = wl_realloc(q->lat, cap * sizeof *grown);
            if (!grown) return; /* the percentiles then cover fewer operations */
            q->lat = grown;
            q->lat_cap = cap;
        }
    }
    q->lat[q->lat_used++] = (wl_latency_t){(uint64_t)(j->t_done - j->t_submit), 1};
    q->lat_count++;
    q->measured_bytes += j->op.length;
    if (j->t_done > q->last_done) q->last_done = j->t_done;
}

void wl_queue_drain(wl_queue_t* q) {
    if (q->n == 0) return;
    if (q->cfg.depth > 1) dma_xfer_wait_all(q->dma); /* per-operation statuses come from the callbacks */
    sl_workload_result_t* res = q->res;
    for (uint32_t k = 0; k < q->n; ++k) {
        wl_queue_job_t* j = &q->jobs[k];
        res->operations++;
        if (j->status == ZX_OK) {
            res->bytes += j->op.length;
        } else if (q->cfg.label) {
            char label[160];
            q->cfg.label(q->cfg.ctx, j, label, sizeof label);
            wl_status(res, j->status, "%s", label);
        } else {
            wl_status(res, j->status, "%s #%llu (opcode %u, %llu bytes)", q->cfg.name, (unsigned long long)j->index,
                      j->op.opcode, (unsigned long long)j->op.length);
        }
        record(q, j);
        if (q->cfg.done) q->cfg.done(q->cfg.ctx, j, res);
        memset(j, 0, sizeof *j);
    }
    q->n = 0;
}

void wl_queue_reserve(wl_queue_t* q, const wl_range_t* range) {
    if (q->n == q->cfg.depth || conflicts(q, range)) wl_queue_drain(q);
}

zx_status_t wl_queue_submit(wl_queue_t* q, const dma_xfer_op_t* op, const wl_range_t* range, void* user) {
    /* The measured phase starts with an empty queue, so warm-up work does not overlap it. */
    if (q->issued == q->cfg.warmup) wl_queue_drain(q);
    wl_queue_reserve(q, range); /* a no-op when the workload reserved */
    wl_queue_job_t* j = &q->jobs[q->n++];
    if (range) {
        j->has_range = 1;
        j->range.vmo = range->vmo;
        j->range.device_writes = range->device_writes;
        round_out(q, range, &j->range.lo, &j->range.hi);
    }
    j->index = q->issued++;
    j->op = *op;
    j->user = user;
    const bool timed = q->cfg.measure;
    if (timed) j->t_submit = zx_clock_get_monotonic();
    if (j->index == q->cfg.warmup) q->measure_start = j->t_submit;
    zx_status_t st;
    sl_trace_op_begin(j->index);
    if (g_stop) {
        /* The run was stopped: nothing more goes to the driver, and the workload's thread waits
         * here until it is unwound. Going on with the workload could take long without ever
         * waiting (every call costs no time with shim.syscall_ns=0), and the release of the
         * driver could not start before it ended. */
        static sync_completion_t never;
        (void)sync_completion_wait(&never, ZX_TIME_INFINITE);
        j->status = st = ZX_ERR_CANCELED;
        j->t_done = j->t_submit;
        sl_trace_op_end(j->index);
    } else if (q->cfg.depth == 1) {
        j->op.complete = NULL;
        g_in_driver = true;
        st = dma_xfer_transfer(q->dma, &j->op);
        g_in_driver = false;
        sl_trace_op_end(j->index);
        if (timed) j->t_done = zx_clock_get_monotonic();
        j->status = st;
    } else {
        j->status = ZX_ERR_INTERNAL; /* until the completion callback says otherwise */
        j->op.complete = timed ? on_complete_timed : on_complete;
        j->op.cookie = j;
        g_in_driver = true;
        st = dma_xfer_queue(q->dma, &j->op);
        g_in_driver = false;
        sl_trace_op_submitted(j->index);
        if (st != ZX_OK) {
            j->status = st;
            j->t_done = j->t_submit;
            sl_trace_op_end(j->index);
        }
    }
    return st;
}

uint64_t wl_percentile(const uint64_t* sorted, uint64_t n, unsigned q) {
    if (n == 0) return 0;
    uint64_t rank = (q * n + 99) / 100; /* ceil(q/100 * n), 1-based */
    if (rank < 1) rank = 1;
    return sorted[rank - 1];
}

uint64_t wl_percentile_counted(const wl_latency_t* sorted, uint64_t pairs, uint64_t n, unsigned q) {
    if (n == 0 || pairs == 0) return 0;
    uint64_t rank = (q * n + 99) / 100, below = 0;
    if (rank < 1) rank = 1;
    for (uint64_t i = 0; i < pairs; ++i)
        if ((below += sorted[i].count) >= rank) return sorted[i].ns;
    return sorted[pairs - 1].ns;
}

void wl_queue_finish(wl_queue_t* q) {
    if (q->jobs) wl_queue_drain(q);
    sl_workload_result_t* r = q->res;
    if (q->lat_count) {
        compact_latencies(q);
        r->latency_count = q->lat_count;
        r->latency_p50_ns = wl_percentile_counted(q->lat, q->lat_used, q->lat_count, 50);
        r->latency_p99_ns = wl_percentile_counted(q->lat, q->lat_used, q->lat_count, 99);
        r->latency_max_ns = q->lat[q->lat_used - 1].ns;
        r->measured_bytes = q->measured_bytes;
        r->measured_ns = (uint64_t)(q->last_done - q->measure_start);
    }
    wl_free(q->lat);
    wl_free(q->jobs);
    q->lat = NULL;
    q->jobs = NULL;
    q->lat_count = q->lat_used = q->lat_cap = 0;
}
