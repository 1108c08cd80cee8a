// Shared by the gemm/conv2d/depthwise_conv2d/fully_connected/backend_dispatch tests: the backends to
// sweep (each reported skipped when this binary or CPU lacks it), random data, tolerant comparison.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"

namespace kernels_testing {

using tinynn::backend::BackendId;

/// aarch64 test binaries run under qemu in CI (SVE emulation at 2048 bits is ~100x slower than
/// native): big sweeps keep their edge cases but thin out their large cases there.
#if defined(__aarch64__)
inline constexpr bool emulated = true;
#else
inline constexpr bool emulated = false;
#endif

inline constexpr BackendId all_backends[] = {BackendId::scalar, BackendId::avx2, BackendId::avx512, BackendId::neon,
                                             BackendId::sve};

/// The backends this binary can run here; prints the others as skipped (once per test case).
inline std::vector<BackendId> runnable_backends() {
  std::vector<BackendId> ids;
  for (BackendId id : all_backends) {
    if (tinynn::backend_available(id)) {
      ids.push_back(id);
    } else {
      MESSAGE("skipped: backend " << tinynn::backend::name_of(id)
                                  << " (not compiled into this binary or not supported by this CPU)");
    }
  }
  return ids;
}

inline std::vector<float> random_floats(std::size_t n, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

/// Stated tolerance of every float kernel (any backend, any summation order) against a
/// double-precision reference: an output that sums `terms` products may differ by at most
/// 2 * (terms + 2) * 2^-24 * magnitude, magnitude = |bias| + sum |a||b| (the classic recursive-summation
/// bound, doubled for FMA/reassociation and for the activations' slope <= 1.5), plus 1e-6 absolute.
inline bool close(float got, double want, double magnitude, std::int64_t terms) {
  const double bound = 2.0 * static_cast<double>(terms + 2) * 0x1p-24 * magnitude + 1e-6;
  return std::fabs(static_cast<double>(got) - want) <= bound;
}

/// The fused activations to sweep.
inline const tinynn::ops::ActivationParams activations[] = {tinynn::ops::ActivationParams::none(),
                                                            tinynn::ops::ActivationParams::relu(),
                                                            tinynn::ops::ActivationParams::relu6(),
                                                            tinynn::ops::ActivationParams::clip(-0.5f, 0.25f),
                                                            tinynn::ops::ActivationParams::leaky_relu(0.1f),
                                                            {tinynn::ops::Activation::sigmoid},
                                                            {tinynn::ops::Activation::tanh},
                                                            {tinynn::ops::Activation::hard_swish}};

/// The activation applied to a double reference value (in float, as the kernels' definition).
inline double activate(const tinynn::ops::ActivationParams& a, double x) {
  return static_cast<double>(tinynn::ops::apply_activation(a, static_cast<float>(x)));
}

}  // namespace kernels_testing
