// tinynn — int8 requantization: the fixed-point arithmetic of TFLite's integer kernels.
//   real multiplier M = scale_a * scale_b / scale_out  ~  multiplier * 2^(shift - 31)
//   y = round(x * M)  computed as  RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << l, m), r)
// Two roundings are supported. `double_rounding` (the default) is TFLite's reference kernels and
// TFLite Micro: a rounding doubling high multiply, then a rounding (half away from zero) right
// shift — two roundings, so a value at exactly .5 after the first can round twice. `single_rounding`
// is TFLite's TFLITE_SINGLE_ROUNDING build: one 64-bit product, one round-half-up shift. Every
// tinynn backend implements both bit-exactly; kernels take the mode from their params.
#pragma once

#include <cstdint>
#include <limits>

#include "tinynn/config.hpp"

namespace tinynn::ops::quantized {

enum class Rounding : std::uint8_t {
  double_rounding,  // TFLite reference kernels / TFLite Micro (default)
  single_rounding,  // TFLite built with TFLITE_SINGLE_ROUNDING (CMSIS-NN's choice too)
};

/// A real multiplier as int32 significand in [2^30, 2^31) (or 0) and a power-of-two exponent:
/// real = multiplier * 2^(shift - 31). shift > 0 shifts left.
struct QuantizedMultiplier {
  std::int32_t multiplier = 0;
  std::int32_t shift = 0;
  friend constexpr bool operator==(const QuantizedMultiplier&, const QuantizedMultiplier&) = default;
};

namespace detail {

/// frexp for finite positive doubles, usable in constant expressions (every step is exact).
constexpr double frexp_positive(double value, int& exponent) noexcept {
  exponent = 0;
  while (value >= 1.0) {
    value *= 0.5;
    ++exponent;
  }
  while (value < 0.5) {
    value *= 2.0;
    --exponent;
  }
  return value;
}

}  // namespace detail

/// TFLite's QuantizeMultiplier: the significand rounded half away from zero to 31 bits, a
/// significand of exactly 2^31 renormalized, exponents below -31 flushed to zero. Negative and
/// non-finite multipliers are not scales; they give {0, 0} (prepare() functions reject them).
/// With single rounding, exponents above 30 saturate as TFLite's single-rounding build does.
[[nodiscard]] constexpr QuantizedMultiplier quantize_multiplier(
    double real_multiplier, Rounding rounding = Rounding::double_rounding) noexcept {
  if (!(real_multiplier > 0.0) || real_multiplier > 1e300) return {};
  int exponent = 0;
  const double significand = detail::frexp_positive(real_multiplier, exponent);
  // significand * 2^31 lies in [2^30, 2^31): adding 0.5 and truncating is exact round-half-up.
  auto fixed = static_cast<std::int64_t>(significand * 2147483648.0 + 0.5);
  if (fixed == (std::int64_t{1} << 31)) {
    fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) return {};
  if (rounding == Rounding::single_rounding && exponent > 30) return {std::numeric_limits<std::int32_t>::max(), 30};
  return {static_cast<std::int32_t>(fixed), exponent};
}

/// gemmlowp's SaturatingRoundingDoublingHighMul: a * b / 2^31 rounded half up (toward +inf: the
/// nudge is added before a division that truncates toward zero), saturating the one overflow case
/// (INT32_MIN * INT32_MIN).
[[nodiscard]] constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) noexcept {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
  const std::int64_t ab = static_cast<std::int64_t>(a) * static_cast<std::int64_t>(b);
  const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  // Division truncating toward zero, as gemmlowp (not an arithmetic shift).
  return static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));
}

/// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded half away from zero, 0 <= exponent <= 31.
[[nodiscard]] constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) noexcept {
  TINYNN_ASSERT(exponent >= 0 && exponent <= 31);
  const std::int32_t mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/// TFLite's MultiplyByQuantizedMultiplier: round(x * multiplier * 2^(shift - 31)).
[[nodiscard]] constexpr std::int32_t multiply_by_quantized_multiplier(std::int32_t x, QuantizedMultiplier m,
                                                                      Rounding rounding) noexcept {
  if (rounding == Rounding::single_rounding) {
    // One product, one round-half-up shift by 31 - shift (TFLITE_SINGLE_ROUNDING).
    const int total_shift = 31 - m.shift;
    if (total_shift <= 0) {
      const std::int64_t wide = static_cast<std::int64_t>(x) * m.multiplier * (std::int64_t{1} << -total_shift);
      return static_cast<std::int32_t>(
          wide > std::numeric_limits<std::int32_t>::max()
              ? std::numeric_limits<std::int32_t>::max()
              : (wide < std::numeric_limits<std::int32_t>::min() ? std::numeric_limits<std::int32_t>::min() : wide));
    }
    if (total_shift > 62) return 0;
    const std::int64_t round = std::int64_t{1} << (total_shift - 1);
    const std::int64_t result = (static_cast<std::int64_t>(x) * m.multiplier + round) >> total_shift;
    if (result > std::numeric_limits<std::int32_t>::max()) return std::numeric_limits<std::int32_t>::max();
    if (result < std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::min();
    return static_cast<std::int32_t>(result);
  }
  const int left_shift = m.shift > 0 ? m.shift : 0;
  const int right_shift = m.shift > 0 ? 0 : -m.shift;
  // TFLite multiplies by (1 << left_shift) in int32 (wrapping on overflow; models keep x small).
  // A hostile scale can ask for a shift of 32 or more: modulo 2^32 that product is 0 (and the shift
  // itself would be undefined behaviour).
  const auto shifted =
      left_shift >= 32 ? std::int32_t{0} : static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left_shift);
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, m.multiplier),
                                right_shift > 31 ? 31 : right_shift);
}

