// tinynn — scalar softmax over one contiguous row, numerically stable (the maximum is subtracted
// before exponentiating): y = exp(x - m) / sum exp(x - m), log-softmax y = (x - m) - log(sum).
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>

#include "tinynn/backends/tags.hpp"

namespace tinynn::backend {

/// Softmax (or log-softmax) of x[0], x[stride], ..., x[(n-1)*stride] into y at the same offsets.
/// x == y is allowed.
inline void softmax_row(scalar, const float* x, float* y, std::size_t n, std::size_t stride, bool log) noexcept {
  if (n == 0) return;
  float m = -std::numeric_limits<float>::infinity();
  for (std::size_t i = 0; i < n; ++i) m = x[i * stride] > m ? x[i * stride] : m;
  if (m == -std::numeric_limits<float>::infinity()) m = 0.0f;  // all -inf: keep exp finite
  float sum = 0.0f;
  if (log) {
    for (std::size_t i = 0; i < n; ++i) sum += std::exp(x[i * stride] - m);
    // (x - m) - log(sum), not x - (m + log(sum)): the latter loses log(sum) next to a large m.
    const float log_sum = std::log(sum);
    for (std::size_t i = 0; i < n; ++i) y[i * stride] = (x[i * stride] - m) - log_sum;
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const float e = std::exp(x[i * stride] - m);
    y[i * stride] = e;
    sum += e;
  }
  const float inverse = 1.0f / sum;
  for (std::size_t i = 0; i < n; ++i) y[i * stride] *= inverse;
}

}  // namespace tinynn::backend
