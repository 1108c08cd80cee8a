// tinynn — quantization parameters (the TFLite int8 scheme, ../shared/DESIGN.md "Quantization"):
//   real_value = scale * (int8_value - zero_point)
// Activations: one scale/zero point per tensor. Weights: symmetric (zero point 0), one scale per
// output channel along `axis`. Non-owning: the scales live in the model or in constexpr Params.
#pragma once

#include <cstdint>
#include <span>

namespace tinynn {

struct QuantParams {
  float scale = 1.0f;
  std::int32_t zero_point = 0;

  friend constexpr bool operator==(const QuantParams&, const QuantParams&) = default;
};

struct PerChannelQuant {
  std::span<const float> scales;              // one per channel along `axis`
  std::span<const std::int32_t> zero_points;  // empty = all zero (symmetric); else one per channel
  std::int32_t axis = 0;

  [[nodiscard]] constexpr bool per_tensor() const noexcept { return scales.size() == 1; }
  [[nodiscard]] constexpr float scale(std::size_t channel) const noexcept {
    return scales.size() == 1 ? scales[0] : scales[channel];
  }
  [[nodiscard]] constexpr std::int32_t zero_point(std::size_t channel) const noexcept {
    if (zero_points.empty()) return 0;
    return zero_points.size() == 1 ? zero_points[0] : zero_points[channel];
  }
};

}  // namespace tinynn
