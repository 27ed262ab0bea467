#!/usr/bin/env bash
# One prepared check of rn50-exp's CUDA path on a machine with an NVIDIA GPU, CUDA, CMake and a
# CUDA LibTorch 2.x (PyTorch's wheel: `python3 -c 'import torch; print(torch.utils.cmake_prefix_path)'`).
# It configures with CUDA, builds with every core, runs the test suite of that build, then measures
# and prints (most important first, each later step shrinking to the time left): ResNet-50 training throughput (224 px, batch 256, channels_last; fp16 autocast with
# loss scaling and bf16 autocast) of rn50-exp and of Python torchvision on the same LibTorch, with
# the ratio; the fp16 loss scaler skipping an overflowing step; a NCCL process group of one rank;
# a Fashion-MNIST run to 90 % top-1. Everything printed also goes to OUT_DIR.
#
# usage: scripts/gpu-check.sh OUT_DIR
# env:   RN50_GPU_DEPS   folder of Debian packages from scripts/gpu-deps.sh (default .gpu-deps),
#                        unpacked into a private prefix when the machine lacks the libraries
#        PYTHON          the Python with torch and torchvision (default python3)
#        JOBS            build and test parallelism (default: all cores)
#        BUDGET_S        seconds the whole check may take (default 540); later steps shrink to fit
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=$(realpath -m "${1:?usage: scripts/gpu-check.sh OUT_DIR}")
mkdir -p "$out"
exec > >(tee "$out/gpu-check.log") 2>&1
PY=${PYTHON:-python3}
JOBS=${JOBS:-$(nproc)}
BUDGET_S=${BUDGET_S:-540}
deps=${RN50_GPU_DEPS:-$root/.gpu-deps}
build=$root/build-cuda
prefix=/tmp/rn50-deps
t0=$(date +%s)
summary=$out/summary.md
elapsed() { echo $(($(date +%s) - t0)); }
left() { echo $((BUDGET_S - $(elapsed))); }
step() { echo; echo "=== [$(elapsed) s] $*"; }
note() { echo "$*" | tee -a "$summary"; }
: >"$summary"
note "# rn50-exp GPU check ($(date -u +%Y-%m-%dT%H:%M:%SZ))"

