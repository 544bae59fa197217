// The burst rule, for reads and writes alike. Given a byte range (base, total) and how many
// of its bytes earlier bursts covered (off), gives the next INCR burst of 8-byte beats: it
// starts at the 8-byte word holding base+off, has at most 16 beats, never crosses a 4 KiB
// boundary and never goes past the end of the range. `bytes` is how many range bytes it
// carries (its first beat may start mid-word, its last may end mid-word). Meaningful only
// while off < total. Combinational.
module lnic_burst (
    input  wire [63:0] base,
    input  wire [11:0] off,
    input  wire [11:0] total,     // 1..2048
    output wire [63:0] addr,      // 8-byte aligned
    output wire [7:0]  axlen,     // beats - 1: 0..15
    output wire [7:0]  bytes      // 1..128
);
    wire [63:0] cur   = base + {52'd0, off};
    wire [2:0]  lo    = cur[2:0];
    wire [11:0] rem   = total - off;
    // Beats to the end of the range; rem + 14 <= 2062 fits in 12 bits.
    wire [11:0] need  = (rem + {9'd0, lo} + 12'd7) >> 3;
    wire [11:0] to4k  = 12'd512 - {3'd0, cur[11:3]};          // beats to the next 4 KiB line
    wire [11:0] lim   = (need < to4k) ? need : to4k;
    wire [4:0]  beats = (lim < 12'd16) ? lim[4:0] : 5'd16;   // 1..16
    wire [7:0]  room  = {beats, 3'b000} - {5'd0, lo};

    assign addr  = {cur[63:3], 3'b000};
    assign axlen = {3'd0, beats} - 8'd1;
    assign bytes = ({4'd0, room} < rem) ? room : rem[7:0];
endmodule
