// tinynn — int8/uint8 softmax over the last dimension, TFLite's reference integer kernel (the one
// TFLite Micro runs): per row, d = x - max(x); exp(beta * s_in * d) in Q5.26 fixed point
// (gemmlowp's exp_on_negative_values), summed in Q12.19, one fixed-point reciprocal, output
// round(exp / sum * 256) + type_min. Output quantization is fixed at scale 1/256, zero point -128
// (int8) or 0 (uint8); prepare() checks it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/quantized/requantize.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::quantized {

namespace fixed_point {

// gemmlowp's FixedPoint<int32, IntegerBits> as raw int32 values: the real value is raw * 2^(IntegerBits - 31).
// Additions wrap (as gemmlowp's int32 adds do in practice); products round and saturate.

constexpr std::int32_t add(std::int32_t a, std::int32_t b) noexcept {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
constexpr std::int32_t sub(std::int32_t a, std::int32_t b) noexcept {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
}
constexpr std::int32_t mul(std::int32_t a, std::int32_t b) noexcept {
  return saturating_rounding_doubling_high_mul(a, b);
}
/// x * 2^exponent, rounding (exponent < 0) or saturating (exponent > 0).
constexpr std::int32_t saturating_rounding_multiply_by_pot(std::int32_t x, int exponent) noexcept {
  if (exponent == 0) return x;
  if (exponent < 0) return rounding_divide_by_pot(x, -exponent);
  const std::int32_t threshold = static_cast<std::int32_t>((std::int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return std::numeric_limits<std::int32_t>::max();
  if (x < -threshold) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << exponent);
}
/// Rescale<ToBits>(FixedPoint<FromBits>)
constexpr std::int32_t rescale(std::int32_t raw, int from_bits, int to_bits) noexcept {
  return saturating_rounding_multiply_by_pot(raw, from_bits - to_bits);
}
/// The raw value of 1.0 (saturated to the largest value for 0 integer bits).
constexpr std::int32_t one(int integer_bits) noexcept {
  return integer_bits == 0 ? std::numeric_limits<std::int32_t>::max()
                           : static_cast<std::int32_t>(std::int64_t{1} << (31 - integer_bits));
}
constexpr std::int32_t rounding_half_sum(std::int32_t a, std::int32_t b) noexcept {
  const std::int64_t sum = static_cast<std::int64_t>(a) + b;
  const std::int64_t sign = sum >= 0 ? 1 : -1;
  return static_cast<std::int32_t>((sum + sign) / 2);
}

/// exp(a) for a in [-1/4, 0), Q0.31 in and out (Taylor series around -1/8).
constexpr std::int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(std::int32_t a) noexcept {
  constexpr std::int32_t constant_term = 1895147668;     // exp(-1/8)
  constexpr std::int32_t constant_1_over_3 = 715827883;  // 1/3
  const std::int32_t x = add(a, std::int32_t{1} << 28);  // a + 1/8
  const std::int32_t x2 = mul(x, x);
  const std::int32_t x3 = mul(x2, x);
  const std::int32_t x4 = mul(x2, x2);
  const std::int32_t x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2);
  const std::int32_t poly =
      saturating_rounding_multiply_by_pot(add(mul(add(x4_over_4, x3), constant_1_over_3), x2), -1);
  return add(constant_term, mul(constant_term, add(x, poly)));
}

/// exp(a) for a <= 0 given with `integer_bits` integer bits; result Q0.31.
constexpr std::int32_t exp_on_negative_values(std::int32_t a, int integer_bits) noexcept {
  const int fractional_bits = 31 - integer_bits;
  const std::int32_t one_quarter = static_cast<std::int32_t>(std::int64_t{1} << (fractional_bits - 2));
  const std::int32_t mask = one_quarter - 1;
  const std::int32_t a_mod_quarter_minus_one_quarter = sub(a & mask, one_quarter);
  std::int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
      rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0));
  const std::int32_t remainder = sub(a_mod_quarter_minus_one_quarter, a);
  // exp(-2^k) for k = -2..4, Q0.31.
  constexpr std::int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = -2; k <= 4; ++k) {
    if (integer_bits > k) {
      const int shift = fractional_bits + k;
      if (remainder & static_cast<std::int32_t>(std::uint32_t{1} << shift)) result = mul(result, multipliers[k + 2]);
    }
  }
  if (integer_bits > 5) {
    const std::int32_t clamp = -static_cast<std::int32_t>(std::int64_t{1} << (36 - integer_bits));  // -32.0
    if (a < clamp) result = 0;
  }
  if (a == 0) result = one(0);
  return result;
}

/// 1 / (1 + x) for x in [0, 1), Q0.31 in and out (Newton-Raphson, 3 iterations).
constexpr std::int32_t one_over_one_plus_x_for_x_in_0_1(std::int32_t a) noexcept {
  const std::int32_t half_denominator = rounding_half_sum(a, one(0));
  constexpr std::int32_t constant_48_over_17 = 1515870810;
  constexpr std::int32_t constant_neg_32_over_17 = -1010580540;
  // x in Q2.29
  std::int32_t x = add(constant_48_over_17, mul(half_denominator, constant_neg_32_over_17));
  for (int i = 0; i < 3; ++i) {
    const std::int32_t half_denominator_times_x = mul(half_denominator, x);  // Q2.29
    const std::int32_t one_minus = sub(one(2), half_denominator_times_x);    // Q2.29
    x = add(x, rescale(mul(x, one_minus), 4, 2));
  }
  // ExactMulByPot<-1>: Q2.29 -> Q1.30 with the same raw; then Rescale to Q0.31.
  return rescale(x, 1, 0);
}

