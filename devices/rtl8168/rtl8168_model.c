/* rtl8168_model.c: a behavioural model of the Realtek RTL8168 (RTL8111) Gigabit Ethernet
 * controller as a device module (staleline/device.h, `--device rtl8168`), written from the
 * public register descriptions (rtl8168-regs.h). The subset the Zircon and Linux drivers use:
 *
 *   - registers as a byte-addressed file: any access of 1, 2, 4 or 8 bytes the platform hands
 *     over (sub-dword at any offset) reads and writes exactly its bytes;
 *   - MAC address (IDR0-5), CR with a reset bit that clears itself after reset_ns, TPPOLL.NPQ
 *     walking the TX ring from TNPDS (frames of one or more descriptors, FS..LS), clearing OWN
 *     of each descriptor it is done with; the RX ring from RDSAR, each frame written into the
 *     next descriptor's buffer and the descriptor handed back with OWN clear, FS|LS and the
 *     length (with the 4-byte FCS when rx_fcs=1, as the hardware does);
 *   - IMR/ISR (write 1 to clear), INTx while (ISR & IMR) != 0, one MSI per rising edge;
 *   - TCR with the MAC version bits (RTL8111H by default), PHYSTATUS with the link up at 1 Gb/s
 *     full duplex, the configuration-only registers (9346CR, CONFIG0-5, MAR, RMS, MTPS, C+CR,
 *     interrupt mitigation, PHYAR) stored and read back;
 *   - every transmitted frame the receiver accepts (RCR) loops back to the RX ring; the model can
 *     also receive frames of its own (inject_every, below).
 *
 * Garbage never crashes it: a DMA that fails (an IOMMU fault, bus mastering off) stops the walk
 * with ISR.SYSERR; a ring without EOR stops after ring_max descriptors with ISR.TER; frames
 * longer than the RX buffer or RMS are dropped and counted. Every DMA happens on the device's
 * thread, through the platform (IOMMU, PCI host). */
#include <staleline/device.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtl8168-regs.h"

#define FRAME_MAX 16384u /* longest frame a TX chain may build */
#define INJECT_ETHERTYPE 0x88b6u

typedef struct rtl8168 {
    sl_dev_t* dev;
    uint64_t frame_ns, reset_ns, ring_max, rx_fcs, inject_every;
    uint8_t r[RTL8168_REGS]; /* the register file */
    unsigned tx_idx, rx_idx; /* next descriptor of each ring */
    bool tx_scheduled, busy, irq;
    uint64_t epoch;    /* counts resets: work of an older epoch is abandoned */
    uint64_t tx_count; /* frames sent since creation (for injection) */
    uint64_t injected;
    uint8_t frame[FRAME_MAX + RTL8168_FCS_LEN];
} rtl8168_t;

/* ---- little-endian helpers ---- */
static uint32_t get32(const uint8_t* p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t* p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }
static void put32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}
static uint16_t reg16(const rtl8168_t* s, unsigned off) { return (uint16_t)(s->r[off] | s->r[off + 1] << 8); }

/* Ethernet FCS: CRC-32 (IEEE 802.3), reflected. */
static uint32_t crc32(const uint8_t* p, size_t n) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
    }
    return ~c;
}

/* ---- interrupts ---- */
static void send_msi(void* ctx, void* arg) {
    rtl8168_t* s = ctx;
    (void)arg;
    if (s->irq) sl_dev_msi(s->dev); /* still pending when the callback runs */
}

/* INTx follows (ISR & IMR); with MSI, one message per rising edge. */
static void update_irq(rtl8168_t* s, bool on_device_thread) {
    const bool level = (reg16(s, RTL8168_ISR) & reg16(s, RTL8168_IMR)) != 0;
    if (level == s->irq) return;
    s->irq = level;
    sl_dev_set_irq(s->dev, level);
    if (!level) return;
    sl_dev_count(s->dev, "interrupts", 1);
    if (!sl_dev_msi_enabled(s->dev)) return;
    if (on_device_thread) sl_dev_msi(s->dev);
    else sl_dev_schedule(s->dev, 0, send_msi, NULL);
}

