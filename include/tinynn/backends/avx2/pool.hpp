// tinynn — AVX2+FMA pooling row kernels.
#pragma once

#include "tinynn/backends/avx2/math.hpp"
#include "tinynn/backends/scalar/pool.hpp"

#if TINYNN_HAS_X86_KERNELS

namespace tinynn::backend::avx2_impl {

TINYNN_TARGET_AVX2 inline void pool_max_row(float* acc, const float* x, std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) {
    const V v = load(x + i);
    store(acc + i, select(isnan(v), v, vmax(v, load(acc + i))));
  }
  for (; i < c; ++i) acc[i] = (x[i] > acc[i] || x[i] != x[i]) ? x[i] : acc[i];
}

TINYNN_TARGET_AVX2 inline void pool_sum_row(float* acc, const float* x, std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) store(acc + i, add(load(acc + i), load(x + i)));
  for (; i < c; ++i) acc[i] += x[i];
}

TINYNN_TARGET_AVX2 inline void pool_finish_row(float* y, float scale, std::size_t c,
                                               const ops::ActivationParams& act) noexcept {
  if (scale != 1.0f) {
    std::size_t i = 0;
    for (; i + lanes <= c; i += lanes) store(y + i, mul(load(y + i), splat(scale)));
    for (; i < c; ++i) y[i] *= scale;
  }
  if (act.kind != ops::Activation::none) activation_loop(act, y, c);
}

}  // namespace tinynn::backend::avx2_impl

namespace tinynn::backend {

inline void pool_max_row(avx2, float* acc, const float* x, std::size_t c) noexcept {
  avx2_impl::pool_max_row(acc, x, c);
}
inline void pool_sum_row(avx2, float* acc, const float* x, std::size_t c) noexcept {
  avx2_impl::pool_sum_row(acc, x, c);
}
inline void pool_finish_row(avx2, float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  avx2_impl::pool_finish_row(y, scale, c, act);
}

}  // namespace tinynn::backend

#endif  // TINYNN_HAS_X86_KERNELS
