// tinynn — softmax and log-softmax over one axis, numerically stable.
//   softmax: y = exp(x - max) / sum(exp(x - max));  log-softmax: y = x - max - log(sum(exp(x - max)))
//   (ONNX opset < 13 "coerced 2-D" semantics: set flatten_from_axis, the axis becomes all dims >= axis).
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/avx2/softmax.hpp"
#include "tinynn/backends/avx512/softmax.hpp"
#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/neon/softmax.hpp"
#include "tinynn/backends/scalar/softmax.hpp"
#include "tinynn/backends/sve/softmax.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/detail/nd.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops {
namespace softmax {

struct Params {
  std::int64_t axis = -1;          // may be negative; prepare() normalises it
  bool log = false;                // log-softmax
  bool flatten_from_axis = false;  // ONNX opset < 13: normalise over all dims from `axis` on
  DynShape shape;                  // input and output shape
  // set by prepare(): the tensor seen as [outer, n, inner], normalised over n
  std::size_t outer = 0, n = 0, inner = 0;
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

[[nodiscard]] inline Status prepare(Params& p) {
  const std::size_t rank = p.shape.rank();
  const std::int64_t axis = detail::normalize_axis(p.axis, rank == 0 ? 1 : rank);
  if (axis < 0) {
    return error(ErrorCode::invalid_argument, p.log ? "log_softmax" : "softmax", ": axis ", p.axis,
                 " is out of range for shape ", p.shape);
  }
  p.axis = axis;
  const auto a = static_cast<std::size_t>(axis);
  if (rank == 0) {
    p.outer = p.n = p.inner = 1;
  } else if (p.flatten_from_axis) {
    p.outer = detail::dims_product(p.shape, 0, a);
    p.n = detail::dims_product(p.shape, a, rank);
    p.inner = 1;
  } else {
    p.outer = detail::dims_product(p.shape, 0, a);
    p.n = static_cast<std::size_t>(p.shape[a]);
    p.inner = detail::dims_product(p.shape, a + 1, rank);
  }
  return {};
}

/// y = softmax(x) (or log-softmax); x == y is allowed.
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, float* y) noexcept {
  backend::require_compilable<B>();
  const std::size_t block = p.n * p.inner;
  for (std::size_t o = 0; o < p.outer; ++o) {
    if (p.inner == 1) {
      backend::softmax_row(B{}, x + o * block, y + o * block, p.n, 1, p.log);
    } else {
      for (std::size_t j = 0; j < p.inner; ++j) {
        backend::softmax_row(backend::scalar{}, x + o * block + j, y + o * block + j, p.n, p.inner, p.log);
      }
    }
  }
}

inline void run(backend::BackendId id, const Params& p, const float* x, float* y) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, x, y); });
}

}  // namespace softmax
}  // namespace tinynn::ops
