// tinynn — int8/uint8 fully connected (TFLite integer semantics):
//   acc[b,o] = bias[o] + sum_k (in[b,k] - in_zp) * (w[o,k] - w_zp);  out = clamp(requantize(acc, M[o]) + out_zp)
// Weights [units, depth] (TFLite's layout). int8 weights symmetric, per-tensor or per-channel M.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/quantized/gemm.hpp"
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
      const std::int64_t total = std::int64_t{acc} + (bias ? bias[o] : 0);
      output[static_cast<std::size_t>(b) * p.units + o] =
          static_cast<T>(p.output.apply(total, static_cast<std::size_t>(o)));
    }
  }
}

// ---- the GEMM path (int8 activations, symmetric int8 weights) ----

[[nodiscard]] constexpr std::size_t fully_connected_gemm_scratch_bytes(const FullyConnectedParams& p) noexcept {
  return gemm_tile_scratch_bytes(p.depth, p.units);
}

/// Bit-exact with fully_connected(backend::scalar, ...); requires p.filter_zero_point == 0.
inline void fully_connected(backend::BackendId id, const FullyConnectedParams& p,
                            const std::int8_t* TINYNN_RESTRICT input, const QuantizedPackedWeights& w,
                            const std::int32_t* TINYNN_RESTRICT bias, std::int8_t* TINYNN_RESTRICT output,
                            std::byte* scratch) noexcept {
  const std::size_t row_bytes = static_cast<std::size_t>(w.k4);
  const GemmTile tile = carve_gemm_tile(id, scratch, w, p.output, bias, p.input_zero_point);
  for (std::int32_t first = 0; first < p.batch; first += gemm_tile_rows) {
    const std::int32_t rows = p.batch - first < gemm_tile_rows ? p.batch - first : gemm_tile_rows;
    for (std::int32_t r = 0; r < rows; ++r) {
      const std::int8_t* src = input + static_cast<std::size_t>(first + r) * static_cast<std::size_t>(p.depth);
      std::uint8_t* dst = tile.rows + static_cast<std::size_t>(r) * row_bytes;
      shift_to_unsigned(src, dst, static_cast<std::size_t>(p.depth));
      std::memset(dst + p.depth, 0, row_bytes - static_cast<std::size_t>(p.depth));
    }
    gemm_tile_output(id, tile, rows, w, p.output, bias, p.input_zero_point,
                     output + static_cast<std::size_t>(first) * static_cast<std::size_t>(p.units),
                     static_cast<std::size_t>(p.units));
  }
}

}  // namespace tinynn::ops::quantized
