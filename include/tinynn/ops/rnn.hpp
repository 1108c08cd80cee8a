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
#include <type_traits>
#include <utility>

#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/config.hpp"
#include "tinynn/ops/activation.hpp"
#include "tinynn/ops/gemm.hpp"
#include "tinynn/status.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>
#endif

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

using ::tinynn::ops::detail::gemm_pack_b;
using ::tinynn::ops::detail::gemm_packed_b_floats;
using ::tinynn::ops::detail::gemm_panel_count;
using ::tinynn::ops::detail::gemm_panel_width;

[[nodiscard]] inline float clip_value(float x, float clip) noexcept {
  if (clip <= 0.0f) return x;
  return x < -clip ? -clip : (x > clip ? clip : x);
}

/// x[i] = a(clip(x[i])) for i < n; Sigmoid, Tanh and Relu run on the backend's vector kernels.
template <backend::Backend B>
inline void activate(const Activation& a, float clip, float* x, std::size_t n) noexcept {
  if (clip > 0.0f) {
    for (std::size_t i = 0; i < n; ++i) x[i] = clip_value(x[i], clip);
  }
  switch (a.kind) {
    case ActivationKind::sigmoid: unary::run<B>(UnaryParams{UnaryOp::sigmoid, 0.0f, 0.0f}, x, x, n); return;
    case ActivationKind::tanh: unary::run<B>(UnaryParams{UnaryOp::tanh, 0.0f, 0.0f}, x, x, n); return;
    case ActivationKind::relu: unary::run<B>(UnaryParams{UnaryOp::relu, 0.0f, 0.0f}, x, x, n); return;
    default:
      for (std::size_t i = 0; i < n; ++i) x[i] = apply(a, x[i]);
      return;
  }
}

// ---- matrix-vector product over GEMM-packed weights (ops/detail/gemm_kernel.hpp layout) ----
// out[j] = init[j] + sum_k v[k] * B[k][j] for j < n, B packed in 16-column panels of k rows.

/// Portable version: one panel at a time, 16 partial sums (vectorisable by the compiler).
inline void matvec_packed_generic(const float* packed, std::int64_t n, std::int64_t k, const float* v,
                                  const float* init, float* out) noexcept {
  constexpr std::int64_t w = gemm_panel_width;
  for (std::int64_t p = 0; p * w < n; ++p) {
    const float* panel = packed + p * k * w;
    float acc[w];
    const std::int64_t cols = n - p * w < w ? n - p * w : w;
    for (std::int64_t j = 0; j < w; ++j) acc[j] = j < cols ? init[p * w + j] : 0.0f;
    for (std::int64_t kk = 0; kk < k; ++kk) {
      const float s = v[kk];
      for (std::int64_t j = 0; j < w; ++j) acc[j] += s * panel[kk * w + j];
    }
    for (std::int64_t j = 0; j < cols; ++j) out[p * w + j] = acc[j];
  }
}

#if TINYNN_HAS_X86_KERNELS
/// AVX-512: P panels (P zmm accumulators, two sets over even/odd k for short FMA chains).
template <int P>
TINYNN_TARGET_AVX512 inline void matvec_block_avx512(const float* b, std::int64_t k, const float* v, const float* init,
                                                     float* out, bool backward) noexcept {
  const std::int64_t stride = k * 16;
  __m512 acc[P], acc2[P];
  for (int p = 0; p < P; ++p) {
    acc[p] = _mm512_loadu_ps(init + 16 * p);
    acc2[p] = _mm512_setzero_ps();
  }
  if (k % 2) {
    const __m512 v0 = _mm512_set1_ps(v[k - 1]);
    for (int p = 0; p < P; ++p) acc[p] = _mm512_fmadd_ps(v0, _mm512_loadu_ps(b + p * stride + (k - 1) * 16), acc[p]);
  }
  const std::int64_t pairs = k / 2;
  for (std::int64_t index = 0; index < pairs; ++index) {
    const std::int64_t kk = 2 * (backward ? pairs - 1 - index : index);
    const __m512 v0 = _mm512_set1_ps(v[kk]), v1 = _mm512_set1_ps(v[kk + 1]);
    for (int p = 0; p < P; ++p) {
      acc[p] = _mm512_fmadd_ps(v0, _mm512_loadu_ps(b + p * stride + kk * 16), acc[p]);
      acc2[p] = _mm512_fmadd_ps(v1, _mm512_loadu_ps(b + p * stride + kk * 16 + 16), acc2[p]);
    }
  }
  for (int p = 0; p < P; ++p) _mm512_storeu_ps(out + 16 * p, _mm512_add_ps(acc[p], acc2[p]));
}

