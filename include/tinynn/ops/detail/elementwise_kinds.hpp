// tinynn — the kinds of elementwise operation (shared by ops/ and the backend kernels that
// implement them), with the parameters a kind reads.
#pragma once

#include <cstdint>

namespace tinynn::ops {

/// Unary elementwise functions. Parameters (UnaryParams::alpha / beta) where a kind has them:
///   clip: [alpha, beta]; leaky_relu, elu: alpha; selu: alpha, beta = gamma;
///   hard_sigmoid: max(0, min(1, alpha*x + beta)).
enum class UnaryOp : std::uint8_t {
  identity,
  relu,
  relu6,
  clip,
  leaky_relu,
  elu,
  selu,
  sigmoid,
  tanh,
  hard_sigmoid,
  hard_swish,
  silu,
  gelu_erf,
  gelu_tanh,
  erf,
  exp,
  log,
  sqrt,
  abs,
  neg,
  reciprocal,
  softplus,
};

/// Binary elementwise functions with NumPy broadcasting; prelu is x < 0 ? slope*x : x with
/// a = x, b = slope. min/max propagate NaN (as numpy.minimum/maximum).
/// A unary function with its parameters (the params struct of ops/activation.hpp).
struct UnaryParams {
  UnaryOp kind = UnaryOp::identity;
  float alpha = 0.0f;
  float beta = 0.0f;

  friend constexpr bool operator==(const UnaryParams&, const UnaryParams&) = default;

  static constexpr UnaryParams of(UnaryOp kind) noexcept { return {kind, 0.0f, 0.0f}; }
  static constexpr UnaryParams clip(float lo, float hi) noexcept { return {UnaryOp::clip, lo, hi}; }
  static constexpr UnaryParams leaky_relu(float slope = 0.01f) noexcept { return {UnaryOp::leaky_relu, slope, 0.0f}; }
  static constexpr UnaryParams elu(float alpha = 1.0f) noexcept { return {UnaryOp::elu, alpha, 0.0f}; }
  /// ONNX defaults: alpha = 1.67326319217681884765625, gamma = 1.05070102214813232421875.
  static constexpr UnaryParams selu(float alpha = 1.67326319217681884765625f,
                                    float gamma = 1.05070102214813232421875f) noexcept {
    return {UnaryOp::selu, alpha, gamma};
  }
  /// ONNX defaults alpha = 0.2, beta = 0.5.
  static constexpr UnaryParams hard_sigmoid(float alpha = 0.2f, float beta = 0.5f) noexcept {
    return {UnaryOp::hard_sigmoid, alpha, beta};
  }
};

enum class BinaryOp : std::uint8_t { add, sub, mul, div, min, max, pow, prelu };

}  // namespace tinynn::ops
