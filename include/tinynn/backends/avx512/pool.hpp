// tinynn — AVX-512 pooling row kernels.
#pragma once

#include "tinynn/backends/avx512/math.hpp"
#include "tinynn/backends/scalar/pool.hpp"

#if TINYNN_HAS_X86_KERNELS

namespace tinynn::backend::avx512_impl {

/// acc[i] = max(acc[i], x[t*stride + i]) over taps t < count (NaN propagates); acc stays in a register
/// while the taps of one channel vector are folded in.
TINYNN_TARGET_AVX512 inline void pool_max_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                                               std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) {
    V m = load(acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      const V v = load(x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i));
      m = select(isnan(v), v, vmax(v, m));
    }
    store(acc + i, m);
  }
  for (; i < c; ++i) {
    float m = acc[i];
    for (std::size_t t = 0; t < count; ++t) {
      const float v = x[static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)];
      m = (v > m || v != v) ? v : m;
    }
    acc[i] = m;
  }
}

/// acc[i] += x[t*stride + i] over taps t < count.
TINYNN_TARGET_AVX512 inline void pool_sum_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                                               std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) {
    V s = load(acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      s = add(s, load(x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)));
    }
    store(acc + i, s);
  }
  for (; i < c; ++i) {
    float s = acc[i];
    for (std::size_t t = 0; t < count; ++t)
      s += x[static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)];
    acc[i] = s;
  }
}

TINYNN_TARGET_AVX512 inline void pool_finish_row(float* y, float scale, std::size_t c,
                                                 const ops::ActivationParams& act) noexcept {
  if (scale != 1.0f) {
    std::size_t i = 0;
    for (; i + lanes <= c; i += lanes) store(y + i, mul(load(y + i), splat(scale)));
    for (; i < c; ++i) y[i] *= scale;
  }
  if (act.kind != ops::Activation::none) activation_loop(act, y, c);
}

}  // namespace tinynn::backend::avx512_impl

namespace tinynn::backend {

inline void pool_max_taps(avx512, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  avx512_impl::pool_max_taps(acc, x, count, stride, c);
}
inline void pool_sum_taps(avx512, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  avx512_impl::pool_sum_taps(acc, x, count, stride, c);
}
inline void pool_finish_row(avx512, float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  avx512_impl::pool_finish_row(y, scale, c, act);
}

}  // namespace tinynn::backend

#endif  // TINYNN_HAS_X86_KERNELS
