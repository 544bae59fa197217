#!/usr/bin/env python3
"""Turn a sweep's results.csv of the `random` workload into a gnuplot data file, one block per
value of the grouping column (blank lines between blocks), rows sorted by window:

  1 window_bytes   2 miss_rate (misses / lookups)   3 driver MB/s (measured phase)
  4 p50_ns   5 p99_ns   6 translate ns per access   7 device ns per access
  8 device MB/s   9 device throughput relative to the group's smallest window
  10 walks that waited for a walker, per access

Device time is the engine's busy time ((cycles - cycles_idle) x the 4 ns clock) over every
access of the run (warm-up included; the set-up write and the final read-back of the SRAM
are in it too and are under 2 % of it at 33 792 accesses).
usage: extract.py results.csv GROUP_COLUMN ACCESSES [ACCESS_SIZE] > out.dat
(ACCESSES = workload.transfers + workload.warmup; ACCESS_SIZE when it is not a column)"""
import csv, sys

SIZES = {"k": 1 << 10, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def size(text):
    return int(text[:-1]) * SIZES[text[-1]] if text[-1] in SIZES else int(text)


rows = list(csv.DictReader(open(sys.argv[1])))
group = sys.argv[2]
accesses = int(sys.argv[3])
default_size = sys.argv[4] if len(sys.argv) > 4 else "64"
clock_ns = 1000.0 / 250  # rtl.clock_mhz default
for g in dict.fromkeys(r[group] for r in rows):
    print(f"\"{group}={g}\"")
    base = None
    for r in sorted((r for r in rows if r[group] == g), key=lambda r: size(r["workload.window"])):
        if r["status"] != "ok":
            continue
        access_size = size(r.get("workload.access_size", default_size))
        busy_ns = (int(r["stats.dma_engine.cycles"]) - int(r["stats.dma_engine.cycles_idle"])) * clock_ns
        dev_ns = busy_ns / accesses
        dev_mb_s = access_size / dev_ns * 1000.0
        base = base or dev_mb_s
        print(size(r["workload.window"]), int(r["stats.iotlb.misses"]) / max(1, int(r["stats.iotlb.lookups"])),
              r["stats.dma.measured_mb_s"], r["stats.dma.latency_p50_ns"], r["stats.dma.latency_p99_ns"],
              int(r["stats.iotlb.time_translating_ns"]) / accesses, round(dev_ns, 1), round(dev_mb_s, 1),
              round(dev_mb_s / base, 3), int(r.get("stats.iotlb.walks_waited", "0") or 0) / accesses)
    print("\n")
