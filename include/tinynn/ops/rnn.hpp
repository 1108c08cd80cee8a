// tinynn — recurrent layers with ONNX semantics: LSTM (gates i,o,f,c), GRU (gates z,r,h) and the
// simple RNN; forward / reverse / bidirectional, initial states, per-batch sequence lengths, LSTM
// peepholes and input_forget, GRU linear_before_reset, named activations, cell clip.
//   LSTM: i,f,o = f(W x + R h + b [+ p (.) c]), g = g(...), c' = f (.) c + i (.) g, h' = o (.) h(c')
//   GRU:  z,r = f(W x + R h + b), n = g(W x + R (r (.) h) + b)  [or r (.) (R h + Rb)], h' = (1-z) (.) n + z (.) h
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops {
namespace recurrent {

enum class Direction : std::uint8_t { forward, reverse, bidirectional };

/// The activation functions ONNX allows in RNN/GRU/LSTM, with their alpha/beta.
enum class ActivationKind : std::uint8_t {
  sigmoid,
  tanh,
  relu,
  affine,            // alpha x + beta
  leaky_relu,        // x >= 0 ? x : alpha x
  thresholded_relu,  // x > alpha ? x : 0
  scaled_tanh,       // alpha tanh(beta x)
  hard_sigmoid,      // clamp(alpha x + beta, 0, 1)
  elu,               // x >= 0 ? x : alpha (e^x - 1)
  softsign,          // x / (1 + |x|)
  softplus,          // log(1 + e^x)
};

struct Activation {
  ActivationKind kind = ActivationKind::sigmoid;
  float alpha = 0.0f, beta = 0.0f;
  friend constexpr bool operator==(const Activation&, const Activation&) = default;
};

/// ONNX activation name (case-sensitive, as in the spec: "Sigmoid", "Tanh", "Relu", "Affine",
/// "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu", "Softsign", "Softplus");
/// alpha/beta may be null for the ONNX defaults.
[[nodiscard]] inline Result<Activation> activation_from_name(std::string_view name, const float* alpha = nullptr,
                                                             const float* beta = nullptr) {
  struct Entry {
    std::string_view name;
    ActivationKind kind;
    float alpha, beta;
  };
  constexpr Entry table[] = {
      {"Sigmoid", ActivationKind::sigmoid, 0, 0},
      {"Tanh", ActivationKind::tanh, 0, 0},
      {"Relu", ActivationKind::relu, 0, 0},
      {"Affine", ActivationKind::affine, 1.0f, 0.0f},
      {"LeakyRelu", ActivationKind::leaky_relu, 0.01f, 0},
      {"ThresholdedRelu", ActivationKind::thresholded_relu, 1.0f, 0},
      {"ScaledTanh", ActivationKind::scaled_tanh, 1.0f, 1.0f},
      {"HardSigmoid", ActivationKind::hard_sigmoid, 0.2f, 0.5f},
      {"Elu", ActivationKind::elu, 1.0f, 0},
      {"Softsign", ActivationKind::softsign, 0, 0},
      {"Softplus", ActivationKind::softplus, 0, 0},
  };
  for (const Entry& e : table) {
    if (e.name == name) return Activation{e.kind, alpha ? *alpha : e.alpha, beta ? *beta : e.beta};
  }
  return error(ErrorCode::unsupported, "recurrent activation '", name, "' is not one ONNX defines");
}

[[nodiscard]] inline float apply(const Activation& a, float x) noexcept {
  switch (a.kind) {
    case ActivationKind::sigmoid: return x >= 0.0f ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x));
    case ActivationKind::tanh: return std::tanh(x);
    case ActivationKind::relu: return x > 0.0f ? x : 0.0f;
    case ActivationKind::affine: return a.alpha * x + a.beta;
    case ActivationKind::leaky_relu: return x >= 0.0f ? x : a.alpha * x;
    case ActivationKind::thresholded_relu: return x > a.alpha ? x : 0.0f;
    case ActivationKind::scaled_tanh: return a.alpha * std::tanh(a.beta * x);
    case ActivationKind::hard_sigmoid: {
      const float v = a.alpha * x + a.beta;
      return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
    }
    case ActivationKind::elu: return x >= 0.0f ? x : a.alpha * std::expm1(x);
    case ActivationKind::softsign: return x / (1.0f + std::fabs(x));
    case ActivationKind::softplus: return x > 0.0f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
  return x;
}

/// Sizes and options every recurrent layer shares.
struct Shape {
  std::int64_t seq_length = 0, batch = 0, input_size = 0, hidden_size = 0;
  Direction direction = Direction::forward;
  bool batch_first =
      false;          // ONNX layout=1: X [batch, seq, input], Y [batch, seq, dirs, hidden], Y_h [batch, dirs, hidden]
  float clip = 0.0f;  // > 0: pre-activations are clamped to [-clip, clip]
  [[nodiscard]] constexpr std::int64_t directions() const noexcept {
    return direction == Direction::bidirectional ? 2 : 1;
  }
};

/// Inputs a sequence needs besides the weights; any pointer may be null (zeros / full length).
struct Sequence {
  const float* x = nullptr;               // [seq, batch, input] (or batch-first)
  const std::int32_t* lengths = nullptr;  // [batch]
  const float* initial_h = nullptr;       // [dirs, batch, hidden] (or [batch, dirs, hidden])
  const float* initial_c = nullptr;       // LSTM only, as initial_h
  float* y = nullptr;                     // [seq, dirs, batch, hidden] (or [batch, seq, dirs, hidden])
  float* y_h = nullptr;                   // as initial_h
  float* y_c = nullptr;                   // LSTM only
};

[[nodiscard]] inline Status validate(const Shape& s, const char* op, std::int64_t activations_per_direction,
                                     std::int64_t activation_count) {
  if (s.seq_length < 0 || s.batch < 0 || s.input_size < 0 || s.hidden_size <= 0) {
    return error(ErrorCode::invalid_argument, op, ": seq_length=", s.seq_length, " batch=", s.batch,
                 " input_size=", s.input_size, " hidden_size=", s.hidden_size,
                 " (hidden_size must be positive, the others non-negative)");
  }
  if (s.hidden_size > (std::int64_t{1} << 24) || s.input_size > (std::int64_t{1} << 24)) {
    return error(ErrorCode::invalid_argument, op, ": hidden_size ", s.hidden_size, " or input_size ", s.input_size,
                 " is too large");
  }
  if (activation_count != activations_per_direction * s.directions()) {
    return error(ErrorCode::invalid_argument, op, ": ", activation_count, " activations given, expected ",
                 activations_per_direction * s.directions());
  }
  if (!(s.clip >= 0.0f)) return error(ErrorCode::invalid_argument, op, ": clip ", s.clip, " must be >= 0");
  return {};
}

namespace detail {

/// out[j] += sum_k m[j*cols + k] * v[k] for j < rows (m row-major).
inline void matvec_accumulate(const float* TINYNN_RESTRICT m, std::size_t rows, std::size_t cols,
                              const float* TINYNN_RESTRICT v, float* TINYNN_RESTRICT out) noexcept {
  for (std::size_t j = 0; j < rows; ++j) {
    const float* row = m + j * cols;
    // Four partial sums: shorter dependency chains, and the compiler can vectorise them.
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    std::size_t k = 0;
    for (; k + 4 <= cols; k += 4) {
      s0 += row[k] * v[k];
      s1 += row[k + 1] * v[k + 1];
      s2 += row[k + 2] * v[k + 2];
      s3 += row[k + 3] * v[k + 3];
    }
    for (; k < cols; ++k) s0 += row[k] * v[k];
    out[j] += (s0 + s1) + (s2 + s3);
  }
}

[[nodiscard]] inline float clip_value(float x, float clip) noexcept {
  if (clip <= 0.0f) return x;
  return x < -clip ? -clip : (x > clip ? clip : x);
}

/// Offsets of X[t, b], Y[t, d, b] and state[d, b] in the two ONNX layouts.
struct Layout {
  const Shape& s;
  [[nodiscard]] std::size_t x(std::int64_t t, std::int64_t b) const noexcept {
    const std::int64_t row = s.batch_first ? b * s.seq_length + t : t * s.batch + b;
    return static_cast<std::size_t>(row * s.input_size);
  }
  [[nodiscard]] std::size_t y(std::int64_t t, std::int64_t d, std::int64_t b) const noexcept {
    const std::int64_t dirs = s.directions();
    const std::int64_t row = s.batch_first ? (b * s.seq_length + t) * dirs + d : (t * dirs + d) * s.batch + b;
    return static_cast<std::size_t>(row * s.hidden_size);
  }
  [[nodiscard]] std::size_t state(std::int64_t d, std::int64_t b) const noexcept {
    const std::int64_t row = s.batch_first ? b * s.directions() + d : d * s.batch + b;
    return static_cast<std::size_t>(row * s.hidden_size);
  }
};

/// Runs `step(d, b, t, h, c)` over every direction, batch entry and valid time step in ONNX order
/// (reverse directions walk each sequence from its own last valid step), after loading the
/// initial state and zeroing Y; stores Y, Y_h and Y_c. h and c are `hidden` floats of scratch.
template <class Step>
inline void for_each_step(const Shape& s, const Sequence& io, float* h, float* c, Step&& step) noexcept {
  const Layout at{s};
  const auto hidden = static_cast<std::size_t>(s.hidden_size);
  if (io.y) {
    std::memset(io.y, 0, static_cast<std::size_t>(s.seq_length * s.directions() * s.batch) * hidden * sizeof(float));
  }
  for (std::int64_t d = 0; d < s.directions(); ++d) {
    const bool reverse = s.direction == Direction::reverse || d == 1;
    for (std::int64_t b = 0; b < s.batch; ++b) {
      std::int64_t length = io.lengths ? io.lengths[b] : s.seq_length;
      length = length < 0 ? 0 : (length > s.seq_length ? s.seq_length : length);
      for (std::size_t j = 0; j < hidden; ++j) {
        h[j] = io.initial_h ? io.initial_h[at.state(d, b) + j] : 0.0f;
        if (c) c[j] = io.initial_c ? io.initial_c[at.state(d, b) + j] : 0.0f;
      }
      for (std::int64_t k = 0; k < length; ++k) {
        const std::int64_t t = reverse ? length - 1 - k : k;
        step(d, t, io.x + at.x(t, b), h, c);
        if (io.y) std::memcpy(io.y + at.y(t, d, b), h, hidden * sizeof(float));
      }
      if (io.y_h) std::memcpy(io.y_h + at.state(d, b), h, hidden * sizeof(float));
      if (io.y_c && c) std::memcpy(io.y_c + at.state(d, b), c, hidden * sizeof(float));
    }
  }
}

}  // namespace detail
}  // namespace recurrent

