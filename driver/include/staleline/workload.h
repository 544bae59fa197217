/* staleline/workload.h: the workload API. A workload is a C program that drives a driver
 * through the protocol its device offers (the DMA transfer protocol, staleline/dmac-protocol.h;
 * the Ethernet MAC protocol, ddk/protocol/ethernet.h; yours) and checks every byte it cares
 * about. The built-in workloads use this API; a workload of your own is a module built with
 * staleline_add_workload() exporting
 *
 *     const sl_workload_t* staleline_workload(void);
 *
 * and `staleline run --workload NAME|PATH.so` loads it (docs/workloads.md). `staleline run`
 * hands it the first device the driver published with the protocol it names (every such
 * device in turn).
 *
 * A workload runs in a simulated thread, creates its buffers with zx_vmo_create, fills and
 * checks them with zx_vmo_write / zx_vmo_read (what the CPU sees, through the cache model),
 * and reports data_ok plus its counts. Bytes inside a driver's buffers are read with
 * memcpy, which a module built by staleline_add_workload() routes through the cache model. */
#ifndef STALELINE_WORKLOAD_H_
#define STALELINE_WORKLOAD_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SL_WORKLOAD_ABI_VERSION 2u
#define SL_WORKLOAD_ENTRY "staleline_workload"

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
    uint32_t abi_version; /* SL_WORKLOAD_ABI_VERSION */
    const char* name;
    const char* summary;
    uint32_t proto_id; /* the protocol it drives: ZX_PROTOCOL_DMA_XFER, ZX_PROTOCOL_ETHMAC, ... */
    /* Runs in a simulated thread; fills *out (zeroed by the caller). `proto` is the DDK protocol
     * struct ({ops, ctx}, e.g. a dma_xfer_protocol_t) of the device the driver published. */
    void (*run)(const void* proto, const sl_workload_params_t* params, sl_workload_result_t* out);
    const char* params; /* the workload.* keys it reads, space-separated, for --list-workloads
                         * (NULL: not said) */
} sl_workload_t;

typedef const sl_workload_t* (*sl_workload_fn)(void);

#ifdef __cplusplus
}
#endif
#endif
