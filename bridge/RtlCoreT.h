// RtlCoreT<Top>: the RtlModel (RtlModel.h) of any Verilated top that meets the port contract
// of docs/devices.md. Header-only: the one translation unit that instantiates it includes the
// Verilated model's headers (V<prefix>.h and V<prefix>___024root.h) first -- the built-in DMA
// engine's bridge/DmaEngineKind.cpp, or the entry file staleline_add_device() generates for a
// device module. No SystemC here (the two sets of headers do not mix: rtl/README.md).
//
// Mandatory ports are checked when the template is instantiated: a missing one stops the
// build with a message naming it. Optional ports (idle, waiting, msi_*) are detected and used.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "verilated.h"
#include "verilated_vcd_c.h"

#include "bridge/Axi4PinSlave.h"
#include "bridge/AxiLitePinMaster.h"
#include "bridge/RtlModel.h"

namespace staleline {

namespace rtl_ports {

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

// One detector per port: true when the Verilated top has a member of that name.
#define SL_RTL_PORT_TRAIT(port)                                              \
    template <class T, class = void>                                         \
    struct Has_##port : std::false_type {};                                  \
    template <class T>                                                       \
    struct Has_##port<T, std::void_t<decltype(std::declval<T&>().port)>> : std::true_type {};

SL_RTL_PORT_TRAIT(idle)
SL_RTL_PORT_TRAIT(waiting)
SL_RTL_PORT_TRAIT(msi_enable)

// The mandatory ports, each checked by name.
#define SL_RTL_MANDATORY_PORTS(X)                                                                   \
    X(clk) X(rst_n) X(irq)                                                                          \
    X(s_axil_awaddr) X(s_axil_awvalid) X(s_axil_awready) X(s_axil_wdata) X(s_axil_wstrb)            \
    X(s_axil_wvalid) X(s_axil_wready) X(s_axil_bresp) X(s_axil_bvalid) X(s_axil_bready)             \
    X(s_axil_araddr) X(s_axil_arvalid) X(s_axil_arready) X(s_axil_rdata) X(s_axil_rresp)            \
    X(s_axil_rvalid) X(s_axil_rready)                                                               \
    X(m_axi_awid) X(m_axi_awaddr) X(m_axi_awlen) X(m_axi_awsize) X(m_axi_awburst) X(m_axi_awvalid)  \
    X(m_axi_awready) X(m_axi_wdata) X(m_axi_wstrb) X(m_axi_wlast) X(m_axi_wvalid) X(m_axi_wready)   \
    X(m_axi_bid) X(m_axi_bresp) X(m_axi_bvalid) X(m_axi_bready)                                     \
    X(m_axi_arid) X(m_axi_araddr) X(m_axi_arlen) X(m_axi_arsize) X(m_axi_arburst) X(m_axi_arvalid)  \
    X(m_axi_arready) X(m_axi_rid) X(m_axi_rdata) X(m_axi_rresp) X(m_axi_rlast) X(m_axi_rvalid)      \
    X(m_axi_rready)

SL_RTL_MANDATORY_PORTS(SL_RTL_PORT_TRAIT)

#define SL_RTL_REQUIRE_PORT(port)                                                         \
    static_assert(Has_##port<Top>::value, "staleline device: the top module has no port '" #port \
                                          "' (docs/devices.md, port contract)");

template <class Top>
constexpr bool check_contract() {
    SL_RTL_MANDATORY_PORTS(SL_RTL_REQUIRE_PORT)
    return true;
}

}  // namespace rtl_ports

// What a burst of the device is for, as the trace shows it and the latency breakdown counts
// it (AxiBurst::purpose: 0 data, 1 descriptor fetch, 2 status write-back). Only the device's
// kind knows its descriptors, so this says "data"; a kind that knows better specialises it
// for its top before it instantiates make_rtl_core (the DMA engine: bridge/DmaEngineKind.cpp).
// Called as the burst is handed over, with the model as it is at that edge.
template <class Top>
struct RtlBurstPurpose {
    static uint8_t of(const Top&, const AxiBurst&) { return 0; }
};

template <class Top>
class RtlCoreT final : public RtlModel, private Axi4PinSlave<Top>::Sink {
    static_assert(rtl_ports::check_contract<Top>());
    using Root = std::remove_reference_t<decltype(*std::declval<Top&>().rootp)>;
    static constexpr bool kIdle = rtl_ports::Has_idle<Top>::value;
    static constexpr bool kWaiting = rtl_ports::Has_waiting<Top>::value;
    static constexpr bool kMsi = rtl_ports::Has_msi_enable<Top>::value;
    static constexpr bool kOneEvalPerCycle = rtl_ports::HasClockHistory<Root>::value;

public:
    RtlCoreT(Client& c, const ClockDomain& clk, uint32_t bar0_size)
        : client_(c), clock_(clk), ctx_(new VerilatedContext), top_(new Top(ctx_.get(), "top")),
          lite_(bar0_size - 1), slave_(*this) {
        top_->clk = 0;
        top_->rst_n = 0;
        if constexpr (kMsi) {
            top_->msi_enable = 0;
            top_->msi_addr = 0;
            top_->msi_data = 0;
        }
        stats_.one_eval_per_cycle = kOneEvalPerCycle;
        lite_.drive(*top_);
        top_->eval();
    }
    ~RtlCoreT() override {
        if (AxiLiteAccess* a = lite_.reset()) a->abandon();
        for (AxiLiteAccess* a : queue_) a->abandon();
        if (vcd_) vcd_->close();
        vcd_.reset();  // before sink_file_, which it writes to
        top_->final();
    }

