// tinynn — AVX-512 depthwise Conv2D (channel multiplier 1): one output row at a time, 16 channels per
// vector; for 3x3 and 5x5 the taps' weights stay in registers across the row (9 / 25 zmm), any other
// kernel size reads them from L1. Channel tails use masked loads/stores (never past the row). Other
// multipliers fall back to the scalar kernel.
#pragma once

#include <cstdint>

#include "tinynn/backends/avx2/depthwise_conv2d.hpp"
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

/// Many channels: pixel-major order, channels innermost, so the taps of neighbouring
/// channel vectors share cache lines (the row-major variant re-reads each input line from L2 once
/// per 16-channel block); weights come from L1, four channel vectors per step (four FMA chains).
template <int K>
TINYNN_TARGET_AVX512 void depthwise_avx512_channels_inner(const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                                          const float* input, const float* packed, float* output,
                                                          const ops::detail::GemmEpilogue& e) noexcept {
  const std::int64_t channels = s.in_c;
  const float* bias = packed + K * K * channel_stride;
  const __m512 lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi), alpha = _mm512_set1_ps(e.alpha);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* image = input + b * s.in_h * s.in_w * channels;
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      float* out_row = output + (b * s.out_h + oy) * s.out_w * channels;
      const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
      const bool rows_inside = iy0 >= 0 && iy0 + (K - 1) * s.dilation_h < s.in_h;
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
        const bool inside = rows_inside && ix0 >= 0 && ix0 + (K - 1) * s.dilation_w < s.in_w;
        float* out = out_row + ox * channels;
        if (inside) {
          const float* base = image + (iy0 * s.in_w + ix0) * channels;
          std::int64_t c0 = 0;
          for (; c0 + 64 <= channels; c0 += 64) {
            __m512 acc[4];
#pragma GCC unroll 4
            for (int q = 0; q < 4; ++q) acc[q] = _mm512_loadu_ps(bias + c0 + 16 * q);
#pragma GCC unroll 5
            for (int ky = 0; ky < K; ++ky) {
#pragma GCC unroll 5
              for (int kx = 0; kx < K; ++kx) {
                const float* tap = base + (ky * s.dilation_h * s.in_w + kx * s.dilation_w) * channels + c0;
                const float* w = packed + (ky * K + kx) * channel_stride + c0;
#pragma GCC unroll 4
                for (int q = 0; q < 4; ++q) {
                  acc[q] = _mm512_fmadd_ps(_mm512_loadu_ps(tap + 16 * q), _mm512_loadu_ps(w + 16 * q), acc[q]);
                }
              }
            }
#pragma GCC unroll 4
            for (int q = 0; q < 4; ++q) depthwise_store_avx512(acc[q], e, lo, hi, alpha, 0xFFFF, out + c0 + 16 * q);
          }
          for (; c0 < channels; c0 += 16) {
            const std::int64_t rest = channels - c0;
            const __mmask16 mask = rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << rest) - 1u);
            __m512 acc = _mm512_loadu_ps(bias + c0);
#pragma GCC unroll 5
            for (int ky = 0; ky < K; ++ky) {
#pragma GCC unroll 5
              for (int kx = 0; kx < K; ++kx) {
                const float* tap = base + (ky * s.dilation_h * s.in_w + kx * s.dilation_w) * channels + c0;
                acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, tap),
                                      _mm512_loadu_ps(packed + (ky * K + kx) * channel_stride + c0), acc);
              }
            }
            depthwise_store_avx512(acc, e, lo, hi, alpha, mask, out + c0);
          }
        } else {
          for (std::int64_t c0 = 0; c0 < channels; c0 += 16) {
            const std::int64_t rest = channels - c0;
            const __mmask16 mask = rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << rest) - 1u);
            __m512 acc = _mm512_loadu_ps(bias + c0);
            for (std::int64_t ky = 0; ky < K; ++ky) {
              const std::int64_t iy = iy0 + ky * s.dilation_h;
              if (iy < 0 || iy >= s.in_h) continue;
              for (std::int64_t kx = 0; kx < K; ++kx) {
                const std::int64_t ix = ix0 + kx * s.dilation_w;
                if (ix < 0 || ix >= s.in_w) continue;
                acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, image + (iy * s.in_w + ix) * channels + c0),
                                      _mm512_loadu_ps(packed + (ky * K + kx) * channel_stride + c0), acc);
              }
            }
            depthwise_store_avx512(acc, e, lo, hi, alpha, mask, out + c0);
          }
        }
      }
    }
  }
}

}  // namespace detail

inline void depthwise_conv2d_direct(backend::avx512, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  if (s.out_c != s.in_c) {
    depthwise_conv2d_direct(backend::scalar{}, s, channel_stride, input, packed, output, activation);
    return;
  }
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  // Measured on MobileNetV2's layers: pixel-major wins for wide stride-1 layers (28x28x192: 38 -> 46
  // GFLOP/s), row-major for stride 2 and for tiny images where border pixels dominate (7x7x960).
  const bool many_channels = s.in_c >= 128 && s.stride_w == 1 && s.out_w >= 10;
  if (s.kernel_h == 3 && s.kernel_w == 3 && many_channels) {
    detail::depthwise_avx512_channels_inner<3>(s, channel_stride, input, packed, output, e);
  } else if (s.kernel_h == 5 && s.kernel_w == 5 && many_channels) {
    detail::depthwise_avx512_channels_inner<5>(s, channel_stride, input, packed, output, e);
  } else if (s.kernel_h == 3 && s.kernel_w == 3) {
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
