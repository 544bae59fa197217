// Frame sequencer: one frame at a time, from TX ring to RX ring (lnic-regs.h, "Model of
// operation").
//
//   S_IDLE   a frame may start when TX_EN, RX_EN, not halted, TX_HEAD != TX_TAIL and
//            RX_HEAD != RX_TAIL (and the AXI port is not draining a soft reset). The ring
//            configuration is checked then (LNIC_ERR_RING_CONFIG), and the descriptor
//            addresses and ring masks are taken.
//   S_DESC   two 2-beat reads, back to back: the TX descriptor, then the RX descriptor.
//   S_CHECK  a failed TX descriptor read, then a failed RX descriptor read, then a TX length
//            of 0 or above 2048 halts; otherwise the frame length to write is
//            min(TX len, RX len) (TRUNCATED if the TX len is larger).
//   S_READ   the whole TX frame is read (bursts per lnic_burst, issued back to back) into
//            the frame buffer: R beat k of the frame goes to word k+1.
//   S_WRITE  the bytes are written to the RX buffer, WSTRB limited to [addr, addr+len).
//            A length of 0 writes nothing.
//   S_WB     one 8-byte write of RX descriptor bytes 8..15 {status, flags, len}; at its B
//            RX_HEAD and TX_HEAD advance, ISR.RX_DONE and TX_DONE rise, the counters count.
//
// Read and write phases follow each other (store and forward): a frame whose read fails
// writes nothing. On an error response the phase stops issuing bursts, lets every
// outstanding one finish (R beats and B responses are taken, a started write burst sends
// all its beats), then halts with the first error: ERR_ADDR is the first frame byte of the
// failing burst (so the buffer address itself for a first burst), the descriptor for
// descriptor reads and TX_LENGTH, the descriptor + 8 for the write-back, 0 for RING_CONFIG.
//
// Registers here change at request handshakes, R beats, B responses and state steps;
// `waiting` is high when only an R beat or a B response can change them (README.md).
`include "lnic_regs.vh"

module lnic_seq (
    input  wire        clk,
    input  wire        rst,            // rst_n low or soft reset
    input  wire        hold,           // the AXI port drains a soft reset: start nothing

    // configuration (lnic_regs)
    input  wire        tx_en,
    input  wire        rx_en,
    input  wire [63:0] tx_base,
    input  wire [31:0] tx_size,
    input  wire [31:0] tx_tail,
    input  wire [63:0] rx_base,
    input  wire [31:0] rx_size,
    input  wire [31:0] rx_tail,

    // state shown in registers
    output reg  [11:0] tx_head,
    output reg  [11:0] rx_head,
    output reg  [31:0] tx_frames,
    output reg  [31:0] rx_frames,
    output reg         halted,
    output reg  [3:0]  err_code,
    output reg  [63:0] err_addr,
    output wire        busy,           // a frame is in progress
    output wire        set_tx_done,    // ISR events, with the state change
    output wire        set_rx_done,
    output wire        set_err,
    output wire        nothing_to_do,  // idle, and no frame could start
    output wire        waiting,        // no change at the next edge without R or B

    // AXI request interface (lnic_axi_master)
    output wire        rq_arvalid,
    input  wire        rq_arready,
    output wire [63:0] rq_araddr,
    output wire [7:0]  rq_arlen,
    input  wire        rq_rvalid,
    input  wire [63:0] rq_rdata,
    input  wire [1:0]  rq_rresp,
    input  wire        rq_rlast,
    output wire        rq_awvalid,
    input  wire        rq_awready,
    output wire [63:0] rq_awaddr,
    output wire [7:0]  rq_awlen,
    output wire        rq_wvalid,
    input  wire        rq_wready,
    output wire [63:0] rq_wdata,
    output wire [7:0]  rq_wstrb,
    output wire        rq_wlast,
    input  wire        rq_bvalid,
    input  wire [1:0]  rq_bresp,

    // frame buffer (lnic_fbuf)
    output wire        fb_we,
    output wire [8:0]  fb_waddr,
    output wire [63:0] fb_wdata,
    output wire [11:0] fb_raddr,
    input  wire [63:0] fb_rdata
);
    localparam [2:0] S_IDLE  = 3'd0,
                     S_DESC  = 3'd1,
                     S_CHECK = 3'd2,
                     S_READ  = 3'd3,
                     S_WRITE = 3'd4,
                     S_WB    = 3'd5;

    localparam [31:0] E_TX_DESC_READ  = `LNIC_ERR_TX_DESC_READ;
    localparam [31:0] E_RX_DESC_READ  = `LNIC_ERR_RX_DESC_READ;
    localparam [31:0] E_TX_DATA_READ  = `LNIC_ERR_TX_DATA_READ;
    localparam [31:0] E_RX_DATA_WRITE = `LNIC_ERR_RX_DATA_WRITE;
    localparam [31:0] E_RX_DESC_WRITE = `LNIC_ERR_RX_DESC_WRITE;
    localparam [31:0] E_TX_LENGTH     = `LNIC_ERR_TX_LENGTH;
    localparam [31:0] E_RING_CONFIG   = `LNIC_ERR_RING_CONFIG;
    localparam [31:0] MAX_FRAME       = `LNIC_MAX_FRAME;
    localparam [31:0] DESC_LEN        = `LNIC_DESC_LEN;
    localparam [31:0] ST_DONE         = `LNIC_DESC_STATUS_DONE;
    localparam [31:0] ST_TRUNCATED    = `LNIC_DESC_STATUS_TRUNCATED;

    reg [2:0]  state;

    // frame context
    reg [63:0] txd_at, rxd_at;         // descriptor addresses
    reg [11:0] tx_mask, rx_mask;       // ring size - 1
    reg [1:0]  d_issued;               // descriptor reads handed to the AXI port
    reg [1:0]  d_beat;                 // descriptor beats received
    reg        txd_err, rxd_err;       // a descriptor read got SLVERR/DECERR
    reg [63:0] tx_buf, rx_buf;
    reg [15:0] tx_len, rx_len, rx_flags;
    reg [11:0] n;                      // bytes to write
    reg        trunc;

    // the range being read or written
    reg [63:0] rng_base;
    reg [11:0] rng_total;
    reg [11:0] iss_off;                // bytes covered by bursts issued
    reg [11:0] rsp_off;                // bytes covered by bursts fully answered
    reg [5:0]  out_cnt;                // bursts issued and not fully answered
    reg [8:0]  beat;                   // R beats received / W beats sent in this range
    reg [4:0]  w_left;                 // W beats the current write burst still owes
    reg [11:0] w_end;                  // (RX buf & 7) + n - 1: last beat index and lane
    reg        x_err;                  // an error response in this range
    reg [63:0] x_err_addr;
    reg [1:0]  wb_stage;               // write-back: 0 AW, 1 W, 2 waiting for B

    // ---- ring checks (live registers; a frame takes them at its start) ----
    function size_ok(input [31:0] s);  // a power of two in 2..4096
        size_ok = (s[31:13] == 19'd0) && (s[12:1] != 12'd0) && ((s[12:0] & (s[12:0] - 13'd1)) == 13'd0);
    endfunction

    wire want = tx_en && rx_en && !halted &&
                ({20'd0, tx_head} != tx_tail) && ({20'd0, rx_head} != rx_tail);
    wire start_now = (state == S_IDLE) && want && !hold;
    wire cfg_bad = !size_ok(tx_size) || !size_ok(rx_size) ||
                   (tx_base[3:0] != 4'd0) || (rx_base[3:0] != 4'd0) ||
                   (tx_tail >= tx_size) || (rx_tail >= rx_size);

    // ---- burst rule on the range: the next burst to issue, the burst being answered ----
    wire [63:0] iss_addr, rsp_addr_unused;
    wire [7:0]  iss_len, iss_bytes, rsp_len_unused, rsp_bytes;
    lnic_burst u_iss (.base(rng_base), .off(iss_off), .total(rng_total),
                      .addr(iss_addr), .axlen(iss_len), .bytes(iss_bytes));
    lnic_burst u_rsp (.base(rng_base), .off(rsp_off), .total(rng_total),
                      .addr(rsp_addr_unused), .axlen(rsp_len_unused), .bytes(rsp_bytes));

    wire iss_more = (iss_off < rng_total) && !x_err;

    // ---- requests ----
    wire d_ar   = (state == S_DESC) && (d_issued != 2'd2);
    wire rd_ar  = (state == S_READ) && iss_more;
    assign rq_arvalid = d_ar || rd_ar;
    assign rq_araddr  = d_ar ? ((d_issued == 2'd0) ? txd_at : rxd_at) : iss_addr;
    assign rq_arlen   = d_ar ? 8'd1 : iss_len;

    wire wr_w  = (state == S_WRITE) && (w_left != 5'd0);
    wire wb_w  = (state == S_WB) && (wb_stage == 2'd1);
    // The next data burst's AW goes with the current burst's last W beat at the latest.
    wire wr_aw = (state == S_WRITE) && iss_more &&
                 ((w_left == 5'd0) || ((w_left == 5'd1) && rq_wready));
    wire wb_aw = (state == S_WB) && (wb_stage == 2'd0);
    assign rq_awvalid = wr_aw || wb_aw;
    assign rq_awaddr  = wb_aw ? rxd_at + {32'd0, DESC_LEN} : iss_addr;
    assign rq_awlen   = wb_aw ? 8'd0 : iss_len;

    // Write data: W beat m of the range covers RX bytes from (RX buf & ~7) + 8m; its lane l
    // holds frame byte 8m + l - (RX buf & 7), which sits at buffer byte
    // 8(m+1) + (TX buf & 7) - (RX buf & 7) (reads put TX word k at buffer word k+1).
    wire [2:0] rd_lo = tx_buf[2:0];
    wire [2:0] wr_lo = rx_buf[2:0];
    wire [2:0] s_lo  = (beat == 9'd0) ? wr_lo : 3'd0;
    wire [2:0] s_hi  = (beat == w_end[11:3]) ? w_end[2:0] : 3'd7;
    reg  [7:0] strb;
    integer    l;
    always @(*) begin
        for (l = 0; l < 8; l = l + 1)
            strb[l] = (l[2:0] >= s_lo) && (l[2:0] <= s_hi);
    end
    wire [63:0] strb_bits = {{8{strb[7]}}, {8{strb[6]}}, {8{strb[5]}}, {8{strb[4]}},
                             {8{strb[3]}}, {8{strb[2]}}, {8{strb[1]}}, {8{strb[0]}}};
    assign fb_raddr = {beat + 9'd1, 3'b000} + {9'd0, rd_lo} - {9'd0, wr_lo};

    wire [31:0] wb_status = ST_DONE | (trunc ? ST_TRUNCATED : 32'd0);
    assign rq_wvalid = wr_w || wb_w;
    assign rq_wdata  = wb_w ? {wb_status, rx_flags, 4'd0, n} : (fb_rdata & strb_bits);
    assign rq_wstrb  = wb_w ? 8'hFF : strb;
    assign rq_wlast  = wb_w || (w_left == 5'd1);

    wire ar_take = rq_arvalid && rq_arready;
    wire aw_take = rq_awvalid && rq_awready;
    wire w_take  = rq_wvalid && rq_wready;
    wire r_err   = rq_rresp[1];          // SLVERR or DECERR
    wire b_err   = rq_bresp[1];

    // Frame data into the buffer.
    assign fb_we    = (state == S_READ) && rq_rvalid;
    assign fb_waddr = beat + 9'd1;
    assign fb_wdata = rq_rdata;

    // ---- phase ends and halts ----
    wire desc_done = (state == S_DESC) && (d_issued == 2'd2) && (out_cnt == 6'd0);
    wire tx_len_bad = (tx_len == 16'd0) || ({16'd0, tx_len} > MAX_FRAME);
    wire read_done  = (state == S_READ) && !iss_more && (out_cnt == 6'd0);
    wire write_done = (state == S_WRITE) && !iss_more && (w_left == 5'd0) && (out_cnt == 6'd0);
    wire wb_b       = (state == S_WB) && (wb_stage == 2'd2) && rq_bvalid;

    reg        halt_now;
    reg [31:0] halt_code;
    reg [63:0] halt_addr;
    always @(*) begin
        halt_now  = 1'b0;
        halt_code = 32'd0;
        halt_addr = 64'd0;
        if (start_now && cfg_bad) begin
            halt_now  = 1'b1;
            halt_code = E_RING_CONFIG;
        end else if (state == S_CHECK && txd_err) begin
            halt_now  = 1'b1;
            halt_code = E_TX_DESC_READ;
            halt_addr = txd_at;
        end else if (state == S_CHECK && rxd_err) begin
            halt_now  = 1'b1;
            halt_code = E_RX_DESC_READ;
            halt_addr = rxd_at;
        end else if (state == S_CHECK && tx_len_bad) begin
            halt_now  = 1'b1;
            halt_code = E_TX_LENGTH;
            halt_addr = txd_at;
        end else if (read_done && x_err) begin
            halt_now  = 1'b1;
            halt_code = E_TX_DATA_READ;
            halt_addr = x_err_addr;
        end else if (write_done && x_err) begin
            halt_now  = 1'b1;
            halt_code = E_RX_DATA_WRITE;
            halt_addr = x_err_addr;
        end else if (wb_b && b_err) begin
            halt_now  = 1'b1;
            halt_code = E_RX_DESC_WRITE;
            halt_addr = rxd_at + {32'd0, DESC_LEN};
        end
    end

    wire frame_done = wb_b && !b_err;

    assign set_err     = halt_now;
    assign set_tx_done = frame_done;
    assign set_rx_done = frame_done;
    assign busy        = (state != S_IDLE);
    assign nothing_to_do = (state == S_IDLE) && !want;

    // No register here changes at the next edge unless an R beat or a B response comes:
    // nothing is requested and every phase that is not over waits for responses.
    assign waiting =
        (state == S_IDLE)  ? !start_now :
        (state == S_DESC)  ? (d_issued == 2'd2) && (out_cnt != 6'd0) :
        (state == S_READ)  ? !iss_more && (out_cnt != 6'd0) :
        (state == S_WRITE) ? !iss_more && (w_left == 5'd0) && (out_cnt != 6'd0) :
        (state == S_WB)    ? (wb_stage == 2'd2) :
                             1'b0;

    // Bytes of the frame to write and whether it is cut, from the two descriptors.
    wire        rx_shorter = rx_len < tx_len;
    wire [15:0] n16 = rx_shorter ? rx_len : tx_len;      // <= 2048 once tx_len passed

    // The response side of the burst rule only needs the byte count; RESP[0] tells OKAY
    // from EXOKAY and SLVERR from DECERR, which are the same here.
    wire unused_bits = &{1'b0, rsp_addr_unused, rsp_len_unused, n16[15:12], halt_code[31:4],
                         rq_rresp[0], rq_bresp[0]};

    always @(posedge clk) begin
        if (rst) begin
            state      <= S_IDLE;
            tx_head    <= 12'd0;
            rx_head    <= 12'd0;
            tx_frames  <= 32'd0;
            rx_frames  <= 32'd0;
            halted     <= 1'b0;
            err_code   <= 4'd0;
            err_addr   <= 64'd0;
            txd_at     <= 64'd0;
            rxd_at     <= 64'd0;
            tx_mask    <= 12'd0;
            rx_mask    <= 12'd0;
            d_issued   <= 2'd0;
            d_beat     <= 2'd0;
            txd_err    <= 1'b0;
            rxd_err    <= 1'b0;
            tx_buf     <= 64'd0;
            rx_buf     <= 64'd0;
            tx_len     <= 16'd0;
            rx_len     <= 16'd0;
            rx_flags   <= 16'd0;
            n          <= 12'd0;
            trunc      <= 1'b0;
            rng_base   <= 64'd0;
            rng_total  <= 12'd0;
            iss_off    <= 12'd0;
            rsp_off    <= 12'd0;
            out_cnt    <= 6'd0;
            beat       <= 9'd0;
            w_left     <= 5'd0;
            w_end      <= 12'd0;
            x_err      <= 1'b0;
            x_err_addr <= 64'd0;
            wb_stage   <= 2'd0;
        end else begin
            // bursts outstanding: + each address handed over, - each last R beat or B
            out_cnt <= out_cnt + ((ar_take || aw_take) ? 6'd1 : 6'd0)
                               - (((rq_rvalid && rq_rlast) || rq_bvalid) ? 6'd1 : 6'd0);

            if (halt_now) begin
                halted   <= 1'b1;
                err_code <= halt_code[3:0];
                err_addr <= halt_addr;
                state    <= S_IDLE;
            end

            case (state)
                S_IDLE: if (start_now && !cfg_bad) begin
                    txd_at   <= tx_base + {48'd0, tx_head, 4'd0};
                    rxd_at   <= rx_base + {48'd0, rx_head, 4'd0};
                    tx_mask  <= tx_size[11:0] - 12'd1;     // 4096: 0 - 1 = 'hfff
                    rx_mask  <= rx_size[11:0] - 12'd1;
                    d_issued <= 2'd0;
                    d_beat   <= 2'd0;
                    txd_err  <= 1'b0;
                    rxd_err  <= 1'b0;
                    state    <= S_DESC;
                end

                S_DESC: begin
                    if (ar_take)
                        d_issued <= d_issued + 2'd1;
                    if (rq_rvalid) begin
                        d_beat <= d_beat + 2'd1;
                        // TX +0 (addr), TX +8 (len, flags, status), RX +0, RX +8
                        case (d_beat)
                            2'd0: tx_buf <= rq_rdata;
                            2'd1: tx_len <= rq_rdata[15:0];
                            2'd2: rx_buf <= rq_rdata;
                            default: begin
                                rx_len   <= rq_rdata[15:0];
                                rx_flags <= rq_rdata[31:16];
                            end
                        endcase
                        if (r_err) begin
                            if (d_beat[1]) rxd_err <= 1'b1;
                            else           txd_err <= 1'b1;
                        end
                    end
                    if (desc_done)
                        state <= S_CHECK;
                end

                S_CHECK: if (!halt_now) begin
                    n          <= n16[11:0];
                    trunc      <= rx_shorter;
                    rng_base   <= tx_buf;
                    rng_total  <= tx_len[11:0];
                    iss_off    <= 12'd0;
                    rsp_off    <= 12'd0;
                    beat       <= 9'd0;
                    x_err      <= 1'b0;
                    state      <= S_READ;
                end

                S_READ: begin
                    if (ar_take)
                        iss_off <= iss_off + {4'd0, iss_bytes};
                    if (rq_rvalid) begin
                        beat <= beat + 9'd1;
                        if (r_err && !x_err) begin
                            x_err      <= 1'b1;
                            x_err_addr <= rng_base + {52'd0, rsp_off};
                        end
                        if (rq_rlast)
                            rsp_off <= rsp_off + {4'd0, rsp_bytes};
                    end
                    if (read_done && !x_err) begin
                        rng_base  <= rx_buf;
                        rng_total <= n;
                        iss_off   <= 12'd0;
                        rsp_off   <= 12'd0;
                        beat      <= 9'd0;
                        w_left    <= 5'd0;
                        w_end     <= {9'd0, rx_buf[2:0]} + n - 12'd1;
                        wb_stage  <= 2'd0;
                        state     <= (n == 12'd0) ? S_WB : S_WRITE;
                    end
                end

                S_WRITE: begin
                    if (aw_take) begin
                        iss_off <= iss_off + {4'd0, iss_bytes};
                        w_left  <= iss_len[4:0] + 5'd1;
                    end else if (w_take) begin
                        w_left  <= w_left - 5'd1;
                    end
                    if (w_take)
                        beat <= beat + 9'd1;
                    if (rq_bvalid) begin
                        if (b_err && !x_err) begin
                            x_err      <= 1'b1;
                            x_err_addr <= rng_base + {52'd0, rsp_off};
                        end
                        rsp_off <= rsp_off + {4'd0, rsp_bytes};
                    end
                    if (write_done && !x_err) begin
                        wb_stage <= 2'd0;
                        state    <= S_WB;
                    end
                end

                S_WB: begin
                    if (aw_take)
                        wb_stage <= 2'd1;
                    if (w_take)
                        wb_stage <= 2'd2;
                    if (frame_done) begin
                        tx_head   <= (tx_head + 12'd1) & tx_mask;
                        rx_head   <= (rx_head + 12'd1) & rx_mask;
                        tx_frames <= tx_frames + 32'd1;
                        rx_frames <= rx_frames + 32'd1;
                        state     <= S_IDLE;
                    end
                end

                default: state <= S_IDLE;
            endcase
        end
    end
endmodule