static void raise_isr(rtl8168_t* s, uint16_t bits) {
    const uint16_t isr = reg16(s, RTL8168_ISR) | bits;
    s->r[RTL8168_ISR] = (uint8_t)isr;
    s->r[RTL8168_ISR + 1] = (uint8_t)(isr >> 8);
}

static void set_busy(rtl8168_t* s, bool busy) {
    if (busy == s->busy) return;
    s->busy = busy;
    sl_dev_set_busy(s->dev, busy);
}

/* ---- reset ---- */
static void reset_state(rtl8168_t* s) {
    /* What the reset bit clears; the MAC address, TCR and the rings' addresses survive. */
    s->r[RTL8168_CR] = 0;
    s->r[RTL8168_TPPOLL] = 0;
    memset(&s->r[RTL8168_IMR], 0, 4); /* IMR, ISR */
    s->tx_idx = s->rx_idx = 0;
}

static void reset_done(void* ctx, void* arg) {
    rtl8168_t* s = ctx;
    if ((uint64_t)(uintptr_t)arg != s->epoch) return;
    reset_state(s);
    update_irq(s, true);
    set_busy(s, false);
}

/* ---- receive ---- */
static bool accepted(const rtl8168_t* s, const uint8_t* f, size_t len) {
    const uint8_t rcr = s->r[RTL8168_RCR];
    if (len < 14 || !(s->r[RTL8168_CR] & RTL8168_CR_RE)) return false;
    if (rcr & RTL8168_RCR_AAP) return true;
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (!memcmp(f, bcast, 6)) return (rcr & RTL8168_RCR_AB) != 0;
    if (f[0] & 1) return (rcr & RTL8168_RCR_AM) != 0;
    return (rcr & RTL8168_RCR_APM) && !memcmp(f, &s->r[RTL8168_IDR0], 6);
}

/* Store frame f (len bytes, without FCS) in the next RX descriptor's buffer and hand the
 * descriptor back. False when a DMA failed (SYSERR raised). */
static bool receive(rtl8168_t* s, uint8_t* f, size_t len) {
    if (!accepted(s, f, len)) {
        sl_dev_count(s->dev, "rx_filtered", 1);
        return true;
    }
    const uint64_t ring = get64(&s->r[RTL8168_RDSAR]);
    const uint64_t da = ring + (uint64_t)s->rx_idx * RTL8168_DESC_SIZE;
    uint8_t d[RTL8168_DESC_SIZE];
    if (sl_dev_dma_read_for(s->dev, SL_DMA_FOR_DESCRIPTOR, da, d, sizeof d) != SL_DMA_OK) {
        sl_dev_count(s->dev, "dma_errors", 1);
        raise_isr(s, RTL8168_INT_SYSERR);
        return false;
    }
    const uint32_t opts1 = get32(d);
    if (!(opts1 & RTL8168_DESC_OWN)) {
        sl_dev_count(s->dev, "rx_no_descriptor", 1);
        raise_isr(s, RTL8168_INT_RDU);
        return true;
    }
    size_t n = len;
    if (s->rx_fcs) {
        put32(f + len, crc32(f, len));
        n += RTL8168_FCS_LEN;
    }
    const uint16_t rms = reg16(s, RTL8168_RMS) & 0x3fff;
    if (n > (opts1 & RTL8168_RX_LEN_MASK) || (rms && n > rms)) {
        sl_dev_count(s->dev, "rx_too_long", 1);
        raise_isr(s, RTL8168_INT_RER);
        return true;
    }
    if (sl_dev_dma_write(s->dev, get64(d + 8), f, n) != SL_DMA_OK) {
        sl_dev_count(s->dev, "dma_errors", 1);
        raise_isr(s, RTL8168_INT_SYSERR);
        return false;
    }
    /* Hand it back: OWN clear, EOR kept, one segment, the length. */
    uint8_t wb[8];
    put32(wb, (opts1 & RTL8168_DESC_EOR) | RTL8168_DESC_FS | RTL8168_DESC_LS | (uint32_t)n);
    put32(wb + 4, 0);
    if (sl_dev_dma_write_for(s->dev, SL_DMA_FOR_STATUS, da, wb, sizeof wb) != SL_DMA_OK) {
        sl_dev_count(s->dev, "dma_errors", 1);
        raise_isr(s, RTL8168_INT_SYSERR);
        return false;
    }
    s->rx_idx = opts1 & RTL8168_DESC_EOR ? 0 : s->rx_idx + 1;
    if (s->rx_idx >= s->ring_max) s->rx_idx = 0;
    sl_dev_count(s->dev, "rx_frames", 1);
    raise_isr(s, RTL8168_INT_ROK);
    return true;
}

