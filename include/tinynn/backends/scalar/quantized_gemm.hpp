// tinynn — scalar int8 GEMM over packed weights (the reference every SIMD kernel must equal):
//   acc[m][n] = sum_k u[m][k] * w[n][k]   (u uint8 = activation + 128, w int8; exact int32)
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tinynn::backend::detail {

/// Weights packed by ops::quantized::pack_weights: [n16/16][k4/4][16][4] int8, plus column sums.
struct QuantizedPackedWeights {
  const std::int8_t* data = nullptr;
  const std::int32_t* column_sums = nullptr;  // [n]: sum_k w[n][k]
  std::int32_t n = 0, k = 0;                  // logical sizes
  std::int32_t n16 = 0, k4 = 0;               // padded sizes (acc rows are n16 wide)
};

/// The requantizing output stage of the fused SIMD int8 GEMM, as per-channel tables (padded to
/// n16 entries) that ops::quantized::prepare_gemm_epilogue builds from an OutputStage:
///   y = clamp(requantize(saturate_int32(acc + offset)), lo, hi) + zero_point   (truncated to int8)
/// Double rounding: x << shift_a, SaturatingRoundingDoublingHighMul, RoundingDivideByPOT(shift_b).
/// Single rounding: (x * multiplier + 2^(shift_a - 1)) >> shift_a in 64 bits, saturated to int32.
struct QuantizedGemmEpilogue {
  const std::int32_t* offsets = nullptr;      // bias - (128 + input_zero_point) * column_sum
  const std::int32_t* multipliers = nullptr;  // >= 0
  const std::int32_t* shift_a = nullptr;      // double: left shift (0..32); single: right shift (1..62)
  const std::int32_t* shift_b = nullptr;      // double: right shift (0..31); single: unused
  std::int32_t n = 0;                         // output channels written
  std::int32_t lo = -128, hi = 127;           // clamp bounds before the zero point is added
  std::int32_t zero_point = 0;
  bool single_rounding = false;
};

/// Four bytes as one int32 (unaligned; the broadcast operand of the dot-product instructions).
inline std::int32_t load_i32(const std::uint8_t* p) noexcept {
  std::int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline void quantized_gemm_scalar(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                  const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4;
  for (std::int32_t r = 0; r < m; ++r) {
    const std::uint8_t* a = u + static_cast<std::size_t>(r) * lda;
    std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16);
    for (std::int32_t block = 0; block < w.n16 / 16; ++block) {
      std::int32_t sums[16] = {};
      const std::int8_t* p = w.data + static_cast<std::size_t>(block) * static_cast<std::size_t>(steps) * 64;
      for (std::int32_t s = 0; s < steps; ++s, p += 64) {
        const std::uint8_t* as = a + 4 * s;
        for (int c = 0; c < 16; ++c) {
          sums[c] += as[0] * p[4 * c] + as[1] * p[4 * c + 1] + as[2] * p[4 * c + 2] + as[3] * p[4 * c + 3];
        }
      }
      for (int c = 0; c < 16; ++c) out[block * 16 + c] = sums[c];
    }
  }
}

}  // namespace tinynn::backend::detail
