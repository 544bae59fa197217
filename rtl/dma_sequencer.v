// Descriptor ring sequencer: while enabled and not halted, fetches the descriptor at
// CONSUMER (one 4-beat read), checks it, hands the data movement to the mover, writes back
// status and CRC (one 8-byte write at +24), advances CONSUMER and raises interrupts.
// Between descriptors it issues the MSI writes dma_irq asks for.
//
// Any error halts the engine: CONSUMER stays on the failing descriptor, STATUS.HALTED is
// set, ERR_CODE/ERR_RESP/ERR_ADDR say what and where, INT_STATUS.ERR is raised. Only a
// soft reset (or rst_n) clears the halt. The first error of a descriptor wins.
`include "dma_regs.vh"

module dma_sequencer #(
    parameter [63:0] SRAM_BYTES = 64'd65536
) (
    input  wire        clk,
    input  wire        rst,

    // configuration (dma_regs)
    input  wire        enable,
    input  wire [63:0] ring_base,      // 32-byte aligned
    input  wire [31:0] ring_size,
    input  wire [31:0] producer,
    input  wire [63:0] msi_addr,
    input  wire [31:0] msi_data,

    // state shown in registers
    output reg  [15:0] consumer,
    output reg         halted,
    output reg  [7:0]  err_code,
    output reg  [1:0]  err_resp,
    output reg  [63:0] err_addr,
    output reg         msi_err,        // an MSI write got an error response (sticky)
    output wire        busy,           // working on a descriptor or an MSI
    output wire        work_pending,   // would start a descriptor now
    output wire        waiting,        // no register changes at the next edge without R, B or mv_done

    // interrupts
    output wire        set_done,       // raise INT_STATUS.DONE (with the state change)
    output wire        set_err,        // raise INT_STATUS.ERR
    input  wire [1:0]  msi_pending,
    output wire [1:0]  msi_taken,      // starting the MSI write for this bit

    // mover
    output wire        mover_owns_bus,
    output reg         mv_start,
    output wire [1:0]  mv_src_kind,    // see dma_mover
    output wire        mv_dst_sram,
    output wire [63:0] mv_src,
    output wire [63:0] mv_dst,
    output wire [31:0] mv_len,
    input  wire        mv_done,
    input  wire [2:0]  mv_err_kind,    // see dma_mover
    input  wire [1:0]  mv_err_resp,
    input  wire [63:0] mv_err_addr,
    input  wire [31:0] mv_crc,

    // AXI request interface for descriptor fetch, write-back and MSI (see dma_axi_master)
    output wire        ar_valid,
    input  wire        ar_ready,
    output wire [63:0] ar_addr,
    input  wire        r_valid,
    output wire        r_ready,
    input  wire [63:0] r_data,
    input  wire [1:0]  r_resp,
    input  wire        r_last,
    output wire        aw_valid,
    input  wire        aw_ready,
    output wire [63:0] aw_addr,
    output wire [2:0]  aw_size,
    output wire        w_valid,
    input  wire        w_ready,
    output wire [63:0] w_data,
    output wire [7:0]  w_strb,
    input  wire        b_valid,
    output wire        b_ready,
    input  wire [1:0]  b_resp
);
    localparam [3:0] S_IDLE    = 4'd0,
                     S_FETCH_A = 4'd1,   // AR of the descriptor
                     S_FETCH_R = 4'd2,   // its 4 beats
                     S_CHECK   = 4'd3,
                     S_MOVE    = 4'd4,
                     S_WB_A    = 4'd5,   // write-back AW
                     S_WB_W    = 4'd6,
                     S_WB_B    = 4'd7,
                     S_FINISH  = 4'd8,
                     S_MSI_A   = 4'd9,
                     S_MSI_W   = 4'd10,
                     S_MSI_B   = 4'd11;

    // Descriptor opcodes (byte +20).
    localparam [7:0] OP_COPY  = `DMAC_OP_COPY,   // memory -> memory
                     OP_WRITE = `DMAC_OP_WRITE,  // memory -> SRAM
                     OP_READ  = `DMAC_OP_READ,   // SRAM -> memory
                     OP_FILL  = `DMAC_OP_FILL,   // pattern -> memory
                     OP_GATHER = `DMAC_OP_GATHER; // element list in memory -> SRAM
    // Error codes (STATUS[15:8], descriptor status[15:8]); rtl/README.md lists them.
    localparam [7:0] E_NONE      = 8'd0,
                     E_RD_RESP   = `DMAC_E_RD_RESP,    // source read got SLVERR/DECERR
                     E_WR_RESP   = `DMAC_E_WR_RESP,    // destination write got SLVERR/DECERR
                     E_FETCH     = `DMAC_E_FETCH,      // descriptor fetch got SLVERR/DECERR
                     E_WRITEBACK = `DMAC_E_WRITEBACK,  // status write-back got SLVERR/DECERR
                     E_LENGTH    = `DMAC_E_LENGTH,     // zero length
                     E_OPCODE    = `DMAC_E_OPCODE,     // unknown opcode
                     E_PRODUCER  = `DMAC_E_PRODUCER,   // PRODUCER >= RING_SIZE
                     E_SRAM      = `DMAC_E_SRAM,       // SRAM offset + length beyond the SRAM
                     E_RING      = `DMAC_E_RING,       // RING_SIZE is 0 or above 65536
                     E_LIST_ALIGN = `DMAC_E_LIST_ALIGN, // GATHER list address not 16-byte aligned
                     E_ELEM_LEN  = `DMAC_E_ELEM_LEN,   // GATHER element of length 0
                     E_LIST_RD   = `DMAC_E_LIST_READ;  // GATHER element list read got SLVERR/DECERR
    localparam [1:0] OKAY = 2'b00;

    reg [3:0]  state;
    reg [63:0] desc_addr;
    reg [1:0]  beat;
    reg [63:0] d_src, d_dst;
    reg [31:0] d_len;
    reg [7:0]  d_op;
    reg        d_irq;          // flags bit 0: interrupt on completion
    reg [7:0]  code;           // error code of the current descriptor
    reg [1:0]  code_resp;
    reg [63:0] code_addr;
    reg [31:0] crc_q;
    reg [63:0] msi_addr_q;
    reg [31:0] msi_data_q;

    wire ring_ok   = (ring_size != 32'd0) && (ring_size <= 32'd65536);
    assign work_pending = enable && !halted && (producer != {16'd0, consumer});
    wire idle_msi  = (state == S_IDLE) && (msi_pending != 2'b00);
    wire ring_fail = (state == S_IDLE) && !idle_msi && work_pending &&
                     (!ring_ok || producer >= ring_size);
    wire finishing = (state == S_FINISH);

    // Interrupt causes are combinational so INT_STATUS changes on the same clock edge as
    // CONSUMER/HALTED, and a pending MSI is seen before the next descriptor is picked.
    assign set_done  = finishing && (code == E_NONE) && d_irq;
    assign set_err   = ring_fail || (finishing && (code != E_NONE));
    assign msi_taken = idle_msi ? (msi_pending[0] ? 2'b01 : 2'b10) : 2'b00;
    assign busy    = (state != S_IDLE);
    // States that only wait for an AXI response or the mover; S_IDLE with nothing to start.
    assign waiting = !mv_start &&
                     (((state == S_IDLE) && !idle_msi && !work_pending) || (state == S_FETCH_R) ||
                      ((state == S_MOVE) && !mv_done) || (state == S_WB_B) || (state == S_MSI_B));
    assign mover_owns_bus = (state == S_MOVE);

    wire [15:0] next_consumer = ({16'd0, consumer} + 32'd1 == ring_size) ? 16'd0 : consumer + 16'd1;

    // Descriptor checks (S_CHECK). SRAM ranges: offset + length <= SRAM size.
    wire sram_dst_bad = (d_dst > SRAM_BYTES) || ({32'd0, d_len} > SRAM_BYTES - d_dst);
    wire sram_src_bad = (d_src > SRAM_BYTES) || ({32'd0, d_len} > SRAM_BYTES - d_src);
    wire [7:0] check_code =
        (d_len == 32'd0) ? E_LENGTH :
        (d_op == OP_COPY || d_op == OP_FILL) ? E_NONE :
        (d_op == OP_WRITE) ? (sram_dst_bad ? E_SRAM : E_NONE) :
        (d_op == OP_READ)  ? (sram_src_bad ? E_SRAM : E_NONE) :
        (d_op == OP_GATHER) ? ((d_src[3:0] != 4'd0) ? E_LIST_ALIGN : E_NONE) :   // SRAM: per element
        E_OPCODE;

    assign mv_src_kind = (d_op == OP_READ) ? 2'd1 : (d_op == OP_FILL) ? 2'd2 : (d_op == OP_GATHER) ? 2'd3 : 2'd0;
    assign mv_dst_sram = (d_op == OP_WRITE) || (d_op == OP_GATHER);
    assign mv_src = d_src;
    assign mv_dst = d_dst;
    assign mv_len = d_len;

    // Status word written back at +24: bit0 done, bit1 error, [15:8] code, [17:16] AXI resp.
    wire [31:0] status_word = {14'd0, code_resp, code, 6'd0, (code != E_NONE), 1'b1};

    assign ar_valid = (state == S_FETCH_A);
    assign ar_addr  = desc_addr;
    assign r_ready  = (state == S_FETCH_R);

    wire msi_hi = msi_addr_q[2];   // which half of the 64-bit bus the 32-bit message uses
    assign aw_valid = (state == S_WB_A) || (state == S_MSI_A);
    assign aw_addr  = (state == S_MSI_A) ? msi_addr_q : desc_addr + 64'd24;
    assign aw_size  = (state == S_MSI_A) ? 3'd2 : 3'd3;
    assign w_valid  = (state == S_WB_W) || (state == S_MSI_W);
    assign w_data   = (state == S_MSI_W) ? {msi_data_q, msi_data_q} : {crc_q, status_word};
    assign w_strb   = (state == S_MSI_W) ? (msi_hi ? 8'hF0 : 8'h0F) : 8'hFF;
    assign b_ready  = (state == S_WB_B) || (state == S_MSI_B);

    always @(posedge clk) begin
        if (rst) begin
            state     <= S_IDLE;
            consumer  <= 16'd0;
            halted    <= 1'b0;
            err_code  <= E_NONE;
            err_resp  <= OKAY;
            err_addr  <= 64'd0;
            msi_err   <= 1'b0;
            mv_start  <= 1'b0;
            desc_addr <= 64'd0;
            beat      <= 2'd0;
            d_src     <= 64'd0;
            d_dst     <= 64'd0;
            d_len     <= 32'd0;
            d_op      <= 8'd0;
            d_irq     <= 1'b0;
            code      <= E_NONE;
            code_resp <= OKAY;
            code_addr <= 64'd0;
            crc_q     <= 32'd0;
            msi_addr_q <= 64'd0;
            msi_data_q <= 32'd0;
        end else begin
            mv_start  <= 1'b0;

            case (state)
                S_IDLE: begin
                    if (idle_msi) begin
                        // One MSI per pending bit, lowest first (msi_taken).
                        msi_addr_q <= msi_addr;
                        msi_data_q <= msi_data;
                        state      <= S_MSI_A;
                    end else if (work_pending) begin
                        if (ring_fail) begin
                            halted   <= 1'b1;
                            err_code <= ring_ok ? E_PRODUCER : E_RING;
                            err_resp <= OKAY;
                        end else begin
                            desc_addr <= ring_base + {43'd0, consumer, 5'd0};
                            code      <= E_NONE;
                            code_resp <= OKAY;
                            crc_q     <= 32'd0;
                            state     <= S_FETCH_A;
                        end
                    end
                end

                S_FETCH_A: if (ar_ready) begin
                    beat  <= 2'd0;
                    state <= S_FETCH_R;
                end

                S_FETCH_R: if (r_valid) begin
                    case (beat)
                        2'd0: d_src <= r_data;
                        2'd1: d_dst <= r_data;
                        2'd2: begin
                            d_len <= r_data[31:0];
                            d_op  <= r_data[39:32];
                            d_irq <= r_data[40];
                        end
                        default: ;   // +24: status and CRC, written by us, not read
                    endcase
                    if (r_resp != OKAY && code == E_NONE) begin
                        code      <= E_FETCH;
                        code_resp <= r_resp;
                        code_addr <= desc_addr + {59'd0, beat, 3'd0};
                    end
                    beat <= beat + 2'd1;
                    if (r_last)
                        // Nothing to write back into a descriptor we could not read.
                        state <= (code != E_NONE || r_resp != OKAY) ? S_FINISH : S_CHECK;
                end

                S_CHECK: begin
                    if (check_code != E_NONE) begin
                        code      <= check_code;
                        code_addr <= desc_addr;
                        state     <= S_WB_A;
                    end else begin
                        mv_start <= 1'b1;
                        state    <= S_MOVE;
                    end
                end

                S_MOVE: if (mv_done) begin
                    code      <= (mv_err_kind == 3'd1) ? E_RD_RESP :
                                 (mv_err_kind == 3'd2) ? E_WR_RESP :
                                 (mv_err_kind == 3'd3) ? E_LIST_RD :
                                 (mv_err_kind == 3'd4) ? E_ELEM_LEN :
                                 (mv_err_kind == 3'd5) ? E_SRAM : E_NONE;
                    code_resp <= mv_err_resp;
                    code_addr <= mv_err_addr;
                    crc_q     <= (mv_err_kind == 3'd0) ? mv_crc : 32'd0;   // no partial CRCs
                    state     <= S_WB_A;
                end

                S_WB_A: if (aw_ready) state <= S_WB_W;
                S_WB_W: if (w_ready)  state <= S_WB_B;
                S_WB_B: if (b_valid) begin
                    if (b_resp != OKAY && code == E_NONE) begin
                        code      <= E_WRITEBACK;
                        code_resp <= b_resp;
                        code_addr <= desc_addr + 64'd24;
                    end
                    state <= S_FINISH;
                end

                S_FINISH: begin
                    if (code != E_NONE) begin
                        halted   <= 1'b1;
                        err_code <= code;
                        err_resp <= code_resp;
                        err_addr <= code_addr;
                    end else begin
                        consumer <= next_consumer;
                    end
                    state <= S_IDLE;
                end

                S_MSI_A: if (aw_ready) state <= S_MSI_W;
                S_MSI_W: if (w_ready)  state <= S_MSI_B;
                S_MSI_B: if (b_valid) begin
                    if (b_resp != OKAY) msi_err <= 1'b1;
                    state <= S_IDLE;
                end

                default: state <= S_IDLE;
            endcase
        end
    end
endmodule