/* A frame from the wire, in the format the ethmac-loopback workload checks: to our address,
 * from 02:00:00:00:00:01, ethertype INJECT_ETHERTYPE, its number in bytes 14..21 (little
 * endian), then bytes (number * 7 + k) & 0xff at offset k; 60 + number % 200 bytes. */
static size_t injected_frame(const rtl8168_t* s, uint64_t number, uint8_t* f) {
    const size_t len = 60 + (size_t)(number % 200);
    memcpy(f, &s->r[RTL8168_IDR0], 6);
    static const uint8_t src[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}; /* locally administered */
    memcpy(f + 6, src, 6);
    f[12] = INJECT_ETHERTYPE >> 8;
    f[13] = INJECT_ETHERTYPE & 0xff;
    for (int k = 0; k < 8; ++k) f[14 + k] = (uint8_t)(number >> (8 * k));
    for (size_t k = 22; k < len; ++k) f[k] = (uint8_t)(number * 7 + k);
    return len;
}

/* ---- transmit ---- */
static void tx_work(void* ctx, void* arg) {
    rtl8168_t* s = ctx;
    const uint64_t epoch = (uint64_t)(uintptr_t)arg;
    if (epoch != s->epoch) return;
    set_busy(s, true);
    const uint64_t ring = get64(&s->r[RTL8168_TNPDS]);
    size_t len = 0;
    bool ok = true;
    for (uint64_t walked = 0; ok && epoch == s->epoch; ++walked) {
        if (walked >= s->ring_max) { /* no EOR in sight: not a ring */
            sl_dev_count(s->dev, "tx_ring_errors", 1);
            raise_isr(s, RTL8168_INT_TER);
            break;
        }
        const uint64_t da = ring + (uint64_t)s->tx_idx * RTL8168_DESC_SIZE;
        uint8_t d[RTL8168_DESC_SIZE];
        if (sl_dev_dma_read_for(s->dev, SL_DMA_FOR_DESCRIPTOR, da, d, sizeof d) != SL_DMA_OK) {
            ok = false;
            break;
        }
        const uint32_t opts1 = get32(d);
        if (!(opts1 & RTL8168_DESC_OWN)) break; /* the ring is drained */
        const size_t n = opts1 & RTL8168_TX_LEN_MASK;
        if (opts1 & RTL8168_DESC_FS) len = 0;
        if (len + n > FRAME_MAX) {
            sl_dev_count(s->dev, "tx_too_long", 1);
            raise_isr(s, RTL8168_INT_TER);
            len = 0;
        } else if (sl_dev_dma_read(s->dev, get64(d + 8), s->frame + len, n) != SL_DMA_OK) {
            ok = false;
            break;
        } else {
            len += n;
        }
        uint8_t wb[4];
        put32(wb, opts1 & ~RTL8168_DESC_OWN);
        if (sl_dev_dma_write_for(s->dev, SL_DMA_FOR_STATUS, da, wb, sizeof wb) != SL_DMA_OK) {
            ok = false;
            break;
        }
        s->tx_idx = opts1 & RTL8168_DESC_EOR ? 0 : s->tx_idx + 1;
        if (!(opts1 & RTL8168_DESC_LS)) continue;
        /* A whole frame: on the wire, and back into our receiver. */
        sl_dev_wait_ns(s->dev, s->frame_ns + len * 8 / 1000);
        if (epoch != s->epoch) break;
        sl_dev_count(s->dev, "tx_frames", 1);
        raise_isr(s, RTL8168_INT_TOK);
        if (len) ok = receive(s, s->frame, len);
        ++s->tx_count;
        if (ok && s->inject_every && s->tx_count % s->inject_every == 0) {
            len = injected_frame(s, s->injected++, s->frame);
            sl_dev_count(s->dev, "rx_injected", 1);
            ok = receive(s, s->frame, len);
        }
        len = 0;
        update_irq(s, true);
    }
    if (!ok && epoch == s->epoch) {
        sl_dev_count(s->dev, "dma_errors", 1);
        raise_isr(s, RTL8168_INT_SYSERR);
    }
    if (epoch != s->epoch) return;
    s->tx_scheduled = false;
    s->r[RTL8168_TPPOLL] &= (uint8_t)~RTL8168_TPPOLL_NPQ;
    update_irq(s, true);
    set_busy(s, false);
}

