// tinynn — AVX2 direct convolution (ops/detail/conv_direct.hpp): pixel-vector tiles of up to
// 4 x 8 output pixels x 8 output channels in ymm accumulators, one broadcast weight per FMA group; 1-4
// output pixels (dense layers) use channel vectors over the HWIO rows with masked tails.
#pragma once

#include <cstdint>

#include "tinynn/backends/scalar/conv2d_direct.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/config.hpp"
#include "tinynn/ops/detail/conv_direct.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::kernels {

namespace detail {

TINYNN_TARGET_AVX2 inline __m256 conv_direct_epilogue_avx2(__m256 v, const ops::detail::GemmEpilogue& e) noexcept {
  if (e.leaky) {
    const __m256 negative = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
    v = _mm256_blendv_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(e.alpha)), negative);
  }
  v = _mm256_max_ps(v, _mm256_set1_ps(e.lo));
  return _mm256_min_ps(v, _mm256_set1_ps(e.hi));
}

template <int PB, int CB>
TINYNN_TARGET_AVX2 void conv_direct_tile_avx2(const ops::detail::ConvDirectTile& t) noexcept {
  __m256 acc[PB][CB];
#pragma GCC unroll 8
  for (int c = 0; c < CB; ++c) {
    const __m256 b = _mm256_set1_ps(t.bias[c]);
#pragma GCC unroll 8
    for (int p = 0; p < PB; ++p) acc[p][c] = b;
  }
  const float* w = t.w;
  for (std::int64_t ky = 0; ky < t.kernel_h; ++ky) {
    for (std::int64_t kx = 0; kx < t.kernel_w; ++kx) {
      const std::int64_t offset = ky * t.row_step + t.kx_off[kx];
      for (std::int64_t ci = 0; ci < t.cin; ++ci) {
        const std::int64_t o = offset + ci * t.plane_step;
        __m256 x[PB];
#pragma GCC unroll 8
        for (int p = 0; p < PB; ++p) x[p] = _mm256_loadu_ps(t.src[p] + o);
#pragma GCC unroll 8
        for (int c = 0; c < CB; ++c) {
          const __m256 wv = _mm256_set1_ps(w[c]);
#pragma GCC unroll 8
          for (int p = 0; p < PB; ++p) acc[p][c] = _mm256_fmadd_ps(x[p], wv, acc[p][c]);
        }
        w += t.ldw;
      }
    }
  }
  alignas(32) float tile[CB * 8];
#pragma GCC unroll 8
  for (int p = 0; p < PB; ++p) {
    if (t.count[p] == 0) continue;
#pragma GCC unroll 8
    for (int c = 0; c < CB; ++c) _mm256_store_ps(tile + c * 8, conv_direct_epilogue_avx2(acc[p][c], t.epilogue));
    ops::detail::conv_direct_store_tile<CB>(tile, 8, t.dst[p], t.count[p], t.ldo);
  }
}

inline constexpr int conv_direct_pb_avx2[ops::detail::conv_direct_max_cb + 1] = {1, 4, 4, 3, 2, 2, 2, 1, 1};

inline void conv_direct_tile_avx2_cb(int cb, const ops::detail::ConvDirectTile& t) noexcept {
  switch (cb) {
    case 1: conv_direct_tile_avx2<4, 1>(t); break;
    case 2: conv_direct_tile_avx2<4, 2>(t); break;
    case 3: conv_direct_tile_avx2<3, 3>(t); break;
    case 4: conv_direct_tile_avx2<2, 4>(t); break;
    case 5: conv_direct_tile_avx2<2, 5>(t); break;
    case 6: conv_direct_tile_avx2<2, 6>(t); break;
    case 7: conv_direct_tile_avx2<1, 7>(t); break;
    default: conv_direct_tile_avx2<1, 8>(t); break;
  }
}

