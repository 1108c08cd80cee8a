// tinynn — int8/uint8 elementwise activations through a 256-entry lookup table, the way LiteRT's
// int8 LOGISTIC/TANH kernels (and XNNPACK) compute them:
//   table[q] = clamp(round_half_away(f(s_in * (q - z_in)) / s_out) + z_out)
// Any unary function works (logistic, tanh, hard swish, leaky ReLU, ELU...); the table is built
// once in prepare and run() is one load per element, identical on every backend.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/quantized/requantize.hpp"

namespace tinynn::ops::quantized {

/// 256 output values indexed by the input's byte (q - type_min).
template <class T>
struct LookupTable {
  T values[256] = {};
};

template <class T, class Function>
[[nodiscard]] LookupTable<T> make_lookup_table(float input_scale, std::int32_t input_zero_point, float output_scale,
                                               std::int32_t output_zero_point, Function function) noexcept {
  LookupTable<T> table;
  const float inverse_output_scale = 1.0f / output_scale;
  for (std::int32_t q = quantized_min<T>; q <= quantized_max<T>; ++q) {
    const float real = input_scale * static_cast<float>(q - input_zero_point);
    const float transformed = function(real);
    const float rescaled = std::round(transformed * inverse_output_scale);
    std::int32_t value = quantized_max<T>;
    if (rescaled < 1e9f && rescaled > -1e9f) {
      value = clamp_i32(static_cast<std::int32_t>(rescaled) + output_zero_point, quantized_min<T>, quantized_max<T>);
    } else if (rescaled < 0.0f) {
      value = quantized_min<T>;
    }
    table.values[q - quantized_min<T>] = static_cast<T>(value);
  }
  return table;
}

template <class T>
void lookup(backend::scalar, const LookupTable<T>& table, const T* TINYNN_RESTRICT input, T* TINYNN_RESTRICT output,
            std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    output[i] = table.values[static_cast<std::int32_t>(input[i]) - quantized_min<T>];
  }
}

/// The functions of the standard activations, as TFLite defines them in float.
namespace activation_function {
inline float logistic(float x) noexcept { return 1.0f / (1.0f + std::exp(-x)); }
inline float tanh(float x) noexcept { return std::tanh(x); }
inline float hard_swish(float x) noexcept {
  const float r = x + 3.0f;
  return x * (r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r)) / 6.0f;
}
}  // namespace activation_function

}  // namespace tinynn::ops::quantized
