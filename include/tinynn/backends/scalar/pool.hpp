// tinynn — scalar pooling row kernels (NHWC: a row is the C channels of one pixel).
#pragma once

#include <cstddef>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"

namespace tinynn::backend {

/// acc[i] = max(acc[i], x[t*stride + i]) over the taps t < count of one kernel row; NaN propagates.
inline void pool_max_taps(scalar, float* TINYNN_RESTRICT acc, const float* TINYNN_RESTRICT x, std::size_t count,
                          std::ptrdiff_t stride, std::size_t c) noexcept {
  for (std::size_t t = 0; t < count; ++t) {
    const float* tap = x + static_cast<std::ptrdiff_t>(t) * stride;
    for (std::size_t i = 0; i < c; ++i) acc[i] = (tap[i] > acc[i] || tap[i] != tap[i]) ? tap[i] : acc[i];
  }
}

/// acc[i] += x[t*stride + i] over the taps t < count.
inline void pool_sum_taps(scalar, float* TINYNN_RESTRICT acc, const float* TINYNN_RESTRICT x, std::size_t count,
                          std::ptrdiff_t stride, std::size_t c) noexcept {
  for (std::size_t t = 0; t < count; ++t) {
    const float* tap = x + static_cast<std::ptrdiff_t>(t) * stride;
    for (std::size_t i = 0; i < c; ++i) acc[i] += tap[i];
  }
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
