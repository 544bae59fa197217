/* lnic_model.c: behavioural model of lnic, the loopback Ethernet controller of lnic-regs.h,
 * as a device module (staleline/device.h, `--device lnic-model`).
 *
 * It makes the memory accesses the RTL (rtl/lnic/lnic_seq.v) makes, in the same order and
 * the same bursts: per frame the TX descriptor and the RX descriptor (16 bytes each), the
 * frame (bursts of at most 16 8-byte beats that cross no 4 KiB boundary, whole beats read),
 * the frame into the RX buffer (the same bursts, only the bytes received written) and the RX
 * write-back (bytes 8..15 of the descriptor, one 8-byte write). Timing is not the RTL's: a
 * frame takes frame_delay_ns plus its bytes at link_mb_s besides its DMA.
 * Register accesses only change state and schedule work: every DMA happens in a scheduled
 * callback on the device's thread, one frame per callback, so a reset or an interrupt due in
 * between is not held up by a long run of frames. */
#include <staleline/device.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lnic-regs.h"

#define RING_MAX 4096u

typedef struct lnic {
    sl_dev_t* dev;
    uint64_t frame_delay_ns; /* per frame, besides DMA */
    uint64_t link_mb_s;      /* wire speed: bytes per microsecond */

    uint32_t ctrl; /* TX_EN | RX_EN */
    uint32_t isr, imr;
    uint32_t err_code;
    uint64_t err_addr;
    uint32_t mac_lo, mac_hi;
    uint32_t tx_base_lo, tx_base_hi, tx_size, tx_tail, tx_head;
    uint32_t rx_base_lo, rx_base_hi, rx_size, rx_tail, rx_head;
    uint32_t tx_frames, rx_frames;
    bool halted;

    bool in_frame;  /* STATUS.BUSY */
    bool busy;      /* what the platform was last told (sl_dev_set_busy) */
    bool scheduled; /* a work callback is pending or running */
    bool irq;       /* (ISR & IMR) != 0, as last driven */
    uint64_t epoch; /* counts CTRL.RESETs: work of an older epoch is abandoned */
    uint8_t frame[LNIC_MAX_FRAME];
} lnic_t;

static uint16_t le16(const uint8_t* p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint64_t le64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
    return v;
}

static uint64_t tx_base(const lnic_t* s) { return (uint64_t)s->tx_base_hi << 32 | s->tx_base_lo; }
static uint64_t rx_base(const lnic_t* s) { return (uint64_t)s->rx_base_hi << 32 | s->rx_base_lo; }

static bool ring_size_ok(uint32_t n) { return n >= 2 && n <= RING_MAX && (n & (n - 1)) == 0; }

static bool rings_ok(const lnic_t* s) {
    return ring_size_ok(s->tx_size) && ring_size_ok(s->rx_size) && (s->tx_base_lo & 15u) == 0 &&
           (s->rx_base_lo & 15u) == 0 && s->tx_tail < s->tx_size && s->rx_tail < s->rx_size;
}

static bool enabled(const lnic_t* s) {
    const uint32_t both = LNIC_CTRL_TX_EN | LNIC_CTRL_RX_EN;
    return !s->halted && (s->ctrl & both) == both;
}

/* A frame could start: enabled, a frame to send, a buffer to receive it. The ring
 * configuration is checked then (LNIC_ERR_RING_CONFIG), as the RTL does. */
static bool has_work(const lnic_t* s) {
    return enabled(s) && s->tx_head != s->tx_tail && s->rx_head != s->rx_tail;
}

static void send_msi(void* ctx, void* arg) {
    (void)arg;
    lnic_t* s = ctx;
    if (s->irq) sl_dev_msi(s->dev); /* still asserted when the callback runs */
}

/* Drive the interrupt from ISR & IMR. INTx follows the level; with MSI each rising edge is one
 * message, sent at once from the device's thread, else from a callback due now (register
 * callbacks may not do bus transactions). */
static void update_irq(lnic_t* s, bool on_device_thread) {
    const bool level = (s->isr & s->imr) != 0;
    if (level == s->irq) return;
    s->irq = level;
    sl_dev_set_irq(s->dev, level);
    if (!level) return;
    sl_dev_count(s->dev, "interrupts", 1);
    if (!sl_dev_msi_enabled(s->dev)) return;
    if (on_device_thread) sl_dev_msi(s->dev);
    else sl_dev_schedule(s->dev, 0, send_msi, NULL);
}

