/* nvme_model.c: behavioural model of an NVM Express 1.3 controller with one namespace, as a
 * device module (staleline/device.h, `--device nvme`), written from the NVMe base
 * specification.
 *
 * What it implements: CAP/VS/INTMS/INTMC/CC/CSTS/AQA/ASQ/ACQ, the doorbells (stride 4), the
 * admin queue and up to NVME_MODEL_QUEUES - 1 I/O queue pairs; Identify (controller,
 * namespace, active namespace list), Set/Get Features (number of queues), Create/Delete I/O
 * CQ/SQ; Read, Write and Flush with PRP1/PRP2 and PRP lists (chained list pages too);
 * phase-tagged completions; MSI (one vector) or INTx (level, masked by INTMS). Anything else
 * is answered with the NVMe status the specification gives (invalid opcode, invalid field,
 * invalid namespace, LBA out of range, PRP offset invalid, data transfer error, ...). A DMA
 * fault fetching a command or posting a completion is fatal (CSTS.CFS), as on hardware.
 *
 * Register accesses only change state and schedule work: commands are fetched and executed
 * in a scheduled callback on the device's thread, admin queue first, in queue order. The
 * device is busy (sl_dev_set_busy) from a doorbell with work until every queue is drained.
 *
 * The namespace's bytes live in the model, allocated 4 KiB at a time on first write (never
 * written blocks read as zeros): `blocks` (a parameter) bounds it. */
#include <staleline/device.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nvme-spec.h"

#define NVME_MODEL_QUEUES 4u    /* queue pairs, admin included */
#define MQES 1023u              /* CAP.MQES: 1024 entries per queue at most */
#define PAGE 4096u              /* memory page size: CC.MPS 0 only (CAP.MPSMIN = MPSMAX = 0) */
#define CHUNK 4096u             /* namespace storage allocation unit */
#define LBA_SHIFT 9u            /* 512-byte blocks */
#define CQ_FULL_WAIT_NS 1000u   /* a full completion queue is looked at again after this */
#define CQ_FULL_LIMIT 1000000u  /* ... this many times (1 s) before the controller gives up */

typedef struct queue {
    bool valid;
    uint64_t base;  /* device address of entry 0 */
    uint32_t size;  /* entries */
    uint32_t head, tail;
    uint16_t cqid;  /* SQ: its completion queue */
    bool ien;       /* CQ: interrupts enabled */
    uint8_t phase;  /* CQ: phase tag of the entries being posted */
} queue_t;

typedef struct nvme {
    sl_dev_t* dev;
    uint64_t cmd_ns, ready_ns;
    uint32_t mdts;
    uint16_t vid;

    uint64_t cap;
    uint32_t cc, csts, aqa, intms;
    uint64_t asq, acq;
    queue_t sq[NVME_MODEL_QUEUES], cq[NVME_MODEL_QUEUES];
    uint32_t nsqa, ncqa; /* Set Features (number of queues), 0-based */
    bool fatal;          /* CSTS.CFS: nothing more is processed until a reset */

    bool busy, scheduled, irq;
    uint64_t epoch; /* counts resets: work of an older epoch is abandoned */

    uint64_t blocks;
    uint8_t** chunks; /* the namespace, CHUNK bytes each, NULL until written */
    uint64_t nchunks;
    uint8_t* xfer;    /* one command's data, mdts bytes at most */
    uint64_t xfer_max;
} nvme_t;

typedef struct command {
    uint8_t opc, flags;
    uint16_t cid;
    uint32_t nsid;
    uint64_t prp1, prp2;
    uint32_t cdw[16];
} command_t;

static uint16_t le16(const uint8_t* p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t* p) { return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t* p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }
static void put16(uint8_t* p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t* p, uint32_t v) {
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}
static void put64(uint8_t* p, uint64_t v) {
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}
static void put_ascii(uint8_t* p, size_t n, const char* s) {
    memset(p, ' ', n);
    memcpy(p, s, strlen(s) < n ? strlen(s) : n);
}

static bool ready(const nvme_t* s) { return (s->csts & NVME_CSTS_RDY) && !s->fatal; }

