// tinynn — reductions over any set of axes.
//   y[kept idx] = fold over the reduced axes of x: sum, mean, max, min, prod, sum of squares,
//   L1 = sum |x|, L2 = sqrt(sum x^2). keepdims keeps reduced axes as size 1.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/detail/nd.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops {

enum class ReduceOp : std::uint8_t { sum, mean, max, min, prod, sum_square, l1, l2 };
namespace detail {
[[nodiscard]] constexpr float reduce_identity(ReduceOp op) noexcept {
  switch (op) {
    case ReduceOp::max: return -std::numeric_limits<float>::infinity();
    case ReduceOp::min: return std::numeric_limits<float>::infinity();
    case ReduceOp::prod: return 1.0f;
    default: return 0.0f;
  }
}
template <ReduceOp Op>
[[nodiscard]] inline float reduce_step(float acc, float x) noexcept {
  if constexpr (Op == ReduceOp::max) return (x > acc || x != x) ? x : acc;
  if constexpr (Op == ReduceOp::min) return (x < acc || x != x) ? x : acc;
  if constexpr (Op == ReduceOp::prod) return acc * x;
  if constexpr (Op == ReduceOp::sum_square || Op == ReduceOp::l2) return acc + x * x;
  if constexpr (Op == ReduceOp::l1) return acc + std::fabs(x);
  if constexpr (Op == ReduceOp::sum || Op == ReduceOp::mean) return acc + x;
}
template <ReduceOp Op, class P>
inline void reduce_fold(const P& p, const float* x, float* y) noexcept {
  const std::size_t rank = p.input.rank();
  std::array<std::ptrdiff_t, max_rank> out_stride{};
  std::ptrdiff_t running = 1;
  for (std::size_t i = rank; i-- > 0;) {
    if (p.axes_mask & (1u << i)) continue;
    out_stride[i] = running;
    running *= static_cast<std::ptrdiff_t>(p.input[i]);
  }
  StridedLoop<2> loop;
  for (std::size_t i = 0; i < rank; ++i) {
    loop.push(static_cast<std::size_t>(p.input[i]), {static_cast<std::ptrdiff_t>(p.input.stride(i)), out_stride[i]});
  }
  const std::size_t n = loop.inner_extent();
  const bool inner_reduced = loop.inner_stride(1) == 0;
  loop.for_each_row([&](const std::array<std::ptrdiff_t, 2>& offset) {
    const float* in = x + offset[0];
    float* out = y + offset[1];
    if (inner_reduced) {
      float acc = *out;
      for (std::size_t i = 0; i < n; ++i) acc = reduce_step<Op>(acc, in[i]);
      *out = acc;
    } else {
      for (std::size_t i = 0; i < n; ++i) out[i] = reduce_step<Op>(out[i], in[i]);
    }
  });
}
}  // namespace detail

namespace reduce {

struct Params {
  ReduceOp op = ReduceOp::sum;
  bool keepdims = true;
  DynShape input;
  std::uint32_t axes_mask = 0;  // set by prepare(): bit i = axis i is reduced
  DynShape output;              // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Sets the reduced axes (negative ones count from the end; duplicates are an error) and p.output.
/// Empty `axes`: every axis is reduced, unless `noop_with_empty_axes` (ONNX), which reduces none.
[[nodiscard]] inline Status prepare(Params& p, std::span<const std::int64_t> axes, bool noop_with_empty_axes = false) {
  const std::size_t rank = p.input.rank();
  std::uint32_t mask = 0;
  if (axes.empty()) {
    mask = noop_with_empty_axes ? 0u : (rank ? ((1u << rank) - 1u) : 0u);
  }
  for (std::int64_t axis : axes) {
    const std::int64_t a = detail::normalize_axis(axis, rank);
    if (a < 0) return error(ErrorCode::invalid_argument, "reduce: axis ", axis, " is out of range for shape ", p.input);
    if (mask & (1u << a)) return error(ErrorCode::invalid_argument, "reduce: axis ", axis, " is repeated");
    mask |= 1u << a;
  }
  p.axes_mask = mask;
  p.output = DynShape{};
  for (std::size_t i = 0; i < rank; ++i) {
    if (!(mask & (1u << i))) {
      (void)p.output.push_back(p.input[i]);
    } else if (p.keepdims) {
      (void)p.output.push_back(1);
    }
  }
  return {};
}

/// y = reduce(x) over p's axes (scalar code on every backend for now).
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, float* y) noexcept {
  const std::size_t out_size = p.output.size();
  const float init = detail::reduce_identity(p.op);
  for (std::size_t i = 0; i < out_size; ++i) y[i] = init;
  if (p.input.size() != 0) {
    switch (p.op) {
      case ReduceOp::sum: detail::reduce_fold<ReduceOp::sum>(p, x, y); break;
      case ReduceOp::mean: detail::reduce_fold<ReduceOp::mean>(p, x, y); break;
      case ReduceOp::max: detail::reduce_fold<ReduceOp::max>(p, x, y); break;
      case ReduceOp::min: detail::reduce_fold<ReduceOp::min>(p, x, y); break;
      case ReduceOp::prod: detail::reduce_fold<ReduceOp::prod>(p, x, y); break;
      case ReduceOp::sum_square: detail::reduce_fold<ReduceOp::sum_square>(p, x, y); break;
      case ReduceOp::l1: detail::reduce_fold<ReduceOp::l1>(p, x, y); break;
      case ReduceOp::l2: detail::reduce_fold<ReduceOp::l2>(p, x, y); break;
    }
  }
  if (p.op == ReduceOp::mean) {
    const std::size_t count = out_size ? p.input.size() / out_size : 0;
    const float scale = count ? 1.0f / static_cast<float>(count) : std::numeric_limits<float>::quiet_NaN();
    for (std::size_t i = 0; i < out_size; ++i) y[i] *= scale;
  } else if (p.op == ReduceOp::l2) {
    for (std::size_t i = 0; i < out_size; ++i) y[i] = std::sqrt(y[i]);
  }
}

inline void run(backend::BackendId id, const Params& p, const float* x, float* y) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, x, y); });
}

}  // namespace reduce
}  // namespace tinynn::ops