/// AVX2: P panels of two ymm each.
template <int P>
TINYNN_TARGET_AVX2 inline void matvec_block_avx2(const float* b, std::int64_t k, const float* v, const float* init,
                                                 float* out, bool backward) noexcept {
  const std::int64_t stride = k * 16;
  __m256 acc[2 * P];
  for (int p = 0; p < 2 * P; ++p) acc[p] = _mm256_loadu_ps(init + 8 * p);
  for (std::int64_t step = 0; step < k; ++step) {
    const std::int64_t kk = backward ? k - 1 - step : step;
    const __m256 s = _mm256_set1_ps(v[kk]);
    for (int p = 0; p < P; ++p) {
      acc[2 * p] = _mm256_fmadd_ps(s, _mm256_loadu_ps(b + p * stride + kk * 16), acc[2 * p]);
      acc[2 * p + 1] = _mm256_fmadd_ps(s, _mm256_loadu_ps(b + p * stride + kk * 16 + 8), acc[2 * p + 1]);
    }
  }
  for (int p = 0; p < 2 * P; ++p) _mm256_storeu_ps(out + 8 * p, acc[p]);
}

/// The LSTM cell with the default activations (no clip, peepholes or input_forget), one pass over
/// the gates [i, o, f, c]: c = sig(f) c + sig(i) tanh(g), h = sig(o) tanh(c). Returns how many of
/// the `hidden` entries it did (a multiple of the vector width).
TINYNN_TARGET_AVX512 inline std::size_t lstm_cell_avx512(const float* gates, float* c, float* h,
                                                         std::size_t hidden) noexcept {
  namespace vx = backend::avx512_impl;
  std::size_t j = 0;
  for (; j + vx::lanes <= hidden; j += vx::lanes) {
    const vx::V i = vx::sigmoid(vx::load(gates + j)), o = vx::sigmoid(vx::load(gates + hidden + j));
    const vx::V f = vx::sigmoid(vx::load(gates + 2 * hidden + j)), g = vx::tanh(vx::load(gates + 3 * hidden + j));
    const vx::V cell = vx::fmadd(f, vx::load(c + j), vx::mul(i, g));
    vx::store(c + j, cell);
    vx::store(h + j, vx::mul(o, vx::tanh(cell)));
  }
  return j;
}
TINYNN_TARGET_AVX2 inline std::size_t lstm_cell_avx2(const float* gates, float* c, float* h,
                                                     std::size_t hidden) noexcept {
  namespace vx = backend::avx2_impl;
  std::size_t j = 0;
  for (; j + vx::lanes <= hidden; j += vx::lanes) {
    const vx::V i = vx::sigmoid(vx::load(gates + j)), o = vx::sigmoid(vx::load(gates + hidden + j));
    const vx::V f = vx::sigmoid(vx::load(gates + 2 * hidden + j)), g = vx::tanh(vx::load(gates + 3 * hidden + j));
    const vx::V cell = vx::fmadd(f, vx::load(c + j), vx::mul(i, g));
    vx::store(c + j, cell);
    vx::store(h + j, vx::mul(o, vx::tanh(cell)));
  }
  return j;
}

