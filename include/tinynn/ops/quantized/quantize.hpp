// tinynn — conversions between float and quantized tensors, and between quantizations
// (TFLite's QUANTIZE / DEQUANTIZE semantics):
//   quantize:   q = clamp(round_half_away(x / s) + z)          (float division, as TFLite)
//   dequantize: x = float(double(s) * (q - z))
//   requantize: q' = clamp(requantize(q - z, s / s') + z')     (fixed-point multiplier)
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/quantized/requantize.hpp"

namespace tinynn::ops::quantized {

template <class T>
void quantize(backend::scalar, const float* TINYNN_RESTRICT input, T* TINYNN_RESTRICT output, std::size_t count,
              float scale, std::int32_t zero_point) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    const float q = std::round(input[i] / scale);
    std::int32_t value = 0;
    if (q >= 2147483647.0f) {
      value = quantized_max<T>;
    } else if (q <= -2147483648.0f || std::isnan(q)) {
      value = q != q ? zero_point : quantized_min<T>;
    } else {
      const std::int64_t wide = static_cast<std::int64_t>(q) + zero_point;
      value = wide > quantized_max<T> ? quantized_max<T>
                                      : (wide < quantized_min<T> ? quantized_min<T> : static_cast<std::int32_t>(wide));
    }
    output[i] = static_cast<T>(clamp_i32(value, quantized_min<T>, quantized_max<T>));
  }
}

template <class T>
void dequantize(backend::scalar, const T* TINYNN_RESTRICT input, float* TINYNN_RESTRICT output, std::size_t count,
                float scale, std::int32_t zero_point) noexcept {
  const double s = static_cast<double>(scale);
  for (std::size_t i = 0; i < count; ++i) {
    output[i] = static_cast<float>(s * static_cast<double>(static_cast<std::int32_t>(input[i]) - zero_point));
  }
}

struct RequantizeParams {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  QuantizedMultiplier multiplier{};  // input_scale / output_scale
  Rounding rounding = Rounding::double_rounding;
};

[[nodiscard]] constexpr RequantizeParams requantize_params(double input_scale, std::int32_t input_zero_point,
                                                           double output_scale, std::int32_t output_zero_point,
                                                           Rounding rounding = Rounding::double_rounding) noexcept {
  return {input_zero_point, output_zero_point, quantize_multiplier(input_scale / output_scale, rounding), rounding};
}

/// In and Out may differ (int8 <-> uint8, as TFLite's QUANTIZE between integer types).
template <class In, class Out>
void requantize(backend::scalar, const RequantizeParams& p, const In* input, Out* output, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    const std::int32_t x = static_cast<std::int32_t>(input[i]) - p.input_zero_point;
    const std::int32_t y = multiply_by_quantized_multiplier(x, p.multiplier, p.rounding) + p.output_zero_point;
    output[i] = static_cast<Out>(clamp_i32(y, quantized_min<Out>, quantized_max<Out>));
  }
}

}  // namespace tinynn::ops::quantized
