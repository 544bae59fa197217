// AXI4 master port of lnic. The sequencer talks to it through a request interface with
// valid/ready handshakes; AR, AW and W requests are registered onto the pins (so every
// pin the bus samples is a register or a constant), R and B are passed back. RREADY and
// BREADY are always high: the sequencer accepts every response it can be owed.
// Bursts: INCR, 8-byte beats, single ID 0 (responses come in order).
//
// Requester rule: the AW of a burst is handed over only when the previous burst owes no W
// beat, or in the same cycle as that burst's last W beat; W beats follow their AW. So at
// most one burst is owed W beats, and `w_left` counts them.
//
// Soft reset (srst, one cycle): from the next cycle the port drains. Nothing new is taken
// from the (reset) sequencer, but every handshake started on the pins is finished, as AXI
// requires: a presented AR or AW stays until accepted, a presented W beat completes, the
// rest of a started write burst is sent with WSTRB=0 (no byte written after the reset) and
// the right WLAST, and every R beat and B response still owed is accepted and dropped.
// `draining` falls when nothing is owed any more.
module lnic_axi_master #(
    parameter ID_W = 1
) (
    input  wire            clk,
    input  wire            rst_n,
    input  wire            srst,
    output reg             draining,
    output wire            drained,      // nothing presented, no W beat, R beat or B owed
    output wire            quiet,        // no pin register changes at the next edge without R or B

    // request interface
    input  wire            rq_arvalid,
    output wire            rq_arready,
    input  wire [63:0]     rq_araddr,
    input  wire [7:0]      rq_arlen,
    output wire            rq_rvalid,
    output wire [63:0]     rq_rdata,
    output wire [1:0]      rq_rresp,
    output wire            rq_rlast,
    input  wire            rq_awvalid,
    output wire            rq_awready,
    input  wire [63:0]     rq_awaddr,
    input  wire [7:0]      rq_awlen,
    input  wire            rq_wvalid,
    output wire            rq_wready,
    input  wire [63:0]     rq_wdata,
    input  wire [7:0]      rq_wstrb,
    input  wire            rq_wlast,
    output wire            rq_bvalid,
    output wire [1:0]      rq_bresp,

    // AXI4 master pins
    output wire [ID_W-1:0] m_axi_awid,
    output reg  [63:0]     m_axi_awaddr,
    output reg  [7:0]      m_axi_awlen,
    output wire [2:0]      m_axi_awsize,
    output wire [1:0]      m_axi_awburst,
    output reg             m_axi_awvalid,
    input  wire            m_axi_awready,
    output reg  [63:0]     m_axi_wdata,
    output reg  [7:0]      m_axi_wstrb,
    output reg             m_axi_wlast,
    output reg             m_axi_wvalid,
    input  wire            m_axi_wready,
    input  wire [ID_W-1:0] m_axi_bid,
    input  wire [1:0]      m_axi_bresp,
    input  wire            m_axi_bvalid,
    output wire            m_axi_bready,
    output wire [ID_W-1:0] m_axi_arid,
    output reg  [63:0]     m_axi_araddr,
    output reg  [7:0]      m_axi_arlen,
    output wire [2:0]      m_axi_arsize,
    output wire [1:0]      m_axi_arburst,
    output reg             m_axi_arvalid,
    input  wire            m_axi_arready,
    input  wire [ID_W-1:0] m_axi_rid,
    input  wire [63:0]     m_axi_rdata,
    input  wire [1:0]      m_axi_rresp,
    input  wire            m_axi_rlast,
    input  wire            m_axi_rvalid,
    output wire            m_axi_rready
);
    assign m_axi_awid    = {ID_W{1'b0}};
    assign m_axi_arid    = {ID_W{1'b0}};
    assign m_axi_awsize  = 3'd3;           // 8 bytes
    assign m_axi_arsize  = 3'd3;
    assign m_axi_awburst = 2'b01;          // INCR
    assign m_axi_arburst = 2'b01;
    assign m_axi_rready  = 1'b1;
    assign m_axi_bready  = 1'b1;

    // One ID: responses come in order, so the IDs carry nothing (the name keeps lint quiet).
    wire unused_ids = &{1'b0, m_axi_bid, m_axi_rid};

    reg [9:0] r_owed;                      // R beats requested and not yet received
    reg [5:0] b_owed;                      // write bursts whose B has not come
    reg [4:0] w_left;                      // W beats the current write burst still owes

    wire ar_free = !m_axi_arvalid || m_axi_arready;
    wire aw_free = !m_axi_awvalid || m_axi_awready;
    wire w_free  = !m_axi_wvalid || m_axi_wready;

    assign rq_arready = !draining && ar_free;
    assign rq_awready = !draining && aw_free;
    assign rq_wready  = !draining && w_free;

    wire ar_take  = rq_arvalid && rq_arready;
    wire aw_take  = rq_awvalid && rq_awready;
    wire w_take   = rq_wvalid && rq_wready;
    wire r_fire   = m_axi_rvalid;          // RREADY is always high
    wire b_fire   = m_axi_bvalid;
    // While draining, the beats a started burst still owes are made up here, with no strobes.
    wire w_filler = draining && w_free && (w_left != 5'd0);

    assign rq_rvalid = m_axi_rvalid && !draining;
    assign rq_rdata  = m_axi_rdata;
    assign rq_rresp  = m_axi_rresp;
    assign rq_rlast  = m_axi_rlast;
    assign rq_bvalid = m_axi_bvalid && !draining;
    assign rq_bresp  = m_axi_bresp;

    wire owes_nothing = (w_left == 5'd0) && (r_owed == 10'd0) && (b_owed == 6'd0);
    assign drained = !m_axi_arvalid && !m_axi_awvalid && !m_axi_wvalid && owes_nothing;
    // Draining changes state by itself when a filler beat is due or when it ends.
    assign quiet   = !m_axi_arvalid && !m_axi_awvalid && !m_axi_wvalid &&
                     !(draining && ((w_left != 5'd0) || owes_nothing));

    always @(posedge clk) begin
        if (!rst_n) begin
            draining      <= 1'b0;
            m_axi_arvalid <= 1'b0;
            m_axi_araddr  <= 64'd0;
            m_axi_arlen   <= 8'd0;
            m_axi_awvalid <= 1'b0;
            m_axi_awaddr  <= 64'd0;
            m_axi_awlen   <= 8'd0;
            m_axi_wvalid  <= 1'b0;
            m_axi_wdata   <= 64'd0;
            m_axi_wstrb   <= 8'd0;
            m_axi_wlast   <= 1'b0;
            r_owed        <= 10'd0;
            b_owed        <= 6'd0;
            w_left        <= 5'd0;
        end else begin
            if (srst)
                draining <= 1'b1;
            else if (draining && drained)
                draining <= 1'b0;

            if (ar_take) begin
                m_axi_arvalid <= 1'b1;
                m_axi_araddr  <= rq_araddr;
                m_axi_arlen   <= rq_arlen;
            end else if (m_axi_arready) begin
                m_axi_arvalid <= 1'b0;
            end

            if (aw_take) begin
                m_axi_awvalid <= 1'b1;
                m_axi_awaddr  <= rq_awaddr;
                m_axi_awlen   <= rq_awlen;
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
                m_axi_wlast  <= (w_left == 5'd1);
            end else if (m_axi_wready) begin
                m_axi_wvalid <= 1'b0;
            end

            // A W beat taken with an AW is the previous burst's last (requester rule).
            if (aw_take)
                w_left <= rq_awlen[4:0] + 5'd1;
            else if (w_take || w_filler)
                w_left <= w_left - 5'd1;

            r_owed <= r_owed + (ar_take ? {2'd0, rq_arlen} + 10'd1 : 10'd0) - (r_fire ? 10'd1 : 10'd0);
            b_owed <= b_owed + (aw_take ? 6'd1 : 6'd0) - (b_fire ? 6'd1 : 6'd0);
        end
    end
endmodule
