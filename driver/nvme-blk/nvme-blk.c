/* nvme-blk.c: a small NVMe block driver (one namespace, one I/O queue pair) offering the
 * DDK's block-impl protocol, correct on a platform whose caches are not DMA-coherent.
 *
 * Memory the device reads or writes is ordinary cached memory, so every hand-over is a cache
 * operation:
 *   - a submission entry (and a PRP list) is cleaned after it is written, before the tail
 *     doorbell;
 *   - Identify data and the client's buffer of a read are invalidated before the CPU reads
 *     what the device wrote (the CPU never writes them, so the clean-invalidate used here
 *     writes nothing back and works on production kernels too);
 *   - the client's buffer of a write is cleaned before the doorbell, that of a read is cleaned
 *     and invalidated first so no dirty line is written back over the device's data.
 * The completion queues are the exception: the driver polls them, reading the next entry to
 * learn whether the device posted it, while the device may be posting it. No cache operation
 * closes that race (an invalidate can only come before the read, and a line refilled between
 * it and the device's write is read stale), so they live in uncached memory of their own, as
 * coherent DMA memory does on platforms whose caches do not snoop.
 *
 * bind: PCI, BAR0, MSI else the legacy line, bus mastering, the BTI, the queues in one
 * io_buffer, controller reset and enable, Identify controller and namespace 1, Set Features
 * (number of queues), Create I/O CQ and SQ, then the block-impl device. An interrupt thread
 * consumes both completion queues. Operations wait on a list (zircon/listnode.h) while every
 * command slot is in use. release disables the controller before anything is unpinned.
 *
 * NVME_BLK_BUG_SQ_NOT_CLEANED builds the bug variant nvme-blk-bug-sq-not-cleaned: the I/O
 * submission entry is not cleaned before the doorbell. NVME_BLK_CACHED_CQ builds
 * nvme-blk-cached-cq, the design before: completion queues in the cached queue buffer, each
 * entry invalidated right before it is read (the tests of the checker's ordering). NVME_BLK_PROBE_ERRORS builds
 * nvme-blk-probe-errors, which also sends malformed admin commands after bring-up and logs the
 * status of each ("nvme-blk: probe NAME: status 0xSSS"), for the tests of the model;
 * NVME_BLK_FAILED_ASSERT builds nvme-blk-failed-assert, whose ZX_ASSERT fails after bring-up
 * (the test of zircon/assert.h's panic()). */
#include <ddk/binding.h>
#include <ddk/debug.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/io-buffer.h>
#include <ddk/mmio-buffer.h>
#include <ddk/protocol/block.h>
#include <ddk/protocol/pci-lib.h>
#include <ddk/protocol/pci.h>
#include <hw/arch_ops.h>
#include <hw/reg.h>
#include <lib/sync/completion.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/assert.h>
#include <zircon/listnode.h>
#include <zircon/syscalls.h>

#include "nvme-spec.h"

#define ADMIN_ENTRIES 16u
#define IO_ENTRIES 64u
#define SLOTS 16u /* I/O commands in flight at most */
/* Pages of the queue buffer (cached), and of the completion queues' buffer (uncached).
 * nvme-blk-cached-cq keeps the completion queues at pages 1 and 3 of the queue buffer, which
 * stay unused otherwise (one layout for both builds). */
#define PG_ADMIN_SQ 0u
#define PG_IO_SQ 2u
#define PG_IDENTIFY 4u
#define PG_PRP_LISTS 5u /* one PRP list page per slot */
#define PAGES (PG_PRP_LISTS + SLOTS)
#ifdef NVME_BLK_CACHED_CQ
#define PG_ADMIN_CQ 1u
#define PG_IO_CQ 3u
#define CQ_PAGES 0u
#else
#define PG_ADMIN_CQ 0u
#define PG_IO_CQ 1u
#define CQ_PAGES 2u
#endif
#define PRP_PER_PAGE (PAGE_SIZE / 8u)
#define ADMIN_TIMEOUT ZX_SEC(1)

/* What the driver keeps after the client's block_op_t (block_op_size). */
typedef struct blk_op {
    block_op_t op;
    list_node_t node; /* on the pending list while no slot is free */
    block_impl_queue_callback cb;
    void* cookie;
    zx_status_t status; /* set when it is done, until the callback */
} blk_op_t;

