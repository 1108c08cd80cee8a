// tinynn — split along one axis into consecutive parts (any element type).
//   y_k[..., i, ...] = x[..., off_k + i, ...],  off_k = sizes[0] + ... + sizes[k-1];
//   the sizes must add up to the axis length (equal parts when none are given).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "tinynn/ops/detail/nd.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops {
namespace split {

struct Params {
  std::int64_t axis = 0;  // may be negative; prepare() normalises it
  DynShape input;
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Checks `sizes` (one per output; empty = equal parts, ONNX: the last part may be smaller when
/// the length does not divide) and writes each output's shape to outputs[k].
[[nodiscard]] inline Status prepare(Params& p, std::span<const std::int64_t> sizes, std::span<DynShape> outputs) {
  const std::int64_t axis = detail::normalize_axis(p.axis, p.input.rank());
  if (axis < 0) return error(ErrorCode::invalid_argument, "split: axis ", p.axis, " is out of range for ", p.input);
  if (outputs.empty()) return error(ErrorCode::invalid_argument, "split: no outputs");
  p.axis = axis;
  const std::int64_t length = p.input[static_cast<std::size_t>(axis)];
  if (!sizes.empty() && sizes.size() != outputs.size()) {
    return error(ErrorCode::invalid_argument, "split: ", sizes.size(), " sizes for ", outputs.size(), " outputs");
  }
  const auto parts = static_cast<std::int64_t>(outputs.size());
  const std::int64_t equal = (length + parts - 1) / parts;
  std::int64_t total = 0;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    std::int64_t size = sizes.empty() ? equal : sizes[k];
    if (sizes.empty() && total + size > length) size = length - total;
    if (size < 0) return error(ErrorCode::invalid_argument, "split: negative size ", size, " for output ", k);
    outputs[k] = p.input;
    outputs[k][static_cast<std::size_t>(axis)] = size;
    total += size;
  }
  if (total != length) {
    return error(ErrorCode::invalid_argument, "split: sizes add up to ", total, ", expected the length ", length,
                 " of axis ", axis, " of ", p.input);
  }
  return {};
}

/// Copies x into outputs[k] (of shape shapes[k], as prepare() wrote them).
template <class T>
inline void run(const Params& p, const T* x, std::span<T* const> outputs, std::span<const DynShape> shapes) noexcept {
  const auto axis = static_cast<std::size_t>(p.axis);
  const std::size_t outer = detail::dims_product(p.input, 0, axis);
  const std::size_t inner = detail::dims_product(p.input, axis + 1, p.input.rank());
  const std::size_t in_row = static_cast<std::size_t>(p.input[axis]) * inner;
  std::size_t offset = 0;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const std::size_t row = static_cast<std::size_t>(shapes[k][axis]) * inner;
    if (row != 0) {
      for (std::size_t o = 0; o < outer; ++o)
        std::memcpy(outputs[k] + o * row, x + o * in_row + offset, row * sizeof(T));
    }
    offset += row;
  }
}

}  // namespace split
}  // namespace tinynn::ops
