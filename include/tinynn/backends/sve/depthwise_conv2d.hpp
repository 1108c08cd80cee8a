// tinynn — SVE depthwise Conv2D (ACLE, vector-length agnostic; channel multiplier 1): per output
// pixel, svcntw() channels per predicated vector (the tail is the last predicate, no scalar loop).
// Other multipliers fall back to the scalar kernel.
#pragma once

#include <cstdint>

#include "tinynn/backends/neon/depthwise_conv2d.hpp"
#include "tinynn/backends/scalar/depthwise_conv2d.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/conv_geometry.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

#if defined(__ARM_FEATURE_SVE)
#include <arm_sve.h>

namespace tinynn::kernels {

inline void depthwise_conv2d_direct(backend::sve, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  if (s.out_c != s.in_c) {
    depthwise_conv2d_direct(backend::scalar{}, s, channel_stride, input, packed, output, activation);
    return;
  }
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  const std::int64_t channels = s.in_c;
  const float* bias = packed + s.kernel_h * s.kernel_w * channel_stride;
  const auto lanes = static_cast<std::int64_t>(svcntw());
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        float* out = output + ((b * s.out_h + oy) * s.out_w + ox) * channels;
        for (std::int64_t c = 0; c < channels; c += lanes) {
          const svbool_t pg = svwhilelt_b32(c, channels);
          svfloat32_t acc = svld1_f32(pg, bias + c);
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const svfloat32_t x = svld1_f32(pg, input + ((b * s.in_h + iy) * s.in_w + ix) * channels + c);
              const svfloat32_t w = svld1_f32(pg, packed + (ky * s.kernel_w + kx) * channel_stride + c);
              acc = svmla_f32_x(pg, acc, x, w);
            }
          }
          if (e.leaky) acc = svmul_n_f32_m(svcmplt_n_f32(pg, acc, 0.0f), acc, e.alpha);
          acc = svmin_n_f32_x(pg, svmax_n_f32_x(pg, acc, e.lo), e.hi);
          svst1_f32(pg, out + c, acc);
        }
      }
    }
  }
  if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
}

}  // namespace tinynn::kernels

#endif  // __ARM_FEATURE_SVE