/* ---- interrupts ---- */

static bool cq_pending(const queue_t* cq) { return cq->valid && cq->ien && cq->head != cq->tail; }

/* INTx follows "some completion queue with interrupts enabled holds entries the host has not
 * consumed" (unless masked by INTMS). MSI is one message per posted completion (signal()). */
static void update_intx(nvme_t* s) {
    bool level = false;
    for (unsigned i = 0; i < NVME_MODEL_QUEUES; ++i) level = level || cq_pending(&s->cq[i]);
    level = level && !(s->intms & 1u) && !sl_dev_msi_enabled(s->dev);
    if (level == s->irq) return;
    s->irq = level;
    sl_dev_set_irq(s->dev, level);
}

static void signal_cq(nvme_t* s, const queue_t* cq) {
    if (!cq->ien) return;
    sl_dev_count(s->dev, "interrupts", 1);
    if (sl_dev_msi_enabled(s->dev)) sl_dev_msi(s->dev);
    else update_intx(s);
}

static void set_busy(nvme_t* s, bool busy) {
    if (s->busy == busy) return;
    s->busy = busy;
    sl_dev_set_busy(s->dev, busy);
}

static void controller_fatal(nvme_t* s, const char* counter) {
    s->fatal = true;
    s->csts |= NVME_CSTS_CFS;
    sl_dev_count(s->dev, counter, 1);
}

/* ---- the namespace ---- */

static void ns_read(const nvme_t* s, uint64_t off, uint8_t* buf, uint64_t len) {
    while (len) {
        const uint64_t c = off / CHUNK, in = off % CHUNK, n = CHUNK - in < len ? CHUNK - in : len;
        if (s->chunks[c]) memcpy(buf, s->chunks[c] + in, n);
        else memset(buf, 0, n);
        off += n, buf += n, len -= n;
    }
}

/* false when out of host memory. */
static bool ns_write(nvme_t* s, uint64_t off, const uint8_t* buf, uint64_t len) {
    while (len) {
        const uint64_t c = off / CHUNK, in = off % CHUNK, n = CHUNK - in < len ? CHUNK - in : len;
        if (!s->chunks[c] && !(s->chunks[c] = calloc(1, CHUNK))) return false;
        memcpy(s->chunks[c] + in, buf, n);
        off += n, buf += n, len -= n;
    }
    return true;
}

/* ---- data transfer through PRPs ---- */

/* Move len bytes between s->xfer and host memory described by prp1/prp2 (to_host: device
 * writes). Returns the status field (0: success). */
static uint16_t prp_transfer(nvme_t* s, uint64_t prp1, uint64_t prp2, uint64_t len, bool to_host) {
    uint64_t done = 0;
    const uint64_t off1 = prp1 & (PAGE - 1);
    if (off1 & 3u) return NVME_STATUS(0, NVME_SC_PRP_OFFSET_INVALID);
    uint64_t list = 0, list_left = 0; /* next PRP list entry, entries left in its page */
    const uint64_t pages_after_first = len > PAGE - off1 ? (len - (PAGE - off1) + PAGE - 1) / PAGE : 0;
    if (pages_after_first > 1) {
        if (prp2 & 7u) return NVME_STATUS(0, NVME_SC_PRP_OFFSET_INVALID);
        list = prp2;
        list_left = (PAGE - (prp2 & (PAGE - 1))) / 8u;
    }
    uint64_t addr = prp1;
    uint64_t remaining_pages = pages_after_first;
    while (done < len) {
        const uint64_t in_page = addr & (PAGE - 1);
        const uint64_t n = PAGE - in_page < len - done ? PAGE - in_page : len - done;
        const sl_dma_status_t st = to_host ? sl_dev_dma_write(s->dev, addr, s->xfer + done, n)
                                           : sl_dev_dma_read(s->dev, addr, s->xfer + done, n);
        if (st != SL_DMA_OK) {
            sl_dev_count(s->dev, "dma_faults", 1);
            return NVME_STATUS(0, NVME_SC_DATA_TRANSFER_ERROR);
        }
        done += n;
        if (done == len) break;
        /* The next page's address. */
        if (pages_after_first == 1) {
            addr = prp2;
        } else {
            uint8_t e[8];
            if (list_left == 1 && remaining_pages > 1) { /* last slot of a list page: the next list page */
                if (sl_dev_dma_read_for(s->dev, SL_DMA_FOR_DESCRIPTOR, list, e, 8) != SL_DMA_OK) {
                    sl_dev_count(s->dev, "dma_faults", 1);
                    return NVME_STATUS(0, NVME_SC_DATA_TRANSFER_ERROR);
                }
                list = le64(e);
                if (list & (PAGE - 1)) return NVME_STATUS(0, NVME_SC_PRP_OFFSET_INVALID);
                list_left = PAGE / 8u;
            }
            if (sl_dev_dma_read_for(s->dev, SL_DMA_FOR_DESCRIPTOR, list, e, 8) != SL_DMA_OK) {
                sl_dev_count(s->dev, "dma_faults", 1);
                return NVME_STATUS(0, NVME_SC_DATA_TRANSFER_ERROR);
            }
            addr = le64(e);
            list += 8;
            list_left--;
            remaining_pages--;
        }
        if (addr & (PAGE - 1)) return NVME_STATUS(0, NVME_SC_PRP_OFFSET_INVALID);
    }
    return 0;
}

/* ---- admin commands ---- */

static uint16_t identify(nvme_t* s, const command_t* c) {
    const uint8_t cns = (uint8_t)(c->cdw[10] & 0xffu);
    uint8_t* d = s->xfer;
    memset(d, 0, NVME_ID_DATA_SIZE);
    switch (cns) {
    case NVME_IDENTIFY_CTRL:
        put16(d + NVME_IDCTRL_VID, s->vid);
        put16(d + NVME_IDCTRL_SSVID, s->vid);
        put_ascii(d + NVME_IDCTRL_SN, 20, "SL-NVME-0001");
        put_ascii(d + NVME_IDCTRL_MN, 40, "Staleline NVMe model");
        put_ascii(d + NVME_IDCTRL_FR, 8, "1.0");
        d[NVME_IDCTRL_MDTS] = (uint8_t)s->mdts;
        put16(d + NVME_IDCTRL_CNTLID, 1);
        put32(d + NVME_IDCTRL_VER, 0x00010300u);
        d[NVME_IDCTRL_SQES] = 0x66; /* 64-byte entries */
        d[NVME_IDCTRL_CQES] = 0x44; /* 16-byte entries */
        put16(d + NVME_IDCTRL_MAXCMD, (uint16_t)(MQES + 1));
        put32(d + NVME_IDCTRL_NN, 1);
        break;
    case NVME_IDENTIFY_NS:
        if (c->nsid != 1) return NVME_STATUS(0, NVME_SC_INVALID_NAMESPACE);
        put64(d + NVME_IDNS_NSZE, s->blocks);
        put64(d + NVME_IDNS_NCAP, s->blocks);
        put64(d + NVME_IDNS_NUSE, s->blocks);
        d[NVME_IDNS_NLBAF] = 0;
        d[NVME_IDNS_FLBAS] = 0;
        put32(d + NVME_IDNS_LBAF0, LBA_SHIFT << 16);
        break;
    case NVME_IDENTIFY_NS_LIST:
        put32(d, 1);
        break;
    default:
        return NVME_STATUS(0, NVME_SC_INVALID_FIELD);
    }
    return prp_transfer(s, c->prp1, c->prp2, NVME_ID_DATA_SIZE, true);
}

static uint16_t features(nvme_t* s, const command_t* c, bool set, uint32_t* dw0) {
    if ((c->cdw[10] & 0xffu) != NVME_FEAT_NUM_QUEUES) return NVME_STATUS(0, NVME_SC_INVALID_FIELD);
    if (set) {
        const uint32_t nsqr = c->cdw[11] & 0xffffu, ncqr = c->cdw[11] >> 16;
        if (nsqr == 0xffffu || ncqr == 0xffffu) return NVME_STATUS(0, NVME_SC_INVALID_FIELD);
        const uint32_t most = NVME_MODEL_QUEUES - 2; /* I/O queues, 0-based */
        s->nsqa = nsqr < most ? nsqr : most;
        s->ncqa = ncqr < most ? ncqr : most;
    }
    *dw0 = s->ncqa << 16 | s->nsqa;
    return 0;
}

