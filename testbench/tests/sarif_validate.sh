#!/usr/bin/env bash
# The SARIF of `staleline run` passes Microsoft's SARIF validator with no error and no warning
# (`sarif-multitool validate`, npm @microsoft/sarif-multitool, installed by .ci/deps), for:
#   clean        the reference driver, no finding
#   catalogue    a bug of the catalogue (bug:missing-clean): findings with call stacks
#   outside      files outside the source root (checker.source_root elsewhere, as for a driver
#                kept outside this tree): file:// URIs
#   wrong-data   wrong data without a finding (outputs_corrupt): a notification
#   fault        a driver fault (outputs_null_store): a driver-fault finding
#   leak         pins leaked in a helper called from two lines (outputs_leak_in_helper)
#   bug-NAME     every bug of the DMA engine's catalogue (every finding kind it produces)
# Without the validator the test is skipped (exit 77), unless CI is set: in CI it must run.
# Usage: sarif_validate.sh STALELINE DRIVER_DIR WORK_DIR
set -uo pipefail
staleline=$1 drivers=$2 work=$3
validator=$(command -v sarif-multitool || true)
if [ -z "$validator" ]; then
  if [ -n "${CI:-}" ]; then
    echo "sarif_validate: sarif-multitool is not installed (npm install -g @microsoft/sarif-multitool; .ci/deps)" >&2
    exit 1
  fi
  echo "sarif_validate: SKIPPED: sarif-multitool is not installed (npm install -g @microsoft/sarif-multitool)" >&2
  exit 77
fi
# The validator is a self-contained .NET program: without ICU it needs invariant globalization.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
mkdir -p "$work"
small="--set workload.transfers=4 --set workload.max_size=16k"
declare -A runs=(
  [clean]="$small"
  [catalogue]="--driver bug:missing-clean $small"
  [outside]="--driver bug:missing-clean $small --set checker.source_root=/nonexistent/elsewhere"
  [wrong-data]="--driver $drivers/outputs_corrupt.so $small"
  [fault]="--driver $drivers/outputs_null_store.so $small"
  [leak]="--driver $drivers/outputs_leak_in_helper.so --set workload.transfers=1 --set workload.max_size=16k"
)
declare -A want_rc=([clean]=0 [catalogue]=1 [outside]=1 [wrong-data]=1 [fault]=1 [leak]=1)
names=(clean catalogue outside wrong-data fault leak)
for b in missing-clean missing-invalidate invalidate-before-only invalidate-discards-dirty dirty-evict-over-dma \
         shared-cache-line unpin-in-flight wrong-permission cpu-address no-bus-master leaked-pin descriptor-not-cleaned; do
  runs[bug-$b]="--driver bug:$b --set workload.transfers=8 --set workload.max_size=16k"
  want_rc[bug-$b]=any  # whether this short run shows the bug is test_bugs' business
  names+=("bug-$b")
done
failed=0
for name in "${names[@]}"; do
  sarif="$work/$name.sarif"
  rm -f "$sarif"
  # A faulted driver's heap is abandoned, as its driver host process would be on Fuchsia: no
  # leak check for that run under AddressSanitizer (test_outputs says why).
  asan=${ASAN_OPTIONS:-}
  [ "$name" = fault ] && asan="${asan:+$asan:}detect_leaks=0"
  # shellcheck disable=SC2086
  ASAN_OPTIONS=$asan "$staleline" run ${runs[$name]} --sarif "$sarif" > "$work/$name.txt" 2>&1
  rc=$?
  if { [ "${want_rc[$name]}" = any ] && [ "$rc" -gt 1 ]; } || { [ "${want_rc[$name]}" != any ] && [ "$rc" != "${want_rc[$name]}" ]; } ||
     [ ! -s "$sarif" ]; then
    echo "FAIL $name: staleline run exited $rc (expected ${want_rc[$name]}) or wrote no SARIF" >&2
    tail -5 "$work/$name.txt" >&2
    failed=1
    continue
  fi
  "$validator" validate "$sarif" > "$work/$name.validate" 2>&1
  vrc=$?
  problems=$(grep -cE ': (error|warning) [A-Z]+[0-9]+' "$work/$name.validate")
  if [ "$vrc" != 0 ] || [ "$problems" != 0 ] || ! grep -q "Analysis completed successfully" "$work/$name.validate"; then
    echo "FAIL $name: validator exit $vrc, $problems errors and warnings:" >&2
    grep -E ': (error|warning) ' "$work/$name.validate" | head -20 >&2
    failed=1
  else
    echo "ok   $name: 0 errors, 0 warnings"
  fi
done
exit $failed