/// Clamp to [lo, hi].
[[nodiscard]] constexpr std::int32_t clamp_i32(std::int32_t x, std::int32_t lo, std::int32_t hi) noexcept {
  return x < lo ? lo : (x > hi ? hi : x);
}

/// The integer range of a storage type (int8: [-128, 127], uint8: [0, 255], int16, int32).
template <class T>
inline constexpr std::int32_t quantized_min = static_cast<std::int32_t>(std::numeric_limits<T>::min());
template <class T>
inline constexpr std::int32_t quantized_max = static_cast<std::int32_t>(std::numeric_limits<T>::max());

/// A fused activation in the integer domain: [min, max] after adding the output zero point
/// (TFLite's CalculateActivationRangeQuantized).
struct QuantizedRange {
  std::int32_t min = -128;
  std::int32_t max = 127;
  friend constexpr bool operator==(const QuantizedRange&, const QuantizedRange&) = default;
};

enum class FusedActivation : std::uint8_t { none, relu, relu_n1_to_1, relu6 };

namespace detail {
/// TFLite's Quantize() of an activation bound: zero_point + round(real / scale) (float division,
/// rounded half away from zero), saturated to int32.
constexpr std::int32_t quantize_bound(float real, float scale, std::int32_t zero_point) noexcept {
  const float q = real / scale;
  if (!(q < 4e18f && q > -4e18f))
    return q > 0 ? std::numeric_limits<std::int32_t>::max() : std::numeric_limits<std::int32_t>::min();
  const double d = static_cast<double>(q);  // + 0.5 is exact in double: true round-half-away
  const std::int64_t r = d >= 0.0 ? static_cast<std::int64_t>(d + 0.5) : -static_cast<std::int64_t>(-d + 0.5);
  const std::int64_t v = r + zero_point;
  if (v > std::numeric_limits<std::int32_t>::max()) return std::numeric_limits<std::int32_t>::max();
  if (v < std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(v);
}
}  // namespace detail

/// The integer output range of a fused activation for an output tensor of type T.
template <class T>
[[nodiscard]] constexpr QuantizedRange activation_range(FusedActivation activation, float output_scale,
                                                        std::int32_t output_zero_point) noexcept {
  std::int32_t lo = quantized_min<T>, hi = quantized_max<T>;
  auto tighten = [&](std::int32_t new_lo, std::int32_t new_hi, bool has_hi) {
    if (new_lo > lo) lo = new_lo;
    if (has_hi && new_hi < hi) hi = new_hi;
  };
  switch (activation) {
    case FusedActivation::none: break;
    case FusedActivation::relu: tighten(detail::quantize_bound(0.0f, output_scale, output_zero_point), 0, false); break;
    case FusedActivation::relu6:
      tighten(detail::quantize_bound(0.0f, output_scale, output_zero_point),
              detail::quantize_bound(6.0f, output_scale, output_zero_point), true);
      break;
    case FusedActivation::relu_n1_to_1:
      tighten(detail::quantize_bound(-1.0f, output_scale, output_zero_point),
              detail::quantize_bound(1.0f, output_scale, output_zero_point), true);
      break;
  }
  return {lo, hi};
}

/// The output stage of conv/depthwise/fully-connected: requantize an int32 accumulator (bias
/// included) with a per-channel (or single) multiplier, add the output zero point, clamp.
struct OutputStage {
  const QuantizedMultiplier* multipliers = nullptr;  // one per output channel, or one
  bool per_channel = false;
  std::int32_t zero_point = 0;
  QuantizedRange range{};
  Rounding rounding = Rounding::double_rounding;

  /// `accumulator` is the int32 sum plus the bias, added in 64 bits: a valid model never leaves int32
  /// (TFLite adds in int32), a hostile one saturates instead of overflowing.
  [[nodiscard]] constexpr std::int32_t apply(std::int64_t accumulator, std::size_t channel) const noexcept {
    const QuantizedMultiplier m = multipliers[per_channel ? channel : 0];
    const auto x = static_cast<std::int32_t>(
        accumulator > std::numeric_limits<std::int32_t>::max()   ? std::numeric_limits<std::int32_t>::max()
        : accumulator < std::numeric_limits<std::int32_t>::min() ? std::numeric_limits<std::int32_t>::min()
                                                                 : accumulator);
    const std::int64_t y = std::int64_t{multiply_by_quantized_multiplier(x, m, rounding)} + zero_point;
    return clamp_i32(static_cast<std::int32_t>(y < range.min ? range.min : (y > range.max ? range.max : y)), range.min,
                     range.max);
  }
};

}  // namespace tinynn::ops::quantized
