// RtlCore implementation: the only bridge file that sees Verilator headers.
#include "bridge/RtlCore.h"

#include <cstdio>
#include <deque>
#include <stdexcept>

#include "Vdma_engine.h"
#include "Vdma_engine___024root.h"
#include "verilated.h"
#include "verilated_vcd_c.h"

#include <type_traits>
#include <utility>

#include "bridge/Axi4PinSlave.h"
#include "bridge/AxiLitePinMaster.h"

namespace staleline {

namespace {

// One evaluation per clock cycle. Verilator detects a rising edge by comparing clk with the
// value it saw at the previous eval(), so the textbook loop evaluates twice per cycle (clk
// low, clk high); the low-phase eval only records clk=0 (nothing in the RTL uses the falling
// edge) but also re-runs all input-driven logic. Where the generated model keeps that
// previous value as a visible member (Verilator 5.0xx: __Vtrigrprev__TOP__clk), the clock
// loop resets it instead and evaluates once, at the edge; the handshakes it samples before
// the edge depend only on state (rtl/README.md), so the results are the same. Another
// Verilator version without the member gets the two-eval loop. With a VCD open the loop
// always evaluates both phases, so the waveform shows both. test_bridge compares the two.
template <class R, class = void>
struct HasClockHistory : std::false_type {};
template <class R>
struct HasClockHistory<R, std::void_t<decltype(std::declval<R&>().__Vtrigrprev__TOP__clk)>> : std::true_type {};

template <class R>
bool forget_clock_high(R& root) {
    if constexpr (HasClockHistory<R>::value) {
        root.__Vtrigrprev__TOP__clk = 0;
        return true;
    } else {
        return false;
    }
}

constexpr bool kOneEvalPerCycle = HasClockHistory<Vdma_engine___024root>::value;

}  // namespace

struct RtlCore::Impl final : Axi4PinSlave<Vdma_engine>::Sink {
    Impl(Client& c, const ClockDomain& clk)
        : client(c), clock(clk), ctx(new VerilatedContext), top(new Vdma_engine(ctx.get(), "dma_engine")), slave(*this) {
        top->clk = 0;
        top->rst_n = 0;
        top->msi_enable = 0;
        stats.one_eval_per_cycle = kOneEvalPerCycle;
        top->msi_addr = 0;
        top->msi_data = 0;
        lite.drive(*top);
        top->eval();
    }
    ~Impl() override {
        if (AxiLiteAccess* a = lite.reset()) a->abandon();
        for (AxiLiteAccess* a : queue) a->abandon();
        if (vcd) vcd->close();
        top->final();
    }

    uint64_t transport(AxiBurst& b, uint64_t cycle) override { return client.transport(b, cycle); }

    void dump(uint64_t ps) {
        ctx->time(ps);
        vcd->dump(ps);
    }

    // One evaluated clock cycle: edge `cyc`. Inputs are driven with the clock low, the
    // handshakes are sampled, then the rising edge is evaluated.
    void step() {
        Vdma_engine& m = *top;
        const uint64_t edge = cyc;
        lite.drive(m);
        slave.drive(m, edge);
        const bool low_phase = vcd || !kOneEvalPerCycle;
        if (low_phase) {
            m.clk = 0;
            m.eval();
            ++stats.evals;
            if (vcd) dump(clock.time_ps(edge) - half_period());
        }
        AxiLiteAccess* done = lite.sample(m);
        slave.sample(m, edge);  // may call Client::transport (and block there)
        m.clk = 1;
        if (!low_phase) forget_clock_high(*m.rootp);
        m.eval();
        ++stats.evals;
        if (vcd) dump(clock.time_ps(edge));
        m.clk = 0;  // for the next cycle (evaluated then, or not at all: nothing uses the falling edge)
        ++cyc;
        ++stats.cycles_evaluated;
        if (done) finish(done, edge);
        if ((bool)m.irq != irq_q) {
            irq_q = m.irq;
            ++stats.irq_edges;
            client.irq_changed(irq_q, edge);
        }
    }

    void finish(AxiLiteAccess* a, uint64_t edge) {
        ++(a->is_write ? stats.reg_writes : stats.reg_reads);
        a->done(edge);  // may free `a` (posted writes)
    }

    uint64_t half_period() const { return clock.period_ps() / 2; }

    bool engine_idle() const { return top->idle && !slave.outstanding() && !lite.busy(); }