namespace lstm {

/// ONNX LSTM weights: w [dirs, 4H, input], r [dirs, 4H, H] (gate blocks i, o, f, c), optional
/// b [dirs, 8H] (Wb then Rb) and peepholes p [dirs, 3H] (i, o, f).
struct Weights {
  const float* w = nullptr;
  const float* r = nullptr;
  const float* b = nullptr;
  const float* p = nullptr;
};

struct Params {
  recurrent::Shape shape;
  bool input_forget = false;  // couple the gates: f = 1 - i
  // f (gates), g (cell input), h (cell output) per direction; defaults Sigmoid, Tanh, Tanh
  recurrent::Activation activations[2][3] = {
      {{recurrent::ActivationKind::sigmoid}, {recurrent::ActivationKind::tanh}, {recurrent::ActivationKind::tanh}},
      {{recurrent::ActivationKind::sigmoid}, {recurrent::ActivationKind::tanh}, {recurrent::ActivationKind::tanh}}};
};

/// Floats of scratch run() needs: the gates, h and c of one sequence.
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  return static_cast<std::size_t>(6 * p.shape.hidden_size);
}

/// `activation_count`: how many activations the node named (0 = defaults), for the check.
[[nodiscard]] inline Status prepare(const Params& p, std::int64_t activation_count = 0) {
  return recurrent::validate(p.shape, "LSTM", 3, activation_count ? activation_count : 3 * p.shape.directions());
}