    RtlPorts ports() const override { return RtlPorts{kIdle, kWaiting, kMsi}; }

    void reset(unsigned cycles) override {
        top_->rst_n = 0;
        if (AxiLiteAccess* a = lite_.reset()) {
            a->resp = AxiResp::SlvErr;
            finish(a, cyc_);
        }
        slave_.reset();
        for (unsigned i = 0; i < (cycles ? cycles : 1); ++i) step();
        slave_.reset();
        top_->rst_n = 1;
    }

    Stop run(uint64_t until) override {
        while (cyc_ < until) {
            if (!lite_.busy() && !queue_.empty() && queue_.front()->due <= cyc_) {
                lite_.start(queue_.front());
                queue_.pop_front();
            }
            if (top_waiting() && !lite_.busy()) {
                uint64_t next = slave_.next_due();
                if (!queue_.empty()) next = std::min(next, queue_.front()->due);
                if (next > cyc_) {
                    if (next == UINT64_MAX) return Stop::Idle;  // nothing owed, nothing queued
                    uint64_t to = std::min(next, until);
                    (top_idle() ? stats_.cycles_idle : stats_.cycles_waiting) += to - cyc_;
                    cyc_ = to;
                    continue;
                }
            }
            step();
        }
        return Stop::Until;
    }

    void jump_to(uint64_t cycle) override {
        if (cycle <= cyc_) return;
        stats_.cycles_idle += cycle - cyc_;
        cyc_ = cycle;
    }

    void post(AxiLiteAccess* access) override { queue_.push_back(access); }
    bool access_queued() const override { return !queue_.empty() || lite_.busy(); }

    void set_msi(bool enable, uint64_t addr, uint32_t data) override {
        if constexpr (kMsi) {
            Top& m = *top_;
            if ((bool)m.msi_enable == enable && m.msi_addr == addr && m.msi_data == data) return;
            m.msi_enable = enable;
            m.msi_addr = addr;
            m.msi_data = data;
            m.eval();  // combinational outputs (irq, idle, waiting) follow msi_enable
            check_irq(cyc_);
        }
    }

    uint64_t cycle() const override { return cyc_; }
    bool idle() const override { return engine_idle() && queue_.empty(); }
    bool irq() const override { return irq_q_; }

    void start_vcd(const std::string& path) override {
        if (vcd_) stop_vcd();
        // VerilatedVcdC reports an unwritable file only through isOpen(), and retries a write
        // that fails for lack of space for ever (/dev/full, a full disk): probe with one byte
        // first and say which file and why.
        FILE* f = std::fopen(path.c_str(), "w");
        if (!f) throw std::runtime_error("cannot open VCD file '" + path + "' for writing: " + std::strerror(errno));
        bool written = std::fputc('\n', f) != EOF && std::fflush(f) == 0;
        int err = errno;
        std::fclose(f);
        if (!written) throw std::runtime_error("cannot write VCD file '" + path + "': " + std::strerror(err));
        windows_.clear();
        ctx_->traceEverOn(true);
        vcd_.reset(new VerilatedVcdC);
        top_->trace(vcd_.get(), 99);
        vcd_->open(path.c_str());
        if (!vcd_->isOpen()) {
            vcd_.reset();
            throw std::runtime_error("cannot open VCD file '" + path + "'");
        }
    }
    void start_wave(WaveSink* sink, const std::vector<WaveWindow>& windows) override {
        if (vcd_) stop_vcd();
        windows_ = windows;
        window_ = 0;
        sink_file_.sink = sink;
        ctx_->traceEverOn(true);
        vcd_.reset(new VerilatedVcdC(&sink_file_));
        top_->trace(vcd_.get(), 99);
        vcd_->open("wave");  // the name is not used: SinkFile hands the text to the sink
    }
    void stop_vcd() override {
        if (!vcd_) return;
        vcd_->close();
        vcd_.reset();
        sink_file_.sink = nullptr;
    }
    bool vcd_open() const override { return vcd_ != nullptr; }

