// lnic: a small loopback Ethernet controller. A TX and an RX ring of 16-byte descriptors;
// every frame between TX_HEAD and TX_TAIL is read from memory and written into the next
// posted RX buffer. Register map, descriptor format and behaviour: lnic-regs.h; design
// notes: README.md. Port contract: docs/devices.md.
//
//   lnic_regs        registers, AXI4-Lite slave, ISR/IMR and irq
//   lnic_seq         frame sequencer: descriptors, data phases, write-back, heads, errors
//   lnic_burst       the burst rule (16 beats, no 4 KiB crossing)
//   lnic_fbuf        frame buffer with a byte-aligned read port (realignment)
//   lnic_axi_master  AXI4 master pins, soft-reset drain
module lnic #(
    parameter ID_W = 1
) (
    input  wire            clk,
    input  wire            rst_n,            // synchronous, active low

    // AXI4-Lite slave: registers (BAR0, 4 KiB)
    input  wire [11:0]     s_axil_awaddr,
    input  wire            s_axil_awvalid,
    output wire            s_axil_awready,
    input  wire [31:0]     s_axil_wdata,
    input  wire [3:0]      s_axil_wstrb,
    input  wire            s_axil_wvalid,
    output wire            s_axil_wready,
    output wire [1:0]      s_axil_bresp,
    output wire            s_axil_bvalid,
    input  wire            s_axil_bready,
    input  wire [11:0]     s_axil_araddr,
    input  wire            s_axil_arvalid,
    output wire            s_axil_arready,
    output wire [31:0]     s_axil_rdata,
    output wire [1:0]      s_axil_rresp,
    output wire            s_axil_rvalid,
    input  wire            s_axil_rready,

    // AXI4 master: DMA
    output wire [ID_W-1:0] m_axi_awid,
    output wire [63:0]     m_axi_awaddr,
    output wire [7:0]      m_axi_awlen,
    output wire [2:0]      m_axi_awsize,
    output wire [1:0]      m_axi_awburst,
    output wire            m_axi_awvalid,
    input  wire            m_axi_awready,
    output wire [63:0]     m_axi_wdata,
    output wire [7:0]      m_axi_wstrb,
    output wire            m_axi_wlast,
    output wire            m_axi_wvalid,
    input  wire            m_axi_wready,
    input  wire [ID_W-1:0] m_axi_bid,
    input  wire [1:0]      m_axi_bresp,
    input  wire            m_axi_bvalid,
    output wire            m_axi_bready,
    output wire [ID_W-1:0] m_axi_arid,
    output wire [63:0]     m_axi_araddr,
    output wire [7:0]      m_axi_arlen,
    output wire [2:0]      m_axi_arsize,
    output wire [1:0]      m_axi_arburst,
    output wire            m_axi_arvalid,
    input  wire            m_axi_arready,
    input  wire [ID_W-1:0] m_axi_rid,
    input  wire [63:0]     m_axi_rdata,
    input  wire [1:0]      m_axi_rresp,
    input  wire            m_axi_rlast,
    input  wire            m_axi_rvalid,
    output wire            m_axi_rready,

    output wire            irq,              // level: (ISR & IMR) != 0
    output wire            idle,             // only a register access can change anything
    output wire            waiting           // only an R beat, a B response or a register
                                             // access can change anything
);
    // ---- registers ----
    wire        regs_quiet, srst, tx_en, rx_en;
    wire [63:0] tx_base, rx_base;
    wire [31:0] tx_size, tx_tail, rx_size, rx_tail;
    wire        set_tx_done, set_rx_done, set_err, busy, halted;
    wire [3:0]  err_code;
    wire [63:0] err_addr;
    wire [11:0] tx_head, rx_head;
    wire [31:0] tx_frames, rx_frames;

    lnic_regs u_regs (
        .clk(clk), .rst_n(rst_n),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
        .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
        .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid),
        .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid),
        .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
        .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready), .quiet(regs_quiet),
        .srst(srst), .tx_en(tx_en), .rx_en(rx_en),
        .tx_base(tx_base), .tx_size(tx_size), .tx_tail(tx_tail),
        .rx_base(rx_base), .rx_size(rx_size), .rx_tail(rx_tail), .irq(irq),
        .set_tx_done(set_tx_done), .set_rx_done(set_rx_done), .set_err(set_err),
        .busy(busy), .halted(halted), .err_code(err_code), .err_addr(err_addr),
        .tx_head(tx_head), .rx_head(rx_head), .tx_frames(tx_frames), .rx_frames(rx_frames));

    // ---- sequencer, frame buffer, AXI port ----
    wire        draining, axi_drained, axi_quiet, seq_nothing, seq_waiting;
    wire        rq_arvalid, rq_arready, rq_rvalid, rq_rlast;
    wire        rq_awvalid, rq_awready, rq_wvalid, rq_wready, rq_wlast, rq_bvalid;
    wire [63:0] rq_araddr, rq_rdata, rq_awaddr, rq_wdata;
    wire [7:0]  rq_arlen, rq_awlen, rq_wstrb;
    wire [1:0]  rq_rresp, rq_bresp;
    wire        fb_we;
    wire [8:0]  fb_waddr;
    wire [11:0] fb_raddr;
    wire [63:0] fb_wdata, fb_rdata;

    // A soft reset resets the sequencer at once; the AXI port then drains what was in flight
    // while the sequencer holds off (registers may be written meanwhile).
    lnic_seq u_seq (
        .clk(clk), .rst(!rst_n || srst), .hold(draining),
        .tx_en(tx_en), .rx_en(rx_en),
        .tx_base(tx_base), .tx_size(tx_size), .tx_tail(tx_tail),
        .rx_base(rx_base), .rx_size(rx_size), .rx_tail(rx_tail),
        .tx_head(tx_head), .rx_head(rx_head), .tx_frames(tx_frames), .rx_frames(rx_frames),
        .halted(halted), .err_code(err_code), .err_addr(err_addr), .busy(busy),
        .set_tx_done(set_tx_done), .set_rx_done(set_rx_done), .set_err(set_err),
        .nothing_to_do(seq_nothing), .waiting(seq_waiting),
        .rq_arvalid(rq_arvalid), .rq_arready(rq_arready), .rq_araddr(rq_araddr), .rq_arlen(rq_arlen),
        .rq_rvalid(rq_rvalid), .rq_rdata(rq_rdata), .rq_rresp(rq_rresp), .rq_rlast(rq_rlast),
        .rq_awvalid(rq_awvalid), .rq_awready(rq_awready), .rq_awaddr(rq_awaddr), .rq_awlen(rq_awlen),
        .rq_wvalid(rq_wvalid), .rq_wready(rq_wready), .rq_wdata(rq_wdata), .rq_wstrb(rq_wstrb),
        .rq_wlast(rq_wlast), .rq_bvalid(rq_bvalid), .rq_bresp(rq_bresp),
        .fb_we(fb_we), .fb_waddr(fb_waddr), .fb_wdata(fb_wdata), .fb_raddr(fb_raddr),
        .fb_rdata(fb_rdata));

    lnic_fbuf u_fbuf (
        .clk(clk), .we(fb_we), .waddr(fb_waddr), .wdata(fb_wdata), .raddr(fb_raddr), .rdata(fb_rdata));

    lnic_axi_master #(.ID_W(ID_W)) u_axi (
        .clk(clk), .rst_n(rst_n), .srst(srst), .draining(draining), .drained(axi_drained),
        .quiet(axi_quiet),
        .rq_arvalid(rq_arvalid), .rq_arready(rq_arready), .rq_araddr(rq_araddr), .rq_arlen(rq_arlen),
        .rq_rvalid(rq_rvalid), .rq_rdata(rq_rdata), .rq_rresp(rq_rresp), .rq_rlast(rq_rlast),
        .rq_awvalid(rq_awvalid), .rq_awready(rq_awready), .rq_awaddr(rq_awaddr), .rq_awlen(rq_awlen),
        .rq_wvalid(rq_wvalid), .rq_wready(rq_wready), .rq_wdata(rq_wdata), .rq_wstrb(rq_wstrb),
        .rq_wlast(rq_wlast), .rq_bvalid(rq_bvalid), .rq_bresp(rq_bresp),
        .m_axi_awid(m_axi_awid), .m_axi_awaddr(m_axi_awaddr), .m_axi_awlen(m_axi_awlen),
        .m_axi_awsize(m_axi_awsize), .m_axi_awburst(m_axi_awburst), .m_axi_awvalid(m_axi_awvalid),
        .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata), .m_axi_wstrb(m_axi_wstrb),
        .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid), .m_axi_wready(m_axi_wready),
        .m_axi_bid(m_axi_bid), .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid),
        .m_axi_bready(m_axi_bready), .m_axi_arid(m_axi_arid), .m_axi_araddr(m_axi_araddr),
        .m_axi_arlen(m_axi_arlen), .m_axi_arsize(m_axi_arsize), .m_axi_arburst(m_axi_arburst),
        .m_axi_arvalid(m_axi_arvalid), .m_axi_arready(m_axi_arready), .m_axi_rid(m_axi_rid),
        .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp), .m_axi_rlast(m_axi_rlast),
        .m_axi_rvalid(m_axi_rvalid), .m_axi_rready(m_axi_rready));

    // Both hints are functions of registers only (the bridge reads them between edges).
    // idle: no register access under way, no soft reset draining, nothing on the AXI pins or
    // owed by the bus, the sequencer between frames with no frame it could start.
    assign idle    = regs_quiet && !draining && axi_drained && seq_nothing;
    // waiting: no register anywhere changes at the next edge unless an R beat or B response
    // is presented or a register access arrives. idle implies it.
    assign waiting = regs_quiet && axi_quiet && seq_waiting;
endmodule
