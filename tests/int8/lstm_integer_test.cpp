// TFLite's integer LSTM (8x8_16): the int16 fixed-point sigmoid/tanh against the real functions
// (every int16 input); the kernel bit-exact with a step-by-step reference loop written here from
// TFLite's integer LSTM arithmetic (128-bit requantization from reference.hpp, the zero points
// subtracted explicitly instead of folded into biases), over random sizes with CIFG, peepholes,
// projection, clips, time-major layout and both roundings; and the dequantized output close to the
// float LSTM run on the dequantized weights.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "int8/reference.hpp"
#include "tinynn/ops/quantized/lstm.hpp"
#include "tinynn/ops/quantized/lstm_integer.hpp"

using namespace tinynn;
using namespace tinynn::ops::quantized;
namespace ref = int8_reference;

TEST_CASE("int16 fixed-point sigmoid and tanh are within a few LSB of the real functions") {
  int worst_sigmoid = 0, worst_tanh[8] = {};
  for (int raw = -32768; raw <= 32767; ++raw) {
    const auto x = static_cast<std::int16_t>(raw);
    const double v3 = raw / 4096.0;  // Q3.12
    const double expected_sigmoid = 32768.0 / (1.0 + std::exp(-v3));
    const int got_sigmoid = fixed_point16::logistic(x, 3);
    worst_sigmoid = std::max(
        worst_sigmoid, static_cast<int>(std::lround(std::fabs(got_sigmoid - std::min(expected_sigmoid, 32767.0)))));
    REQUIRE(got_sigmoid >= 0);
    for (int bits = 0; bits <= 6; ++bits) {
      const double v = std::ldexp(static_cast<double>(raw), bits - 15);
      const double expected = std::clamp(32768.0 * std::tanh(v), -32768.0, 32767.0);
      const int got = fixed_point16::tanh(x, bits);
      worst_tanh[bits] = std::max(worst_tanh[bits], static_cast<int>(std::lround(std::fabs(got - expected))));
    }
  }
  MESSAGE("max |error| in Q0.15 LSB: sigmoid(Q3.12) ", worst_sigmoid, ", tanh Q0..Q6: ", worst_tanh[0], " ",
          worst_tanh[1], " ", worst_tanh[2], " ", worst_tanh[3], " ", worst_tanh[4], " ", worst_tanh[5], " ",
          worst_tanh[6]);
  // Measured: sigmoid 6 LSB, tanh 11-12 LSB (Q2.13 Newton iterations limit int16's precision).
  CHECK(worst_sigmoid <= 8);
  for (int bits = 0; bits <= 6; ++bits) CHECK(worst_tanh[bits] <= 16);
  CHECK(fixed_point16::logistic(0, 3) == 16384);
  CHECK(fixed_point16::tanh(0, 3) == 0);
}