static uint16_t create_cq(nvme_t* s, const command_t* c) {
    const uint32_t qid = c->cdw[10] & 0xffffu, size = (c->cdw[10] >> 16) + 1;
    const bool pc = c->cdw[11] & 1u, ien = (c->cdw[11] >> 1) & 1u;
    const uint32_t iv = c->cdw[11] >> 16;
    if (qid == 0 || qid >= NVME_MODEL_QUEUES || s->cq[qid].valid)
        return NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, NVME_SC_INVALID_QID);
    if (size < 2 || size > MQES + 1) return NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, NVME_SC_INVALID_QSIZE);
    if (iv != 0) return NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, NVME_SC_INVALID_VECTOR);
    if (!pc) return NVME_STATUS(0, NVME_SC_INVALID_FIELD); /* CAP.CQR: contiguous queues only */
    if (c->prp1 & (PAGE - 1)) return NVME_STATUS(0, NVME_SC_PRP_OFFSET_INVALID);
    s->cq[qid] = (queue_t){.valid = true, .base = c->prp1, .size = size, .ien = ien, .phase = 1};
    return 0;
}

static uint16_t create_sq(nvme_t* s, const command_t* c) {
    const uint32_t qid = c->cdw[10] & 0xffffu, size = (c->cdw[10] >> 16) + 1;
    const bool pc = c->cdw[11] & 1u;
    const uint32_t cqid = c->cdw[11] >> 16;
    if (qid == 0 || qid >= NVME_MODEL_QUEUES || s->sq[qid].valid)
        return NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, NVME_SC_INVALID_QID);
    if (size < 2 || size > MQES + 1) return NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, NVME_SC_INVALID_QSIZE);
    if (cqid == 0 || cqid >= NVME_MODEL_QUEUES || !s->cq[cqid].valid)
        return NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, NVME_SC_CQ_INVALID);
    if (!pc) return NVME_STATUS(0, NVME_SC_INVALID_FIELD);
    if (c->prp1 & (PAGE - 1)) return NVME_STATUS(0, NVME_SC_PRP_OFFSET_INVALID);
    s->sq[qid] = (queue_t){.valid = true, .base = c->prp1, .size = size, .cqid = (uint16_t)cqid};
    return 0;
}

static uint16_t delete_queue(nvme_t* s, const command_t* c, bool sq) {
    const uint32_t qid = c->cdw[10] & 0xffffu;
    queue_t* q = sq ? s->sq : s->cq;
    if (qid == 0 || qid >= NVME_MODEL_QUEUES || !q[qid].valid)
        return NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, NVME_SC_INVALID_QID);
    if (!sq)
        for (unsigned i = 1; i < NVME_MODEL_QUEUES; ++i)
            if (s->sq[i].valid && s->sq[i].cqid == qid)
                return NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, NVME_SC_INVALID_QUEUE_DELETION);
    q[qid].valid = false;
    if (!sq) update_intx(s);
    return 0;
}

static uint16_t admin_command(nvme_t* s, const command_t* c, uint32_t* dw0) {
    switch (c->opc) {
    case NVME_ADMIN_IDENTIFY: return identify(s, c);
    case NVME_ADMIN_SET_FEATURES: return features(s, c, true, dw0);
    case NVME_ADMIN_GET_FEATURES: return features(s, c, false, dw0);
    case NVME_ADMIN_CREATE_IOCQ: return create_cq(s, c);
    case NVME_ADMIN_CREATE_IOSQ: return create_sq(s, c);
    case NVME_ADMIN_DELETE_IOSQ: return delete_queue(s, c, true);
    case NVME_ADMIN_DELETE_IOCQ: return delete_queue(s, c, false);
    default: return NVME_STATUS(0, NVME_SC_INVALID_OPCODE);
    }
}

/* ---- NVM commands ---- */

static uint16_t io_command(nvme_t* s, const command_t* c) {
    if (c->opc != NVME_NVM_FLUSH && c->opc != NVME_NVM_READ && c->opc != NVME_NVM_WRITE)
        return NVME_STATUS(0, NVME_SC_INVALID_OPCODE);
    if (c->nsid != 1) return NVME_STATUS(0, NVME_SC_INVALID_NAMESPACE);
    if (c->opc == NVME_NVM_FLUSH) return 0;
    const uint64_t slba = (uint64_t)c->cdw[11] << 32 | c->cdw[10];
    const uint64_t nlb = (c->cdw[12] & 0xffffu) + 1u;
    if (slba >= s->blocks || nlb > s->blocks - slba) return NVME_STATUS(0, NVME_SC_LBA_OUT_OF_RANGE);
    const uint64_t len = nlb << LBA_SHIFT;
    if (len > s->xfer_max) return NVME_STATUS(0, NVME_SC_INVALID_FIELD); /* beyond MDTS */
    const uint64_t off = slba << LBA_SHIFT;
    if (c->opc == NVME_NVM_READ) {
        ns_read(s, off, s->xfer, len);
        const uint16_t st = prp_transfer(s, c->prp1, c->prp2, len, true);
        if (!st) {
            sl_dev_count(s->dev, "blocks_read", nlb);
            sl_dev_count(s->dev, "bytes_read", len);
        }
        return st;
    }
    const uint16_t st = prp_transfer(s, c->prp1, c->prp2, len, false);
    if (st) return st;
    if (!ns_write(s, off, s->xfer, len)) return NVME_STATUS(0, 0x06u); /* internal error */
    sl_dev_count(s->dev, "blocks_written", nlb);
    sl_dev_count(s->dev, "bytes_written", len);
    return 0;
}

/* ---- the command loop ---- */

/* Post a completion to cq; false when the controller failed (or was reset) meanwhile. */
static bool post(nvme_t* s, uint16_t cqid, uint16_t sqid, const command_t* c, uint16_t status, uint32_t dw0) {
    queue_t* cq = &s->cq[cqid];
    const uint64_t epoch = s->epoch;
    for (uint32_t tries = 0; cq->valid && (cq->tail + 1) % cq->size == cq->head; ++tries) {
        if (tries == CQ_FULL_LIMIT) {
            controller_fatal(s, "cq_overflow");
            return false;
        }
        sl_dev_wait_ns(s->dev, CQ_FULL_WAIT_NS); /* the host consumes entries meanwhile */
        if (s->epoch != epoch) return false;
    }
    if (!cq->valid) return true; /* deleted meanwhile: the completion has nowhere to go */
    uint8_t e[NVME_CQE_SIZE];
    put32(e, dw0);
    put32(e + 4, 0);
    put16(e + 8, (uint16_t)s->sq[sqid].head);
    put16(e + 10, sqid);
    put16(e + 12, c->cid);
    put16(e + 14, (uint16_t)(status << 1 | cq->phase));
    if (sl_dev_dma_write_for(s->dev, SL_DMA_FOR_STATUS, cq->base + (uint64_t)cq->tail * NVME_CQE_SIZE, e, sizeof e) !=
        SL_DMA_OK) {
        controller_fatal(s, "dma_faults");
        return false;
    }
    if (s->epoch != epoch) return false;
    if (++cq->tail == cq->size) {
        cq->tail = 0;
        cq->phase ^= 1u;
    }
    signal_cq(s, cq);
    return true;
}

