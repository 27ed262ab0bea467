#!/usr/bin/env bash
# Downloads (never installs) the Debian packages that a CUDA build of rn50-exp needs besides
# LibTorch, CUDA and a compiler, into DIR (default .gpu-deps/, ignored by git): for a GPU machine
# that has PyTorch's wheel but no package registry. scripts/gpu-check.sh unpacks them there into a
# private prefix with dpkg -x (never into /). Runs on a Debian 12 machine with apt.
#
# Gloo's headers come from Debian 13 (trixie): PyTorch's wheels ship none, and ProcessGroupGloo.hpp
# of LibTorch 2.x needs a Gloo of late 2023 or newer (Debian 12's is from 2022).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(realpath -m "${1:-.gpu-deps}")
mkdir -p "$dir"
PACKAGES=(
  libsqlite3-dev libsqlite3-0 libcli11-dev nlohmann-json3-dev libyaml-cpp-dev libyaml-cpp0.7
  libturbojpeg0-dev libturbojpeg0 libgtest-dev libgmock-dev libssl-dev libssl3 zlib1g-dev zlib1g
  dataset-fashion-mnist
)
apt-get update -q >/dev/null
(cd "$dir" && apt-get download "${PACKAGES[@]}")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
  >"$tmp/sources.list"
apt_trixie=(-o Dir::Etc::SourceList="$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o Dir::State::Lists="$tmp/lists" -o Dir::Cache="$tmp/cache")
apt-get "${apt_trixie[@]}" update -q >/dev/null
(cd "$dir" && apt-get "${apt_trixie[@]}" download libgloo-dev)
du -sh "$dir"
