// tinynn — TFLite's integer LSTM ("8x8_16": int8 activations and weights, int16 cell state), the
// arithmetic of TFLite's reference UNIDIRECTIONAL_SEQUENCE_LSTM for int8 models (lstm_eval's
// integer 8x8_16 step), without layer normalization:
// - every gate pre-activation is int16 Q3.12: the input and the recurrent contributions are each an
//   int8 dot product plus a folded bias (bias - zero_point * row sum), requantized to 2^-12 and added
//   with int16 saturation; peephole terms (int16 weights x int16 cell) likewise;
// - gates: sigmoid (input, forget, output) and tanh (cell) in gemmlowp's int16 fixed point, Q3.12 in,
//   Q0.15 out; CIFG makes the input gate 1 - forget;
// - cell: c = round(f * c / 2^15) + round(i * g / 2^(30 + cell_scale)) (int16, saturated), then the
//   optional clip; the cell scale must be 2^cell_scale with cell_scale <= -9;
// - hidden: int8 round(o * tanh(c) * 2^-30 / hidden_scale) + hidden_zero_point, where tanh reads the
//   cell with 15 + cell_scale integer bits; with a projection, output = requantized projection of the
//   hidden vector (+ optional clip), else output = hidden.
// Requantization uses multiply_by_quantized_multiplier with the chosen rounding (TFLite: double).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/quantized/requantize.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::quantized {

/// gemmlowp's FixedPoint<int16, IntegerBits> as raw int16 values (real = raw * 2^(IntegerBits - 15)).
/// Adds wrap (int16), products are SaturatingRoundingDoublingHighMul, constants are gemmlowp's int32
/// constants rounded to 16 bits (RoundingDivideByPOT by 16).
namespace fixed_point16 {

constexpr std::int16_t wrap(std::int32_t v) noexcept { return static_cast<std::int16_t>(v); }
constexpr std::int16_t add(std::int16_t a, std::int16_t b) noexcept { return wrap(a + b); }
constexpr std::int16_t sub(std::int16_t a, std::int16_t b) noexcept { return wrap(a - b); }
constexpr std::int16_t neg(std::int16_t a) noexcept { return wrap(-a); }
constexpr std::int16_t add_saturating(std::int16_t a, std::int16_t b) noexcept {
  const std::int32_t s = std::int32_t{a} + b;
  return static_cast<std::int16_t>(s > 32767 ? 32767 : (s < -32768 ? -32768 : s));
}
constexpr std::int16_t mul(std::int16_t a, std::int16_t b) noexcept {
  if (a == b && a == std::numeric_limits<std::int16_t>::min()) return std::numeric_limits<std::int16_t>::max();
  const std::int32_t ab = std::int32_t{a} * std::int32_t{b};
  const std::int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<std::int16_t>((ab + nudge) / (1 << 15));
}
constexpr std::int16_t rounding_divide_by_pot(std::int16_t x, int exponent) noexcept {
  const std::int32_t mask = (1 << exponent) - 1;
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<std::int16_t>((x >> exponent) + (remainder > threshold ? 1 : 0));
}
constexpr std::int16_t saturating_rounding_multiply_by_pot(std::int16_t x, int exponent) noexcept {
  if (exponent == 0) return x;
  if (exponent < 0) return rounding_divide_by_pot(x, -exponent);
  const std::int32_t threshold = (1 << (15 - exponent)) - 1;
  if (x > threshold) return std::numeric_limits<std::int16_t>::max();
  if (x < -threshold) return std::numeric_limits<std::int16_t>::min();
  return wrap(static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::int32_t>(x)) << exponent));
}
constexpr std::int16_t rescale(std::int16_t raw, int from_bits, int to_bits) noexcept {
  return saturating_rounding_multiply_by_pot(raw, from_bits - to_bits);
}
constexpr std::int16_t one(int integer_bits) noexcept {
  return integer_bits == 0 ? std::numeric_limits<std::int16_t>::max()
                           : static_cast<std::int16_t>(1 << (15 - integer_bits));
}
/// A gemmlowp int32 constant as an int16 raw value.
constexpr std::int16_t constant(std::int32_t raw32) noexcept {
  return static_cast<std::int16_t>(quantized::rounding_divide_by_pot(raw32, 16));
}
constexpr std::int16_t rounding_half_sum(std::int16_t a, std::int16_t b) noexcept {
  const std::int32_t sum = std::int32_t{a} + b;
  const std::int32_t sign = sum >= 0 ? 1 : -1;
  return static_cast<std::int16_t>((sum + sign) / 2);
}

/// exp(a) for a in [-1/4, 0), Q0.15 in and out (Taylor series around -1/8).
constexpr std::int16_t exp_on_interval_between_negative_one_quarter_and_0_excl(std::int16_t a) noexcept {
  const std::int16_t constant_term = constant(1895147668);     // exp(-1/8)
  const std::int16_t constant_1_over_3 = constant(715827883);  // 1/3
  const std::int16_t x = add(a, std::int16_t{1 << 12});        // a + 1/8
  const std::int16_t x2 = mul(x, x);
  const std::int16_t x3 = mul(x2, x);
  const std::int16_t x4 = mul(x2, x2);
  const std::int16_t x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2);
  const std::int16_t poly =
      saturating_rounding_multiply_by_pot(add(mul(add(x4_over_4, x3), constant_1_over_3), x2), -1);
  return add_saturating(constant_term, mul(constant_term, add(x, poly)));
}

/// exp(a) for a <= 0 given with `integer_bits` integer bits; result Q0.15.
constexpr std::int16_t exp_on_negative_values(std::int16_t a, int integer_bits) noexcept {
  const int fractional_bits = 15 - integer_bits;
  const auto one_quarter = static_cast<std::int16_t>(1 << (fractional_bits - 2));
  const auto mask = static_cast<std::int16_t>(one_quarter - 1);
  const std::int16_t a_mod_quarter_minus_one_quarter = sub(static_cast<std::int16_t>(a & mask), one_quarter);
  std::int16_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
      rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0));
  const std::int16_t remainder = sub(a_mod_quarter_minus_one_quarter, a);
  constexpr std::int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = 0; k < 7; ++k) {
    const int exponent = k - 2;
    if (integer_bits > exponent) {
      const int shift = fractional_bits + exponent;
      if ((remainder & (1 << shift)) != 0) result = mul(result, constant(multipliers[k]));
    }
  }
  if (integer_bits > 5) {
    const std::int16_t clamp = constant(-(std::int32_t{1} << (36 - integer_bits)));  // -32
    if (a < clamp) result = 0;
  }
  if (a == 0) result = one(0);
  return result;
}

/// 1 / (1 + a) for a in [0, 1], Q0.15 (Newton-Raphson on the half denominator, 3 iterations).
constexpr std::int16_t newton_reciprocal_x2(std::int16_t half_denominator) noexcept {
  const std::int16_t constant_48_over_17 = constant(1515870810);
  const std::int16_t constant_neg_32_over_17 = constant(-1010580540);
  std::int16_t x = add(constant_48_over_17, mul(half_denominator, constant_neg_32_over_17));  // Q2.13
  for (int i = 0; i < 3; ++i) {
    const std::int16_t half_denominator_times_x = mul(half_denominator, x);  // Q2.13
    const std::int16_t one_minus = sub(one(2), half_denominator_times_x);
    x = add(x, rescale(mul(x, one_minus), 4, 2));
  }
  return x;  // Q2.13, 2 / (1 + a)
}
constexpr std::int16_t one_over_one_plus_x_for_x_in_0_1(std::int16_t a) noexcept {
  const std::int16_t x = newton_reciprocal_x2(rounding_half_sum(a, one(0)));
  return rescale(x, 1, 0);  // ExactMulByPot<-1> (Q1.14 view), then Rescale<0>
}
constexpr std::int16_t one_minus_x_over_one_plus_x_for_x_in_0_1(std::int16_t a) noexcept {
  const std::int16_t x = newton_reciprocal_x2(rounding_half_sum(a, one(0)));
  return rescale(sub(x, one(2)), 2, 0);
}

/// gemmlowp::logistic: Q(integer_bits) in, Q0.15 out.
constexpr std::int16_t logistic(std::int16_t a, int integer_bits) noexcept {
  if (a == 0) return constant(1 << 30);  // 0.5
  const bool positive = a > 0;
  const std::int16_t abs_input = positive ? a : neg(a);
  const std::int16_t result_if_positive =
      one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(neg(abs_input), integer_bits));
  return positive ? result_if_positive : sub(one(0), result_if_positive);
}

/// gemmlowp::tanh: Q(integer_bits) in, Q0.15 out.
constexpr std::int16_t tanh(std::int16_t a, int integer_bits) noexcept {
  if (a == 0) return 0;
  const bool negative = a < 0;
  const std::int16_t n = negative ? a : neg(a);
  // -tanh(n) for n <= 0: (1 - e^(2n)) / (1 + e^(2n)); 2n is n read with one more integer bit.
  const std::int16_t t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(n, integer_bits + 1));
  return negative ? neg(t) : t;
}

}  // namespace fixed_point16

/// Shapes, requantization and options of one integer LSTM layer (prepared from the model's scales).
struct IntegerLstmParams {
  std::int32_t batch = 1, time = 1, input = 0, units = 0, output = 0;
  bool time_major = false;
  bool cifg = false, peephole = false, projection = false;
  int cell_scale = -15;                                                  // the cell state's scale is 2^cell_scale
  std::int16_t cell_clip = 0;                                            // quantized; 0 = none
  std::int8_t projection_clip = 0;                                       // quantized; 0 = none
  QuantizedMultiplier input_to_gate[4] = {}, recurrent_to_gate[4] = {};  // gates: input, forget, cell, output
  QuantizedMultiplier cell_to_gate[4] = {};                              // peephole: input, forget, -, output
  QuantizedMultiplier hidden = {}, projection_multiplier = {};
  std::int32_t hidden_zero_point = 0, output_zero_point = 0;
  Rounding rounding = Rounding::double_rounding;
};

/// Weights; the biases are "effective": gate bias - input_zero_point * row sum for the input part,
/// -output_state_zero_point * row sum for the recurrent part (fold_zero_point()).
struct IntegerLstmWeights {
  const std::int8_t* input_to_gate[4] = {};
  const std::int8_t* recurrent_to_gate[4] = {};
  const std::int16_t* cell_to_gate[4] = {};  // peephole (input, forget, -, output)
  const std::int32_t* input_bias[4] = {};
  const std::int32_t* recurrent_bias[4] = {};
  const std::int8_t* projection = nullptr;        // [output][units]
  const std::int32_t* projection_bias = nullptr;  // effective: bias - hidden_zero_point * row sum
};

/// out[r] = (bias ? bias[r] : 0) - zero_point * sum_c w[r][c], in 64 bits then saturated to int32.
inline void fold_zero_point(const std::int8_t* w, std::int32_t rows, std::int32_t cols, const std::int32_t* bias,
                            std::int32_t zero_point, std::int32_t* out) noexcept {
  for (std::int32_t r = 0; r < rows; ++r) {
    std::int64_t sum = 0;
    for (std::int32_t c = 0; c < cols; ++c)
      sum += w[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)];
    std::int64_t v = (bias ? bias[r] : 0) - std::int64_t{zero_point} * sum;
    if (v > std::numeric_limits<std::int32_t>::max()) v = std::numeric_limits<std::int32_t>::max();
    if (v < std::numeric_limits<std::int32_t>::min()) v = std::numeric_limits<std::int32_t>::min();
    out[r] = static_cast<std::int32_t>(v);
  }
}

/// TFLite's CheckedLog2: the integer exponent of a power-of-two scale (|log2 - round| < 1e-3).
[[nodiscard]] inline bool power_of_two_exponent(double scale, int& exponent) noexcept {
  if (!(scale > 0.0) || !(scale < 1e30)) return false;
  const double l = std::log2(scale);
  const double rounded = std::round(l);
  exponent = static_cast<int>(rounded);
  return std::fabs(l - rounded) < 1e-3;
}

[[nodiscard]] inline Status prepare(const IntegerLstmParams& p, const IntegerLstmWeights& w) {
  if (p.batch <= 0 || p.time < 0 || p.input <= 0 || p.units <= 0 || p.output <= 0) {
    return error(ErrorCode::invalid_model, "integer LSTM: bad sizes (batch ", p.batch, ", time ", p.time, ", input ",
                 p.input, ", units ", p.units, ", output ", p.output, ")");
  }
  if (p.input > 32768 || p.units > 32768 || p.output > 32768) {
    return error(ErrorCode::unsupported, "integer LSTM: dot products longer than 32768");
  }
  if (p.cell_scale > -9 || p.cell_scale < -30) {
    return error(ErrorCode::unsupported, "integer LSTM: cell state scale 2^", p.cell_scale,
                 " (2^-30 .. 2^-9 supported)");
  }
  for (int g = 0; g < 4; ++g) {
    if (g == 0 && p.cifg) continue;
    if (!w.input_to_gate[g] || !w.recurrent_to_gate[g] || !w.input_bias[g] || !w.recurrent_bias[g]) {
      return error(ErrorCode::invalid_model, "integer LSTM: gate ", g, " weights missing");
    }
    if (p.peephole && g != 2 && !w.cell_to_gate[g]) {
      return error(ErrorCode::invalid_model, "integer LSTM: peephole weights of gate ", g, " missing");
    }
  }
  if (p.projection && (!w.projection || !w.projection_bias)) {
    return error(ErrorCode::invalid_model, "integer LSTM: projection weights missing");
  }
  if (!p.projection && p.output != p.units) {
    return error(ErrorCode::invalid_model, "integer LSTM: output size ", p.output, " != units ", p.units,
                 " without a projection");
  }
  return {};
}

/// Scratch elements (int32-sized) for lstm_integer(): 4 int16 gate rows, an int8 hidden row.
[[nodiscard]] constexpr std::size_t lstm_integer_scratch_bytes(const IntegerLstmParams& p) noexcept {
  return static_cast<std::size_t>(p.units) * (4 * sizeof(std::int16_t) + 2 * sizeof(std::int8_t)) + 16;
}

namespace detail {

/// gate[r] = sat16(gate[r] + requantize(bias[r] + sum_c x[c] w[r][c])) (TFLite's int16 accumulate).
inline void lstm_gate_accumulate(const std::int8_t* x, std::int32_t cols, const std::int8_t* w,
                                 const std::int32_t* bias, QuantizedMultiplier m, Rounding rounding, std::int32_t rows,
                                 std::int16_t* gate) noexcept {
  for (std::int32_t r = 0; r < rows; ++r) {
    const std::int8_t* row = w + static_cast<std::size_t>(r) * static_cast<std::size_t>(cols);
    std::int32_t acc = bias[r];
    for (std::int32_t c = 0; c < cols; ++c) acc += std::int32_t{x[c]} * row[c];
    const std::int32_t v = multiply_by_quantized_multiplier(acc, m, rounding) + gate[r];
    gate[r] = static_cast<std::int16_t>(clamp_i32(v, -32768, 32767));
  }
}

}  // namespace detail

