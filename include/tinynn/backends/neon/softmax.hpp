// tinynn — NEON (xsimd) softmax row kernel.
#pragma once

#include "tinynn/backends/neon/math.hpp"
#include "tinynn/backends/scalar/softmax.hpp"

#if defined(__ARM_NEON) && defined(__aarch64__)

namespace tinynn::backend::neon_impl {

/// Softmax of a contiguous row (see backends/scalar/softmax.hpp for the definition).
inline void softmax_row(const float* x, float* y, std::size_t n, bool log) noexcept {
  if (n == 0) return;
  const float minus_inf = -std::numeric_limits<float>::infinity();
  V vm = splat(minus_inf);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) vm = vmax(load(x + i), vm);
  float m = horizontal_max(vm);
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  if (m == minus_inf) m = 0.0f;
  const V shift = splat(m);
  V vsum = zero();
  float sum = 0.0f;
  i = 0;
  if (log) {
    for (; i + lanes <= n; i += lanes) vsum = add(vsum, exp(sub(load(x + i), shift)));
    for (; i < n; ++i) sum += std::exp(x[i] - m);
    const V log_sum = splat(std::log(sum + horizontal_sum(vsum)));
    i = 0;
    for (; i + lanes <= n; i += lanes) store(y + i, sub(sub(load(x + i), shift), log_sum));
    const float log_sum_scalar = std::log(sum + horizontal_sum(vsum));
    for (; i < n; ++i) y[i] = (x[i] - m) - log_sum_scalar;
    return;
  }
  for (; i + lanes <= n; i += lanes) {
    const V e = exp(sub(load(x + i), shift));
    store(y + i, e);
    vsum = add(vsum, e);
  }
  for (; i < n; ++i) {
    const float e = std::exp(x[i] - m);
    y[i] = e;
    sum += e;
  }
  const float inverse = 1.0f / (sum + horizontal_sum(vsum));
  const V vinverse = splat(inverse);
  i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, mul(load(y + i), vinverse));
  for (; i < n; ++i) y[i] *= inverse;
}

}  // namespace tinynn::backend::neon_impl

namespace tinynn::backend {

inline void softmax_row(neon, const float* x, float* y, std::size_t n, std::size_t stride, bool log) noexcept {
  if (stride != 1) {
    softmax_row(scalar{}, x, y, n, stride, log);
    return;
  }
  neon_impl::softmax_row(x, y, n, log);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_NEON) && defined(__aarch64__)
