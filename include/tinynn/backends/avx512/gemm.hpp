// tinynn — AVX-512 GEMM micro-kernel: up to 14 rows x 32 columns (two packed-B panels) of
// accumulators in 28 zmm registers; per k step two B loads and 14 broadcast-FMA pairs from the
// packed A panel. Raw intrinsics in TINYNN_TARGET_AVX512 functions (config.hpp), so any x86
// translation unit carries them and runtime dispatch picks them only on CPUs with AVX-512.
#pragma once

#include <utility>

#include "tinynn/backends/avx2/gemm.hpp"
#include "tinynn/backends/scalar/gemm.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/config.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::kernels {

namespace detail {

template <int R, int P>
TINYNN_TARGET_AVX512 void gemm_tile_avx512(const ops::detail::GemmTile& t) noexcept {
  // Start from the bias (or zero) and add C after the k loop: the C tile's cache lines, prefetched
  // here, arrive while the FMAs run instead of stalling the first loads (~10% at 1024^3).
  __m512 acc[R][P];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(t.c + r * t.ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(t.c + r * t.ldc + 16 * P - 1), _MM_HINT_T0);
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p) acc[r][p] = t.first ? _mm512_loadu_ps(t.bias + 16 * p) : _mm512_setzero_ps();
  }
  const float* a = t.a;
  const float* b0 = t.b;
  const float* b1 = t.b + t.b_panel_stride;
  for (std::int64_t kk = 0; kk < t.kc; ++kk) {
    const __m512 bv0 = _mm512_loadu_ps(b0 + kk * 16);
    const __m512 bv1 = P > 1 ? _mm512_loadu_ps(b1 + kk * 16) : bv0;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[kk * R + r]);
      acc[r][0] = _mm512_fmadd_ps(av, bv0, acc[r][0]);
      if constexpr (P > 1) acc[r][P - 1] = _mm512_fmadd_ps(av, bv1, acc[r][P - 1]);
    }
  }
  if (!t.first) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
      for (int p = 0; p < P; ++p) acc[r][p] = _mm512_add_ps(acc[r][p], _mm512_loadu_ps(t.c + r * t.ldc + 16 * p));
    }
  }
  if (t.last) {
    const ops::detail::GemmEpilogue& e = t.epilogue;
    const __m512 lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi), alpha = _mm512_set1_ps(e.alpha);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
      for (int p = 0; p < P; ++p) {
        __m512 x = acc[r][p];
        if (e.leaky) {
          const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
          x = _mm512_mask_mul_ps(x, negative, x, alpha);
        }
        // The masked forms: GCC 12's plain _mm512_max_ps/min_ps trip -Wmaybe-uninitialized.
        x = _mm512_mask_max_ps(x, 0xFFFF, x, lo);
        acc[r][p] = _mm512_mask_min_ps(x, 0xFFFF, x, hi);
      }
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p) _mm512_storeu_ps(t.c + r * t.ldc + 16 * p, acc[r][p]);
  }
}

template <int P, int... R>
void gemm_tile_avx512_rows(int rows, const ops::detail::GemmTile& t, std::integer_sequence<int, R...>) noexcept {
  (void)((rows == R + 1 ? (gemm_tile_avx512<R + 1, P>(t), true) : false) || ...);
}

}  // namespace detail

[[nodiscard]] constexpr ops::detail::GemmKernelShape gemm_kernel_shape(backend::avx512) noexcept { return {14, 2}; }

inline void gemm_tile(backend::avx512, int rows, int panels, const ops::detail::GemmTile& t) noexcept {
  if (panels == 2) {
    detail::gemm_tile_avx512_rows<2>(rows, t, std::make_integer_sequence<int, 14>{});
  } else {
    detail::gemm_tile_avx512_rows<1>(rows, t, std::make_integer_sequence<int, 14>{});
  }
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS
