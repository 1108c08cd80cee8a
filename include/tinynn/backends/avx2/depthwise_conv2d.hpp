// tinynn — AVX2 depthwise Conv2D (channel multiplier 1): one output row at a time, 8 channels per
// vector. 3x3 and 5x5 at horizontal stride 1 or 2 (dilation 1) slide along the row in tiles of
// several output pixels, each loaded input vector feeding every pixel whose window covers it; the 3x3
// taps' weights stay in registers (9 ymm; 5x5 reads some from L1). Other kernels and dilations use a
// per-pixel loop. Channel tails use masked loads/stores (never past the row). Channel multipliers > 1:
// one permute spreads the input channels over the output channels that read them.
#pragma once

#include <cstdint>

#include "tinynn/backends/avx2/math.hpp"
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

/// K: 3 or 5 (square kernel, weights in registers) or 0 (any size, weights from memory).
template <int K>
TINYNN_TARGET_AVX2 void depthwise_avx2(const ops::detail::ConvShape& s, std::int64_t channel_stride, const float* input,
                                       const float* packed, float* output,
                                       const ops::detail::GemmEpilogue& e) noexcept {
  const std::int64_t kh = K > 0 ? K : s.kernel_h, kw = K > 0 ? K : s.kernel_w;
  const std::int64_t channels = s.in_c;
  const float* bias = packed + kh * kw * channel_stride;
  const __m256 lo = _mm256_set1_ps(e.lo), hi = _mm256_set1_ps(e.hi), alpha = _mm256_set1_ps(e.alpha);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      const float* image = input + b * s.in_h * s.in_w * channels;
      float* out_row = output + (b * s.out_h + oy) * s.out_w * channels;
      const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
      for (std::int64_t c0 = 0; c0 < channels; c0 += 8) {
        const std::int64_t rest = channels - c0;
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rest < 8 ? rest : 8)),
                                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 w[K > 0 ? K * K : 1];
        if constexpr (K > 0) {
#pragma GCC unroll 25
          for (int t = 0; t < K * K; ++t) w[t] = _mm256_loadu_ps(packed + t * channel_stride + c0);
        }
        const __m256 bias_v = _mm256_loadu_ps(bias + c0);
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
          __m256 acc = bias_v;
          if (ox >= fast_begin && ox < fast_end) {
            const float* base = image + iy0 * s.in_w * channels + (ox * s.stride_w - s.pad_left) * channels + c0;
#pragma GCC unroll 5
            for (int ky = 0; ky < (K > 0 ? K : 1); ++ky) {
#pragma GCC unroll 5
              for (int kx = 0; kx < (K > 0 ? K : 1); ++kx) {
                const __m256 x =
                    _mm256_maskload_ps(base + (ky * s.dilation_h * s.in_w + kx * s.dilation_w) * channels, mask);
                acc = _mm256_fmadd_ps(x, w[K > 0 ? ky * K + kx : 0], acc);
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
                const __m256 x = _mm256_maskload_ps(row + ix * channels, mask);
                const __m256 wv =
                    K > 0 ? w[K > 0 ? ky * K + kx : 0] : _mm256_loadu_ps(packed + (ky * kw + kx) * channel_stride + c0);
                acc = _mm256_fmadd_ps(x, wv, acc);
              }
            }
          }
          if (e.leaky) {
            const __m256 negative = _mm256_cmp_ps(acc, _mm256_setzero_ps(), _CMP_LT_OQ);
            acc = _mm256_blendv_ps(acc, _mm256_mul_ps(acc, alpha), negative);
          }
          acc = _mm256_min_ps(_mm256_max_ps(acc, lo), hi);
          _mm256_maskstore_ps(out_row + ox * channels + c0, mask, acc);
        }
      }
    }
  }
}

