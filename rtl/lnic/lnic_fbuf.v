// Frame buffer: 2 KiB plus a word either side, as 64-bit words. The read side of a frame
// writes whole R beats (one word per clock); the write side reads 8 bytes starting at any
// byte index, so a frame read at one byte alignment can be written at another (the
// realignment is this byte-indexed read port: two adjacent words and a byte shift).
// Bytes never written read as whatever the words held; the user masks them with WSTRB.
module lnic_fbuf (
    input  wire        clk,
    input  wire        we,
    input  wire [8:0]  waddr,     // word index
    input  wire [63:0] wdata,
    input  wire [11:0] raddr,     // byte index of rdata's byte 0
    output wire [63:0] rdata      // bytes raddr .. raddr+7, byte raddr in bits 7:0
);
    // A frame of up to 2048 bytes at any byte offset spans 257 words; its user keeps word 0
    // free (see lnic_seq) and the read port looks one word past the last: 259 words.
    localparam WORDS = 260;

    reg [63:0] mem [0:WORDS-1];

    wire [8:0]   w0   = raddr[11:3];
    wire [8:0]   w1   = w0 + 9'd1;
    wire [127:0] pair = {mem[w1], mem[w0]};

    assign rdata = pair[{1'b0, raddr[2:0], 3'b000} +: 64];

    always @(posedge clk)
        if (we)
            mem[waddr] <= wdata;
endmodule
