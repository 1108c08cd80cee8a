#!/usr/bin/env bash
# Runs every tinynn test: installs what is missing, configures the `ci` preset (host tests, the
# aarch64 NEON/SVE tests under qemu-aarch64, Cortex-M firmware under qemu-system-arm), builds, runs CTest.
# Then the clang half (`ci-clang`): every test, example and tool built again with clang++ -Werror,
# and the unit suites run from that build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
cmake --preset ci
cmake --build --preset ci -j "$(nproc)"
ctest --preset ci
cmake --preset ci-clang
cmake --build --preset ci-clang -j "$(nproc)"
ctest --preset ci-clang
