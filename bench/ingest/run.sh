#!/usr/bin/env bash
# Side-by-side ingest benchmark: rn50-exp ingest (full store: runs, epochs, params, facts,
# diagnostics, indexes, views) vs a straightforward Python peer (peer.py) on the same >= 100 MB of
# real NGC console logs. Prints MB/s of both (wall clock and CPU time) and the speedup.
#
#   bench/ingest/run.sh [--bin PATH/TO/rn50-exp] [--mb 100] [--repeat 2] [--keep]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin="$root/build/rn50-exp"
mb=100
repeat=2
keep=0
while (($#)); do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --mb) mb=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--bin rn50-exp] [--mb 100] [--repeat 2] [--keep]" >&2; exit 2 ;;
  esac
done
[[ -x $bin ]] || { echo "run.sh: $bin not found; build it or pass --bin" >&2; exit 2; }
command -v python3 >/dev/null || { echo "run.sh: python3 is needed for the peer" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/rn50-bench-ingest.XXXXXX")
((keep)) || trap 'rm -rf "$work"' EXIT
bytes=$("$here/make_input.sh" "$work/in" "$mb")
files=$(find "$work/in" -type f | wc -l)
in_mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "input: $files files, $in_mb MB of NGC console logs (AI-Rank corpus copies) in $work/in"
echo "rn50-exp: $bin ($("$bin" --version 2>/dev/null || echo '?'))"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Runs a command, prints "wall_s cpu_s" (cpu = user + sys of the command and its children).
measure() {
  local tf="$work/time.txt"
  /usr/bin/time -f "%e %U %S" -o "$tf" "$@" >"$work/last.out" 2>"$work/last.err" || {
    echo "run.sh: command failed: $*" >&2
    cat "$work/last.err" >&2
    exit 1
  }
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$tf"
}

rate() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1e6 / s }'; }

for ((i = 1; i <= repeat; i++)); do
  rm -f "$work"/ours.db* "$work"/peer.db*
  read -r o_wall o_cpu < <(measure "$bin" ingest "$work/in" --db "$work/ours.db")
  o_rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from metric_points').fetchone()[0])" "$work/ours.db")
  read -r p_wall p_cpu < <(measure python3 "$here/peer.py" "$work/peer.db" "$work/in")
  p_rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from metrics').fetchone()[0])" "$work/peer.db")
  echo "run $i:"
  printf "  ours: %8.2f s wall = %7s MB/s   %8.2f s cpu = %7s MB/s   %s metric rows\n" \
    "$o_wall" "$(rate "$o_wall")" "$o_cpu" "$(rate "$o_cpu")" "$o_rows"
  printf "  peer: %8.2f s wall = %7s MB/s   %8.2f s cpu = %7s MB/s   %s metric rows\n" \
    "$p_wall" "$(rate "$p_wall")" "$p_cpu" "$(rate "$p_cpu")" "$p_rows"
  [[ $o_rows == "$p_rows" ]] || echo "  WARNING: metric row counts differ (ours $o_rows, peer $p_rows)"
  awk -v ow="$o_wall" -v pw="$p_wall" -v oc="$o_cpu" -v pc="$p_cpu" \
    'BEGIN { printf "  speedup ours/peer = %.1fx (wall), %.1fx (cpu)\n", pw / ow, pc / oc }'
done
