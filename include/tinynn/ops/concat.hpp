// tinynn — concatenation along one axis (any element type: it only moves bytes).
//   y[..., off_k + i, ...] = x_k[..., i, ...],  off_k = sum of the axis sizes of x_0 .. x_{k-1};
//   every other dimension must agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "tinynn/ops/detail/nd.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops {
namespace concat {

struct Params {
  std::int64_t axis = 0;  // may be negative; prepare() normalises it
  DynShape output;        // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Checks that `inputs` agree on every dimension but p.axis and sets p.output.
[[nodiscard]] inline Status prepare(Params& p, std::span<const DynShape> inputs) {
  if (inputs.empty()) return error(ErrorCode::invalid_argument, "concat: no inputs");
  const DynShape& first = inputs[0];
  const std::int64_t axis = detail::normalize_axis(p.axis, first.rank());
  if (axis < 0) {
    return error(ErrorCode::invalid_argument, "concat: axis ", p.axis, " is out of range for shape ", first);
  }
  p.axis = axis;
  DynShape out = first;
  out[static_cast<std::size_t>(axis)] = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const DynShape& s = inputs[k];
    if (s.rank() != first.rank()) {
      return error(ErrorCode::invalid_argument, "concat: input ", k, " has shape ", s, ", rank differs from input 0 ",
                   first);
    }
    for (std::size_t i = 0; i < s.rank(); ++i) {
      if (i != static_cast<std::size_t>(axis) && s[i] != first[i]) {
        return error(ErrorCode::invalid_argument, "concat: input ", k, " has shape ", s, ", expected dimension ", i,
                     " = ", first[i], " as in input 0");
      }
    }
    out[static_cast<std::size_t>(axis)] += s[static_cast<std::size_t>(axis)];
  }
  p.output = out;
  return {};
}

/// Copies inputs[k] (shape shapes[k]) into y.
template <class T>
inline void run(const Params& p, std::span<const T* const> inputs, std::span<const DynShape> shapes, T* y) noexcept {
  const auto axis = static_cast<std::size_t>(p.axis);
  const std::size_t outer = detail::dims_product(p.output, 0, axis);
  const std::size_t inner = detail::dims_product(p.output, axis + 1, p.output.rank());
  const std::size_t out_row = static_cast<std::size_t>(p.output[axis]) * inner;
  std::size_t offset = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const std::size_t row = static_cast<std::size_t>(shapes[k][axis]) * inner;
    if (row != 0) {
      for (std::size_t o = 0; o < outer; ++o) {
        std::memcpy(y + o * out_row + offset, inputs[k] + o * row, row * sizeof(T));
      }
    }
    offset += row;
  }
}

}  // namespace concat
}  // namespace tinynn::ops
