/* Workloads: programs that drive a driver through the protocol its device offers (the DMA
 * transfer protocol, staleline/dmac-protocol.h; the Ethernet MAC protocol, ddk/protocol/ethernet.h;
 * ...) and check every byte they care about. A workload names the protocol it needs; `staleline
 * run` hands it the first device the driver published with that protocol.
 *
 * A workload runs in a simulated thread, creates its buffers with zx_vmo_create, fills and
 * checks them with zx_vmo_write / zx_vmo_read (what the CPU sees, through the cache model),
 * and reports data_ok plus its counts. Adding one: a wl_NAME.c with a run function that
 * submits through wl_queue (wl_queue.h), and one line in registry.c. */
#ifndef SL_WORKLOAD_H
#define SL_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <staleline/dmac-protocol.h>

#include "staleline/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The workload.* configuration keys (model/config/params.def) and the seed. */
typedef struct sl_workload_params {
    uint64_t seed;        /* sim.seed */
    uint64_t transfers;   /* workload.transfers */
    uint64_t min_size;    /* workload.min_size */
    uint64_t max_size;    /* workload.max_size */
    uint32_t queue_depth; /* workload.queue_depth */
    uint64_t block_size;  /* workload.block_size */
    /* ring, sgblock, stream, random (the IOTLB sizing workloads) */
    uint64_t ring_entries;  /* workload.ring_entries */
    uint64_t buffer_size;   /* workload.buffer_size */
    uint64_t rings;         /* workload.rings */
    uint64_t pool_size;     /* workload.pool_size */
    uint64_t window;        /* workload.window */
    uint64_t access_size;   /* workload.access_size */
    uint32_t direction;     /* workload.direction: WL_DIR_* */
    uint32_t gather;        /* workload.gather: accesses per GATHER_SRAM operation (0: none) */
    uint64_t warmup;        /* workload.warmup */
} sl_workload_params_t;

enum { WL_DIR_READ = 0, WL_DIR_WRITE = 1, WL_DIR_MIXED = 2 };

typedef struct sl_workload_result {
    bool data_ok;            /* every checked byte right and every operation ZX_OK */
    uint64_t operations;     /* protocol operations issued */
    uint64_t bytes;          /* bytes those operations moved */
    uint64_t bytes_checked;  /* bytes compared with what they must be (guards included) */
    uint64_t bad_bytes;      /* ... that differed */
    uint64_t failed_ops;     /* operations that did not return ZX_OK */
    zx_status_t first_status;/* first status other than ZX_OK, else ZX_OK */
    char detail[256];        /* the first problem, in words ("" if none) */
    /* Measured phase (operations after workload.warmup; only workloads that measure fill it):
     * per-operation latency from submission to completion, zx_clock_get_monotonic. */
    uint64_t latency_count;  /* operations measured (0: not measured) */
    uint64_t latency_p50_ns, latency_p99_ns, latency_max_ns;
    uint64_t measured_bytes; /* bytes of the measured operations */
    uint64_t measured_ns;    /* first measured submission .. last measured completion */
} sl_workload_result_t;

typedef struct sl_workload {
    const char* name;
    const char* summary;
    uint32_t proto_id; /* the protocol it drives: ZX_PROTOCOL_DMA_XFER, ZX_PROTOCOL_ETHMAC, ... */
    /* Runs in a simulated thread; fills *out (zeroed by the caller). `proto` is the DDK protocol
     * struct ({ops, ctx}, e.g. a dma_xfer_protocol_t) of the device the driver published. */
    void (*run)(const void* proto, const sl_workload_params_t* params, sl_workload_result_t* out);
} sl_workload_t;

size_t sl_workload_count(void);
const sl_workload_t* sl_workload_at(size_t i);
const sl_workload_t* sl_workload_find(const char* name); /* NULL if unknown */
/* The first workload (in table order) that drives protocol proto_id: the default for a driver
 * whose device offers it. NULL if none. */
const sl_workload_t* sl_workload_for_protocol(uint32_t proto_id);

/* Read the parameters from cfg. Returns 0, or -1 with a message in err (naming the key). */
int sl_workload_params_from_config(const sl_config_t* cfg, sl_workload_params_t* out, char* err, size_t errlen);

/* Run a workload: *out zeroed, run, then data_ok settled. */
void sl_workload_run(const sl_workload_t* w, const void* proto, const sl_workload_params_t* params,
                     sl_workload_result_t* out);

#ifdef __cplusplus
}
#endif
#endif
