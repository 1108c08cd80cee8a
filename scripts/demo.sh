#!/usr/bin/env bash
# The main job: builds and runs the tinynn demo (predictions and time per inference).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh demo
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-march=native \
  -DTINYNN_BUILD_TESTS=OFF -DTINYNN_BUILD_BENCH=OFF -DTINYNN_BUILD_TOOLS=OFF -DTINYNN_BUILD_EXAMPLES=ON >/dev/null
cmake --build build/demo --target tinynn_demo
build/demo/examples/demo/tinynn_demo "$@"
