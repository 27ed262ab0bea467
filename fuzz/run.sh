#!/usr/bin/env bash
# Builds the fuzz targets (clang, -DRN50_FUZZ=ON) and runs each for a while on one core, one after
# the other: first every kept finding (tests/fixtures/fuzz/<target>/) once, then fuzzing from a
# fresh working corpus seeded from the fixtures and ../shared/corpus (when present). Kept findings
# are no seeds: the memory bombs among them would make every run slow. Exits non-zero when any
# target finds anything (crash, leak, UB, timeout, out of memory, a broken promise of
# fuzz/check_*.h); the input is kept as <work>/<target>/crash-*.
#
#   fuzz/run.sh                        every target for 30 s
#   fuzz/run.sh --seconds 300 fuzz_parse_mlperf fuzz_sniff
#   fuzz/run.sh --runs 10000000 --seconds 1800 --table campaign.md    (a campaign, fuzz/README.md)
#
# Options: --seconds N (per target, default $RN50_FUZZ_SECONDS or 30), --runs N (stop a target
# after N executions), --build DIR (default build-fuzz), --no-build, --table FILE (append one
# markdown row per target), --corpus DIR (default ../shared/corpus), --keep-corpus (go on from the
# working corpus of the previous run instead of starting from the seeds alone: a long campaign can
# be run in several sittings). Other arguments name targets.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECONDS_PER_TARGET=${RN50_FUZZ_SECONDS:-30}
RUNS=""
BUILD=build-fuzz
DO_BUILD=1
TABLE=""
CORPUS=${RN50_CORPUS_DIR:-$ROOT/../shared/corpus}
KEEP_CORPUS=0
ONLY=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_TARGET=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --no-build) DO_BUILD=0; shift ;;
    --table) TABLE=$2; shift 2 ;;
    --corpus) CORPUS=$2; shift 2 ;;
    --keep-corpus) KEEP_CORPUS=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "fuzz/run.sh: unknown option $1" >&2; exit 2 ;;
    *) ONLY+=("$1"); shift ;;
  esac
done

if [ "$DO_BUILD" = 1 ]; then
  cmake -S . -B "$BUILD" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -DRN50_WITH_TRAINER=OFF -DRN50_FUZZ=ON \
    -DRN50_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target fuzz_all
fi

WORK=$BUILD/fuzz-work
mkdir -p "$WORK"
if [ ! -d "$CORPUS" ]; then
  echo "fuzz/run.sh: no corpus at $CORPUS; seeding from the repository's fixtures only"
fi

# Copies one seed file into corpus dir $2; a file longer than $3 bytes gives its first and its last
# $3 bytes (cut at a line start), so that the ends of long logs are seeds too. Seeds of at most
# 4 KiB keep the fuzzer fast; it may grow inputs up to the target's max_len.
add_seed() {
  local file=$1 dir=$2 max=$3 n
  [ "$max" -le 4096 ] || max=4096
  n=$(stat -c %s "$file")
  local name
  name=$(printf '%s' "$file" | sha1sum | cut -c1-16)
  if [ "$n" -le "$max" ]; then
    cp "$file" "$dir/seed-$name"
  else
    head -c "$max" "$file" >"$dir/seed-$name-head"
    tail -c "$max" "$file" | tail -n +2 >"$dir/seed-$name-tail"
  fi
}

# Expands one seed spec of targets.txt: a path or glob under the repository, or corpus/<path>.
seed_files() {
  local spec=$1 base=$ROOT
  if [[ $spec == corpus/* ]]; then
    [ -d "$CORPUS" ] || return 0
    base=$CORPUS
    spec=${spec#corpus/}
  fi
  local p
  shopt -s globstar nullglob extglob
  for p in $base/$spec; do
    if [ -d "$p" ]; then find "$p" -type f; else echo "$p"; fi
  done
  shopt -u globstar nullglob extglob
}

failed=()
printf '%-36s %12s %9s %8s %8s  %s\n' target executions exec/s seconds corpus result
while read -r target max_len seeds; do
  [[ $target == fuzz_* ]] || continue
  if [ ${#ONLY[@]} -gt 0 ] && [[ ! " ${ONLY[*]} " == *" $target "* ]]; then continue; fi
  bin=$BUILD/fuzz/$target
  [ -x "$bin" ] || { echo "fuzz/run.sh: $bin not built" >&2; exit 2; }
  dir=$WORK/$target
  if [ "$KEEP_CORPUS" = 1 ]; then
    # The inputs of the last run stay; its reports and artifacts go.
    find "$dir" -maxdepth 1 -type f -delete 2>/dev/null || true
  else
    rm -rf "$dir"
  fi
  mkdir -p "$dir/corpus"
  args=(-max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$dir/")
  for spec in $seeds; do
    if [[ $spec == -* ]]; then args+=("$spec"); continue; fi  # a libFuzzer option of the target
    while IFS= read -r f; do add_seed "$f" "$dir/corpus" "$max_len"; done < <(seed_files "$spec")
  done
  regressions=$ROOT/tests/fixtures/fuzz/$target
  dict=$ROOT/fuzz/dict/$target.dict
  [ -f "$dict" ] && args+=(-dict="$dict")

  result=ok
  # Every kept finding once: it must pass before anything new is looked for.
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    if ! "$bin" "${args[@]}" "$regressions"/* >"$dir/regressions.log" 2>&1; then
      result="REGRESSION (see $dir/regressions.log)"
    fi
  fi
  start=$(date +%s%N)
  limits=(-max_total_time="$SECONDS_PER_TARGET")
  [ -n "$RUNS" ] && limits+=(-runs="$RUNS")
  if [ "$result" = ok ] && ! nice "$bin" "${args[@]}" "${limits[@]}" "$dir/corpus" \
      >"$dir/fuzz.log" 2>&1; then
    artifact=$(find "$dir" -maxdepth 1 -type f -regex '.*/\(crash\|leak\|timeout\|oom\)-.*' \
      | head -n 1)
    result="FINDING ${artifact:-} (see $dir/fuzz.log)"
  fi
  secs=$(( ($(date +%s%N) - start) / 1000000000 ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" 2>/dev/null | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/fuzz.log" 2>/dev/null | tail -n 1)
  # libFuzzer's own count: the inputs of the working corpus that add coverage.
  units=$(grep -o 'corp: [0-9]*' "$dir/fuzz.log" 2>/dev/null | tail -n 1 | cut -c7- || true)
  printf '%-36s %12s %9s %8s %8s  %s\n' "$target" "${execs:--}" "${rate:--}" "$secs" "${units:--}" \
    "$result"
  if [ -n "$TABLE" ]; then
    printf '| %s | %s | %s | %s | %s | %s |\n' "$target" "${execs:--}" "${rate:--}" "$secs" \
      "${units:--}" "$([ "$result" = ok ] && echo none || echo "$result")" >>"$TABLE"
  fi
  [ "$result" = ok ] || failed+=("$target")
done <fuzz/targets.txt

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz/run.sh: findings in ${failed[*]}; fuzz/README.md says how to reproduce them" >&2
  exit 1
fi
echo "fuzz/run.sh: no finding"
