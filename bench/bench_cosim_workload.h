// bench_cosim: the workload every variant runs, and what each reports. Plain C++ (no
// SystemC, no Verilator), shared by bench_cosim and bench_cosim_naive.
//
// The workload: total_bytes of COPY from src to dst in descriptors of desc_bytes each,
// through a 256-entry ring, the ring kept nearly full. Source bytes are a pattern of their
// offset, so the destination can be checked without keeping a copy.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>

#include "dmac-hw.h"  // the engine's register map and descriptor format

struct CosimWorkload {
    uint64_t total_bytes = 64ull << 20;
    uint32_t desc_bytes = 4096;
    uint64_t ring = 0;  // device addresses
    uint64_t src = 0;
    uint64_t dst = 0;
    // Limit loop only: cycles from a read address being taken to its first data beat, and
    // from a write's last beat to its response, as the bridge's memory path takes (a read
    // crosses the PCI hop both ways, a posted write once); 0: zero-latency memory.
    uint32_t mem_latency_cycles = 0;
    uint32_t write_latency_cycles = 0;
    uint64_t descriptors() const { return total_bytes / desc_bytes; }
};

struct CosimResult {
    bool ok = false;               // destination checked
    uint64_t cycles = 0;           // RTL clock cycles simulated (simulated time / clock period)
    uint64_t cycles_evaluated = 0; // of those, cycles the model was actually clocked
    uint64_t evals = 0;            // eval() calls of the model
    uint64_t bytes = 0;            // bytes moved
    double seconds = 0;            // wall time of the run
    double sim_seconds = 0;        // simulated time of the run
};

// Source byte i of the workload (8 bytes at a time, little-endian).
inline uint64_t cosim_pattern(uint64_t offset) { return offset * 0x9E3779B97F4A7C15ull ^ 0x5A5A5A5A00000000ull; }

// The platform's default latencies in cycles of the engine's clock: dram.latency_ns plus
// pci.hop_latency_ns both ways for a read, once for a write (the IOTLB hit and the DRAM
// bandwidth term are left out: a few ns).
inline void cosim_platform_latency(CosimWorkload& w, long long dram_ns, long long hop_ns, long long mhz) {
    w.mem_latency_cycles = (uint32_t)(((dram_ns + 2 * hop_ns) * mhz + 999) / 1000);
    w.write_latency_cycles = (uint32_t)(((dram_ns + hop_ns) * mhz + 999) / 1000);
}

// Flat device address layout used by the limit and the naive variants.
inline CosimWorkload cosim_flat_layout(CosimWorkload w) {
    w.ring = 0x10000;
    w.src = 0x100000;
    w.dst = w.src + ((w.total_bytes + 0xFFFFF) & ~0xFFFFFull);
    return w;
}
inline uint64_t cosim_memory_span(const CosimWorkload& w) { return w.dst + w.total_bytes; }

// Every destination byte equals its source byte. read(addr, buf, len) fetches device memory.
inline bool cosim_check(const CosimWorkload& w, const std::function<void(uint64_t, void*, size_t)>& read) {
    static uint8_t buf[1 << 16];
    for (uint64_t off = 0; off < w.total_bytes; off += sizeof buf) {
        size_t n = (size_t)((w.total_bytes - off) < sizeof buf ? (w.total_bytes - off) : sizeof buf);
        read(w.dst + off, buf, n);
        for (size_t i = 0; i < n; i += 8) {
            uint64_t want = cosim_pattern(off + i), got;
            std::memcpy(&got, buf + i, 8);
            if (got != want) return false;
        }
    }
    return true;
}

// Variant 1 (bench_cosim_limit.cpp): bare Verilated model in a plain loop.
CosimResult cosim_run_limit(const CosimWorkload& w);
