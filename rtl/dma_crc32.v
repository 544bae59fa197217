// CRC-32/IEEE (reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF: zlib's crc32())
// over a byte stream delivered up to 8 bytes per clock. Bytes arrive in lanes 0..nbytes-1,
// lane 0 first. The update is one combinational step, so the mover never waits on it.
//
// Slicing-by-8: eight 256-entry ROMs (8 KiB, filled at configuration time from the
// polynomial) turn a full 8-byte beat into eight lookups and an XOR; a partial beat (first or
// last of a transfer) goes through the byte table once per byte. t[k][b] is the CRC
// register contribution of byte b followed by k zero bytes.
module dma_crc32 (
    input  wire        clk,
    input  wire        clr,      // restart: state = 0xFFFFFFFF
    input  wire        en,       // absorb data[8*nbytes-1:0] this cycle
    input  wire [63:0] data,
    input  wire [3:0]  nbytes,   // 0..8
    output wire [31:0] crc       // CRC of every byte absorbed since clr
);
    localparam [31:0] POLY = 32'hEDB88320;

    reg [31:0] state;
    reg [31:0] t0 [0:255];
    reg [31:0] t1 [0:255];
    reg [31:0] t2 [0:255];
    reg [31:0] t3 [0:255];
    reg [31:0] t4 [0:255];
    reg [31:0] t5 [0:255];
    reg [31:0] t6 [0:255];
    reg [31:0] t7 [0:255];

    // ROM contents.
    integer i, b;
    reg [31:0] r;
    initial begin
        for (i = 0; i < 256; i = i + 1) begin
            r = i;
            for (b = 0; b < 8; b = b + 1)
                r = r[0] ? ((r >> 1) ^ POLY) : (r >> 1);
            t0[i] = r;
        end
        for (i = 0; i < 256; i = i + 1) begin
            t1[i] = (t0[i] >> 8) ^ t0[t0[i][7:0]];
            t2[i] = (t1[i] >> 8) ^ t0[t1[i][7:0]];
            t3[i] = (t2[i] >> 8) ^ t0[t2[i][7:0]];
            t4[i] = (t3[i] >> 8) ^ t0[t3[i][7:0]];
            t5[i] = (t4[i] >> 8) ^ t0[t4[i][7:0]];
            t6[i] = (t5[i] >> 8) ^ t0[t5[i][7:0]];
            t7[i] = (t6[i] >> 8) ^ t0[t6[i][7:0]];
        end
    end

    // Eight bytes: the first four fold into the register, all eight index a table each.
    // Fewer bytes: one table step per byte. Evaluated only at the edge that absorbs them.
    function [31:0] next_state(input [31:0] c, input [63:0] d, input [3:0] n);
        reg [31:0] x;
        integer k;
        begin
            if (n[3]) begin   // 8 (or more: the first 8)
                x = c ^ d[31:0];
                next_state = t7[x[7:0]] ^ t6[x[15:8]] ^ t5[x[23:16]] ^ t4[x[31:24]] ^
                             t3[d[39:32]] ^ t2[d[47:40]] ^ t1[d[55:48]] ^ t0[d[63:56]];
            end else begin
                x = c;
                for (k = 0; k < 7; k = k + 1)
                    if (k[3:0] < n) x = (x >> 8) ^ t0[x[7:0] ^ d[k*8 +: 8]];
                next_state = x;
            end
        end
    endfunction

    always @(posedge clk) begin
        if (clr)
            state <= 32'hFFFFFFFF;
        else if (en)
            state <= next_state(state, data, nbytes);
    end

    assign crc = ~state;
endmodule