/* Fetch and execute the command at the head of sq `qid`; false to stop the loop. */
static bool execute_one(nvme_t* s, uint16_t qid) {
    queue_t* sq = &s->sq[qid];
    const uint64_t epoch = s->epoch;
    uint8_t e[NVME_SQE_SIZE];
    if (sl_dev_dma_read_for(s->dev, SL_DMA_FOR_DESCRIPTOR, sq->base + (uint64_t)sq->head * NVME_SQE_SIZE, e, sizeof e) !=
        SL_DMA_OK) {
        controller_fatal(s, "dma_faults");
        return false;
    }
    if (s->epoch != epoch) return false;
    sq->head = (sq->head + 1) % sq->size;
    command_t c = {.opc = e[0], .flags = e[1], .cid = le16(e + 2), .nsid = le32(e + 4), .prp1 = le64(e + 24),
                   .prp2 = le64(e + 32)};
    for (unsigned i = 10; i < 16; ++i) c.cdw[i] = le32(e + 4 * i);
    const uint16_t cqid = sq->cqid;
    sl_dev_wait_ns(s->dev, s->cmd_ns);
    if (s->epoch != epoch) return false;
    uint32_t dw0 = 0;
    uint16_t status;
    if (c.flags != 0) status = NVME_STATUS(0, NVME_SC_INVALID_FIELD); /* fused commands, SGLs */
    else if (qid == 0) status = admin_command(s, &c, &dw0);
    else status = io_command(s, &c);
    if (s->epoch != epoch) return false;
    sl_dev_count(s->dev, qid == 0 ? "admin_commands" : "io_commands", 1);
    if (status) sl_dev_count(s->dev, "error_completions", 1);
    return post(s, cqid, qid, &c, status, dw0);
}

/* The next submission queue with a command: the admin queue first, then I/O queues in order. */
static int next_sq(const nvme_t* s) {
    if (!ready(s)) return -1;
    for (unsigned i = 0; i < NVME_MODEL_QUEUES; ++i)
        if (s->sq[i].valid && s->sq[i].head != s->sq[i].tail) return (int)i;
    return -1;
}

static void schedule_work(nvme_t* s);

static void work(void* ctx, void* arg) {
    (void)arg;
    nvme_t* s = ctx;
    const uint64_t epoch = s->epoch;
    int q;
    while ((q = next_sq(s)) >= 0) {
        set_busy(s, true);
        if (!execute_one(s, (uint16_t)q) || s->epoch != epoch) break;
    }
    if (s->epoch != epoch) return; /* a reset took over (and cleared scheduled) */
    s->scheduled = false;
    if (next_sq(s) >= 0) schedule_work(s);
    else set_busy(s, false);
}

static void schedule_work(nvme_t* s) {
    if (s->scheduled || next_sq(s) < 0) return;
    s->scheduled = true;
    set_busy(s, true);
    sl_dev_schedule(s->dev, 0, work, NULL);
}

/* ---- enable, disable ---- */

static void become_ready(void* ctx, void* arg) {
    nvme_t* s = ctx;
    if ((uint64_t)(uintptr_t)arg != s->epoch || !(s->cc & NVME_CC_EN)) return;
    s->csts |= NVME_CSTS_RDY;
    schedule_work(s);
}

/* CC.EN 1 -> 0 (and power-on): queues gone, not ready; work in progress is abandoned. */
static void controller_reset(nvme_t* s) {
    s->epoch++;
    memset(s->sq, 0, sizeof s->sq);
    memset(s->cq, 0, sizeof s->cq);
    s->csts &= ~(NVME_CSTS_RDY | NVME_CSTS_CFS);
    s->fatal = false;
    s->nsqa = s->ncqa = 0;
    s->scheduled = false;
    update_intx(s);
    set_busy(s, false);
}

static void controller_enable(nvme_t* s) {
    const uint32_t asqs = NVME_AQA_ASQS(s->aqa) + 1, acqs = NVME_AQA_ACQS(s->aqa) + 1;
    if (NVME_CC_MPS(s->cc) != 0 || NVME_CC_CSS(s->cc) != 0 || asqs < 2 || acqs < 2 || (s->asq & (PAGE - 1)) ||
        (s->acq & (PAGE - 1))) {
        controller_fatal(s, "bad_enable"); /* the host asked for what CAP does not offer */
        return;
    }
    s->sq[0] = (queue_t){.valid = true, .base = s->asq, .size = asqs, .cqid = 0};
    s->cq[0] = (queue_t){.valid = true, .base = s->acq, .size = acqs, .ien = true, .phase = 1};
    sl_dev_schedule(s->dev, s->ready_ns, become_ready, (void*)(uintptr_t)s->epoch);
}

