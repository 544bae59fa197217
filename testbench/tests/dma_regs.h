/* The DMA engine's register map, descriptor opcodes and error codes (rtl/README.md), as the
 * RTL-level and platform-level tests program it. */
#ifndef DMA_REGS_H
#define DMA_REGS_H

/* registers */
#define R_ID         0x000
#define R_VERSION    0x004
#define R_CTRL       0x008
#define R_STATUS     0x00C
#define R_RING_LO    0x010
#define R_RING_HI    0x014
#define R_RING_SIZE  0x018
#define R_PRODUCER   0x01C
#define R_CONSUMER   0x020
#define R_INT_STATUS 0x024
#define R_INT_MASK   0x028
#define R_ERR_LO     0x030
#define R_ERR_HI     0x034
#define R_SRAM_SIZE  0x038

#define CTRL_ENABLE  0x1u
#define CTRL_SRST    0x2u
#define CTRL_IE      0x4u
#define CTRL_MSI     0x8u

#define ST_BUSY      0x1u
#define ST_HALTED    0x2u
#define ST_MSI_ERR   0x4u
#define ST_IDLE      0x8u
#define ST_CODE(s)   (((s) >> 8) & 0xFFu)
#define ST_RESP(s)   (((s) >> 16) & 0x3u)

/* descriptor opcodes and flags */
#define OP_COPY  1
#define OP_WRITE 2
#define OP_READ  3
#define OP_FILL  4
#define OP_GATHER 5      /* src: element list (16-byte aligned), dst: SRAM offset, length: elements */
#define F_IRQ    1

/* error codes in STATUS and in a descriptor's status word */
#define E_RD_RESP   1
#define E_WR_RESP   2
#define E_FETCH     3
#define E_WRITEBACK 4
#define E_LENGTH    5
#define E_OPCODE    6
#define E_PRODUCER  7
#define E_SRAM      8
#define E_RING      9
#define E_LIST_ALIGN 10  /* GATHER list address not 16-byte aligned */
#define E_ELEM_LEN  11   /* GATHER element of length 0 */
#define E_LIST_RD   12   /* GATHER element list read got SLVERR/DECERR */

/* GATHER element: 16 bytes, little-endian: +0 u64 device address, +8 u32 length (1..65536),
 * +12 u32 reserved */
#define GATHER_ELEM_BYTES 16

/* AXI responses */
#define AXI_SLVERR 2
#define AXI_DECERR 3

#endif
