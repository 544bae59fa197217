/* lnic-regs.h: the register map and descriptor format of lnic, a small loopback Ethernet
 * controller with a TX and an RX descriptor ring. The one definition: the driver
 * (driver/lnic), the behavioural model (rtl/lnic/model) and the tests include this file; the
 * Verilog (the .v files of rtl/lnic) includes lnic_regs.vh, which a test checks against it.
 *
 * PCI: vendor 0x1b36, device 0x5d10, class 0x020000 (Ethernet), BAR0 4 KiB of 32-bit
 * registers, MSI (one vector) and INTA.
 *
 * Model of operation. The driver gives the device two rings of 16-byte descriptors in memory.
 * TX: the driver fills descriptors [TX_TAIL, new tail) and writes TX_TAIL (the doorbell). RX:
 * the driver posts empty buffers the same way with RX_TAIL. The device transmits every frame
 * between TX_HEAD and TX_TAIL in order; transmitting is looping the frame back: it is received
 * into the RX buffer at RX_HEAD (the device waits while no RX buffer is posted, RX_HEAD ==
 * RX_TAIL: frames are never dropped). Per frame the device
 *   1. reads the TX descriptor at TX_HEAD, and the RX descriptor at RX_HEAD;
 *   2. reads the frame (len bytes at buf_addr) and writes it to the RX buffer
 *      (at most the RX descriptor's len bytes; a longer frame is cut: STATUS_TRUNCATED);
 *   3. writes back the RX descriptor (len = bytes received, status = DONE [| TRUNCATED]),
 *      advances RX_HEAD, sets ISR.RX_DONE;
 *   4. advances TX_HEAD and sets ISR.TX_DONE (TX descriptors are never written by the
 *      device: the driver learns what was sent from TX_HEAD).
 * The interrupt is (ISR & IMR) != 0: the INTx level, or with MSI one message on each rising
 * edge of that condition. ISR bits are write-1-to-clear.
 *
 * Errors halt the device: ERR_CODE and ERR_ADDR are set, STATUS.HALTED and ISR.ERROR go up,
 * nothing more is transmitted until CTRL.RESET.
 *
 * Indices are in descriptors, 0 .. size-1, and wrap. A ring of `size` entries holds at most
 * size - 1 descriptors owned by the device (TAIL == HEAD means empty). */
#ifndef LNIC_REGS_H_
#define LNIC_REGS_H_

#define LNIC_VENDOR_ID 0x1b36u
#define LNIC_DEVICE_ID 0x5d10u
#define LNIC_CLASS_CODE 0x020000u
#define LNIC_BAR0_SIZE 4096u

/* Registers (byte offsets in BAR0, 32 bits, little-endian). RO = read-only, W1C = write 1 to clear. */
#define LNIC_REG_ID 0x000u         /* RO: LNIC_ID_VALUE */
#define LNIC_REG_VERSION 0x004u    /* RO: LNIC_VERSION_VALUE (major << 16 | minor) */
#define LNIC_REG_CTRL 0x008u       /* RW: LNIC_CTRL_* */
#define LNIC_REG_STATUS 0x00cu     /* RO: LNIC_STATUS_* */
#define LNIC_REG_ISR 0x010u        /* W1C: LNIC_INT_* events */
#define LNIC_REG_IMR 0x014u        /* RW: LNIC_INT_* enabled */
#define LNIC_REG_ERR_CODE 0x018u   /* RO: LNIC_ERR_* of the first error since reset */
#define LNIC_REG_ERR_ADDR_LO 0x020u /* RO: device address involved in the error */
#define LNIC_REG_ERR_ADDR_HI 0x024u
#define LNIC_REG_MAC_LO 0x028u     /* RW: MAC bytes 0..3 (byte 0 in bits 7:0) */
#define LNIC_REG_MAC_HI 0x02cu     /* RW: MAC bytes 4..5 in bits 15:0 */
#define LNIC_REG_TX_BASE_LO 0x030u /* RW: ring base (device address, 16-byte aligned) */
#define LNIC_REG_TX_BASE_HI 0x034u
#define LNIC_REG_TX_SIZE 0x038u    /* RW: descriptors in the ring, a power of two, 2..4096 */
#define LNIC_REG_TX_TAIL 0x03cu    /* RW: doorbell; one past the last descriptor given */
#define LNIC_REG_TX_HEAD 0x040u    /* RO: next descriptor the device will transmit */
#define LNIC_REG_RX_BASE_LO 0x050u
#define LNIC_REG_RX_BASE_HI 0x054u
#define LNIC_REG_RX_SIZE 0x058u
#define LNIC_REG_RX_TAIL 0x05cu    /* RW: one past the last buffer posted */
#define LNIC_REG_RX_HEAD 0x060u    /* RO: next buffer the device will fill */
#define LNIC_REG_TX_FRAMES 0x070u  /* RO: frames transmitted since reset */
#define LNIC_REG_RX_FRAMES 0x074u  /* RO: frames received since reset */
/* Any other offset reads 0 and ignores writes. */

