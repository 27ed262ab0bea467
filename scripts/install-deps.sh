#!/usr/bin/env bash
# Installs every Debian package rn50-exp needs to build, test and run (Debian 12).
set -euo pipefail

PACKAGES=(
  cmake g++ make pkg-config git
  libcli11-dev nlohmann-json3-dev libsqlite3-dev libssl-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev sqlite3 librsvg2-bin
  libtorch-dev libgloo-dev libdnnl-dev libopenblas0-pthread libturbojpeg0-dev zlib1g-dev
  python3-torch python3-torchvision dataset-fashion-mnist
  chromium  # tests/cli/report_browser_test.cpp renders report.html headless (skipped without it)
  clang libclang-rt-14-dev  # fuzz/: clang's libFuzzer and sanitizer runtimes
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
