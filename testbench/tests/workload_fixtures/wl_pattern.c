/* pattern: a workload module written against the public API only (staleline/workload.h,
 * the DMA transfer protocol, the Zircon syscalls), for test_workload_modules. It fills
 * workload.transfers VMO ranges with FILL and checks them through a CPU mapping of the VMO,
 * with plain loads: the module is instrumented like a driver, so those loads go through
 * the cache model. */
#include <stdio.h>
#include <string.h>

#include <staleline/dmac-protocol.h>
#include <staleline/workload.h>
#include <zircon/syscalls.h>

static void run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res) {
    const dma_xfer_protocol_t* dma = proto;
    const uint64_t size = 4 * 4096;
    zx_handle_t vmo;
    if (zx_vmo_create(size, 0, &vmo) != ZX_OK) {
        res->failed_ops++;
        snprintf(res->detail, sizeof res->detail, "zx_vmo_create failed");
        return;
    }
    zx_vaddr_t va = 0;
    if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, size, &va) != ZX_OK) {
        res->failed_ops++;
        zx_handle_close(vmo);
        return;
    }
    const volatile uint8_t* bytes = (const volatile uint8_t*)va;
    uint64_t seed = p->seed;
    for (uint64_t i = 0; i < p->transfers; ++i) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        const uint64_t off = (seed >> 33) % 4096, len = 1 + (seed >> 20) % (size - off - 1);
        const uint64_t pattern = seed ^ 0x5a5a5a5a5a5a5a5aULL;
        dma_xfer_op_t op = {.opcode = DMA_XFER_OP_FILL, .length = len, .dst_vmo = vmo, .dst_offset = off,
                            .pattern = pattern};
        zx_status_t st = dma_xfer_transfer(dma, &op);
        res->operations++;
        if (st != ZX_OK) {
            res->failed_ops++;
            if (res->first_status == ZX_OK) res->first_status = st;
            continue;
        }
        res->bytes += len;
        for (uint64_t k = 0; k < len; ++k) {
            const uint8_t want = (uint8_t)(pattern >> (8 * (k % 8))); /* byte k of the range */
            res->bytes_checked++;
            if (bytes[off + k] != want && res->bad_bytes++ == 0)
                snprintf(res->detail, sizeof res->detail, "fill %llu: byte %llu is 0x%02x, not 0x%02x",
                         (unsigned long long)i, (unsigned long long)(off + k), bytes[off + k], want);
        }
    }
    zx_vmar_unmap(zx_vmar_root_self(), va, size);
    zx_handle_close(vmo);
}

static const sl_workload_t kWorkload = {SL_WORKLOAD_ABI_VERSION, "pattern",
                                        "FILL, then check through a mapping with plain loads (a module)",
                                        ZX_PROTOCOL_DMA_XFER, run};

const sl_workload_t* staleline_workload(void) { return &kWorkload; }