template <backend::Backend B = backend::native>
inline void run(const Params& p, const Weights& w, const recurrent::Sequence& io, float* scratch) noexcept {
  backend::require_compilable<B>();
  const recurrent::Shape& s = p.shape;
  const auto hidden = static_cast<std::size_t>(s.hidden_size), input = static_cast<std::size_t>(s.input_size);
  float* gates = scratch;           // [4H]: i, o, f, c
  float* h = scratch + 4 * hidden;  // [H]
  float* c = h + hidden;            // [H]
  recurrent::detail::for_each_step(
      s, io, h, c, [&](std::int64_t d, std::int64_t, const float* x, float* hs, float* cs) {
        const auto dd = static_cast<std::size_t>(d);
        const float* wd = w.w + dd * 4 * hidden * input;
        const float* rd = w.r + dd * 4 * hidden * hidden;
        const recurrent::Activation* act = p.activations[d];
        for (std::size_t j = 0; j < 4 * hidden; ++j) {
          gates[j] = w.b ? w.b[dd * 8 * hidden + j] + w.b[dd * 8 * hidden + 4 * hidden + j] : 0.0f;
        }
        recurrent::detail::matvec_accumulate(wd, 4 * hidden, input, x, gates);
        recurrent::detail::matvec_accumulate(rd, 4 * hidden, hidden, hs, gates);
        const float* peep = w.p ? w.p + dd * 3 * hidden : nullptr;
        for (std::size_t j = 0; j < hidden; ++j) {
          float gi = gates[j], go = gates[hidden + j], gf = gates[2 * hidden + j], gc = gates[3 * hidden + j];
          if (peep) {
            gi += peep[j] * cs[j];
            gf += peep[2 * hidden + j] * cs[j];
          }
          const float i = recurrent::apply(act[0], recurrent::detail::clip_value(gi, s.clip));
          const float f =
              p.input_forget ? 1.0f - i : recurrent::apply(act[0], recurrent::detail::clip_value(gf, s.clip));
          const float g = recurrent::apply(act[1], recurrent::detail::clip_value(gc, s.clip));
          const float cell = f * cs[j] + i * g;
          cs[j] = cell;
          if (peep) go += peep[hidden + j] * cell;
          const float o = recurrent::apply(act[0], recurrent::detail::clip_value(go, s.clip));
          hs[j] = o * recurrent::apply(act[2], cell);
        }
      });
}

