#!/usr/bin/env bash
# The README's test command: installs packages, builds, runs the whole test suite, then the short
# fuzz stage (fuzz/README.md: every fuzz target for RN50_FUZZ_SECONDS seconds, default 20;
# RN50_FUZZ_SECONDS=0 leaves it out).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh "$@"
BUILD_DIR=${RN50_BUILD_DIR:-build}
(cd "$BUILD_DIR" && TZ=UTC LC_ALL=C ctest --output-on-failure -j "$(nproc)" --timeout 1500)
FUZZ_SECONDS=${RN50_FUZZ_SECONDS:-20}
if [ "$FUZZ_SECONDS" != 0 ]; then
  fuzz/run.sh --seconds "$FUZZ_SECONDS"
fi
