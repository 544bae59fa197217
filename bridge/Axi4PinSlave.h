// Axi4PinSlave: the pin side of the AXI4 initiator bridge. It is the slave on a Verilated
// model's AXI4 master port (ports named m_axi_*, data 32, 64, 128 or 256 bits wide: the width
// of the Verilated m_axi_rdata member), clocked by the model's clock
// loop: drive() sets the slave's outputs before an edge, sample() looks at the settled
// handshakes at the edge. Every burst becomes one AxiBurst handed to a Sink (the TLM side)
// as soon as it is complete: a read at its AR handshake, a write at its last W beat. The
// sink says at which edge the response may start; R beats then stream one per clock (in
// order: one ID) and B is given at that edge.
//
// Header-only template over the Verilated top class; include only from translation units
// without SystemC (Verilator and SystemC headers do not mix, see rtl/README.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "bridge/AxiBurst.h"

namespace staleline {

struct Axi4PinSlaveStats {
    uint64_t read_bursts = 0, write_bursts = 0;
    uint64_t read_beats = 0, write_beats = 0;
    uint64_t error_responses = 0;   // bursts answered SLVERR or DECERR
    uint64_t unsupported = 0;       // WRAP bursts (answered SLVERR without a transaction)
    uint64_t wlast_errors = 0;      // WLAST not on the beat AWLEN says is last
};

template <class Top>
class Axi4PinSlave {
    // Bytes of the data bus. Verilator holds 32 bits in a uint32_t, 64 in a uint64_t and wider
    // buses in a VlWide (32-bit words, least significant first): all little-endian byte images.
    static constexpr unsigned kBus = sizeof(std::declval<Top&>().m_axi_rdata);
    static_assert(kBus == 4 || kBus == 8 || kBus == 16 || kBus == 32,
                  "staleline device: m_axi_rdata/m_axi_wdata must be 32, 64, 128 or 256 bits wide");
    static_assert(sizeof(std::declval<Top&>().m_axi_wdata) == kBus,
                  "staleline device: m_axi_wdata and m_axi_rdata must have the same width");
    static constexpr unsigned kLog2Bus = kBus == 4 ? 2 : kBus == 8 ? 3 : kBus == 16 ? 4 : 5;

public:
    class Sink {
    public:
        virtual ~Sink() = default;
        // Carry out `b` at clock edge `cycle` (reads fill b.data, both set b.resp). Returns the
        // first edge at which its response (first R beat, or B) may be presented.
        virtual uint64_t transport(AxiBurst& b, uint64_t cycle) = 0;
    };

    static constexpr unsigned kQueue = 16;  // bursts per direction accepted ahead of their responses

    explicit Axi4PinSlave(Sink& sink) : sink_(sink), reads_(kQueue), writes_(kQueue) {}

    void drive(Top& m, uint64_t cycle) {
        arready_ = r_count_ < kQueue;
        awready_ = w_count_ + b_count_ < kQueue;
        wready_ = w_count_ > 0;  // W only for a burst whose AW was taken
        rvalid_ = r_count_ > 0 && reads_[r_head_].ready <= cycle;
        bvalid_ = b_count_ > 0 && bq_[b_head_].ready <= cycle;
        m.m_axi_arready = arready_;
        m.m_axi_awready = awready_;
        m.m_axi_wready = wready_;
        m.m_axi_rvalid = rvalid_;
        if (rvalid_) {
            const Read& r = reads_[r_head_];
            read_word(r.b, r.beat, reinterpret_cast<uint8_t*>(&m.m_axi_rdata));
            m.m_axi_rresp = (uint8_t)r.b.resp;
            m.m_axi_rlast = r.beat == r.b.len;
            m.m_axi_rid = r.b.id;
        }
        m.m_axi_bvalid = bvalid_;
        if (bvalid_) {
            m.m_axi_bresp = (uint8_t)bq_[b_head_].resp;
            m.m_axi_bid = bq_[b_head_].id;
        }
    }

