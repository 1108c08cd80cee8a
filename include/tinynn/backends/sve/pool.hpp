// tinynn — SVE pooling row kernels (predicated loops: no scalar tails).
#pragma once

#include "tinynn/backends/scalar/pool.hpp"
#include "tinynn/backends/sve/math.hpp"

#if defined(__ARM_FEATURE_SVE)

namespace tinynn::backend::sve_impl {

inline void pool_max_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  for (std::size_t i = 0; i < c; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, c);
    V m = svld1_f32(pg, acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      const V v = svld1_f32(pg, x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i));
      m = select(isnan(v), v, vmax(v, m));
    }
    svst1_f32(pg, acc + i, m);
  }
}

inline void pool_sum_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  for (std::size_t i = 0; i < c; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, c);
    V s = svld1_f32(pg, acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      s = add(s, svld1_f32(pg, x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)));
    }
    svst1_f32(pg, acc + i, s);
  }
}

inline void pool_finish_row(float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  if (scale != 1.0f) {
    for (std::size_t i = 0; i < c; i += svcntw()) {
      const svbool_t pg = svwhilelt_b32_u64(i, c);
      svst1_f32(pg, y + i, mul(svld1_f32(pg, y + i), splat(scale)));
    }
  }
  if (act.kind != ops::Activation::none) activation_loop(act, y, c);
}

}  // namespace tinynn::backend::sve_impl

namespace tinynn::backend {

inline void pool_max_taps(sve, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  sve_impl::pool_max_taps(acc, x, count, stride, c);
}
inline void pool_sum_taps(sve, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  sve_impl::pool_sum_taps(acc, x, count, stride, c);
}
inline void pool_finish_row(sve, float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  sve_impl::pool_finish_row(y, scale, c, act);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_FEATURE_SVE)