/* ---- registers ---- */
static uint64_t rd(void* ctx, unsigned bar, uint64_t off, unsigned size) {
    rtl8168_t* s = ctx;
    if (bar != RTL8168_MMIO_BAR) return ~0ull;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i)
        if (off + i < RTL8168_REGS) v |= (uint64_t)s->r[off + i] << (8 * i);
    sl_dev_count(s->dev, "reg_reads", 1);
    return v;
}

static void write_byte(rtl8168_t* s, unsigned a, uint8_t b) {
    switch (a) {
    case RTL8168_CR:
        s->r[a] = (uint8_t)((s->r[a] & RTL8168_CR_RST) | (b & (RTL8168_CR_RE | RTL8168_CR_TE)));
        if ((b & RTL8168_CR_RST) && !(s->r[a] & RTL8168_CR_RST)) {
            ++s->epoch; /* abandon work in flight */
            s->tx_scheduled = false;
            s->r[a] |= RTL8168_CR_RST;
            sl_dev_schedule(s->dev, s->reset_ns, reset_done, (void*)(uintptr_t)s->epoch);
        }
        break;
    case RTL8168_TPPOLL:
        if ((b & RTL8168_TPPOLL_NPQ) && (s->r[RTL8168_CR] & RTL8168_CR_TE)) {
            s->r[a] |= RTL8168_TPPOLL_NPQ;
            if (!s->tx_scheduled) {
                s->tx_scheduled = true;
                sl_dev_schedule(s->dev, 0, tx_work, (void*)(uintptr_t)s->epoch);
            }
        } else if (b & RTL8168_TPPOLL_NPQ) {
            sl_dev_count(s->dev, "tx_poll_disabled", 1);
        }
        break;
    case RTL8168_ISR:
    case RTL8168_ISR + 1: s->r[a] &= (uint8_t)~b; break; /* write 1 to clear */
    case RTL8168_PHYSTATUS: break;                       /* read only */
    case RTL8168_TCR + 2:
        s->r[a] = (uint8_t)((s->r[a] & 0xf0) | (b & 0x0f)); /* 23:20 version */
        break;
    case RTL8168_TCR + 3:
        s->r[a] = (uint8_t)((s->r[a] & 0x7c) | (b & 0x83)); /* 30:26 version */
        break;
    default: s->r[a] = b; break; /* storage: configuration, addresses, masks */
    }
}

