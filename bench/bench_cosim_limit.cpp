// bench_cosim, variant 1 ("the limit"): the bare Verilated DMA engine ticked in a plain C++
// loop, with the simplest possible memory on its AXI4 master port (a flat array, always
// ready, a fixed latency of CosimWorkload::mem_latency_cycles, 0 by default) and a minimal
// AXI4-Lite master for the doorbell. No SystemC, no checks, no timing model: the fastest this
// RTL can be simulated. One evaluation per cycle where the Verilated model allows it, as the
// bridge does (bridge/RtlCoreT.h). Same workload as the other variants: COPY descriptors of a
// fixed size over a 256-entry ring. Also bench_run's bare loop.
//
// SystemC-free translation unit (Vdma_engine.h must not meet SystemC headers).
#include "bench_cosim_workload.h"

#include "Vdma_engine.h"
#include "Vdma_engine___024root.h"
#include "verilated.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <type_traits>
#include <vector>

namespace {

struct ReadBurst {
    uint64_t addr;
    unsigned beats, beat;
    uint64_t ready_at;  // cycle of the first data beat
};

// Whether the generated model keeps the clock's previous value as a member: then the loop
// resets it and evaluates once per cycle, at the edge (as bridge/RtlCoreT.h explains).
template <class R, class = void>
struct HasClockHistory : std::false_type {};
template <class R>
struct HasClockHistory<R, std::void_t<decltype(std::declval<R&>().__Vtrigrprev__TOP__clk)>> : std::true_type {};
using Root = std::remove_reference_t<decltype(*std::declval<Vdma_engine&>().rootp)>;
constexpr bool kOneEvalPerCycle = HasClockHistory<Root>::value;

class LimitLoop {
public:
    explicit LimitLoop(const CosimWorkload& w)
        : w_(w), ctx_(new VerilatedContext), top_(new Vdma_engine(ctx_.get(), "dma")) {}

    CosimResult run() {
        auto t0 = std::chrono::steady_clock::now();
        // The memory is set up inside the timed span, as the platform's is.
        mem_.assign(cosim_memory_span(w_), 0);
        // source data: a pattern the caller can recompute
        for (uint64_t i = 0; i < w_.total_bytes; i += 8) {
            uint64_t v = cosim_pattern(i);
            std::memcpy(&mem_[w_.src + i], &v, 8);
        }
        Vdma_engine& m = *top_;
        m.clk = 0;
        m.rst_n = 0;
        m.msi_enable = 0;
        for (int i = 0; i < 4; ++i) step();
        m.rst_n = 1;
        reg_write(DMAC_REG_RING_LO, (uint32_t)w_.ring);
        reg_write(DMAC_REG_RING_HI, (uint32_t)(w_.ring >> 32));
        reg_write(DMAC_REG_RING_SIZE, kRingEntries);
        reg_write(DMAC_REG_CTRL, DMAC_CTRL_ENABLE);
        uint64_t n = w_.descriptors(), posted = 0;
        // Keep the ring nearly full: post in chunks as completions (status write-backs) come in.
        while (completed_ < n) {
            if (posted < n && posted - completed_ < kRingEntries / 2) {
                uint64_t k = std::min<uint64_t>(n - posted, kRingEntries / 2);
                for (uint64_t i = 0; i < k; ++i, ++posted) put_desc(posted);
                reg_write(DMAC_REG_PRODUCER, (uint32_t)(posted % kRingEntries));
            }
            skip_waiting();
            step();
        }
        while (!m.idle) step();
        auto t1 = std::chrono::steady_clock::now();
        CosimResult r;
        r.cycles = cycles_;
        r.cycles_evaluated = evaluated_;
        r.evals = evals_;
        r.bytes = w_.total_bytes;
        r.seconds = std::chrono::duration<double>(t1 - t0).count();
        r.ok = cosim_check(w_, [&](uint64_t addr, void* dst, size_t len) { std::memcpy(dst, &mem_[addr], len); });
        return r;
    }

private:
    void put_desc(uint64_t i) {
        uint8_t d[32] = {};
        uint64_t src = w_.src + i * w_.desc_bytes, dst = w_.dst + i * w_.desc_bytes;
        std::memcpy(d, &src, 8);
        std::memcpy(d + 8, &dst, 8);
        uint32_t len = w_.desc_bytes;
        std::memcpy(d + 16, &len, 4);
        d[20] = DMAC_OP_COPY;
        std::memcpy(&mem_[w_.ring + 32 * (i % kRingEntries)], d, 32);
    }