namespace {

struct Multiplier {
  std::int32_t m = 0;
  int shift = 0;
};
Multiplier multiplier_of(double real) {
  Multiplier r;
  ref::quantize_multiplier(real, r.m, r.shift);
  return r;
}

/// A random integer LSTM layer with its scales (everything the importer derives from a model).
struct Layer {
  int batch = 1, time = 1, input = 1, units = 1, output = 1;
  bool cifg = false, peephole = false, projection = false, time_major = false;
  int cell_scale = -11;
  double input_scale = 0, state_scale = 0, hidden_scale = 0;
  int input_zp = 0, state_zp = 0, hidden_zp = 0;
  double wx_scale[4] = {}, wh_scale[4] = {}, wc_scale[4] = {}, wp_scale = 0;
  std::vector<std::int8_t> wx[4], wh[4], wp;
  std::vector<std::int16_t> wc[4];
  std::vector<std::int32_t> bias[4], pbias;
  float cell_clip = 0, proj_clip = 0;
};

Layer random_layer(std::mt19937& rng, int t) {
  Layer l;
  l.batch = ref::random_int(rng, 1, 2);
  l.time = ref::random_int(rng, 1, 5);
  l.input = ref::random_int(rng, 1, 12);
  l.units = ref::random_int(rng, 1, 10);
  l.projection = t % 3 == 1;
  l.cifg = t % 4 == 2;
  l.peephole = t % 2 == 1;
  l.time_major = t % 5 == 3;
  l.output = l.projection ? ref::random_int(rng, 1, 6) : l.units;
  l.cell_scale = t % 2 ? -11 : -12;
  l.input_scale = ref::random_real(rng, 0.005, 0.03);
  l.input_zp = ref::random_int(rng, -20, 20);
  l.state_scale = 1.0 / 128.0 * ref::random_real(rng, 0.9, 1.1);
  l.state_zp = ref::random_int(rng, -3, 3);
  l.hidden_scale = l.projection ? 1.0 / 128.0 * ref::random_real(rng, 0.9, 1.1) : l.state_scale;
  l.hidden_zp = l.projection ? ref::random_int(rng, -3, 3) : l.state_zp;
  const auto U = static_cast<std::size_t>(l.units), I = static_cast<std::size_t>(l.input),
             O = static_cast<std::size_t>(l.output);
  for (int g = 0; g < 4; ++g) {
    l.wx_scale[g] = ref::random_real(rng, 0.004, 0.02);
    l.wh_scale[g] = ref::random_real(rng, 0.004, 0.02);
    l.wc_scale[g] = ref::random_real(rng, 1e-5, 5e-5);
    l.wx[g] = ref::random_vector<std::int8_t>(rng, U * I, -127, 127);
    l.wh[g] = ref::random_vector<std::int8_t>(rng, U * O, -127, 127);
    l.wc[g] = ref::random_vector<std::int16_t>(rng, U, -20000, 20000);
    // Bias scale: input_scale * wx_scale (TFLite's convention).
    l.bias[g].resize(U);
    for (auto& b : l.bias[g])
      b = static_cast<std::int32_t>(ref::random_real(rng, -0.5, 0.5) / (l.input_scale * l.wx_scale[g]));
  }
  l.wp_scale = ref::random_real(rng, 0.004, 0.02);
  l.wp = ref::random_vector<std::int8_t>(rng, O * U, -127, 127);
  l.pbias = ref::random_vector<std::int32_t>(rng, O, -3000, 3000);
  l.cell_clip = t % 3 == 0 ? 3.0f : 0.0f;
  l.proj_clip = l.projection && t % 2 ? 0.6f : 0.0f;
  return l;
}

/// Kernel parameters from the layer's scales, as the importer derives them.
struct Prepared {
  IntegerLstmParams p;
  IntegerLstmWeights w;
  std::vector<std::int32_t> biases[9];
};
void prepare_layer(const Layer& l, Rounding rounding, Prepared& out) {
  IntegerLstmParams& p = out.p;
  p.batch = l.batch;
  p.time = l.time;
  p.input = l.input;
  p.units = l.units;
  p.output = l.output;
  p.time_major = l.time_major;
  p.cifg = l.cifg;
  p.peephole = l.peephole;
  p.projection = l.projection;
  p.cell_scale = l.cell_scale;
  p.rounding = rounding;
  p.hidden_zero_point = l.hidden_zp;
  p.output_zero_point = l.state_zp;
  p.cell_clip = l.cell_clip > 0 ? static_cast<std::int16_t>(std::ldexp(l.cell_clip, -l.cell_scale)) : std::int16_t{0};
  p.projection_clip =
      l.proj_clip > 0 ? static_cast<std::int8_t>(std::min(127.0, l.proj_clip / l.state_scale)) : std::int8_t{0};
  for (int g = 0; g < 4; ++g) {
    if (g == 0 && l.cifg) continue;
    p.input_to_gate[g] = quantize_multiplier(l.wx_scale[g] * l.input_scale * 4096.0, rounding);
    p.recurrent_to_gate[g] = quantize_multiplier(l.wh_scale[g] * l.state_scale * 4096.0, rounding);
    p.cell_to_gate[g] = quantize_multiplier(std::ldexp(l.wc_scale[g], l.cell_scale) * 4096.0, rounding);
    out.biases[g].resize(static_cast<std::size_t>(l.units));
    out.biases[4 + g].resize(static_cast<std::size_t>(l.units));
    fold_zero_point(l.wx[g].data(), l.units, l.input, l.bias[g].data(), l.input_zp, out.biases[g].data());
    fold_zero_point(l.wh[g].data(), l.units, l.output, nullptr, l.state_zp, out.biases[4 + g].data());
    out.w.input_to_gate[g] = l.wx[g].data();
    out.w.recurrent_to_gate[g] = l.wh[g].data();
    out.w.input_bias[g] = out.biases[g].data();
    out.w.recurrent_bias[g] = out.biases[4 + g].data();
    out.w.cell_to_gate[g] = l.wc[g].data();
  }
  p.hidden = quantize_multiplier(std::ldexp(1.0, -30) / l.hidden_scale, rounding);
  if (l.projection) {
    p.projection_multiplier = quantize_multiplier(l.wp_scale * l.hidden_scale / l.state_scale, rounding);
    out.biases[8].resize(static_cast<std::size_t>(l.output));
    fold_zero_point(l.wp.data(), l.output, l.units, l.pbias.data(), l.hidden_zp, out.biases[8].data());
    out.w.projection = l.wp.data();
    out.w.projection_bias = out.biases[8].data();
  }
}

/// The reference: TFLite's integer LSTM step written out with explicit zero points.
std::vector<std::int8_t> reference_lstm(const Layer& l, bool single, const std::vector<std::int8_t>& x) {
  auto requant = [&](std::int64_t v, double real) {
    const Multiplier m = multiplier_of(real);
    return single ? ref::requantize_single(v, m.m, m.shift) : ref::requantize_double(v, m.m, m.shift);
  };
  auto sat16 = [](std::int64_t v) { return ref::clamp(v, -32768, 32767); };
  const auto U = static_cast<std::size_t>(l.units), I = static_cast<std::size_t>(l.input),
             O = static_cast<std::size_t>(l.output);
  std::vector<std::int8_t> y(static_cast<std::size_t>(l.batch * l.time) * O);
  const int cell_bits = 15 + l.cell_scale;
  const auto clip16 = static_cast<std::int32_t>(l.cell_clip > 0 ? std::ldexp(l.cell_clip, -l.cell_scale) : 0);
  const auto clip8 = static_cast<std::int32_t>(l.proj_clip > 0 ? std::min(127.0, l.proj_clip / l.state_scale) : 0);
  for (int b = 0; b < l.batch; ++b) {
    std::vector<std::int32_t> h(O, l.state_zp), c(U, 0);
    for (int t = 0; t < l.time; ++t) {
      const std::size_t step =
          l.time_major ? static_cast<std::size_t>(t * l.batch + b) : static_cast<std::size_t>(b * l.time + t);
      const std::int8_t* xt = x.data() + step * I;
      std::int32_t gate[4][16] = {};
      auto pre = [&](int g, std::size_t r) {
        std::int64_t ax = l.bias[g][r], ah = 0;
        for (std::size_t k = 0; k < I; ++k) ax += std::int64_t{xt[k] - l.input_zp} * l.wx[g][r * I + k];
        for (std::size_t k = 0; k < O; ++k) ah += std::int64_t{h[k] - l.state_zp} * l.wh[g][r * O + k];
        std::int32_t v = sat16(requant(ax, l.wx_scale[g] * l.input_scale * 4096.0));
        v = sat16(std::int64_t{v} + requant(ah, l.wh_scale[g] * l.state_scale * 4096.0));
        return v;
      };
      auto peep = [&](int g, std::size_t r, std::int32_t v, std::int32_t cell) {
        return sat16(std::int64_t{v} +
                     requant(std::int64_t{l.wc[g][r]} * cell, std::ldexp(l.wc_scale[g], l.cell_scale) * 4096.0));
      };
      for (std::size_t r = 0; r < U; ++r) {
        for (int g = 0; g < 4; ++g) {
          if (g == 0 && l.cifg) continue;
          gate[g][r] = pre(g, r);
          if (l.peephole && g < 2) gate[g][r] = peep(g, r, gate[g][r], c[r]);
        }
        const std::int32_t f = fixed_point16::logistic(static_cast<std::int16_t>(gate[1][r]), 3);
        const std::int32_t g = fixed_point16::tanh(static_cast<std::int16_t>(gate[2][r]), 3);
        const std::int32_t i = l.cifg ? 32767 - f : fixed_point16::logistic(static_cast<std::int16_t>(gate[0][r]), 3);
        const auto kept = static_cast<std::int16_t>(ref::round_away_div_pow2(std::int64_t{f} * c[r], 15));
        const auto added = static_cast<std::int16_t>(ref::round_away_div_pow2(std::int64_t{i} * g, 30 + l.cell_scale));
        std::int32_t cell = sat16(std::int64_t{kept} + added);
        if (clip16 > 0) cell = std::clamp(cell, -clip16, clip16);
        c[r] = cell;
        if (l.peephole) gate[3][r] = peep(3, r, gate[3][r], cell);
      }
      std::vector<std::int32_t> hidden(U);
      for (std::size_t r = 0; r < U; ++r) {
        const std::int32_t o = fixed_point16::logistic(static_cast<std::int16_t>(gate[3][r]), 3);
        const std::int32_t tc = fixed_point16::tanh(static_cast<std::int16_t>(c[r]), cell_bits);
        hidden[r] =
            ref::clamp(std::int64_t{requant(std::int64_t{o} * tc, std::ldexp(1.0, -30) / l.hidden_scale)} + l.hidden_zp,
                       -128, 127);
      }
      if (l.projection) {
        for (std::size_t r = 0; r < O; ++r) {
          std::int64_t acc = l.pbias[r];
          for (std::size_t k = 0; k < U; ++k) acc += std::int64_t{hidden[k] - l.hidden_zp} * l.wp[r * U + k];
          std::int32_t v = ref::clamp(
              std::int64_t{requant(acc, l.wp_scale * l.hidden_scale / l.state_scale)} + l.state_zp, -128, 127);
          if (clip8 > 0) v = std::clamp(v, -clip8, clip8);
          h[r] = v;
        }
      } else {
        h = hidden;
      }
      for (std::size_t r = 0; r < O; ++r) y[step * O + r] = static_cast<std::int8_t>(h[r]);
    }
  }
  return y;
}

std::vector<std::int8_t> run_kernel(const Layer& l, Rounding rounding, const std::vector<std::int8_t>& x) {
  Prepared prepared;
  prepare_layer(l, rounding, prepared);
  REQUIRE(prepare(prepared.p, prepared.w).ok());
  std::vector<std::int8_t> h(static_cast<std::size_t>(l.batch * l.output), static_cast<std::int8_t>(l.state_zp));
  std::vector<std::int16_t> c(static_cast<std::size_t>(l.batch * l.units), 0);
  std::vector<std::int8_t> y(static_cast<std::size_t>(l.batch * l.time * l.output));
  std::vector<std::byte> scratch(lstm_integer_scratch_bytes(prepared.p));
  lstm_integer(backend::scalar{}, prepared.p, prepared.w, x.data(), h.data(), c.data(), y.data(), scratch.data());
  return y;
}

}  // namespace

