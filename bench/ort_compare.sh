#!/usr/bin/env bash
# tinynn vs ONNX Runtime 1.30 on ../shared/models/onnx, single thread, measured in one run:
# median latency per inference and session creation (load + compile), with the ratios.
#   bench/ort_compare.sh [TINYNN_BINARY] [RUNS]
# Needs onnxruntime-node in a scratch folder (NOT in the repository):
#   mkdir -p /tmp/ortnode && cd /tmp/ortnode && npm install --ignore-scripts onnxruntime-node@1.30.0
# ORT_NODE_DIR (default /tmp/ortnode) points at that folder. Build tinynn with the release preset
# (cmake --preset release && cmake --build --preset release --target tinynn_tool).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tool="${1:-$here/../build/release/tools/tinynn}"
runs="${2:-100}"
ort_dir="${ORT_NODE_DIR:-/tmp/ortnode}"
models_dir="${TINYNN_MODELS_DIR:-$here/../../shared/models}/onnx"
models=(simplenet_v1 cifar10_cnn kws_dscnn_s kws_lstm kws_gru mobilenet_v2 squeezenet1_1 resnet18)
cp "$here/ort_bench.mjs" "$ort_dir/ort_bench.mjs"
printf "%-14s %12s %12s %8s %14s %14s %8s\n" model tinynn_ms ort_ms ratio tinynn_create ort_create ratio
for m in "${models[@]}"; do
  t=$("$tool" bench "$models_dir/$m.onnx" --runs "$runs" --warmup 10)
  o=$(cd "$ort_dir" && node ort_bench.mjs "$models_dir" "$runs" "$m")
  t_med=$(awk '/latency/ {print $3}' <<<"$t")
  t_create=$(awk '/^load/ {l=$2} /^compile/ {c=$2} END {print l + c}' <<<"$t")
  o_med=$(awk '{print $6}' <<<"$o")
  o_create=$(awk '{print $4}' <<<"$o")
  awk -v m="$m" -v a="$t_med" -v b="$o_med" -v c="$t_create" -v d="$o_create" \
    'BEGIN {printf "%-14s %12.4f %12.4f %7.2fx %14.3f %14.3f %7.2fx\n", m, a, b, a / b, c, d, c / d}'
done
