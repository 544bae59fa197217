#include "RtlHarness.h"

#include "Vdma_engine.h"
#include "verilated.h"
#include "verilated_vcd_c.h"

#include <cstdio>
#include <stdexcept>

namespace staleline {

RtlHarness::RtlHarness(const char* vcd_path) : ctx_(new VerilatedContext) {
    bool trace = vcd_path && *vcd_path;
    if (trace) {
        // Check the path first: VerilatedVcdC only reports failure through isOpen().
        FILE* f = std::fopen(vcd_path, "w");
        if (!f) throw std::runtime_error(std::string("cannot open VCD file '") + vcd_path + "' for writing");
        std::fclose(f);
        ctx_->traceEverOn(true);
    }
    top_.reset(new Vdma_engine(ctx_.get(), "dma"));
    if (trace) {
        vcd_.reset(new VerilatedVcdC);
        top_->trace(vcd_.get(), 99);
        vcd_->open(vcd_path);
        if (!vcd_->isOpen()) throw std::runtime_error(std::string("cannot open VCD file '") + vcd_path + "'");
    }
    top_->clk = 0;
    top_->rst_n = 0;
    top_->msi_enable = 0;
    top_->msi_addr = 0;
    top_->msi_data = 0;
    top_->eval();
    reset();
}

RtlHarness::~RtlHarness() {
    if (vcd_) vcd_->close();
    if (top_) top_->final();
}

void RtlHarness::set_msi(bool enable, uint64_t addr, uint32_t data) {
    top_->msi_enable = enable;
    top_->msi_addr = addr;
    top_->msi_data = data;
}

void RtlHarness::step() {
    Vdma_engine& m = *top_;
    if (skip_waiting_ && m.rst_n && m.waiting && !(aw_ || w_ || b_ || ar_ || r_) && !mem_.response_due(cycle_)) {
        // Nothing in the design would change at this edge: count it, do not evaluate it.
        ctx_->timeInc(2);
        ++cycle_;
        ++skipped_;
        return;
    }
    // Clock low: drive every input for this cycle and let the design settle.
    m.clk = 0;
    mem_.drive(m, cycle_);
    m.s_axil_awvalid = aw_;
    m.s_axil_awaddr = aw_addr_ & 0xFFF;
    m.s_axil_wvalid = w_;
    m.s_axil_wdata = w_data_;
    m.s_axil_wstrb = w_strb_;
    m.s_axil_bready = b_;
    m.s_axil_arvalid = ar_;
    m.s_axil_araddr = ar_addr_ & 0xFFF;
    m.s_axil_rready = r_;
    m.eval();
    ctx_->timeInc(1);
    if (vcd_) vcd_->dump(ctx_->time());

    // Handshakes happen at the coming edge with the values settled now.
    mem_.sample(m, cycle_);
    if (aw_ && m.s_axil_awready) aw_ = false;
    if (w_ && m.s_axil_wready) w_ = false;
    if (b_ && m.s_axil_bvalid) { b_ = false; b_resp_ = m.s_axil_bresp; }
    if (ar_ && m.s_axil_arready) { ar_ = false; }
    if (r_ && m.s_axil_rvalid) { r_ = false; r_data_ = m.s_axil_rdata; r_resp_ = m.s_axil_rresp; }
    bool irq_now = m.irq;
    if (irq_now && !irq_q_) ++irq_rises_;
    irq_q_ = irq_now;

    m.clk = 1;
    m.eval();
    ctx_->timeInc(1);
    if (vcd_) vcd_->dump(ctx_->time());
    ++cycle_;
}

void RtlHarness::tick(uint64_t n) {
    while (n--) step();
}

void RtlHarness::reset(unsigned cycles) {
    top_->rst_n = 0;
    aw_ = w_ = b_ = ar_ = r_ = false;
    mem_.bus_reset();
    for (unsigned i = 0; i < (cycles ? cycles : 1); ++i) step();
    mem_.bus_reset();
    top_->rst_n = 1;
}

int RtlHarness::reg_write(uint32_t offset, uint32_t value, uint8_t strobes, unsigned timeout) {
    aw_ = w_ = b_ = true;
    aw_addr_ = offset;
    w_data_ = value;
    w_strb_ = strobes & 0xF;
    for (unsigned i = 0; i < timeout && b_; ++i) step();
    if (b_) {
        aw_ = w_ = b_ = false;
        return -1;
    }
    return b_resp_;
}

int RtlHarness::reg_read(uint32_t offset, uint32_t* value, unsigned timeout) {
    ar_ = r_ = true;
    ar_addr_ = offset;
    for (unsigned i = 0; i < timeout && r_; ++i) step();
    if (r_) {
        ar_ = r_ = false;
        return -1;
    }
    if (value) *value = r_data_;
    return r_resp_;
}

bool RtlHarness::idle() const { return top_->idle && mem_.outstanding() == 0; }
bool RtlHarness::waiting() const { return top_->waiting; }
bool RtlHarness::irq() const { return top_->irq; }

int64_t RtlHarness::run_until_idle(uint64_t max_cycles) {
    // `idle` reflects the last edge; give one cycle so a just-written doorbell is seen.
    for (uint64_t i = 0; i <= max_cycles; ++i) {
        if (i > 0 && idle()) return int64_t(i);
        step();
    }
    return idle() ? int64_t(max_cycles) : -1;
}

int64_t RtlHarness::run_until_interrupt(uint64_t max_cycles) {
    size_t msis = mem_.msis().size();
    for (uint64_t i = 0; i < max_cycles; ++i) {
        if (top_->irq || mem_.msis().size() != msis) return int64_t(i);
        step();
    }
    return -1;
}

}  // namespace staleline
