#!/bin/sh
# Compiles every tinynn header on its own (self-contained, warning-free), in parallel.
#   compile_headers.sh COMPILER INCLUDE_DIR   (headers are found under INCLUDE_DIR/tinynn)
set -u
compiler="$1"
include_dir="$2"
jobs=$(nproc 2>/dev/null || echo 2)
failures=$(mktemp)
cd "$include_dir" || exit 2
find tinynn -name '*.hpp' | sort | xargs -P "$jobs" -I{} sh -c '
  out=$("$0" -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I"$1" -x c++ -include "{}" /dev/null 2>&1) ||
    { printf "%s:\n%s\n" "{}" "$out"; echo "{}" >> "$2"; }' "$compiler" "$include_dir" "$failures"
count=$(find tinynn -name '*.hpp' | wc -l)
if [ -s "$failures" ]; then
  echo "headers that do not compile on their own with $compiler:"; cat "$failures"; rm -f "$failures"; exit 1
fi
rm -f "$failures"
echo "$count headers compile on their own with $compiler"
