// Byte-granular realigning FIFO (2 KiB in the engine) between the source and the destination side of the mover.
// A push takes push_n bytes starting at lane push_lo of a 64-bit beat; a pop delivers the
// next pop_n bytes placed at lanes pop_lo.. of a 64-bit beat, with the matching strobes.
// This is what lets source and destination have unrelated byte alignments.
module dma_byte_fifo #(
    parameter LOG2 = 11                      // 2 KiB
) (
    input  wire          clk,
    input  wire          clr,
    input  wire          push,
    input  wire [63:0]   push_data,
    input  wire [2:0]    push_lo,
    input  wire [3:0]    push_n,
    input  wire          pop,
    input  wire [2:0]    pop_lo,
    input  wire [3:0]    pop_n,
    output reg  [LOG2:0] count,              // bytes held
    output wire [63:0]   pop_data,
    output wire [7:0]    pop_strb
);
    reg [7:0]      mem [0:(1 << LOG2) - 1];
    reg [LOG2-1:0] wp, rp;
    integer i;

    wire [63:0] push_bytes = push_data >> {push_lo, 3'b000};

    always @(posedge clk) begin
        if (clr) begin
            wp <= {LOG2{1'b0}};
            rp <= {LOG2{1'b0}};
            count <= {(LOG2 + 1){1'b0}};
        end else begin
            if (push) begin
                for (i = 0; i < 8; i = i + 1)
                    if (i[3:0] < push_n) mem[wp + i[LOG2-1:0]] <= push_bytes[i*8 +: 8];
                wp <= wp + {{(LOG2 - 4){1'b0}}, push_n};
            end
            if (pop)
                rp <= rp + {{(LOG2 - 4){1'b0}}, pop_n};
            count <= count + (push ? {{(LOG2 - 3){1'b0}}, push_n} : {(LOG2 + 1){1'b0}})
                           - (pop  ? {{(LOG2 - 3){1'b0}}, pop_n}  : {(LOG2 + 1){1'b0}});
        end
    end

    wire [63:0] head = {mem[rp + 7], mem[rp + 6], mem[rp + 5], mem[rp + 4],
                        mem[rp + 3], mem[rp + 2], mem[rp + 1], mem[rp]};
    wire [7:0]  ones = 8'hFF >> (4'd8 - pop_n);      // pop_n low bits set

    assign pop_data = head << {pop_lo, 3'b000};
    assign pop_strb = ones << pop_lo;
endmodule