/// Runs `block.template operator()<P>(...)` over the panels, MaxP at a time; a partial last block goes
/// through a stack buffer so init and out are touched only in [0, n).
template <int MaxP, class Block>
inline void matvec_blocks(const Block& block, const float* packed, std::int64_t n, std::int64_t k, const float* v,
                          const float* init, float* out, bool backward) noexcept {
  const std::int64_t panels = gemm_panel_count(n), blocks = (panels + MaxP - 1) / MaxP;
  for (std::int64_t index = 0; index < blocks; ++index) {
    const std::int64_t p0 = (backward ? blocks - 1 - index : index) * MaxP;
    const int count = static_cast<int>(panels - p0 < MaxP ? panels - p0 : MaxP);
    const std::int64_t col0 = p0 * 16, cols = n - col0 < 16 * count ? n - col0 : 16 * count;
    const float* b = packed + p0 * k * 16;
    alignas(64) float in_buffer[16 * MaxP], out_buffer[16 * MaxP];
    const bool partial = cols < 16 * count;
    const float* i = init + col0;
    float* o = out + col0;
    if (partial) {
      for (std::int64_t j = 0; j < 16 * count; ++j) in_buffer[j] = j < cols ? init[col0 + j] : 0.0f;
      i = in_buffer;
      o = out_buffer;
    }
    [&]<int... Ps>(std::integer_sequence<int, Ps...>) {
      (void)((count == Ps + 1 ? (block.template operator()<Ps + 1>(b, k, v, i, o, backward), true) : false) || ...);
    }
    (std::make_integer_sequence<int, MaxP>{});
    if (partial) {
      for (std::int64_t j = 0; j < cols; ++j) out[col0 + j] = out_buffer[j];
    }
  }
}
#endif

/// out = init + v * B (B: n x k packed), on backend B. out must not alias v. `backward` walks the
/// weights in the opposite order: alternating it between steps starts each step on the weights the
/// last one touched, still in L1 when B is a little larger than L1.
template <backend::Backend Be>
inline void matvec_packed(const float* packed, std::int64_t n, std::int64_t k, const float* v, const float* init,
                          float* out, bool backward = false) noexcept {
#if TINYNN_HAS_X86_KERNELS
  if constexpr (std::is_same_v<Be, backend::avx512>) {
    const auto block = []<int P>(const float* b, std::int64_t kk, const float* vv, const float* i, float* o,
                                 bool back) noexcept { matvec_block_avx512<P>(b, kk, vv, i, o, back); };
    matvec_blocks<8>(block, packed, n, k, v, init, out, backward);
    return;
  } else if constexpr (std::is_same_v<Be, backend::avx2>) {
    const auto block = []<int P>(const float* b, std::int64_t kk, const float* vv, const float* i, float* o,
                                 bool back) noexcept { matvec_block_avx2<P>(b, kk, vv, i, o, back); };
    matvec_blocks<4>(block, packed, n, k, v, init, out, backward);
    return;
  }
#endif
  (void)backward;
  matvec_packed_generic(packed, n, k, v, init, out);
}

/// lstm_cell_* on backend B (0 entries done where there is none).
template <backend::Backend Be>
inline std::size_t lstm_cell(const float* gates, float* c, float* h, std::size_t hidden) noexcept {
#if TINYNN_HAS_X86_KERNELS
  if constexpr (std::is_same_v<Be, backend::avx512>) {
    return lstm_cell_avx512(gates, c, h, hidden);
  } else if constexpr (std::is_same_v<Be, backend::avx2>) {
    return lstm_cell_avx2(gates, c, h, hidden);
  }
#endif
  (void)gates, (void)c, (void)h, (void)hidden;
  return 0;
}

/// Packs an [n][k] row-major block (rows `ld` apart) into GEMM panels; bias_a + bias_b (each may
/// be null) go into the packed bias slot.
inline void pack_block(std::int64_t n, std::int64_t k, const float* m, std::int64_t ld, const float* bias_a,
                       const float* bias_b, float* dst) noexcept {
  gemm_pack_b(n, k, m, ld, true, nullptr, dst);
  float* bias = dst + gemm_panel_count(n) * gemm_panel_width * k;
  for (std::int64_t j = 0; j < n; ++j) bias[j] = (bias_a ? bias_a[j] : 0.0f) + (bias_b ? bias_b[j] : 0.0f);
}

