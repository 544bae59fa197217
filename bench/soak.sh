#!/bin/sh
# Soak: peak resident set of `staleline run` for every built-in workload at growing operation
# counts with a fixed working set. Memory must follow the working set, not the operations:
# the ratio of each count's peak RSS to the first count's stays near 1.
#
#   bench/soak.sh [--staleline PATH] [--counts "10000 100000"] [--workloads "copy random ..."]
#
# Per run: workload, operations, exit status, peak RSS (MiB), wall seconds, RSS / first count's
# RSS; then one line `rss_ratio_<workload> X` (largest count / smallest). The runs take the
# default listeners (latency breakdown on). Long counts take hours: run it under `nice -n 19`.
set -u

staleline=
counts="10000 100000"
workloads="copy blockio fill ring sgblock stream random ethmac-loopback block pattern"
while [ $# -gt 0 ]; do
    case "$1" in
        --staleline) staleline=$2; shift 2 ;;
        --counts) counts=$2; shift 2 ;;
        --workloads) workloads=$2; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
if [ -z "$staleline" ]; then
    here=$(cd "$(dirname "$0")/.." && pwd)
    staleline=$here/build/bin/staleline
fi
[ -x "$staleline" ] || { echo "soak.sh: no staleline at $staleline (--staleline PATH)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "soak.sh: needs GNU time (/usr/bin/time -v)" >&2; exit 2; }

# The fixed working set of each workload: sizes, windows and pools that do not grow with the
# number of operations.
args_of() {
    case "$1" in
        copy)    echo "--workload copy --set workload.max_size=64k" ;;
        blockio) echo "--workload blockio --set workload.max_size=4k" ;;
        fill)    echo "--workload fill --set workload.max_size=64k" ;;
        ring)    echo "--workload ring" ;;
        sgblock) echo "--workload sgblock --set workload.pool_size=256k --set workload.max_size=64k" ;;
        stream)  echo "--workload stream --set workload.max_size=16k --set workload.pool_size=64k" ;;
        random)  echo "--workload random --set workload.window=64k" ;;
        ethmac-loopback) echo "--device lnic --driver lnic --workload ethmac-loopback" ;;
        block)   echo "--device nvme --driver nvme-blk --workload block --set workload.pool_size=256k --set workload.max_size=64k" ;;
        *)       echo "--workload $1" ;;
    esac
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
printf '%-16s %9s %4s %9s %9s %7s\n' workload ops rc rss_mib wall_s ratio
for w in $workloads; do
    first=
    last=
    for n in $counts; do
        # shellcheck disable=SC2046
        /usr/bin/time -v -o "$tmp/time" "$staleline" run $(args_of "$w") \
            --set workload.transfers="$n" --seed 1 >"$tmp/out" 2>&1
        rc=$?
        kib=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
        wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time" |
               awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
        [ -n "$kib" ] || kib=0
        [ -n "$first" ] || first=$kib
        last=$kib
        awk -v w="$w" -v n="$n" -v rc="$rc" -v k="$kib" -v t="$wall" -v f="$first" 'BEGIN {
            printf "%-16s %9d %4d %9.1f %9.1f %7.3f\n", w, n, rc, k / 1024, t, (f > 0 ? k / f : 0) }'
        if [ "$rc" -ne 0 ]; then
            tail -n 5 "$tmp/out" | sed 's/^/    /'
        fi
    done
    awk -v w="$w" -v a="$first" -v b="$last" 'BEGIN { printf "rss_ratio_%s %.3f\n", w, (a > 0 ? b / a : 0) }'
done
