// Register block behind BAR0: an AXI4-Lite slave and the registers software writes (CTRL,
// IMR, ISR, MAC, ring bases, sizes and tails); the sequencer's state (heads, counters,
// errors) is read through it. Map and meaning: lnic-regs.h (offsets in lnic_regs.vh).
//
// AXI4-Lite: AW and W may come together (the bridge presents both at once; the write takes
// effect at that edge) or in either order; B follows. One read and one write at a time.
// Every response is OKAY; unknown offsets read 0 and ignore writes. Byte strobes apply to
// every writable register; ISR is write-1-to-clear. A CTRL write with RESET (bit 31) set
// is a soft reset: `srst` is high at that edge, everything here except the MAC returns to
// its reset value (the other CTRL bits of that write are ignored) and CTRL reads 0.
`include "lnic_regs.vh"

module lnic_regs (
    input  wire        clk,
    input  wire        rst_n,

    // AXI4-Lite slave
    input  wire [11:0] s_axil_awaddr,
    input  wire        s_axil_awvalid,
    output wire        s_axil_awready,
    input  wire [31:0] s_axil_wdata,
    input  wire [3:0]  s_axil_wstrb,
    input  wire        s_axil_wvalid,
    output wire        s_axil_wready,
    output wire [1:0]  s_axil_bresp,
    output reg         s_axil_bvalid,
    input  wire        s_axil_bready,
    input  wire [11:0] s_axil_araddr,
    input  wire        s_axil_arvalid,
    output wire        s_axil_arready,
    output reg  [31:0] s_axil_rdata,
    output wire [1:0]  s_axil_rresp,
    output reg         s_axil_rvalid,
    input  wire        s_axil_rready,
    output wire        quiet,          // no register access under way

    // to the core
    output wire        srst,           // soft reset at this edge
    output reg         tx_en,
    output reg         rx_en,
    output reg  [63:0] tx_base,
    output reg  [31:0] tx_size,
    output reg  [31:0] tx_tail,
    output reg  [63:0] rx_base,
    output reg  [31:0] rx_size,
    output reg  [31:0] rx_tail,
    output wire        irq,            // (ISR & IMR) != 0

    // events and state from the sequencer
    input  wire        set_tx_done,
    input  wire        set_rx_done,
    input  wire        set_err,
    input  wire        busy,
    input  wire        halted,
    input  wire [3:0]  err_code,
    input  wire [63:0] err_addr,
    input  wire [11:0] tx_head,
    input  wire [11:0] rx_head,
    input  wire [31:0] tx_frames,
    input  wire [31:0] rx_frames
);
    localparam [1:0] OKAY = 2'b00;

    // Word offsets of the registers (byte offset >> 2).
    localparam [11:0] RA_ID         = `LNIC_REG_ID;
    localparam [11:0] RA_VERSION    = `LNIC_REG_VERSION;
    localparam [11:0] RA_CTRL       = `LNIC_REG_CTRL;
    localparam [11:0] RA_STATUS     = `LNIC_REG_STATUS;
    localparam [11:0] RA_ISR        = `LNIC_REG_ISR;
    localparam [11:0] RA_IMR        = `LNIC_REG_IMR;
    localparam [11:0] RA_ERR_CODE   = `LNIC_REG_ERR_CODE;
    localparam [11:0] RA_ERR_LO     = `LNIC_REG_ERR_ADDR_LO;
    localparam [11:0] RA_ERR_HI     = `LNIC_REG_ERR_ADDR_HI;
    localparam [11:0] RA_MAC_LO     = `LNIC_REG_MAC_LO;
    localparam [11:0] RA_MAC_HI     = `LNIC_REG_MAC_HI;
    localparam [11:0] RA_TX_BASE_LO = `LNIC_REG_TX_BASE_LO;
    localparam [11:0] RA_TX_BASE_HI = `LNIC_REG_TX_BASE_HI;
    localparam [11:0] RA_TX_SIZE    = `LNIC_REG_TX_SIZE;
    localparam [11:0] RA_TX_TAIL    = `LNIC_REG_TX_TAIL;
    localparam [11:0] RA_TX_HEAD    = `LNIC_REG_TX_HEAD;
    localparam [11:0] RA_RX_BASE_LO = `LNIC_REG_RX_BASE_LO;
    localparam [11:0] RA_RX_BASE_HI = `LNIC_REG_RX_BASE_HI;
    localparam [11:0] RA_RX_SIZE    = `LNIC_REG_RX_SIZE;
    localparam [11:0] RA_RX_TAIL    = `LNIC_REG_RX_TAIL;
    localparam [11:0] RA_RX_HEAD    = `LNIC_REG_RX_HEAD;
    localparam [11:0] RA_TX_FRAMES  = `LNIC_REG_TX_FRAMES;
    localparam [11:0] RA_RX_FRAMES  = `LNIC_REG_RX_FRAMES;
    localparam [9:0] R_ID         = RA_ID[11:2],
                     R_VERSION    = RA_VERSION[11:2],
                     R_CTRL       = RA_CTRL[11:2],
                     R_STATUS     = RA_STATUS[11:2],
                     R_ISR        = RA_ISR[11:2],
                     R_IMR        = RA_IMR[11:2],
                     R_ERR_CODE   = RA_ERR_CODE[11:2],
                     R_ERR_LO     = RA_ERR_LO[11:2],
                     R_ERR_HI     = RA_ERR_HI[11:2],
                     R_MAC_LO     = RA_MAC_LO[11:2],
                     R_MAC_HI     = RA_MAC_HI[11:2],
                     R_TX_BASE_LO = RA_TX_BASE_LO[11:2],
                     R_TX_BASE_HI = RA_TX_BASE_HI[11:2],
                     R_TX_SIZE    = RA_TX_SIZE[11:2],
                     R_TX_TAIL    = RA_TX_TAIL[11:2],
                     R_TX_HEAD    = RA_TX_HEAD[11:2],
                     R_RX_BASE_LO = RA_RX_BASE_LO[11:2],
                     R_RX_BASE_HI = RA_RX_BASE_HI[11:2],
                     R_RX_SIZE    = RA_RX_SIZE[11:2],
                     R_RX_TAIL    = RA_RX_TAIL[11:2],
                     R_RX_HEAD    = RA_RX_HEAD[11:2],
                     R_TX_FRAMES  = RA_TX_FRAMES[11:2],
                     R_RX_FRAMES  = RA_RX_FRAMES[11:2];

    localparam [31:0] CTRL_TX_EN  = `LNIC_CTRL_TX_EN;
    localparam [31:0] CTRL_RX_EN  = `LNIC_CTRL_RX_EN;
    localparam [31:0] CTRL_RESET  = `LNIC_CTRL_RESET;
    localparam [31:0] ST_LINK_UP  = `LNIC_STATUS_LINK_UP;
    localparam [31:0] ST_BUSY     = `LNIC_STATUS_BUSY;
    localparam [31:0] ST_HALTED   = `LNIC_STATUS_HALTED;
    localparam [31:0] INT_TX_DONE = `LNIC_INT_TX_DONE;
    localparam [31:0] INT_RX_DONE = `LNIC_INT_RX_DONE;
    localparam [31:0] INT_ERROR   = `LNIC_INT_ERROR;
    localparam [31:0] INT_ALL     = INT_TX_DONE | INT_RX_DONE | INT_ERROR;

    reg [31:0] isr, imr;               // only the INT_ALL bits are ever set
    reg [31:0] mac_lo;
    reg [15:0] mac_hi;

    assign irq = (isr & imr) != 32'd0;

    // ---- write channel: AW and W held until both are in ----
    reg        aw_have, w_have;
    reg [9:0]  aw_word_q;
    reg [31:0] w_data_q;
    reg [3:0]  w_strb_q;

    assign s_axil_awready = !aw_have && !s_axil_bvalid;
    assign s_axil_wready  = !w_have && !s_axil_bvalid;
    assign s_axil_bresp   = OKAY;
    assign s_axil_arready = !s_axil_rvalid;
    assign s_axil_rresp   = OKAY;
    assign quiet = !aw_have && !w_have && !s_axil_bvalid && !s_axil_rvalid;

    wire aw_hs = s_axil_awvalid && s_axil_awready;
    wire w_hs  = s_axil_wvalid && s_axil_wready;

    // The write happens at the edge where its second half arrives (both halves at once: then).
    wire        do_write = (aw_have || aw_hs) && (w_have || w_hs);
    wire [9:0]  wr_word  = aw_have ? aw_word_q : s_axil_awaddr[11:2];
    wire [31:0] wr_data  = w_have ? w_data_q : s_axil_wdata;
    wire [3:0]  wr_strb  = w_have ? w_strb_q : s_axil_wstrb;
    wire [31:0] wr_mask  = {{8{wr_strb[3]}}, {8{wr_strb[2]}}, {8{wr_strb[1]}}, {8{wr_strb[0]}}};
    wire [31:0] wr_bits  = wr_data & wr_mask;   // the bits this write sets (or, for ISR, clears)

    // Registers are whole 32-bit words; the byte lanes come from the strobes.
    wire unused_addr_bits = &{1'b0, s_axil_awaddr[1:0], s_axil_araddr[1:0]};

    function [31:0] merge(input [31:0] old, input [31:0] val, input [31:0] mask);
        merge = (old & ~mask) | (val & mask);
    endfunction

    assign srst = do_write && (wr_word == R_CTRL) && ((wr_bits & CTRL_RESET) != 32'd0);

    wire [31:0] isr_set = (set_tx_done ? INT_TX_DONE : 32'd0) |
                          (set_rx_done ? INT_RX_DONE : 32'd0) |
                          (set_err     ? INT_ERROR   : 32'd0);
    wire [31:0] isr_clr = (do_write && wr_word == R_ISR) ? wr_bits : 32'd0;

    always @(posedge clk) begin
        if (!rst_n) begin
            mac_lo <= 32'd0;
            mac_hi <= 16'd0;
        end else if (do_write) begin
            if (wr_word == R_MAC_LO) mac_lo <= merge(mac_lo, wr_data, wr_mask);
            if (wr_word == R_MAC_HI) mac_hi <= (mac_hi & ~wr_mask[15:0]) | wr_bits[15:0];
        end
    end

    always @(posedge clk) begin
        if (!rst_n || srst) begin
            tx_en   <= 1'b0;
            rx_en   <= 1'b0;
            isr     <= 32'd0;
            imr     <= 32'd0;
            tx_base <= 64'd0;
            tx_size <= 32'd0;
            tx_tail <= 32'd0;
            rx_base <= 64'd0;
            rx_size <= 32'd0;
            rx_tail <= 32'd0;
        end else begin
            // A bit raised and cleared at the same edge stays raised: the event is newer.
            isr <= ((isr & ~isr_clr) | isr_set) & INT_ALL;
            if (do_write) begin
                case (wr_word)
                    R_CTRL: begin
                        if (wr_strb[0]) begin
                            tx_en <= (wr_data & CTRL_TX_EN) != 32'd0;
                            rx_en <= (wr_data & CTRL_RX_EN) != 32'd0;
                        end
                    end
                    R_IMR:        imr             <= merge(imr, wr_data, wr_mask) & INT_ALL;
                    R_TX_BASE_LO: tx_base[31:0]   <= merge(tx_base[31:0], wr_data, wr_mask);
                    R_TX_BASE_HI: tx_base[63:32]  <= merge(tx_base[63:32], wr_data, wr_mask);
                    R_TX_SIZE:    tx_size         <= merge(tx_size, wr_data, wr_mask);
                    R_TX_TAIL:    tx_tail         <= merge(tx_tail, wr_data, wr_mask);
                    R_RX_BASE_LO: rx_base[31:0]   <= merge(rx_base[31:0], wr_data, wr_mask);
                    R_RX_BASE_HI: rx_base[63:32]  <= merge(rx_base[63:32], wr_data, wr_mask);
                    R_RX_SIZE:    rx_size         <= merge(rx_size, wr_data, wr_mask);
                    R_RX_TAIL:    rx_tail         <= merge(rx_tail, wr_data, wr_mask);
                    default: ;    // read-only, MAC (above) or unknown
                endcase
            end
        end
    end

    // ---- AXI4-Lite handshakes and read data ----
    always @(posedge clk) begin
        if (!rst_n) begin
            aw_have       <= 1'b0;
            w_have        <= 1'b0;
            aw_word_q     <= 10'd0;
            w_data_q      <= 32'd0;
            w_strb_q      <= 4'd0;
            s_axil_bvalid <= 1'b0;
            s_axil_rvalid <= 1'b0;
            s_axil_rdata  <= 32'd0;
        end else begin
            if (do_write) begin
                aw_have       <= 1'b0;
                w_have        <= 1'b0;
                s_axil_bvalid <= 1'b1;
            end else begin
                if (aw_hs) begin
                    aw_have   <= 1'b1;
                    aw_word_q <= s_axil_awaddr[11:2];
                end
                if (w_hs) begin
                    w_have   <= 1'b1;
                    w_data_q <= s_axil_wdata;
                    w_strb_q <= s_axil_wstrb;
                end
                if (s_axil_bready)
                    s_axil_bvalid <= 1'b0;
            end

            if (s_axil_arvalid && s_axil_arready) begin
                s_axil_rvalid <= 1'b1;
                case (s_axil_araddr[11:2])
                    R_ID:         s_axil_rdata <= `LNIC_ID_VALUE;
                    R_VERSION:    s_axil_rdata <= `LNIC_VERSION_VALUE;
                    R_CTRL:       s_axil_rdata <= (tx_en ? CTRL_TX_EN : 32'd0) | (rx_en ? CTRL_RX_EN : 32'd0);
                    R_STATUS:     s_axil_rdata <= ST_LINK_UP | (busy ? ST_BUSY : 32'd0) |
                                                  (halted ? ST_HALTED : 32'd0);
                    R_ISR:        s_axil_rdata <= isr;
                    R_IMR:        s_axil_rdata <= imr;
                    R_ERR_CODE:   s_axil_rdata <= {28'd0, err_code};
                    R_ERR_LO:     s_axil_rdata <= err_addr[31:0];
                    R_ERR_HI:     s_axil_rdata <= err_addr[63:32];
                    R_MAC_LO:     s_axil_rdata <= mac_lo;
                    R_MAC_HI:     s_axil_rdata <= {16'd0, mac_hi};
                    R_TX_BASE_LO: s_axil_rdata <= tx_base[31:0];
                    R_TX_BASE_HI: s_axil_rdata <= tx_base[63:32];
                    R_TX_SIZE:    s_axil_rdata <= tx_size;
                    R_TX_TAIL:    s_axil_rdata <= tx_tail;
                    R_TX_HEAD:    s_axil_rdata <= {20'd0, tx_head};
                    R_RX_BASE_LO: s_axil_rdata <= rx_base[31:0];
                    R_RX_BASE_HI: s_axil_rdata <= rx_base[63:32];
                    R_RX_SIZE:    s_axil_rdata <= rx_size;
                    R_RX_TAIL:    s_axil_rdata <= rx_tail;
                    R_RX_HEAD:    s_axil_rdata <= {20'd0, rx_head};
                    R_TX_FRAMES:  s_axil_rdata <= tx_frames;
                    R_RX_FRAMES:  s_axil_rdata <= rx_frames;
                    default:      s_axil_rdata <= 32'd0;
                endcase
            end else if (s_axil_rready) begin
                s_axil_rvalid <= 1'b0;
            end
        end
    end
endmodule