[[nodiscard]] constexpr const float* packed_bias(const float* packed, std::int64_t n, std::int64_t k) noexcept {
  return packed + gemm_panel_count(n) * gemm_panel_width * k;
}

/// Offsets of Y[t, d, b] and state[d, b] in the two ONNX layouts; X row of (t, b).
struct Layout {
  const Shape& s;
  [[nodiscard]] std::int64_t x_row(std::int64_t t, std::int64_t b) const noexcept {
    return s.batch_first ? b * s.seq_length + t : t * s.batch + b;
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

/// The input projection of every time step and batch entry at once, per direction:
/// xw[d][row][gates] = X[row] * W_d^T + bias_d (one GEMM each), rows = seq * batch in X's order.
template <backend::Backend B>
inline void project_inputs(const Shape& s, std::int64_t gate_rows, const float* packed, std::size_t dir_stride,
                           const float* x, float* xw, float* gemm_scratch) noexcept {
  const std::int64_t rows = s.seq_length * s.batch;
  if (rows == 0) return;
  gemm::Params g;
  g.m = rows;
  g.n = gate_rows;
  g.k = s.input_size;
  for (std::int64_t d = 0; d < s.directions(); ++d) {
    gemm::run<B>(g, x, packed + static_cast<std::size_t>(d) * dir_stride,
                 xw + static_cast<std::size_t>(d * rows * gate_rows), gemm_scratch);
  }
}

[[nodiscard]] constexpr std::size_t projection_gemm_scratch(const Shape& s, std::int64_t gate_rows) noexcept {
  gemm::Params g;
  g.m = s.seq_length * s.batch;
  g.n = gate_rows;
  g.k = s.input_size;
  return gemm::scratch_size(g, backend::BackendId::avx512);  // the largest any backend asks for
}

/// Runs `step(d, row, h, c)` over every direction, batch entry and valid time step in ONNX order
/// (reverse directions walk each sequence from its own last valid step; `row` is X's row of the
/// step), after loading the initial state and zeroing Y; stores Y, Y_h and Y_c.
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
        step(d, at.x_row(t, b), h, c);
        if (io.y) std::memcpy(io.y + at.y(t, d, b), h, hidden * sizeof(float));
      }
      if (io.y_h) std::memcpy(io.y_h + at.state(d, b), h, hidden * sizeof(float));
      if (io.y_c && c) std::memcpy(io.y_c + at.state(d, b), c, hidden * sizeof(float));
    }
  }
}

}  // namespace detail
}  // namespace recurrent

// Every layer has two ways to run:
//   pack(p, weights, packed) once (packed_size(p) floats), then run_packed(id, p, packed, io, scratch)
//   with scratch_size(p) floats — what graph sessions do; or
//   run(id, p, weights, io, scratch) with unpacked_scratch_size(p) floats, which packs into scratch first.

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

namespace detail {
struct Sizes {
  std::size_t w, r, dir;  // packed W (bias = Wb + Rb), packed R, then peepholes [3H]
};
[[nodiscard]] constexpr Sizes sizes(const Params& p) noexcept {
  const std::int64_t h = p.shape.hidden_size;
  const std::size_t w = recurrent::detail::gemm_packed_b_floats(4 * h, p.shape.input_size),
                    r = recurrent::detail::gemm_packed_b_floats(4 * h, h);
  return {w, r, w + r + static_cast<std::size_t>(3 * h)};
}
}  // namespace detail

/// Floats of packed weights.
[[nodiscard]] constexpr std::size_t packed_size(const Params& p) noexcept {
  return detail::sizes(p).dir * static_cast<std::size_t>(p.shape.directions());
}

