// tinynn — SVE softmax row kernel (predicated loops: no scalar tails).
#pragma once

#include "tinynn/backends/scalar/softmax.hpp"
#include "tinynn/backends/sve/math.hpp"

#if defined(__ARM_FEATURE_SVE)

namespace tinynn::backend::sve_impl {

/// Softmax of a contiguous row (see backends/scalar/softmax.hpp for the definition).
inline void softmax_row(const float* x, float* y, std::size_t n, bool log) noexcept {
  if (n == 0) return;
  const float minus_inf = -std::numeric_limits<float>::infinity();
  V vm = splat(minus_inf);
  for (std::size_t i = 0; i < n; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, n);
    vm = svsel_f32(pg, vmax(svld1_f32(pg, x + i), vm), vm);
  }
  float m = svmaxv_f32(all(), vm);
  if (m == minus_inf) m = 0.0f;
  const V shift = splat(m);
  V vsum = zero();
  for (std::size_t i = 0; i < n; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, n);
    const V e = exp(sub(svld1_f32(pg, x + i), shift));
    if (!log) svst1_f32(pg, y + i, e);
    vsum = svadd_f32_m(pg, vsum, e);
  }
  const float sum = svaddv_f32(all(), vsum);
  if (log) {
    const V log_sum = splat(std::log(sum));
    for (std::size_t i = 0; i < n; i += svcntw()) {
      const svbool_t pg = svwhilelt_b32_u64(i, n);
      svst1_f32(pg, y + i, sub(sub(svld1_f32(pg, x + i), shift), log_sum));
    }
    return;
  }
  const V inverse = splat(1.0f / sum);
  for (std::size_t i = 0; i < n; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, n);
    svst1_f32(pg, y + i, mul(svld1_f32(pg, y + i), inverse));
  }
}

}  // namespace tinynn::backend::sve_impl

namespace tinynn::backend {

inline void softmax_row(sve, const float* x, float* y, std::size_t n, std::size_t stride, bool log) noexcept {
  if (stride != 1) {
    softmax_row(scalar{}, x, y, n, stride, log);
    return;
  }
  sve_impl::softmax_row(x, y, n, log);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_FEATURE_SVE)
