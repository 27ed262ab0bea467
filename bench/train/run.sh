#!/bin/sh
# Side-by-side throughput of one ResNet-50 training step: rn50-exp (LibTorch C++) vs Python
# torchvision on the same LibTorch 1.13 (Debian python3-torch). Same model, batch, image size,
# threads, channels_last, synthetic fixed batch. Prints img/s of both, the ratio and the share
# of the machine's fp32 GEMM peak that rn50-exp reaches.
#
# usage: bench/train/run.sh [BUILD_DIR] [REPEATS]   (env: THREADS=2 PEAK_GFLOPS=190 STEPS=...)
# Run on an idle machine: the numbers mean nothing while other jobs compile.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
repeats=${2:-3}
bin=$build/rn50-exp
threads=${THREADS:-2}
peak=${PEAK_GFLOPS:-190}
[ -x "$bin" ] || { echo "run.sh: $bin not found (build rn50-exp first)" >&2; exit 2; }
export OMP_NUM_THREADS=$threads

# value of "key" in a one-line JSON object
field() { sed -n "s/.*\"$1\": *\([0-9.eE+-]*\).*/\1/p"; }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)  threads: $threads  repeats: $repeats (best of)"
printf '%-8s %-6s %-5s %12s %12s %7s %9s\n' size batch prec rn50-exp torchvision ratio "%peak"
for case in "64 32 fp32 20" "64 32 bf16 20" "224 16 fp32 6" "224 16 bf16 6"; do
  set -- $case
  size=$1 batch=$2 prec=$3 steps=${STEPS:-$4}
  ours=0 peer=0
  i=0
  while [ $i -lt "$repeats" ]; do
    amp=fp32; [ "$prec" = bf16 ] && amp=amp
    o=$("$bin" train "$here/resnet50-bench.yaml" --bench --bench-steps "$steps" --bench-warmup 3 \
        --set image_size="$size" --set batch_size="$batch" --set precision="$amp" \
        --set threads="$threads" | field images_per_s)
    p=$(/usr/bin/python3 "$here/peer_torchvision.py" --image-size "$size" --batch-size "$batch" \
        --precision "$prec" --threads "$threads" --steps "$steps" --warmup 3 --channels-last |
        field images_per_s)
    ours=$(echo "$o $ours" | awk '{print ($1 > $2) ? $1 : $2}')
    peer=$(echo "$p $peer" | awk '{print ($1 > $2) ? $1 : $2}')
    i=$((i + 1))
  done
  # ResNet-50 training ~ 3 x 4.1 GFLOP per 224^2 image, scaling with the pixel count.
  echo "$size $batch $prec $ours $peer $peak" | awk '{
    gf = 3 * 4.1 * ($1 / 224) ^ 2
    printf "%-8s %-6s %-5s %12.2f %12.2f %6.3fx %8.1f%%\n", $1 "x" $1, $2, $3, $4, $5, $4 / $5,
           100 * $4 * gf / $6 }'
done
