// tinynn — scalar depthwise Conv2D: direct loops, NHWC, channels innermost (vectorisable by the
// compiler), accumulating in the output row itself: no scratch, no heap (the Cortex-M path).
#pragma once

#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/conv_geometry.hpp"

namespace tinynn::kernels {

/// `packed`: [kernel_h*kernel_w][channel_stride] weights then bias[channel_stride]
/// (ops/depthwise_conv2d.hpp); output channel o = c * multiplier + m reads input channel c.
inline void depthwise_conv2d_direct(backend::scalar, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  const std::int64_t multiplier = s.out_c / s.in_c;
  const float* bias = packed + s.kernel_h * s.kernel_w * channel_stride;
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        float* out = output + ((b * s.out_h + oy) * s.out_w + ox) * s.out_c;
        for (std::int64_t o = 0; o < s.out_c; ++o) out[o] = bias[o];
        for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
          const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
          if (iy < 0 || iy >= s.in_h) continue;
          for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
            const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
            if (ix < 0 || ix >= s.in_w) continue;
            const float* src = input + ((b * s.in_h + iy) * s.in_w + ix) * s.in_c;
            const float* w = packed + (ky * s.kernel_w + kx) * channel_stride;
            if (multiplier == 1) {
              for (std::int64_t c = 0; c < s.in_c; ++c) out[c] += src[c] * w[c];
            } else {
              for (std::int64_t c = 0; c < s.in_c; ++c) {
                for (std::int64_t m = 0; m < multiplier; ++m) out[c * multiplier + m] += src[c] * w[c * multiplier + m];
              }
            }
          }
        }
        for (std::int64_t o = 0; o < s.out_c; ++o) out[o] = ops::apply_activation(activation, out[o]);
      }
    }
  }
}

/// Output columns [begin, end) whose whole (dilation-1) window of `kernel_w` columns lies inside the
/// image: the SIMD kernels run them without bounds checks. Empty (begin == end) when there are none.
struct DepthwiseInterior {
  std::int64_t begin = 0, end = 0;
};
[[nodiscard]] constexpr DepthwiseInterior depthwise_interior_columns(const ops::detail::ConvShape& s) noexcept {
  DepthwiseInterior r;
  r.begin = (s.pad_left + s.stride_w - 1) / s.stride_w;
  const std::int64_t last = s.in_w - s.kernel_w + s.pad_left;  // last valid first-tap column, shifted by pad_left
  r.end = last < 0 ? 0 : last / s.stride_w + 1;
  if (r.end > s.out_w) r.end = s.out_w;
  if (r.begin > r.end) r.begin = r.end;
  return r;
}

/// The non-clamp activations (sigmoid, tanh, hard-swish) over a whole output, for SIMD kernels whose
/// epilogue only clamps (ops/detail/gemm_kernel.hpp GemmEpilogue::scalar_pass).
inline void depthwise_activation_pass(const ops::detail::ConvShape& s, float* output,
                                      const ops::ActivationParams& activation) noexcept {
  const std::int64_t count = s.batch * s.out_h * s.out_w * s.out_c;
  for (std::int64_t i = 0; i < count; ++i) output[i] = ops::apply_activation(activation, output[i]);
}

}  // namespace tinynn::kernels
