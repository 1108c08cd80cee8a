// tinynn — NEON depthwise Conv2D (AArch64, xsimd batch<float, neon64>): per output pixel, 4 channels
// per vector over the valid taps, the channel tail in scalar code with the same epilogue. Channel
// multipliers > 1: per 4 output channels the input channels they read are loaded once per tap and
// spread over the lanes with one table lookup (TBL).
#pragma once

#include <cstdint>

#include "tinynn/backends/scalar/depthwise_conv2d.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/conv_geometry.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

#if defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>

#include <xsimd/xsimd.hpp>

namespace tinynn::kernels {

namespace detail {

/// Channel multiplier M > 1: output channel o reads input channel o / M. Output-channel blocks of 4
/// outermost (each block's byte table computed once); tails go through a 4-float stack buffer.
inline void depthwise_multiplier_neon(const ops::detail::ConvShape& s, std::int64_t channel_stride, const float* input,
                                      const float* packed, float* output, const ops::detail::GemmEpilogue& e) noexcept {
  const std::int64_t multiplier = s.out_c / s.in_c;
  const float* bias_row = packed + s.kernel_h * s.kernel_w * channel_stride;
  const float32x4_t lo = vdupq_n_f32(e.lo), hi = vdupq_n_f32(e.hi), alpha = vdupq_n_f32(e.alpha);
  for (std::int64_t o0 = 0; o0 < s.out_c; o0 += 4) {
    const std::int64_t first = o0 / multiplier;
    std::uint8_t bytes[16];
    for (std::int64_t i = 0; i < 4; ++i) {
      const std::int64_t o = o0 + i < s.out_c ? o0 + i : s.out_c - 1;
      for (std::int64_t j = 0; j < 4; ++j)
        bytes[4 * i + j] = static_cast<std::uint8_t>(4 * (o / multiplier - first) + j);
    }
    const uint8x16_t table = vld1q_u8(bytes);
    const std::int64_t in_rest = s.in_c - first, out_rest = s.out_c - o0;
    const float32x4_t bias = vld1q_f32(bias_row + o0);  // rows are padded to 16 floats
    for (std::int64_t b = 0; b < s.batch; ++b) {
      const float* image = input + b * s.in_h * s.in_w * s.in_c + first;
      for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
        const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
        float* out_row = output + ((b * s.out_h + oy) * s.out_w) * s.out_c + o0;
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
          float32x4_t acc = bias;
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = iy0 + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            const float* row = image + iy * s.in_w * s.in_c;
            const float* w = packed + ky * s.kernel_w * channel_stride + o0;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ix0 + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const float* src = row + ix * s.in_c;
              float32x4_t x;
              if (in_rest >= 4) {
                x = vld1q_f32(src);
              } else {
                float tail[4] = {0.0f, 0.0f, 0.0f, 0.0f};
                for (std::int64_t i = 0; i < in_rest; ++i) tail[i] = src[i];
                x = vld1q_f32(tail);
              }
              x = vreinterpretq_f32_u8(vqtbl1q_u8(vreinterpretq_u8_f32(x), table));
              acc = vfmaq_f32(acc, x, vld1q_f32(w + kx * channel_stride));
            }
          }
          if (e.leaky) acc = vbslq_f32(vcltzq_f32(acc), vmulq_f32(acc, alpha), acc);
          acc = vminq_f32(vmaxq_f32(acc, lo), hi);
          float* dst = out_row + ox * s.out_c;
          if (out_rest >= 4) {
            vst1q_f32(dst, acc);
          } else {
            float tail[4];
            vst1q_f32(tail, acc);
            for (std::int64_t i = 0; i < out_rest; ++i) dst[i] = tail[i];
          }
        }
      }
    }
  }
}

}  // namespace detail

inline void depthwise_conv2d_direct(backend::neon, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  using batch = xsimd::batch<float, xsimd::neon64>;
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  if (s.out_c != s.in_c) {
    detail::depthwise_multiplier_neon(s, channel_stride, input, packed, output, e);
    if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
    return;
  }
  const std::int64_t channels = s.in_c;
  const float* bias = packed + s.kernel_h * s.kernel_w * channel_stride;
  const batch lo(e.lo), hi(e.hi), alpha(e.alpha), zero(0.0f);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        float* out = output + ((b * s.out_h + oy) * s.out_w + ox) * channels;
        std::int64_t c = 0;
        for (; c + 4 <= channels; c += 4) {
          batch acc = batch::load_unaligned(bias + c);
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const batch x = batch::load_unaligned(input + ((b * s.in_h + iy) * s.in_w + ix) * channels + c);
              acc = xsimd::fma(x, batch::load_unaligned(packed + (ky * s.kernel_w + kx) * channel_stride + c), acc);
            }
          }
          if (e.leaky) acc = xsimd::select(acc < zero, acc * alpha, acc);
          xsimd::min(xsimd::max(acc, lo), hi).store_unaligned(out + c);
        }
        for (; c < channels; ++c) {
          float acc = bias[c];
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              acc += input[((b * s.in_h + iy) * s.in_w + ix) * channels + c] *
                     packed[(ky * s.kernel_w + kx) * channel_stride + c];
            }
          }
          if (e.leaky) acc = acc < 0.0f ? acc * e.alpha : acc;
          out[c] = acc < e.lo ? e.lo : (acc > e.hi ? e.hi : acc);
        }
      }
    }
  }
  if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
}

}  // namespace tinynn::kernels

#endif  // __ARM_NEON && __aarch64__
