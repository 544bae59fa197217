#!/usr/bin/env python3
"""Turn a sweep's results.csv into a gnuplot data file:
window_bytes  miss_rate  measured_mb_s  p50_ns  p99_ns  translate_ns_per_op  device_ns_per_op
one block per value of the grouping column (blank lines between blocks).
usage: extract.py results.csv GROUP_COLUMN > out.dat"""
import csv, sys

SIZES = {"k": 1 << 10, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

def size(text):
    return int(text[:-1]) * SIZES[text[-1]] if text[-1] in SIZES else int(text)

rows = list(csv.DictReader(open(sys.argv[1])))
group = sys.argv[2]
clock_ns = 1000.0 / 250  # rtl.clock_mhz default
for g in dict.fromkeys(r[group] for r in rows):
    print(f"\"{group}={g}\"")
    for r in sorted((r for r in rows if r[group] == g), key=lambda r: size(r["workload.window"])):
        ops = max(1, int(r["stats.dma.transfers"]))
        busy = int(r["stats.dma_engine.cycles"]) - int(r["stats.dma_engine.cycles_idle"])
        print(size(r["workload.window"]), int(r["stats.iotlb.misses"]) / max(1, int(r["stats.iotlb.lookups"])),
              r["stats.dma.measured_mb_s"], r["stats.dma.latency_p50_ns"], r["stats.dma.latency_p99_ns"],
              int(r["stats.iotlb.time_translating_ns"]) / ops, busy * clock_ns / ops)
    print("\n")
