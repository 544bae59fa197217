// AXI4 slave memory for exercising the DMA engine's master port in tests: sparse byte
// memory, per-burst latency, optional random back-pressure, SLVERR/DECERR injection on
// address ranges, an MSI window whose writes are recorded instead of stored, a log of every
// burst, and checks of the AXI rules the master must keep.
//
// Used once per clock by RtlHarness: drive() sets the slave's outputs from its state before
// the edge, sample() looks at the settled handshakes (valid && ready) and updates the state.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

class Vdma_engine;

namespace staleline {

struct AxiBurstRecord {
    uint64_t addr;
    unsigned len;        // AxLEN (beats - 1)
    unsigned size;       // AxSIZE
    unsigned burst;      // AxBURST
    bool is_write;
    uint64_t cycle;      // when the address handshake happened
    unsigned resp;       // worst response given to it (0 OKAY, 2 SLVERR, 3 DECERR); filled on completion
};

struct MsiRecord {
    uint64_t addr;
    uint32_t data;
    uint64_t cycle;
};

class AxiMemSlave {
public:
    AxiMemSlave();

    // ---- memory (backdoor, no timing) ----
    void write(uint64_t addr, const void* src, uint64_t len);
    void read(uint64_t addr, void* dst, uint64_t len) const;
    void fill(uint64_t addr, uint8_t value, uint64_t len);

    // ---- behaviour ----
    void set_latency(unsigned read_cycles, unsigned write_cycles);
    void set_backpressure(unsigned percent, uint64_t seed);   // 0..100: chance a ready/valid is held off a cycle
    void add_error_range(uint64_t lo, uint64_t hi, unsigned resp, bool on_read, bool on_write);
    void clear_error_ranges();
    void set_msi_window(uint64_t base, uint64_t size);         // size 0: none

    // ---- observations ----
    const std::vector<AxiBurstRecord>& bursts() const { return bursts_; }
    const std::vector<MsiRecord>& msis() const { return msis_; }
    const std::vector<std::string>& violations() const { return violations_; }
    void clear_logs();
    size_t outstanding() const;                // bursts accepted and not yet fully answered
    bool response_due(uint64_t cycle) const;   // an R beat or B response is (or may be) presented now
    unsigned max_outstanding_reads() const { return max_reads_; }
    uint64_t beats_read() const { return beats_read_; }
    uint64_t beats_written() const { return beats_written_; }
    uint64_t beats_without_strobes() const { return beats_empty_; }   // W beats with WSTRB=0

    // ---- per clock (RtlHarness) ----
    void drive(Vdma_engine& m, uint64_t cycle);
    void sample(const Vdma_engine& m, uint64_t cycle);
    void bus_reset();                          // rst_n: drop all transactions in flight

private:
    struct ErrorRange { uint64_t lo, hi; unsigned resp; bool on_read, on_write; };
    struct ReadBurst { uint64_t addr; unsigned len, size; uint64_t ready; unsigned beat; unsigned resp; size_t log; };
    struct WriteBurst { uint64_t addr; unsigned len, size; uint64_t ready; unsigned beat; unsigned resp; size_t log; };
    struct BResp { uint64_t ready; unsigned resp; };
    struct Held { bool valid = false; uint64_t a = 0, b = 0, c = 0; };   // payload of a valid not yet accepted

    uint8_t* page(uint64_t addr);
    const uint8_t* page_or_null(uint64_t addr) const;
    unsigned range_resp(uint64_t lo, uint64_t hi, bool is_write) const;
    static uint64_t beat_addr(uint64_t addr, unsigned size, unsigned beat);
    bool stall();
    void violation(uint64_t cycle, const std::string& what);
    void check_burst(uint64_t cycle, const char* ch, uint64_t addr, unsigned len, unsigned size, unsigned burst);

    std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
    std::vector<ErrorRange> errors_;
    uint64_t msi_base_ = 0, msi_size_ = 0;
    unsigned rd_latency_ = 4, wr_latency_ = 4;
    unsigned stall_pct_ = 0;
    uint64_t rng_ = 0x9E3779B97F4A7C15ull;

    std::deque<ReadBurst> reads_;
    std::deque<WriteBurst> writes_;            // AW accepted, W beats still to come
    std::deque<BResp> bresps_;

    // Outputs decided in drive() for this cycle.
    bool arready_ = false, awready_ = false, wready_ = false, rvalid_ = false, bvalid_ = false;

    // Master-side stability checks: what was presented and not accepted last cycle.
    Held ar_held_, aw_held_, w_held_;

    std::vector<AxiBurstRecord> bursts_;
    std::vector<MsiRecord> msis_;
    std::vector<std::string> violations_;
    unsigned max_reads_ = 0;
    uint64_t beats_read_ = 0, beats_written_ = 0, beats_empty_ = 0;
};

}  // namespace staleline
