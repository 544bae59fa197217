// DMA engine top level: descriptor-ring DMA controller with an AXI4-Lite register slave
// (BAR0, 4 KiB), an AXI4 master (64-bit data, INCR bursts that never cross 4 KiB: reads of
// up to 64 beats, at most RD_TAGS of them outstanding, writes of up to 16 beats), 64 KiB of
// on-chip SRAM, a level interrupt and MSI writes.
// See rtl/README.md for registers, descriptor format, errors and soft reset.
//
//   dma_regs       register block (AXI4-Lite slave)
//   dma_sequencer  descriptor ring: fetch, check, write-back, CONSUMER, interrupts, MSI writes
//   dma_mover      data movement (byte FIFO, CRC-32), uses dma_burst_calc, dma_byte_fifo, dma_crc32
//   dma_irq        level interrupt / MSI requests
//   dma_axi_master AXI4 master pins, soft-reset drain
//   dma_sram       on-chip SRAM
module dma_engine #(
    parameter ID_W    = 4,
    parameter RD_TAGS = 4                    // read bursts outstanding at most (1..16)
) (
    input  wire            clk,
    input  wire            rst_n,            // synchronous, active low

    // AXI4-Lite slave: registers (BAR0)
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

    // interrupts
    output wire            irq,              // legacy level (INTx)
    input  wire            msi_enable,       // from PCI config space (MSI capability)
    input  wire [63:0]     msi_addr,
    input  wire [31:0]     msi_data,

    output wire            idle,             // nothing in flight, nothing pending
    output wire            waiting           // only an R beat, a B response or a register access
                                             // can change anything: clocks may be skipped
);
    localparam SRAM_AW    = 13;              // 8192 words of 64 bits = 64 KiB
    localparam [31:0] SRAM_BYTES = 32'd8 << SRAM_AW;

    // ---- registers ----
    wire        ctrl_enable, ctrl_ie, ctrl_irq_mode, srst_busy, regs_quiet;
    wire [63:0] ring_base;
    wire [31:0] ring_size, producer;
    wire [1:0]  int_status, int_mask;
    wire        set_done, set_err;
    wire        seq_busy, halted, msi_err, work_pending;
    wire [7:0]  err_code;
    wire [1:0]  err_resp;
    wire [15:0] consumer;
    wire [63:0] err_addr;
    wire        axi_drained, axi_quiet;
    wire [1:0]  msi_pending, msi_taken;
    wire        irq_settled, seq_waiting, mv_waiting;

    // Core reset: rst_n, or a soft reset while the AXI master drains.
    wire core_rst = !rst_n || srst_busy;

    assign idle = !srst_busy && !seq_busy && !mv_busy && !work_pending && (msi_pending == 2'b00) &&
                  irq_settled && axi_drained && regs_quiet;
    // No register of the design changes at the next edge unless the AXI master gets an R beat
    // or a B response, or a register access arrives. Implied by idle. Nothing counts cycles,
    // so the bridge skips clocks while this holds and no response is due yet.
    assign waiting = !srst_busy && regs_quiet && irq_settled && (msi_pending == 2'b00) && axi_quiet &&
                     seq_waiting && mv_waiting;

    dma_regs #(.SRAM_BYTES(SRAM_BYTES)) u_regs (
        .clk(clk), .rst_n(rst_n),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
        .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
        .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid),
        .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid),
        .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
        .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready), .quiet(regs_quiet),
        .ctrl_enable(ctrl_enable), .ctrl_ie(ctrl_ie), .ctrl_irq_mode(ctrl_irq_mode),
        .srst_busy(srst_busy), .srst_drained(axi_drained),
        .ring_base(ring_base), .ring_size(ring_size), .producer(producer),
        .int_status(int_status), .int_mask(int_mask), .set_done(set_done), .set_err(set_err),
        .busy(seq_busy || srst_busy), .halted(halted), .msi_err(msi_err), .idle(idle),
        .err_code(err_code), .err_resp(err_resp), .consumer(consumer), .err_addr(err_addr));

    dma_irq u_irq (
        .clk(clk), .rst(core_rst),
        .int_status(int_status), .int_mask(int_mask), .ie(ctrl_ie), .irq_mode(ctrl_irq_mode),
        .msi_enable(msi_enable), .msi_taken(msi_taken), .irq(irq), .msi_pending(msi_pending),
        .settled(irq_settled));

    // ---- request interface: the sequencer, or the mover while it runs ----
    wire        rq_arvalid, rq_arready, rq_rvalid, rq_rready, rq_rlast;
    wire [63:0] rq_araddr, rq_rdata, rq_awaddr, rq_wdata;
    wire [7:0]  rq_arlen, rq_awlen, rq_wstrb;
    wire [2:0]  rq_arsize, rq_awsize;
    wire [1:0]  rq_rresp, rq_bresp;
    wire        rq_awvalid, rq_awready, rq_wvalid, rq_wready, rq_wlast, rq_bvalid, rq_bready;

    wire        sq_arvalid, sq_rready, sq_awvalid, sq_wvalid, sq_bready;
    wire [63:0] sq_araddr, sq_awaddr, sq_wdata;
    wire [2:0]  sq_awsize;
    wire [7:0]  sq_wstrb;

    wire        mv_arvalid, mv_rready, mv_awvalid, mv_wvalid, mv_wlast, mv_bready;
    wire [63:0] mv_araddr, mv_awaddr, mv_wdata;
    wire [7:0]  mv_arlen, mv_awlen, mv_wstrb;

    wire        mover_bus;
    assign rq_arvalid = mover_bus ? mv_arvalid : sq_arvalid;
    assign rq_araddr  = mover_bus ? mv_araddr  : sq_araddr;
    assign rq_arlen   = mover_bus ? mv_arlen   : 8'd3;        // descriptor: 4 beats
    assign rq_arsize  = 3'd3;
    assign rq_rready  = mover_bus ? mv_rready  : sq_rready;
    assign rq_awvalid = mover_bus ? mv_awvalid : sq_awvalid;
    assign rq_awaddr  = mover_bus ? mv_awaddr  : sq_awaddr;
    assign rq_awlen   = mover_bus ? mv_awlen   : 8'd0;        // write-back, MSI: 1 beat
    assign rq_awsize  = mover_bus ? 3'd3       : sq_awsize;
    assign rq_wvalid  = mover_bus ? mv_wvalid  : sq_wvalid;
    assign rq_wdata   = mover_bus ? mv_wdata   : sq_wdata;
    assign rq_wstrb   = mover_bus ? mv_wstrb   : sq_wstrb;
    assign rq_wlast   = mover_bus ? mv_wlast   : 1'b1;
    assign rq_bready  = mover_bus ? mv_bready  : sq_bready;

    // ---- sequencer and mover ----
    wire        mv_start, mv_done;
    wire [1:0]  mv_src_kind;
    wire [2:0]  mv_err_kind;
    wire        mv_dst_sram;
    wire [63:0] mv_src, mv_dst, mv_err_addr;
    wire [31:0] mv_len, mv_crc;
    wire [1:0]  mv_err_resp;
    wire        mv_busy;

    dma_sequencer #(.SRAM_BYTES({32'd0, SRAM_BYTES})) u_seq (
        .clk(clk), .rst(core_rst),
        .enable(ctrl_enable), .ring_base(ring_base), .ring_size(ring_size), .producer(producer),
        .msi_addr(msi_addr), .msi_data(msi_data),
        .consumer(consumer), .halted(halted), .err_code(err_code), .err_resp(err_resp),
        .err_addr(err_addr), .msi_err(msi_err), .busy(seq_busy), .work_pending(work_pending),
        .waiting(seq_waiting),
        .set_done(set_done), .set_err(set_err), .msi_pending(msi_pending), .msi_taken(msi_taken),
        .mover_owns_bus(mover_bus), .mv_start(mv_start), .mv_src_kind(mv_src_kind), .mv_dst_sram(mv_dst_sram), .mv_src(mv_src),
        .mv_dst(mv_dst), .mv_len(mv_len), .mv_done(mv_done), .mv_err_kind(mv_err_kind),
        .mv_err_resp(mv_err_resp), .mv_err_addr(mv_err_addr), .mv_crc(mv_crc),
        .ar_valid(sq_arvalid), .ar_ready(rq_arready && !mover_bus), .ar_addr(sq_araddr),
        .r_valid(rq_rvalid && !mover_bus), .r_ready(sq_rready), .r_data(rq_rdata),
        .r_resp(rq_rresp), .r_last(rq_rlast),
        .aw_valid(sq_awvalid), .aw_ready(rq_awready && !mover_bus), .aw_addr(sq_awaddr),
        .aw_size(sq_awsize),
        .w_valid(sq_wvalid), .w_ready(rq_wready && !mover_bus), .w_data(sq_wdata), .w_strb(sq_wstrb),
        .b_valid(rq_bvalid && !mover_bus), .b_ready(sq_bready), .b_resp(rq_bresp));

    wire                sram_rd_en, sram_wr_en;
    wire [SRAM_AW-1:0]  sram_rd_addr, sram_wr_addr;
    wire [63:0]         sram_rd_data, sram_wr_data;
    wire [7:0]          sram_wr_be;

    dma_mover #(.RD_TAGS(RD_TAGS), .SRAM_AW(SRAM_AW)) u_mover (
        .clk(clk), .rst(core_rst),
        .start(mv_start), .src_kind(mv_src_kind), .dst_sram(mv_dst_sram), .src(mv_src), .dst(mv_dst), .len(mv_len),
        .busy(mv_busy), .waiting(mv_waiting), .done(mv_done), .err_kind(mv_err_kind), .err_resp(mv_err_resp),
        .err_addr(mv_err_addr), .crc(mv_crc),
        .ar_valid(mv_arvalid), .ar_ready(rq_arready && mover_bus), .ar_addr(mv_araddr), .ar_len(mv_arlen),
        .r_valid(rq_rvalid && mover_bus), .r_ready(mv_rready), .r_data(rq_rdata), .r_resp(rq_rresp),
        .r_last(rq_rlast),
        .aw_valid(mv_awvalid), .aw_ready(rq_awready && mover_bus), .aw_addr(mv_awaddr), .aw_len(mv_awlen),
        .w_valid(mv_wvalid), .w_ready(rq_wready && mover_bus), .w_data(mv_wdata), .w_strb(mv_wstrb),
        .w_last(mv_wlast),
        .b_valid(rq_bvalid && mover_bus), .b_ready(mv_bready), .b_resp(rq_bresp),
        .sram_rd_en(sram_rd_en), .sram_rd_addr(sram_rd_addr), .sram_rd_data(sram_rd_data),
        .sram_wr_en(sram_wr_en), .sram_wr_addr(sram_wr_addr), .sram_wr_be(sram_wr_be),
        .sram_wr_data(sram_wr_data));

    dma_sram #(.AW(SRAM_AW)) u_sram (
        .clk(clk), .rd_en(sram_rd_en), .rd_addr(sram_rd_addr), .rd_data(sram_rd_data),
        .wr_en(sram_wr_en), .wr_addr(sram_wr_addr), .wr_be(sram_wr_be), .wr_data(sram_wr_data));

    dma_axi_master #(.ID_W(ID_W)) u_axi (
        .clk(clk), .rst_n(rst_n), .drain(srst_busy), .drained(axi_drained), .quiet(axi_quiet),
        .rq_arvalid(rq_arvalid), .rq_arready(rq_arready), .rq_araddr(rq_araddr),
        .rq_arlen(rq_arlen), .rq_arsize(rq_arsize),
        .rq_rvalid(rq_rvalid), .rq_rready(rq_rready), .rq_rdata(rq_rdata), .rq_rresp(rq_rresp),
        .rq_rlast(rq_rlast),
        .rq_awvalid(rq_awvalid), .rq_awready(rq_awready), .rq_awaddr(rq_awaddr),
        .rq_awlen(rq_awlen), .rq_awsize(rq_awsize),
        .rq_wvalid(rq_wvalid), .rq_wready(rq_wready), .rq_wdata(rq_wdata), .rq_wstrb(rq_wstrb),
        .rq_wlast(rq_wlast),
        .rq_bvalid(rq_bvalid), .rq_bready(rq_bready), .rq_bresp(rq_bresp),
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
endmodule
