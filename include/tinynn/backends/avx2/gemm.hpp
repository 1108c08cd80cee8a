// tinynn — AVX2+FMA GEMM micro-kernel: up to 6 rows x 16 columns (one packed-B panel, two ymm per
// row) in 12 ymm accumulators; per k step two B loads and 6 broadcast-FMA pairs. Raw intrinsics in
// TINYNN_TARGET_AVX2 functions (config.hpp), selected at run time only on CPUs with AVX2 and FMA.
#pragma once

#include <utility>

#include "tinynn/backends/scalar/gemm.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/config.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::kernels {

namespace detail {

template <int R>
TINYNN_TARGET_AVX2 void gemm_tile_avx2(const ops::detail::GemmTile& t) noexcept {
  __m256 acc[R][2];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      acc[r][h] = t.first ? _mm256_loadu_ps(t.bias + 8 * h) : _mm256_loadu_ps(t.c + r * t.ldc + 8 * h);
    }
  }
  const float* a = t.a;
  const float* b = t.b;
  for (std::int64_t kk = 0; kk < t.kc; ++kk) {
    const __m256 b_lo = _mm256_loadu_ps(b + kk * 16);
    const __m256 b_hi = _mm256_loadu_ps(b + kk * 16 + 8);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + kk * R + r);
      acc[r][0] = _mm256_fmadd_ps(av, b_lo, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(av, b_hi, acc[r][1]);
    }
  }
  if (t.last) {
    const ops::detail::GemmEpilogue& e = t.epilogue;
    const __m256 lo = _mm256_set1_ps(e.lo), hi = _mm256_set1_ps(e.hi), alpha = _mm256_set1_ps(e.alpha);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        __m256 x = acc[r][h];
        if (e.leaky) {
          const __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
          x = _mm256_blendv_ps(x, _mm256_mul_ps(x, alpha), negative);
        }
        acc[r][h] = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    _mm256_storeu_ps(t.c + r * t.ldc, acc[r][0]);
    _mm256_storeu_ps(t.c + r * t.ldc + 8, acc[r][1]);
  }
}

template <int... R>
void gemm_tile_avx2_rows(int rows, const ops::detail::GemmTile& t, std::integer_sequence<int, R...>) noexcept {
  (void)((rows == R + 1 ? (gemm_tile_avx2<R + 1>(t), true) : false) || ...);
}

}  // namespace detail

[[nodiscard]] constexpr ops::detail::GemmKernelShape gemm_kernel_shape(backend::avx2) noexcept { return {6, 1}; }

inline void gemm_tile(backend::avx2, int rows, int /*panels: always 1*/, const ops::detail::GemmTile& t) noexcept {
  detail::gemm_tile_avx2_rows(rows, t, std::make_integer_sequence<int, 6>{});
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS
