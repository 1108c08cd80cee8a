// tinynn — SVE GEMM micro-kernel (ACLE, vector-length agnostic): up to 8 rows of one 16-column packed-B
// panel. The panel is covered in ceil(16 / svcntw()) predicated vector chunks (4 at 128 bits, 2 at
// 256, 1 from 512 bits on, where the predicate masks the lanes past 16), each chunk a pass over k with
// 8 accumulators (ACLE's sizeless vectors cannot live in arrays, hence named rows).
#pragma once

#include <cstdint>
#include <utility>

#include "tinynn/backends/neon/gemm.hpp"
#include "tinynn/backends/scalar/gemm.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

#if defined(__ARM_FEATURE_SVE)
#include <arm_sve.h>

namespace tinynn::kernels {

namespace detail {

template <int R>
__attribute__((noinline)) void gemm_tile_sve(const ops::detail::GemmTile& t) noexcept {
  constexpr std::int64_t width = ops::detail::gemm_panel_width;
  const auto lanes = static_cast<std::int64_t>(svcntw());
  const ops::detail::GemmEpilogue& e = t.epilogue;
  for (std::int64_t j0 = 0; j0 < width; j0 += lanes) {
    const svbool_t pg = svwhilelt_b32(j0, width);
    const svfloat32_t start = t.first ? svld1_f32(pg, t.bias + j0) : svdup_n_f32(0.0f);
    svfloat32_t c0 = start, c1 = start, c2 = start, c3 = start, c4 = start, c5 = start, c6 = start, c7 = start;
    const float* a = t.a;
    const float* b = t.b + j0;
    for (std::int64_t kk = 0; kk < t.kc; ++kk, a += R, b += width) {
      const svfloat32_t bv = svld1_f32(pg, b);
      c0 = svmla_n_f32_x(pg, c0, bv, a[0]);
      if constexpr (R > 1) c1 = svmla_n_f32_x(pg, c1, bv, a[1]);
      if constexpr (R > 2) c2 = svmla_n_f32_x(pg, c2, bv, a[2]);
      if constexpr (R > 3) c3 = svmla_n_f32_x(pg, c3, bv, a[3]);
      if constexpr (R > 4) c4 = svmla_n_f32_x(pg, c4, bv, a[4]);
      if constexpr (R > 5) c5 = svmla_n_f32_x(pg, c5, bv, a[5]);
      if constexpr (R > 6) c6 = svmla_n_f32_x(pg, c6, bv, a[6]);
      if constexpr (R > 7) c7 = svmla_n_f32_x(pg, c7, bv, a[7]);
    }
    const auto finish = [&](svfloat32_t x, int r) noexcept {
      float* c = t.c + r * t.ldc + j0;
      if (!t.first) x = svadd_f32_x(pg, x, svld1_f32(pg, c));
      if (t.last) {
        if (e.leaky) {
          const svbool_t negative = svcmplt_n_f32(pg, x, 0.0f);
          x = svmul_n_f32_m(negative, x, e.alpha);
        }
        x = svmin_n_f32_x(pg, svmax_n_f32_x(pg, x, e.lo), e.hi);
      }
      svst1_f32(pg, c, x);
    };
    finish(c0, 0);
    if constexpr (R > 1) finish(c1, 1);
    if constexpr (R > 2) finish(c2, 2);
    if constexpr (R > 3) finish(c3, 3);
    if constexpr (R > 4) finish(c4, 4);
    if constexpr (R > 5) finish(c5, 5);
    if constexpr (R > 6) finish(c6, 6);
    if constexpr (R > 7) finish(c7, 7);
  }
}

template <int... R>
void gemm_tile_sve_rows(int rows, const ops::detail::GemmTile& t, std::integer_sequence<int, R...>) noexcept {
  (void)((rows == R + 1 ? (gemm_tile_sve<R + 1>(t), true) : false) || ...);
}

}  // namespace detail

[[nodiscard]] inline ops::detail::GemmKernelShape gemm_kernel_shape(backend::sve) noexcept { return {8, 1}; }

inline void gemm_tile(backend::sve, int rows, int /*panels: always 1*/, const ops::detail::GemmTile& t) noexcept {
  detail::gemm_tile_sve_rows(rows, t, std::make_integer_sequence<int, 8>{});
}

}  // namespace tinynn::kernels

#endif  // __ARM_FEATURE_SVE