/* The first error since reset is kept; any error halts. */
static void fail(lnic_t* s, uint32_t code, uint64_t addr) {
    if (s->err_code == LNIC_ERR_NONE) {
        s->err_code = code;
        s->err_addr = addr;
    }
    s->halted = true;
    s->isr |= LNIC_INT_ERROR;
    sl_dev_count(s->dev, "errors", 1);
    update_irq(s, true);
}

/* The RTL's burst rule (lnic_burst.v): the next burst of the range [base, base + total), of
 * which `off` bytes are done, starts at the 8-byte word holding base + off, has at most 16
 * beats, crosses no 4 KiB boundary and does not go past the range. */
typedef struct burst {
    uint64_t addr;  /* 8-byte aligned */
    uint32_t beats; /* 1..16 */
    uint32_t skip;  /* bytes of the first beat before base + off */
    uint32_t bytes; /* range bytes it carries */
} burst_t;

static burst_t next_burst(uint64_t base, uint32_t off, uint32_t total) {
    const uint64_t cur = base + off;
    const uint32_t lo = (uint32_t)(cur & 7u), rem = total - off;
    const uint32_t need = (rem + lo + 7u) >> 3, to4k = 512u - (uint32_t)((cur & 4095u) >> 3);
    const uint32_t lim = need < to4k ? need : to4k;
    burst_t b = {.addr = cur & ~(uint64_t)7u, .beats = lim < 16u ? lim : 16u, .skip = lo};
    const uint32_t room = b.beats * 8u - lo;
    b.bytes = room < rem ? room : rem;
    return b;
}

/* Read len bytes at addr into buf in bursts: whole beats are read, as the RTL does. *bad gets
 * the first range byte of the burst that failed. */
static bool read_range(lnic_t* s, uint64_t addr, uint8_t* buf, uint32_t len, uint64_t* bad) {
    uint8_t beats[16 * 8];
    for (uint32_t off = 0; off < len;) {
        const burst_t b = next_burst(addr, off, len);
        if (sl_dev_dma_read(s->dev, b.addr, beats, b.beats * 8u) != SL_DMA_OK) {
            *bad = addr + off;
            return false;
        }
        memcpy(buf + off, beats + b.skip, b.bytes);
        off += b.bytes;
    }
    return true;
}

/* Write len bytes at addr in bursts; only bytes of the range are written (write strobes). */
static bool write_range(lnic_t* s, uint64_t addr, const uint8_t* buf, uint32_t len, uint64_t* bad) {
    for (uint32_t off = 0; off < len;) {
        const burst_t b = next_burst(addr, off, len);
        if (sl_dev_dma_write(s->dev, addr + off, buf + off, b.bytes) != SL_DMA_OK) {
            *bad = addr + off;
            return false;
        }
        off += b.bytes;
    }
    return true;
}

static void schedule_work(lnic_t* s);

/* One frame, in the RTL's order: TX and RX descriptor reads (both issued), their checks, the
 * frame read, the frame write, the RX write-back, then indices and ISR. Returns early
 * (touching nothing more) when a reset came in while it waited on the bus. */
