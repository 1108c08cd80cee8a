// tinynn — int8/uint8 mean over a set of axes (TFLite's integer MEAN):
//   acc = sum over the reduced elements of (q - z_in)
//   out = clamp(round_half_away(requantize(acc, s_in / s_out) / count) + z_out)
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/quantized/requantize.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::quantized {

inline constexpr std::size_t max_reduce_rank = 6;

struct MeanParams {
  std::size_t rank = 0;
  std::int64_t input_dims[max_reduce_rank] = {};
  bool reduce[max_reduce_rank] = {};
  std::int32_t input_zero_point = 0, output_zero_point = 0;
  QuantizedMultiplier multiplier{};  // input_scale / output_scale
  Rounding rounding = Rounding::double_rounding;
  QuantizedRange range{};
};

[[nodiscard]] inline Status prepare(const MeanParams& p) {
  if (p.rank == 0 || p.rank > max_reduce_rank) {
    return error(ErrorCode::unsupported, "quantized mean: rank ", p.rank, " (at most ", max_reduce_rank, ")");
  }
  std::int64_t count = 1;
  for (std::size_t d = 0; d < p.rank; ++d) {
    if (p.input_dims[d] <= 0) return error(ErrorCode::invalid_argument, "quantized mean: empty dimension ", d);
    if (p.reduce[d]) count *= p.input_dims[d];
  }
  if (count > (std::int64_t{1} << 23)) {
    return error(ErrorCode::unsupported, "quantized mean: ", count, " reduced elements overflow the int32 accumulator");
  }
  return {};
}

/// Output is laid out as the input with every reduced dimension of size 1 (keep_dims or not).
template <class T>
void mean(backend::scalar, const MeanParams& p, const T* TINYNN_RESTRICT input, T* TINYNN_RESTRICT output) noexcept {
  std::size_t stride[max_reduce_rank] = {};
  std::size_t running = 1;
  for (std::size_t d = p.rank; d-- > 0;) {
    stride[d] = running;
    running *= static_cast<std::size_t>(p.input_dims[d]);
  }
  std::size_t outputs = 1, count = 1;
  for (std::size_t d = 0; d < p.rank; ++d) {
    (p.reduce[d] ? count : outputs) *= static_cast<std::size_t>(p.input_dims[d]);
  }
  const auto n = static_cast<std::int32_t>(count);
  std::size_t kept[max_reduce_rank] = {};
  for (std::size_t o = 0; o < outputs; ++o) {
    std::size_t base = 0;
    for (std::size_t d = 0; d < p.rank; ++d) base += p.reduce[d] ? 0 : kept[d] * stride[d];
    std::size_t reduced[max_reduce_rank] = {};
    std::int32_t acc = 0;
    for (std::size_t r = 0; r < count; ++r) {
      std::size_t offset = base;
      for (std::size_t d = 0; d < p.rank; ++d) offset += p.reduce[d] ? reduced[d] * stride[d] : 0;
      acc += static_cast<std::int32_t>(input[offset]) - p.input_zero_point;
      for (std::size_t d = p.rank; d-- > 0;) {
        if (!p.reduce[d]) continue;
        if (++reduced[d] < static_cast<std::size_t>(p.input_dims[d])) break;
        reduced[d] = 0;
      }
    }
    acc = multiply_by_quantized_multiplier(acc, p.multiplier, p.rounding);
    acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
    output[o] = static_cast<T>(clamp_i32(acc + p.output_zero_point, p.range.min, p.range.max));
    for (std::size_t d = p.rank; d-- > 0;) {
      if (p.reduce[d]) continue;
      if (++kept[d] < static_cast<std::size_t>(p.input_dims[d])) break;
      kept[d] = 0;
    }
  }
}

}  // namespace tinynn::ops::quantized