/// Sigmoid, tanh or hard-swish over an output row (still in L1), vectorised (backends/avx2/math.hpp).
TINYNN_TARGET_AVX2 inline void depthwise_activation_row_avx2(float* data, std::int64_t count,
                                                             ops::Activation kind) noexcept {
  namespace m = backend::avx2_impl;
  for (std::int64_t i = 0; i < count; i += 8) {
    const std::int64_t rest = count - i;
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rest < 8 ? rest : 8)),
                                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256 x = _mm256_maskload_ps(data + i, mask);
    __m256 y;
    if (kind == ops::Activation::sigmoid) {
      y = m::sigmoid(x);
    } else if (kind == ops::Activation::tanh) {
      y = m::tanh(x);
    } else {  // hard-swish: x * clamp(x + 3, 0, 6) / 6
      const __m256 r = m::vmin(m::vmax(_mm256_add_ps(x, m::splat(3.0f)), m::zero()), m::splat(6.0f));
      y = _mm256_div_ps(_mm256_mul_ps(x, r), m::splat(6.0f));
    }
    _mm256_maskstore_ps(data + i, mask, y);
  }
}

struct DepthwiseEpilogueAvx2 {
  __m256 lo, hi, alpha;
  bool leaky;
};

template <bool Masked>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE __m256 depthwise_load_avx2(const float* p, __m256i mask) noexcept {
  return Masked ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p);
}

template <bool Masked>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE void depthwise_store_avx2(__m256 v, const DepthwiseEpilogueAvx2& e,
                                                                  __m256i mask, float* out) noexcept {
  if (e.leaky) v = _mm256_blendv_ps(v, _mm256_mul_ps(v, e.alpha), _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
  v = _mm256_min_ps(_mm256_max_ps(v, e.lo), e.hi);
  if (Masked) {
    _mm256_maskstore_ps(out, mask, v);
  } else {
    _mm256_storeu_ps(out, v);
  }
}

/// N output pixels (horizontal stride S, dilation 1) of one 8-channel vector whose window columns are
/// all inside the image, kernel rows [ky0, ky1) only: row sliding as in the AVX-512 kernel.
template <int K, int S, int N, bool Masked>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE void depthwise_tile_avx2(const float* image, std::int64_t row0_offset,
                                                                 std::int64_t row_stride, std::int64_t pixel, int ky0,
                                                                 int ky1, const __m256* w, __m256 bias, __m256i mask,
                                                                 const DepthwiseEpilogueAvx2& e, float* out) noexcept {
  __m256 acc[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) acc[n] = bias;
#pragma GCC unroll 5
  for (int ky = 0; ky < K; ++ky) {
    if (ky < ky0 || ky >= ky1) continue;
    const float* row = image + (row0_offset + ky * row_stride);
#pragma GCC unroll 64
    for (int j = 0; j < (N - 1) * S + K; ++j) {
      const __m256 x = depthwise_load_avx2<Masked>(row + j * pixel, mask);
#pragma GCC unroll 16
      for (int n = 0; n < N; ++n) {
        const int kx = j - n * S;
        if (kx >= 0 && kx < K) acc[n] = _mm256_fmadd_ps(x, w[ky * K + kx], acc[n]);
      }
    }
  }
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) depthwise_store_avx2<Masked>(acc[n], e, mask, out + n * pixel);
}

/// One output pixel whose window crosses the left or right border.
template <int K, bool Masked>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE void depthwise_edge_avx2(const float* image, std::int64_t row0_offset,
                                                                 std::int64_t row_stride, std::int64_t pixel, int ky0,
                                                                 int ky1, std::int64_t ix0, std::int64_t in_w,
                                                                 const __m256* w, __m256 bias, __m256i mask,
                                                                 const DepthwiseEpilogueAvx2& e, float* out) noexcept {
  __m256 acc = bias;
#pragma GCC unroll 5
  for (int ky = 0; ky < K; ++ky) {
    if (ky < ky0 || ky >= ky1) continue;
#pragma GCC unroll 5
    for (int kx = 0; kx < K; ++kx) {
      const std::int64_t ix = ix0 + kx;
      if (ix < 0 || ix >= in_w) continue;
      const float* src = image + (row0_offset + ky * row_stride + ix * pixel);
      acc = _mm256_fmadd_ps(depthwise_load_avx2<Masked>(src, mask), w[ky * K + kx], acc);
    }
  }
  depthwise_store_avx2<Masked>(acc, e, mask, out);
}

template <int K, int S, bool Masked>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE void depthwise_row_avx2(const ops::detail::ConvShape& s, DepthwiseInterior in,
                                                                const float* image, std::int64_t iy0, int ky0, int ky1,
                                                                const __m256* w, __m256 bias, __m256i mask,
                                                                const DepthwiseEpilogueAvx2& e, float* out) noexcept {
  constexpr int N = 4;
  const std::int64_t pixel = s.in_c, row_stride = s.in_w * s.in_c, row0 = iy0 * row_stride;
  std::int64_t ox = 0;
  for (; ox < in.begin; ++ox) {
    depthwise_edge_avx2<K, Masked>(image, row0, row_stride, pixel, ky0, ky1, ox * S - s.pad_left, s.in_w, w, bias, mask,
                                   e, out + ox * pixel);
  }
  for (; ox + N <= in.end; ox += N) {
    depthwise_tile_avx2<K, S, N, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1, w,
                                         bias, mask, e, out + ox * pixel);
  }
  for (; ox + N / 2 <= in.end; ox += N / 2) {
    depthwise_tile_avx2<K, S, N / 2, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1,
                                             w, bias, mask, e, out + ox * pixel);
  }
  for (; ox < in.end; ++ox) {
    depthwise_tile_avx2<K, S, 1, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1, w,
                                         bias, mask, e, out + ox * pixel);
  }
  for (; ox < s.out_w; ++ox) {
    depthwise_edge_avx2<K, Masked>(image, row0, row_stride, pixel, ky0, ky1, ox * S - s.pad_left, s.in_w, w, bias, mask,
                                   e, out + ox * pixel);
  }
}

/// K x K (3 or 5), horizontal stride S (1 or 2), dilation 1: per output row and 8-channel vector.
template <int K, int S>
TINYNN_TARGET_AVX2 void depthwise_sliding_avx2(const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                               const float* input, const float* packed, float* output,
                                               const ops::detail::GemmEpilogue& g, ops::Activation row_pass) noexcept {
  const std::int64_t channels = s.in_c;
  const float* bias_row = packed + K * K * channel_stride;
  const DepthwiseEpilogueAvx2 e{_mm256_set1_ps(g.lo), _mm256_set1_ps(g.hi), _mm256_set1_ps(g.alpha), g.leaky};
  const DepthwiseInterior in = depthwise_interior_columns(s);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* image = input + b * s.in_h * s.in_w * channels;
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
      const int ky0 = iy0 < 0 ? static_cast<int>(-iy0) : 0;
      const int ky1 = iy0 + K > s.in_h ? static_cast<int>(s.in_h - iy0) : K;
      float* out_row = output + (b * s.out_h + oy) * s.out_w * channels;
      for (std::int64_t c0 = 0; c0 < channels; c0 += 8) {
        __m256 w[K * K];
#pragma GCC unroll 25
        for (int t = 0; t < K * K; ++t) w[t] = _mm256_loadu_ps(packed + t * channel_stride + c0);
        const __m256 bias = _mm256_loadu_ps(bias_row + c0);
        const std::int64_t rest = channels - c0;
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rest < 8 ? rest : 8)),
                                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        if (rest >= 8) {
          depthwise_row_avx2<K, S, false>(s, in, image + c0, iy0, ky0, ky1, w, bias, mask, e, out_row + c0);
        } else {
          depthwise_row_avx2<K, S, true>(s, in, image + c0, iy0, ky0, ky1, w, bias, mask, e, out_row + c0);
        }
      }
      if (g.scalar_pass) depthwise_activation_row_avx2(out_row, s.out_w * channels, row_pass);
    }
  }
}

/// Channel multiplier M > 1 (output channel o reads input channel o / M): per 8 output channels the
/// input channels they read are loaded once per tap and spread with one permute (as in AVX-512).
TINYNN_TARGET_AVX2 inline void depthwise_multiplier_avx2(const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                                         const float* input, const float* packed, float* output,
                                                         const ops::detail::GemmEpilogue& g) noexcept {
  const std::int64_t multiplier = s.out_c / s.in_c;
  const float* bias_row = packed + s.kernel_h * s.kernel_w * channel_stride;
  const DepthwiseEpilogueAvx2 e{_mm256_set1_ps(g.lo), _mm256_set1_ps(g.hi), _mm256_set1_ps(g.alpha), g.leaky};
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (std::int64_t o0 = 0; o0 < s.out_c; o0 += 8) {
    const std::int64_t first = o0 / multiplier;
    alignas(32) std::int32_t index[8];
    for (std::int64_t i = 0; i < 8; ++i) {
      const std::int64_t o = o0 + i < s.out_c ? o0 + i : s.out_c - 1;
      index[i] = static_cast<std::int32_t>(o / multiplier - first);
    }
    const __m256i permute = _mm256_load_si256(reinterpret_cast<const __m256i*>(index));
    const std::int64_t in_rest = s.in_c - first, out_rest = s.out_c - o0;
    const __m256i in_mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(in_rest < 8 ? in_rest : 8)), lane);
    const __m256i out_mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(out_rest < 8 ? out_rest : 8)), lane);
    const __m256 bias = _mm256_loadu_ps(bias_row + o0);
    for (std::int64_t b = 0; b < s.batch; ++b) {
      const float* image = input + b * s.in_h * s.in_w * s.in_c + first;
      for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
        const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
        float* out_row = output + ((b * s.out_h + oy) * s.out_w) * s.out_c + o0;
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
          __m256 acc = bias;
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = iy0 + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            const float* row = image + iy * s.in_w * s.in_c;
            const float* w = packed + ky * s.kernel_w * channel_stride + o0;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ix0 + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const __m256 x = _mm256_permutevar8x32_ps(_mm256_maskload_ps(row + ix * s.in_c, in_mask), permute);
              acc = _mm256_fmadd_ps(x, _mm256_loadu_ps(w + kx * channel_stride), acc);
            }
          }
          depthwise_store_avx2<true>(acc, e, out_mask, out_row + ox * s.out_c);
        }
      }
    }
  }
}

}  // namespace detail

inline void depthwise_conv2d_direct(backend::avx2, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  if (s.out_c != s.in_c) {
    detail::depthwise_multiplier_avx2(s, channel_stride, input, packed, output, e);
    if (e.scalar_pass)
      detail::depthwise_activation_row_avx2(output, s.batch * s.out_h * s.out_w * s.out_c, activation.kind);
    return;
  }
  const bool sliding = s.dilation_w == 1 && s.dilation_h == 1 && (s.stride_w == 1 || s.stride_w == 2) &&
                       s.kernel_h == s.kernel_w && (s.kernel_w == 3 || s.kernel_w == 5);
  if (sliding) {
    const auto k = activation.kind;
    switch (static_cast<int>(s.kernel_w) * 10 + static_cast<int>(s.stride_w)) {
      case 31: detail::depthwise_sliding_avx2<3, 1>(s, channel_stride, input, packed, output, e, k); break;
      case 32: detail::depthwise_sliding_avx2<3, 2>(s, channel_stride, input, packed, output, e, k); break;
      case 51: detail::depthwise_sliding_avx2<5, 1>(s, channel_stride, input, packed, output, e, k); break;
      default: detail::depthwise_sliding_avx2<5, 2>(s, channel_stride, input, packed, output, e, k); break;
    }
    return;
  }
  if (s.kernel_h == 3 && s.kernel_w == 3) {
    detail::depthwise_avx2<3>(s, channel_stride, input, packed, output, e);
  } else if (s.kernel_h == 5 && s.kernel_w == 5) {
    detail::depthwise_avx2<5>(s, channel_stride, input, packed, output, e);
  } else {
    detail::depthwise_avx2<0>(s, channel_stride, input, packed, output, e);
  }
  if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS
