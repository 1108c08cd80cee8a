// tinynn — AVX-512 direct convolution (ops/detail/conv_direct.hpp): pixel-vector tiles of up to
// 8 x 16 output pixels x 8 output channels in zmm accumulators, one broadcast weight per FMA; 1-4
// output pixels (dense layers) use channel vectors over the HWIO rows with masked tails.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "tinynn/backends/avx2/conv2d_direct.hpp"
#include "tinynn/backends/scalar/conv2d_direct.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/config.hpp"
#include "tinynn/ops/detail/conv_direct.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::kernels {

namespace detail {

/// Permutation tables that interleave CB vectors of 16 pixels into 16 pixels x CB channels.
template <int CB>
struct ConvDirectInterleave16 {
  static constexpr std::array<std::int32_t, 16 * CB> index = [] {
    std::array<std::int32_t, 16 * CB> a{};
    for (int e = 0; e < 16 * CB; ++e) a[static_cast<std::size_t>(e)] = e / CB;
    return a;
  }();
  static constexpr std::array<std::uint16_t, CB* CB> mask = [] {
    std::array<std::uint16_t, CB * CB> m{};
    for (int j = 0; j < CB; ++j) {
      for (int l = 0; l < 16; ++l) {
        const int e = 16 * j + l;
        m[static_cast<std::size_t>(j * CB + e % CB)] =
            static_cast<std::uint16_t>(m[static_cast<std::size_t>(j * CB + e % CB)] | (1u << l));
      }
    }
    return m;
  }();
};

template <int PB, int CB>
TINYNN_TARGET_AVX512 void conv_direct_tile_avx512(const ops::detail::ConvDirectTile& t) noexcept {
  __m512 acc[PB][CB];
#pragma GCC unroll 8
  for (int c = 0; c < CB; ++c) {
    const __m512 b = _mm512_set1_ps(t.bias[c]);
#pragma GCC unroll 8
    for (int p = 0; p < PB; ++p) acc[p][c] = b;
  }
  const float* w = t.w;
  for (std::int64_t ky = 0; ky < t.kernel_h; ++ky) {
    for (std::int64_t kx = 0; kx < t.kernel_w; ++kx) {
      const std::int64_t offset = ky * t.row_step + t.kx_off[kx];
      for (std::int64_t ci = 0; ci < t.cin; ++ci) {
        const std::int64_t o = offset + ci * t.plane_step;
        __m512 x[PB];
#pragma GCC unroll 8
        for (int p = 0; p < PB; ++p) x[p] = _mm512_loadu_ps(t.src[p] + o);
#pragma GCC unroll 8
        for (int c = 0; c < CB; ++c) {
          const __m512 wv = _mm512_set1_ps(w[c]);
#pragma GCC unroll 8
          for (int p = 0; p < PB; ++p) acc[p][c] = _mm512_fmadd_ps(x[p], wv, acc[p][c]);
        }
        w += t.ldw;
      }
    }
  }
  const ops::detail::GemmEpilogue& e = t.epilogue;
  const __m512 lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi), alpha = _mm512_set1_ps(e.alpha);
  using interleave = ConvDirectInterleave16<CB>;
  alignas(64) float buffer[16 * CB + 16];
#pragma GCC unroll 8
  for (int p = 0; p < PB; ++p) {
    const std::int64_t count = t.count[p];
    if (count == 0) continue;
#pragma GCC unroll 8
    for (int c = 0; c < CB; ++c) {
      __m512 v = acc[p][c];
      if (e.leaky) v = _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ), v, alpha);
      v = _mm512_mask_max_ps(v, 0xFFFF, v, lo);  // masked forms: GCC 12 -Wmaybe-uninitialized
      acc[p][c] = _mm512_mask_min_ps(v, 0xFFFF, v, hi);
    }
    // [CB][16 pixels] -> [16 pixels][CB]: output vector j gathers element 16j + l from channel (16j + l) % CB.
    __m512 o[CB];
#pragma GCC unroll 8
    for (int j = 0; j < CB; ++j) {
      const __m512i idx = _mm512_loadu_si512(interleave::index.data() + 16 * j);
      o[j] = _mm512_maskz_permutexvar_ps(0xFFFF, idx, acc[p][0]);  // maskz: GCC 12 -Wmaybe-uninitialized
#pragma GCC unroll 8
      for (int c = 1; c < CB; ++c) {
        o[j] = _mm512_mask_permutexvar_ps(o[j], interleave::mask[static_cast<std::size_t>(j * CB + c)], idx, acc[p][c]);
      }
    }
    float* dst = t.dst[p];
    if (t.ldo == CB) {
      const std::int64_t total = count * CB;
#pragma GCC unroll 8
      for (int j = 0; j < CB; ++j) {
        const std::int64_t n = total - 16 * j;
        if (n >= 16) {
          _mm512_storeu_ps(dst + 16 * j, o[j]);
        } else if (n > 0) {
          _mm512_mask_storeu_ps(dst + 16 * j, static_cast<__mmask16>((1u << n) - 1u), o[j]);
        }
      }
    } else {
#pragma GCC unroll 8
      for (int j = 0; j < CB; ++j) _mm512_store_ps(buffer + 16 * j, o[j]);
      const auto lanes = static_cast<__mmask8>((1u << CB) - 1u);
      for (std::int64_t l = 0; l < count; ++l) {
        _mm256_mask_storeu_ps(dst + l * t.ldo, lanes, _mm256_loadu_ps(buffer + l * CB));
      }
    }
  }
}

inline constexpr int conv_direct_pb_avx512[ops::detail::conv_direct_max_cb + 1] = {1, 8, 4, 3, 3, 2, 2, 2, 2};

inline void conv_direct_tile_avx512_cb(int cb, const ops::detail::ConvDirectTile& t) noexcept {
  switch (cb) {
    case 1: conv_direct_tile_avx512<8, 1>(t); break;
    case 2: conv_direct_tile_avx512<4, 2>(t); break;
    case 3: conv_direct_tile_avx512<3, 3>(t); break;
    case 4: conv_direct_tile_avx512<3, 4>(t); break;
    case 5: conv_direct_tile_avx512<2, 5>(t); break;
    case 6: conv_direct_tile_avx512<2, 6>(t); break;
    case 7: conv_direct_tile_avx512<2, 7>(t); break;
    default: conv_direct_tile_avx512<2, 8>(t); break;
  }
}

/// Channel-vector chunk of n <= 16 * CV output channels starting at co0, every output pixel.
template <int CV>
TINYNN_TARGET_AVX512 void conv_direct_channels_avx512(const ops::detail::ConvShape& s, const float* input,
                                                      const float* packed, float* output, std::int64_t co0,
                                                      std::int64_t n, const ops::detail::GemmEpilogue& e) noexcept {
  constexpr int U = CV == 1 ? 4 : (CV == 2 ? 2 : 1);  // independent partial sums over the input channels
  const std::int64_t cin = s.in_c, cout = s.out_c;
  __mmask16 mask[CV];
#pragma GCC unroll 4
  for (int v = 0; v < CV; ++v) {
    const std::int64_t rest = n - 16 * v;
    mask[v] = rest >= 16 ? __mmask16(0xFFFF) : __mmask16(rest > 0 ? (1u << rest) - 1u : 0u);
  }
  const float* bias = packed + ops::detail::conv_direct_depth(s) * cout + co0;
  const __m512 lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi), alpha = _mm512_set1_ps(e.alpha);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* in_b = input + b * s.in_h * s.in_w * cin;
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        __m512 acc[U][CV];
#pragma GCC unroll 4
        for (int u = 0; u < U; ++u) {
#pragma GCC unroll 4
          for (int v = 0; v < CV; ++v) acc[u][v] = _mm512_setzero_ps();
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
                const __m512 x = _mm512_set1_ps(src[ci + u]);
#pragma GCC unroll 4
                for (int v = 0; v < CV; ++v) {
                  acc[u][v] =
                      _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask[v], w + (ci + u) * cout + 16 * v), acc[u][v]);
                }
              }
            }
            for (; ci < cin; ++ci) {
              const __m512 x = _mm512_set1_ps(src[ci]);
#pragma GCC unroll 4
              for (int v = 0; v < CV; ++v) {
                acc[0][v] = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask[v], w + ci * cout + 16 * v), acc[0][v]);
              }
            }
          }
        }
        float* dst = output + ((b * s.out_h + oy) * s.out_w + ox) * cout + co0;
#pragma GCC unroll 4
        for (int v = 0; v < CV; ++v) {
          __m512 r = _mm512_maskz_loadu_ps(mask[v], bias + 16 * v);
#pragma GCC unroll 4
          for (int u = 0; u < U; ++u) r = _mm512_add_ps(r, acc[u][v]);
          if (e.leaky) r = _mm512_mask_mul_ps(r, _mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_LT_OQ), r, alpha);
          r = _mm512_mask_max_ps(r, 0xFFFF, r, lo);
          r = _mm512_mask_min_ps(r, 0xFFFF, r, hi);
          _mm512_mask_storeu_ps(dst + 16 * v, mask[v], r);
        }
      }
    }
  }
}

}  // namespace detail

[[nodiscard]] constexpr std::int64_t conv_direct_lanes(backend::avx512) noexcept { return 16; }

/// `packed`: ops::detail::conv_direct_pack(); `scratch`: conv_direct_scratch_floats(s, 16) floats.
inline void conv2d_direct_small(backend::avx512, const ops::detail::ConvShape& s, const float* input,
                                const float* packed, float* output, const ops::ActivationParams& activation,
                                float* scratch) noexcept {
  if (ops::detail::conv_direct_pixel_mode(s, 16)) {
    ops::detail::conv_direct_pixels(
        [](int, int cb, const ops::detail::ConvDirectTile& t) noexcept { detail::conv_direct_tile_avx512_cb(cb, t); },
        detail::conv_direct_pb_avx512, 16, s, input, packed, output, activation, scratch);
    return;
  }
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  for (std::int64_t co0 = 0; co0 < s.out_c; co0 += 64) {
    const std::int64_t n = s.out_c - co0 < 64 ? s.out_c - co0 : 64;
    switch ((n + 15) / 16) {
      case 1: detail::conv_direct_channels_avx512<1>(s, input, packed, output, co0, n, e); break;
      case 2: detail::conv_direct_channels_avx512<2>(s, input, packed, output, co0, n, e); break;
      case 3: detail::conv_direct_channels_avx512<3>(s, input, packed, output, co0, n, e); break;
      default: detail::conv_direct_channels_avx512<4>(s, input, packed, output, co0, n, e); break;
    }
  }
  if (e.scalar_pass) {
    const std::int64_t total = s.batch * s.out_h * s.out_w * s.out_c;
    for (std::int64_t i = 0; i < total; ++i) output[i] = ops::apply_activation(activation, output[i]);
  }
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS
