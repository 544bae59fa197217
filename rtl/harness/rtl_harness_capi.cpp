// C API over RtlHarness (see rtl_harness.h). Exceptions stop here and become -1/NULL plus
// a message in sl_rtl_last_error().
#include "rtl_harness.h"

#include "RtlHarness.h"

#include <exception>
#include <string>

struct sl_rtl {
    staleline::RtlHarness h;
    explicit sl_rtl(const char* vcd) : h(vcd) {}
};

namespace {
thread_local std::string g_error;

int fail(const std::string& msg) {
    g_error = msg;
    return -1;
}

template <typename F>
int guarded(const sl_rtl_t* h, const char* fn, F&& f) {
    if (!h) return fail(std::string(fn) + ": NULL harness");
    try {
        return f();
    } catch (const std::exception& e) {
        return fail(std::string(fn) + ": " + e.what());
    }
}
}  // namespace

extern "C" {

const char* sl_rtl_last_error(void) { return g_error.c_str(); }

sl_rtl_t* sl_rtl_create(const char* vcd_path) {
    try {
        return new sl_rtl(vcd_path);
    } catch (const std::exception& e) {
        g_error = std::string("sl_rtl_create: ") + e.what();
        return nullptr;
    }
}

void sl_rtl_destroy(sl_rtl_t* h) { delete h; }

int sl_rtl_reset(sl_rtl_t* h, unsigned cycles) {
    return guarded(h, "sl_rtl_reset", [&] { h->h.reset(cycles); return 0; });
}

int sl_rtl_tick(sl_rtl_t* h, uint64_t cycles) {
    return guarded(h, "sl_rtl_tick", [&] { h->h.tick(cycles); return 0; });
}

uint64_t sl_rtl_cycles(const sl_rtl_t* h) { return h ? h->h.cycle() : 0; }

int64_t sl_rtl_run_until_idle(sl_rtl_t* h, uint64_t max_cycles) {
    if (!h) return fail("sl_rtl_run_until_idle: NULL harness");
    int64_t n = h->h.run_until_idle(max_cycles);
    if (n < 0) fail("sl_rtl_run_until_idle: engine still busy after " + std::to_string(max_cycles) + " cycles");
    return n;
}

int64_t sl_rtl_run_until_interrupt(sl_rtl_t* h, uint64_t max_cycles) {
    if (!h) return fail("sl_rtl_run_until_interrupt: NULL harness");
    int64_t n = h->h.run_until_interrupt(max_cycles);
    if (n < 0) fail("sl_rtl_run_until_interrupt: no interrupt in " + std::to_string(max_cycles) + " cycles");
    return n;
}

int sl_rtl_idle(const sl_rtl_t* h) { return h && h->h.idle(); }
int sl_rtl_irq(const sl_rtl_t* h) { return h && h->h.irq(); }
int sl_rtl_waiting(const sl_rtl_t* h) { return h && h->h.waiting(); }

int sl_rtl_set_skip_waiting(sl_rtl_t* h, int on) {
    return guarded(h, "sl_rtl_set_skip_waiting", [&] { h->h.set_skip_waiting(on != 0); return 0; });
}

uint64_t sl_rtl_cycles_skipped(const sl_rtl_t* h) { return h ? h->h.cycles_skipped() : 0; }
uint64_t sl_rtl_irq_rises(const sl_rtl_t* h) { return h ? h->h.irq_rises() : 0; }

int sl_rtl_reg_write_strobe(sl_rtl_t* h, uint32_t offset, uint32_t value, uint8_t strobes) {
    return guarded(h, "sl_rtl_reg_write", [&] {
        if (offset > 0xFFF) return fail("sl_rtl_reg_write: offset " + std::to_string(offset) + " outside the 4 KiB BAR");
        int r = h->h.reg_write(offset, value, strobes);
        return r < 0 ? fail("sl_rtl_reg_write: no write response from the register slave") : r;
    });
}

int sl_rtl_reg_write(sl_rtl_t* h, uint32_t offset, uint32_t value) {
    return sl_rtl_reg_write_strobe(h, offset, value, 0xF);
}

int sl_rtl_reg_read(sl_rtl_t* h, uint32_t offset, uint32_t* value) {
    return guarded(h, "sl_rtl_reg_read", [&] {
        if (offset > 0xFFF) return fail("sl_rtl_reg_read: offset " + std::to_string(offset) + " outside the 4 KiB BAR");
        int r = h->h.reg_read(offset, value);
        return r < 0 ? fail("sl_rtl_reg_read: no read response from the register slave") : r;
    });
}

uint32_t sl_rtl_reg(sl_rtl_t* h, uint32_t offset) {
    uint32_t v = 0;
    return sl_rtl_reg_read(h, offset, &v) == 0 ? v : 0xDEADBEEFu;
}

int sl_rtl_set_msi(sl_rtl_t* h, int enable, uint64_t addr, uint32_t data) {
    return guarded(h, "sl_rtl_set_msi", [&] { h->h.set_msi(enable != 0, addr, data); return 0; });
}

int sl_rtl_mem_write(sl_rtl_t* h, uint64_t addr, const void* src, size_t len) {
    return guarded(h, "sl_rtl_mem_write", [&] {
        if (!src && len) return fail("sl_rtl_mem_write: NULL source");
        h->h.mem().write(addr, src, len);
        return 0;
    });
}

int sl_rtl_mem_read(const sl_rtl_t* h, uint64_t addr, void* dst, size_t len) {
    return guarded(h, "sl_rtl_mem_read", [&] {
        if (!dst && len) return fail("sl_rtl_mem_read: NULL destination");
        h->h.mem().read(addr, dst, len);
        return 0;
    });
}

int sl_rtl_mem_fill(sl_rtl_t* h, uint64_t addr, uint8_t value, size_t len) {
    return guarded(h, "sl_rtl_mem_fill", [&] { h->h.mem().fill(addr, value, len); return 0; });
}

int sl_rtl_mem_write64(sl_rtl_t* h, uint64_t addr, uint64_t value) {
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = uint8_t(value >> (8 * i));
    return sl_rtl_mem_write(h, addr, b, 8);
}

uint64_t sl_rtl_mem_read64(const sl_rtl_t* h, uint64_t addr) {
    uint8_t b[8] = {0};
    sl_rtl_mem_read(h, addr, b, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
    return v;
}

uint32_t sl_rtl_mem_read32(const sl_rtl_t* h, uint64_t addr) { return uint32_t(sl_rtl_mem_read64(h, addr)); }

int sl_rtl_set_latency(sl_rtl_t* h, unsigned read_cycles, unsigned write_cycles) {
    return guarded(h, "sl_rtl_set_latency", [&] { h->h.mem().set_latency(read_cycles, write_cycles); return 0; });
}

int sl_rtl_set_backpressure(sl_rtl_t* h, unsigned percent, uint64_t seed) {
    return guarded(h, "sl_rtl_set_backpressure", [&] {
        if (percent > 100) return fail("sl_rtl_set_backpressure: percent must be 0..100");
        h->h.mem().set_backpressure(percent, seed);
        return 0;
    });
}

int sl_rtl_add_error_range(sl_rtl_t* h, uint64_t lo, uint64_t hi, int resp, int on_read, int on_write) {
    return guarded(h, "sl_rtl_add_error_range", [&] {
        if (resp != SL_AXI_SLVERR && resp != SL_AXI_DECERR)
            return fail("sl_rtl_add_error_range: resp must be SL_AXI_SLVERR (2) or SL_AXI_DECERR (3)");
        if (hi < lo) return fail("sl_rtl_add_error_range: hi < lo");
        h->h.mem().add_error_range(lo, hi, unsigned(resp), on_read != 0, on_write != 0);
        return 0;
    });
}

int sl_rtl_clear_error_ranges(sl_rtl_t* h) {
    return guarded(h, "sl_rtl_clear_error_ranges", [&] { h->h.mem().clear_error_ranges(); return 0; });
}

int sl_rtl_set_msi_window(sl_rtl_t* h, uint64_t base, uint64_t size) {
    return guarded(h, "sl_rtl_set_msi_window", [&] { h->h.mem().set_msi_window(base, size); return 0; });
}

size_t sl_rtl_burst_count(const sl_rtl_t* h) { return h ? h->h.mem().bursts().size() : 0; }

int sl_rtl_burst_get(const sl_rtl_t* h, size_t i, sl_rtl_burst_t* out) {
    return guarded(h, "sl_rtl_burst_get", [&] {
        const auto& v = h->h.mem().bursts();
        if (i >= v.size() || !out) return fail("sl_rtl_burst_get: no burst " + std::to_string(i));
        const auto& b = v[i];
        *out = {b.addr, b.len, b.size, b.burst, b.is_write ? 1 : 0, b.cycle, b.resp};
        return 0;
    });
}

size_t sl_rtl_msi_count(const sl_rtl_t* h) { return h ? h->h.mem().msis().size() : 0; }

int sl_rtl_msi_get(const sl_rtl_t* h, size_t i, uint64_t* addr, uint32_t* data, uint64_t* cycle) {
    return guarded(h, "sl_rtl_msi_get", [&] {
        const auto& v = h->h.mem().msis();
        if (i >= v.size()) return fail("sl_rtl_msi_get: no MSI " + std::to_string(i));
        if (addr) *addr = v[i].addr;
        if (data) *data = v[i].data;
        if (cycle) *cycle = v[i].cycle;
        return 0;
    });
}

size_t sl_rtl_violation_count(const sl_rtl_t* h) { return h ? h->h.mem().violations().size() : 0; }

const char* sl_rtl_violation(const sl_rtl_t* h, size_t i) {
    if (!h || i >= h->h.mem().violations().size()) return "";
    return h->h.mem().violations()[i].c_str();
}

size_t sl_rtl_outstanding(const sl_rtl_t* h) { return h ? h->h.mem().outstanding() : 0; }
unsigned sl_rtl_max_outstanding_reads(const sl_rtl_t* h) { return h ? h->h.mem().max_outstanding_reads() : 0; }
uint64_t sl_rtl_beats_read(const sl_rtl_t* h) { return h ? h->h.mem().beats_read() : 0; }
uint64_t sl_rtl_beats_written(const sl_rtl_t* h) { return h ? h->h.mem().beats_written() : 0; }
uint64_t sl_rtl_beats_without_strobes(const sl_rtl_t* h) { return h ? h->h.mem().beats_without_strobes() : 0; }

int sl_rtl_clear_logs(sl_rtl_t* h) {
    return guarded(h, "sl_rtl_clear_logs", [&] { h->h.mem().clear_logs(); return 0; });
}

}  // extern "C"
