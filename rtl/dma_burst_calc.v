// The burst splitting rule, shared by the read and the write side of the mover.
// Given a range (base address, total length) and how many of its bytes earlier bursts
// already cover, gives the next INCR burst of 8-byte beats: it starts at the 8-byte aligned
// address below base+offset, has at most MAX_BEATS beats (64 for reads, like PCIe's Max
// Read Request Size of 512 bytes; 16 for writes, like a 128-byte Max Payload Size), never
// crosses a 4 KiB boundary and never goes past the end of the range. `bytes` is how many
// range bytes it covers (its first beat may start mid-word, its last may end mid-word).
// Only meaningful while offset < total.
module dma_burst_calc #(
    parameter MAX_BEATS = 16             // 1..64
) (
    input  wire [63:0] base,
    input  wire [31:0] offset,
    input  wire [31:0] total,
    output wire [63:0] addr,
    output wire [7:0]  axlen,   // beats - 1
    output wire [9:0]  bytes    // 1..8*MAX_BEATS
);
    localparam [9:0] CAP = MAX_BEATS;

    wire [63:0] cur  = base + {32'd0, offset};
    wire [2:0]  lo   = cur[2:0];
    wire [31:0] rem  = total - offset;
    wire [33:0] need = ({2'b00, rem} + {31'd0, lo} + 34'd7) >> 3;   // beats to the end
    wire [9:0]  to4k = 10'd512 - {1'b0, cur[11:3]};                 // beats to the next 4 KiB boundary
    wire [9:0]  cap1 = (to4k < CAP) ? to4k : CAP;
    wire [6:0]  beats = (need < {24'd0, cap1}) ? need[6:0] : cap1[6:0];   // 1..64
    wire [9:0]  room = {beats, 3'b000} - {7'd0, lo};

    assign bytes = ({22'd0, room} < rem) ? room : rem[9:0];
    assign axlen = {1'b0, beats} - 8'd1;
    assign addr  = {cur[63:3], 3'b000};
endmodule
