/* The table of workloads, workload modules, their parameters from the configuration, and
 * the common run. */
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "staleline/modules.h"
#include "workloads.h"

static const sl_workload_t kWorkloads[] = {
    {SL_WORKLOAD_ABI_VERSION, "copy", "COPY between VMOs: 1 byte .. workload.max_size, aligned and unaligned offsets", ZX_PROTOCOL_DMA_XFER, wl_copy_run, "workload.transfers workload.min_size workload.max_size workload.queue_depth"},
    {SL_WORKLOAD_ABI_VERSION, "blockio", "device SRAM as a block device: WRITE_SRAM / READ_SRAM of random block ranges, checked", ZX_PROTOCOL_DMA_XFER, wl_blockio_run, "workload.transfers workload.max_size workload.block_size workload.queue_depth"},
    {SL_WORKLOAD_ABI_VERSION, "fill", "FILL of VMO ranges with 64-bit patterns, any offset and length", ZX_PROTOCOL_DMA_XFER, wl_fill_run, "workload.transfers workload.min_size workload.max_size workload.queue_depth"},
    {SL_WORKLOAD_ABI_VERSION, "ring", "NIC-like rings: workload.rings rings of workload.ring_entries buffers; RX (device writes) / TX (device reads)", ZX_PROTOCOL_DMA_XFER, wl_ring_run, "workload.transfers workload.rings workload.ring_entries workload.buffer_size workload.queue_depth workload.warmup"},
    {SL_WORKLOAD_ABI_VERSION, "sgblock", "block I/O with scatter-gather lists over a buffer pool (workload.pool_size), 512 B .. 1 MiB requests", ZX_PROTOCOL_DMA_XFER, wl_sgblock_run, "workload.transfers workload.min_size workload.max_size workload.pool_size workload.queue_depth workload.warmup"},
    {SL_WORKLOAD_ABI_VERSION, "stream", "streaming COPY of workload.max_size chunks through workload.pool_size buffers", ZX_PROTOCOL_DMA_XFER, wl_stream_run, "workload.transfers workload.max_size workload.pool_size workload.queue_depth workload.warmup"},
    {SL_WORKLOAD_ABI_VERSION, "random", "random workload.access_size DMA reads/writes over a window of workload.window bytes (working-set sweep)", ZX_PROTOCOL_DMA_XFER, wl_random_run, "workload.transfers workload.window workload.access_size workload.direction workload.gather workload.queue_depth workload.warmup"},
    {SL_WORKLOAD_ABI_VERSION, "ethmac-loopback", "Ethernet frames through an ethmac driver over a loopback device: workload.transfers frames of 60..1514 bytes, workload.queue_depth in flight, each back in order and byte-exact", ZX_PROTOCOL_ETHMAC, wl_ethmac_loopback_run, "workload.transfers workload.min_size workload.max_size workload.queue_depth"},
    {SL_WORKLOAD_ABI_VERSION, "block", "a block device through block-impl: the range written, workload.transfers random reads/writes of client VMOs, a flush, all read back; checked against a shadow", ZX_PROTOCOL_BLOCK_IMPL, wl_block_run, "workload.transfers workload.max_size workload.pool_size workload.queue_depth"},
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

static size_t search_path(char (*dirs)[SL_MODULE_DIR_MAX], size_t cap) {
#ifdef SL_WORKLOAD_DIR
    return sl_module_search_path("workloads", "STALELINE_WORKLOAD_PATH", SL_WORKLOAD_DIR, dirs, cap);
#else
    return sl_module_search_path("workloads", "STALELINE_WORKLOAD_PATH", NULL, dirs, cap);
#endif
}

/* dlopen a workload module (kept open: its code runs until the process ends). */
static const sl_workload_t* load_module(const char* path, char* err, size_t errlen) {
    void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, errlen, "%s", dlerror());
        return NULL;
    }
    sl_workload_fn entry = (sl_workload_fn)dlsym(h, SL_WORKLOAD_ENTRY);
    const sl_workload_t* w = entry ? entry() : NULL;
    const char* why = !entry ? "not a workload module (no " SL_WORKLOAD_ENTRY "())"
                      : !w || !w->name || !w->run ? SL_WORKLOAD_ENTRY "() gave no name or run function"
                      : w->abi_version != SL_WORKLOAD_ABI_VERSION ? "built for another workload ABI (rebuild it)"
                                                                  : NULL;
    if (why) {
        snprintf(err, errlen, "%s: %s", path, why);
        dlclose(h);
        return NULL;
    }
    return w;
}

const sl_workload_t* sl_workload_load(const char* name, char* err, size_t errlen) {
    err[0] = 0;
    if (!name || !*name) {
        snprintf(err, errlen, "empty workload name");
        return NULL;
    }
    const size_t len = strlen(name);
    if (strchr(name, '/') || (len > 3 && !strcmp(name + len - 3, ".so"))) {
        if (access(name, R_OK)) {
            snprintf(err, errlen, "no workload module %s", name);
            return NULL;
        }
        return load_module(name, err, errlen);
    }
    const sl_workload_t* w = sl_workload_find(name);
    if (w) return w;
    char dirs[8][SL_MODULE_DIR_MAX];
    size_t n = search_path(dirs, 8);
    size_t used = (size_t)snprintf(err, errlen, "unknown workload '%s' (see --list-workloads; tried", name);
    for (size_t i = 0; i < n; ++i) {
        char path[PATH_MAX + NAME_MAX + 8];
        snprintf(path, sizeof path, "%s/%s.so", dirs[i], name);
        if (!access(path, F_OK)) return load_module(path, err, errlen);
        if (used < errlen) used += (size_t)snprintf(err + used, errlen - used, " %s", path);
    }
    if (used < errlen) snprintf(err + used, errlen - used, ")");
    return NULL;
}

static int by_name(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

void sl_workload_list(FILE* f, const char* (*proto_name)(uint32_t), const char* default_name) {
    for (size_t i = 0; i < sl_workload_count(); ++i) {
        const sl_workload_t* w = sl_workload_at(i);
        fprintf(f, "%-16s %-9s %s%s\n", w->name, proto_name(w->proto_id), w->summary,
                strcmp(w->name, default_name) ? "" : " (default)");
        if (w->params) fprintf(f, "%-26s keys: %s, sim.seed\n", "", w->params);
    }
    char dirs[8][SL_MODULE_DIR_MAX];
    size_t n = search_path(dirs, 8);
    for (size_t d = 0; d < n; ++d) {
        DIR* dir = opendir(dirs[d]);
        if (!dir) continue;
        char* names[256];
        size_t count = 0;
        for (struct dirent* e; (e = readdir(dir)) && count < 256;) {
            size_t len = strlen(e->d_name);
            if (len > 3 && !strcmp(e->d_name + len - 3, ".so")) names[count++] = strdup(e->d_name);
        }
        closedir(dir);
        qsort(names, count, sizeof names[0], by_name); /* the same listing on every host */
        for (size_t i = 0; i < count; ++i) {
            char path[PATH_MAX + NAME_MAX + 8], err[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], names[i]);
            const sl_workload_t* w = load_module(path, err, sizeof err);
            if (w) {
                fprintf(f, "%-16s %-9s %s (module %s)\n", w->name, proto_name(w->proto_id), w->summary ? w->summary : "", path);
                if (w->params) fprintf(f, "%-26s keys: %s, sim.seed\n", "", w->params);
            }
            else fprintf(f, "%-16s (cannot load: %s)\n", names[i], err);
            free(names[i]);
        }
    }
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
