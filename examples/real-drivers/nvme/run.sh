#!/bin/sh
# Zircon's NVMe driver on Staleline's NVMe model: fetch nvme.c and nvme-hw.h at the pinned
# commit of Zircon's public history, build them unmodified with find_package(Staleline) +
# staleline_add_driver, and run them with the block workload, non-coherent and coherent.
#
#   examples/real-drivers/nvme/run.sh PREFIX [WORKDIR]
#
# PREFIX: an installed Staleline (cmake --install build --prefix PREFIX). WORKDIR (default
# /tmp/zircon-nvme) receives the sources, the build and the JSON reports. Needs the network
# (raw.githubusercontent.com) the first time, or nvme.c and nvme-hw.h placed in WORKDIR/src by
# hand (git show 50d20f1:system/dev/block/nvme/nvme.c in a clone); not run in CI.
set -eu
prefix=$(cd "${1:?usage: run.sh PREFIX [WORKDIR]}" && pwd)
work=${2:-/tmp/zircon-nvme}
commit=50d20f11275ecdd47faa393e3ff6465cee07a670
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work/src"
for f in nvme.c nvme-hw.h; do
  if [ ! -s "$work/src/$f" ]; then
    curl -fsSL -o "$work/src/$f" \
      "https://raw.githubusercontent.com/pandarong/zircon/$commit/system/dev/block/nvme/$f"
  fi
done
# The files exactly as they are at that commit (1,099 and 306 lines).
(cd "$work/src" && sha256sum -c - <<SUMS
f49594d8fe7e66b0c889c814ce92254cb79a4543243285c68f1ed751eb200dd0  nvme.c
c1db09703416d26bd5b59ef29955dd26b22ff6b74b606a29412bdacab54dd752  nvme-hw.h
SUMS
)
cmake -S "$here" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" -DZIRCON_NVME_DIR="$work/src" >/dev/null
cmake --build "$work/build"
drv="$work/build/lib/drivers/zircon-nvme.so"
sl="$prefix/bin/staleline"
common="--device nvme --driver $drv --workload block --set workload.pool_size=256k --set workload.max_size=64k --seed 1"
status=0
"$sl" run $common --json "$work/noncoherent.json" --sarif "$work/noncoherent.sarif" || status=$?
echo "non-coherent: exit $status"
status=0
"$sl" run $common --set platform.coherent=true --json "$work/coherent.json" || status=$?
echo "coherent: exit $status"