static void move_frame(lnic_t* s) {
    const uint64_t epoch = s->epoch;
    uint64_t bad = 0;
#define RESET_SINCE() (s->epoch != epoch)

    const uint64_t txd = tx_base(s) + (uint64_t)s->tx_head * LNIC_DESC_SIZE;
    const uint64_t rxd = rx_base(s) + (uint64_t)s->rx_head * LNIC_DESC_SIZE;
    uint8_t td[LNIC_DESC_SIZE], rd[LNIC_DESC_SIZE];
    const bool td_ok = sl_dev_dma_read_for(s->dev, SL_DMA_FOR_DESCRIPTOR, txd, td, sizeof td) == SL_DMA_OK;
    if (RESET_SINCE()) return;
    const bool rd_ok = sl_dev_dma_read_for(s->dev, SL_DMA_FOR_DESCRIPTOR, rxd, rd, sizeof rd) == SL_DMA_OK;
    if (RESET_SINCE()) return;
    const uint64_t tx_addr = le64(td + LNIC_DESC_ADDR);
    const uint32_t len = le16(td + LNIC_DESC_LEN);
    const uint64_t rx_addr = le64(rd + LNIC_DESC_ADDR);
    const uint32_t room = le16(rd + LNIC_DESC_LEN);
    const uint16_t flags = le16(rd + LNIC_DESC_FLAGS);
    if (!td_ok) { fail(s, LNIC_ERR_TX_DESC_READ, txd); return; }
    if (!rd_ok) { fail(s, LNIC_ERR_RX_DESC_READ, rxd); return; }
    if (len == 0 || len > LNIC_MAX_FRAME) { fail(s, LNIC_ERR_TX_LENGTH, txd); return; }

    const bool frame_ok = read_range(s, tx_addr, s->frame, len, &bad);
    if (RESET_SINCE()) return;
    if (!frame_ok) { fail(s, LNIC_ERR_TX_DATA_READ, bad); return; }

    /* On the wire (and back): the per-frame time plus the bytes at link speed. */
    sl_dev_wait_ns(s->dev, s->frame_delay_ns + ((uint64_t)len * 1000u + s->link_mb_s - 1) / s->link_mb_s);
    if (RESET_SINCE()) return;

    const bool truncated = len > room;
    const uint32_t got = truncated ? room : len;
    const bool write_ok = write_range(s, rx_addr, s->frame, got, &bad);
    if (RESET_SINCE()) return;
    if (!write_ok) { fail(s, LNIC_ERR_RX_DATA_WRITE, bad); return; }

    const uint32_t status = LNIC_DESC_STATUS_DONE | (truncated ? LNIC_DESC_STATUS_TRUNCATED : 0u);
    const uint8_t wb[8] = {(uint8_t)got, (uint8_t)(got >> 8), (uint8_t)flags, (uint8_t)(flags >> 8),
                           (uint8_t)status, (uint8_t)(status >> 8), (uint8_t)(status >> 16), (uint8_t)(status >> 24)};
    const bool wb_ok = sl_dev_dma_write_for(s->dev, SL_DMA_FOR_STATUS, rxd + LNIC_DESC_LEN, wb, sizeof wb) == SL_DMA_OK;
    if (RESET_SINCE()) return;
    if (!wb_ok) { fail(s, LNIC_ERR_RX_DESC_WRITE, rxd + LNIC_DESC_LEN); return; }
#undef RESET_SINCE

    s->rx_head = (s->rx_head + 1) & (s->rx_size - 1);
    s->rx_frames++;
    s->tx_head = (s->tx_head + 1) & (s->tx_size - 1);
    s->tx_frames++;
    s->isr |= LNIC_INT_RX_DONE | LNIC_INT_TX_DONE;
    sl_dev_count(s->dev, "tx_frames", 1);
    sl_dev_count(s->dev, "rx_frames", 1);
    sl_dev_count(s->dev, "tx_bytes", len);
    sl_dev_count(s->dev, "rx_bytes", got);
    if (truncated) sl_dev_count(s->dev, "rx_truncated", 1);
    update_irq(s, true);
}

static void work(void* ctx, void* arg) {
    (void)arg;
    lnic_t* s = ctx;
    if (has_work(s)) {
        if (!rings_ok(s)) {
            fail(s, LNIC_ERR_RING_CONFIG, 0);
        } else {
            if (!s->busy) {
                s->busy = true;
                sl_dev_set_busy(s->dev, true);
            }
            s->in_frame = true;
            const uint64_t epoch = s->epoch;
            move_frame(s);
            if (s->epoch == epoch) s->in_frame = false;
        }
    }
    s->scheduled = false;
    if (has_work(s)) {
        schedule_work(s);
    } else if (s->busy) {
        s->busy = false;
        sl_dev_set_busy(s->dev, false);
    }
}

static void schedule_work(lnic_t* s) {
    if (s->scheduled || !has_work(s)) return;
    s->scheduled = true;
    sl_dev_schedule(s->dev, 0, work, NULL);
}

