#!/usr/bin/env bash
# Run every fuzz target for SECONDS each, one after the other, starting from its seed corpus
# (corpus/<target>/, left as it is: new inputs go to a scratch directory).
# Usage: testbench/fuzz/run-all.sh [SECONDS] [BUILD_DIR] [TARGET ...]
#   SECONDS    per target (default 15); BUILD_DIR: a -DSTALELINE_FUZZ=ON build (default build-fuzz)
# Exit status: 0 when no target found anything; 1 on the first crash, sanitizer report, leak or
# timeout, whose input is left in BUILD_DIR/fuzz-artifacts/<target>/ and printed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-15}"
build="${2:-$root/build-fuzz}"
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_config fuzz_din fuzz_syscalls fuzz_dma_engine)

export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Every target runs with LeakSanitizer (libFuzzer checks each input that allocated more than
# it freed, and the whole process at exit).
asan_options() { echo "detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0"; }

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
status=0
for t in "${targets[@]}"; do
  bin="$build/bin/$t"
  [ -x "$bin" ] || { echo "$t: not built ($bin); build the fuzz_all target" >&2; exit 2; }
  art="$build/fuzz-artifacts/$t"
  mkdir -p "$scratch/$t" "$art"
  echo "== $t: $seconds s"
  # -timeout: an input that runs 30 s is a hang; -rss_limit_mb: memory that keeps growing.
  if ! ASAN_OPTIONS="$(asan_options "$t")" "$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 \
      -artifact_prefix="$art/" "$scratch/$t" "$here/corpus/$t" > "$scratch/$t.log" 2>&1; then
    tail -n 60 "$scratch/$t.log"
    echo "$t: FAILED; the input is in $art/" >&2
    status=1
    continue
  fi
  # the last status line: executions, coverage, corpus
  grep -E '^#[0-9]+' "$scratch/$t.log" | tail -n 1
  grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' "$scratch/$t.log" || true
done
exit $status
