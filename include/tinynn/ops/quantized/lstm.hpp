// tinynn — TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM (float32 evaluation; lives beside the int8 kernels
// because it serves the TFLite importer). Per time step, gates i, f, c, o (TFLite order):
//   i = sigmoid(W_i x + R_i h + p_i (.) c + b_i)      (CIFG, no W_i: i = 1 - f)
//   f = sigmoid(W_f x + R_f h + p_f (.) c + b_f),  g = act(W_c x + R_c h + b_c)
//   c' = clip(f (.) c + i (.) g, cell_clip),  o = sigmoid(W_o x + R_o h + p_o (.) c' + b_o)
//   h' = o (.) act(c'),  then with a projection: h' = clip(P h' + b_p, proj_clip)
// Differences from ONNX LSTM: TFLite clips the cell state (not the pre-activations) and has a
// projection. Layer-normalized LSTMs are not supported (prepare() says so).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinynn/backends/tags.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::quantized {

enum class LstmActivation : std::uint8_t { none, relu, relu6, tanh, sigmoid };

struct LstmWeights {
  const float* input_to_gate[4] = {};      // [units, input] each: i, f, c, o (i may be null: CIFG)
  const float* recurrent_to_gate[4] = {};  // [units, output] each
  const float* peephole[3] = {};           // [units]: i, f, o (optional)
  const float* bias[4] = {};               // [units] each (may be null)
  const float* projection = nullptr;       // [output, units] (optional)
  const float* projection_bias = nullptr;  // [output]
};

struct LstmParams {
  std::int32_t batch = 1, time = 1, input = 0, units = 0, output = 0;  // output = units without projection
  bool time_major = false;
  float cell_clip = 0.0f, proj_clip = 0.0f;
  LstmActivation activation = LstmActivation::tanh;
};

[[nodiscard]] inline Status prepare(const LstmParams& p, const LstmWeights& w) {
  if (p.batch < 0 || p.time < 0 || p.input <= 0 || p.units <= 0 || p.output <= 0) {
    return error(ErrorCode::invalid_argument, "LSTM: batch ", p.batch, ", time ", p.time, ", input ", p.input,
                 ", units ", p.units, ", output ", p.output);
  }
  for (int g = 1; g < 4; ++g) {
    if (!w.input_to_gate[g] || !w.recurrent_to_gate[g]) {
      return error(ErrorCode::invalid_argument, "LSTM: gate ", g, " has no input or recurrent weights");
    }
  }
  if (!w.projection && p.output != p.units) {
    return error(ErrorCode::invalid_argument, "LSTM: output size ", p.output, " without a projection needs ", p.units);
  }
  return {};
}

/// Floats of scratch: the four gates and the projection input.
[[nodiscard]] constexpr std::size_t lstm_scratch_size(const LstmParams& p) noexcept {
  return static_cast<std::size_t>(5 * p.units);
}

namespace detail {
inline float lstm_activation(LstmActivation a, float x) noexcept {
  switch (a) {
    case LstmActivation::none: return x;
    case LstmActivation::relu: return x > 0.0f ? x : 0.0f;
    case LstmActivation::relu6: return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case LstmActivation::tanh: return std::tanh(x);
    case LstmActivation::sigmoid: return 1.0f / (1.0f + std::exp(-x));
  }
  return x;
}
inline float sigmoid(float x) noexcept { return 1.0f / (1.0f + std::exp(-x)); }
inline float clip(float x, float limit) noexcept {
  if (limit <= 0.0f) return x;
  return x < -limit ? -limit : (x > limit ? limit : x);
}
}  // namespace detail

/// x [batch, time, input] (or [time, batch, input]); h [batch, output] and c [batch, units] are the
/// state, read and updated in place; y like x with `output` features.
inline void lstm(backend::scalar, const LstmParams& p, const LstmWeights& w, const float* x, float* h, float* c,
                 float* y, float* scratch) noexcept {
  const auto units = static_cast<std::size_t>(p.units), in = static_cast<std::size_t>(p.input),
             out = static_cast<std::size_t>(p.output);
  float* gate[4] = {scratch, scratch + units, scratch + 2 * units, scratch + 3 * units};
  float* hidden = scratch + 4 * units;
  for (std::int32_t t = 0; t < p.time; ++t) {
    for (std::int32_t b = 0; b < p.batch; ++b) {
      const std::size_t row =
          p.time_major ? static_cast<std::size_t>(t) * p.batch + b : static_cast<std::size_t>(b) * p.time + t;
      const float* xt = x + row * in;
      float* hb = h + static_cast<std::size_t>(b) * out;
      float* cb = c + static_cast<std::size_t>(b) * units;
      for (int g = 0; g < 4; ++g) {
        if (!w.input_to_gate[g]) continue;
        for (std::size_t u = 0; u < units; ++u) {
          float acc = w.bias[g] ? w.bias[g][u] : 0.0f;
          const float* wi = w.input_to_gate[g] + u * in;
          for (std::size_t k = 0; k < in; ++k) acc += wi[k] * xt[k];
          const float* wr = w.recurrent_to_gate[g] + u * out;
          for (std::size_t k = 0; k < out; ++k) acc += wr[k] * hb[k];
          gate[g][u] = acc;
        }
      }
      for (std::size_t u = 0; u < units; ++u) {
        const float f = detail::sigmoid(gate[1][u] + (w.peephole[1] ? w.peephole[1][u] * cb[u] : 0.0f));
        const float i = w.input_to_gate[0]
                            ? detail::sigmoid(gate[0][u] + (w.peephole[0] ? w.peephole[0][u] * cb[u] : 0.0f))
                            : 1.0f - f;
        const float g = detail::lstm_activation(p.activation, gate[2][u]);
        const float cell = detail::clip(f * cb[u] + i * g, p.cell_clip);
        cb[u] = cell;
        const float o = detail::sigmoid(gate[3][u] + (w.peephole[2] ? w.peephole[2][u] * cell : 0.0f));
        hidden[u] = o * detail::lstm_activation(p.activation, cell);
      }
      if (w.projection) {
        for (std::size_t k = 0; k < out; ++k) {
          float acc = w.projection_bias ? w.projection_bias[k] : 0.0f;
          for (std::size_t u = 0; u < units; ++u) acc += w.projection[k * units + u] * hidden[u];
          hb[k] = detail::clip(acc, p.proj_clip);
        }
      } else {
        std::memcpy(hb, hidden, units * sizeof(float));
      }
      std::memcpy(y + row * out, hb, out * sizeof(float));
    }
  }
}

}  // namespace tinynn::ops::quantized
