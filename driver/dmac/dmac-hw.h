/* dmac-hw.h: the programming interface of the DMA engine (rtl/dma_engine.v): registers in
 * BAR0, the descriptor format, status and error codes. The one definition: the driver, the
 * RTL and platform tests and the benches include it, and the Verilog's rtl/dma_regs.vh is
 * checked against it (CTest dma_regs_agree). */
#ifndef DMAC_HW_H_
#define DMAC_HW_H_

#include <stdint.h>

/* C and C++ (the benches include this header too). */
#ifdef __cplusplus
#define DMAC_STATIC_ASSERT static_assert
#else
#define DMAC_STATIC_ASSERT _Static_assert
#endif

/* PCI identity (bridge/ puts the engine in slot 0 with these ids). */
#define DMAC_PCI_VID 0x1b36
#define DMAC_PCI_DID 0x5d00

/* Registers: 32-bit, byte offsets in BAR0. */
#define DMAC_REG_ID 0x000        /* "DMA1" */
#define DMAC_REG_VERSION 0x004   /* major[31:16] minor[15:8] patch[7:0] */
#define DMAC_REG_CTRL 0x008
#define DMAC_REG_STATUS 0x00c
#define DMAC_REG_RING_LO 0x010   /* ring base, device address, 32-byte aligned */
#define DMAC_REG_RING_HI 0x014
#define DMAC_REG_RING_SIZE 0x018 /* descriptors, 1..65536 */
#define DMAC_REG_PRODUCER 0x01c  /* next slot software fills (doorbell) */
#define DMAC_REG_CONSUMER 0x020  /* next slot the engine runs */
#define DMAC_REG_INT_STATUS 0x024 /* write 1 to clear */
#define DMAC_REG_INT_MASK 0x028
#define DMAC_REG_ERR_LO 0x030
#define DMAC_REG_ERR_HI 0x034
#define DMAC_REG_SRAM_SIZE 0x038
#define DMAC_REG_SPAN 0x040      /* bytes of BAR0 the driver uses */

#define DMAC_ID_VALUE 0x444d4131u /* "DMA1" */
#define DMAC_VERSION_MAJOR(v) ((v) >> 16)
#define DMAC_VERSION_MINOR(v) (((v) >> 8) & 0xffu)
#define DMAC_SUPPORTED_MAJOR 1u
#define DMAC_GATHER_MINOR 1u /* GATHER appeared in 1.1.0 */

#define DMAC_CTRL_ENABLE (1u << 0)
#define DMAC_CTRL_SRST (1u << 1)   /* write: soft reset; read: reset still draining */
#define DMAC_CTRL_IE (1u << 2)
#define DMAC_CTRL_MSI (1u << 3)    /* interrupt by MSI (when enabled in config space) */

#define DMAC_STATUS_BUSY (1u << 0)
#define DMAC_STATUS_HALTED (1u << 1)
#define DMAC_STATUS_MSI_ERR (1u << 2)
#define DMAC_STATUS_IDLE (1u << 3)
#define DMAC_STATUS_CODE(s) (((s) >> 8) & 0xffu)
#define DMAC_STATUS_RESP(s) (((s) >> 16) & 0x3u)

#define DMAC_INT_DONE (1u << 0)
#define DMAC_INT_ERR (1u << 1)

/* Descriptor: 32 bytes, little endian, in a ring of RING_SIZE slots. The engine reads the
 * first 24 bytes and writes status and CRC back at +24 in one 8-byte write. */
typedef struct dmac_desc {
  uint64_t src;    /* device address, SRAM offset (READ) or fill pattern (FILL) */
  uint64_t dst;    /* device address or SRAM offset (WRITE) */
  uint32_t len;    /* bytes, >= 1 */
  uint8_t op;      /* DMAC_OP_* */
  uint8_t flags;   /* DMAC_DESC_IRQ */
  uint16_t reserved;
  uint32_t status; /* written by the engine */
  uint32_t crc;    /* written by the engine: CRC-32/IEEE of the bytes moved */
} dmac_desc_t;

DMAC_STATIC_ASSERT(sizeof(dmac_desc_t) == 32, "descriptor layout");

#define DMAC_DESC_SIZE 32u
#define DMAC_DESC_STATUS_OFFSET 24u

#define DMAC_OP_COPY 1u  /* memory -> memory */
#define DMAC_OP_WRITE 2u /* memory -> SRAM */
#define DMAC_OP_READ 3u  /* SRAM -> memory */
#define DMAC_OP_FILL 4u  /* pattern -> memory; byte i = pattern >> 8 * (i % 8) */
#define DMAC_OP_GATHER 5u /* element list -> SRAM: src = list (16-byte aligned), len = elements */

/* GATHER list element: 16 bytes, little endian. */
typedef struct dmac_gather_elem {
  uint64_t addr; /* device address, any alignment */
  uint32_t len;  /* bytes, 1 .. DMAC_GATHER_ELEM_MAX */
  uint32_t reserved;
} dmac_gather_elem_t;

DMAC_STATIC_ASSERT(sizeof(dmac_gather_elem_t) == 16, "gather element layout");

#define DMAC_GATHER_ELEM_SIZE 16u
#define DMAC_GATHER_ELEM_MAX 65536u

#define DMAC_DESC_IRQ (1u << 0) /* raise INT_STATUS.DONE when this descriptor completes */

#define DMAC_DS_DONE (1u << 0)
#define DMAC_DS_ERROR (1u << 1)
#define DMAC_DS_CODE(s) (((s) >> 8) & 0xffu)

/* Error codes (STATUS.CODE, descriptor status code). */
#define DMAC_E_RD_RESP 1u   /* source read got SLVERR/DECERR */
#define DMAC_E_WR_RESP 2u   /* destination write got SLVERR/DECERR */
#define DMAC_E_FETCH 3u     /* descriptor fetch failed */
#define DMAC_E_WRITEBACK 4u /* status write-back failed */
#define DMAC_E_LENGTH 5u    /* zero length */
#define DMAC_E_OPCODE 6u    /* unknown opcode */
#define DMAC_E_PRODUCER 7u  /* PRODUCER >= RING_SIZE */
#define DMAC_E_SRAM 8u      /* SRAM range beyond the SRAM */
#define DMAC_E_RING 9u      /* RING_SIZE 0 or above 65536 */
#define DMAC_E_LIST_ALIGN 10u /* GATHER list not 16-byte aligned */
#define DMAC_E_ELEM_LEN 11u   /* GATHER element of length 0 */
#define DMAC_E_LIST_READ 12u  /* GATHER element list read got SLVERR/DECERR */

#define DMAC_RING_MAX 65536u

#endif /* DMAC_HW_H_ */
