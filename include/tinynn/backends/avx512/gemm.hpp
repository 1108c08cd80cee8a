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

/// The end of every AVX-512 tile: add C (unless `first`), apply the epilogue (when `last`), store.
template <int R, int P>
TINYNN_TARGET_AVX512 inline void finish_tile_avx512(__m512 (&acc)[R][P], const ops::detail::GemmTile& t) noexcept {
  if (!t.first) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (int p = 0; p < P; ++p) acc[r][p] = _mm512_add_ps(acc[r][p], _mm512_loadu_ps(t.c + r * t.ldc + 16 * p));
    }
  }
  if (t.last) {
    const ops::detail::GemmEpilogue& e = t.epilogue;
    const __m512 lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi), alpha = _mm512_set1_ps(e.alpha);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
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
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) _mm512_storeu_ps(t.c + r * t.ldc + 16 * p, acc[r][p]);
  }
}

/// Starts a tile's accumulators from the bias (first k block) or zero, prefetching the C tile.
template <int R, int P>
TINYNN_TARGET_AVX512 inline void start_tile_avx512(__m512 (&acc)[R][P], const ops::detail::GemmTile& t) noexcept {
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(t.c + r * t.ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(t.c + r * t.ldc + 16 * P - 1), _MM_HINT_T0);
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) acc[r][p] = t.first ? _mm512_loadu_ps(t.bias + 16 * p) : _mm512_setzero_ps();
  }
}

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
  finish_tile_avx512<R, P>(acc, t);
}

/// Direct tile: A read in place (no packing) from R row pointers per depth segment, up to 4 panels.
/// Used for narrow N, where packing A cost as much as the FMAs it fed.
template <int R, int P>
TINYNN_TARGET_AVX512 void gemm_direct_tile_avx512(const ops::detail::GemmDirectTile& d) noexcept {
  const ops::detail::GemmTile& t = d.tile;
  __m512 acc[R][P];
  start_tile_avx512<R, P>(acc, t);
  const float* b = t.b;
  const std::int64_t stride = t.b_panel_stride;
  for (std::int64_t s = 0; s < d.segments; ++s) {
    const float* row[R];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) row[r] = d.rows[s * R + r];
    const std::int64_t len = d.segment_len[s];
    for (std::int64_t kk = 0; kk < len; ++kk) {
      __m512 bv[P];
#pragma GCC unroll 4
      for (int p = 0; p < P; ++p) bv[p] = _mm512_loadu_ps(b + p * stride + kk * 16);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const __m512 av = _mm512_set1_ps(row[r][kk]);
#pragma GCC unroll 4
        for (int p = 0; p < P; ++p) acc[r][p] = _mm512_fmadd_ps(av, bv[p], acc[r][p]);
      }
    }
    b += len * 16;
  }
  finish_tile_avx512<R, P>(acc, t);
}

/// In-register transpose of 16 rows of 16 floats (4 shuffle stages, 64 shuffles).
TINYNN_TARGET_AVX512 inline void transpose_16x16_avx512(__m512 (&r)[16]) noexcept {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_mask_unpacklo_ps(r[2 * i], 0xFFFF, r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_mask_unpackhi_ps(r[2 * i], 0xFFFF, r[2 * i], r[2 * i + 1]);
  }
  __m512 u[16];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    const __m512d t0 = _mm512_castps_pd(t[4 * i]), t1 = _mm512_castps_pd(t[4 * i + 1]);
    const __m512d t2 = _mm512_castps_pd(t[4 * i + 2]), t3 = _mm512_castps_pd(t[4 * i + 3]);
    u[4 * i] = _mm512_castpd_ps(_mm512_mask_unpacklo_pd(t0, 0xFF, t0, t2));
    u[4 * i + 1] = _mm512_castpd_ps(_mm512_mask_unpackhi_pd(t0, 0xFF, t0, t2));
    u[4 * i + 2] = _mm512_castpd_ps(_mm512_mask_unpacklo_pd(t1, 0xFF, t1, t3));
    u[4 * i + 3] = _mm512_castpd_ps(_mm512_mask_unpackhi_pd(t1, 0xFF, t1, t3));
  }
  // u[4i + j] holds, in 128-bit lane L, column 4L + j of rows 4i..4i+3.
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const __m512 v0 = _mm512_mask_shuffle_f32x4(u[j], 0xFFFF, u[j], u[4 + j], 0x88),
                 w0 = _mm512_mask_shuffle_f32x4(u[j], 0xFFFF, u[j], u[4 + j], 0xdd);
    const __m512 v1 = _mm512_mask_shuffle_f32x4(u[8 + j], 0xFFFF, u[8 + j], u[12 + j], 0x88);
    const __m512 w1 = _mm512_mask_shuffle_f32x4(u[8 + j], 0xFFFF, u[8 + j], u[12 + j], 0xdd);
    r[j] = _mm512_mask_shuffle_f32x4(v0, 0xFFFF, v0, v1, 0x88);
    r[8 + j] = _mm512_mask_shuffle_f32x4(v0, 0xFFFF, v0, v1, 0xdd);
    r[4 + j] = _mm512_mask_shuffle_f32x4(w0, 0xFFFF, w0, w1, 0x88);
    r[12 + j] = _mm512_mask_shuffle_f32x4(w0, 0xFFFF, w0, w1, 0xdd);
  }
}

