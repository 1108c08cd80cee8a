// tinynn — padding (ONNX Pad; any element type). y has x's shape grown by before+after per axis:
//   y[o] = x[map(o - before)], map = identity inside x, else constant value / reflect (mirror without
//   repeating the edge) / edge (nearest element) / wrap. Negative pads crop.
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

enum class PadMode : std::uint8_t { constant, reflect, edge, wrap };
namespace detail {
/// The input index that output index o (already shifted by -before) reads, or -1 for the constant.
[[nodiscard]] constexpr std::int64_t pad_source(std::int64_t i, std::int64_t dim, PadMode mode) noexcept {
  if (i >= 0 && i < dim) return i;
  switch (mode) {
    case PadMode::constant: return -1;
    case PadMode::edge: return i < 0 ? 0 : dim - 1;
    case PadMode::wrap: return ((i % dim) + dim) % dim;
    case PadMode::reflect: {
      if (dim == 1) return 0;
      const std::int64_t period = 2 * (dim - 1);
      i = ((i % period) + period) % period;
      return i < dim ? i : period - i;
    }
  }
  return -1;
}
}  // namespace detail

namespace pad {

struct Params {
  PadMode mode = PadMode::constant;
  DynShape input;
  DynShape output;                              // set by prepare()
  std::array<std::int64_t, max_rank> before{};  // set by prepare()
  std::array<std::int64_t, max_rank> after{};   // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// ONNX pads: [x1_begin, x2_begin, ..., x1_end, x2_end, ...] for `axes` (empty = all axes).
[[nodiscard]] inline Status prepare(Params& p, std::span<const std::int64_t> pads,
                                    std::span<const std::int64_t> axes = {}) {
  const std::size_t rank = p.input.rank();
  const std::size_t count = axes.empty() ? rank : axes.size();
  if (pads.size() != 2 * count) {
    return error(ErrorCode::invalid_argument, "pad: ", pads.size(), " pads, expected ", 2 * count, " for input ",
                 p.input);
  }
  p.before = {};
  p.after = {};
  for (std::size_t k = 0; k < count; ++k) {
    const std::int64_t axis = axes.empty() ? static_cast<std::int64_t>(k) : detail::normalize_axis(axes[k], rank);
    if (axis < 0) return error(ErrorCode::invalid_argument, "pad: axis ", axes[k], " is out of range for ", p.input);
    p.before[static_cast<std::size_t>(axis)] = pads[k];
    p.after[static_cast<std::size_t>(axis)] = pads[k + count];
  }
  p.output = p.input;
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t dim = p.input[i];
    const std::int64_t out = dim + p.before[i] + p.after[i];
    if (out < 0) {
      return error(ErrorCode::invalid_argument, "pad: pads ", p.before[i], ", ", p.after[i], " on axis ", i,
                   " crop more than its length ", dim);
    }
    const bool pads_axis = p.before[i] > 0 || p.after[i] > 0;
    if (p.mode != PadMode::constant && pads_axis && dim == 0) {
      return error(ErrorCode::invalid_argument, "pad: cannot ", p.mode == PadMode::edge ? "edge" : "reflect/wrap",
                   "-pad the empty axis ", i, " of ", p.input);
    }
    p.output[i] = out;
  }
  return {};
}

/// Pads x into y; `value` fills constant padding.
template <class T>
inline void run(const Params& p, const T* x, T* y, T value = T{}) noexcept {
  const std::size_t size = p.output.size();
  if (size == 0) return;
  const std::size_t rank = p.output.rank();
  if (rank == 0) {
    *y = *x;
    return;
  }
  const std::size_t inner = static_cast<std::size_t>(p.output[rank - 1]);
  const std::int64_t in_inner = p.input[rank - 1];
  const std::int64_t shift = p.before[rank - 1];
  std::array<std::int64_t, max_rank> index{};
  for (std::size_t row = 0; row < size / inner; ++row, y += inner) {
    // Source row: each outer output index maps to an input index (or to the constant).
    std::int64_t offset = 0;
    bool constant_row = false;
    for (std::size_t d = 0; d + 1 < rank; ++d) {
      const std::int64_t src = detail::pad_source(index[d] - p.before[d], p.input[d], p.mode);
      if (src < 0) constant_row = true;
      offset += src * static_cast<std::int64_t>(p.input.stride(d));
    }
    if (constant_row) {
      for (std::size_t i = 0; i < inner; ++i) y[i] = value;
    } else {
      const T* in = x + offset;
      // Output columns [lo, hi) read the input contiguously; the rest go through pad_source.
      std::int64_t lo = shift < 0 ? 0 : shift;
      std::int64_t hi = shift + in_inner;
      if (hi > static_cast<std::int64_t>(inner)) hi = static_cast<std::int64_t>(inner);
      if (hi < lo) hi = lo;
      for (std::int64_t o = 0; o < lo; ++o) {
        const std::int64_t src = detail::pad_source(o - shift, in_inner, p.mode);
        y[o] = src < 0 ? value : in[src];
      }
      if (hi > lo) std::memcpy(y + lo, in + (lo - shift), static_cast<std::size_t>(hi - lo) * sizeof(T));
      for (std::int64_t o = hi; o < static_cast<std::int64_t>(inner); ++o) {
        const std::int64_t src = detail::pad_source(o - shift, in_inner, p.mode);
        y[o] = src < 0 ? value : in[src];
      }
    }
    for (std::size_t d = rank - 1; d-- > 0;) {
      if (++index[d] < p.output[d]) break;
      index[d] = 0;
    }
  }
}

}  // namespace pad
}  // namespace tinynn::ops
