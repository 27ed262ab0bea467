#!/usr/bin/env bash
# Writes >= TARGET_MB megabytes of real NGC console logs (the AI-Rank files of the corpus) into
# OUT_DIR. Every copy gets one extra harmless line so that its sha256 differs and ingest's
# content dedup does not skip it.
set -euo pipefail
out=${1:?usage: make_input.sh OUT_DIR [TARGET_MB] [CORPUS]}
target_mb=${2:-100}
corpus=${3:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/corpus}
src="$corpus/ngc-stdout/airank"
[[ -d $src ]] || { echo "make_input.sh: corpus folder $src not found" >&2; exit 1; }
mkdir -p "$out"
target=$((target_mb * 1024 * 1024))
total=0
copy=0
while ((total < target)); do
  for f in "$src"/*.log; do
    name=$(basename "$f" .log)
    dst=$(printf '%s/%s.copy%03d.log' "$out" "$name" "$copy")
    { echo "bench copy $copy of $name"; cat "$f"; } >"$dst"
    total=$((total + $(stat -c %s "$dst")))
  done
  copy=$((copy + 1))
done
echo "$total"
