#!/usr/bin/env bash
# The review report in its real consumer, a browser: headless Chromium (Debian chromium) loads
# report.html of
#   bug       `staleline run --driver bug:missing-clean --report DIR` (findings, source lines, its
#             latency breakdown and timeline: two images)
#   fixture   report_fixture/ (a latency breakdown plot and a timeline view: two images)
# and must show no console message at all (a script error, a blocked load: the page's
# Content-Security-Policy forbids any network access) and load every image (naturalWidth > 0,
# which the page records in <body data-images="ok N">, read from the DOM Chromium dumps).
# Screenshots (1280x2000) are kept as WORK_DIR/report-NAME.png, the CI artefact.
# Without chromium the test is skipped (exit 77), unless CI is set: in CI it must run.
# Usage: report_chromium.sh STALELINE FIXTURE_DIR WORK_DIR
set -uo pipefail
staleline=$1 fixture=$2 work=$3
browser=$(command -v chromium || true)
if [ -z "$browser" ]; then
  if [ -n "${CI:-}" ]; then
    echo "report_chromium: chromium is not installed (apt-get install chromium; .ci/deps)" >&2
    exit 1
  fi
  echo "report_chromium: SKIPPED: chromium is not installed (apt-get install chromium)" >&2
  exit 77
fi
rm -rf "$work"
mkdir -p "$work"
fail=0

"$staleline" run --driver bug:missing-clean --set workload.transfers=4 --set workload.max_size=16k \
  --report "$work/bug" > "$work/bug.out" 2>&1
rc=$?
if [ "$rc" -ne 1 ]; then
  echo "report_chromium: bug: staleline run exited $rc, expected 1:" >&2
  cat "$work/bug.out" >&2
  fail=1
fi
mkdir -p "$work/fixture"
cp "$fixture/run.json" "$fixture/timeline.json" "$work/fixture/"
if ! "$staleline" report "$work/fixture" > "$work/fixture.out" 2>&1; then
  echo "report_chromium: fixture: staleline report failed:" >&2
  cat "$work/fixture.out" >&2
  fail=1
fi

# chromium FLAGS... URL: a private profile, no sandbox (containers run it as root), a timeout.
browse() {
  local profile
  profile=$(mktemp -d)
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$profile" "$@"
  local rc=$?
  rm -rf "$profile"
  return $rc
}

declare -A want_images=([bug]=2 [fixture]=2)
for name in bug fixture; do
  page="$work/$name/report.html"
  if [ ! -s "$page" ]; then
    echo "report_chromium: $name: no report.html" >&2
    fail=1
    continue
  fi
  url="file://$(realpath "$page")"
  if ! browse --enable-logging=stderr --v=0 --dump-dom "$url" > "$work/$name.dom" 2> "$work/$name.log"; then
    echo "report_chromium: $name: chromium failed:" >&2
    tail -20 "$work/$name.log" >&2
    fail=1
    continue
  fi
  # Every console message of the page: Chromium logs them as lines with CONSOLE.
  if grep -a ':CONSOLE' "$work/$name.log" >&2; then
    echo "report_chromium: $name: the page logged console messages (above)" >&2
    fail=1
  fi
  images=$(grep -ao 'data-images="[^"]*"' "$work/$name.dom" | head -1)
  if [ "$images" != "data-images=\"ok ${want_images[$name]}\"" ]; then
    echo "report_chromium: $name: images: got '${images:-no record}', expected ${want_images[$name]} loaded" >&2
    fail=1
  fi
  if ! browse --screenshot="$work/report-$name.png" --window-size=1280,2000 "$url" > "$work/$name.shot.log" 2>&1 ||
     [ ! -s "$work/report-$name.png" ]; then
    echo "report_chromium: $name: no screenshot:" >&2
    tail -20 "$work/$name.shot.log" >&2
    fail=1
  fi
  echo "report_chromium: $name: $images, screenshot $work/report-$name.png"
done
exit $fail
