// tinynn — internal helpers for ops over runtime shapes: axis normalisation, strided iteration
// with up to max_rank dimensions (no heap), and merging of dimensions that iterate alike.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "tinynn/config.hpp"
#include "tinynn/shape.hpp"

namespace tinynn::ops::detail {

/// A normalised axis in [0, rank), or -1 when `axis` is outside [-rank, rank).
[[nodiscard]] constexpr std::int64_t normalize_axis(std::int64_t axis, std::size_t rank) noexcept {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) return -1;
  return axis < 0 ? axis + r : axis;
}

/// A loop nest of up to max_rank dimensions over `operands` strided arrays; the innermost
/// dimension is last. Dimensions of extent 1 are dropped and neighbours that every operand walks
/// contiguously are merged, so the innermost loop is as long as possible.
template <std::size_t Operands>
struct StridedLoop {
  std::size_t rank = 0;
  std::array<std::size_t, max_rank> extent{};
  std::array<std::array<std::ptrdiff_t, max_rank>, Operands> stride{};

  /// Adds a dimension (outermost first).
  constexpr void push(std::size_t n, const std::array<std::ptrdiff_t, Operands>& strides) noexcept {
    if (n == 1) return;
    if (rank > 0) {
      bool mergeable = true;
      for (std::size_t k = 0; k < Operands; ++k) {
        if (stride[k][rank - 1] != strides[k] * static_cast<std::ptrdiff_t>(n)) mergeable = false;
      }
      if (mergeable) {
        extent[rank - 1] *= n;
        for (std::size_t k = 0; k < Operands; ++k) stride[k][rank - 1] = strides[k];
        return;
      }
    }
    extent[rank] = n;
    for (std::size_t k = 0; k < Operands; ++k) stride[k][rank] = strides[k];
    ++rank;
  }

  [[nodiscard]] constexpr std::size_t inner_extent() const noexcept { return rank ? extent[rank - 1] : 1; }
  [[nodiscard]] constexpr std::ptrdiff_t inner_stride(std::size_t k) const noexcept {
    return rank ? stride[k][rank - 1] : 0;
  }

  /// Calls f(offsets) once per innermost row (offsets of the row's first element per operand).
  template <class F>
  constexpr void for_each_row(F&& f) const noexcept {
    const std::size_t outer_rank = rank ? rank - 1 : 0;
    std::array<std::size_t, max_rank> index{};
    std::array<std::ptrdiff_t, Operands> offset{};
    for (;;) {
      f(offset);
      std::size_t d = outer_rank;
      for (;;) {
        if (d == 0) return;
        --d;
        ++index[d];
        for (std::size_t k = 0; k < Operands; ++k) offset[k] += stride[k][d];
        if (index[d] < extent[d]) break;
        for (std::size_t k = 0; k < Operands; ++k) offset[k] -= stride[k][d] * static_cast<std::ptrdiff_t>(extent[d]);
        index[d] = 0;
      }
    }
  }
};

/// Product of dims [begin, end).
[[nodiscard]] constexpr std::size_t dims_product(const DynShape& s, std::size_t begin, std::size_t end) noexcept {
  std::size_t p = 1;
  for (std::size_t i = begin; i < end; ++i) p *= static_cast<std::size_t>(s[i]);
  return p;
}

}  // namespace tinynn::ops::detail
