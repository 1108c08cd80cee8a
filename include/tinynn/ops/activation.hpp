// tinynn — unary elementwise activations and math functions.
//   y[i] = f(x[i]),  f one of UnaryOp (relu, clip, sigmoid, tanh, gelu, exp, log, ...; see
//   ops/detail/elementwise_kinds.hpp); PRelu (slope broadcast over x) is BinaryOp::prelu in eltwise.hpp.
#pragma once

#include <cmath>
#include <cstddef>

#include "tinynn/backends/avx2/activation.hpp"
#include "tinynn/backends/avx512/activation.hpp"
#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/neon/activation.hpp"
#include "tinynn/backends/scalar/activation.hpp"
#include "tinynn/backends/sve/activation.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/detail/elementwise_kinds.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::unary {

using Params = UnaryParams;

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Validates the parameters of `p` (clip bounds ordered, parameters not NaN).
[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.alpha != p.alpha || p.beta != p.beta) {
    return error(ErrorCode::invalid_argument, "unary op ", static_cast<int>(p.kind), ": NaN parameter");
  }
  if (p.kind == UnaryOp::clip && p.alpha > p.beta) {
    return error(ErrorCode::invalid_argument, "clip: min ", p.alpha, " is greater than max ", p.beta);
  }
  return {};
}

/// y[i] = f(x[i]) for i < n; in place (x == y) is allowed.
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, float* y, std::size_t n) noexcept {
  backend::require_compilable<B>();
  backend::unary(B{}, p, x, y, n);
}

/// Same, with the backend chosen at run time.
inline void run(backend::BackendId id, const Params& p, const float* x, float* y, std::size_t n) noexcept {
  backend::dispatch(id, [&](auto b) { run<decltype(b)>(p, x, y, n); });
}

}  // namespace tinynn::ops::unary