/// Floats of scratch run_packed() needs: the projected inputs of all steps, the GEMM's packing
/// buffer, the gates, h and c.
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  const recurrent::Shape& s = p.shape;
  return static_cast<std::size_t>(s.directions() * s.seq_length * s.batch * 4 * s.hidden_size) +
         recurrent::detail::projection_gemm_scratch(s, 4 * s.hidden_size) + static_cast<std::size_t>(6 * s.hidden_size);
}
[[nodiscard]] constexpr std::size_t unpacked_scratch_size(const Params& p) noexcept {
  return packed_size(p) + scratch_size(p);
}

/// `activation_count`: how many activations the node named (0 = defaults), for the check.
[[nodiscard]] inline Status prepare(const Params& p, std::int64_t activation_count = 0) {
  return recurrent::validate(p.shape, "LSTM", 3, activation_count ? activation_count : 3 * p.shape.directions());
}

inline void pack(const Params& p, const Weights& w, float* packed) noexcept {
  const std::int64_t h = p.shape.hidden_size, in = p.shape.input_size;
  const detail::Sizes z = detail::sizes(p);
  for (std::int64_t d = 0; d < p.shape.directions(); ++d) {
    float* dst = packed + static_cast<std::size_t>(d) * z.dir;
    const float* b = w.b ? w.b + d * 8 * h : nullptr;
    recurrent::detail::pack_block(4 * h, in, w.w + d * 4 * h * in, in, b, b ? b + 4 * h : nullptr, dst);
    recurrent::detail::pack_block(4 * h, h, w.r + d * 4 * h * h, h, nullptr, nullptr, dst + z.w);
    for (std::int64_t j = 0; j < 3 * h; ++j)
      dst[z.w + z.r + static_cast<std::size_t>(j)] = w.p ? w.p[d * 3 * h + j] : 0.0f;
  }
}

/// `peepholes`: whether the packed P is meaningful (false skips it).
template <backend::Backend B = backend::native>
inline void run_packed(const Params& p, const float* packed, bool peepholes, const recurrent::Sequence& io,
                       float* scratch) noexcept {
  backend::require_compilable<B>();
  namespace rd = recurrent::detail;
  const recurrent::Shape& s = p.shape;
  const std::int64_t hh = s.hidden_size;
  const auto hidden = static_cast<std::size_t>(hh);
  const detail::Sizes z = detail::sizes(p);
  const std::size_t rows = static_cast<std::size_t>(s.seq_length * s.batch);
  float* xw = scratch;
  float* gemm_scratch = xw + static_cast<std::size_t>(s.directions()) * rows * 4 * hidden;
  float* gates = gemm_scratch + rd::projection_gemm_scratch(s, 4 * hh);  // [4H]: i, o, f, c
  float* h = gates + 4 * hidden;
  float* c = h + hidden;
  rd::project_inputs<B>(s, 4 * hh, packed, z.dir, io.x, xw, gemm_scratch);
  bool backward = false;
  rd::for_each_step(s, io, h, c, [&](std::int64_t d, std::int64_t row, float* hs, float* cs) {
    const float* pd = packed + static_cast<std::size_t>(d) * z.dir;
    const float* xw_row = xw + (static_cast<std::size_t>(d) * rows + static_cast<std::size_t>(row)) * 4 * hidden;
    const recurrent::Activation* act = p.activations[d];
    rd::matvec_packed<B>(pd + z.w, 4 * hh, hh, hs, xw_row, gates, backward);
    backward = !backward;
    const float* peep = peepholes ? pd + z.w + z.r : nullptr;
    std::size_t done = 0;
    if (!peep && !p.input_forget && s.clip <= 0.0f && act[0].kind == recurrent::ActivationKind::sigmoid &&
        act[1].kind == recurrent::ActivationKind::tanh && act[2].kind == recurrent::ActivationKind::tanh) {
      done = rd::lstm_cell<B>(gates, cs, hs, hidden);
      if (done == hidden) return;
    }
    const std::size_t rest = hidden - done;  // entries the fused cell left (all, or a tail)
    float *gi = gates + done, *go = gates + hidden + done, *gf = gates + 2 * hidden + done,
          *gc = gates + 3 * hidden + done;
    cs += done;
    hs += done;
    if (peep) {
      for (std::size_t j = 0; j < rest; ++j) {
        gi[j] += peep[j] * cs[j];  // peep is set only when done == 0 (rest == hidden)
        gf[j] += peep[2 * hidden + j] * cs[j];
      }
    }
    if (!peep && !p.input_forget && done == 0) {
      rd::activate<B>(act[0], s.clip, gi, 3 * rest);  // i, o, f at once
    } else {
      rd::activate<B>(act[0], s.clip, gi, rest);
      if (p.input_forget) {
        for (std::size_t j = 0; j < rest; ++j) gf[j] = 1.0f - gi[j];
      } else {
        rd::activate<B>(act[0], s.clip, gf, rest);
      }
      if (!peep) rd::activate<B>(act[0], s.clip, go, rest);
    }
    rd::activate<B>(act[1], s.clip, gc, rest);
    for (std::size_t j = 0; j < rest; ++j) cs[j] = gf[j] * cs[j] + gi[j] * gc[j];
    if (peep) {
      for (std::size_t j = 0; j < rest; ++j) go[j] += peep[hidden + j] * cs[j];
      rd::activate<B>(act[0], s.clip, go, rest);
    }
    std::memcpy(gc, cs, rest * sizeof(float));
    rd::activate<B>(act[2], 0.0f, gc, rest);
    for (std::size_t j = 0; j < rest; ++j) hs[j] = go[j] * gc[j];
  });
}

