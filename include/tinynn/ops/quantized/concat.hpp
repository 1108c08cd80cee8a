// tinynn — int8/uint8 concatenation along one axis, inputs with their own quantization
// (TFLite's ConcatenationWithScaling): an input whose scale and zero point equal the output's is
// copied; any other is rescaled in float as TFLite does:
//   q' = clamp(round_half_away(q * (s_i / s_out) - z_i * (s_i / s_out)) + z_out)
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/quantized/requantize.hpp"

namespace tinynn::ops::quantized {

template <class T>
struct ConcatInput {
  const T* data = nullptr;
  std::size_t axis_size = 0;  // this input's extent along the axis times the inner size
  float scale = 1.0f;
  std::int32_t zero_point = 0;
};

/// outer = product of the dimensions before the axis; the output's row is the sum of axis_size.
template <class T>
void concatenation(backend::scalar, const ConcatInput<T>* inputs, std::size_t input_count, std::size_t outer,
                   float output_scale, std::int32_t output_zero_point, T* output) noexcept {
  std::size_t row = 0;
  for (std::size_t i = 0; i < input_count; ++i) row += inputs[i].axis_size;
  const float inverse_output_scale = 1.0f / output_scale;
  std::size_t column = 0;
  for (std::size_t i = 0; i < input_count; ++i) {
    const ConcatInput<T>& in = inputs[i];
    const bool same = in.scale == output_scale && in.zero_point == output_zero_point;
    const float scale = in.scale * inverse_output_scale;
    const float bias = -static_cast<float>(in.zero_point) * scale;
    for (std::size_t o = 0; o < outer; ++o) {
      const T* src = in.data + o * in.axis_size;
      T* dst = output + o * row + column;
      if (same) {
        if (in.axis_size) std::memcpy(dst, src, in.axis_size * sizeof(T));
        continue;
      }
      for (std::size_t k = 0; k < in.axis_size; ++k) {
        float rounded = std::round(static_cast<float>(src[k]) * scale + bias);
        rounded = rounded > 1e9f ? 1e9f : (rounded < -1e9f ? -1e9f : (rounded == rounded ? rounded : 0.0f));  // no UB
        const std::int32_t value = static_cast<std::int32_t>(rounded) + output_zero_point;
        dst[k] = static_cast<T>(clamp_i32(value, quantized_min<T>, quantized_max<T>));
      }
    }
    column += in.axis_size;
  }
}

}  // namespace tinynn::ops::quantized