#define LNIC_ID_VALUE 0x4c4e4943u  /* "LNIC" */
#define LNIC_VERSION_VALUE 0x00010000u

/* CTRL. TX_EN/RX_EN: the device only starts a frame when both are set. RESET (self-clearing,
 * reads 0): back to the state after rst_n (rings, indices, ISR, IMR, errors, counters zero; MAC kept). */
#define LNIC_CTRL_TX_EN (1u << 0)
#define LNIC_CTRL_RX_EN (1u << 1)
#define LNIC_CTRL_RESET (1u << 31)

/* STATUS */
#define LNIC_STATUS_LINK_UP (1u << 0) /* always 1 out of reset: the loopback is the link */
#define LNIC_STATUS_BUSY (1u << 1)    /* a frame is in progress */
#define LNIC_STATUS_HALTED (1u << 2)  /* stopped on an error */

/* ISR / IMR */
#define LNIC_INT_TX_DONE (1u << 0)
#define LNIC_INT_RX_DONE (1u << 1)
#define LNIC_INT_ERROR (1u << 2)

/* ERR_CODE (ERR_ADDR: the address of the access that failed, or of the bad descriptor) */
#define LNIC_ERR_NONE 0u
#define LNIC_ERR_TX_DESC_READ 1u   /* reading the TX descriptor failed (IOMMU fault, ...) */
#define LNIC_ERR_RX_DESC_READ 2u
#define LNIC_ERR_TX_DATA_READ 3u   /* reading the frame */
#define LNIC_ERR_RX_DATA_WRITE 4u  /* writing the frame */
#define LNIC_ERR_RX_DESC_WRITE 5u  /* writing back the RX descriptor */
/* 6: reserved */
#define LNIC_ERR_TX_LENGTH 7u      /* TX len 0 or > LNIC_MAX_FRAME (ERR_ADDR: the descriptor) */
#define LNIC_ERR_RING_CONFIG 8u    /* TX_SIZE or RX_SIZE not a power of two in 2..4096, a base
                                    * not 16-byte aligned, or a TAIL >= SIZE (ERR_ADDR: 0) */

#define LNIC_MAX_FRAME 2048u

/* Descriptor: 16 bytes, little-endian, 16-byte aligned, in a ring at *_BASE. */
#define LNIC_DESC_SIZE 16u
#define LNIC_DESC_ADDR 0u   /* u64: buffer device address (any byte alignment) */
#define LNIC_DESC_LEN 8u    /* u16: TX: frame bytes; RX: buffer bytes when posted, bytes received on write-back */
#define LNIC_DESC_FLAGS 10u /* u16: driver's flags, unused by the device (kept on write-back) */
#define LNIC_DESC_STATUS 12u /* u32: written by the device: LNIC_DESC_STATUS_* (driver posts 0) */
#define LNIC_DESC_STATUS_DONE (1u << 0)
#define LNIC_DESC_STATUS_TRUNCATED (1u << 1) /* RX: frame longer than the buffer, cut */

/* RX write-back: the device writes bytes 8..15 of the RX descriptor (len, flags, status) as
 * one 8-byte write; bytes 0..7 are never written by the device, nor is any TX descriptor.
 * Four descriptors share a 64-byte cache line: a driver on a non-coherent platform posts RX
 * buffers a whole line (4 descriptors) at a time, so that it never holds a dirty line over a
 * descriptor the device may write (RX_SIZE is then a multiple of 4). */

#ifndef __ASSEMBLER__
#include <stdint.h>
typedef struct lnic_desc {
    uint64_t addr;
    uint16_t len;
    uint16_t flags;
    uint32_t status;
} lnic_desc_t;
#endif

#endif /* LNIC_REGS_H_ */
