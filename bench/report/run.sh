#!/usr/bin/env bash
# Times `rn50-exp report` and `rn50-exp runs list` on a database of 10,000 runs and 10 million
# metric rows (target: < 2 s each). Usage: bench/report/run.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
work=${2:-${TMPDIR:-/tmp}/rn50-bench-report}
runs=${RUNS:-10000}
metric_rows=${METRIC_ROWS:-10000000}
mkdir -p "$work"
cmake -B "$build" -DRN50_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --target make_db rn50-exp -j2 >/dev/null
db=$work/bench.db
if [[ ! -f $db || ${REBUILD:-0} == 1 ]]; then
  "$build/bench/make_db" "$db" "$runs" "$metric_rows"
fi
ls -l "$db"
bin=$build/rn50-exp
timeit() {  # best of 3 wall-clock seconds
  local best=
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    local d
    d=$(echo "$t1 - $t0" | bc)
    if [[ -z $best ]] || (( $(echo "$d < $best" | bc) )); then best=$d; fi
  done
  printf '%.3f' "$best"
}
echo "report (md + 4 SVG plots, all $runs runs): $(timeit "$bin" report --db "$db" --out "$work/rep") s"
echo "report --experiment bench-3:               $(timeit "$bin" report --db "$db" --experiment bench-3 --out "$work/rep3") s"
echo "report --format json:                      $(timeit "$bin" report --db "$db" --format json --out "$work/repj") s"
echo "report --format html (target: < 2 x md):    $(timeit "$bin" report --db "$db" --format html --out "$work/reph") s"
echo "runs list (table):                         $(timeit "$bin" runs list --db "$db") s"
echo "runs list --format json:                   $(timeit "$bin" runs list --db "$db" --format json) s"
