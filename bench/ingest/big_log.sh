#!/usr/bin/env bash
# One very large log, side by side: rn50-exp ingest vs the Python peer (peer.py) on the same
# single file of >= MB megabytes (copies of the AI-Rank 250-epoch console log, one after another).
# Prints wall time, CPU time and peak RSS of both and the ratios peer/ours. What it shows: ingest
# reads a file of any size in bounded memory (docs/reliability.md) and at full speed.
#
#   bench/ingest/big_log.sh [--bin PATH/TO/rn50-exp] [--mb 1000] [--no-peer]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin="$root/build/rn50-exp"
mb=1000
peer=1
while (($#)); do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --mb) mb=$2; shift 2 ;;
    --no-peer) peer=0; shift ;;
    *) echo "usage: $0 [--bin rn50-exp] [--mb 1000] [--no-peer]" >&2; exit 2 ;;
  esac
done
src="$root/../shared/corpus/ngc-stdout/airank/GPUx1_accuracy.log"
[[ -x $bin ]] || { echo "big_log.sh: $bin not found" >&2; exit 2; }
[[ -f $src ]] || { echo "big_log.sh: $src not found (../shared/corpus)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/rn50-big-log.XXXXXX")
trap 'rm -rf "$work"' EXIT
target=$((mb * 1000 * 1000))
: >"$work/big.log"
while (($(stat -c %s "$work/big.log") < target)); do cat "$src" >>"$work/big.log"; done
bytes=$(stat -c %s "$work/big.log")
echo "input: one file of $((bytes / 1000000)) MB; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# "wall_s cpu_s maxrss_kb" of a command
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/t" "$@" >"$work/out" 2>"$work/err" || {
    echo "big_log.sh: failed: $*" >&2
    cat "$work/err" >&2
    exit 1
  }
  awk '{ printf "%.2f %.2f %d\n", $1, $2 + $3, $4 }' "$work/t"
}
read -r ow oc om < <(measure "$bin" ingest "$work/big.log" --db "$work/ours.db")
printf "ours: %7.2f s wall (%6.1f MB/s)  %7.2f s cpu  peak RSS %5d MB\n" "$ow" \
  "$(awk -v b="$bytes" -v s="$ow" 'BEGIN { print b / 1e6 / s }')" "$oc" $((om / 1024))
((peer)) || exit 0
read -r pw pc pm < <(measure python3 "$here/peer.py" "$work/peer.db" "$work/big.log")
printf "peer: %7.2f s wall (%6.1f MB/s)  %7.2f s cpu  peak RSS %5d MB\n" "$pw" \
  "$(awk -v b="$bytes" -v s="$pw" 'BEGIN { print b / 1e6 / s }')" "$pc" $((pm / 1024))
awk -v ow="$ow" -v pw="$pw" -v om="$om" -v pm="$pm" \
  'BEGIN { printf "peer/ours: %.1fx wall, %.1fx peak memory\n", pw / ow, pm / om }'
