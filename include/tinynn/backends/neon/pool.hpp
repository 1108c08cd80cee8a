// tinynn — NEON (xsimd) pooling row kernels.
#pragma once

#include "tinynn/backends/neon/math.hpp"
#include "tinynn/backends/scalar/pool.hpp"

#if defined(__ARM_NEON) && defined(__aarch64__)

namespace tinynn::backend::neon_impl {

inline void pool_max_row(float* acc, const float* x, std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) {
    const V v = load(x + i);
    store(acc + i, select(isnan(v), v, vmax(v, load(acc + i))));
  }
  for (; i < c; ++i) acc[i] = (x[i] > acc[i] || x[i] != x[i]) ? x[i] : acc[i];
}

inline void pool_sum_row(float* acc, const float* x, std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) store(acc + i, add(load(acc + i), load(x + i)));
  for (; i < c; ++i) acc[i] += x[i];
}

inline void pool_finish_row(float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  if (scale != 1.0f) {
    std::size_t i = 0;
    for (; i + lanes <= c; i += lanes) store(y + i, mul(load(y + i), splat(scale)));
    for (; i < c; ++i) y[i] *= scale;
  }
  if (act.kind != ops::Activation::none) activation_loop(act, y, c);
}

}  // namespace tinynn::backend::neon_impl

namespace tinynn::backend {

inline void pool_max_row(neon, float* acc, const float* x, std::size_t c) noexcept {
  neon_impl::pool_max_row(acc, x, c);
}
inline void pool_sum_row(neon, float* acc, const float* x, std::size_t c) noexcept {
  neon_impl::pool_sum_row(acc, x, c);
}
inline void pool_finish_row(neon, float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  neon_impl::pool_finish_row(y, scale, c, act);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_NEON) && defined(__aarch64__)
