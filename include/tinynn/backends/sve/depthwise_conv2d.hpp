// tinynn — SVE depthwise Conv2D (ACLE, vector-length agnostic): per output pixel, svcntw() channels
// per predicated vector (the tail is the last predicate, no scalar loop). Channel multipliers > 1: per
// vector of output channels the input channels they read are loaded once per tap and spread over the
// lanes with one TBL (index = output channel / multiplier, by SVE's integer divide).
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

namespace detail {

inline void depthwise_multiplier_sve(const ops::detail::ConvShape& s, std::int64_t channel_stride, const float* input,
                                     const float* packed, float* output, const ops::detail::GemmEpilogue& e) noexcept {
  const std::int64_t multiplier = s.out_c / s.in_c;
  const float* bias_row = packed + s.kernel_h * s.kernel_w * channel_stride;
  const auto lanes = static_cast<std::int64_t>(svcntw());
  const svbool_t all = svptrue_b32();
  for (std::int64_t o0 = 0; o0 < s.out_c; o0 += lanes) {
    const svbool_t pg = svwhilelt_b32(o0, s.out_c);
    const std::int64_t first = o0 / multiplier;
    const svbool_t pg_in = svwhilelt_b32(first, s.in_c);
    // Lanes past out_c index past the loaded inputs: TBL gives 0 there and they are never stored.
    const svuint32_t index = svsub_n_u32_x(
        all, svdiv_n_u32_x(all, svindex_u32(static_cast<std::uint32_t>(o0), 1), static_cast<std::uint32_t>(multiplier)),
        static_cast<std::uint32_t>(first));
    const svfloat32_t bias = svld1_f32(pg, bias_row + o0);
    for (std::int64_t b = 0; b < s.batch; ++b) {
      const float* image = input + b * s.in_h * s.in_w * s.in_c + first;
      for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
        const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
        float* out_row = output + ((b * s.out_h + oy) * s.out_w) * s.out_c + o0;
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
          svfloat32_t acc = bias;
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = iy0 + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            const float* row = image + iy * s.in_w * s.in_c;
            const float* w = packed + ky * s.kernel_w * channel_stride + o0;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ix0 + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const svfloat32_t x = svtbl_f32(svld1_f32(pg_in, row + ix * s.in_c), index);
              acc = svmla_f32_x(pg, acc, x, svld1_f32(pg, w + kx * channel_stride));
            }
          }
          if (e.leaky) acc = svmul_n_f32_m(svcmplt_n_f32(pg, acc, 0.0f), acc, e.alpha);
          acc = svmin_n_f32_x(pg, svmax_n_f32_x(pg, acc, e.lo), e.hi);
          svst1_f32(pg, out_row + ox * s.out_c, acc);
        }
      }
    }
  }
}

}  // namespace detail

inline void depthwise_conv2d_direct(backend::sve, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  if (s.out_c != s.in_c) {
    detail::depthwise_multiplier_sve(s, channel_stride, input, packed, output, e);
    if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
    return;
  }
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