typedef struct slot {
    blk_op_t* op; /* NULL: free */
    zx_handle_t pmt;
    uint64_t vmo_off, len; /* bytes of the client VMO */
} slot_t;

typedef struct queue {
    void* base; /* CPU address of entry 0 */
    uint32_t entries, index; /* SQ: tail, CQ: head */
    uint32_t phase;          /* CQ: phase of the next new entry */
    uint32_t db;             /* doorbell offset */
    zx_off_t off;            /* byte offset in the queue buffer */
} queue_t;

typedef struct nvme_blk {
    zx_device_t* zxdev;
    pci_protocol_t pci;
    mmio_buffer_t mmio;
    zx_handle_t bti, irq;
    bool irq_mode_set, irq_thread_started, mmio_mapped;
    thrd_t irq_thread;
    io_buffer_t iob;    /* submission queues, Identify data, PRP lists */
    io_buffer_t cq_iob; /* the completion queues */
    queue_t asq, acq, iosq, iocq;
    mtx_t lock;      /* slots, pending, the I/O queues */
    mtx_t admin_lock; /* one admin command at a time */
    sync_completion_t admin_done;
    nvme_cqe_t admin_cqe;
    slot_t slots[SLOTS];
    list_node_t pending;
    block_info_t info;
    uint32_t max_blocks;
} nvme_blk_t;

/* Register accessors as macros: a finding about an MMIO write names the line that wrote. */
#define rd32(d, off) readl((uint8_t*)(d)->mmio.vaddr + (off))
#define rd64(d, off) readll((uint8_t*)(d)->mmio.vaddr + (off))
#define wr32(d, off, v) writel((v), (uint8_t*)(d)->mmio.vaddr + (off))
#define wr64(d, off, v) writell((v), (uint8_t*)(d)->mmio.vaddr + (off))

static zx_paddr_t page_phys(nvme_blk_t* d, unsigned page) { return d->iob.phys_list[page]; }
static io_buffer_t* cq_buffer(nvme_blk_t* d) {
#ifdef NVME_BLK_CACHED_CQ
    return &d->iob;
#else
    return &d->cq_iob;
#endif
}
static zx_paddr_t cq_page_phys(nvme_blk_t* d, unsigned page) { return cq_buffer(d)->phys_list[page]; }

/* Cache maintenance on [off, off + len) of the queue buffer. */
static void iob_clean(nvme_blk_t* d, zx_off_t off, size_t len) {
    io_buffer_cache_op(&d->iob, ZX_VMO_OP_CACHE_CLEAN, off, len);
}
static void iob_invalidate(nvme_blk_t* d, zx_off_t off, size_t len) {
    io_buffer_cache_op(&d->iob, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, off, len);
}

/* ---- queues ---- */

/* Write cmd at the tail of sq; the caller cleans it and rings the doorbell. Returns the byte
 * offset of the entry in the queue buffer. */
static zx_off_t sq_store(queue_t* sq, const nvme_sqe_t* cmd) {
    nvme_sqe_t* e = (nvme_sqe_t*)sq->base + sq->index;
    *e = *cmd;
    const zx_off_t off = sq->off + (zx_off_t)sq->index * NVME_SQE_SIZE;
    sq->index = (sq->index + 1) % sq->entries;
    return off;
}

/* The next completion of cq into *out, if the device has posted one. */
static bool cq_take(nvme_blk_t* d, queue_t* cq, nvme_cqe_t* out) {
#ifdef NVME_BLK_CACHED_CQ
    iob_invalidate(d, cq->off + (zx_off_t)cq->index * NVME_CQE_SIZE, NVME_CQE_SIZE);
#else
    (void)d; /* uncached: every load reads memory */
#endif
    const nvme_cqe_t* e = (const nvme_cqe_t*)cq->base + cq->index;
    if ((e->status & NVME_CQE_PHASE) != cq->phase) return false;
    hw_rmb(); /* the rest of the entry is read after its phase tag */
    *out = *e;
    if (++cq->index == cq->entries) {
        cq->index = 0;
        cq->phase ^= 1u;
    }
    return true;
}

/* One admin command, waited for: ZX_OK, ZX_ERR_IO (NVMe error status, *cqe has it) or
 * ZX_ERR_TIMED_OUT. */
static zx_status_t admin(nvme_blk_t* d, nvme_sqe_t* cmd, nvme_cqe_t* cqe) {
    mtx_lock(&d->admin_lock);
    sync_completion_reset(&d->admin_done);
    const zx_off_t off = sq_store(&d->asq, cmd);
    iob_clean(d, off, NVME_SQE_SIZE);
    wr32(d, d->asq.db, d->asq.index);
    zx_status_t st = sync_completion_wait(&d->admin_done, ADMIN_TIMEOUT);
    if (st == ZX_OK) {
        if (cqe) *cqe = d->admin_cqe;
        if (NVME_CQE_STATUS(d->admin_cqe.status) != 0) st = ZX_ERR_IO;
    }
    mtx_unlock(&d->admin_lock);
    return st;
}

#ifdef NVME_BLK_PROBE_ERRORS
/* Malformed admin commands; the controller must answer each with an error status and go on. */
static void probe_errors(nvme_blk_t* d) {
    static const struct {
        const char* name;
        nvme_sqe_t cmd;
    } probes[] = {
        {"unknown-opcode", {.opc = 0xc5}},
        {"identify-bad-cns", {.opc = NVME_ADMIN_IDENTIFY, .cdw10 = 0x55}},
        {"identify-bad-nsid", {.opc = NVME_ADMIN_IDENTIFY, .nsid = 9, .cdw10 = NVME_IDENTIFY_NS}},
        {"create-cq-bad-qid", {.opc = NVME_ADMIN_CREATE_IOCQ, .cdw10 = 15u << 16 | 9u, .cdw11 = 1u}},
        {"create-sq-no-cq", {.opc = NVME_ADMIN_CREATE_IOSQ, .cdw10 = 15u << 16 | 2u, .cdw11 = 3u << 16 | 1u}},
        {"create-cq-bad-vector", {.opc = NVME_ADMIN_CREATE_IOCQ, .cdw10 = 15u << 16 | 2u, .cdw11 = 5u << 16 | 3u}},
        {"fused", {.opc = NVME_ADMIN_IDENTIFY, .flags = 1, .cdw10 = NVME_IDENTIFY_CTRL}},
        /* Data to a device address nothing is mapped at: an IOMMU fault, a data transfer error. */
        {"identify-unmapped", {.opc = NVME_ADMIN_IDENTIFY, .prp1 = 0x7f0000000000ull, .cdw10 = NVME_IDENTIFY_CTRL}},
    };
    for (size_t i = 0; i < countof(probes); ++i) {
        nvme_sqe_t c = probes[i].cmd;
        if (!c.prp1) c.prp1 = page_phys(d, PG_IDENTIFY);
        nvme_cqe_t e = {0};
        const zx_status_t st = admin(d, &c, &e);
        zxlogf(INFO, "nvme-blk: probe %s: %s, status 0x%03x\n", probes[i].name, zx_status_get_string(st),
               NVME_CQE_STATUS(e.status));
    }
}
#endif

/* ---- I/O ---- */

static void complete_op(blk_op_t* op, zx_status_t st) { op->cb(op->cookie, st, &op->op); }

