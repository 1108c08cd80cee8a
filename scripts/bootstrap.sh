#!/usr/bin/env bash
# Installs the Debian packages tinynn needs, and nothing when they are all present.
#   scripts/bootstrap.sh demo   what the demo needs (compiler, CMake, xsimd)
#   scripts/bootstrap.sh test   everything the test suite needs (adds cross compilers, qemu, test data)
set -euo pipefail
profile="${1:-test}"

packages=(cmake ninja-build g++ libxsimd-dev)
if [ "$profile" = test ]; then
  packages+=(clang clang-format libclang-rt-14-dev libeigen3-dev doctest-dev libbenchmark-dev
             g++-aarch64-linux-gnu qemu-user gcc-arm-none-eabi libnewlib-arm-none-eabi
             libstdc++-arm-none-eabi-newlib qemu-system-arm libonnx-testdata git)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bootstrap: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
