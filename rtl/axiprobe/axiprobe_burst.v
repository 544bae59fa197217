// The burst rule: given the next byte to cover (addr) and how many bytes are left (rem, 1..4096),
// the next INCR burst of full-bus beats. AxADDR is addr itself (its first beat may start
// mid-bus); the burst has at most 16 beats, never crosses a 4 KiB boundary and never goes past
// the last bus word holding a byte of the range. `bytes` is how many range bytes it covers.
// Combinational.
module axiprobe_burst #(
    parameter BW = 8,                  // bus bytes: 4, 8, 16 or 32
    parameter LB = 3                   // log2(BW)
) (
    input  wire [11:0] addr,           // low bits of the next byte's address
    input  wire [12:0] rem,
    output wire [3:0]  axlen,          // beats - 1: 0..15
    output wire [12:0] bytes           // 1..min(rem, 16 * BW)
);
    wire [13:0] lo    = {{(14-LB){1'b0}}, addr[LB-1:0]};
    // Beats up to the end of the range: rem + lo + BW - 1 < 2^14.
    wire [13:0] need  = ({1'b0, rem} + lo + BW[13:0] - 14'd1) >> LB;
    // Beats up to the next 4 KiB line.
    wire [13:0] to4k  = (14'd4096 - {2'b00, addr[11:LB], {LB{1'b0}}}) >> LB;
    wire [13:0] lim   = (need < to4k) ? need : to4k;
    wire [13:0] nb    = (lim < 14'd16) ? lim : 14'd16;
    wire [13:0] room  = (nb << LB) - lo;

    assign axlen = nb[3:0] - 4'd1;
    assign bytes = (room < {1'b0, rem}) ? room[12:0] : rem;
endmodule