inline void run(backend::BackendId id, const Params& p, const Weights& w, const recurrent::Sequence& io,
                float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, w, io, scratch); });
}

}  // namespace lstm

namespace gru {

/// ONNX GRU weights: w [dirs, 3H, input], r [dirs, 3H, H] (gate blocks z, r, h), optional
/// b [dirs, 6H] (Wb then Rb).
struct Weights {
  const float* w = nullptr;
  const float* r = nullptr;
  const float* b = nullptr;
};

struct Params {
  recurrent::Shape shape;
  bool linear_before_reset = false;
  // f (gates z, r), g (candidate) per direction; defaults Sigmoid, Tanh
  recurrent::Activation activations[2][2] = {{{recurrent::ActivationKind::sigmoid}, {recurrent::ActivationKind::tanh}},
                                             {{recurrent::ActivationKind::sigmoid}, {recurrent::ActivationKind::tanh}}};
};

/// Floats of scratch run() needs.
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  return static_cast<std::size_t>(6 * p.shape.hidden_size);
}

[[nodiscard]] inline Status prepare(const Params& p, std::int64_t activation_count = 0) {
  return recurrent::validate(p.shape, "GRU", 2, activation_count ? activation_count : 2 * p.shape.directions());
}

template <backend::Backend B = backend::native>
inline void run(const Params& p, const Weights& w, const recurrent::Sequence& io, float* scratch) noexcept {
  backend::require_compilable<B>();
  const recurrent::Shape& s = p.shape;
  const auto hidden = static_cast<std::size_t>(s.hidden_size), input = static_cast<std::size_t>(s.input_size);
  float* gates = scratch;                   // [2H] z, r from x and h; then [H] candidate from x
  float* recurrent_h = gates + 3 * hidden;  // [H]: R_h (r (.) h) or R_h h
  float* h = recurrent_h + hidden;          // [H]
  float* reset_h = h + hidden;              // [H]: r (.) h
  recurrent::detail::for_each_step(
      s, io, h, nullptr, [&](std::int64_t d, std::int64_t, const float* x, float* hs, float*) {
        const auto dd = static_cast<std::size_t>(d);
        const float* wd = w.w + dd * 3 * hidden * input;
        const float* rd = w.r + dd * 3 * hidden * hidden;
        const float* wb = w.b ? w.b + dd * 6 * hidden : nullptr;
        const float* rb = w.b ? wb + 3 * hidden : nullptr;
        const recurrent::Activation* act = p.activations[d];
        for (std::size_t j = 0; j < 3 * hidden; ++j) gates[j] = wb ? wb[j] : 0.0f;
        recurrent::detail::matvec_accumulate(wd, 3 * hidden, input, x, gates);  // W x + Wb for z, r, h
        for (std::size_t j = 0; j < 2 * hidden; ++j) gates[j] += rb ? rb[j] : 0.0f;
        recurrent::detail::matvec_accumulate(rd, 2 * hidden, hidden, hs, gates);  // + R h + Rb for z, r
        for (std::size_t j = 0; j < 2 * hidden; ++j) {
          gates[j] = recurrent::apply(act[0], recurrent::detail::clip_value(gates[j], s.clip));
        }
        const float* z = gates;
        const float* r = gates + hidden;
        for (std::size_t j = 0; j < hidden; ++j) recurrent_h[j] = rb ? rb[2 * hidden + j] : 0.0f;
        if (p.linear_before_reset) {
          recurrent::detail::matvec_accumulate(rd + 2 * hidden * hidden, hidden, hidden, hs, recurrent_h);
          for (std::size_t j = 0; j < hidden; ++j) recurrent_h[j] *= r[j];
        } else {
          for (std::size_t j = 0; j < hidden; ++j) reset_h[j] = r[j] * hs[j];
          recurrent::detail::matvec_accumulate(rd + 2 * hidden * hidden, hidden, hidden, reset_h, recurrent_h);
        }
        for (std::size_t j = 0; j < hidden; ++j) {
          const float n =
              recurrent::apply(act[1], recurrent::detail::clip_value(gates[2 * hidden + j] + recurrent_h[j], s.clip));
          hs[j] = (1.0f - z[j]) * n + z[j] * hs[j];
        }
      });
}

