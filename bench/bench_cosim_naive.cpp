// bench_cosim_naive: variant 2 of bench_cosim, the integration Verilator's SystemC example
// leads a user to write. The engine is a `verilator --sc` model (Vdma_engine_sc) whose
// ports are bound to sc_signals; an sc_clock ticks it every cycle; an AXI4 slave
// SC_METHOD on every rising edge samples the handshakes, issues each burst as a TLM
// transaction to a memory target (which charges the latencies the platform would: PCIe
// hops, IOTLB hit, DRAM) and drives R and B when their time has come; a testbench
// SC_THREAD does the register accesses over the AXI4-Lite signals clock by clock and feeds
// the ring, waiting on the legacy interrupt. Nothing is skipped: every cycle is evaluated
// and every signal change wakes the processes sensitive to it.
//
// Usage: bench_cosim_naive TOTAL_BYTES DESC_BYTES. Prints one line
//   RESULT ok=1 cycles=N evaluated=N bytes=N seconds=S sim_seconds=S
// which bench_cosim reads. Own executable: its Verilator runtime is built for SystemC.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "Vdma_engine_sc.h"
#include "bench_cosim_workload.h"

using namespace sc_core;

namespace {

constexpr double kClockNs = 4.0;  // 250 MHz, as rtl.clock_mhz

// Memory behind the "bus": a flat array; the latencies of the default platform
// (pci.hop_latency_ns=150 each way, iotlb.hit_latency_ns=2, dram 60 ns + len/12.8 GB/s).
struct NaiveMemory : sc_module {
    tlm_utils::simple_target_socket<NaiveMemory> socket;
    std::vector<uint8_t> mem;
    explicit NaiveMemory(sc_module_name n, uint64_t size) : sc_module(n), socket("socket"), mem(size, 0) {
        socket.register_b_transport(this, &NaiveMemory::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
        uint64_t a = t.get_address();
        unsigned len = t.get_data_length();
        if (a + len > mem.size()) {
            t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        const unsigned char* be = t.get_byte_enable_ptr();
        if (t.is_read()) std::memcpy(t.get_data_ptr(), &mem[a], len);
        else
            for (unsigned i = 0; i < len; ++i)
                if (!be || be[i]) mem[a + i] = t.get_data_ptr()[i];
        double ns = (t.is_read() ? 300.0 : 150.0) + 2.0 + 60.0 + len / 12.8;
        delay += sc_time(ns, SC_NS);
        t.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

SC_MODULE(NaiveTop) {
    sc_clock clk;
    sc_signal<bool> rst_n;
    // AXI4-Lite
    sc_signal<uint32_t> s_axil_awaddr, s_axil_wdata, s_axil_wstrb, s_axil_araddr, s_axil_bresp, s_axil_rdata,
        s_axil_rresp;
    sc_signal<bool> s_axil_awvalid, s_axil_awready, s_axil_wvalid, s_axil_wready, s_axil_bvalid, s_axil_bready,
        s_axil_arvalid, s_axil_arready, s_axil_rvalid, s_axil_rready;
    // AXI4
    sc_signal<uint32_t> m_axi_awid, m_axi_awlen, m_axi_awsize, m_axi_awburst, m_axi_wstrb, m_axi_bid, m_axi_bresp,
        m_axi_arid, m_axi_arlen, m_axi_arsize, m_axi_arburst, m_axi_rid, m_axi_rresp, msi_data;
    sc_signal<uint64_t> m_axi_awaddr, m_axi_wdata, m_axi_araddr, m_axi_rdata, msi_addr;
    sc_signal<bool> m_axi_awvalid, m_axi_awready, m_axi_wlast, m_axi_wvalid, m_axi_wready, m_axi_bvalid,
        m_axi_bready, m_axi_arvalid, m_axi_arready, m_axi_rlast, m_axi_rvalid, m_axi_rready, irq, msi_enable, idle,
        waiting;

    Vdma_engine_sc dut;
    NaiveMemory memory;
    tlm_utils::simple_initiator_socket<NaiveTop> bus;

    CosimWorkload w;
    uint64_t cycles = 0;
    bool done = false, ok = false;
    double wall0 = 0, wall1 = 0;
    sc_time sim0, sim1;

    SC_HAS_PROCESS(NaiveTop);
    NaiveTop(sc_module_name n, const CosimWorkload& wl)
        : sc_module(n), clk("clk", kClockNs, SC_NS), dut("dut"), memory("memory", cosim_memory_span(wl)), bus("bus"), w(wl) {
        bus.bind(memory.socket);
#define B(x) dut.x(x)
        B(clk); B(rst_n);
        B(s_axil_awaddr); B(s_axil_awvalid); B(s_axil_awready); B(s_axil_wdata); B(s_axil_wstrb); B(s_axil_wvalid);
        B(s_axil_wready); B(s_axil_bresp); B(s_axil_bvalid); B(s_axil_bready); B(s_axil_araddr); B(s_axil_arvalid);
        B(s_axil_arready); B(s_axil_rdata); B(s_axil_rresp); B(s_axil_rvalid); B(s_axil_rready);
        B(m_axi_awid); B(m_axi_awaddr); B(m_axi_awlen); B(m_axi_awsize); B(m_axi_awburst); B(m_axi_awvalid);
        B(m_axi_awready); B(m_axi_wdata); B(m_axi_wstrb); B(m_axi_wlast); B(m_axi_wvalid); B(m_axi_wready);
        B(m_axi_bid); B(m_axi_bresp); B(m_axi_bvalid); B(m_axi_bready); B(m_axi_arid); B(m_axi_araddr);
        B(m_axi_arlen); B(m_axi_arsize); B(m_axi_arburst); B(m_axi_arvalid); B(m_axi_arready); B(m_axi_rid);
        B(m_axi_rdata); B(m_axi_rresp); B(m_axi_rlast); B(m_axi_rvalid); B(m_axi_rready);
        B(irq); B(msi_enable); B(msi_addr); B(msi_data); B(idle); B(waiting);
#undef B
        SC_METHOD(axi_slave);
        sensitive << clk.posedge_event();
        dont_initialize();
        SC_THREAD(testbench);
    }

    // ---- AXI4 slave, once per rising edge ----
    struct Read { uint64_t addr; unsigned beats, beat; uint64_t ready; std::vector<uint8_t> data; };
    struct Write { uint64_t addr; unsigned beats, beat; std::vector<uint8_t> data, be; };
    std::deque<Read> reads;
    std::deque<Write> writes;
    std::deque<uint64_t> bresps;  // ready cycle
    tlm::tlm_generic_payload trans;

    uint64_t transport(bool is_write, uint64_t addr, uint8_t* data, unsigned len, uint8_t* be) {
        trans.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        trans.set_address(addr);
        trans.set_data_ptr(data);
        trans.set_data_length(len);
        trans.set_streaming_width(len);
        trans.set_byte_enable_ptr(be);
        trans.set_byte_enable_length(be ? len : 0);
        trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time d = SC_ZERO_TIME;
        bus->b_transport(trans, d);
        return cycles + (uint64_t)(d.to_seconds() * 1e9 / kClockNs + 0.999);
    }

    void axi_slave() {
        ++cycles;
        // handshakes at this edge: the values driven during the cycle that ends now
        if (m_axi_rvalid.read() && m_axi_rready.read()) {
            Read& r = reads.front();
            if (++r.beat == r.beats) reads.pop_front();
        }
        if (m_axi_bvalid.read() && m_axi_bready.read()) bresps.pop_front();
        if (m_axi_wvalid.read() && m_axi_wready.read()) {
            Write& wr = writes.front();
            uint64_t d = m_axi_wdata.read();
            unsigned s = m_axi_wstrb.read();
            for (unsigned i = 0; i < 8; ++i) {
                wr.data[8 * wr.beat + i] = (uint8_t)(d >> (8 * i));
                wr.be[8 * wr.beat + i] = (s >> i & 1) ? 0xFF : 0;
            }
            if (++wr.beat == wr.beats) {
                bresps.push_back(transport(true, wr.addr, wr.data.data(), 8 * wr.beats, wr.be.data()) + 1);
                writes.pop_front();
            }
        }
        if (m_axi_awvalid.read() && m_axi_awready.read()) {
            unsigned beats = m_axi_awlen.read() + 1;
            writes.push_back({m_axi_awaddr.read() & ~7ull, beats, 0, std::vector<uint8_t>(8 * beats),
                              std::vector<uint8_t>(8 * beats)});
        }
        if (m_axi_arvalid.read() && m_axi_arready.read()) {
            Read r{m_axi_araddr.read() & ~7ull, m_axi_arlen.read() + 1u, 0, 0, {}};
            r.data.resize(8 * r.beats);
            r.ready = transport(false, r.addr, r.data.data(), 8 * r.beats, nullptr) + 1;
            reads.push_back(std::move(r));
        }
        // outputs for the next cycle
        m_axi_arready.write(reads.size() < 16);
        m_axi_awready.write(writes.size() + bresps.size() < 16);
        m_axi_wready.write(!writes.empty());
        bool rv = !reads.empty() && reads.front().ready <= cycles;
        m_axi_rvalid.write(rv);
        if (rv) {
            const Read& r = reads.front();
            uint64_t v;
            std::memcpy(&v, &r.data[8 * r.beat], 8);
            m_axi_rdata.write(v);
            m_axi_rlast.write(r.beat + 1 == r.beats);
            m_axi_rresp.write(0);
        }
        m_axi_bvalid.write(!bresps.empty() && bresps.front() <= cycles);
        m_axi_bresp.write(0);
    }

    // ---- testbench: AXI4-Lite accesses clock by clock ----
    void edge() { wait(clk.posedge_event()); }
    void reg_write(uint32_t off, uint32_t v) {
        s_axil_awaddr.write(off);
        s_axil_wdata.write(v);
        s_axil_wstrb.write(0xF);
        s_axil_awvalid.write(true);
        s_axil_wvalid.write(true);
        s_axil_bready.write(true);
        bool aw = true, wv = true;
        for (;;) {
            edge();
            if (aw && s_axil_awready.read()) { aw = false; s_axil_awvalid.write(false); }
            if (wv && s_axil_wready.read()) { wv = false; s_axil_wvalid.write(false); }
            if (s_axil_bvalid.read()) break;
        }
        s_axil_bready.write(false);
    }
    uint32_t reg_read(uint32_t off) {
        s_axil_araddr.write(off);
        s_axil_arvalid.write(true);
        s_axil_rready.write(true);
        bool ar = true;
        for (;;) {
            edge();
            if (ar && s_axil_arready.read()) { ar = false; s_axil_arvalid.write(false); }
            if (s_axil_rvalid.read()) break;
        }
        uint32_t v = s_axil_rdata.read();
        s_axil_rready.write(false);
        return v;
    }
    void put_desc(uint64_t i, uint8_t flags) {
        uint8_t d[32] = {};
        uint64_t src = w.src + i * w.desc_bytes, dst = w.dst + i * w.desc_bytes;
        std::memcpy(d, &src, 8);
        std::memcpy(d + 8, &dst, 8);
        std::memcpy(d + 16, &w.desc_bytes, 4);
        d[20] = DMAC_OP_COPY;
        d[21] = flags;
        std::memcpy(&memory.mem[w.ring + 32 * (i % 256)], d, 32);
    }

    void testbench() {
        for (uint64_t i = 0; i < w.total_bytes; i += 8) {
            uint64_t v = cosim_pattern(i);
            std::memcpy(&memory.mem[w.src + i], &v, 8);
        }
        rst_n.write(false);
        for (int i = 0; i < 4; ++i) edge();
        rst_n.write(true);
        wall0 = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
        sim0 = sc_time_stamp();
        uint64_t c0 = cycles;
        reg_write(DMAC_REG_RING_LO, (uint32_t)w.ring);
        reg_write(DMAC_REG_RING_HI, (uint32_t)(w.ring >> 32));
        reg_write(DMAC_REG_RING_SIZE, 256);
        reg_write(DMAC_REG_CTRL, DMAC_CTRL_ENABLE | DMAC_CTRL_IE);  // legacy interrupt
        const uint64_t n = w.descriptors(), chunk = 64;
        uint64_t posted = 0, completed = 0;
        while (completed < n) {
            while (posted < n && posted - completed + chunk <= 3 * chunk) {
                uint64_t k = std::min<uint64_t>(chunk, n - posted);
                for (uint64_t i = 0; i < k; ++i, ++posted) put_desc(posted, i + 1 == k ? 1 : 0);
                reg_write(DMAC_REG_PRODUCER, (uint32_t)(posted % 256));
            }
            if (!irq.read()) wait(irq.posedge_event());
            reg_write(DMAC_REG_INT_STATUS, DMAC_INT_DONE);
            uint32_t c = reg_read(0x20);
            completed += (c + 256 - (uint32_t)(completed % 256)) % 256;
        }
        wall1 = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
        sim1 = sc_time_stamp();
        cycles -= c0;
        ok = cosim_check(w, [&](uint64_t a, void* d, size_t l) { std::memcpy(d, &memory.mem[a], l); });
        done = true;
        sc_stop();
    }
};

}  // namespace

int sc_main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bench_cosim_naive TOTAL_BYTES DESC_BYTES\n");
        return 2;
    }
    CosimWorkload w;
    w.total_bytes = strtoull(argv[1], nullptr, 10);
    w.desc_bytes = (uint32_t)strtoul(argv[2], nullptr, 10);
    if (!w.desc_bytes || !w.total_bytes || w.total_bytes % w.desc_bytes || w.desc_bytes % 8) {
        fprintf(stderr, "bench_cosim_naive: TOTAL_BYTES must be a multiple of DESC_BYTES (a multiple of 8)\n");
        return 2;
    }
    w = cosim_flat_layout(w);
    NaiveTop top("top", w);
    sc_start();
    if (!top.done) {
        fprintf(stderr, "bench_cosim_naive: the run did not finish\n");
        return 1;
    }
    printf("RESULT ok=%d cycles=%llu evaluated=%llu bytes=%llu seconds=%.6f sim_seconds=%.9f\n", top.ok ? 1 : 0,
           (unsigned long long)top.cycles, (unsigned long long)top.cycles, (unsigned long long)w.total_bytes,
           top.wall1 - top.wall0, (top.sim1 - top.sim0).to_seconds());
    return top.ok ? 0 : 1;
}
