/* fuzz_din: Dinero din traces into the trace readers: the cache replay and the IOTLB replay.
 * Input: the first byte picks a cache / IOTLB geometry, the rest is the trace. Each replay must
 * return 0 or -1, and -1 must come with a message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "staleline/staleline.h"

/* Small and odd geometries make evictions and set conflicts frequent. */
static const char* const geometries[][4] = {
    {NULL},
    {"cache.size=1k", "cache.ways=2", "iotlb.entries=4", "cache.policy=fifo"},
    {"cache.size=512", "cache.policy=plru", "iotlb.entries=8", "iotlb.ways=2"},
    {"cache.size=64k", "cache.ways=1", "iotlb.entries=1", "iotlb.policy=random"},
};
#define NGEOM (sizeof geometries / sizeof geometries[0])

static sl_config_t* configs[NGEOM];

static sl_config_t* config_for(unsigned i) {
    if (!configs[i]) {
        configs[i] = sl_config_new();
        for (unsigned k = 0; k < 4 && geometries[i][k]; ++k)
            if (sl_config_set_assignment(configs[i], geometries[i][k]) != 0) {
                fprintf(stderr, "geometry %u: %s\n", i, sl_error());
                abort();
            }
    }
    return configs[i];
}

static void check_rc(int rc, const char* what) {
    if (rc == 0) return;
    if (rc != -1 || sl_error()[0] == '\0') {
        fprintf(stderr, "%s returned %d (%s)\n", what, rc, sl_error());
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0; /* fmemopen refuses an empty buffer */
    sl_config_t* c = config_for(data[0] % NGEOM);
    /* a private copy: fmemopen's "r" mode must not see libFuzzer's const buffer change */
    uint8_t* trace = malloc(size - 1);
    memcpy(trace, data + 1, size - 1);

    FILE* f = fmemopen(trace, size - 1, "r");
    if (!f) abort();
    sl_cache_stats_t cs;
    check_rc(sl_cache_replay_din(c, f, &cs), "sl_cache_replay_din");
    fclose(f);

    f = fmemopen(trace, size - 1, "r");
    if (!f) abort();
    sl_iotlb_replay_stats_t is;
    check_rc(sl_iotlb_replay_din(c, f, &is), "sl_iotlb_replay_din");
    fclose(f);
    free(trace);
    return 0;
}