inline void run_packed(backend::BackendId id, const Params& p, const float* packed, bool peepholes,
                       const recurrent::Sequence& io, float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) { run_packed<decltype(tag)>(p, packed, peepholes, io, scratch); });
}

/// Packs into the front of `scratch` (unpacked_scratch_size(p) floats), then runs.
inline void run(backend::BackendId id, const Params& p, const Weights& w, const recurrent::Sequence& io,
                float* scratch) noexcept {
  pack(p, w, scratch);
  run_packed(id, p, scratch, w.p != nullptr, io, scratch + packed_size(p));
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

namespace detail {
struct Sizes {
  std::size_t w, rzr, dir;  // packed W (3H), packed R of z and r (2H), then packed R of h (H, bias Rb_h)
};
[[nodiscard]] constexpr Sizes sizes(const Params& p) noexcept {
  const std::int64_t h = p.shape.hidden_size;
  const std::size_t w = recurrent::detail::gemm_packed_b_floats(3 * h, p.shape.input_size),
                    rzr = recurrent::detail::gemm_packed_b_floats(2 * h, h);
  return {w, rzr, w + rzr + recurrent::detail::gemm_packed_b_floats(h, h)};
}
}  // namespace detail

[[nodiscard]] constexpr std::size_t packed_size(const Params& p) noexcept {
  return detail::sizes(p).dir * static_cast<std::size_t>(p.shape.directions());
}

[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  const recurrent::Shape& s = p.shape;
  return static_cast<std::size_t>(s.directions() * s.seq_length * s.batch * 3 * s.hidden_size) +
         recurrent::detail::projection_gemm_scratch(s, 3 * s.hidden_size) + static_cast<std::size_t>(5 * s.hidden_size);
}
[[nodiscard]] constexpr std::size_t unpacked_scratch_size(const Params& p) noexcept {
  return packed_size(p) + scratch_size(p);
}

[[nodiscard]] inline Status prepare(const Params& p, std::int64_t activation_count = 0) {
  return recurrent::validate(p.shape, "GRU", 2, activation_count ? activation_count : 2 * p.shape.directions());
}

/// W's bias is Wb + Rb for z and r (and for h unless linear_before_reset, where Rb_h stays inside
/// r (.) (R_h h + Rb_h) as the bias of the packed R_h).
inline void pack(const Params& p, const Weights& w, float* packed) noexcept {
  const std::int64_t h = p.shape.hidden_size, in = p.shape.input_size;
  const detail::Sizes z = detail::sizes(p);
  for (std::int64_t d = 0; d < p.shape.directions(); ++d) {
    float* dst = packed + static_cast<std::size_t>(d) * z.dir;
    const float* wb = w.b ? w.b + d * 6 * h : nullptr;
    const float* rb = w.b ? wb + 3 * h : nullptr;
    const float* r = w.r + d * 3 * h * h;
    recurrent::detail::pack_block(3 * h, in, w.w + d * 3 * h * in, in, wb, nullptr, dst);
    if (rb) {
      float* bias = dst + (recurrent::detail::packed_bias(dst, 3 * h, in) - dst);
      for (std::int64_t j = 0; j < (p.linear_before_reset ? 2 * h : 3 * h); ++j) bias[j] += rb[j];
    }
    recurrent::detail::pack_block(2 * h, h, r, h, nullptr, nullptr, dst + z.w);
    recurrent::detail::pack_block(h, h, r + 2 * h * h, h, p.linear_before_reset && rb ? rb + 2 * h : nullptr, nullptr,
                                  dst + z.w + z.rzr);
  }
}

template <backend::Backend B = backend::native>
inline void run_packed(const Params& p, const float* packed, const recurrent::Sequence& io, float* scratch) noexcept {
  backend::require_compilable<B>();
  namespace rd = recurrent::detail;
  const recurrent::Shape& s = p.shape;
  const std::int64_t hh = s.hidden_size;
  const auto hidden = static_cast<std::size_t>(hh);
  const detail::Sizes z = detail::sizes(p);
  const std::size_t rows = static_cast<std::size_t>(s.seq_length * s.batch);
  float* xw = scratch;
  float* gemm_scratch = xw + static_cast<std::size_t>(s.directions()) * rows * 3 * hidden;
  float* zr = gemm_scratch + rd::projection_gemm_scratch(s, 3 * hh);  // [2H] z, r
  float* n = zr + 2 * hidden;                                         // [H] candidate
  float* rh = n + hidden;                                             // [H] R_h h + Rb_h, or r (.) h
  float* h = rh + hidden;
  rd::project_inputs<B>(s, 3 * hh, packed, z.dir, io.x, xw, gemm_scratch);
  bool backward = false;
  rd::for_each_step(s, io, h, nullptr, [&](std::int64_t d, std::int64_t row, float* hs, float*) {
    const float* pd = packed + static_cast<std::size_t>(d) * z.dir;
    const float* xw_row = xw + (static_cast<std::size_t>(d) * rows + static_cast<std::size_t>(row)) * 3 * hidden;
    const float* r_h = pd + z.w + z.rzr;
    const recurrent::Activation* act = p.activations[d];
    rd::matvec_packed<B>(pd + z.w, 2 * hh, hh, hs, xw_row, zr, backward);
    backward = !backward;
    rd::activate<B>(act[0], s.clip, zr, 2 * hidden);
    const float* zg = zr;
    const float* rg = zr + hidden;
    if (p.linear_before_reset) {
      rd::matvec_packed<B>(r_h, hh, hh, hs, rd::packed_bias(r_h, hh, hh), rh);
      for (std::size_t j = 0; j < hidden; ++j) n[j] = xw_row[2 * hidden + j] + rg[j] * rh[j];
    } else {
      for (std::size_t j = 0; j < hidden; ++j) rh[j] = rg[j] * hs[j];
      rd::matvec_packed<B>(r_h, hh, hh, rh, xw_row + 2 * hidden, n);
    }
    rd::activate<B>(act[1], s.clip, n, hidden);
    for (std::size_t j = 0; j < hidden; ++j) hs[j] = (1.0f - zg[j]) * n[j] + zg[j] * hs[j];
  });
}

inline void run_packed(backend::BackendId id, const Params& p, const float* packed, const recurrent::Sequence& io,
                       float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) { run_packed<decltype(tag)>(p, packed, io, scratch); });
}