/* CTRL.RESET: the state after rst_n, except the MAC. A frame on the bus is abandoned. */
static void reset(lnic_t* s) {
    const uint32_t mac_lo = s->mac_lo, mac_hi = s->mac_hi;
    s->epoch++;
    s->ctrl = s->isr = s->imr = 0;
    s->err_code = LNIC_ERR_NONE;
    s->err_addr = 0;
    s->tx_base_lo = s->tx_base_hi = s->tx_size = s->tx_tail = s->tx_head = 0;
    s->rx_base_lo = s->rx_base_hi = s->rx_size = s->rx_tail = s->rx_head = 0;
    s->tx_frames = s->rx_frames = 0;
    s->halted = false;
    s->in_frame = false;
    s->mac_lo = mac_lo;
    s->mac_hi = mac_hi;
    update_irq(s, false);
}

static uint32_t reg_read(const lnic_t* s, uint32_t off) {
    switch (off) {
        case LNIC_REG_ID: return LNIC_ID_VALUE;
        case LNIC_REG_VERSION: return LNIC_VERSION_VALUE;
        case LNIC_REG_CTRL: return s->ctrl;
        case LNIC_REG_STATUS:
            return LNIC_STATUS_LINK_UP | (s->in_frame ? LNIC_STATUS_BUSY : 0u) | (s->halted ? LNIC_STATUS_HALTED : 0u);
        case LNIC_REG_ISR: return s->isr;
        case LNIC_REG_IMR: return s->imr;
        case LNIC_REG_ERR_CODE: return s->err_code;
        case LNIC_REG_ERR_ADDR_LO: return (uint32_t)s->err_addr;
        case LNIC_REG_ERR_ADDR_HI: return (uint32_t)(s->err_addr >> 32);
        case LNIC_REG_MAC_LO: return s->mac_lo;
        case LNIC_REG_MAC_HI: return s->mac_hi;
        case LNIC_REG_TX_BASE_LO: return s->tx_base_lo;
        case LNIC_REG_TX_BASE_HI: return s->tx_base_hi;
        case LNIC_REG_TX_SIZE: return s->tx_size;
        case LNIC_REG_TX_TAIL: return s->tx_tail;
        case LNIC_REG_TX_HEAD: return s->tx_head;
        case LNIC_REG_RX_BASE_LO: return s->rx_base_lo;
        case LNIC_REG_RX_BASE_HI: return s->rx_base_hi;
        case LNIC_REG_RX_SIZE: return s->rx_size;
        case LNIC_REG_RX_TAIL: return s->rx_tail;
        case LNIC_REG_RX_HEAD: return s->rx_head;
        case LNIC_REG_TX_FRAMES: return s->tx_frames;
        case LNIC_REG_RX_FRAMES: return s->rx_frames;
        default: return 0;
    }
}

/* A write of the bytes of `mask` (byte lanes, as AXI4-Lite write strobes) of register `off`. */
static void reg_write(lnic_t* s, uint32_t off, uint32_t value, uint32_t mask) {
    const uint32_t v = value & mask;
#define MERGE(reg) ((reg) = ((reg) & ~mask) | v)
    switch (off) {
        case LNIC_REG_CTRL:
            if (v & LNIC_CTRL_RESET) {
                reset(s);
                return;
            }
            s->ctrl = (s->ctrl & ~mask) | (v & (LNIC_CTRL_TX_EN | LNIC_CTRL_RX_EN));
            break;
        case LNIC_REG_ISR:
            s->isr &= ~v;
            update_irq(s, false);
            return;
        case LNIC_REG_IMR:
            s->imr = ((s->imr & ~mask) | v) & (LNIC_INT_TX_DONE | LNIC_INT_RX_DONE | LNIC_INT_ERROR);
            update_irq(s, false);
            return;
        case LNIC_REG_MAC_LO: MERGE(s->mac_lo); return;
        case LNIC_REG_MAC_HI: s->mac_hi = ((s->mac_hi & ~mask) | v) & 0xffffu; return;
        case LNIC_REG_TX_BASE_LO: MERGE(s->tx_base_lo); return;
        case LNIC_REG_TX_BASE_HI: MERGE(s->tx_base_hi); return;
        case LNIC_REG_TX_SIZE: MERGE(s->tx_size); return;
        case LNIC_REG_TX_TAIL: MERGE(s->tx_tail); break;
        case LNIC_REG_RX_BASE_LO: MERGE(s->rx_base_lo); return;
        case LNIC_REG_RX_BASE_HI: MERGE(s->rx_base_hi); return;
        case LNIC_REG_RX_SIZE: MERGE(s->rx_size); return;
        case LNIC_REG_RX_TAIL: MERGE(s->rx_tail); break;
        default: return; /* read-only or unused */
    }
#undef MERGE
    schedule_work(s); /* CTRL, TX_TAIL, RX_TAIL may give the device something to do */
}

static uint64_t lnic_read(void* ctx, unsigned bar, uint64_t offset, unsigned size) {
    const lnic_t* s = ctx;
    if (bar != 0 || offset >= LNIC_BAR0_SIZE) return 0;
    const uint32_t word = (uint32_t)offset & ~3u;
    if (size == 8) return (uint64_t)reg_read(s, word + 4) << 32 | reg_read(s, word);
    const uint64_t v = reg_read(s, word) >> (8 * (offset & 3u));
    return size == 4 ? v : v & ((1ull << (8 * size)) - 1);
}

static void lnic_write(void* ctx, unsigned bar, uint64_t offset, unsigned size, uint64_t value) {
    lnic_t* s = ctx;
    if (bar != 0 || offset >= LNIC_BAR0_SIZE) return;
    const uint32_t word = (uint32_t)offset & ~3u;
    if (size == 8) { /* two 32-bit writes, low word first, like the bridge does for the RTL */
        reg_write(s, word, (uint32_t)value, ~0u);
        reg_write(s, word + 4, (uint32_t)(value >> 32), ~0u);
        return;
    }
    const unsigned shift = 8 * (unsigned)(offset & 3u);
    const uint32_t lanes = size == 4 ? ~0u : ((1u << (8 * size)) - 1) << shift;
    reg_write(s, word, (uint32_t)(value << shift), lanes);
}

static void* lnic_create(sl_dev_t* dev) {
    lnic_t* s = calloc(1, sizeof *s);
    if (!s) {
        sl_dev_fail(dev, "out of memory");
        return NULL;
    }
    s->dev = dev;
    s->frame_delay_ns = sl_dev_param(dev, "frame_delay_ns");
    s->link_mb_s = sl_dev_param(dev, "link_mb_s");
    const uint64_t mac = sl_dev_param(dev, "mac");
    s->mac_lo = (uint32_t)mac;
    s->mac_hi = (uint32_t)(mac >> 32) & 0xffffu;
    return s;
}

static void lnic_destroy(void* ctx) { free(ctx); }

static const sl_dev_ops_t kOps = {
    .create = lnic_create,
    .read = lnic_read,
    .write = lnic_write,
    .destroy = lnic_destroy,
};

static const sl_dev_param_decl_t kParams[] = {
    {"frame_delay_ns", 100, 0, 1000000000ull, "device time per frame besides DMA and wire time (ns)"},
    {"link_mb_s", 1000, 1, 1000000, "loopback wire speed, MB/s (1000: a byte per ns)"},
    {"mac", 0, 0, 0xffffffffffffull,
     "MAC_LO/MAC_HI out of power-on reset: byte 0 in bits 7:0 .. byte 5 in bits 47:40 (0: unprogrammed)"},
    {NULL, 0, 0, 0, NULL},
};

static const sl_device_kind_t kKind = {
    .abi_version = SL_DEVICE_ABI_VERSION,
    .name = "lnic-model",
    .summary = "lnic loopback Ethernet controller, behavioural model (rtl/lnic/lnic-regs.h)",
    .vendor_id = LNIC_VENDOR_ID,
    .device_id = LNIC_DEVICE_ID,
    .class_code = LNIC_CLASS_CODE,
    .revision = 0,
    .bar0_size = LNIC_BAR0_SIZE,
    .msi = true,
    .interrupt_pin = 1,
    .clock_mhz = 0,
    .params = kParams,
    .ops = &kOps,
    .rtl = NULL,
};

/* The module's one exported symbol (modules are built with hidden visibility). */
__attribute__((visibility("default"))) const sl_device_kind_t* staleline_device_kind(void) { return &kKind; }