/* Start op in slot s (lock held). ZX_OK, or the status to complete it with. */
static zx_status_t start_io(nvme_blk_t* d, unsigned s, blk_op_t* op) {
    slot_t* sl = &d->slots[s];
    const uint32_t cmd = op->op.command & BLOCK_OP_MASK;
    nvme_sqe_t c = {.cid = (uint16_t)s, .nsid = 1};
    if (cmd == BLOCK_OP_FLUSH) {
        c.opc = NVME_NVM_FLUSH;
        sl->len = 0;
    } else {
        const bool read = cmd == BLOCK_OP_READ;
        const uint64_t bs = d->info.block_size;
        sl->vmo_off = op->op.rw.offset_vmo * bs;
        sl->len = (uint64_t)op->op.rw.length * bs;
        const uint64_t first = sl->vmo_off & ~(uint64_t)(PAGE_SIZE - 1);
        const uint64_t in_page = sl->vmo_off - first;
        const uint64_t pages = (in_page + sl->len + PAGE_SIZE - 1) / PAGE_SIZE;
        zx_paddr_t addrs[PRP_PER_PAGE + 1];
        zx_status_t st = zx_bti_pin(d->bti, read ? ZX_BTI_PERM_WRITE : ZX_BTI_PERM_READ, op->op.rw.vmo, first,
                                    pages * PAGE_SIZE, addrs, pages, &sl->pmt);
        if (st != ZX_OK) return st;
        /* The client's bytes reach memory before the device reads them; for a read, no dirty
         * line of the buffer is left to be written back over what the device writes. */
        st = zx_vmo_op_range(op->op.rw.vmo, read ? ZX_VMO_OP_CACHE_CLEAN_INVALIDATE : ZX_VMO_OP_CACHE_CLEAN,
                             sl->vmo_off, sl->len, NULL, 0);
        if (st != ZX_OK) {
            zx_pmt_unpin(sl->pmt);
            return st;
        }
        c.opc = read ? NVME_NVM_READ : NVME_NVM_WRITE;
        c.cdw10 = (uint32_t)op->op.rw.offset_dev;
        c.cdw11 = (uint32_t)(op->op.rw.offset_dev >> 32);
        c.cdw12 = op->op.rw.length - 1u;
        c.prp1 = addrs[0] + in_page;
        if (pages == 2) {
            c.prp2 = addrs[1];
        } else if (pages > 2) {
            const zx_off_t list_off = (zx_off_t)(PG_PRP_LISTS + s) * PAGE_SIZE;
            uint64_t* list = (uint64_t*)((uint8_t*)io_buffer_virt(&d->iob) + list_off);
            for (uint64_t i = 1; i < pages; ++i) list[i - 1] = addrs[i];
            iob_clean(d, list_off, (pages - 1) * 8u);
            c.prp2 = page_phys(d, PG_PRP_LISTS + s);
        }
    }
    sl->op = op;
    const zx_off_t off = sq_store(&d->iosq, &c);
#ifndef NVME_BLK_BUG_SQ_NOT_CLEANED
    iob_clean(d, off, NVME_SQE_SIZE);
#else
    (void)off;
#endif
    wr32(d, d->iosq.db, d->iosq.index);
    return ZX_OK;
}

static int free_slot(nvme_blk_t* d) {
    for (unsigned s = 0; s < SLOTS; ++s)
        if (!d->slots[s].op) return (int)s;
    return -1;
}

/* Start pending operations while slots are free (lock held); those that cannot start go to
 * *failed with their status, for the caller to complete after unlocking. */
static void start_pending(nvme_blk_t* d, list_node_t* failed) {
    int s;
    while (!list_is_empty(&d->pending) && (s = free_slot(d)) >= 0) {
        blk_op_t* op = list_remove_head_type(&d->pending, blk_op_t, node);
        const zx_status_t st = start_io(d, (unsigned)s, op);
        if (st != ZX_OK) {
            op->status = st;
            list_add_tail(failed, &op->node);
        }
    }
}

/* Call the callbacks of the operations on `list` (no lock held: a callback may queue more). */
static void complete_list(list_node_t* list) {
    blk_op_t* op;
    while ((op = list_remove_head_type(list, blk_op_t, node)) != NULL) complete_op(op, op->status);
}

/* Completions of the I/O queue (lock held): their operations move to *done with their status. */
static void reap_io(nvme_blk_t* d, list_node_t* done) {
    nvme_cqe_t e;
    bool any = false;
    while (cq_take(d, &d->iocq, &e)) {
        any = true;
        if (e.cid >= SLOTS || !d->slots[e.cid].op) continue; /* not ours: nothing to complete */
        slot_t* sl = &d->slots[e.cid];
        blk_op_t* op = sl->op;
        const uint32_t cmd = op->op.command & BLOCK_OP_MASK;
        if (cmd != BLOCK_OP_FLUSH) {
            if (cmd == BLOCK_OP_READ) /* what the device wrote, not what the cache held */
                zx_vmo_op_range(op->op.rw.vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, sl->vmo_off, sl->len, NULL, 0);
            zx_pmt_unpin(sl->pmt);
        }
        sl->op = NULL;
        op->status = NVME_CQE_STATUS(e.status) ? ZX_ERR_IO : ZX_OK;
        list_add_tail(done, &op->node);
    }
    if (any) wr32(d, d->iocq.db, d->iocq.index);
}

