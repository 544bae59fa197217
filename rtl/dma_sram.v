// On-chip SRAM of the DMA engine: 64-bit words, one synchronous read port (data the cycle
// after rd_en) and one write port with byte enables. Not reset, like a real SRAM macro.
module dma_sram #(
    parameter AW = 13                // word address bits: 2^13 words * 8 bytes = 64 KiB
) (
    input  wire          clk,
    input  wire          rd_en,
    input  wire [AW-1:0] rd_addr,
    output reg  [63:0]   rd_data,
    input  wire          wr_en,
    input  wire [AW-1:0] wr_addr,
    input  wire [7:0]    wr_be,
    input  wire [63:0]   wr_data
);
    reg [63:0] mem [0:(1 << AW) - 1];
    integer i;

    always @(posedge clk) begin
        if (wr_en)
            for (i = 0; i < 8; i = i + 1)
                if (wr_be[i]) mem[wr_addr][i*8 +: 8] <= wr_data[i*8 +: 8];
        if (rd_en)
            rd_data <= mem[rd_addr];
    end
endmodule
