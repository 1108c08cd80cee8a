// tinynn — NEON depthwise Conv2D (AArch64, xsimd batch<float, neon64>; channel multiplier 1): per
// output pixel, 4 channels per vector over the valid taps, the channel tail in scalar code with the
// same epilogue. Other multipliers fall back to the scalar kernel.
#pragma once

#include <cstdint>

#include "tinynn/backends/scalar/depthwise_conv2d.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/conv_geometry.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

#if defined(__ARM_NEON) && defined(__aarch64__)
#include <xsimd/xsimd.hpp>

namespace tinynn::kernels {

inline void depthwise_conv2d_direct(backend::neon, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  if (s.out_c != s.in_c) {
    depthwise_conv2d_direct(backend::scalar{}, s, channel_stride, input, packed, output, activation);
    return;
  }
  using batch = xsimd::batch<float, xsimd::neon64>;
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
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