inline void run(backend::BackendId id, const Params& p, const Weights& w, const recurrent::Sequence& io,
                float* scratch) noexcept {
  pack(p, w, scratch);
  run_packed(id, p, scratch, io, scratch + packed_size(p));
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

namespace detail {
struct Sizes {
  std::size_t w, dir;
};
[[nodiscard]] constexpr Sizes sizes(const Params& p) noexcept {
  const std::int64_t h = p.shape.hidden_size;
  const std::size_t w = recurrent::detail::gemm_packed_b_floats(h, p.shape.input_size);
  return {w, w + recurrent::detail::gemm_packed_b_floats(h, h)};
}
}  // namespace detail

[[nodiscard]] constexpr std::size_t packed_size(const Params& p) noexcept {
  return detail::sizes(p).dir * static_cast<std::size_t>(p.shape.directions());
}

[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  const recurrent::Shape& s = p.shape;
  return static_cast<std::size_t>(s.directions() * s.seq_length * s.batch * s.hidden_size) +
         recurrent::detail::projection_gemm_scratch(s, s.hidden_size) + static_cast<std::size_t>(2 * s.hidden_size);
}
[[nodiscard]] constexpr std::size_t unpacked_scratch_size(const Params& p) noexcept {
  return packed_size(p) + scratch_size(p);
}

[[nodiscard]] inline Status prepare(const Params& p, std::int64_t activation_count = 0) {
  return recurrent::validate(p.shape, "RNN", 1, activation_count ? activation_count : p.shape.directions());
}

inline void pack(const Params& p, const Weights& w, float* packed) noexcept {
  const std::int64_t h = p.shape.hidden_size, in = p.shape.input_size;
  const detail::Sizes z = detail::sizes(p);
  for (std::int64_t d = 0; d < p.shape.directions(); ++d) {
    float* dst = packed + static_cast<std::size_t>(d) * z.dir;
    const float* b = w.b ? w.b + d * 2 * h : nullptr;
    recurrent::detail::pack_block(h, in, w.w + d * h * in, in, b, b ? b + h : nullptr, dst);
    recurrent::detail::pack_block(h, h, w.r + d * h * h, h, nullptr, nullptr, dst + z.w);
  }
}

template <backend::Backend B = backend::native>
inline void run_packed(const Params& p, const float* packed, const recurrent::Sequence& io, float* scratch) noexcept {
  backend::require_compilable<B>();
  namespace rd = recurrent::detail;
  const recurrent::Shape& s = p.shape;
  const std::int64_t hh = s.hidden_size;
  const auto hidden = static_cast<std::size_t>(hh);
  const detail::Sizes z = detail::sizes(p);
  const std::size_t rows = static_cast<std::size_t>(s.seq_length * s.batch);
  float* xw = scratch;
  float* gemm_scratch = xw + static_cast<std::size_t>(s.directions()) * rows * hidden;
  float* gates = gemm_scratch + rd::projection_gemm_scratch(s, hh);
  float* h = gates + hidden;
  rd::project_inputs<B>(s, hh, packed, z.dir, io.x, xw, gemm_scratch);
  bool backward = false;
  rd::for_each_step(s, io, h, nullptr, [&](std::int64_t d, std::int64_t row, float* hs, float*) {
    const float* pd = packed + static_cast<std::size_t>(d) * z.dir;
    const float* xw_row = xw + (static_cast<std::size_t>(d) * rows + static_cast<std::size_t>(row)) * hidden;
    rd::matvec_packed<B>(pd + z.w, hh, hh, hs, xw_row, gates, backward);
    backward = !backward;
    rd::activate<B>(p.activations[d], s.clip, gates, hidden);
    std::memcpy(hs, gates, hidden * sizeof(float));
  });
}

inline void run_packed(backend::BackendId id, const Params& p, const float* packed, const recurrent::Sequence& io,
                       float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) { run_packed<decltype(tag)>(p, packed, io, scratch); });
}

inline void run(backend::BackendId id, const Params& p, const Weights& w, const recurrent::Sequence& io,
                float* scratch) noexcept {
  pack(p, w, scratch);
  run_packed(id, p, scratch, io, scratch + packed_size(p));
}

}  // namespace rnn
}  // namespace tinynn::ops
