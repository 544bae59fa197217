// dma_regs.vh: the DMA engine's programming interface for the Verilog, one `define per line,
// named and valued as the C macros of driver/dmac/dmac-hw.h (the one definition; the CTest
// dma_regs_agree compares the two). Offsets are 12-bit byte offsets in BAR0.
`ifndef DMA_REGS_VH
`define DMA_REGS_VH

// Register offsets
`define DMAC_REG_ID 12'h000
`define DMAC_REG_VERSION 12'h004
`define DMAC_REG_CTRL 12'h008
`define DMAC_REG_STATUS 12'h00c
`define DMAC_REG_RING_LO 12'h010
`define DMAC_REG_RING_HI 12'h014
`define DMAC_REG_RING_SIZE 12'h018
`define DMAC_REG_PRODUCER 12'h01c
`define DMAC_REG_CONSUMER 12'h020
`define DMAC_REG_INT_STATUS 12'h024
`define DMAC_REG_INT_MASK 12'h028
`define DMAC_REG_ERR_LO 12'h030
`define DMAC_REG_ERR_HI 12'h034
`define DMAC_REG_SRAM_SIZE 12'h038

// Identity
`define DMAC_ID_VALUE 32'h444d4131

// Descriptor opcodes (byte +20 of a descriptor)
`define DMAC_OP_COPY 8'd1
`define DMAC_OP_WRITE 8'd2
`define DMAC_OP_READ 8'd3
`define DMAC_OP_FILL 8'd4
`define DMAC_OP_GATHER 8'd5

// Error codes (STATUS[15:8], descriptor status[15:8])
`define DMAC_E_RD_RESP 8'd1
`define DMAC_E_WR_RESP 8'd2
`define DMAC_E_FETCH 8'd3
`define DMAC_E_WRITEBACK 8'd4
`define DMAC_E_LENGTH 8'd5
`define DMAC_E_OPCODE 8'd6
`define DMAC_E_PRODUCER 8'd7
`define DMAC_E_SRAM 8'd8
`define DMAC_E_RING 8'd9
`define DMAC_E_LIST_ALIGN 8'd10
`define DMAC_E_ELEM_LEN 8'd11
`define DMAC_E_LIST_READ 8'd12

`endif
