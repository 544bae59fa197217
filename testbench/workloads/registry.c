/* The table of workloads, their parameters from the configuration, and the common run. */
#include <stdio.h>
#include <string.h>

#include "workloads.h"

static const sl_workload_t kWorkloads[] = {
    {"copy", "COPY between VMOs: 1 byte .. workload.max_size, aligned and unaligned offsets", ZX_PROTOCOL_DMA_XFER, wl_copy_run},
    {"blockio", "device SRAM as a block device: WRITE_SRAM / READ_SRAM of random block ranges, checked", ZX_PROTOCOL_DMA_XFER, wl_blockio_run},
    {"fill", "FILL of VMO ranges with 64-bit patterns, any offset and length", ZX_PROTOCOL_DMA_XFER, wl_fill_run},
    {"ring", "NIC-like rings: workload.rings rings of workload.ring_entries buffers; RX (device writes) / TX (device reads)", ZX_PROTOCOL_DMA_XFER, wl_ring_run},
    {"sgblock", "block I/O with scatter-gather lists over a buffer pool (workload.pool_size), 512 B .. 1 MiB requests", ZX_PROTOCOL_DMA_XFER, wl_sgblock_run},
    {"stream", "streaming COPY of workload.max_size chunks through workload.pool_size buffers", ZX_PROTOCOL_DMA_XFER, wl_stream_run},
    {"random", "random workload.access_size DMA reads/writes over a window of workload.window bytes (working-set sweep)", ZX_PROTOCOL_DMA_XFER, wl_random_run},
    {"ethmac-loopback", "Ethernet frames through an ethmac driver over a loopback device: workload.transfers frames of 60..1514 bytes, workload.queue_depth in flight, each back in order and byte-exact", ZX_PROTOCOL_ETHMAC, wl_ethmac_loopback_run},
};

size_t sl_workload_count(void) { return sizeof kWorkloads / sizeof kWorkloads[0]; }

const sl_workload_t* sl_workload_at(size_t i) { return i < sl_workload_count() ? &kWorkloads[i] : NULL; }

const sl_workload_t* sl_workload_find(const char* name) {
    for (size_t i = 0; name && i < sl_workload_count(); ++i)
        if (!strcmp(kWorkloads[i].name, name)) return &kWorkloads[i];
    return NULL;
}

int sl_workload_params_from_config(const sl_config_t* cfg, sl_workload_params_t* out, char* err, size_t errlen) {
    long long seed = 0, transfers = 0, depth = 0;
    unsigned long long min_size = 0, max_size = 0, block = 0;
    if (sl_config_get_int(cfg, "sim.seed", &seed) || sl_config_get_int(cfg, "workload.transfers", &transfers) ||
        sl_config_get_int(cfg, "workload.queue_depth", &depth) ||
        sl_config_get_size(cfg, "workload.min_size", &min_size) ||
        sl_config_get_size(cfg, "workload.max_size", &max_size) ||
        sl_config_get_size(cfg, "workload.block_size", &block)) {
        snprintf(err, errlen, "%s", sl_error());
        return -1;
    }
    if (min_size > max_size) {
        snprintf(err, errlen, "workload.min_size (%llu) is larger than workload.max_size (%llu)", min_size, max_size);
        return -1;
    }
    out->seed = (uint64_t)seed;
    out->transfers = (uint64_t)transfers;
    out->queue_depth = (uint32_t)depth;
    out->min_size = min_size;
    out->max_size = max_size;
    out->block_size = block;
    long long ring_entries = 0, rings = 0, warmup = 0, gather = 0;
    unsigned long long buffer_size = 0, pool_size = 0, window = 0, access = 0;
    char dir[16] = "";
    if (sl_config_get_int(cfg, "workload.ring_entries", &ring_entries) ||
        sl_config_get_int(cfg, "workload.rings", &rings) || sl_config_get_int(cfg, "workload.warmup", &warmup) ||
        sl_config_get_int(cfg, "workload.gather", &gather) ||
        sl_config_get_size(cfg, "workload.buffer_size", &buffer_size) ||
        sl_config_get_size(cfg, "workload.pool_size", &pool_size) ||
        sl_config_get_size(cfg, "workload.window", &window) ||
        sl_config_get_size(cfg, "workload.access_size", &access) ||
        sl_config_get(cfg, "workload.direction", dir, sizeof dir)) {
        snprintf(err, errlen, "%s", sl_error());
        return -1;
    }
    if (access > window) {
        snprintf(err, errlen, "workload.access_size (%llu) is larger than workload.window (%llu)", access, window);
        return -1;
    }
    out->ring_entries = (uint64_t)ring_entries;
    out->rings = (uint64_t)rings;
    out->warmup = (uint64_t)warmup;
    out->buffer_size = buffer_size;
    out->pool_size = pool_size;
    out->window = window;
    out->access_size = access;
    out->direction = !strcmp(dir, "write") ? WL_DIR_WRITE : !strcmp(dir, "mixed") ? WL_DIR_MIXED : WL_DIR_READ;
    out->gather = (uint32_t)gather;
    if (gather > 0 && out->direction != WL_DIR_READ) {
        snprintf(err, errlen, "workload.gather=%lld needs workload.direction=read (a gather reads memory)", gather);
        return -1;
    }
    return 0;
}

const sl_workload_t* sl_workload_for_protocol(uint32_t proto_id) {
    for (size_t i = 0; i < sl_workload_count(); ++i)
        if (kWorkloads[i].proto_id == proto_id) return &kWorkloads[i];
    return NULL;
}

void sl_workload_run(const sl_workload_t* w, const void* proto, const sl_workload_params_t* params,
                     sl_workload_result_t* out) {
    memset(out, 0, sizeof *out);
    w->run(proto, params, out);
    out->data_ok = out->bad_bytes == 0 && out->failed_ops == 0 && out->first_status == 0 && out->operations > 0;
    if (out->operations == 0 && !out->detail[0]) snprintf(out->detail, sizeof out->detail, "no operation completed");
}
