#!/usr/bin/env bash
# Runs every tinynn test: installs what is missing, configures the `ci` preset (host tests, the
# aarch64 NEON/SVE tests under qemu-aarch64, Cortex-M firmware under qemu-system-arm), builds, runs CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
cmake --preset ci
cmake --build --preset ci -j "$(nproc)"
ctest --preset ci