/* ---- registers ---- */

/* The aligned qword of register space at `off` (doorbells read as 0). */
static uint64_t reg_qword(const nvme_t* s, uint64_t off) {
    switch (off) {
    case 0x00: return s->cap;
    case 0x08: return 0x00010300u | (uint64_t)s->intms << 32;
    case 0x10: return s->intms | (uint64_t)s->cc << 32;
    case 0x18: return (uint64_t)s->csts << 32;
    case 0x20: return (uint64_t)s->aqa << 32;
    case 0x28: return s->asq;
    case 0x30: return s->acq;
    default: return 0;
    }
}

static uint64_t nvme_read(void* ctx, unsigned bar, uint64_t offset, unsigned size) {
    nvme_t* s = ctx;
    (void)bar;
    const uint64_t q = reg_qword(s, offset & ~7ull) >> ((offset & 7u) * 8u);
    return size >= 8 ? q : q & ((1ull << (size * 8u)) - 1u);
}

static void doorbell(nvme_t* s, uint64_t off, uint32_t v) {
    const uint64_t idx = (off - NVME_REG_DBS) / 4u;
    const uint64_t qid = idx / 2u;
    const bool sq = (idx % 2u) == 0;
    queue_t* q = qid < NVME_MODEL_QUEUES ? (sq ? &s->sq[qid] : &s->cq[qid]) : NULL;
    if (!q || !q->valid || v >= q->size || (off & 3u)) {
        sl_dev_count(s->dev, "invalid_doorbells", 1); /* an asynchronous event on hardware */
        return;
    }
    if (sq) {
        q->tail = v;
        schedule_work(s);
    } else {
        q->head = v;
        update_intx(s);
    }
}

static void write_dword(nvme_t* s, uint64_t off, uint32_t v) {
    switch (off) {
    case NVME_REG_INTMS: s->intms |= v; update_intx(s); return;
    case NVME_REG_INTMC: s->intms &= ~v; update_intx(s); return;
    case NVME_REG_CC: {
        const uint32_t old = s->cc;
        s->cc = v;
        if ((old & NVME_CC_EN) && !(v & NVME_CC_EN)) controller_reset(s);
        else if (!(old & NVME_CC_EN) && (v & NVME_CC_EN)) controller_enable(s);
        if (NVME_CC_SHN(v)) s->csts |= NVME_CSTS_SHST_COMPLETE;
        else s->csts &= ~NVME_CSTS_SHST_COMPLETE;
        return;
    }
    case NVME_REG_AQA: s->aqa = v & 0x0fff0fffu; return;
    case NVME_REG_ASQ: s->asq = (s->asq & ~0xffffffffull) | v; return;
    case NVME_REG_ASQ + 4: s->asq = (s->asq & 0xffffffffull) | (uint64_t)v << 32; return;
    case NVME_REG_ACQ: s->acq = (s->acq & ~0xffffffffull) | v; return;
    case NVME_REG_ACQ + 4: s->acq = (s->acq & 0xffffffffull) | (uint64_t)v << 32; return;
    default:
        if (off >= NVME_REG_DBS && off < NVME_BAR0_SIZE) doorbell(s, off, v);
        else sl_dev_count(s->dev, "ignored_writes", 1); /* read-only or reserved */
        return;
    }
}

static void nvme_write(void* ctx, unsigned bar, uint64_t offset, unsigned size, uint64_t value) {
    nvme_t* s = ctx;
    (void)bar;
    if (size == 8) {
        write_dword(s, offset, (uint32_t)value);
        write_dword(s, offset + 4, (uint32_t)(value >> 32));
        return;
    }
    if (size == 4) {
        write_dword(s, offset, (uint32_t)value);
        return;
    }
    /* A byte or word write: merged into its dword (doorbells take it as the new value). */
    const uint64_t dw = offset & ~3ull;
    const unsigned shift = (unsigned)(offset & 3u) * 8u;
    const uint32_t mask = (uint32_t)(((1ull << (size * 8u)) - 1u) << shift);
    const uint32_t old = dw >= NVME_REG_DBS ? 0 : (uint32_t)nvme_read(s, 0, dw, 4);
    write_dword(s, dw, (old & ~mask) | ((uint32_t)value << shift & mask));
}