/// ops::detail::GemmPackRowsFn: up to 16 rows packed as [kc][rows] through 16x16 transposes
/// (the portable element loop costs ~3 cycles a float, which dominated small-N problems).
TINYNN_TARGET_AVX512 inline void gemm_pack_rows_avx512(int rows, const float* const* src, std::int64_t kc,
                                                       float* dst) noexcept {
  if (rows == 1) {  // [kc][1] is the row itself: a copy, not a transpose (GEMV, batch-1 dense layers)
    ops::detail::gemm_pack_rows_portable(1, src, kc, dst);
    return;
  }
  const auto row_mask = static_cast<__mmask16>((1u << rows) - 1u);
  for (std::int64_t k0 = 0; k0 < kc; k0 += 16) {
    const std::int64_t len = kc - k0 < 16 ? kc - k0 : 16;
    const auto k_mask = static_cast<__mmask16>((1u << len) - 1u);
    __m512 r[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
      r[i] = (i < rows && src[i] != nullptr) ? _mm512_maskz_loadu_ps(k_mask, src[i] + k0) : _mm512_setzero_ps();
    }
    transpose_16x16_avx512(r);
    float* d = dst + k0 * rows;
    if (len == 16) {
#pragma GCC unroll 16
      for (int j = 0; j < 16; ++j) _mm512_mask_storeu_ps(d + j * rows, row_mask, r[j]);
    } else {
      for (int j = 0; j < len; ++j) _mm512_mask_storeu_ps(d + j * rows, row_mask, r[j]);
    }
  }
}

template <int P, int... R>
void gemm_tile_avx512_rows(int rows, const ops::detail::GemmTile& t, std::integer_sequence<int, R...>) noexcept {
  (void)((rows == R + 1 ? (gemm_tile_avx512<R + 1, P>(t), true) : false) || ...);
}

}  // namespace detail

[[nodiscard]] constexpr ops::detail::GemmKernelShape gemm_kernel_shape(backend::avx512) noexcept { return {14, 2}; }

[[nodiscard]] inline ops::detail::GemmPackRowsFn gemm_pack_rows_fn(backend::avx512) noexcept {
  return &detail::gemm_pack_rows_avx512;
}

/// The direct (unpacked-A) tile: rows per call for 1..4 panels (0: no direct kernel for that width).
[[nodiscard]] constexpr int gemm_direct_rows(backend::avx512, int panels) noexcept {
  return panels <= 3 ? 8 : (panels == 4 ? 6 : 0);
}

inline void gemm_direct_tile(backend::avx512, int panels, const ops::detail::GemmDirectTile& d) noexcept {
  switch (panels) {
    case 1: detail::gemm_direct_tile_avx512<8, 1>(d); break;
    case 2: detail::gemm_direct_tile_avx512<8, 2>(d); break;
    case 3: detail::gemm_direct_tile_avx512<8, 3>(d); break;
    default: detail::gemm_direct_tile_avx512<6, 4>(d); break;
  }
}

inline void gemm_tile(backend::avx512, int rows, int panels, const ops::detail::GemmTile& t) noexcept {
  if (panels == 2) {
    detail::gemm_tile_avx512_rows<2>(rows, t, std::make_integer_sequence<int, 14>{});
  } else {
    detail::gemm_tile_avx512_rows<1>(rows, t, std::make_integer_sequence<int, 14>{});
  }
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS
