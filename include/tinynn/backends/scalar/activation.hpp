// tinynn — scalar unary elementwise kernel; unary_value() is the definition of every UnaryOp that
// the SIMD backends must agree with (within the tolerance stated in their math.hpp).
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "tinynn/backends/scalar/math.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/detail/elementwise_kinds.hpp"

namespace tinynn::backend {

/// f(x) for a kind known at compile time (so that loops over it have no switch inside).
template <ops::UnaryOp K>
[[nodiscard]] inline float unary_value_of(const ops::UnaryParams& p, float x) noexcept {
  using ops::UnaryOp;
  if constexpr (K == UnaryOp::identity) return x;
  if constexpr (K == UnaryOp::relu) return x > 0.0f ? x : (x == x ? 0.0f : x);  // NaN stays NaN
  if constexpr (K == UnaryOp::relu6) return x > 6.0f ? 6.0f : (x > 0.0f ? x : (x == x ? 0.0f : x));
  if constexpr (K == UnaryOp::clip) return x < p.alpha ? p.alpha : (x > p.beta ? p.beta : x);
  if constexpr (K == UnaryOp::leaky_relu) return x >= 0.0f ? x : p.alpha * x;
  if constexpr (K == UnaryOp::elu) return x > 0.0f ? x : p.alpha * std::expm1(x);
  if constexpr (K == UnaryOp::selu) return p.beta * (x > 0.0f ? x : p.alpha * std::expm1(x));
  if constexpr (K == UnaryOp::sigmoid) return math::sigmoid(x);
  if constexpr (K == UnaryOp::tanh) return std::tanh(x);
  if constexpr (K == UnaryOp::hard_sigmoid) {
    const float v = p.alpha * x + p.beta;
    return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
  }
  if constexpr (K == UnaryOp::hard_swish) {
    const float r = x + 3.0f;
    return x * ((r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r)) * (1.0f / 6.0f));  // no overflow at FLT_MAX
  }
  if constexpr (K == UnaryOp::silu) return x * math::sigmoid(x);
  if constexpr (K == UnaryOp::gelu_erf) return math::gelu_erf(x);
  if constexpr (K == UnaryOp::gelu_tanh) return math::gelu_tanh(x);
  if constexpr (K == UnaryOp::erf) return std::erf(x);
  if constexpr (K == UnaryOp::exp) return std::exp(x);
  if constexpr (K == UnaryOp::log) return std::log(x);
  if constexpr (K == UnaryOp::sqrt) return std::sqrt(x);
  if constexpr (K == UnaryOp::abs) return std::fabs(x);
  if constexpr (K == UnaryOp::neg) return -x;
  if constexpr (K == UnaryOp::reciprocal) return 1.0f / x;
  if constexpr (K == UnaryOp::softplus) return math::softplus(x);
}

/// Calls f(std::integral_constant<UnaryOp, kind>{}): one switch, outside any loop.
template <class F>
inline void with_unary_kind(ops::UnaryOp kind, F&& f) {
  using ops::UnaryOp;
  using std::integral_constant;
  switch (kind) {
    case UnaryOp::identity: f(integral_constant<UnaryOp, UnaryOp::identity>{}); return;
    case UnaryOp::relu: f(integral_constant<UnaryOp, UnaryOp::relu>{}); return;
    case UnaryOp::relu6: f(integral_constant<UnaryOp, UnaryOp::relu6>{}); return;
    case UnaryOp::clip: f(integral_constant<UnaryOp, UnaryOp::clip>{}); return;
    case UnaryOp::leaky_relu: f(integral_constant<UnaryOp, UnaryOp::leaky_relu>{}); return;
    case UnaryOp::elu: f(integral_constant<UnaryOp, UnaryOp::elu>{}); return;
    case UnaryOp::selu: f(integral_constant<UnaryOp, UnaryOp::selu>{}); return;
    case UnaryOp::sigmoid: f(integral_constant<UnaryOp, UnaryOp::sigmoid>{}); return;
    case UnaryOp::tanh: f(integral_constant<UnaryOp, UnaryOp::tanh>{}); return;
    case UnaryOp::hard_sigmoid: f(integral_constant<UnaryOp, UnaryOp::hard_sigmoid>{}); return;
    case UnaryOp::hard_swish: f(integral_constant<UnaryOp, UnaryOp::hard_swish>{}); return;
    case UnaryOp::silu: f(integral_constant<UnaryOp, UnaryOp::silu>{}); return;
    case UnaryOp::gelu_erf: f(integral_constant<UnaryOp, UnaryOp::gelu_erf>{}); return;
    case UnaryOp::gelu_tanh: f(integral_constant<UnaryOp, UnaryOp::gelu_tanh>{}); return;
    case UnaryOp::erf: f(integral_constant<UnaryOp, UnaryOp::erf>{}); return;
    case UnaryOp::exp: f(integral_constant<UnaryOp, UnaryOp::exp>{}); return;
    case UnaryOp::log: f(integral_constant<UnaryOp, UnaryOp::log>{}); return;
    case UnaryOp::sqrt: f(integral_constant<UnaryOp, UnaryOp::sqrt>{}); return;
    case UnaryOp::abs: f(integral_constant<UnaryOp, UnaryOp::abs>{}); return;
    case UnaryOp::neg: f(integral_constant<UnaryOp, UnaryOp::neg>{}); return;
    case UnaryOp::reciprocal: f(integral_constant<UnaryOp, UnaryOp::reciprocal>{}); return;
    case UnaryOp::softplus: f(integral_constant<UnaryOp, UnaryOp::softplus>{}); return;
  }
}

/// The scalar definition of `p` at x.
[[nodiscard]] inline float unary_value(const ops::UnaryParams& p, float x) noexcept {
  float y = x;
  with_unary_kind(p.kind, [&](auto kind) { y = unary_value_of<decltype(kind)::value>(p, x); });
  return y;
}

/// y[i] = f(x[i]) for i < n; x == y (in place) is allowed.
inline void unary(scalar, const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  with_unary_kind(p.kind, [&](auto kind) {
    for (std::size_t i = 0; i < n; ++i) y[i] = unary_value_of<decltype(kind)::value>(p, x[i]);
  });
}

}  // namespace tinynn::backend