/* ---- life cycle ---- */

static void* nvme_create(sl_dev_t* dev) {
    nvme_t* s = calloc(1, sizeof *s);
    if (!s) {
        sl_dev_fail(dev, "out of memory");
        return NULL;
    }
    s->dev = dev;
    s->cmd_ns = sl_dev_param(dev, "cmd_ns");
    s->ready_ns = sl_dev_param(dev, "ready_ns");
    s->mdts = (uint32_t)sl_dev_param(dev, "mdts");
    s->vid = (uint16_t)sl_dev_param(dev, "identify_vid");
    s->blocks = sl_dev_param(dev, "blocks");
    s->nchunks = ((s->blocks << LBA_SHIFT) + CHUNK - 1) / CHUNK;
    s->xfer_max = (uint64_t)PAGE << s->mdts;
    s->chunks = calloc(s->nchunks, sizeof *s->chunks);
    s->xfer = malloc(s->xfer_max > NVME_ID_DATA_SIZE ? s->xfer_max : NVME_ID_DATA_SIZE);
    if (!s->chunks || !s->xfer) {
        free(s->chunks);
        free(s->xfer);
        free(s);
        sl_dev_fail(dev, "out of memory for the namespace table");
        return NULL;
    }
    /* MQES, CQR, TO = 10 s, DSTRD = 0 (4-byte doorbells), NVM command set, MPSMIN = MPSMAX = 4 KiB. */
    s->cap = MQES | NVME_CAP_CQR | (20ull << 24) | NVME_CAP_CSS_NVM;
    return s;
}

static void nvme_destroy(void* ctx) {
    nvme_t* s = ctx;
    for (uint64_t i = 0; i < s->nchunks; ++i) free(s->chunks[i]);
    free(s->chunks);
    free(s->xfer);
    free(s);
}

static const sl_dev_ops_t kOps = {
    .create = nvme_create,
    .read = nvme_read,
    .write = nvme_write,
    .destroy = nvme_destroy,
};

static const sl_dev_param_decl_t kParams[] = {
    {"blocks", 2048, 8, 1ull << 24, "namespace size in 512-byte blocks (stored sparsely, 4 KiB at a time)"},
    {"mdts", 5, 1, 8, "Identify MDTS: largest transfer 4 KiB << mdts; longer reads/writes fail Invalid Field"},
    {"cmd_ns", 2000, 0, 1000000000ull, "device time per command besides its DMA (ns)"},
    {"ready_ns", 1000, 0, 1000000000ull, "CC.EN = 1 to CSTS.RDY = 1 (ns)"},
    {"identify_vid", NVME_MODEL_VENDOR_ID, 0, 0xffff, "PCI vendor id reported in Identify Controller"},
    {NULL, 0, 0, 0, NULL},
};

static const sl_device_kind_t kKind = {
    .abi_version = SL_DEVICE_ABI_VERSION,
    .name = "nvme",
    .summary = "NVM Express 1.3 controller, one namespace, behavioural model (devices/nvme)",
    .vendor_id = NVME_MODEL_VENDOR_ID,
    .device_id = NVME_MODEL_DEVICE_ID,
    .class_code = NVME_CLASS_CODE,
    .revision = 1,
    .bar0_size = NVME_BAR0_SIZE,
    .msi = true,
    .interrupt_pin = 1,
    .clock_mhz = 0,
    .params = kParams,
    .ops = &kOps,
    .rtl = NULL,
};

/* The module's one exported symbol (modules are built with hidden visibility). */
__attribute__((visibility("default"))) const sl_device_kind_t* staleline_device_kind(void) { return &kKind; }
