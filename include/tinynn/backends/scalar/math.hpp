// tinynn — scalar transcendentals: the definitions every vectorised backend is measured against.
// They are the C library's float functions (correctly rounded or within 1-2 ulp on glibc/newlib),
// with the numerically stable forms of sigmoid and softplus.
#pragma once

#include <cmath>

namespace tinynn::backend::math {

[[nodiscard]] inline float sigmoid(float x) noexcept {
  if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
}

[[nodiscard]] inline float softplus(float x) noexcept {
  return x > 0.0f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

/// 0.5 x (1 + erf(x / sqrt 2)) = 0.5 x erfc(-x / sqrt 2): erfc keeps the negative tail accurate.
[[nodiscard]] inline float gelu_erf(float x) noexcept { return 0.5f * x * std::erfc(x * -0.70710678118654752440f); }

/// 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): no cancellation for x < 0.
[[nodiscard]] inline float gelu_tanh(float x) noexcept {
  constexpr float sqrt_2_over_pi = 0.79788456080286535588f;
  return x * sigmoid(2.0f * sqrt_2_over_pi * (x + 0.044715f * x * x * x));
}

}  // namespace tinynn::backend::math