    RtlCoreStats stats() const override {
        RtlCoreStats st = stats_;
        const Axi4PinSlaveStats& a = slave_.stats();
        st.read_bursts = a.read_bursts;
        st.write_bursts = a.write_bursts;
        st.read_beats = a.read_beats;
        st.write_beats = a.write_beats;
        st.error_responses = a.error_responses;
        st.unsupported_bursts = a.unsupported;
        st.wlast_errors = a.wlast_errors;
        return st;
    }

private:
    uint64_t transport(AxiBurst& b, uint64_t cycle) override {
        b.purpose = RtlBurstPurpose<Top>::of(*top_, b);
        return client_.transport(b, cycle);
    }

    void dump(uint64_t ps) {
        ctx_->time(ps);
        if (in_window(ps)) vcd_->dump(ps);
    }

    // Times only grow, so the current window only moves forward.
    bool in_window(uint64_t ps) {
        if (windows_.empty()) return true;
        while (window_ < windows_.size() && windows_[window_].to_ps < ps) ++window_;
        return window_ < windows_.size() && windows_[window_].from_ps <= ps;
    }

    // Verilator's VCD tracer writes through one of these: here into the host's WaveSink.
    struct SinkFile final : VerilatedVcdFile {
        WaveSink* sink = nullptr;
        bool open(const std::string&) override { return sink != nullptr; }
        void close() override {}
        ssize_t write(const char* data, ssize_t len) override {
            if (sink && len > 0) sink->write(data, (size_t)len);
            return len;
        }
    };

    // One evaluated clock cycle: edge `cyc_`. Inputs are driven with the clock low, the
    // handshakes are sampled, then the rising edge is evaluated.
    void step() {
        Top& m = *top_;
        const uint64_t edge = cyc_;
        lite_.drive(m);
        slave_.drive(m, edge);
        const bool low_phase = vcd_ || !kOneEvalPerCycle;
        if (low_phase) {
            m.clk = 0;
            m.eval();
            ++stats_.evals;
            if (vcd_) dump(clock_.time_ps(edge) - clock_.period_ps() / 2);
        }
        AxiLiteAccess* done = lite_.sample(m);
        slave_.sample(m, edge);  // may call Client::transport (and block there)
        m.clk = 1;
        if constexpr (kOneEvalPerCycle) {
            if (!low_phase) m.rootp->__Vtrigrprev__TOP__clk = 0;
        }
        m.eval();
        ++stats_.evals;
        if (vcd_) dump(clock_.time_ps(edge));
        m.clk = 0;  // for the next cycle (evaluated then, or not at all: nothing uses the falling edge)
        ++cyc_;
        ++stats_.cycles_evaluated;
        if (done) finish(done, edge);
        check_irq(edge);
    }

    void check_irq(uint64_t edge) {
        if ((bool)top_->irq != irq_q_) {
            irq_q_ = top_->irq;
            ++stats_.irq_edges;
            client_.irq_changed(irq_q_, edge);
        }
    }

    void finish(AxiLiteAccess* a, uint64_t edge) {
        ++(a->is_write ? stats_.reg_writes : stats_.reg_reads);
        a->done(edge);  // may free `a` (posted writes)
    }

    // Without an `idle` port the device is never known to be idle: it is clocked throughout.
    bool top_idle() const {
        if constexpr (kIdle) return top_->idle;
        else return false;
    }
    // Without a `waiting` port no cycle is skipped unless the device is idle.
    bool top_waiting() const {
        if constexpr (kWaiting) return top_->waiting;
        else return top_idle();
    }
    bool engine_idle() const { return top_idle() && !slave_.outstanding() && !lite_.busy(); }

    Client& client_;
    const ClockDomain& clock_;
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Top> top_;
    SinkFile sink_file_;  // declared before vcd_: outlives it
    std::unique_ptr<VerilatedVcdC> vcd_;
    std::vector<WaveWindow> windows_;  // empty: every time step
    size_t window_ = 0;
    AxiLitePinMaster<Top> lite_;
    Axi4PinSlave<Top> slave_;
    std::deque<AxiLiteAccess*> queue_;
    uint64_t cyc_ = 1;  // edge 0 would be at time 0; the first edge is one period in
    bool irq_q_ = false;
    RtlCoreStats stats_;
};

// The factory a device module (or the built-in engine) exports for its top.
template <class Top>
RtlModel* make_rtl_core(RtlModel::Client& client, const ClockDomain& clock, uint32_t bar0_size) {
    return new RtlCoreT<Top>(client, clock, bar0_size);
}

}  // namespace staleline
