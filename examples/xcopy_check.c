/* xcopy-check: a workload module. Copies seeded bytes between two VMOs with COPY, at
 * unaligned offsets, and checks every byte of the destination and its neighbours. */
#include <stdio.h>
#include <string.h>

#include <staleline/dmac-protocol.h>
#include <staleline/workload.h>
#include <zircon/syscalls.h>

#define SIZE (64 * 1024)

static uint64_t next(uint64_t* s) { return *s = *s * 6364136223846793005ULL + 1442695040888963407ULL; }

static void run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res) {
    const dma_xfer_protocol_t* dma = proto;
    static uint8_t src_bytes[SIZE], got[SIZE];
    zx_handle_t src, dst;
    if (zx_vmo_create(SIZE, 0, &src) != ZX_OK || zx_vmo_create(SIZE, 0, &dst) != ZX_OK) {
        res->failed_ops++;
        return;
    }
    uint64_t seed = p->seed;
    for (uint64_t i = 0; i < p->transfers; ++i) {
        for (size_t k = 0; k < SIZE; ++k) src_bytes[k] = (uint8_t)(next(&seed) >> 40);
        zx_vmo_write(src, src_bytes, 0, SIZE);
        memset(got, 0xee, SIZE);
        zx_vmo_write(dst, got, 0, SIZE);
        const uint64_t so = next(&seed) % 8192, d_o = next(&seed) % 8192;
        const uint64_t len = 1 + next(&seed) % (p->max_size < SIZE - 8192 ? p->max_size : SIZE - 8192);
        dma_xfer_op_t op = dma_xfer_op_copy(src, so, dst, d_o, len);
        zx_status_t st = dma_xfer_transfer(dma, &op);
        res->operations++;
        if (st != ZX_OK) {
            res->failed_ops++;
            if (res->first_status == ZX_OK) res->first_status = st;
            continue;
        }
        res->bytes += len;
        zx_vmo_read(dst, got, 0, SIZE);
        for (uint64_t k = 0; k < SIZE; ++k) {
            const uint8_t want = k >= d_o && k < d_o + len ? src_bytes[so + (k - d_o)] : 0xee;
            res->bytes_checked++;
            if (got[k] != want && res->bad_bytes++ == 0)
                snprintf(res->detail, sizeof res->detail, "copy %llu: byte %llu is 0x%02x, not 0x%02x",
                         (unsigned long long)i, (unsigned long long)k, got[k], want);
        }
    }
    zx_handle_close(src);
    zx_handle_close(dst);
}

static const sl_workload_t kWorkload = {SL_WORKLOAD_ABI_VERSION, "xcopy-check",
                                        "COPY of seeded bytes at unaligned offsets, every byte checked",
                                        ZX_PROTOCOL_DMA_XFER, run};

const sl_workload_t* staleline_workload(void) { return &kWorkload; }
