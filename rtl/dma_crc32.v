// CRC-32/IEEE (reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF: zlib's crc32())
// over a byte stream delivered up to 8 bytes per clock. Bytes arrive in lanes 0..nbytes-1,
// lane 0 first. The 8-byte update is one combinational step, so the mover never waits on it.
module dma_crc32 (
    input  wire        clk,
    input  wire        clr,      // restart: state = 0xFFFFFFFF
    input  wire        en,       // absorb data[8*nbytes-1:0] this cycle
    input  wire [63:0] data,
    input  wire [3:0]  nbytes,   // 0..8
    output wire [31:0] crc       // CRC of every byte absorbed since clr
);
    reg [31:0] state;

    function [31:0] crc_update(input [31:0] c, input [63:0] d, input [3:0] n);
        integer i, b;
        reg [31:0] r;
        begin
            r = c;
            for (i = 0; i < 8; i = i + 1) begin
                if (i[3:0] < n) begin
                    r = r ^ {24'd0, d[i*8 +: 8]};
                    for (b = 0; b < 8; b = b + 1)
                        r = r[0] ? ((r >> 1) ^ 32'hEDB88320) : (r >> 1);
                end
            end
            crc_update = r;
        end
    endfunction

    always @(posedge clk) begin
        if (clr)
            state <= 32'hFFFFFFFF;
        else if (en)
            state <= crc_update(state, data, nbytes);
    end

    assign crc = ~state;
endmodule
