// tinynn — int8/uint8 max and average pooling, NHWC (TFLite integer semantics; input and output
// share scale and zero point):
//   max: out = clamp(max over the window's in-bounds taps)
//   avg: out = clamp(round_half_away(sum over in-bounds taps / count of in-bounds taps))
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/quantized/requantize.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::quantized {

struct Pool2DParams {
  std::int32_t batch = 1;
  std::int32_t input_height = 0, input_width = 0, channels = 0;
  std::int32_t output_height = 0, output_width = 0;
  std::int32_t kernel_height = 1, kernel_width = 1;
  std::int32_t stride_height = 1, stride_width = 1;
  Padding2D padding{};
  QuantizedRange range{};  // fused activation, in output integers
};

[[nodiscard]] inline Status prepare(const Pool2DParams& p) {
  if (p.batch < 0 || p.input_height <= 0 || p.input_width <= 0 || p.channels <= 0 || p.kernel_height <= 0 ||
      p.kernel_width <= 0 || p.stride_height <= 0 || p.stride_width <= 0 || p.output_height < 0 || p.output_width < 0) {
    return error(ErrorCode::invalid_argument, "quantized pool: non-positive dimension, kernel or stride");
  }
  return {};
}

namespace detail {
template <bool Max, class T>
void pool2d(const Pool2DParams& p, const T* TINYNN_RESTRICT input, T* TINYNN_RESTRICT output) noexcept {
  for (std::int32_t n = 0; n < p.batch; ++n) {
    for (std::int32_t oy = 0; oy < p.output_height; ++oy) {
      for (std::int32_t ox = 0; ox < p.output_width; ++ox) {
        const std::int32_t iy0 = oy * p.stride_height - p.padding.top;
        const std::int32_t ix0 = ox * p.stride_width - p.padding.left;
        const std::int32_t y_begin = iy0 < 0 ? 0 : iy0;
        const std::int32_t y_end = iy0 + p.kernel_height > p.input_height ? p.input_height : iy0 + p.kernel_height;
        const std::int32_t x_begin = ix0 < 0 ? 0 : ix0;
        const std::int32_t x_end = ix0 + p.kernel_width > p.input_width ? p.input_width : ix0 + p.kernel_width;
        T* out = output + ((static_cast<std::size_t>(n) * p.output_height + oy) * p.output_width + ox) * p.channels;
        for (std::int32_t c = 0; c < p.channels; ++c) {
          std::int32_t acc = Max ? quantized_min<T> : 0;
          std::int32_t count = 0;
          for (std::int32_t y = y_begin; y < y_end; ++y) {
            for (std::int32_t x = x_begin; x < x_end; ++x) {
              const auto v = static_cast<std::int32_t>(
                  input[((static_cast<std::size_t>(n) * p.input_height + y) * p.input_width + x) * p.channels + c]);
              if constexpr (Max) {
                acc = v > acc ? v : acc;
              } else {
                acc += v;
              }
              ++count;
            }
          }
          if constexpr (!Max) {
            if (count == 0) {
              acc = 0;
            } else {
              acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
            }
          }
          out[c] = static_cast<T>(clamp_i32(acc, p.range.min, p.range.max));
        }
      }
    }
  }
}
}  // namespace detail

template <class T>
void max_pool2d(backend::scalar, const Pool2DParams& p, const T* input, T* output) noexcept {
  detail::pool2d<true>(p, input, output);
}

template <class T>
void average_pool2d(backend::scalar, const Pool2DParams& p, const T* input, T* output) noexcept {
  detail::pool2d<false>(p, input, output);
}

}  // namespace tinynn::ops::quantized