static int irq_thread(void* arg) {
    nvme_blk_t* d = arg;
    for (;;) {
        const zx_status_t st = zx_interrupt_wait(d->irq, NULL);
        if (st != ZX_OK) break; /* ZX_ERR_CANCELED: release */
        nvme_cqe_t e;
        bool admin_any = false;
        while (cq_take(d, &d->acq, &e)) {
            admin_any = true;
            d->admin_cqe = e;
            sync_completion_signal(&d->admin_done);
        }
        if (admin_any) wr32(d, d->acq.db, d->acq.index);
        list_node_t done, failed;
        list_initialize(&done);
        list_initialize(&failed);
        mtx_lock(&d->lock);
        if (d->iocq.base) reap_io(d, &done);
        start_pending(d, &failed);
        mtx_unlock(&d->lock);
        complete_list(&done);
        complete_list(&failed);
    }
    return 0;
}

/* ---- the block-impl protocol ---- */

static void blk_query(void* ctx, block_info_t* info, size_t* op_size) {
    nvme_blk_t* d = ctx;
    *info = d->info;
    *op_size = sizeof(blk_op_t);
}

static void blk_queue(void* ctx, block_op_t* bop, block_impl_queue_callback cb, void* cookie) {
    nvme_blk_t* d = ctx;
    blk_op_t* op = containerof(bop, blk_op_t, op);
    op->cb = cb;
    op->cookie = cookie;
    const uint32_t cmd = bop->command & BLOCK_OP_MASK;
    if (cmd != BLOCK_OP_READ && cmd != BLOCK_OP_WRITE && cmd != BLOCK_OP_FLUSH) {
        complete_op(op, ZX_ERR_NOT_SUPPORTED);
        return;
    }
    if (cmd != BLOCK_OP_FLUSH) {
        if (bop->rw.length == 0 || bop->rw.length > d->max_blocks) {
            complete_op(op, ZX_ERR_INVALID_ARGS);
            return;
        }
        if (bop->rw.offset_dev >= d->info.block_count || d->info.block_count - bop->rw.offset_dev < bop->rw.length) {
            complete_op(op, ZX_ERR_OUT_OF_RANGE);
            return;
        }
    }
    list_node_t failed;
    list_initialize(&failed);
    mtx_lock(&d->lock);
    list_add_tail(&d->pending, &op->node);
    start_pending(d, &failed);
    mtx_unlock(&d->lock);
    complete_list(&failed);
}

static block_impl_protocol_ops_t blk_ops = {
    .query = blk_query,
    .queue = blk_queue,
};

/* ---- controller bring-up ---- */

static zx_status_t wait_ready(nvme_blk_t* d, bool ready, uint64_t cap) {
    const zx_time_t deadline = zx_deadline_after(ZX_MSEC(500) * (NVME_CAP_TO(cap) ? NVME_CAP_TO(cap) : 1));
    while (((rd32(d, NVME_REG_CSTS) & NVME_CSTS_RDY) != 0) != ready) {
        if (rd32(d, NVME_REG_CSTS) & NVME_CSTS_CFS) return ZX_ERR_IO;
        if (zx_clock_get_monotonic() > deadline) return ZX_ERR_TIMED_OUT;
        zx_nanosleep(zx_deadline_after(ZX_USEC(10)));
    }
    return ZX_OK;
}

static void queue_init(queue_t* q, io_buffer_t* iob, unsigned page, uint32_t entries, uint32_t db, uint32_t phase) {
    q->off = (zx_off_t)page * PAGE_SIZE;
    q->base = (uint8_t*)io_buffer_virt(iob) + q->off;
    q->entries = entries;
    q->index = 0;
    q->phase = phase;
    q->db = db;
}

