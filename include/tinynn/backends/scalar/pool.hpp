// tinynn — scalar pooling row kernels (NHWC: a row is the C channels of one pixel).
#pragma once

#include <cstddef>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"

namespace tinynn::backend {

/// acc[i] = max(acc[i], x[i]); NaN propagates.
inline void pool_max_row(scalar, float* TINYNN_RESTRICT acc, const float* TINYNN_RESTRICT x, std::size_t c) noexcept {
  for (std::size_t i = 0; i < c; ++i) acc[i] = (x[i] > acc[i] || x[i] != x[i]) ? x[i] : acc[i];
}

/// acc[i] += x[i].
inline void pool_sum_row(scalar, float* TINYNN_RESTRICT acc, const float* TINYNN_RESTRICT x, std::size_t c) noexcept {
  for (std::size_t i = 0; i < c; ++i) acc[i] += x[i];
}

/// y[i] = act(y[i] * scale).
inline void pool_finish_row(scalar, float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  if (scale != 1.0f) {
    for (std::size_t i = 0; i < c; ++i) y[i] *= scale;
  }
  if (act.kind != ops::Activation::none) {
    for (std::size_t i = 0; i < c; ++i) y[i] = ops::apply_activation(act, y[i]);
  }
}

}  // namespace tinynn::backend