/// One layer over the sequence: input [batch][time][input] (or [time][batch][input] when
/// time_major), state h [batch][output] int8 and c [batch][units] int16 (updated in place),
/// output like the input with `output` features. scratch: lstm_integer_scratch_bytes(p) bytes.
template <backend::Backend B>
void lstm_integer(B, const IntegerLstmParams& p, const IntegerLstmWeights& w, const std::int8_t* input,
                  std::int8_t* h_state, std::int16_t* c_state, std::int8_t* output, void* scratch) noexcept {
  namespace fp = fixed_point16;
  const auto units = static_cast<std::size_t>(p.units);
  auto* gates = static_cast<std::int16_t*>(scratch);  // [4][units]
  auto* hidden = reinterpret_cast<std::int8_t*>(gates + 4 * units);
  const int cell_bits = 15 + p.cell_scale;  // integer bits of the cell state as a Q value
  for (std::int32_t b = 0; b < p.batch; ++b) {
    std::int8_t* h = h_state + static_cast<std::size_t>(b) * static_cast<std::size_t>(p.output);
    std::int16_t* c = c_state + static_cast<std::size_t>(b) * units;
    for (std::int32_t t = 0; t < p.time; ++t) {
      const std::size_t step =
          p.time_major ? static_cast<std::size_t>(t) * static_cast<std::size_t>(p.batch) + static_cast<std::size_t>(b)
                       : static_cast<std::size_t>(b) * static_cast<std::size_t>(p.time) + static_cast<std::size_t>(t);
      const std::int8_t* x = input + step * static_cast<std::size_t>(p.input);
      std::int8_t* y = output + step * static_cast<std::size_t>(p.output);
      std::memset(gates, 0, 4 * units * sizeof(std::int16_t));
      // Pre-activations of input (unless CIFG), forget, cell and output gates; peepholes of the
      // input and forget gates read the previous cell state.
      for (int g = 0; g < 4; ++g) {
        if (g == 0 && p.cifg) continue;
        std::int16_t* gate = gates + static_cast<std::size_t>(g) * units;
        detail::lstm_gate_accumulate(x, p.input, w.input_to_gate[g], w.input_bias[g], p.input_to_gate[g], p.rounding,
                                     p.units, gate);
        detail::lstm_gate_accumulate(h, p.output, w.recurrent_to_gate[g], w.recurrent_bias[g], p.recurrent_to_gate[g],
                                     p.rounding, p.units, gate);
        if (p.peephole && (g == 0 || g == 1)) {
          for (std::size_t r = 0; r < units; ++r) {
            const std::int32_t v = multiply_by_quantized_multiplier(std::int32_t{w.cell_to_gate[g][r]} * c[r],
                                                                    p.cell_to_gate[g], p.rounding) +
                                   gate[r];
            gate[r] = static_cast<std::int16_t>(clamp_i32(v, -32768, 32767));
          }
        }
      }
      std::int16_t* ig = gates;
      std::int16_t* fg = gates + units;
      std::int16_t* cg = gates + 2 * units;
      std::int16_t* og = gates + 3 * units;
      for (std::size_t r = 0; r < units; ++r) {
        fg[r] = fp::logistic(fg[r], 3);
        cg[r] = fp::tanh(cg[r], 3);
        ig[r] = p.cifg ? static_cast<std::int16_t>(32767 - fg[r]) : fp::logistic(ig[r], 3);
      }
      // Cell update.
      for (std::size_t r = 0; r < units; ++r) {
        const auto kept = static_cast<std::int16_t>(rounding_divide_by_pot(std::int32_t{fg[r]} * c[r], 15));
        const auto added =
            static_cast<std::int16_t>(rounding_divide_by_pot(std::int32_t{ig[r]} * cg[r], 30 + p.cell_scale));
        std::int32_t v = clamp_i32(std::int32_t{kept} + added, -32768, 32767);
        if (p.cell_clip > 0) v = clamp_i32(v, -p.cell_clip, p.cell_clip);
        c[r] = static_cast<std::int16_t>(v);
      }
      // Output gate (its peephole reads the updated cell), hidden state.
      if (p.peephole) {
        for (std::size_t r = 0; r < units; ++r) {
          const std::int32_t v = multiply_by_quantized_multiplier(std::int32_t{w.cell_to_gate[3][r]} * c[r],
                                                                  p.cell_to_gate[3], p.rounding) +
                                 og[r];
          og[r] = static_cast<std::int16_t>(clamp_i32(v, -32768, 32767));
        }
      }
      for (std::size_t r = 0; r < units; ++r) {
        const std::int16_t o = fp::logistic(og[r], 3);
        const std::int16_t tc = fp::tanh(c[r], cell_bits);
        const std::int32_t v =
            multiply_by_quantized_multiplier(std::int32_t{o} * tc, p.hidden, p.rounding) + p.hidden_zero_point;
        hidden[r] = static_cast<std::int8_t>(clamp_i32(v, -128, 127));
      }
      if (p.projection) {
        for (std::int32_t r = 0; r < p.output; ++r) {
          const std::int8_t* row = w.projection + static_cast<std::size_t>(r) * units;
          std::int32_t acc = w.projection_bias[r];
          for (std::size_t k = 0; k < units; ++k) acc += std::int32_t{hidden[k]} * row[k];
          std::int32_t v = clamp_i32(
              multiply_by_quantized_multiplier(acc, p.projection_multiplier, p.rounding) + p.output_zero_point, -128,
              127);
          if (p.projection_clip > 0) v = clamp_i32(v, -p.projection_clip, p.projection_clip);
          h[r] = static_cast<std::int8_t>(v);
        }
      } else {
        std::memcpy(h, hidden, units);
      }
      std::memcpy(y, h, static_cast<std::size_t>(p.output));
    }
  }
}

}  // namespace tinynn::ops::quantized
