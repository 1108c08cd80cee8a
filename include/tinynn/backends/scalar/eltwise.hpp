// tinynn — scalar binary elementwise kernel over one broadcast row: a and b advance by 0 (a
// broadcast scalar) or 1 element per output element. binary_value() is the definition the SIMD
// backends must agree with.
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/elementwise_kinds.hpp"

namespace tinynn::backend {

template <ops::BinaryOp K>
[[nodiscard]] inline float binary_value_of(float a, float b) noexcept {
  using ops::BinaryOp;
  if constexpr (K == BinaryOp::add) return a + b;
  if constexpr (K == BinaryOp::sub) return a - b;
  if constexpr (K == BinaryOp::mul) return a * b;
  if constexpr (K == BinaryOp::div) return a / b;
  if constexpr (K == BinaryOp::min) return (a < b || a != a) ? a : b;  // NaN in either operand wins
  if constexpr (K == BinaryOp::max) return (a > b || a != a) ? a : b;
  if constexpr (K == BinaryOp::pow) return std::pow(a, b);
  if constexpr (K == BinaryOp::prelu) return a < 0.0f ? a * b : a;
}

template <class F>
inline void with_binary_kind(ops::BinaryOp kind, F&& f) {
  using ops::BinaryOp;
  using std::integral_constant;
  switch (kind) {
    case BinaryOp::add: f(integral_constant<BinaryOp, BinaryOp::add>{}); return;
    case BinaryOp::sub: f(integral_constant<BinaryOp, BinaryOp::sub>{}); return;
    case BinaryOp::mul: f(integral_constant<BinaryOp, BinaryOp::mul>{}); return;
    case BinaryOp::div: f(integral_constant<BinaryOp, BinaryOp::div>{}); return;
    case BinaryOp::min: f(integral_constant<BinaryOp, BinaryOp::min>{}); return;
    case BinaryOp::max: f(integral_constant<BinaryOp, BinaryOp::max>{}); return;
    case BinaryOp::pow: f(integral_constant<BinaryOp, BinaryOp::pow>{}); return;
    case BinaryOp::prelu: f(integral_constant<BinaryOp, BinaryOp::prelu>{}); return;
  }
}

[[nodiscard]] inline float binary_value(ops::BinaryOp op, float a, float b) noexcept {
  float r = 0.0f;
  with_binary_kind(op, [&](auto kind) { r = binary_value_of<decltype(kind)::value>(a, b); });
  return r;
}

namespace detail {
template <ops::BinaryOp K, std::size_t AStep, std::size_t BStep>
inline void binary_row(const float* a, const float* b, float* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = binary_value_of<K>(a[i * AStep], b[i * BStep]);
}
}  // namespace detail

/// out[i] = act(a[i*a_step] op b[i*b_step]) for i < n, with a_step, b_step in {0, 1}. out may
/// alias a or b when that operand's step is 1.
inline void binary(scalar, ops::BinaryOp op, const float* a, std::size_t a_step, const float* b, std::size_t b_step,
                   float* out, std::size_t n, const ops::ActivationParams& act) noexcept {
  with_binary_kind(op, [&](auto kind) {
    constexpr ops::BinaryOp K = decltype(kind)::value;
    if (a_step && b_step) {
      detail::binary_row<K, 1, 1>(a, b, out, n);
    } else if (a_step) {
      detail::binary_row<K, 1, 0>(a, b, out, n);
    } else if (b_step) {
      detail::binary_row<K, 0, 1>(a, b, out, n);
    } else {
      detail::binary_row<K, 0, 0>(a, b, out, n);
    }
  });
  if (act.kind != ops::Activation::none) {
    for (std::size_t i = 0; i < n; ++i) out[i] = ops::apply_activation(act, out[i]);
  }
}

}  // namespace tinynn::backend
