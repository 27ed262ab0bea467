#!/bin/sh
# Data-parallel scaling side by side: PyTorch DDP + Gloo (peer.py, /usr/bin/python3) vs rn50-exp
# workers (`rn50-exp worker CONFIG.json`, c10d Gloo). ResNet-50, synthetic images, the same
# batch per rank, one intra-op thread per rank, 1 and 2 ranks on this machine. Both sides are
# launched the same way: one process per rank with torchrun's environment. Prints img/s for 1
# and 2 ranks and the efficiency = ips2 / (2 x ips1) of both, with the ratio ours / peer.
#
# usage: bench/ddp/run.sh [BUILD_DIR] [REPEATS]
#   env: SIZE=64 BATCH=16 THREADS=1 STEPS=20 WARMUP=5 FORMAT=nchw|nhwc PORT=29650
# Repeats keep the best of each cell. Run on an idle machine (see `uptime`): with 2 cores and
# 2 ranks, anything else running steals a rank's core and the numbers mean nothing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
repeats=${2:-3}
bin=$build/rn50-exp
size=${SIZE:-64}
batch=${BATCH:-16}
threads=${THREADS:-1}
steps=${STEPS:-20}
warmup=${WARMUP:-5}
format=${FORMAT:-nchw}
port=${PORT:-29650}
[ -x "$bin" ] || { echo "run.sh: $bin not found (build rn50-exp first)" >&2; exit 2; }
export OMP_NUM_THREADS=$threads

work=$(mktemp -d "${TMPDIR:-/tmp}/rn50-bench-ddp.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# Starts $1 ranks of the command after $2 (the master port) with torchrun's variables; rank
# r's output goes to $work/out.r and err.r. Fails if any rank fails.
launch() {
  n=$1
  mport=$2
  shift 2
  pids=""
  r=0
  while [ $r -lt "$n" ]; do
    RANK=$r LOCAL_RANK=$r WORLD_SIZE=$n LOCAL_WORLD_SIZE=$n MASTER_ADDR=127.0.0.1 \
      MASTER_PORT=$mport "$@" >"$work/out.$r" 2>"$work/err.$r" &
    pids="$pids $!"
    r=$((r + 1))
  done
  ok=0
  for p in $pids; do wait "$p" || ok=1; done
  if [ $ok -ne 0 ]; then
    echo "run.sh: a rank failed: $*" >&2
    cat "$work"/err.* >&2
    return 1
  fi
}

peer_ips() {
  launch "$1" "$2" /usr/bin/python3 "$here/peer.py" --image-size "$size" --batch-size "$batch" \
    --threads "$threads" --steps "$steps" --warmup "$warmup" \
    $([ "$format" = nhwc ] && echo --channels-last)
  /usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read())["images_per_s"])' \
    "$work/out.0"
}

# The training loop itself (synthetic data source, logging, report), not a bare step: the
# steady window after `skip_steps` warm-up steps is what total_ips measures.
ours_ips() {
  n=$1
  ws="$work/ours-$n"
  rm -rf "$ws"
  mkdir -p "$ws"
  cat >"$ws/config.json" <<EOF
{"arch": "resnet50", "num_classes": 1000, "data_backend": "synthetic", "image_size": $size,
 "batch_size": $batch, "threads": $threads, "workers": 1, "prefetch": 2,
 "memory_format": "$format", "precision": "fp32", "epochs": 1,
 "training_step_per_epoch": $((warmup + steps)), "skip_steps": $warmup,
 "synthetic_train_images": $(((warmup + steps) * batch * n)), "eval_every": 0,
 "print_freq": 1000, "lr": 0.1, "lr_schedule": "step", "lr_milestones": [], "momentum": 0.9,
 "weight_decay": 0.0001, "bn_weight_decay": true, "save_checkpoints": false,
 "workspace": "$ws"}
EOF
  launch "$n" "$2" "$bin" worker "$ws/config.json"
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total_ips"])' \
    "$ws/report.json"
}

best() { echo "$1 $2" | awk '{print ($1 > $2) ? $1 : $2}'; }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)  ResNet-50 ${size}x${size}, batch $batch/rank," \
  "$threads thread(s)/rank, $format, $steps timed steps after $warmup, best of $repeats"
p1=0 p2=0 o1=0 o2=0
i=0
while [ $i -lt "$repeats" ]; do
  # A fresh port per launch: command substitutions are subshells, so no shared counter.
  b=$((port + 4 * i))
  p1=$(best "$(peer_ips 1 $b)" "$p1")
  o1=$(best "$(ours_ips 1 $((b + 1)))" "$o1")
  p2=$(best "$(peer_ips 2 $((b + 2)))" "$p2")
  o2=$(best "$(ours_ips 2 $((b + 3)))" "$o2")
  echo "  repeat $((i + 1)): peer $p1 / $p2 img/s, rn50-exp $o1 / $o2 img/s (best so far, 1 / 2 ranks)"
  i=$((i + 1))
done
echo "$p1 $p2 $o1 $o2" | awk '{
  pe = $2 / (2 * $1); oe = $4 / (2 * $3)
  printf "%-22s %14s %14s %8s\n", "", "torch DDP+Gloo", "rn50-exp", "ratio"
  printf "%-22s %14.2f %14.2f %7.3fx\n", "1 rank img/s", $1, $3, $3 / $1
  printf "%-22s %14.2f %14.2f %7.3fx\n", "2 ranks img/s", $2, $4, $4 / $2
  printf "%-22s %13.1f%% %13.1f%% %7.3fx\n", "efficiency", 100 * pe, 100 * oe, oe / pe }'