inline void run(backend::BackendId id, const Params& p, const Weights& w, const recurrent::Sequence& io,
                float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, w, io, scratch); });
}

}  // namespace gru

namespace rnn {

/// ONNX RNN weights: w [dirs, H, input], r [dirs, H, H], optional b [dirs, 2H] (Wb then Rb).
struct Weights {
  const float* w = nullptr;
  const float* r = nullptr;
  const float* b = nullptr;
};

/// h' = f(W x + R h + Wb + Rb); f defaults to Tanh.
struct Params {
  recurrent::Shape shape;
  recurrent::Activation activations[2] = {{recurrent::ActivationKind::tanh}, {recurrent::ActivationKind::tanh}};
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  return static_cast<std::size_t>(2 * p.shape.hidden_size);
}

[[nodiscard]] inline Status prepare(const Params& p, std::int64_t activation_count = 0) {
  return recurrent::validate(p.shape, "RNN", 1, activation_count ? activation_count : p.shape.directions());
}

template <backend::Backend B = backend::native>
inline void run(const Params& p, const Weights& w, const recurrent::Sequence& io, float* scratch) noexcept {
  backend::require_compilable<B>();
  const recurrent::Shape& s = p.shape;
  const auto hidden = static_cast<std::size_t>(s.hidden_size), input = static_cast<std::size_t>(s.input_size);
  float* gates = scratch;
  float* h = scratch + hidden;
  recurrent::detail::for_each_step(
      s, io, h, nullptr, [&](std::int64_t d, std::int64_t, const float* x, float* hs, float*) {
        const auto dd = static_cast<std::size_t>(d);
        for (std::size_t j = 0; j < hidden; ++j) {
          gates[j] = w.b ? w.b[dd * 2 * hidden + j] + w.b[dd * 2 * hidden + hidden + j] : 0.0f;
        }
        recurrent::detail::matvec_accumulate(w.w + dd * hidden * input, hidden, input, x, gates);
        recurrent::detail::matvec_accumulate(w.r + dd * hidden * hidden, hidden, hidden, hs, gates);
        for (std::size_t j = 0; j < hidden; ++j) {
          hs[j] = recurrent::apply(p.activations[d], recurrent::detail::clip_value(gates[j], s.clip));
        }
      });
}

inline void run(backend::BackendId id, const Params& p, const Weights& w, const recurrent::Sequence& io,
                float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, w, io, scratch); });
}

}  // namespace rnn
}  // namespace tinynn::ops
