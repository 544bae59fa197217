#include "AxiMemSlave.h"

#include "Vdma_engine.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace staleline {

namespace {
constexpr uint64_t kPage = 4096;
constexpr size_t kMaxQueued = 8;     // bursts the slave accepts ahead of answering them
constexpr size_t kMaxViolations = 64;
}  // namespace

AxiMemSlave::AxiMemSlave() = default;

uint8_t* AxiMemSlave::page(uint64_t addr) {
    auto& p = pages_[addr / kPage];
    if (!p) {
        p.reset(new uint8_t[kPage]);
        std::memset(p.get(), 0, kPage);
    }
    return p.get();
}

const uint8_t* AxiMemSlave::page_or_null(uint64_t addr) const {
    auto it = pages_.find(addr / kPage);
    return it == pages_.end() ? nullptr : it->second.get();
}

void AxiMemSlave::write(uint64_t addr, const void* src, uint64_t len) {
    const uint8_t* s = static_cast<const uint8_t*>(src);
    while (len) {
        uint64_t off = addr % kPage, n = std::min(len, kPage - off);
        std::memcpy(page(addr) + off, s, n);
        addr += n; s += n; len -= n;
    }
}

void AxiMemSlave::read(uint64_t addr, void* dst, uint64_t len) const {
    uint8_t* d = static_cast<uint8_t*>(dst);
    while (len) {
        uint64_t off = addr % kPage, n = std::min(len, kPage - off);
        const uint8_t* p = page_or_null(addr);
        if (p) std::memcpy(d, p + off, n); else std::memset(d, 0, n);
        addr += n; d += n; len -= n;
    }
}

void AxiMemSlave::fill(uint64_t addr, uint8_t value, uint64_t len) {
    while (len) {
        uint64_t off = addr % kPage, n = std::min(len, kPage - off);
        std::memset(page(addr) + off, value, n);
        addr += n; len -= n;
    }
}

void AxiMemSlave::set_latency(unsigned read_cycles, unsigned write_cycles) {
    rd_latency_ = read_cycles;
    wr_latency_ = write_cycles;
}

void AxiMemSlave::set_backpressure(unsigned percent, uint64_t seed) {
    stall_pct_ = std::min(percent, 100u);
    rng_ = seed ? seed : 0x9E3779B97F4A7C15ull;
}

void AxiMemSlave::add_error_range(uint64_t lo, uint64_t hi, unsigned resp, bool on_read, bool on_write) {
    errors_.push_back({lo, hi, resp, on_read, on_write});
}

void AxiMemSlave::clear_error_ranges() { errors_.clear(); }

void AxiMemSlave::set_msi_window(uint64_t base, uint64_t size) {
    msi_base_ = base;
    msi_size_ = size;
}

void AxiMemSlave::clear_logs() {
    bursts_.clear();
    msis_.clear();
    violations_.clear();
    max_reads_ = 0;
    beats_read_ = beats_written_ = beats_empty_ = 0;
    // Bursts still in flight keep indices into the log: point them nowhere.
    for (auto& r : reads_) r.log = SIZE_MAX;
    for (auto& w : writes_) w.log = SIZE_MAX;
}

size_t AxiMemSlave::outstanding() const { return reads_.size() + writes_.size() + bresps_.size(); }

bool AxiMemSlave::response_due(uint64_t cycle) const {
    return rvalid_ || bvalid_ || (!reads_.empty() && reads_.front().ready <= cycle) ||
           (!bresps_.empty() && bresps_.front().ready <= cycle);
}

unsigned AxiMemSlave::range_resp(uint64_t lo, uint64_t hi, bool is_write) const {
    unsigned resp = 0;
    for (const auto& e : errors_)
        if ((is_write ? e.on_write : e.on_read) && lo <= e.hi && e.lo <= hi) resp = std::max(resp, e.resp);
    return resp;
}

uint64_t AxiMemSlave::beat_addr(uint64_t addr, unsigned size, unsigned beat) {
    if (beat == 0) return addr;
    uint64_t bytes = uint64_t(1) << size;
    return (addr & ~(bytes - 1)) + uint64_t(beat) * bytes;
}

bool AxiMemSlave::stall() {
    if (stall_pct_ == 0) return false;
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return (rng_ % 100) < stall_pct_;
}

void AxiMemSlave::violation(uint64_t cycle, const std::string& what) {
    if (violations_.size() < kMaxViolations) violations_.push_back("cycle " + std::to_string(cycle) + ": " + what);
}

void AxiMemSlave::check_burst(uint64_t cycle, const char* ch, uint64_t addr, unsigned len, unsigned size,
                              unsigned burst) {
    std::ostringstream os;
    os << ch << " addr 0x" << std::hex << addr << std::dec << " len " << len << " size " << size << ": ";
    if (burst != 1) violation(cycle, os.str() + "burst type is not INCR");
    if (size > 3) violation(cycle, os.str() + "size wider than the 64-bit bus");
    // The engine's contract: reads of up to 64 beats (512 bytes), writes of up to 16.
    bool is_write = std::strcmp(ch, "AW") == 0;
    if (is_write && len > 15) violation(cycle, os.str() + "write of more than 16 beats");
    if (!is_write && len > 63) violation(cycle, os.str() + "read of more than 64 beats");
    uint64_t last = beat_addr(addr, size, len) + (uint64_t(1) << size) - 1;
    if ((addr >> 12) != (last >> 12)) violation(cycle, os.str() + "crosses a 4 KiB boundary");
}

void AxiMemSlave::drive(Vdma_engine& m, uint64_t cycle) {
    arready_ = reads_.size() < kMaxQueued && !stall();
    awready_ = writes_.size() + bresps_.size() < kMaxQueued && !stall();
    wready_ = !writes_.empty() && !stall();   // W is taken once its AW is known

    // A valid stays up until accepted; a new beat or response may be held back.
    if (!rvalid_ && !reads_.empty() && reads_.front().ready <= cycle && !stall()) rvalid_ = true;
    if (!bvalid_ && !bresps_.empty() && bresps_.front().ready <= cycle && !stall()) bvalid_ = true;

    m.m_axi_arready = arready_;
    m.m_axi_awready = awready_;
    m.m_axi_wready = wready_;
    m.m_axi_rvalid = rvalid_;
    m.m_axi_rid = 0;
    if (rvalid_) {
        const ReadBurst& r = reads_.front();
        uint64_t a = beat_addr(r.addr, r.size, r.beat) & ~uint64_t(7);
        uint64_t data = 0;
        read(a, &data, 8);   // little-endian host: byte lane i = address a + i
        m.m_axi_rdata = data;
        m.m_axi_rresp = range_resp(a, a + 7, false);
        m.m_axi_rlast = (r.beat == r.len);
    } else {
        m.m_axi_rdata = 0;
        m.m_axi_rresp = 0;
        m.m_axi_rlast = 0;
    }
    m.m_axi_bvalid = bvalid_;
    m.m_axi_bid = 0;
    m.m_axi_bresp = bvalid_ ? bresps_.front().resp : 0;
}