static zx_status_t controller_init(nvme_blk_t* d) {
    const uint64_t cap = rd64(d, NVME_REG_CAP);
    const uint32_t stride = 4u << NVME_CAP_DSTRD(cap);
    if (NVME_CAP_MPSMIN(cap) != 0 || NVME_CAP_MQES(cap) + 1 < IO_ENTRIES || !(cap & NVME_CAP_CSS_NVM)) {
        zxlogf(ERROR, "nvme-blk: unsupported controller (CAP 0x%016llx)\n", (unsigned long long)cap);
        return ZX_ERR_NOT_SUPPORTED;
    }
    zx_status_t st;
    if (rd32(d, NVME_REG_CC) & NVME_CC_EN) wr32(d, NVME_REG_CC, 0);
    if ((st = wait_ready(d, false, cap)) != ZX_OK) return st;

    /* Every line of the queue buffer leaves the cache: the device writes Identify data (and,
     * in nvme-blk-cached-cq, completions) into memory no dirty line may later be written back
     * over. */
    io_buffer_cache_op(&d->iob, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, PAGES * PAGE_SIZE);
    queue_init(&d->asq, &d->iob, PG_ADMIN_SQ, ADMIN_ENTRIES, NVME_DB_SQ_TAIL(0, stride), 0);
    queue_init(&d->acq, cq_buffer(d), PG_ADMIN_CQ, ADMIN_ENTRIES, NVME_DB_CQ_HEAD(0, stride), 1);
    wr32(d, NVME_REG_AQA, (ADMIN_ENTRIES - 1) << 16 | (ADMIN_ENTRIES - 1));
    wr64(d, NVME_REG_ASQ, page_phys(d, PG_ADMIN_SQ));
    wr64(d, NVME_REG_ACQ, cq_page_phys(d, PG_ADMIN_CQ));
    wr32(d, NVME_REG_CC, NVME_CC_EN | 6u << 16 | 4u << 20); /* 64-byte SQEs, 16-byte CQEs, 4 KiB pages */
    if ((st = wait_ready(d, true, cap)) != ZX_OK) return st;

    if (thrd_create_with_name(&d->irq_thread, irq_thread, d, "nvme-blk-irq") != thrd_success)
        return ZX_ERR_NO_RESOURCES;
    d->irq_thread_started = true;

    const zx_off_t id_off = (zx_off_t)PG_IDENTIFY * PAGE_SIZE;
    const uint8_t* id = (const uint8_t*)io_buffer_virt(&d->iob) + id_off;
    nvme_sqe_t c = {.opc = NVME_ADMIN_IDENTIFY, .prp1 = page_phys(d, PG_IDENTIFY), .cdw10 = NVME_IDENTIFY_CTRL};
    if ((st = admin(d, &c, NULL)) != ZX_OK) return st;
    iob_invalidate(d, id_off, NVME_ID_DATA_SIZE); /* the device wrote it */
    char model[41];
    memcpy(model, id + NVME_IDCTRL_MN, 40);
    model[40] = 0;
    for (int i = 39; i >= 0 && model[i] == ' '; --i) model[i] = 0;
    const uint8_t mdts = id[NVME_IDCTRL_MDTS];
    const uint32_t nn = *(const uint32_t*)(id + NVME_IDCTRL_NN);
    if ((id[NVME_IDCTRL_SQES] & 0xfu) > 6 || (id[NVME_IDCTRL_CQES] & 0xfu) > 4 || nn < 1) {
        zxlogf(ERROR, "nvme-blk: entry sizes or namespaces not supported\n");
        return ZX_ERR_NOT_SUPPORTED;
    }

    c = (nvme_sqe_t){.opc = NVME_ADMIN_IDENTIFY, .nsid = 1, .prp1 = page_phys(d, PG_IDENTIFY), .cdw10 = NVME_IDENTIFY_NS};
    iob_invalidate(d, id_off, NVME_ID_DATA_SIZE);
    if ((st = admin(d, &c, NULL)) != ZX_OK) return st;
    iob_invalidate(d, id_off, NVME_ID_DATA_SIZE);
    const uint64_t nsze = *(const uint64_t*)(id + NVME_IDNS_NSZE);
    const uint32_t lbaf = *(const uint32_t*)(id + NVME_IDNS_LBAF0 + 4u * (id[NVME_IDNS_FLBAS] & 0xfu));
    const uint32_t lbads = (lbaf >> 16) & 0xffu;
    if ((lbaf & 0xffffu) != 0 || lbads < 9 || lbads > 12) {
        zxlogf(ERROR, "nvme-blk: LBA format 0x%08x not supported\n", lbaf);
        return ZX_ERR_NOT_SUPPORTED;
    }
    d->info.block_count = nsze;
    d->info.block_size = 1u << lbads;
    /* The largest transfer: MDTS, a PRP list of one page, 65536 blocks. */
    uint64_t max_bytes = (uint64_t)PRP_PER_PAGE * PAGE_SIZE;
    if (mdts && ((uint64_t)PAGE_SIZE << mdts) < max_bytes) max_bytes = (uint64_t)PAGE_SIZE << mdts;
    d->max_blocks = (uint32_t)(max_bytes / d->info.block_size);
    if (d->max_blocks > 65536u) d->max_blocks = 65536u;
    d->info.max_transfer_size = d->max_blocks * d->info.block_size;

    c = (nvme_sqe_t){.opc = NVME_ADMIN_SET_FEATURES, .cdw10 = NVME_FEAT_NUM_QUEUES, .cdw11 = 0};
    if ((st = admin(d, &c, NULL)) != ZX_OK) return st;
    queue_init(&d->iocq, cq_buffer(d), PG_IO_CQ, IO_ENTRIES, NVME_DB_CQ_HEAD(1, stride), 1);
    c = (nvme_sqe_t){.opc = NVME_ADMIN_CREATE_IOCQ, .prp1 = cq_page_phys(d, PG_IO_CQ),
                     .cdw10 = (IO_ENTRIES - 1) << 16 | 1u, .cdw11 = 1u << 1 | 1u /* IEN, PC */};
    if ((st = admin(d, &c, NULL)) != ZX_OK) return st;
    queue_init(&d->iosq, &d->iob, PG_IO_SQ, IO_ENTRIES, NVME_DB_SQ_TAIL(1, stride), 0);
    c = (nvme_sqe_t){.opc = NVME_ADMIN_CREATE_IOSQ, .prp1 = page_phys(d, PG_IO_SQ),
                     .cdw10 = (IO_ENTRIES - 1) << 16 | 1u, .cdw11 = 1u << 16 | 1u /* CQ 1, PC */};
    if ((st = admin(d, &c, NULL)) != ZX_OK) return st;
    zxlogf(INFO, "nvme-blk: '%s', %llu blocks of %u bytes, %u blocks per transfer\n", model,
           (unsigned long long)d->info.block_count, d->info.block_size, d->max_blocks);
#ifdef NVME_BLK_PROBE_ERRORS
    probe_errors(d);
#endif
#ifdef NVME_BLK_FAILED_ASSERT
    ZX_ASSERT(d->info.block_count == 0); /* nvme-blk-failed-assert: panic() ends the run here */
#endif
    return ZX_OK;
}

