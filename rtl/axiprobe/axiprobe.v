// axiprobe: a test device for the pin-level AXI4 bridge at any data width. It reads a byte
// range and checksums it, or writes a byte pattern over exactly a range, in bursts of
// full-bus beats that start mid-bus when the range does, with several read bursts in flight,
// each with its own ID. The register map is axiprobe-regs.h (offsets repeated below);
// README.md says what it is for. Port contract: docs/devices.md.
//
// Every output is a register or a function of registers only: the bridge samples handshakes
// before it evaluates the edge.
module axiprobe #(
    parameter DATA_W = 64,             // AXI4 data: 32, 64, 128 or 256
    parameter ID_W   = 4
) (
    input  wire                clk,
    input  wire                rst_n,          // synchronous, active low

    // AXI4-Lite slave: registers (BAR0, 4 KiB)
    input  wire [11:0]         s_axil_awaddr,
    input  wire                s_axil_awvalid,
    output wire                s_axil_awready,
    input  wire [31:0]         s_axil_wdata,
    input  wire [3:0]          s_axil_wstrb,
    input  wire                s_axil_wvalid,
    output wire                s_axil_wready,
    output wire [1:0]          s_axil_bresp,
    output reg                 s_axil_bvalid,
    input  wire                s_axil_bready,
    input  wire [11:0]         s_axil_araddr,
    input  wire                s_axil_arvalid,
    output wire                s_axil_arready,
    output reg  [31:0]         s_axil_rdata,
    output wire [1:0]          s_axil_rresp,
    output reg                 s_axil_rvalid,
    input  wire                s_axil_rready,

    // AXI4 master: DMA
    output wire [ID_W-1:0]     m_axi_awid,
    output wire [63:0]         m_axi_awaddr,
    output wire [7:0]          m_axi_awlen,
    output wire [2:0]          m_axi_awsize,
    output wire [1:0]          m_axi_awburst,
    output wire                m_axi_awvalid,
    input  wire                m_axi_awready,
    output reg  [DATA_W-1:0]   m_axi_wdata,
    output reg  [DATA_W/8-1:0] m_axi_wstrb,
    output wire                m_axi_wlast,
    output reg                 m_axi_wvalid,
    input  wire                m_axi_wready,
    input  wire [ID_W-1:0]     m_axi_bid,
    input  wire [1:0]          m_axi_bresp,
    input  wire                m_axi_bvalid,
    output wire                m_axi_bready,
    output wire [ID_W-1:0]     m_axi_arid,
    output wire [63:0]         m_axi_araddr,
    output wire [7:0]          m_axi_arlen,
    output wire [2:0]          m_axi_arsize,
    output wire [1:0]          m_axi_arburst,
    output wire                m_axi_arvalid,
    input  wire                m_axi_arready,
    input  wire [ID_W-1:0]     m_axi_rid,
    input  wire [DATA_W-1:0]   m_axi_rdata,
    input  wire [1:0]          m_axi_rresp,
    input  wire                m_axi_rlast,
    input  wire                m_axi_rvalid,
    output wire                m_axi_rready,

    output wire                irq,            // level: STATUS.DONE
    output wire                idle,           // no operation, no register access under way
    output wire                waiting         // only an R beat, a B or a register access can
                                               // change anything
);
    localparam BW = DATA_W / 8;
    localparam LB = (DATA_W == 32) ? 2 : (DATA_W == 64) ? 3 : (DATA_W == 128) ? 4 : 5;

    // Word offsets (byte offset >> 2) of axiprobe-regs.h.
    localparam [9:0] R_ID = 10'h000, R_INFO = 10'h001, R_ADDR_LO = 10'h002, R_ADDR_HI = 10'h003,
                     R_LEN = 10'h004, R_OP = 10'h005, R_SEED = 10'h006, R_MAX_OUT = 10'h007,
                     R_GO = 10'h008, R_STATUS = 10'h009, R_RESULT = 10'h00a, R_BURSTS = 10'h00b,
                     R_ERR_CODE = 10'h00c, R_MAX_SEEN = 10'h00d, R_BEATS = 10'h00e;
    localparam [31:0] ID_VALUE = 32'h41585052;                     // "AXPR"
    localparam [7:0]  OP_READ = 8'd1, OP_WRITE = 8'd2;
    localparam [2:0]  E_NONE = 3'd0, E_ARGS = 3'd1, E_RESP = 3'd2, E_ID = 3'd3, E_LAST = 3'd4;

    // ---- AXI4-Lite slave: AW and W held until both are in, one read at a time ----
    reg        aw_have, w_have;
    reg [9:0]  aw_word_q;
    reg [31:0] w_data_q;
    reg [3:0]  w_strb_q;

    assign s_axil_awready = !aw_have && !s_axil_bvalid;
    assign s_axil_wready  = !w_have && !s_axil_bvalid;
    assign s_axil_arready = !s_axil_rvalid;
    assign s_axil_bresp   = 2'b00;
    assign s_axil_rresp   = 2'b00;
    wire quiet = !aw_have && !w_have && !s_axil_bvalid && !s_axil_rvalid;

    wire aw_hs = s_axil_awvalid && s_axil_awready;
    wire w_hs  = s_axil_wvalid && s_axil_wready;
    wire ar_hs = s_axil_arvalid && s_axil_arready;

    wire        do_write = (aw_have || aw_hs) && (w_have || w_hs);
    wire [9:0]  wr_word  = aw_have ? aw_word_q : s_axil_awaddr[11:2];
    wire [31:0] wr_data  = w_have ? w_data_q : s_axil_wdata;
    wire [3:0]  wr_strb  = w_have ? w_strb_q : s_axil_wstrb;
    wire [31:0] wr_mask  = {{8{wr_strb[3]}}, {8{wr_strb[2]}}, {8{wr_strb[1]}}, {8{wr_strb[0]}}};
    wire [1:0]  wr_bits  = wr_data[1:0] & {2{wr_strb[0]}};   // GO, STATUS.DONE

    wire unused_lite = &{1'b0, s_axil_awaddr[1:0], s_axil_araddr[1:0], s_axil_bready, s_axil_rready};

    function [31:0] merge(input [31:0] old, input [31:0] val, input [31:0] mask);
        merge = (old & ~mask) | (val & mask);
    endfunction

    always @(posedge clk) begin
        if (!rst_n) begin
            aw_have <= 1'b0;
            w_have <= 1'b0;
            s_axil_bvalid <= 1'b0;
        end else begin
            // The bridge keeps BREADY high: B lasts one cycle.
            if (s_axil_bvalid) s_axil_bvalid <= 1'b0;
            if (do_write) begin
                aw_have <= 1'b0;
                w_have <= 1'b0;
                s_axil_bvalid <= 1'b1;
            end else begin
                if (aw_hs) begin
                    aw_have <= 1'b1;
                    aw_word_q <= s_axil_awaddr[11:2];
                end
                if (w_hs) begin
                    w_have <= 1'b1;
                    w_data_q <= s_axil_wdata;
                    w_strb_q <= s_axil_wstrb;
                end
            end
        end
    end

    // ---- registers ----
    reg [31:0] addr_lo, addr_hi, len, op, seed, max_out;
    reg        busy, done, err;
    reg [2:0]  err_code;
    reg [31:0] result;
    reg [15:0] bursts;                 // issued this operation; burst k has ID k mod 2^ID_W
    reg [15:0] ret_n;                  // bursts completed (last R beat, or B)
    reg [15:0] beats;
    reg [2:0]  max_seen;

    wire [12:0] len13 = len[12:0];
    wire        bad_args = len == 32'd0 || len > 32'd4096 || (op != {24'd0, OP_READ} && op != {24'd0, OP_WRITE}) ||
                           max_out == 32'd0 || max_out > 32'd4;
    wire        is_wr = op[7:0] == OP_WRITE;
    wire        go = do_write && wr_word == R_GO && wr_bits[0] && !busy;

    // ---- the operation ----
    reg [63:0] iss_addr;               // next byte to put in a burst
    reg [12:0] iss_rem;                // bytes not yet in a burst
    reg [2:0]  out_cnt;                // bursts accepted (AR or AW) and not completed
    reg        axvalid;                // AR (read) or AW (write) presented
    reg [63:0] ax_addr;
    reg [3:0]  ax_len;
    reg [ID_W-1:0] ax_id;
    reg [3:0]  blen0, blen1, blen2, blen3;  // AxLEN of bursts in flight, by burst number mod 4
    reg [15:0] win;                    // low bits of the bus word of the next R beat / W beat
    reg [3:0]  rbeat, wbeat;           // beat within the burst returning / being written

    wire [3:0]  nb_len;
    wire [12:0] nb_bytes;
    axiprobe_burst #(.BW(BW), .LB(LB)) u_burst (
        .addr(iss_addr[11:0]), .rem(iss_rem), .axlen(nb_len), .bytes(nb_bytes));

    wire [3:0] ret_len = (ret_n[1:0] == 2'd0) ? blen0 : (ret_n[1:0] == 2'd1) ? blen1 :
                         (ret_n[1:0] == 2'd2) ? blen2 : blen3;
    wire [ID_W-1:0] ret_id = ret_n[ID_W-1:0];

    wire can_issue = busy && !axvalid && !m_axi_wvalid && iss_rem != 13'd0 && {29'd0, out_cnt} < max_out;
    wire finishing = busy && !axvalid && !m_axi_wvalid && iss_rem == 13'd0 && out_cnt == 3'd0;

    wire ax_hs  = axvalid && (is_wr ? m_axi_awready : m_axi_arready);
    wire wb_hs  = m_axi_wvalid && m_axi_wready;
    wire wb_end = wb_hs && wbeat == ax_len;
    // R and B are only expected for bursts in flight; anything else is a bridge error.
    wire r_ok   = busy && !is_wr && out_cnt != 3'd0;
    wire b_ok   = busy && is_wr && out_cnt != 3'd0;
    wire r_hs   = m_axi_rvalid && r_ok;
    wire r_end  = r_hs && rbeat == ret_len;
    wire b_hs   = m_axi_bvalid && b_ok;
    wire stray  = (m_axi_rvalid && !r_ok) || (m_axi_bvalid && !b_ok);

    wire [2:0] out_next = out_cnt + {2'd0, ax_hs} - {2'd0, r_end || b_hs};

    reg [2:0] resp_err;
    always @* begin
        resp_err = E_NONE;
        if (stray) resp_err = E_ID;
        else if (r_hs) begin
            if (m_axi_rresp != 2'b00) resp_err = E_RESP;
            else if (m_axi_rid != ret_id) resp_err = E_ID;
            else if (m_axi_rlast != (rbeat == ret_len)) resp_err = E_LAST;
        end else if (b_hs) begin
            if (m_axi_bresp != 2'b00) resp_err = E_RESP;
            else if (m_axi_bid != ret_id) resp_err = E_ID;
        end
    end

    // Byte lane l of the bus word at `win` is byte (win - ADDR + l) of the range; offsets
    // outside [0, LEN) wrap to >= 2^16 - BW, above any LEN.
    wire [15:0] diff = win - addr_lo[15:0];
    reg  [31:0] rsum;
    reg  [15:0] idx;
    reg  [12:0] weight;
    integer l;
    always @* begin
        rsum = 32'd0;
        m_axi_wdata = {DATA_W{1'b0}};
        m_axi_wstrb = {BW{1'b0}};
        for (l = 0; l < BW; l = l + 1) begin
            idx = diff + l[15:0];
            weight = idx[12:0] + 13'd1;
            if (idx < {3'd0, len13}) begin
                rsum = rsum + {24'd0, m_axi_rdata[8*l +: 8]} * {19'd0, weight};
                m_axi_wstrb[l] = 1'b1;
                m_axi_wdata[8*l +: 8] = seed[7:0] + idx[7:0];
            end
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            addr_lo <= 32'd0;
            addr_hi <= 32'd0;
            len <= 32'd0;
            op <= 32'd0;
            seed <= 32'd0;
            max_out <= 32'd1;
            busy <= 1'b0;
            done <= 1'b0;
            err <= 1'b0;
            err_code <= E_NONE;
            result <= 32'd0;
            bursts <= 16'd0;
            ret_n <= 16'd0;
            beats <= 16'd0;
            max_seen <= 3'd0;
            iss_addr <= 64'd0;
            iss_rem <= 13'd0;
            out_cnt <= 3'd0;
            axvalid <= 1'b0;
            m_axi_wvalid <= 1'b0;
            rbeat <= 4'd0;
            wbeat <= 4'd0;
        end else begin
            // Configuration is frozen while an operation runs.
            if (do_write && !busy) begin
                if (wr_word == R_ADDR_LO) addr_lo <= merge(addr_lo, wr_data, wr_mask);
                if (wr_word == R_ADDR_HI) addr_hi <= merge(addr_hi, wr_data, wr_mask);
                if (wr_word == R_LEN) len <= merge(len, wr_data, wr_mask);
                if (wr_word == R_OP) op <= merge(op, wr_data, wr_mask);
                if (wr_word == R_SEED) seed <= merge(seed, wr_data, wr_mask);
                if (wr_word == R_MAX_OUT) max_out <= merge(max_out, wr_data, wr_mask);
            end
            // DONE is write-1-to-clear (with ERROR); it is 0 while busy, and ERROR stays.
            if (do_write && wr_word == R_STATUS && wr_bits[1] && !busy) begin
                done <= 1'b0;
                err <= 1'b0;
            end

            if (go) begin
                done <= bad_args;
                err <= bad_args;
                err_code <= bad_args ? E_ARGS : E_NONE;
                busy <= !bad_args;
                result <= 32'd0;
                bursts <= 16'd0;
                ret_n <= 16'd0;
                beats <= 16'd0;
                max_seen <= 3'd0;
                iss_addr <= {addr_hi, addr_lo};
                iss_rem <= len13;
                out_cnt <= 3'd0;
                rbeat <= 4'd0;
                win <= {addr_lo[15:LB], {LB{1'b0}}};
            end else if (busy) begin
                if (can_issue) begin
                    axvalid <= 1'b1;
                    ax_addr <= iss_addr;
                    ax_len <= nb_len;
                    ax_id <= bursts[ID_W-1:0];
                    case (bursts[1:0])
                        2'd0: blen0 <= nb_len;
                        2'd1: blen1 <= nb_len;
                        2'd2: blen2 <= nb_len;
                        default: blen3 <= nb_len;
                    endcase
                    bursts <= bursts + 16'd1;
                    iss_addr <= iss_addr + {51'd0, nb_bytes};
                    iss_rem <= iss_rem - nb_bytes;
                    if (is_wr) begin
                        win <= {iss_addr[15:LB], {LB{1'b0}}};
                        wbeat <= 4'd0;
                    end
                end
                if (ax_hs) begin
                    axvalid <= 1'b0;
                    if (is_wr) m_axi_wvalid <= 1'b1;   // W beats follow their AW
                end
                if (wb_hs) begin
                    win <= win + BW[15:0];
                    beats <= beats + 16'd1;
                    wbeat <= wbeat + 4'd1;
                    if (wb_end) m_axi_wvalid <= 1'b0;
                end
                if (r_hs) begin
                    result <= result + rsum;
                    win <= win + BW[15:0];
                    beats <= beats + 16'd1;
                    rbeat <= r_end ? 4'd0 : rbeat + 4'd1;
                end
                if (r_end || b_hs) ret_n <= ret_n + 16'd1;
                out_cnt <= out_next;
                if (out_next > max_seen) max_seen <= out_next;
                if (finishing) begin
                    busy <= 1'b0;
                    done <= 1'b1;
                end
            end
            // Errors are recorded (the first one's code); the operation runs to its end.
            if (resp_err != E_NONE) begin
                err <= 1'b1;
                if (err_code == E_NONE) err_code <= resp_err;
            end
        end
    end

    always @(posedge clk) begin
        if (!rst_n) s_axil_rvalid <= 1'b0;
        else if (s_axil_rvalid) s_axil_rvalid <= 1'b0;   // RREADY is always high
        else if (ar_hs) begin
            s_axil_rvalid <= 1'b1;
            case (s_axil_araddr[11:2])
                R_ID:       s_axil_rdata <= ID_VALUE;
                R_INFO:     s_axil_rdata <= {8'd0, ID_W[7:0], DATA_W[15:0]};
                R_ADDR_LO:  s_axil_rdata <= addr_lo;
                R_ADDR_HI:  s_axil_rdata <= addr_hi;
                R_LEN:      s_axil_rdata <= len;
                R_OP:       s_axil_rdata <= op;
                R_SEED:     s_axil_rdata <= seed;
                R_MAX_OUT:  s_axil_rdata <= max_out;
                R_STATUS:   s_axil_rdata <= {29'd0, err, done, busy};
                R_RESULT:   s_axil_rdata <= result;
                R_BURSTS:   s_axil_rdata <= {16'd0, bursts};
                R_ERR_CODE: s_axil_rdata <= {29'd0, err_code};
                R_MAX_SEEN: s_axil_rdata <= {29'd0, max_seen};
                R_BEATS:    s_axil_rdata <= {16'd0, beats};
                default:    s_axil_rdata <= 32'd0;
            endcase
        end
    end

    // ---- AXI4 pins ----
    localparam [2:0] SIZE = LB[2:0];
    assign m_axi_arvalid = axvalid && !is_wr;
    assign m_axi_awvalid = axvalid && is_wr;
    assign m_axi_araddr  = ax_addr;
    assign m_axi_awaddr  = ax_addr;
    assign m_axi_arlen   = {4'd0, ax_len};
    assign m_axi_awlen   = {4'd0, ax_len};
    assign m_axi_arid    = ax_id;
    assign m_axi_awid    = ax_id;
    assign m_axi_arsize  = SIZE;
    assign m_axi_awsize  = SIZE;
    assign m_axi_arburst = 2'b01;      // INCR
    assign m_axi_awburst = 2'b01;
    assign m_axi_wlast   = wbeat == ax_len;
    assign m_axi_rready  = 1'b1;
    assign m_axi_bready  = 1'b1;

    assign irq     = done;
    assign idle    = quiet && !busy;
    // Busy, nothing to present, nothing to issue or finish: only a response moves it on.
    assign waiting = quiet && (!busy || (!axvalid && !m_axi_wvalid && out_cnt != 3'd0 &&
                                         (iss_rem == 13'd0 || {29'd0, out_cnt} >= max_out)));
endmodule