void AxiMemSlave::sample(const Vdma_engine& m, uint64_t cycle) {
    // ---- AR ----
    {
        bool v = m.m_axi_arvalid;
        uint64_t a = m.m_axi_araddr, b = m.m_axi_arlen | (m.m_axi_arsize << 8) | (m.m_axi_arburst << 16);
        if (ar_held_.valid && (!v || a != ar_held_.a || b != ar_held_.b))
            violation(cycle, "AR changed or dropped before ARREADY");
        if (v && arready_) {
            check_burst(cycle, "AR", a, m.m_axi_arlen, m.m_axi_arsize, m.m_axi_arburst);
            bursts_.push_back({a, m.m_axi_arlen, m.m_axi_arsize, m.m_axi_arburst, false, cycle, 0});
            reads_.push_back({a, m.m_axi_arlen, m.m_axi_arsize, cycle + rd_latency_, 0, 0, bursts_.size() - 1});
            max_reads_ = std::max<unsigned>(max_reads_, reads_.size());
        }
        ar_held_ = {v && !arready_, a, b, 0};
    }

    // ---- R ----
    if (rvalid_ && m.m_axi_rready) {
        ReadBurst& r = reads_.front();
        uint64_t a = beat_addr(r.addr, r.size, r.beat) & ~uint64_t(7);
        r.resp = std::max(r.resp, range_resp(a, a + 7, false));
        ++beats_read_;
        rvalid_ = false;
        if (r.beat++ == r.len) {
            if (r.log < bursts_.size()) bursts_[r.log].resp = r.resp;
            reads_.pop_front();
        }
    }

    // ---- AW ----
    {
        bool v = m.m_axi_awvalid;
        uint64_t a = m.m_axi_awaddr, b = m.m_axi_awlen | (m.m_axi_awsize << 8) | (m.m_axi_awburst << 16);
        if (aw_held_.valid && (!v || a != aw_held_.a || b != aw_held_.b))
            violation(cycle, "AW changed or dropped before AWREADY");
        if (v && awready_) {
            check_burst(cycle, "AW", a, m.m_axi_awlen, m.m_axi_awsize, m.m_axi_awburst);
            bursts_.push_back({a, m.m_axi_awlen, m.m_axi_awsize, m.m_axi_awburst, true, cycle, 0});
            writes_.push_back({a, m.m_axi_awlen, m.m_axi_awsize, cycle + wr_latency_, 0, 0, bursts_.size() - 1});
        }
        aw_held_ = {v && !awready_, a, b, 0};
    }

    // ---- W ----
    {
        bool v = m.m_axi_wvalid;
        uint64_t d = m.m_axi_wdata, s = m.m_axi_wstrb | (uint64_t(m.m_axi_wlast) << 8);
        if (w_held_.valid && (!v || d != w_held_.a || s != w_held_.b))
            violation(cycle, "W changed or dropped before WREADY");
        if (v && wready_) {
            WriteBurst& w = writes_.front();
            uint64_t ba = beat_addr(w.addr, w.size, w.beat);
            uint64_t word = ba & ~uint64_t(7);
            unsigned strb = m.m_axi_wstrb;
            // Lanes a beat of this size at this address may use.
            unsigned nbytes = 1u << w.size, first = unsigned(ba & 7) & ~(nbytes - 1);
            unsigned allowed = (nbytes >= 8 ? 0xFFu : ((1u << nbytes) - 1) << first) & (0xFFu << (ba & 7));
            if (strb & ~allowed) violation(cycle, "WSTRB has lanes outside the beat");
            bool in_msi = msi_size_ && word >= msi_base_ && word < msi_base_ + msi_size_;
            if (in_msi) {
                if (strb == 0x0F || strb == 0xF0) {
                    uint32_t data = uint32_t(strb == 0xF0 ? d >> 32 : d);
                    msis_.push_back({word + (strb == 0xF0 ? 4 : 0), data, cycle});
                } else if (strb) {
                    violation(cycle, "MSI write that is not one aligned 32-bit word");
                }
            } else {
                for (unsigned i = 0; i < 8; ++i) {
                    if (!(strb & (1u << i))) continue;
                    unsigned resp = range_resp(word + i, word + i, true);
                    if (resp) {
                        w.resp = std::max(w.resp, resp);   // the faulting byte is not written
                    } else {
                        uint8_t byte = uint8_t(d >> (8 * i));
                        write(word + i, &byte, 1);
                    }
                }
            }
            ++beats_written_;
            if (strb == 0) ++beats_empty_;
            bool last = (w.beat == w.len);
            if (bool(m.m_axi_wlast) != last) violation(cycle, "WLAST does not mark the last beat of the burst");
            ++w.beat;
            if (last) {
                bresps_.push_back({std::max(cycle + 1, w.ready), w.resp});
                if (w.log < bursts_.size()) bursts_[w.log].resp = w.resp;
                writes_.pop_front();
            }
        }
        if (v && wready_ == false && writes_.empty() && !m.m_axi_awvalid)
            violation(cycle, "W beat without any write address");
        w_held_ = {v && !wready_, d, s, 0};
    }

    // ---- B ----
    if (bvalid_ && m.m_axi_bready) {
        bresps_.pop_front();
        bvalid_ = false;
    }
}

void AxiMemSlave::bus_reset() {
    reads_.clear();
    writes_.clear();
    bresps_.clear();
    rvalid_ = bvalid_ = false;
    arready_ = awready_ = wready_ = false;
    ar_held_ = aw_held_ = w_held_ = Held{};
}

}  // namespace staleline
