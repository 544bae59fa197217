#!/usr/bin/env bash
# Regenerate the study's data and plots (docs/iotlb-study.md). About 20 s on 2 cores
# after the build. Usage: docs/iotlb-study/regenerate.sh [BUILD_DIR]   (default: build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
cmake --build "$build" -j2 --target staleline_cli dmac >/dev/null
B="$build/bin/staleline"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# random 64 B / 512 B device reads, 64 per GATHER_SRAM, from a window pinned once (pool):
# 1024 accesses of warm-up, 32768 measured. The fidelity switches (docs/fidelity.md) off: the
# study measures the IOTLB's reach on one run of device addresses per pin.
COMMON=(--workload random --set workload.gather=64 --set workload.transfers=32768 --set workload.warmup=1024
        --set workload.queue_depth=8 --set dmac.mapping=pool --set iommu.scatter=false --set dram.fresh_pages=zero
        -j 2 --no-plots)
WINDOWS=4k,16k,64k,128k,256k,384k,512k,768k,1M,4M,16M,64M
"$B" sweep "${COMMON[@]}" --param workload.access_size=64,512 --param workload.window=$WINDOWS \
  --x workload.window --set iotlb.entries=64 --out "$work/pool"
"$B" sweep "${COMMON[@]}" --param iotlb.entries=16,64,256,1024 --param workload.window=64k,256k,512k,1M,4M,16M \
  --x workload.window --set workload.access_size=64 --out "$work/entries"
"$B" sweep "${COMMON[@]}" --param iommu.walkers=1,2,4 --param workload.window=4k,256k,512k,1M,4M,64M \
  --x workload.window --set workload.access_size=64 --set iotlb.entries=64 --out "$work/walkers"
"$B" sweep "${COMMON[@]}" --param iommu.walk_latency_ns=0,10,40,100 --param workload.window=4k,512k,1M,64M \
  --x workload.window --set workload.access_size=64 --set iotlb.entries=64 --out "$work/walklat"
"$B" sweep "${COMMON[@]}" --param iommu.pwc_entries=0,16,64 --param workload.window=4k,256k,512k,1M,4M,64M \
  --x workload.window --set workload.access_size=64 --set iotlb.entries=64 --out "$work/pwc"
# Mapping strategies: per-transfer (strict, deferred) against the pool.
"$B" sweep --workload random --set workload.gather=64 --set workload.transfers=8192 --set workload.warmup=1024 \
  --set workload.queue_depth=8 --set iommu.scatter=false --set dram.fresh_pages=zero -j 2 --no-plots \
  --param dmac.mapping=pool,per-transfer \
  --param iommu.invalidation=strict,deferred --param workload.window=4k,256k,64M --x workload.window \
  --set workload.access_size=64 --set iotlb.entries=64 --out "$work/strategies"
for s in pool entries walkers walklat pwc strategies; do cp "$work/$s/results.csv" "$here/$s-window.csv"; done
cd "$here"
./extract.py pool-window.csv workload.access_size 33792 > pool-window.dat
./extract.py entries-window.csv iotlb.entries 33792 > entries-window.dat
./extract.py walkers-window.csv iommu.walkers 33792 > walkers-window.dat
./extract.py walklat-window.csv iommu.walk_latency_ns 33792 > walklat-window.dat
./extract.py pwc-window.csv iommu.pwc_entries 33792 > pwc-window.dat
./extract.py strategies-window.csv dmac.mapping 9216 > strategies-window.dat
gnuplot plots.gp
echo "data and plots in $here"