/* ---- lifecycle ---- */

static void teardown(nvme_blk_t* d) {
    if (d->mmio_mapped && (rd32(d, NVME_REG_CC) & NVME_CC_EN)) {
        wr32(d, NVME_REG_CC, 0); /* the controller touches no memory of ours after this */
        wait_ready(d, false, rd64(d, NVME_REG_CAP));
    }
    if (d->irq_thread_started) {
        zx_interrupt_destroy(d->irq); /* the thread sees ZX_ERR_CANCELED */
        thrd_join(d->irq_thread, NULL);
    }
    list_node_t gone;
    list_initialize(&gone);
    for (unsigned s = 0; s < SLOTS; ++s) {
        slot_t* sl = &d->slots[s];
        if (!sl->op) continue;
        if ((sl->op->op.command & BLOCK_OP_MASK) != BLOCK_OP_FLUSH) zx_pmt_unpin(sl->pmt);
        list_add_tail(&gone, &sl->op->node);
        sl->op = NULL;
    }
    list_splice_after(&d->pending, gone.prev);
    blk_op_t* op;
    while ((op = list_remove_head_type(&gone, blk_op_t, node)) != NULL) complete_op(op, ZX_ERR_PEER_CLOSED);
    if (d->irq != ZX_HANDLE_INVALID) zx_handle_close(d->irq);
    if (d->irq_mode_set) pci_set_irq_mode(&d->pci, ZX_PCIE_IRQ_MODE_DISABLED, 0);
    io_buffer_release(&d->iob);
    io_buffer_release(&d->cq_iob);
    if (d->bti != ZX_HANDLE_INVALID) zx_handle_close(d->bti);
    if (d->mmio_mapped) {
        pci_enable_bus_master(&d->pci, false);
        mmio_buffer_release(&d->mmio);
    }
    mtx_destroy(&d->admin_lock);
    mtx_destroy(&d->lock);
    free(d);
}