    void sample(const Top& m, uint64_t cycle) {
        if (rvalid_ && m.m_axi_rready) {
            Read& r = reads_[r_head_];
            ++stats_.read_beats;
            if (r.beat++ == r.b.len) pop_read();
        }
        if (bvalid_ && m.m_axi_bready) {
            b_head_ = (b_head_ + 1) % kQueue;
            --b_count_;
        }
        if (wready_ && m.m_axi_wvalid) write_beat(m, cycle);
        if (awready_ && m.m_axi_awvalid) {
            Write& w = writes_[(w_head_ + w_count_) % kQueue];
            address(w.b, true, m.m_axi_awaddr, m.m_axi_awlen, m.m_axi_awsize, m.m_axi_awburst, m.m_axi_awid);
            w.beat = 0;
            w.b.enabled = 0;
            w.b.enable_filled = false;
            ++w_count_;
        }
        if (arready_ && m.m_axi_arvalid) {
            Read& r = reads_[(r_head_ + r_count_) % kQueue];
            address(r.b, false, m.m_axi_araddr, m.m_axi_arlen, m.m_axi_arsize, m.m_axi_arburst, m.m_axi_arid);
            r.beat = 0;
            ++r_count_;
            ++stats_.read_bursts;
            r.ready = std::max(carry_out(r.b, cycle), cycle + 1);
        }
    }

    // Earliest edge at which a response may be presented; UINT64_MAX when none is owed.
    uint64_t next_due() const {
        uint64_t n = UINT64_MAX;
        if (r_count_) n = reads_[r_head_].ready;
        if (b_count_) n = std::min(n, bq_[b_head_].ready);
        return n;
    }
    bool outstanding() const { return r_count_ || w_count_ || b_count_; }
    // rst_n: the bus is reset with the master, everything in flight is dropped.
    void reset() {
        r_head_ = r_count_ = w_head_ = w_count_ = b_head_ = b_count_ = 0;
        arready_ = awready_ = wready_ = rvalid_ = bvalid_ = false;
    }
    const Axi4PinSlaveStats& stats() const { return stats_; }

private:
    struct Read {
        AxiBurst b;
        uint64_t ready = 0;
        unsigned beat = 0;
    };
    struct Write {
        AxiBurst b;
        unsigned beat = 0;
    };
    struct BResp {
        uint64_t ready = 0;
        AxiResp resp = AxiResp::Okay;
        unsigned id = 0;
    };

    static void address(AxiBurst& b, bool is_write, uint64_t addr, unsigned len, unsigned size, unsigned burst,
                        unsigned id) {
        b.is_write = is_write;
        b.addr = addr;
        b.len = len;
        b.size = std::min(size, kLog2Bus);  // wider than the bus is a master bug; keep indices in range
        b.burst = (AxiBurstType)(burst & 3);
        b.id = id;
        b.resp = AxiResp::Okay;
    }

    // Offset in b.data of beat n's first byte.
    static unsigned beat_offset(const AxiBurst& b, unsigned n) {
        if (b.burst == AxiBurstType::Fixed) return n * b.first_beat_bytes();
        return n == 0 ? 0 : (unsigned)(b.beat_addr(n) - b.addr);
    }
    static unsigned beat_size(const AxiBurst& b, unsigned n) {
        return (n == 0 || b.burst == AxiBurstType::Fixed) ? b.first_beat_bytes() : b.beat_bytes();
    }
    static bool whole_words(const AxiBurst& b) {
        return b.size == kLog2Bus && (b.addr & (kBus - 1)) == 0 && b.burst == AxiBurstType::Incr;
    }

    // Beat n of a read onto the data bus (lanes outside the beat read as zero).
    static void read_word(const AxiBurst& b, unsigned n, uint8_t* bus) {
        if (whole_words(b)) {
            std::memcpy(bus, b.data + kBus * n, kBus);
            return;
        }
        std::memset(bus, 0, kBus);
        uint64_t a = b.beat_addr(n);
        unsigned off = beat_offset(b, n), cnt = beat_size(b, n);
        for (unsigned i = 0; i < cnt; ++i) bus[(a + i) & (kBus - 1)] = b.data[off + i];
    }

