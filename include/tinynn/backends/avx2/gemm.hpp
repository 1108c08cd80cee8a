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

/// ops::detail::GemmPackRowsFn for up to 8 rows: 8x8 in-register transposes, [kc][rows] out.
TINYNN_TARGET_AVX2 inline void gemm_pack_rows_avx2(int rows, const float* const* src, std::int64_t kc,
                                                   float* dst) noexcept {
  if (rows == 1) {  // [kc][1] is the row itself: a copy, not a transpose (GEMV, batch-1 dense layers)
    ops::detail::gemm_pack_rows_portable(1, src, kc, dst);
    return;
  }
  alignas(32) static constexpr std::int32_t lanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  const __m256i row_mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lanes + 8 - rows));
  for (std::int64_t k0 = 0; k0 < kc; k0 += 8) {
    const std::int64_t len = kc - k0 < 8 ? kc - k0 : 8;
    const __m256i k_mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lanes + 8 - len));
    __m256 r[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
      r[i] = (i < rows && src[i] != nullptr) ? _mm256_maskload_ps(src[i] + k0, k_mask) : _mm256_setzero_ps();
    }
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    __m256 c[8];
    c[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    c[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    c[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    c[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    c[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    c[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    c[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    c[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
    float* d = dst + k0 * rows;
    for (int j = 0; j < len; ++j) _mm256_maskstore_ps(d + j * rows, row_mask, c[j]);
  }
}

template <int... R>
void gemm_tile_avx2_rows(int rows, const ops::detail::GemmTile& t, std::integer_sequence<int, R...>) noexcept {
  (void)((rows == R + 1 ? (gemm_tile_avx2<R + 1>(t), true) : false) || ...);
}

}  // namespace detail

[[nodiscard]] constexpr ops::detail::GemmKernelShape gemm_kernel_shape(backend::avx2) noexcept { return {6, 1}; }

[[nodiscard]] inline ops::detail::GemmPackRowsFn gemm_pack_rows_fn(backend::avx2) noexcept {
  return &detail::gemm_pack_rows_avx2;
}

inline void gemm_tile(backend::avx2, int rows, int /*panels: always 1*/, const ops::detail::GemmTile& t) noexcept {
  detail::gemm_tile_avx2_rows(rows, t, std::make_integer_sequence<int, 6>{});
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS
