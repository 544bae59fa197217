// The burst splitting rule, shared by the read and the write side of the mover.
// Given a transfer (base address, total length) and how many of its bytes earlier bursts
// already cover, gives the next INCR burst of 8-byte beats: it starts at the 8-byte aligned
// address below base+offset, has at most 16 beats, never crosses a 4 KiB boundary and
// never goes past the end of the transfer. `bytes` is how many transfer bytes it covers
// (its first beat may start mid-word, its last may end mid-word). Only meaningful while
// offset < total.
module dma_burst_calc (
    input  wire [63:0] base,
    input  wire [31:0] offset,
    input  wire [31:0] total,
    output wire [63:0] addr,
    output wire [7:0]  axlen,   // beats - 1
    output wire [7:0]  bytes    // 1..128
);
    wire [63:0] cur  = base + {32'd0, offset};
    wire [2:0]  lo   = cur[2:0];
    wire [31:0] rem  = total - offset;
    wire [33:0] need = ({2'b00, rem} + {31'd0, lo} + 34'd7) >> 3;   // beats to the end
    wire [9:0]  to4k = 10'd512 - {1'b0, cur[11:3]};          // beats to the next 4 KiB boundary
    wire [4:0]  cap1 = (to4k < 10'd16) ? to4k[4:0] : 5'd16;
    wire [4:0]  beats = (need < {29'd0, cap1}) ? need[4:0] : cap1;
    wire [7:0]  room = {beats, 3'b000} - {5'd0, lo};

    assign bytes = ({24'd0, room} < rem) ? room : rem[7:0];
    assign axlen = {3'b000, beats} - 8'd1;
    assign addr  = {cur[63:3], 3'b000};
endmodule
