// AXI4 master port of the engine. Internal requesters (the sequencer and the mover, muxed in
// dma_engine) talk to it through a request interface with AXI handshake rules; it registers
// AR, AW and W onto the pins and passes R and B through.
//
// Requester rules (both requesters follow them): W beats of a burst are presented only
// after its AW was accepted here, and the next AW only after the last W beat of the
// previous burst was accepted. So at most one burst is owed W beats at any time.
//
// Soft reset (drain=1): nothing new is accepted from the requesters (they are being reset)
// but every handshake already started on the pins is completed, as AXI requires:
//   - an AR or AW already presented stays presented until accepted;
//   - a W beat already presented completes as presented; the remaining beats of that burst
//     are sent with WSTRB=0 (no further bytes written) and the right WLAST;
//   - every outstanding R beat and B response is accepted and discarded.
// `drained` says nothing is outstanding on the pins.
module dma_axi_master #(
    parameter ID_W = 4
) (
    input  wire            clk,
    input  wire            rst_n,
    input  wire            drain,
    output wire            drained,
    output wire            quiet,         // nothing presented on AR, AW or W, no filler beat due

    // request interface
    input  wire            rq_arvalid,
    output wire            rq_arready,
    input  wire [63:0]     rq_araddr,
    input  wire [7:0]      rq_arlen,
    input  wire [2:0]      rq_arsize,
    output wire            rq_rvalid,
    input  wire            rq_rready,
    output wire [63:0]     rq_rdata,
    output wire [1:0]      rq_rresp,
    output wire            rq_rlast,
    input  wire            rq_awvalid,
    output wire            rq_awready,
    input  wire [63:0]     rq_awaddr,
    input  wire [7:0]      rq_awlen,
    input  wire [2:0]      rq_awsize,
    input  wire            rq_wvalid,
    output wire            rq_wready,
    input  wire [63:0]     rq_wdata,
    input  wire [7:0]      rq_wstrb,
    input  wire            rq_wlast,
    output wire            rq_bvalid,
    input  wire            rq_bready,
    output wire [1:0]      rq_bresp,

    // AXI4 master pins
    output wire [ID_W-1:0] m_axi_awid,
    output reg  [63:0]     m_axi_awaddr,
    output reg  [7:0]      m_axi_awlen,
    output reg  [2:0]      m_axi_awsize,
    output wire [1:0]      m_axi_awburst,
    output reg             m_axi_awvalid,
    input  wire            m_axi_awready,
    output reg  [63:0]     m_axi_wdata,
    output reg  [7:0]      m_axi_wstrb,
    output reg             m_axi_wlast,
    output reg             m_axi_wvalid,
    input  wire            m_axi_wready,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [ID_W-1:0] m_axi_bid,     // single-ID master: responses come in order, the ID adds nothing
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire [1:0]      m_axi_bresp,
    input  wire            m_axi_bvalid,
    output wire            m_axi_bready,
    output wire [ID_W-1:0] m_axi_arid,
    output reg  [63:0]     m_axi_araddr,
    output reg  [7:0]      m_axi_arlen,
    output reg  [2:0]      m_axi_arsize,
    output wire [1:0]      m_axi_arburst,
    output reg             m_axi_arvalid,
    input  wire            m_axi_arready,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [ID_W-1:0] m_axi_rid,     // single-ID master: see m_axi_bid
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire [63:0]     m_axi_rdata,
    input  wire [1:0]      m_axi_rresp,
    input  wire            m_axi_rlast,
    input  wire            m_axi_rvalid,
    output wire            m_axi_rready
);
    assign m_axi_awid    = {ID_W{1'b0}};
    assign m_axi_arid    = {ID_W{1'b0}};
    assign m_axi_awburst = 2'b01;          // INCR
    assign m_axi_arburst = 2'b01;

    reg [15:0] r_owed;                     // read beats requested and not yet received
    reg [15:0] b_owed;                     // write bursts requested and not yet answered
    reg [8:0]  w_left;                     // W beats the requester still owes the current burst

    wire ar_take = rq_arvalid && rq_arready;
    wire aw_take = rq_awvalid && rq_awready;
    wire w_take  = rq_wvalid && rq_wready;
    wire r_fire  = m_axi_rvalid && m_axi_rready;
    wire b_fire  = m_axi_bvalid && m_axi_bready;

    wire ar_free = !m_axi_arvalid || m_axi_arready;
    wire aw_free = !m_axi_awvalid || m_axi_awready;
    wire w_free  = !m_axi_wvalid || m_axi_wready;

    assign rq_arready = !drain && ar_free;
    assign rq_awready = !drain && aw_free;
    assign rq_wready  = !drain && w_free;

    // During drain the owed W beats are made up here, with no strobes.
    wire w_filler = drain && w_free && (w_left != 9'd0);

    // R and B pass through; during drain they are swallowed.
    assign rq_rvalid    = m_axi_rvalid && !drain;
    assign rq_rdata     = m_axi_rdata;
    assign rq_rresp     = m_axi_rresp;
    assign rq_rlast     = m_axi_rlast;
    assign m_axi_rready = drain ? 1'b1 : rq_rready;
    assign rq_bvalid    = m_axi_bvalid && !drain;
    assign rq_bresp     = m_axi_bresp;
    assign m_axi_bready = drain ? 1'b1 : rq_bready;

    assign quiet   = !m_axi_arvalid && !m_axi_awvalid && !m_axi_wvalid && !w_filler;
    assign drained = !m_axi_arvalid && !m_axi_awvalid && !m_axi_wvalid &&
                     (w_left == 9'd0) && (r_owed == 16'd0) && (b_owed == 16'd0);

    always @(posedge clk) begin
        if (!rst_n) begin
            m_axi_arvalid <= 1'b0;
            m_axi_awvalid <= 1'b0;
            m_axi_wvalid  <= 1'b0;
            m_axi_araddr  <= 64'd0;
            m_axi_arlen   <= 8'd0;
            m_axi_arsize  <= 3'd0;
            m_axi_awaddr  <= 64'd0;
            m_axi_awlen   <= 8'd0;
            m_axi_awsize  <= 3'd0;
            m_axi_wdata   <= 64'd0;
            m_axi_wstrb   <= 8'd0;
            m_axi_wlast   <= 1'b0;
            r_owed        <= 16'd0;
            b_owed        <= 16'd0;
            w_left        <= 9'd0;
        end else begin
            if (ar_take) begin
                m_axi_arvalid <= 1'b1;
                m_axi_araddr  <= rq_araddr;
                m_axi_arlen   <= rq_arlen;
                m_axi_arsize  <= rq_arsize;
            end else if (m_axi_arready) begin
                m_axi_arvalid <= 1'b0;
            end

            if (aw_take) begin
                m_axi_awvalid <= 1'b1;
                m_axi_awaddr  <= rq_awaddr;
                m_axi_awlen   <= rq_awlen;
                m_axi_awsize  <= rq_awsize;
            end else if (m_axi_awready) begin
                m_axi_awvalid <= 1'b0;
            end

            if (w_take) begin
                m_axi_wvalid <= 1'b1;
                m_axi_wdata  <= rq_wdata;
                m_axi_wstrb  <= rq_wstrb;
                m_axi_wlast  <= rq_wlast;
            end else if (w_filler) begin
                m_axi_wvalid <= 1'b1;
                m_axi_wdata  <= 64'd0;
                m_axi_wstrb  <= 8'd0;
                m_axi_wlast  <= (w_left == 9'd1);
            end else if (m_axi_wready) begin
                m_axi_wvalid <= 1'b0;
            end

            if (aw_take)
                w_left <= {1'b0, rq_awlen} + 9'd1;
            else if (w_take || w_filler)
                w_left <= w_left - 9'd1;

            r_owed <= r_owed + (ar_take ? {8'd0, rq_arlen} + 16'd1 : 16'd0) - (r_fire ? 16'd1 : 16'd0);
            b_owed <= b_owed + (aw_take ? 16'd1 : 16'd0) - (b_fire ? 16'd1 : 16'd0);
        end
    end
endmodule
