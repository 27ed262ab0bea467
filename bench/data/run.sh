#!/usr/bin/env bash
# bench/data: the data pipeline alone, rn50-exp vs torchvision, same transforms, 2 workers.
#   bench/data/run.sh [BUILD_DIR]       (default: build; the trainer must be ON there)
# Env: BENCH_DATA_DIR (generated tree, default /tmp/rn50-bench-data), WORKERS (2), EPOCHS (2),
#      PER_CLASS (128 images x 10 classes), REPEAT (2: best of N runs each, the box is shared).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
data=${BENCH_DATA_DIR:-/tmp/rn50-bench-data}
workers=${WORKERS:-2}
epochs=${EPOCHS:-2}
repeat=${REPEAT:-2}

cmake -B "$build" -DRN50_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --target bench_data -j2 >/dev/null

/usr/bin/python3 "$here/gen_tree.py" "$data" --per-class "${PER_CLASS:-128}"
# Read every file once so both sides start from the page cache.
cat "$data"/train/*/*.JPEG > /dev/null

best() {  # best img_per_s of $repeat runs of "$@"
  local b=0 line v
  for _ in $(seq "$repeat"); do
    line=$("$@")
    echo "  $line" >&2
    v=$(sed -E 's/.*"img_per_s": ([0-9.]+).*/\1/' <<<"$line")
    b=$(awk -v a="$b" -v c="$v" 'BEGIN { print (c > a ? c : a) }')
  done
  echo "$b"
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
ours=$(best "$build/bench/bench_data" --root "$data" --workers "$workers" --epochs "$epochs")
peer=$(best /usr/bin/python3 "$here/peer_torchvision.py" "$data" --workers "$workers" --epochs "$epochs")
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rn50-exp    : $ours img/s ($workers threads)"
echo "torchvision : $peer img/s ($workers workers)"
awk -v a="$ours" -v b="$peer" 'BEGIN { printf "ratio       : %.2fx\n", a / b }'
