// tinynn — constant padding of an 8-bit quantized tensor (TFLite PAD / PADV2): the padded border
// holds the output zero point (PAD: real 0.0) or the quantized constant (PADV2).
//   out[i] = in[i - before] inside, pad_value outside
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinynn/backends/tags.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::quantized {

inline constexpr std::size_t max_pad_rank = 6;

struct PadParams {
  std::size_t rank = 0;
  std::int64_t input_dims[max_pad_rank] = {};
  std::int64_t before[max_pad_rank] = {};
  std::int64_t after[max_pad_rank] = {};

  [[nodiscard]] constexpr std::int64_t output_dim(std::size_t d) const noexcept {
    return input_dims[d] + before[d] + after[d];
  }
};

[[nodiscard]] inline Status prepare(const PadParams& p) {
  if (p.rank == 0 || p.rank > max_pad_rank) {
    return error(ErrorCode::unsupported, "quantized pad: rank ", p.rank, " (at most ", max_pad_rank, ")");
  }
  for (std::size_t d = 0; d < p.rank; ++d) {
    if (p.before[d] < 0 || p.after[d] < 0 || p.input_dims[d] < 0) {
      return error(ErrorCode::invalid_argument, "quantized pad: dimension ", d, " has negative size or padding (",
                   p.input_dims[d], ", ", p.before[d], ", ", p.after[d], ")");
    }
  }
  return {};
}

/// Works for any 1-byte element type (int8, uint8).
template <class T>
void pad(backend::scalar, const PadParams& p, const T* TINYNN_RESTRICT input, T pad_value,
         T* TINYNN_RESTRICT output) noexcept {
  std::size_t total = 1;
  for (std::size_t d = 0; d < p.rank; ++d) total *= static_cast<std::size_t>(p.output_dim(d));
  for (std::size_t i = 0; i < total; ++i) output[i] = pad_value;
  // Copy the input row by row (rows along the last dimension).
  const std::size_t last = p.rank - 1;
  const auto row = static_cast<std::size_t>(p.input_dims[last]);
  std::size_t rows = 1;
  for (std::size_t d = 0; d < last; ++d) rows *= static_cast<std::size_t>(p.input_dims[d]);
  if (row == 0) return;
  std::size_t index[max_pad_rank] = {};
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t offset = 0;
    for (std::size_t d = 0; d < p.rank; ++d) {
      const std::size_t i = d == last ? 0 : index[d];
      offset = offset * static_cast<std::size_t>(p.output_dim(d)) + i + static_cast<std::size_t>(p.before[d]);
    }
    std::memcpy(output + offset, input + r * row, row * sizeof(T));
    for (std::size_t d = last; d-- > 0;) {
      if (++index[d] < static_cast<std::size_t>(p.input_dims[d])) break;
      index[d] = 0;
    }
  }
}

}  // namespace tinynn::ops::quantized
