#!/usr/bin/env bash
# The README's test command: installs packages, builds, runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh "$@"
BUILD_DIR=${RN50_BUILD_DIR:-build}
cd "$BUILD_DIR"
TZ=UTC LC_ALL=C ctest --output-on-failure -j "$(nproc)" --timeout 1500
