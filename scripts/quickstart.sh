#!/usr/bin/env bash
# The README's main job: installs packages, builds, and runs the quickstart experiment
# (prepares Fashion-MNIST if missing, trains ResNet-50 on CPU, ingests into rn50.db, writes the report).
# Extra arguments go to `rn50-exp run` (e.g. --db other.db, --set base.epochs=1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/rn50-exp run experiments/quickstart.yaml "$@"