/// TFLite's GetReciprocal: 1/x for x with `integer_bits` integer bits, as a Q0.31 value and a shift.
constexpr std::int32_t get_reciprocal(std::int32_t x, int integer_bits, int& num_bits_over_unit) noexcept {
  const auto ux = static_cast<std::uint32_t>(x);
  int headroom_plus_one = 0;
  while (headroom_plus_one < 32 && !(ux & (std::uint32_t{0x80000000} >> headroom_plus_one))) ++headroom_plus_one;
  num_bits_over_unit = integer_bits - headroom_plus_one;
  const auto shifted_sum_minus_one = static_cast<std::int32_t>((ux << headroom_plus_one) - (std::uint32_t{1} << 31));
  return one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
}

}  // namespace fixed_point

struct SoftmaxParams {
  std::int32_t rows = 0;   // product of the leading dimensions
  std::int32_t depth = 0;  // the last dimension
  std::int32_t input_multiplier = 0;
  std::int32_t input_left_shift = 0;
  std::int32_t diff_min = 0;
};

inline constexpr int softmax_scaled_diff_integer_bits = 5;
inline constexpr int softmax_accumulation_integer_bits = 12;

/// TFLite's PreprocessSoftmaxScaling and CalculateInputRadius for beta and the input scale.
[[nodiscard]] constexpr SoftmaxParams softmax_params(std::int32_t rows, std::int32_t depth, double beta,
                                                     double input_scale) noexcept {
  SoftmaxParams p;
  p.rows = rows;
  p.depth = depth;
  constexpr int bits = softmax_scaled_diff_integer_bits;
  double real = beta * input_scale * static_cast<double>(std::int64_t{1} << (31 - bits));
  const double limit = static_cast<double>((std::int64_t{1} << 31) - 1);
  if (real > limit) real = limit;
  const QuantizedMultiplier m = quantize_multiplier(real);
  p.input_multiplier = m.multiplier;
  p.input_left_shift = m.shift;
  // CalculateInputRadius(bits, left_shift, 31): floor(((2^bits - 1) * 2^(31 - bits)) / 2^left_shift)
  const double max_input_rescaled = static_cast<double>((std::int64_t{1} << bits) - 1) *
                                    static_cast<double>(std::int64_t{1} << (31 - bits)) /
                                    static_cast<double>(std::int64_t{1} << (m.shift < 0 ? 0 : m.shift));
  p.diff_min = -static_cast<std::int32_t>(max_input_rescaled);
  return p;
}

/// The output quantization softmax requires for type T.
template <class T>
[[nodiscard]] inline Status prepare_softmax_output(float output_scale, std::int32_t output_zero_point) {
  if (output_scale != 1.0f / 256.0f || output_zero_point != quantized_min<T>) {
    return error(ErrorCode::unsupported, "quantized softmax: output must have scale 1/256 and zero point ",
                 quantized_min<T>, ", found scale ", output_scale, " and zero point ", output_zero_point);
  }
  return {};
}

template <class T>
void softmax(backend::scalar, const SoftmaxParams& p, const T* TINYNN_RESTRICT input,
             T* TINYNN_RESTRICT output) noexcept {
  namespace fp = fixed_point;
  constexpr int diff_bits = softmax_scaled_diff_integer_bits;
  constexpr int accumulation_bits = softmax_accumulation_integer_bits;
  const QuantizedMultiplier beta{p.input_multiplier, p.input_left_shift};
  for (std::int32_t r = 0; r < p.rows; ++r) {
    const T* in = input + static_cast<std::size_t>(r) * p.depth;
    T* out = output + static_cast<std::size_t>(r) * p.depth;
    std::int32_t max_value = quantized_min<T>;
    for (std::int32_t c = 0; c < p.depth; ++c) max_value = in[c] > max_value ? in[c] : max_value;
    std::int32_t sum_of_exps = 0;  // Q12.19
    for (std::int32_t c = 0; c < p.depth; ++c) {
      const std::int32_t diff = static_cast<std::int32_t>(in[c]) - max_value;
      if (diff >= p.diff_min) {
        const std::int32_t scaled = multiply_by_quantized_multiplier(diff, beta, Rounding::double_rounding);
        sum_of_exps =
            fp::add(sum_of_exps, fp::rescale(fp::exp_on_negative_values(scaled, diff_bits), 0, accumulation_bits));
      }
    }
    int num_bits_over_unit = 0;
    const std::int32_t shifted_scale = fp::get_reciprocal(sum_of_exps, accumulation_bits, num_bits_over_unit);
    for (std::int32_t c = 0; c < p.depth; ++c) {
      const std::int32_t diff = static_cast<std::int32_t>(in[c]) - max_value;
      std::int32_t value = quantized_min<T>;
      if (diff >= p.diff_min) {
        const std::int32_t scaled = multiply_by_quantized_multiplier(diff, beta, Rounding::double_rounding);
        const std::int32_t exp_in_0 = fp::exp_on_negative_values(scaled, diff_bits);
        const int exponent = num_bits_over_unit + 31 - 8;  // > 31 only for sums >= 512: the quotient is 0
        const std::int32_t unsat =
            exponent > 31 ? 0 : rounding_divide_by_pot(fp::mul(shifted_scale, exp_in_0), exponent < 0 ? 0 : exponent);
        value = clamp_i32(unsat + quantized_min<T>, quantized_min<T>, quantized_max<T>);
      }
      out[c] = static_cast<T>(value);
    }
  }
}

}  // namespace tinynn::ops::quantized
