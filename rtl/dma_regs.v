// Register block behind BAR0: an AXI4-Lite slave (one read and one write in flight) and
// the software-visible registers. The register map is documented in rtl/README.md.
// Every access gets an OKAY response; unknown offsets read 0 and ignore writes. Byte
// strobes apply to writable registers. Writes are ignored while a soft reset drains.
`include "dma_regs.vh"

module dma_regs #(
    parameter [31:0] SRAM_BYTES = 32'd65536
) (
    input  wire        clk,
    input  wire        rst_n,

    // AXI4-Lite slave
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [11:0] s_axil_awaddr,    // [1:0] unused: registers are whole 32-bit words
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire        s_axil_awvalid,
    output wire        s_axil_awready,
    input  wire [31:0] s_axil_wdata,
    input  wire [3:0]  s_axil_wstrb,
    input  wire        s_axil_wvalid,
    output wire        s_axil_wready,
    output wire [1:0]  s_axil_bresp,
    output reg         s_axil_bvalid,
    input  wire        s_axil_bready,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [11:0] s_axil_araddr,    // [1:0] unused, as for awaddr
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire        s_axil_arvalid,
    output wire        s_axil_arready,
    output reg  [31:0] s_axil_rdata,
    output wire [1:0]  s_axil_rresp,
    output reg         s_axil_rvalid,
    input  wire        s_axil_rready,
    output wire        quiet,           // no register access in progress

    // control
    output reg         ctrl_enable,
    output reg         ctrl_ie,
    output reg         ctrl_irq_mode,
    output reg         srst_busy,       // soft reset: core held in reset, AXI master draining
    input  wire        srst_drained,    // the AXI master has nothing outstanding
    output reg  [63:0] ring_base,
    output reg  [31:0] ring_size,
    output reg  [31:0] producer,
    output reg  [1:0]  int_status,
    output reg  [1:0]  int_mask,
    input  wire        set_done,
    input  wire        set_err,

    // status from the core
    input  wire        busy,
    input  wire        halted,
    input  wire        msi_err,
    input  wire        idle,
    input  wire [7:0]  err_code,
    input  wire [1:0]  err_resp,
    input  wire [15:0] consumer,
    input  wire [63:0] err_addr
);
    localparam [31:0] ID_VALUE = `DMAC_ID_VALUE;   // "DMA1"
    localparam [31:0] VERSION  = 32'h00010100;   // 1.1.0: major[31:16] minor[15:8] patch[7:0]
    localparam [1:0]  OKAY     = 2'b00;
    // Word offsets (byte offset >> 2) of the registers in dma_regs.vh.
    localparam [11:0] B_ID = `DMAC_REG_ID,
                      B_VERSION = `DMAC_REG_VERSION,
                      B_CTRL = `DMAC_REG_CTRL,
                      B_STATUS = `DMAC_REG_STATUS,
                      B_RING_LO = `DMAC_REG_RING_LO,
                      B_RING_HI = `DMAC_REG_RING_HI,
                      B_RING_SIZE = `DMAC_REG_RING_SIZE,
                      B_PRODUCER = `DMAC_REG_PRODUCER,
                      B_CONSUMER = `DMAC_REG_CONSUMER,
                      B_INT_STAT = `DMAC_REG_INT_STATUS,
                      B_INT_MASK = `DMAC_REG_INT_MASK,
                      B_ERR_LO = `DMAC_REG_ERR_LO,
                      B_ERR_HI = `DMAC_REG_ERR_HI,
                      B_SRAM_SIZE = `DMAC_REG_SRAM_SIZE;
    localparam [9:0]  R_ID = B_ID[11:2],
                      R_VERSION = B_VERSION[11:2],
                      R_CTRL = B_CTRL[11:2],
                      R_STATUS = B_STATUS[11:2],
                      R_RING_LO = B_RING_LO[11:2],
                      R_RING_HI = B_RING_HI[11:2],
                      R_RING_SIZE = B_RING_SIZE[11:2],
                      R_PRODUCER = B_PRODUCER[11:2],
                      R_CONSUMER = B_CONSUMER[11:2],
                      R_INT_STAT = B_INT_STAT[11:2],
                      R_INT_MASK = B_INT_MASK[11:2],
                      R_ERR_LO = B_ERR_LO[11:2],
                      R_ERR_HI = B_ERR_HI[11:2],
                      R_SRAM_SIZE = B_SRAM_SIZE[11:2];

    // Write: address and data may come in either order; B after both.
    reg        aw_have, w_have;
    reg [9:0]  aw_word;
    reg [31:0] w_data;
    reg [3:0]  w_strb;

    assign s_axil_awready = !aw_have && !s_axil_bvalid;
    assign s_axil_wready  = !w_have && !s_axil_bvalid;
    assign s_axil_bresp   = OKAY;
    assign s_axil_arready = !s_axil_rvalid;
    assign s_axil_rresp   = OKAY;
    assign quiet = !aw_have && !w_have && !s_axil_bvalid && !s_axil_rvalid;

    wire        do_write = aw_have && w_have && !s_axil_bvalid;
    wire [31:0] wmask = {{8{w_strb[3]}}, {8{w_strb[2]}}, {8{w_strb[1]}}, {8{w_strb[0]}}};
    // Value of a writable register after a strobed write.
    function [31:0] merge(input [31:0] old, input [31:0] val, input [31:0] mask);
        merge = (old & ~mask) | (val & mask);
    endfunction
    wire [1:0]  w_eff = w_data[1:0] & {2{w_strb[0]}};   // CTRL.SRST, INT_STATUS W1C bits
    wire        wr_ok = do_write && !srst_busy;
    wire        srst_req = wr_ok && (aw_word == R_CTRL) && w_eff[1];

    always @(posedge clk) begin
        if (!rst_n || srst_req) begin
            ctrl_enable   <= 1'b0;
            ctrl_ie       <= 1'b0;
            ctrl_irq_mode <= 1'b0;
            ring_base     <= 64'd0;
            ring_size     <= 32'd0;
            producer      <= 32'd0;
            int_status    <= 2'b00;
            int_mask      <= 2'b00;
            srst_busy     <= rst_n;      // a soft reset drains; rst_n does not need to
        end else begin
            if (srst_busy && srst_drained)
                srst_busy <= 1'b0;
            int_status <= (int_status & ~((wr_ok && aw_word == R_INT_STAT) ? w_eff : 2'b00))
                          | {set_err, set_done};
            if (wr_ok) begin
                case (aw_word)
                    R_CTRL: if (w_strb[0]) begin
                        ctrl_enable   <= w_data[0];
                        ctrl_ie       <= w_data[2];
                        ctrl_irq_mode <= w_data[3];
                    end
                    R_RING_LO:   ring_base[31:0]  <= merge(ring_base[31:0], w_data, wmask) & 32'hFFFFFFE0;
                    R_RING_HI:   ring_base[63:32] <= merge(ring_base[63:32], w_data, wmask);
                    R_RING_SIZE: ring_size        <= merge(ring_size, w_data, wmask);
                    R_PRODUCER:  producer         <= merge(producer, w_data, wmask);
                    R_INT_MASK:  if (w_strb[0]) int_mask <= w_data[1:0];
                    default: ;   // read-only or unknown: ignored
                endcase
            end
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            aw_have       <= 1'b0;
            w_have        <= 1'b0;
            aw_word       <= 10'd0;
            w_data        <= 32'd0;
            w_strb        <= 4'd0;
            s_axil_bvalid <= 1'b0;
            s_axil_rvalid <= 1'b0;
            s_axil_rdata  <= 32'd0;
        end else begin
            if (s_axil_awvalid && s_axil_awready) begin
                aw_have <= 1'b1;
                aw_word <= s_axil_awaddr[11:2];
            end
            if (s_axil_wvalid && s_axil_wready) begin
                w_have <= 1'b1;
                w_data <= s_axil_wdata;
                w_strb <= s_axil_wstrb;
            end
            if (do_write) begin
                aw_have       <= 1'b0;
                w_have        <= 1'b0;
                s_axil_bvalid <= 1'b1;
            end else if (s_axil_bready) begin
                s_axil_bvalid <= 1'b0;
            end

            if (s_axil_arvalid && s_axil_arready) begin
                s_axil_rvalid <= 1'b1;
                case (s_axil_araddr[11:2])
                    R_ID:        s_axil_rdata <= ID_VALUE;
                    R_VERSION:   s_axil_rdata <= VERSION;
                    R_CTRL:      s_axil_rdata <= {28'd0, ctrl_irq_mode, ctrl_ie, srst_busy, ctrl_enable};
                    R_STATUS:    s_axil_rdata <= {14'd0, err_resp, err_code, 4'd0, idle, msi_err, halted, busy};
                    R_RING_LO:   s_axil_rdata <= ring_base[31:0];
                    R_RING_HI:   s_axil_rdata <= ring_base[63:32];
                    R_RING_SIZE: s_axil_rdata <= ring_size;
                    R_PRODUCER:  s_axil_rdata <= producer;
                    R_CONSUMER:  s_axil_rdata <= {16'd0, consumer};
                    R_INT_STAT:  s_axil_rdata <= {30'd0, int_status};
                    R_INT_MASK:  s_axil_rdata <= {30'd0, int_mask};
                    R_ERR_LO:    s_axil_rdata <= err_addr[31:0];
                    R_ERR_HI:    s_axil_rdata <= err_addr[63:32];
                    R_SRAM_SIZE: s_axil_rdata <= SRAM_BYTES;
                    default:     s_axil_rdata <= 32'd0;
                endcase
            end else if (s_axil_rready) begin
                s_axil_rvalid <= 1'b0;
            end
        end
    end
endmodule