    Client& client;
    const ClockDomain& clock;
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vdma_engine> top;
    std::unique_ptr<VerilatedVcdC> vcd;
    AxiLitePinMaster<Vdma_engine> lite;
    Axi4PinSlave<Vdma_engine> slave;
    std::deque<AxiLiteAccess*> queue;
    uint64_t cyc = 1;  // edge 0 would be at time 0; the first edge is one period in
    bool irq_q = false;
    RtlCoreStats stats;
};

RtlCore::RtlCore(Client& client, const ClockDomain& clock) : impl_(new Impl(client, clock)) {}
RtlCore::~RtlCore() = default;

void RtlCore::reset(unsigned cycles) {
    Impl& s = *impl_;
    s.top->rst_n = 0;
    if (AxiLiteAccess* a = s.lite.reset()) {
        a->resp = AxiResp::SlvErr;
        s.finish(a, s.cyc);
    }
    s.slave.reset();
    for (unsigned i = 0; i < (cycles ? cycles : 1); ++i) s.step();
    s.slave.reset();
    s.top->rst_n = 1;
}

RtlCore::Stop RtlCore::run(uint64_t until) {
    Impl& s = *impl_;
    Vdma_engine& m = *s.top;
    while (s.cyc < until) {
        if (!s.lite.busy() && !s.queue.empty() && s.queue.front()->due <= s.cyc) {
            s.lite.start(s.queue.front());
            s.queue.pop_front();
        }
        if (m.waiting && !s.lite.busy()) {
            uint64_t next = s.slave.next_due();
            if (!s.queue.empty()) next = std::min(next, s.queue.front()->due);
            if (next > s.cyc) {
                if (next == UINT64_MAX) return Stop::Idle;  // nothing owed, nothing queued
                uint64_t to = std::min(next, until);
                (m.idle ? s.stats.cycles_idle : s.stats.cycles_waiting) += to - s.cyc;
                s.cyc = to;
                continue;
            }
        }
        s.step();
    }
    return Stop::Until;
}

void RtlCore::jump_to(uint64_t cycle) {
    Impl& s = *impl_;
    if (cycle <= s.cyc) return;
    s.stats.cycles_idle += cycle - s.cyc;
    s.cyc = cycle;
}

void RtlCore::post(AxiLiteAccess* access) { impl_->queue.push_back(access); }
bool RtlCore::access_queued() const { return !impl_->queue.empty() || impl_->lite.busy(); }

void RtlCore::set_msi(bool enable, uint64_t addr, uint32_t data) {
    Vdma_engine& m = *impl_->top;
    if ((bool)m.msi_enable == enable && m.msi_addr == addr && m.msi_data == data) return;
    m.msi_enable = enable;
    m.msi_addr = addr;
    m.msi_data = data;
    m.eval();  // combinational outputs (irq, idle, waiting) follow msi_enable
    if ((bool)m.irq != impl_->irq_q) {
        impl_->irq_q = m.irq;
        ++impl_->stats.irq_edges;
        impl_->client.irq_changed(impl_->irq_q, impl_->cyc);
    }
}

uint64_t RtlCore::cycle() const { return impl_->cyc; }
bool RtlCore::idle() const { return impl_->engine_idle() && impl_->queue.empty(); }
bool RtlCore::irq() const { return impl_->irq_q; }

void RtlCore::start_vcd(const std::string& path) {
    Impl& s = *impl_;
    if (s.vcd) stop_vcd();
    // VerilatedVcdC reports an unwritable file only through isOpen(); say which file.
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw std::runtime_error("cannot open VCD file '" + path + "' for writing");
    std::fclose(f);
    s.ctx->traceEverOn(true);
    s.vcd.reset(new VerilatedVcdC);
    s.top->trace(s.vcd.get(), 99);
    s.vcd->open(path.c_str());
    if (!s.vcd->isOpen()) {
        s.vcd.reset();
        throw std::runtime_error("cannot open VCD file '" + path + "'");
    }
}

void RtlCore::stop_vcd() {
    Impl& s = *impl_;
    if (!s.vcd) return;
    s.vcd->close();
    s.vcd.reset();
}

bool RtlCore::vcd_open() const { return impl_->vcd != nullptr; }

RtlCoreStats RtlCore::stats() const {
    RtlCoreStats st = impl_->stats;
    const Axi4PinSlaveStats& a = impl_->slave.stats();
    st.read_bursts = a.read_bursts;
    st.write_bursts = a.write_bursts;
    st.read_beats = a.read_beats;
    st.write_beats = a.write_beats;
    st.error_responses = a.error_responses;
    st.unsupported_bursts = a.unsupported;
    st.wlast_errors = a.wlast_errors;
    return st;
}

}  // namespace staleline
