// Test harness around the Verilated DMA engine (C++ --cc model, no SystemC): owns the
// model and its VerilatedContext, ticks the clock, is the AXI4-Lite master for register
// accesses and (through AxiMemSlave) the memory on the AXI4 master port, drives the MSI
// inputs, follows the irq line and optionally writes a VCD waveform.
//
// One clock cycle: inputs driven with clk low, signals settle, handshakes are sampled, then
// the rising edge. The VCD has two time steps per cycle (clk low, clk high).
#pragma once

#include "AxiMemSlave.h"

#include <cstdint>
#include <memory>
#include <string>

class Vdma_engine;
class VerilatedContext;
class VerilatedVcdC;

namespace staleline {

class RtlHarness {
public:
    // vcd_path: nullptr or "" for no waveform. Throws std::runtime_error if it cannot be opened.
    explicit RtlHarness(const char* vcd_path = nullptr);
    ~RtlHarness();
    RtlHarness(const RtlHarness&) = delete;
    RtlHarness& operator=(const RtlHarness&) = delete;

    void reset(unsigned cycles = 4);          // rst_n low for `cycles` clocks
    void tick(uint64_t n = 1);
    uint64_t cycle() const { return cycle_; }

    // Register access through the AXI4-Lite slave; the rest of the design keeps running.
    // Return the AXI response (0 OKAY), or -1 if the slave did not answer in `timeout` cycles.
    int reg_write(uint32_t offset, uint32_t value, uint8_t strobes = 0xF, unsigned timeout = 1000);
    int reg_read(uint32_t offset, uint32_t* value, unsigned timeout = 1000);

    // Run until the engine's `idle` output is high (and the memory has nothing in flight).
    // Returns the cycles run, or -1 if still busy after max_cycles.
    int64_t run_until_idle(uint64_t max_cycles);
    // Run until irq is high or an MSI is recorded after this call. Cycles run, or -1.
    int64_t run_until_interrupt(uint64_t max_cycles);

    bool idle() const;
    bool waiting() const;                     // the engine's `waiting` output
    bool irq() const;
    uint64_t irq_rises() const { return irq_rises_; }

    void set_msi(bool enable, uint64_t addr, uint32_t data);

    // Skip mode: a cycle in which the engine is `waiting`, no register access is under way and
    // the memory has no response due is counted but not evaluated (what the TLM bridge does).
    // Exact if `waiting` is: every observation is the same as with skipping off.
    void set_skip_waiting(bool on) { skip_waiting_ = on; }
    uint64_t cycles_skipped() const { return skipped_; }

    AxiMemSlave& mem() { return mem_; }
    const AxiMemSlave& mem() const { return mem_; }

private:
    void step();                              // one clock cycle

    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Vdma_engine> top_;
    std::unique_ptr<VerilatedVcdC> vcd_;
    AxiMemSlave mem_;
    uint64_t cycle_ = 0;
    bool irq_q_ = false;
    uint64_t irq_rises_ = 0;
    bool skip_waiting_ = false;
    uint64_t skipped_ = 0;

    // AXI4-Lite master: what is being presented.
    bool aw_ = false, w_ = false, b_ = false, ar_ = false, r_ = false;
    uint32_t aw_addr_ = 0, w_data_ = 0, ar_addr_ = 0, r_data_ = 0;
    uint8_t w_strb_ = 0, b_resp_ = 0, r_resp_ = 0;
};

}  // namespace staleline