/// Channel-vector chunk of n <= 8 * CV output channels starting at co0, every output pixel.
template <int CV>
TINYNN_TARGET_AVX2 void conv_direct_channels_avx2(const ops::detail::ConvShape& s, const float* input,
                                                  const float* packed, float* output, std::int64_t co0, std::int64_t n,
                                                  const ops::detail::GemmEpilogue& e) noexcept {
  constexpr int U = CV == 1 ? 4 : (CV == 2 ? 2 : 1);  // independent partial sums over the input channels
  const std::int64_t cin = s.in_c, cout = s.out_c;
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i mask[CV];
#pragma GCC unroll 4
  for (int v = 0; v < CV; ++v) {
    const std::int64_t rest = n - 8 * v;
    mask[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rest > 8 ? 8 : rest)), lane);
  }
  const float* bias = packed + ops::detail::conv_direct_depth(s) * cout + co0;
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* in_b = input + b * s.in_h * s.in_w * cin;
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        __m256 acc[U][CV];
#pragma GCC unroll 4
        for (int u = 0; u < U; ++u) {
#pragma GCC unroll 4
          for (int v = 0; v < CV; ++v) acc[u][v] = _mm256_setzero_ps();
        }
        for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
          const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
          if (iy < 0 || iy >= s.in_h) continue;
          for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
            const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
            if (ix < 0 || ix >= s.in_w) continue;
            const float* src = in_b + (iy * s.in_w + ix) * cin;
            const float* w = packed + (ky * s.kernel_w + kx) * cin * cout + co0;
            std::int64_t ci = 0;
            for (; ci + U <= cin; ci += U) {
#pragma GCC unroll 4
              for (int u = 0; u < U; ++u) {
                const __m256 x = _mm256_set1_ps(src[ci + u]);
#pragma GCC unroll 4
                for (int v = 0; v < CV; ++v) {
                  acc[u][v] = _mm256_fmadd_ps(x, _mm256_maskload_ps(w + (ci + u) * cout + 8 * v, mask[v]), acc[u][v]);
                }
              }
            }
            for (; ci < cin; ++ci) {
              const __m256 x = _mm256_set1_ps(src[ci]);
#pragma GCC unroll 4
              for (int v = 0; v < CV; ++v) {
                acc[0][v] = _mm256_fmadd_ps(x, _mm256_maskload_ps(w + ci * cout + 8 * v, mask[v]), acc[0][v]);
              }
            }
          }
        }
        float* dst = output + ((b * s.out_h + oy) * s.out_w + ox) * cout + co0;
#pragma GCC unroll 4
        for (int v = 0; v < CV; ++v) {
          __m256 r = _mm256_maskload_ps(bias + 8 * v, mask[v]);
#pragma GCC unroll 4
          for (int u = 0; u < U; ++u) r = _mm256_add_ps(r, acc[u][v]);
          _mm256_maskstore_ps(dst + 8 * v, mask[v], conv_direct_epilogue_avx2(r, e));
        }
      }
    }
  }
}

}  // namespace detail

[[nodiscard]] constexpr std::int64_t conv_direct_lanes(backend::avx2) noexcept { return 8; }

/// `packed`: ops::detail::conv_direct_pack(); `scratch`: conv_direct_scratch_floats(s, 8) floats.
inline void conv2d_direct_small(backend::avx2, const ops::detail::ConvShape& s, const float* input, const float* packed,
                                float* output, const ops::ActivationParams& activation, float* scratch) noexcept {
  if (ops::detail::conv_direct_pixel_mode(s, 8)) {
    ops::detail::conv_direct_pixels(
        [](int, int cb, const ops::detail::ConvDirectTile& t) noexcept { detail::conv_direct_tile_avx2_cb(cb, t); },
        detail::conv_direct_pb_avx2, 8, s, input, packed, output, activation, scratch);
    return;
  }
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  for (std::int64_t co0 = 0; co0 < s.out_c; co0 += 32) {
    const std::int64_t n = s.out_c - co0 < 32 ? s.out_c - co0 : 32;
    switch ((n + 7) / 8) {
      case 1: detail::conv_direct_channels_avx2<1>(s, input, packed, output, co0, n, e); break;
      case 2: detail::conv_direct_channels_avx2<2>(s, input, packed, output, co0, n, e); break;
      case 3: detail::conv_direct_channels_avx2<3>(s, input, packed, output, co0, n, e); break;
      default: detail::conv_direct_channels_avx2<4>(s, input, packed, output, co0, n, e); break;
    }
  }
  if (e.scalar_pass) {
    const std::int64_t total = s.batch * s.out_h * s.out_w * s.out_c;
    for (std::int64_t i = 0; i < total; ++i) output[i] = ops::apply_activation(activation, output[i]);
  }
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS
