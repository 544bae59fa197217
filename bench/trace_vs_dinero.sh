#!/usr/bin/env bash
# Trace replay against Dinero IV on the same din trace (a script, not built).
#
#   bench/trace_vs_dinero.sh --dinero PATH/dineroIV [--staleline build/bin/staleline]
#                            [--lines 20000000] [--runs 5]
#
# Dinero IV is not packaged by Debian: build it beside the project from its own sources
# (./configure && make) and give its path. The trace (seeded, written to a temporary file) is
# half a sequential walk over 1 MiB and half random 8-byte accesses in 256 KiB, 30% writes.
# Both replay it as the same cache (32 KiB, 64-byte lines, 8 ways, LRU, write-back,
# write-allocate: staleline's defaults) and as the same IOTLB (64 fully associative entries of
# 4 KiB pages, LRU). The script checks that both count the same misses, then times the
# runs alternately with /usr/bin/time (user + system seconds, the median of the runs) and
# prints `ratio_<model>_vs_dinero X`: Dinero IV's time over staleline's (above 1: staleline
# is faster).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dinero=""
staleline="$root/build/bin/staleline"
lines=20000000
runs=5
while [ $# -gt 0 ]; do
    case "$1" in
        --dinero) dinero="$2"; shift 2 ;;
        --staleline) staleline="$2"; shift 2 ;;
        --lines) lines="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        *) echo "trace_vs_dinero.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
[ -x "$dinero" ] || { echo "trace_vs_dinero.sh: give --dinero PATH to a dineroIV binary" >&2; exit 2; }
[ -x "$staleline" ] || { echo "trace_vs_dinero.sh: no staleline at $staleline (--staleline)" >&2; exit 2; }
[[ "$lines" =~ ^[1-9][0-9]*$ && "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "trace_vs_dinero.sh: --lines and --runs take positive integers" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
trace="$tmp/trace.din"
python3 - "$lines" "$trace" <<'EOF'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
r = random.Random(7)
seq, out = 0, []
for _ in range(n):
    label = 1 if r.random() < 0.3 else 0
    if r.random() < 0.5:
        seq = (seq + 8) % (1 << 20)
        a = 0x100000 + seq
    else:
        a = (0x400000 + r.randrange(0, 256 * 1024)) & ~7
    out.append("%d %x\n" % (label, a))
open(path, "w").write("".join(out))
EOF

d4_cache=(-l1-dsize 32k -l1-dbsize 64 -l1-dassoc 8)
d4_iotlb=(-l1-dsize 256k -l1-dbsize 4k -l1-dassoc 64)
d4_common=(-l1-drepl l -l1-dfetch d -l1-dwalloc a -l1-dwback a -informat d)

# Demand misses from Dinero IV's report, misses from staleline's JSON.
d4_misses() { "$dinero" "$@" "${d4_common[@]}" < "$trace" | awk '/Demand Misses/ { print $3; exit }'; }
sl_misses() { "$staleline" trace --model "$1" < "$trace" | awk -F'[:,]' '/"misses"/ { gsub(/ /, "", $2); print $2 }'; }
# user + system seconds of one run
cpu_s() { /usr/bin/time -f "%U %S" -o "$tmp/t" "$@" < "$trace" > /dev/null; awk '{ print $1 + $2 }' "$tmp/t"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "trace: $lines references; $runs runs of each, alternately"
for model in cache iotlb; do
    if [ "$model" = cache ]; then geo=("${d4_cache[@]}"); else geo=("${d4_iotlb[@]}"); fi
    dm="$(d4_misses "${geo[@]}")"
    sm="$(sl_misses "$model")"
    if [ "$dm" != "$sm" ]; then
        echo "$model: the misses differ (Dinero IV $dm, staleline $sm): not the same model" >&2
        exit 1
    fi
    : > "$tmp/d" && : > "$tmp/s"
    for _ in $(seq "$runs"); do
        cpu_s "$dinero" "${geo[@]}" "${d4_common[@]}" >> "$tmp/d"
        cpu_s "$staleline" trace --model "$model" >> "$tmp/s"
    done
    d="$(median < "$tmp/d")"
    s="$(median < "$tmp/s")"
    echo "$model: $dm misses in both; cpu seconds (median) Dinero IV $d, staleline $s"
    awk -v d="$d" -v s="$s" -v m="$model" 'BEGIN { printf "ratio_%s_vs_dinero %.2f\n", m, (s > 0 ? d / s : 0) }'
done