TEST_CASE("integer LSTM equals the reference loop (CIFG, peephole, projection, clips, time-major, both roundings)") {
  std::mt19937 rng(77);
  for (int t = 0; t < 80; ++t) {
    const Layer l = random_layer(rng, t);
    const auto x =
        ref::random_vector<std::int8_t>(rng, static_cast<std::size_t>(l.batch * l.time * l.input), -128, 127);
    INFO("case ", t, " cifg ", l.cifg, " peephole ", l.peephole, " projection ", l.projection, " units ", l.units);
    CHECK(run_kernel(l, Rounding::double_rounding, x) == reference_lstm(l, false, x));
    CHECK(run_kernel(l, Rounding::single_rounding, x) == reference_lstm(l, true, x));
  }
}

TEST_CASE("integer LSTM output is close to the float LSTM on the dequantized weights") {
  std::mt19937 rng(78);
  int worst = 0;
  std::size_t total = 0, exact = 0;
  for (int t = 0; t < 40; ++t) {
    Layer l = random_layer(rng, t);
    l.cell_clip = 0;  // a float clip and a quantized one round differently
    l.proj_clip = 0;
    // Keep projected outputs inside int8's range: the float LSTM does not saturate its recurrent
    // state, the integer one must (that difference is the model's quantization, not the kernel's).
    l.wp_scale = ref::random_real(rng, 0.0005, 0.0015);
    const auto x =
        ref::random_vector<std::int8_t>(rng, static_cast<std::size_t>(l.batch * l.time * l.input), -128, 127);
    const auto got = run_kernel(l, Rounding::double_rounding, x);
    // Float LSTM on dequantized values.
    const auto U = static_cast<std::size_t>(l.units), I = static_cast<std::size_t>(l.input),
               O = static_cast<std::size_t>(l.output);
    std::vector<float> fx(x.size()), wx[4], wh[4], b[4], pc[3], wp(O * U), pb(O);
    for (std::size_t k = 0; k < x.size(); ++k) fx[k] = static_cast<float>(l.input_scale * (x[k] - l.input_zp));
    LstmWeights w;
    for (int g = 0; g < 4; ++g) {
      wx[g].resize(U * I);
      wh[g].resize(U * O);
      b[g].resize(U);
      for (std::size_t k = 0; k < U * I; ++k) wx[g][k] = static_cast<float>(l.wx_scale[g] * l.wx[g][k]);
      for (std::size_t k = 0; k < U * O; ++k) wh[g][k] = static_cast<float>(l.wh_scale[g] * l.wh[g][k]);
      for (std::size_t k = 0; k < U; ++k) b[g][k] = static_cast<float>(l.input_scale * l.wx_scale[g] * l.bias[g][k]);
      if (g == 0 && l.cifg) continue;
      w.input_to_gate[g] = wx[g].data();
      w.recurrent_to_gate[g] = wh[g].data();
      w.bias[g] = b[g].data();
    }
    if (l.peephole) {
      const int gates[3] = {0, 1, 3};
      for (int k = 0; k < 3; ++k) {
        pc[k].resize(U);
        for (std::size_t r = 0; r < U; ++r) pc[k][r] = static_cast<float>(l.wc_scale[gates[k]] * l.wc[gates[k]][r]);
        if (!(k == 0 && l.cifg)) w.peephole[k] = pc[k].data();
      }
    }
    if (l.projection) {
      for (std::size_t k = 0; k < O * U; ++k) wp[k] = static_cast<float>(l.wp_scale * l.wp[k]);
      for (std::size_t k = 0; k < O; ++k) pb[k] = static_cast<float>(l.wp_scale * l.hidden_scale * l.pbias[k]);
      w.projection = wp.data();
      w.projection_bias = pb.data();
    }
    LstmParams p;
    p.batch = l.batch;
    p.time = l.time;
    p.input = l.input;
    p.units = l.units;
    p.output = l.output;
    p.time_major = l.time_major;
    REQUIRE(prepare(p, w).ok());
    std::vector<float> h(static_cast<std::size_t>(l.batch) * O, static_cast<float>(0.0)),
        c(static_cast<std::size_t>(l.batch) * U, 0.0f), y(got.size()), scratch(lstm_scratch_size(p));
    lstm(backend::scalar{}, p, w, fx.data(), h.data(), c.data(), y.data(), scratch.data());
    int case_worst = 0;
    for (std::size_t k = 0; k < got.size(); ++k) {
      const double expected = y[k] / l.state_scale + l.state_zp;
      const int diff = static_cast<int>(std::lround(std::fabs(got[k] - std::clamp(expected, -128.0, 127.0))));
      worst = std::max(worst, diff);
      case_worst = std::max(case_worst, diff);
      exact += diff == 0;
      ++total;
    }
    if (case_worst > 2)
      MESSAGE("case ", t, " worst ", case_worst, " cifg ", l.cifg, " peephole ", l.peephole, " projection ",
              l.projection, " time_major ", l.time_major, " batch ", l.batch, " time ", l.time);
  }
  MESSAGE("integer vs float LSTM: max ", worst, " LSB, ", exact, " of ", total, " outputs within 0.5 LSB");
  CHECK(worst <= 4);
}