    void reg_write(uint32_t off, uint32_t v) {
        Vdma_engine& m = *top_;
        bool aw = true, w = true, b = true;
        while (b) {
            m.s_axil_awvalid = aw;
            m.s_axil_awaddr = off;
            m.s_axil_wvalid = w;
            m.s_axil_wdata = v;
            m.s_axil_wstrb = 0xF;
            m.s_axil_bready = 1;
            bool awr = m.s_axil_awready, wr = m.s_axil_wready, bv = m.s_axil_bvalid;
            step();
            if (aw && awr) aw = false;
            if (w && wr) w = false;
            if (bv) b = false;
        }
        m.s_axil_awvalid = m.s_axil_wvalid = m.s_axil_bready = 0;
    }

    // While the engine says only an R beat or a B response can change anything (`waiting`,
    // rtl/README.md), jump to the cycle the next one is due without evaluating, as the bridge
    // does. With zero latency a response is always due at the next cycle: nothing is skipped.
    void skip_waiting() {
        if (!top_->waiting) return;
        uint64_t due = ~0ull;
        if (!reads_.empty()) due = std::min(due, reads_.front().ready_at);
        if (!bq_.empty()) due = std::min(due, bq_.front());
        if (due != ~0ull && due > cycles_) cycles_ = due;
    }

    // One clock: inputs with clk low, handshakes at the rising edge.
    void step() {
        Vdma_engine& m = *top_;
        m.clk = 0;
        m.m_axi_arready = 1;
        m.m_axi_awready = 1;
        m.m_axi_wready = !aws_.empty();
        bool rv = !reads_.empty() && reads_.front().ready_at <= cycles_;
        m.m_axi_rvalid = rv;
        if (rv) {
            ReadBurst& r = reads_.front();
            uint64_t a = r.addr + 8ull * r.beat;
            uint64_t v;
            std::memcpy(&v, &mem_[a], 8);
            m.m_axi_rdata = v;
            m.m_axi_rresp = 0;
            m.m_axi_rlast = r.beat + 1 == r.beats;
        }
        bool bv = !bq_.empty() && bq_.front() <= cycles_;
        m.m_axi_bvalid = bv;
        m.m_axi_bresp = 0;
        if constexpr (!kOneEvalPerCycle) {
            m.eval();
            ++evals_;
        }
        // sample
        if (m.m_axi_arvalid)
            reads_.push_back({m.m_axi_araddr & ~7ull, m.m_axi_arlen + 1u, 0, cycles_ + 1 + w_.mem_latency_cycles});
        if (rv && m.m_axi_rready) {
            ReadBurst& r = reads_.front();
            if (++r.beat == r.beats) reads_.pop_front();
        }
        if (!aws_.empty() && m.m_axi_wvalid) {
            uint64_t& waddr_ = aws_.front();
            uint64_t data = m.m_axi_wdata;
            unsigned strb = m.m_axi_wstrb;
            uint8_t* p = &mem_[waddr_ & ~7ull];
            if (strb == 0xFF) std::memcpy(p, &data, 8);
            else
                for (unsigned i = 0; i < 8; ++i)
                    if (strb & (1u << i)) p[i] = (uint8_t)(data >> (8 * i));
            if (waddr_ >= w_.ring && waddr_ < w_.ring + 32 * kRingEntries && (waddr_ & 31) == 24) ++completed_;
            waddr_ = (waddr_ & ~7ull) + 8;
            if (m.m_axi_wlast) {
                aws_.pop_front();
                bq_.push_back(cycles_ + 1 + w_.write_latency_cycles);
            }
        }
        if (m.m_axi_awvalid) aws_.push_back(m.m_axi_awaddr);  // AW is always taken; W only after it
        if (bv && m.m_axi_bready) bq_.pop_front();
        m.clk = 1;
        if constexpr (kOneEvalPerCycle) m.rootp->__Vtrigrprev__TOP__clk = 0;
        m.eval();
        ++evals_;
        m.clk = 0;
        ++cycles_;
        ++evaluated_;
    }

    static constexpr uint32_t kRingEntries = 256;
    CosimWorkload w_;
    std::vector<uint8_t> mem_;
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Vdma_engine> top_;
    std::deque<ReadBurst> reads_;
    std::deque<uint64_t> aws_;  // write bursts whose W beats are still to come: next beat address
    std::deque<uint64_t> bq_;  // write responses due: cycle each is ready
    uint64_t cycles_ = 0, evaluated_ = 0, evals_ = 0, completed_ = 0;
};

}  // namespace

CosimResult cosim_run_limit(const CosimWorkload& w) {
    LimitLoop loop(w);
    return loop.run();
}