    void write_beat(const Top& m, uint64_t cycle) {
        Write& w = writes_[w_head_];
        AxiBurst& b = w.b;
        const uint8_t* d = reinterpret_cast<const uint8_t*>(&m.m_axi_wdata);
        const uint64_t strb = (uint64_t)m.m_axi_wstrb;
        const uint64_t all = kBus == 64 ? ~0ULL : (1ULL << kBus) - 1;
        ++stats_.write_beats;
        if (w.beat <= b.len) {
            if (whole_words(b) && (strb & all) == all && !b.enable_filled) {
                unsigned off = kBus * w.beat;  // every byte before it was enabled too
                std::memcpy(b.data + off, d, kBus);
                note_enabled(b, off, kBus);
            } else {
                if (!b.enable_filled) fill_enables(b, w.beat);
                uint64_t a = b.beat_addr(w.beat);
                unsigned off = beat_offset(b, w.beat), cnt = beat_size(b, w.beat);
                for (unsigned i = 0; i < cnt; ++i) {
                    unsigned lane = (unsigned)((a + i) & (kBus - 1));
                    if (!(strb >> lane & 1)) continue;
                    b.data[off + i] = d[lane];
                    b.enable[off + i] = 0xFF;
                    note_enabled(b, off + i, 1);
                }
            }
        }
        bool last = w.beat == b.len;
        if ((bool)m.m_axi_wlast != last) ++stats_.wlast_errors;
        ++w.beat;
        if (!last) return;
        ++stats_.write_bursts;
        BResp& r = bq_[(b_head_ + b_count_) % kQueue];
        r.ready = std::max(carry_out(b, cycle), cycle + 1);
        r.resp = b.resp;
        r.id = b.id;
        ++b_count_;
        w_head_ = (w_head_ + 1) % kQueue;
        --w_count_;
    }

    // First beat with partial strobes (or a burst the fast path does not take): from now on
    // enable[] is kept. Beats before it, if any, were whole words with every strobe set.
    static void fill_enables(AxiBurst& b, unsigned beat) {
        unsigned total = b.burst == AxiBurstType::Fixed ? b.first_beat_bytes() * (b.len + 1) : b.span();
        unsigned before = whole_words(b) ? kBus * beat : 0;
        std::memset(b.enable, 0xFF, before);
        std::memset(b.enable + before, 0, total - before);
        b.enable_filled = true;
    }

    static void note_enabled(AxiBurst& b, unsigned off, unsigned n) {
        if (b.enabled == 0) {
            b.first_enabled = off;
            b.last_enabled = off + n - 1;
        } else {
            b.first_enabled = std::min(b.first_enabled, off);
            b.last_enabled = std::max(b.last_enabled, off + n - 1);
        }
        b.enabled += n;
    }

    uint64_t carry_out(AxiBurst& b, uint64_t cycle) {
        uint64_t ready;
        if (b.burst == AxiBurstType::Wrap) {  // not used by the engine; no single transaction for it
            ++stats_.unsupported;
            if (!b.is_write) std::memset(b.data, 0, b.span() < AxiBurst::kMaxBytes ? b.span() : AxiBurst::kMaxBytes);
            b.resp = AxiResp::SlvErr;
            ready = cycle + 1;
        } else {
            ready = sink_.transport(b, cycle);
        }
        if (b.resp != AxiResp::Okay) ++stats_.error_responses;
        return ready;
    }

    void pop_read() {
        r_head_ = (r_head_ + 1) % kQueue;
        --r_count_;
    }

    Sink& sink_;
    std::vector<Read> reads_;    // ring of kQueue, oldest at r_head_
    std::vector<Write> writes_;  // AW taken, W beats still coming
    BResp bq_[kQueue];
    unsigned r_head_ = 0, r_count_ = 0, w_head_ = 0, w_count_ = 0, b_head_ = 0, b_count_ = 0;
    bool arready_ = false, awready_ = false, wready_ = false, rvalid_ = false, bvalid_ = false;
    Axi4PinSlaveStats stats_;
};

}  // namespace staleline
