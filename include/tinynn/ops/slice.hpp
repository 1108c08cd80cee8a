// tinynn — strided slice (ONNX Slice; any element type).
//   y[i_0, ..., i_r] = x[start_0 + i_0*step_0, ..., start_r + i_r*step_r],  steps may be negative;
//   starts/ends are clamped as ONNX specifies (negative values count from the end).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "tinynn/ops/detail/nd.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops {
namespace slice {

struct Params {
  DynShape input;
  DynShape output;                             // set by prepare()
  std::array<std::int64_t, max_rank> start{};  // set by prepare(): first index per axis
  std::array<std::int64_t, max_rank> step{};   // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// ONNX Slice: starts/ends per entry of `axes` (empty axes = 0, 1, ...; empty steps = all 1).
[[nodiscard]] inline Status prepare(Params& p, std::span<const std::int64_t> starts, std::span<const std::int64_t> ends,
                                    std::span<const std::int64_t> axes = {}, std::span<const std::int64_t> steps = {}) {
  const std::size_t rank = p.input.rank();
  if (starts.size() != ends.size() || (!axes.empty() && axes.size() != starts.size()) ||
      (!steps.empty() && steps.size() != starts.size()) || starts.size() > rank) {
    return error(ErrorCode::invalid_argument, "slice: ", starts.size(), " starts, ", ends.size(), " ends, ",
                 axes.size(), " axes and ", steps.size(), " steps do not match an input of rank ", rank);
  }
  p.output = p.input;
  for (std::size_t i = 0; i < rank; ++i) {
    p.start[i] = 0;
    p.step[i] = 1;
  }
  std::uint32_t seen = 0;
  for (std::size_t k = 0; k < starts.size(); ++k) {
    const std::int64_t axis = detail::normalize_axis(axes.empty() ? static_cast<std::int64_t>(k) : axes[k], rank);
    if (axis < 0) return error(ErrorCode::invalid_argument, "slice: axis ", axes[k], " is out of range for ", p.input);
    if (seen & (1u << axis)) return error(ErrorCode::invalid_argument, "slice: axis ", axes[k], " is repeated");
    seen |= 1u << axis;
    const std::int64_t step = steps.empty() ? 1 : steps[k];
    if (step == 0) return error(ErrorCode::invalid_argument, "slice: step 0 on axis ", axis);
    const std::int64_t dim = p.input[static_cast<std::size_t>(axis)];
    std::int64_t start = starts[k], end = ends[k];
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    std::int64_t length = 0;
    if (step > 0) {
      start = start < 0 ? 0 : (start > dim ? dim : start);
      end = end < 0 ? 0 : (end > dim ? dim : end);
      length = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = start < 0 ? 0 : (start > dim - 1 ? dim - 1 : start);
      end = end < -1 ? -1 : (end > dim - 1 ? dim - 1 : end);
      length = start > end ? (start - end + (-step) - 1) / (-step) : 0;
    }
    if (dim == 0) length = 0;
    p.start[static_cast<std::size_t>(axis)] = length > 0 ? start : 0;
    p.step[static_cast<std::size_t>(axis)] = step;
    p.output[static_cast<std::size_t>(axis)] = length;
  }
  return {};
}

/// Copies the slice of x into y (contiguous, p.output).
template <class T>
inline void run(const Params& p, const T* x, T* y) noexcept {
  if (p.output.size() == 0) return;
  const std::size_t rank = p.input.rank();
  std::ptrdiff_t base = 0;
  detail::StridedLoop<2> loop;
  for (std::size_t i = 0; i < rank; ++i) {
    const auto stride = static_cast<std::ptrdiff_t>(p.input.stride(i));
    base += p.start[i] * stride;
    loop.push(static_cast<std::size_t>(p.output[i]),
              {p.step[i] * stride, static_cast<std::ptrdiff_t>(p.output.stride(i))});
  }
  const std::size_t n = loop.inner_extent();
  const std::ptrdiff_t step = loop.inner_stride(0);
  loop.for_each_row([&](const std::array<std::ptrdiff_t, 2>& offset) {
    const T* in = x + base + offset[0];
    T* out = y + offset[1];
    if (step == 1) {
      std::memcpy(out, in, n * sizeof(T));
    } else {
      for (std::size_t i = 0; i < n; ++i) out[i] = in[static_cast<std::ptrdiff_t>(i) * step];
    }
  });
}

}  // namespace slice
}  // namespace tinynn::ops