step "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader || true
torch_facts=$("$PY" -c 'import torch, torchvision
print(torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(),
      "nccl", ".".join(map(str, torch.cuda.nccl.version())), "torchvision", torchvision.__version__)' 2>&1)
echo "$torch_facts"
cxx=$(command -v c++ || command -v g++)
echo "compiler: $($cxx --version | head -1); cmake: $(cmake --version | head -1); cores: $(nproc)"
grep PRETTY_NAME /etc/os-release || true
note "- GPU: $(nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv,noheader | head -1)"
note "- PyTorch: $torch_facts"
note "- compiler: $($cxx --version | head -1); $(cmake --version | head -1)"

step "dependencies: Debian packages from $deps unpacked into $prefix"
rm -rf "$prefix" && mkdir -p "$prefix"
n=0
unpack() {  # dpkg -x where dpkg exists, else the .deb's data member by hand
  if command -v dpkg >/dev/null; then dpkg -x "$1" "$prefix"; return; fi
  local t; t=$(mktemp -d)
  (cd "$t" && ar x "$1" && tar -xf data.tar.* -C "$prefix")
  rm -rf "$t"
}
for f in "$deps"/*.deb; do
  [ -e "$f" ] || continue
  unpack "$(realpath "$f")" && n=$((n + 1))
done
# Packages link their .so names to absolute /lib paths: point them into the prefix.
find "$prefix" -type l -lname '/*' | while read -r l; do ln -sfn "$prefix$(readlink "$l")" "$l"; done
echo "$n packages unpacked"
fm=$prefix/usr/share/datasets/fashion-mnist
[ -d "$fm" ] || fm=/usr/share/datasets/fashion-mnist
torch_prefix=$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1)
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-$arch}
for d in /usr/local/cuda/bin /usr/local/cuda-*/bin; do [ -d "$d" ] && PATH=$PATH:$d; done
export PATH LD_LIBRARY_PATH=$prefix/usr/lib/x86_64-linux-gnu:$prefix/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
generator=(-G Ninja)
command -v ninja >/dev/null || generator=()

step "configure (LibTorch from $torch_prefix, CUDA arch $TORCH_CUDA_ARCH_LIST)"
rm -rf "$build"
if ! timeout $(($(left) - 60)) cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$torch_prefix;$prefix/usr" -DOPENSSL_ROOT_DIR="$prefix/usr" \
  -DCMAKE_CXX_FLAGS="-isystem $prefix/usr/include/x86_64-linux-gnu" \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,--allow-shlib-undefined" \
  -DRN50_WITH_TRAINER=ON -DRN50_REQUIRE_CUDA=ON; then
  note "- configure: FAILED (see gpu-check.log)"
  exit 1
fi
note "- configure: ok ($(elapsed) s)"

step "build with $JOBS jobs"
if ! timeout $(($(left) - 30)) cmake --build "$build" -j "$JOBS"; then
  note "- build: FAILED (see gpu-check.log)"
  exit 1
fi
note "- build: ok ($(elapsed) s)"

export RN50_ALLOW_NO_CORPUS=1 RN50_FASHION_MNIST_DIR=$fm TZ=UTC LC_ALL=C
step "the CUDA tests, verbose"
"$build/tests/test_trainer" --gtest_filter='Cuda*:*GroupOfOne*' 2>&1 | tee "$out/cuda-tests.txt"
grep -E '^\[ +(OK|FAILED|SKIPPED) +\]' "$out/cuda-tests.txt" | sed 's/^/  /' | tee -a "$summary"

step "ResNet-50 training step, 224 px, batch 256, channels_last: rn50-exp vs torchvision"
bin=$build/rn50-exp
field() { sed -n "s/.*\"$1\": *\([0-9.eE+-]*\).*/\1/p" | head -1; }
note ""
note "| precision | rn50-exp img/s | torchvision img/s | ratio (ours/peer) | skipped steps (ours) |"
note "|---|---:|---:|---:|---:|"
for prec in fp16 bf16; do
  [ "$(left)" -gt 150 ] || { note "| $prec | (out of time) | | | |"; continue; }
  ours=$(timeout 120 "$bin" train bench/train/resnet50-bench.yaml --bench --bench-steps 40 \
    --bench-warmup 15 --set device=cuda --set precision=amp --set amp_dtype=$prec \
    --set image_size=224 --set batch_size=256 --set threads=0)
  echo "rn50-exp: $ours"
  peer=$(timeout 120 "$PY" bench/train/peer_torchvision.py --device cuda --precision $prec \
    --image-size 224 --batch-size 256 --steps 40 --warmup 15 --channels-last --threads "$(nproc)")
  echo "torchvision: $peer"
  o=$(echo "$ours" | field images_per_s)
  p=$(echo "$peer" | field images_per_s)
  sk=$(echo "$ours" | field skipped_steps)
  r=$(awk -v o="${o:-0}" -v p="${p:-0}" 'BEGIN { if (p > 0) printf "%.3f", o / p; else print "n/a" }')
  note "| $prec autocast | ${o:-failed} | ${p:-failed} | $r | ${sk:-?} |"
done

step "Fashion-MNIST on the GPU to 90 % top-1"
fm_budget=$(( $(left) - 170 ))
[ "$fm_budget" -gt 180 ] && fm_budget=180
if [ "$fm_budget" -ge 45 ]; then
  data=/tmp/rn50-fm
  timeout 120 "$bin" dataset fashion-mnist --source "$fm" --out "$data"
  ws=/tmp/rn50-fm-run
  rm -rf "$ws"
  timeout "$fm_budget" "$bin" train experiments/configs/fashion-mnist-resnet50-gpu.yaml \
    --set data="$data" --set workspace="$ws" 2>&1 | tee "$out/fashion-mnist.txt"
  cp "$ws/report.json" "$out/fashion-mnist-report.json" 2>/dev/null
  note ""
  note "- Fashion-MNIST: $(grep -E '^(success|aborted)' "$out/fashion-mnist.txt" | tail -1)"
  grep -E '^time to target' "$out/fashion-mnist.txt" | sed 's/^/- /' | tee -a "$summary"
else
  note "- Fashion-MNIST: not run (out of time)"
fi
step "the whole test suite of the CUDA build (corpus tests skipped: ../shared does not travel here)"
test_budget=$(( $(left) - 15 ))
(cd "$build" && timeout "$test_budget" ctest -j "$JOBS" --timeout 140 --output-on-failure \
  --output-junit "$out/ctest-junit.xml" 2>&1 | tee "$out/ctest.txt" | grep -vE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed')
grep -E 'tests passed' "$out/ctest.txt" | sed 's/^/- ctest: /' | tee -a "$summary"
grep -A 50 'tests FAILED' "$out/ctest.txt" | grep -E '^\s+[0-9]+ - ' | sed 's/^/  - FAILED: /' | tee -a "$summary"

note "- total: $(elapsed) s"
