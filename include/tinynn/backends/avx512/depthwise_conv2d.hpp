// tinynn — AVX-512 depthwise Conv2D (channel multiplier 1), 16 channels per vector. 3x3 and 5x5 at
// horizontal stride 1 or 2 (dilation 1): row sliding — per output row and channel vector the K*K taps'
// weights stay in registers and tiles of 8 (stride 1) or 4 (stride 2) output pixels are computed
// together, each loaded input vector feeding every pixel whose window covers it; interior tiles have
// no bounds checks, border pixels skip the columns outside. Large stride-1 images run the same tiles
// pixel-major (all channels of a tile before the next). Other kernels and dilations: one pixel at a
// time, weights in registers for 3x3/5x5, from L1 otherwise. Channel tails use masked loads/stores
// (never past the row). Sigmoid/tanh/hard-swish run vectorised over each finished output row. Channel
// multipliers > 1: one permute spreads the input channels over the output channels that read them.
#pragma once

#include <cstdint>
#include <type_traits>

#include "tinynn/backends/avx2/depthwise_conv2d.hpp"
#include "tinynn/backends/avx512/math.hpp"
#include "tinynn/backends/scalar/depthwise_conv2d.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/config.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/conv_geometry.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::kernels {

namespace detail {

/// Fused epilogue (leaky, clamp) and masked store of one vector of output channels.
TINYNN_TARGET_AVX512 inline __attribute__((always_inline)) void depthwise_store_avx512(
    __m512 acc, const ops::detail::GemmEpilogue& e, __m512 lo, __m512 hi, __m512 alpha, __mmask16 mask,
    float* dst) noexcept {
  if (e.leaky) {
    const __mmask16 negative = _mm512_cmp_ps_mask(acc, _mm512_setzero_ps(), _CMP_LT_OQ);
    acc = _mm512_mask_mul_ps(acc, negative, acc, alpha);
  }
  acc = _mm512_mask_max_ps(acc, 0xFFFF, acc, lo);
  acc = _mm512_mask_min_ps(acc, 0xFFFF, acc, hi);
  _mm512_mask_storeu_ps(dst, mask, acc);
}

/// K: 3 or 5 (square kernel, weights in registers) or 0 (any size, weights from memory).
template <int K>
TINYNN_TARGET_AVX512 void depthwise_avx512(const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                           const float* input, const float* packed, float* output,
                                           const ops::detail::GemmEpilogue& e) noexcept {
  const std::int64_t kh = K > 0 ? K : s.kernel_h, kw = K > 0 ? K : s.kernel_w;
  const std::int64_t channels = s.in_c;
  const float* bias = packed + kh * kw * channel_stride;
  const __m512 lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi), alpha = _mm512_set1_ps(e.alpha);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      const float* image = input + b * s.in_h * s.in_w * channels;
      float* out_row = output + (b * s.out_h + oy) * s.out_w * channels;
      const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
      for (std::int64_t c0 = 0; c0 < channels; c0 += 16) {
        const std::int64_t rest = channels - c0;
        const __mmask16 mask = rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << rest) - 1u);
        __m512 w[K > 0 ? K * K : 1];
        if constexpr (K > 0) {
#pragma GCC unroll 25
          for (int t = 0; t < K * K; ++t) w[t] = _mm512_loadu_ps(packed + t * channel_stride + c0);
        }
        const __m512 bias_v = _mm512_loadu_ps(bias + c0);
        // Interior pixels (every tap inside the image) skip the bounds checks: [fast_begin, fast_end).
        const bool rows_inside = iy0 >= 0 && iy0 + (kh - 1) * s.dilation_h < s.in_h;
        std::int64_t fast_begin = s.out_w, fast_end = s.out_w;
        if (K > 0 && rows_inside) {
          fast_begin = (s.pad_left + s.stride_w - 1) / s.stride_w;
          const std::int64_t last = s.in_w - 1 - (kw - 1) * s.dilation_w + s.pad_left;
          fast_end = last < 0 ? 0 : last / s.stride_w + 1;
          if (fast_end > s.out_w) fast_end = s.out_w;
          if (fast_begin > fast_end) fast_begin = fast_end;
        }
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          if constexpr (K > 0) {
            // Four interior pixels at once: four independent FMA chains instead of one.
            if (ox >= fast_begin && ox + 4 <= fast_end) {
              __m512 acc4[4] = {bias_v, bias_v, bias_v, bias_v};
              const float* base = image + iy0 * s.in_w * channels + (ox * s.stride_w - s.pad_left) * channels + c0;
              const std::int64_t pixel_step = s.stride_w * channels;
#pragma GCC unroll 5
              for (int ky = 0; ky < K; ++ky) {
#pragma GCC unroll 5
                for (int kx = 0; kx < K; ++kx) {
                  const float* tap = base + (ky * s.dilation_h * s.in_w + kx * s.dilation_w) * channels;
#pragma GCC unroll 4
                  for (int q = 0; q < 4; ++q) {
                    acc4[q] =
                        _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, tap + q * pixel_step), w[ky * K + kx], acc4[q]);
                  }
                }
              }
#pragma GCC unroll 4
              for (int q = 0; q < 4; ++q) {
                depthwise_store_avx512(acc4[q], e, lo, hi, alpha, mask, out_row + (ox + q) * channels + c0);
              }
              ox += 3;
              continue;
            }
          }
          __m512 acc = bias_v;
          if (ox >= fast_begin && ox < fast_end) {
            const float* base = image + iy0 * s.in_w * channels + (ox * s.stride_w - s.pad_left) * channels + c0;
#pragma GCC unroll 5
            for (int ky = 0; ky < (K > 0 ? K : 1); ++ky) {
#pragma GCC unroll 5
              for (int kx = 0; kx < (K > 0 ? K : 1); ++kx) {
                const __m512 x =
                    _mm512_maskz_loadu_ps(mask, base + (ky * s.dilation_h * s.in_w + kx * s.dilation_w) * channels);
                acc = _mm512_fmadd_ps(x, w[K > 0 ? ky * K + kx : 0], acc);
              }
            }
          } else {
            const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
            for (std::int64_t ky = 0; ky < kh; ++ky) {
              const std::int64_t iy = iy0 + ky * s.dilation_h;
              if (iy < 0 || iy >= s.in_h) continue;
              const float* row = image + iy * s.in_w * channels + c0;
              for (std::int64_t kx = 0; kx < kw; ++kx) {
                const std::int64_t ix = ix0 + kx * s.dilation_w;
                if (ix < 0 || ix >= s.in_w) continue;
                const __m512 x = _mm512_maskz_loadu_ps(mask, row + ix * channels);
                const __m512 wv =
                    K > 0 ? w[K > 0 ? ky * K + kx : 0] : _mm512_loadu_ps(packed + (ky * kw + kx) * channel_stride + c0);
                acc = _mm512_fmadd_ps(x, wv, acc);
              }
            }
          }
          depthwise_store_avx512(acc, e, lo, hi, alpha, mask, out_row + ox * channels + c0);
        }
      }
    }
  }
}

/// Sigmoid, tanh or hard-swish over `count` floats (an output row, still in L1): the activations the
/// clamp epilogue cannot do, vectorised (backends/avx512/math.hpp accuracy) instead of a scalar pass.
TINYNN_TARGET_AVX512 inline void depthwise_activation_row_avx512(float* data, std::int64_t count,
                                                                 ops::Activation kind) noexcept {
  namespace m = backend::avx512_impl;
  for (std::int64_t i = 0; i < count; i += 16) {
    const std::int64_t rest = count - i;
    const auto mask = rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << rest) - 1u);
    const __m512 x = _mm512_maskz_loadu_ps(mask, data + i);
    __m512 y;
    if (kind == ops::Activation::sigmoid) {
      y = m::sigmoid(x);
    } else if (kind == ops::Activation::tanh) {
      y = m::tanh(x);
    } else {  // hard-swish: x * clamp(x + 3, 0, 6) / 6
      const __m512 r = m::vmin(m::vmax(_mm512_add_ps(x, m::splat(3.0f)), m::zero()), m::splat(6.0f));
      y = _mm512_div_ps(_mm512_mul_ps(x, r), m::splat(6.0f));
    }
    _mm512_mask_storeu_ps(data + i, mask, y);
  }
}

/// Epilogue constants in registers.
struct DepthwiseEpilogueAvx512 {
  __m512 lo, hi, alpha;
  bool leaky;
};

/// N output pixels (horizontal stride S, dilation 1) of one 16-channel vector, every column of their
/// windows inside the image; kernel rows [ky0, ky1) only (the others fall outside it). Each loaded input
/// vector feeds every output pixel whose window covers it (row sliding: (N-1)*S+K loads per kernel row
/// instead of N*K). `row0` points at kernel row 0, first input column, channel c0 (it may lie outside the
/// image when ky0 > 0; only rows [ky0, ky1) are dereferenced).
template <int K, int S, int N, bool Masked>
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE void depthwise_tile_avx512(const float* image, std::int64_t row0_offset,
                                                                     std::int64_t row_stride, std::int64_t pixel,
                                                                     int ky0, int ky1, const __m512* w, __m512 bias,
                                                                     __mmask16 mask, const DepthwiseEpilogueAvx512& e,
                                                                     float* out) noexcept {
  __m512 acc[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) acc[n] = bias;
#pragma GCC unroll 5
  for (int ky = 0; ky < K; ++ky) {
    if (ky < ky0 || ky >= ky1) continue;
    const float* row = image + (row0_offset + ky * row_stride);
#pragma GCC unroll 64
    for (int j = 0; j < (N - 1) * S + K; ++j) {
      const __m512 x = Masked ? _mm512_maskz_loadu_ps(mask, row + j * pixel) : _mm512_loadu_ps(row + j * pixel);
#pragma GCC unroll 16
      for (int n = 0; n < N; ++n) {
        const int kx = j - n * S;
        if (kx >= 0 && kx < K) acc[n] = _mm512_fmadd_ps(x, w[ky * K + kx], acc[n]);
      }
    }
  }
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    __m512 v = acc[n];
    if (e.leaky) v = _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ), v, e.alpha);
    v = _mm512_mask_min_ps(v, 0xFFFF, _mm512_mask_max_ps(v, 0xFFFF, v, e.lo), e.hi);
    if (Masked) {
      _mm512_mask_storeu_ps(out + n * pixel, mask, v);
    } else {
      _mm512_storeu_ps(out + n * pixel, v);
    }
  }
}

/// One output pixel whose window crosses the left or right border: columns outside are skipped.
template <int K, bool Masked>
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE void depthwise_edge_avx512(const float* image, std::int64_t row0_offset,
                                                                     std::int64_t row_stride, std::int64_t pixel,
                                                                     int ky0, int ky1, std::int64_t ix0,
                                                                     std::int64_t in_w, const __m512* w, __m512 bias,
                                                                     __mmask16 mask, const DepthwiseEpilogueAvx512& e,
                                                                     float* out) noexcept {
  __m512 acc = bias;
#pragma GCC unroll 5
  for (int ky = 0; ky < K; ++ky) {
    if (ky < ky0 || ky >= ky1) continue;
#pragma GCC unroll 5
    for (int kx = 0; kx < K; ++kx) {
      const std::int64_t ix = ix0 + kx;
      if (ix < 0 || ix >= in_w) continue;
      const float* src = image + (row0_offset + ky * row_stride + ix * pixel);
      acc = _mm512_fmadd_ps(Masked ? _mm512_maskz_loadu_ps(mask, src) : _mm512_loadu_ps(src), w[ky * K + kx], acc);
    }
  }
  if (e.leaky) acc = _mm512_mask_mul_ps(acc, _mm512_cmp_ps_mask(acc, _mm512_setzero_ps(), _CMP_LT_OQ), acc, e.alpha);
  acc = _mm512_mask_min_ps(acc, 0xFFFF, _mm512_mask_max_ps(acc, 0xFFFF, acc, e.lo), e.hi);
  _mm512_mask_storeu_ps(out, mask, acc);
}

/// One output row of one 16-channel vector: border pixels, then interior tiles of N pixels, then the
/// interior remainder one pixel at a time, then the right border.
template <int K, int S, bool Masked>
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE void depthwise_row_avx512(
    const ops::detail::ConvShape& s, DepthwiseInterior in, const float* image, std::int64_t iy0, int ky0, int ky1,
    const __m512* w, __m512 bias, __mmask16 mask, const DepthwiseEpilogueAvx512& e, float* out) noexcept {
  constexpr int N = S == 1 ? 8 : 4;
  const std::int64_t pixel = s.in_c, row_stride = s.in_w * s.in_c, row0 = iy0 * row_stride;
  std::int64_t ox = 0;
  for (; ox < in.begin; ++ox) {
    depthwise_edge_avx512<K, Masked>(image, row0, row_stride, pixel, ky0, ky1, ox * S - s.pad_left, s.in_w, w, bias,
                                     mask, e, out + ox * pixel);
  }
  for (; ox + N <= in.end; ox += N) {
    depthwise_tile_avx512<K, S, N, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1, w,
                                           bias, mask, e, out + ox * pixel);
  }
  for (; ox + N / 2 <= in.end; ox += N / 2) {
    depthwise_tile_avx512<K, S, N / 2, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1,
                                               w, bias, mask, e, out + ox * pixel);
  }
  for (; ox < in.end; ++ox) {
    depthwise_tile_avx512<K, S, 1, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1, w,
                                           bias, mask, e, out + ox * pixel);
  }
  for (; ox < s.out_w; ++ox) {
    depthwise_edge_avx512<K, Masked>(image, row0, row_stride, pixel, ky0, ky1, ox * S - s.pad_left, s.in_w, w, bias,
                                     mask, e, out + ox * pixel);
  }
}

/// Pixel-major variant: per tile of N output pixels, every channel vector in turn (weights from L1).
template <int K, int S>
TINYNN_TARGET_AVX512 void depthwise_sliding_pm_avx512(const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                                      const float* input, const float* packed, float* output,
                                                      const ops::detail::GemmEpilogue& g,
                                                      ops::Activation row_pass) noexcept {
  constexpr int N = S == 1 ? 8 : 4;
  const std::int64_t channels = s.in_c;
  const float* bias_row = packed + K * K * channel_stride;
  const DepthwiseEpilogueAvx512 e{_mm512_set1_ps(g.lo), _mm512_set1_ps(g.hi), _mm512_set1_ps(g.alpha), g.leaky};
  const DepthwiseInterior in = depthwise_interior_columns(s);
  const std::int64_t pixel = channels, row_stride = s.in_w * channels;
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* image = input + b * s.in_h * s.in_w * channels;
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
      const int ky0 = iy0 < 0 ? static_cast<int>(-iy0) : 0;
      const int ky1 = iy0 + K > s.in_h ? static_cast<int>(s.in_h - iy0) : K;
      const std::int64_t row0 = iy0 * row_stride;
      float* out_row = output + (b * s.out_h + oy) * s.out_w * channels;
      auto channel_loop = [&](auto n_tag, std::int64_t ox, bool edge) TINYNN_TARGET_AVX512 {
        constexpr int NT = decltype(n_tag)::value;
        for (std::int64_t c0 = 0; c0 < channels; c0 += 16) {
          __m512 w[K * K];
#pragma GCC unroll 25
          for (int t = 0; t < K * K; ++t) w[t] = _mm512_loadu_ps(packed + t * channel_stride + c0);
          const __m512 bias = _mm512_loadu_ps(bias_row + c0);
          const std::int64_t rest = channels - c0;
          const auto mask = rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << rest) - 1u);
          if (edge) {
            depthwise_edge_avx512<K, true>(image + c0, row0, row_stride, pixel, ky0, ky1, ox * S - s.pad_left, s.in_w,
                                           w, bias, mask, e, out_row + ox * pixel + c0);
          } else if (rest >= 16) {
            depthwise_tile_avx512<K, S, NT, false>(image + c0, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel,
                                                   ky0, ky1, w, bias, mask, e, out_row + ox * pixel + c0);
          } else {
            depthwise_tile_avx512<K, S, NT, true>(image + c0, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel,
                                                  ky0, ky1, w, bias, mask, e, out_row + ox * pixel + c0);
          }
        }
      };
      std::int64_t ox = 0;
      for (; ox < in.begin; ++ox) channel_loop(std::integral_constant<int, 1>{}, ox, true);
      for (; ox + N <= in.end; ox += N) channel_loop(std::integral_constant<int, N>{}, ox, false);
      for (; ox + N / 2 <= in.end; ox += N / 2) channel_loop(std::integral_constant<int, N / 2>{}, ox, false);
      for (; ox < in.end; ++ox) channel_loop(std::integral_constant<int, 1>{}, ox, false);
      for (; ox < s.out_w; ++ox) channel_loop(std::integral_constant<int, 1>{}, ox, true);
      if (g.scalar_pass) depthwise_activation_row_avx512(out_row, s.out_w * channels, row_pass);
    }
  }
}

/// K x K (3 or 5), horizontal stride S (1 or 2), dilation 1, any vertical stride and padding: per output
/// row and 16-channel vector the K*K weights stay in registers and the row slides in tiles.
template <int K, int S>
TINYNN_TARGET_AVX512 void depthwise_sliding_avx512(const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                                   const float* input, const float* packed, float* output,
                                                   const ops::detail::GemmEpilogue& g,
                                                   ops::Activation row_pass) noexcept {
  const std::int64_t channels = s.in_c;
  const float* bias_row = packed + K * K * channel_stride;
  const DepthwiseEpilogueAvx512 e{_mm512_set1_ps(g.lo), _mm512_set1_ps(g.hi), _mm512_set1_ps(g.alpha), g.leaky};
  const DepthwiseInterior in = depthwise_interior_columns(s);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* image = input + b * s.in_h * s.in_w * channels;
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
      const int ky0 = iy0 < 0 ? static_cast<int>(-iy0) : 0;
      const int ky1 = iy0 + K > s.in_h ? static_cast<int>(s.in_h - iy0) : K;
      float* out_row = output + (b * s.out_h + oy) * s.out_w * channels;
      for (std::int64_t c0 = 0; c0 < channels; c0 += 16) {
        __m512 w[K * K];
#pragma GCC unroll 25
        for (int t = 0; t < K * K; ++t) w[t] = _mm512_loadu_ps(packed + t * channel_stride + c0);
        const __m512 bias = _mm512_loadu_ps(bias_row + c0);
        const std::int64_t rest = channels - c0;
        if (rest >= 16) {
          depthwise_row_avx512<K, S, false>(s, in, image + c0, iy0, ky0, ky1, w, bias, 0xFFFF, e, out_row + c0);
        } else {
          const auto mask = static_cast<__mmask16>((1u << rest) - 1u);
          depthwise_row_avx512<K, S, true>(s, in, image + c0, iy0, ky0, ky1, w, bias, mask, e, out_row + c0);
        }
      }
      if (g.scalar_pass) depthwise_activation_row_avx512(out_row, s.out_w * channels, row_pass);
    }
  }
}

/// Channel multiplier M > 1: output channel o reads input channel o / M. Per 16 output channels the
/// (at most 16) input channels they read are loaded once per tap and spread with one permute, then one
/// FMA against the 16 weights. Output-channel blocks outermost, so each block's permute index is
/// computed once; any kernel, stride and dilation (bounds checked per tap).
TINYNN_TARGET_AVX512 inline void depthwise_multiplier_avx512(const ops::detail::ConvShape& s,
                                                             std::int64_t channel_stride, const float* input,
                                                             const float* packed, float* output,
                                                             const ops::detail::GemmEpilogue& g) noexcept {
  const std::int64_t multiplier = s.out_c / s.in_c;
  const float* bias_row = packed + s.kernel_h * s.kernel_w * channel_stride;
  const DepthwiseEpilogueAvx512 e{_mm512_set1_ps(g.lo), _mm512_set1_ps(g.hi), _mm512_set1_ps(g.alpha), g.leaky};
  for (std::int64_t o0 = 0; o0 < s.out_c; o0 += 16) {
    const std::int64_t first = o0 / multiplier;
    alignas(64) std::int32_t index[16];
    for (std::int64_t i = 0; i < 16; ++i) {
      const std::int64_t o = o0 + i < s.out_c ? o0 + i : s.out_c - 1;
      index[i] = static_cast<std::int32_t>(o / multiplier - first);
    }
    const __m512i permute = _mm512_load_si512(index);
    const std::int64_t in_rest = s.in_c - first, out_rest = s.out_c - o0;
    const auto in_mask = in_rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << in_rest) - 1u);
    const auto out_mask = out_rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << out_rest) - 1u);
    const __m512 bias = _mm512_loadu_ps(bias_row + o0);
    for (std::int64_t b = 0; b < s.batch; ++b) {
      const float* image = input + b * s.in_h * s.in_w * s.in_c + first;
      for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
        const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
        float* out_row = output + ((b * s.out_h + oy) * s.out_w) * s.out_c + o0;
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
          __m512 acc = bias;
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = iy0 + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            const float* row = image + iy * s.in_w * s.in_c;
            const float* w = packed + ky * s.kernel_w * channel_stride + o0;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ix0 + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const __m512 loaded = _mm512_maskz_loadu_ps(in_mask, row + ix * s.in_c);
              // Merge-masked form: GCC 12 warns (maybe-uninitialized) inside the plain intrinsic.
              const __m512 x = _mm512_mask_permutexvar_ps(loaded, 0xFFFF, permute, loaded);
              acc = _mm512_fmadd_ps(x, _mm512_loadu_ps(w + kx * channel_stride), acc);
            }
          }
          if (e.leaky)
            acc = _mm512_mask_mul_ps(acc, _mm512_cmp_ps_mask(acc, _mm512_setzero_ps(), _CMP_LT_OQ), acc, e.alpha);
          acc = _mm512_mask_min_ps(acc, 0xFFFF, _mm512_mask_max_ps(acc, 0xFFFF, acc, e.lo), e.hi);
          _mm512_mask_storeu_ps(out_row + ox * s.out_c, out_mask, acc);
        }
      }
    }
  }
}

}  // namespace detail

inline void depthwise_conv2d_direct(backend::avx512, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  if (s.out_c != s.in_c) {
    detail::depthwise_multiplier_avx512(s, channel_stride, input, packed, output, e);
    if (e.scalar_pass)
      detail::depthwise_activation_row_avx512(output, s.batch * s.out_h * s.out_w * s.out_c, activation.kind);
    return;
  }
  const bool sliding = s.dilation_w == 1 && s.dilation_h == 1 && (s.stride_w == 1 || s.stride_w == 2) &&
                       s.kernel_h == s.kernel_w && (s.kernel_w == 3 || s.kernel_w == 5);
  if (sliding) {
    // Row-major (one channel vector along a whole row, weights in registers) wins while the rows stay in
    // L2; large stride-1 images (112x112x32: 1.6 MB of input, streamed from L3) run faster pixel-major,
    // whose input reads are contiguous. Measured on MobileNetV2's layers (bench/conv.cpp).
    const bool pixel_major = s.stride_w == 1 && s.in_h * s.in_w * s.in_c > 256 * 1024;
    const int key = static_cast<int>(s.kernel_w) * 10 + static_cast<int>(s.stride_w) + (pixel_major ? 100 : 0);
    const auto k = activation.kind;
    switch (key) {
      case 31: detail::depthwise_sliding_avx512<3, 1>(s, channel_stride, input, packed, output, e, k); break;
      case 32: detail::depthwise_sliding_avx512<3, 2>(s, channel_stride, input, packed, output, e, k); break;
      case 51: detail::depthwise_sliding_avx512<5, 1>(s, channel_stride, input, packed, output, e, k); break;
      case 52: detail::depthwise_sliding_avx512<5, 2>(s, channel_stride, input, packed, output, e, k); break;
      case 131: detail::depthwise_sliding_pm_avx512<3, 1>(s, channel_stride, input, packed, output, e, k); break;
      default: detail::depthwise_sliding_pm_avx512<5, 1>(s, channel_stride, input, packed, output, e, k); break;
    }
    return;
  }
  if (s.kernel_h == 3 && s.kernel_w == 3) {
    detail::depthwise_avx512<3>(s, channel_stride, input, packed, output, e);
  } else if (s.kernel_h == 5 && s.kernel_w == 5) {
    detail::depthwise_avx512<5>(s, channel_stride, input, packed, output, e);
  } else {
    detail::depthwise_avx512<0>(s, channel_stride, input, packed, output, e);
  }
  if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS
