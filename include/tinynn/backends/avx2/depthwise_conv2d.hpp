// tinynn — AVX2 depthwise Conv2D (channel multiplier 1): one output row at a time, 8 channels per
// vector; for 3x3 the taps' weights stay in registers across the row (9 ymm; 5x5 spills some to the
// stack, i.e. L1), any other kernel size reads them from L1. Channel tails use masked loads/stores (never past the
// row). Other multipliers fall back to the scalar kernel.
#pragma once

#include <cstdint>

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

}  // namespace detail

inline void depthwise_conv2d_direct(backend::avx2, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  if (s.out_c != s.in_c) {
    depthwise_conv2d_direct(backend::scalar{}, s, channel_stride, input, packed, output, activation);
    return;
  }
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
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
