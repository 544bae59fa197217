// Interrupt delivery. A status bit counts when INT_STATUS has it, INT_MASK does not mask it
// and CTRL.IE is set. Legacy mode: `irq` is the OR of the bits that count (a level).
// MSI mode (CTRL.IRQ_MODE=1 and the MSI enable bit of PCI config space): every bit that
// starts to count (raised by the engine, or unmasked / enabled while set) requests one MSI
// write; the request is withdrawn if the bit stops counting before the write is issued.
// With CTRL.IRQ_MODE=1 but MSI disabled in config space the function falls back to the
// level, as PCI prescribes.
module dma_irq (
    input  wire       clk,
    input  wire       rst,
    input  wire [1:0] int_status,
    input  wire [1:0] int_mask,
    input  wire       ie,
    input  wire       irq_mode,
    input  wire       msi_enable,
    input  wire [1:0] msi_taken,    // the sequencer starts the MSI write for these bits now
    output wire       irq,
    output wire [1:0] msi_pending,
    output wire       settled       // the registers here keep their values at the next edge
);
    wire [1:0] active  = ie ? (int_status & ~int_mask) : 2'b00;
    wire       use_msi = irq_mode && msi_enable;
    wire [1:0] msi_act = use_msi ? active : 2'b00;

    reg [1:0] msi_act_q;
    reg [1:0] pend;

    always @(posedge clk) begin
        if (rst) begin
            msi_act_q <= 2'b00;
            pend      <= 2'b00;
        end else begin
            msi_act_q <= msi_act;
            pend      <= msi_pending & ~msi_taken;
        end
    end

    assign irq         = !use_msi && (active != 2'b00);
    // A bit that starts to count is pending in the same cycle (no added latency).
    assign msi_pending = (pend | (msi_act & ~msi_act_q)) & msi_act;
    assign settled     = (msi_act_q == msi_act) && (pend == (msi_pending & ~msi_taken));
endmodule
