// tinynn — int8/uint8 depthwise 2-D convolution, NHWC, TFLite integer semantics:
//   acc[n,y,x,c*M+m] = bias[c*M+m] + sum_{ky,kx} (in[n, y*s+ky*d-pad, x*s+kx*d-pad, c] - in_zp) * (w[ky,kx,c*M+m] -
//   w_zp) out = clamp(requantize(acc, M[channel]) + out_zp)
// Filter layout [1, KH, KW, C*M] (TFLite's), M = depth multiplier.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/quantized/requantize.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::quantized {

struct DepthwiseConv2DParams {
  std::int32_t batch = 1;
  std::int32_t input_height = 0, input_width = 0, input_channels = 0;
  std::int32_t output_height = 0, output_width = 0;
  std::int32_t depth_multiplier = 1;  // output channels = input_channels * depth_multiplier
  std::int32_t kernel_height = 1, kernel_width = 1;
  std::int32_t stride_height = 1, stride_width = 1;
  std::int32_t dilation_height = 1, dilation_width = 1;
  Padding2D padding{};
  std::int32_t input_zero_point = 0;
  std::int32_t filter_zero_point = 0;
  OutputStage output{};

  [[nodiscard]] constexpr std::int32_t output_channels() const noexcept { return input_channels * depth_multiplier; }
};

[[nodiscard]] inline Status prepare(const DepthwiseConv2DParams& p) {
  if (p.batch < 0 || p.input_height <= 0 || p.input_width <= 0 || p.input_channels <= 0 || p.depth_multiplier <= 0 ||
      p.kernel_height <= 0 || p.kernel_width <= 0 || p.stride_height <= 0 || p.stride_width <= 0 ||
      p.dilation_height <= 0 || p.dilation_width <= 0 || p.output_height < 0 || p.output_width < 0) {
    return error(ErrorCode::invalid_argument,
                 "quantized depthwise conv2d: non-positive dimension, multiplier, kernel, stride or dilation");
  }
  if (p.output.multipliers == nullptr) {
    return error(ErrorCode::invalid_argument, "quantized depthwise conv2d: no requantization multipliers");
  }
  return {};
}

template <class T, class W>
void depthwise_conv2d(backend::scalar, const DepthwiseConv2DParams& p, const T* TINYNN_RESTRICT input,
                      const W* TINYNN_RESTRICT filter, const std::int32_t* TINYNN_RESTRICT bias,
                      T* TINYNN_RESTRICT output) noexcept {
  const std::int32_t in_c = p.input_channels, mult = p.depth_multiplier, out_c = in_c * mult;
  for (std::int32_t n = 0; n < p.batch; ++n) {
    for (std::int32_t oy = 0; oy < p.output_height; ++oy) {
      for (std::int32_t ox = 0; ox < p.output_width; ++ox) {
        const std::int32_t iy0 = oy * p.stride_height - p.padding.top;
        const std::int32_t ix0 = ox * p.stride_width - p.padding.left;
        T* out = output + ((static_cast<std::size_t>(n) * p.output_height + oy) * p.output_width + ox) * out_c;
        for (std::int32_t c = 0; c < in_c; ++c) {
          for (std::int32_t m = 0; m < mult; ++m) {
            const std::int32_t o = c * mult + m;
            std::int32_t acc = 0;
            for (std::int32_t ky = 0; ky < p.kernel_height; ++ky) {
              const std::int32_t iy = iy0 + ky * p.dilation_height;
              if (iy < 0 || iy >= p.input_height) continue;
              for (std::int32_t kx = 0; kx < p.kernel_width; ++kx) {
                const std::int32_t ix = ix0 + kx * p.dilation_width;
                if (ix < 0 || ix >= p.input_width) continue;
                const std::int32_t x = static_cast<std::int32_t>(
                    input[((static_cast<std::size_t>(n) * p.input_height + iy) * p.input_width + ix) * in_c + c]);
                const std::int32_t w =
                    static_cast<std::int32_t>(filter[(static_cast<std::size_t>(ky) * p.kernel_width + kx) * out_c + o]);
                acc += (x - p.input_zero_point) * (w - p.filter_zero_point);
              }
            }
            const std::int64_t total = std::int64_t{acc} + (bias ? bias[o] : 0);
            out[o] = static_cast<T>(p.output.apply(total, static_cast<std::size_t>(o)));
          }
        }
      }
    }
  }
}

}  // namespace tinynn::ops::quantized
