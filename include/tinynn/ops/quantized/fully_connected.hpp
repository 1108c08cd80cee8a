// tinynn — int8/uint8 fully connected (TFLite integer semantics):
//   acc[b,o] = bias[o] + sum_k (in[b,k] - in_zp) * (w[o,k] - w_zp);  out = clamp(requantize(acc, M[o]) + out_zp)
// Weights [units, depth] (TFLite's layout). int8 weights symmetric, per-tensor or per-channel M.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/quantized/requantize.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::quantized {

struct FullyConnectedParams {
  std::int32_t batch = 1;  // rows of the input
  std::int32_t depth = 0;  // input features
  std::int32_t units = 0;  // output features
  std::int32_t input_zero_point = 0;
  std::int32_t filter_zero_point = 0;
  OutputStage output{};
};

[[nodiscard]] inline Status prepare(const FullyConnectedParams& p) {
  if (p.batch < 0 || p.depth <= 0 || p.units <= 0) {
    return error(ErrorCode::invalid_argument, "quantized fully connected: batch ", p.batch, ", depth ", p.depth,
                 ", units ", p.units, " (depth and units must be positive)");
  }
  if (p.output.multipliers == nullptr) {
    return error(ErrorCode::invalid_argument, "quantized fully connected: no requantization multipliers");
  }
  return {};
}

template <class T, class W>
void fully_connected(backend::scalar, const FullyConnectedParams& p, const T* TINYNN_RESTRICT input,
                     const W* TINYNN_RESTRICT filter, const std::int32_t* TINYNN_RESTRICT bias,
                     T* TINYNN_RESTRICT output) noexcept {
  for (std::int32_t b = 0; b < p.batch; ++b) {
    const T* in = input + static_cast<std::size_t>(b) * p.depth;
    for (std::int32_t o = 0; o < p.units; ++o) {
      const W* w = filter + static_cast<std::size_t>(o) * p.depth;
      std::int32_t acc = 0;
      for (std::int32_t k = 0; k < p.depth; ++k) {
        acc += (static_cast<std::int32_t>(in[k]) - p.input_zero_point) *
               (static_cast<std::int32_t>(w[k]) - p.filter_zero_point);
      }
      if (bias) acc += bias[o];
      output[static_cast<std::size_t>(b) * p.units + o] =
          static_cast<T>(p.output.apply(acc, static_cast<std::size_t>(o)));
    }
  }
}

}  // namespace tinynn::ops::quantized