static void wr(void* ctx, unsigned bar, uint64_t off, unsigned size, uint64_t v) {
    rtl8168_t* s = ctx;
    if (bar != RTL8168_MMIO_BAR) return;
    sl_dev_count(s->dev, "reg_writes", 1);
    for (unsigned i = 0; i < size; ++i) {
        if (off + i >= RTL8168_REGS) {
            sl_dev_count(s->dev, "writes_outside_registers", 1);
            continue;
        }
        write_byte(s, (unsigned)(off + i), (uint8_t)(v >> (8 * i)));
    }
    update_irq(s, false);
}

/* ---- lifecycle ---- */
static void* create(sl_dev_t* dev) {
    rtl8168_t* s = calloc(1, sizeof *s);
    if (!s) {
        sl_dev_fail(dev, "out of memory");
        return NULL;
    }
    s->dev = dev;
    s->frame_ns = sl_dev_param(dev, "frame_ns");
    s->reset_ns = sl_dev_param(dev, "reset_ns");
    s->ring_max = sl_dev_param(dev, "ring_max");
    s->rx_fcs = sl_dev_param(dev, "rx_fcs");
    s->inject_every = sl_dev_param(dev, "inject_every");
    const uint64_t mac = sl_dev_param(dev, "mac");
    if (mac >> 40 & 1) {
        sl_dev_fail(dev, "mac is a multicast address (bit 0 of the first byte set)");
        free(s);
        return NULL;
    }
    for (int i = 0; i < 6; ++i) s->r[RTL8168_IDR0 + i] = (uint8_t)(mac >> (8 * (5 - i)));
    put32(&s->r[RTL8168_TCR], (uint32_t)sl_dev_param(dev, "tcr_version") & RTL8168_TCR_VERSION_MASK);
    s->r[RTL8168_PHYSTATUS] = RTL8168_PHY_LINK | RTL8168_PHY_FULLDUP | RTL8168_PHY_1000MF;
    return s;
}

static void destroy(void* ctx) { free(ctx); }

static const sl_dev_ops_t kOps = {create, rd, wr, destroy};

static const sl_dev_param_decl_t kParams[] = {
    {"frame_ns", 200, 0, 1000000, "time per frame on the wire besides its bytes at 1 Gb/s, ns"},
    {"reset_ns", 1000, 1, 100000000, "how long CR.RST reads 1 after it is set, ns"},
    {"ring_max", 1024, 1, 65536, "descriptors walked without EOR before the ring counts as broken"},
    {"rx_fcs", 1, 0, 1, "1: RX lengths include the 4-byte FCS, which is written after the frame (hardware); 0: not"},
    {"inject_every", 0, 0, 1000000, "after every N-th frame sent, receive one frame from the wire (0: never)"},
    {"mac", 0x00e04c681680ull, 0, 0xffffffffffffull, "MAC address, first byte most significant"},
    {"tcr_version", RTL8168_TCR_VERSION_8111H, 0, 0xffffffffull, "TCR bits 30:26 and 23:20, the MAC version"},
    {NULL, 0, 0, 0, NULL},
};

static const sl_device_kind_t kKind = {
    .abi_version = SL_DEVICE_ABI_VERSION,
    .name = "rtl8168",
    .summary = "Realtek RTL8168/8111 Gigabit Ethernet, behavioural (devices/rtl8168)",
    .vendor_id = RTL8168_VENDOR_ID,
    .device_id = RTL8168_DEVICE_ID,
    .class_code = 0x020000, /* network, Ethernet */
    .revision = 0x15,
    .bar0_size = 0, /* the BARs are below */
    .msi = true,
    .interrupt_pin = 1,
    .params = kParams,
    .ops = &kOps,
    .bars = {[RTL8168_IO_BAR] = {SL_BAR_IO, RTL8168_IO_SIZE}, [RTL8168_MMIO_BAR] = {SL_BAR_MEM64, RTL8168_MMIO_SIZE}},
};

__attribute__((visibility("default"))) const sl_device_kind_t* staleline_device_kind(void) { return &kKind; }