static void blk_unbind(void* ctx) {
    nvme_blk_t* d = ctx;
    device_remove(d->zxdev);
}

static void blk_release(void* ctx) { teardown(ctx); }

static zx_protocol_device_t blk_device_ops = {
    .version = DEVICE_OPS_VERSION,
    .unbind = blk_unbind,
    .release = blk_release,
};

static zx_status_t blk_bind(void* ctx, zx_device_t* parent) {
    nvme_blk_t* d = calloc(1, sizeof *d);
    if (!d) return ZX_ERR_NO_MEMORY;
    d->bti = d->irq = ZX_HANDLE_INVALID;
    list_initialize(&d->pending);
    mtx_init(&d->lock, mtx_plain);
    mtx_init(&d->admin_lock, mtx_plain);
    zx_status_t st = device_get_protocol(parent, ZX_PROTOCOL_PCI, &d->pci);
    if (st != ZX_OK) goto fail;
    if ((st = pci_map_bar_buffer(&d->pci, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, &d->mmio)) != ZX_OK) goto fail;
    d->mmio_mapped = true;
    if (d->mmio.size < NVME_REG_DBS + 16u) {
        st = ZX_ERR_NOT_SUPPORTED;
        goto fail;
    }
    uint32_t n = 0;
    if (pci_query_irq_mode(&d->pci, ZX_PCIE_IRQ_MODE_MSI, &n) == ZX_OK &&
        pci_set_irq_mode(&d->pci, ZX_PCIE_IRQ_MODE_MSI, 1) == ZX_OK) {
        d->irq_mode_set = true;
    } else if ((st = pci_set_irq_mode(&d->pci, ZX_PCIE_IRQ_MODE_LEGACY, 1)) == ZX_OK) {
        d->irq_mode_set = true;
    } else {
        goto fail;
    }
    if ((st = pci_map_interrupt(&d->pci, 0, &d->irq)) != ZX_OK) goto fail;
    if ((st = pci_enable_bus_master(&d->pci, true)) != ZX_OK) goto fail;
    if ((st = pci_get_bti(&d->pci, 0, &d->bti)) != ZX_OK) goto fail;
    if ((st = io_buffer_init(&d->iob, d->bti, PAGES * PAGE_SIZE, IO_BUFFER_RW)) != ZX_OK) goto fail;
    if ((st = io_buffer_physmap(&d->iob)) != ZX_OK) goto fail;
    ZX_ASSERT(d->iob.phys_count == PAGES);
#ifndef NVME_BLK_CACHED_CQ
    if ((st = io_buffer_init(&d->cq_iob, d->bti, CQ_PAGES * PAGE_SIZE, IO_BUFFER_RW | IO_BUFFER_UNCACHED)) != ZX_OK)
        goto fail;
    if ((st = io_buffer_physmap(&d->cq_iob)) != ZX_OK) goto fail;
    ZX_ASSERT(d->cq_iob.phys_count == CQ_PAGES);
#endif
    if ((st = controller_init(d)) != ZX_OK) {
        zxlogf(ERROR, "nvme-blk: controller initialisation failed: %s\n", zx_status_get_string(st));
        goto fail;
    }
    device_add_args_t args = {
        .version = DEVICE_ADD_ARGS_VERSION,
        .name = "nvme-blk",
        .ctx = d,
        .ops = &blk_device_ops,
        .proto_id = ZX_PROTOCOL_BLOCK_IMPL,
        .proto_ops = &blk_ops,
    };
    if ((st = device_add(parent, &args, &d->zxdev)) != ZX_OK) goto fail;
    return ZX_OK;
fail:
    teardown(d);
    return st;
}

static zx_driver_ops_t blk_driver_ops = {
    .version = DRIVER_OPS_VERSION,
    .bind = blk_bind,
};

// clang-format off
ZIRCON_DRIVER_BEGIN(nvme_blk, blk_driver_ops, "staleline", "0.1", 4)
    BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
    BI_ABORT_IF(NE, BIND_PCI_CLASS, 0x01),
    BI_ABORT_IF(NE, BIND_PCI_SUBCLASS, 0x08),
    BI_MATCH_IF(EQ, BIND_PCI_INTERFACE, 0x02),
ZIRCON_DRIVER_END(nvme_blk)
// clang-format on
