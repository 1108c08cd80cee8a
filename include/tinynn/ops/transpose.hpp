// tinynn — transpose by any permutation (any element type).
//   y[i_0, ..., i_{r-1}] = x[j] with j[perm[k]] = i_k,  i.e. y's axis k is x's axis perm[k];
//   NHWC->NCHW is perm {0,3,1,2}, NCHW->NHWC is {0,2,3,1}. Both become cache-blocked 2-D transposes.
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
namespace detail {
template <class T>
inline void transpose_tile(const T* TINYNN_RESTRICT x, std::ptrdiff_t x_row_stride, T* TINYNN_RESTRICT y,
                           std::ptrdiff_t y_col_stride, std::size_t rows, std::size_t cols) noexcept {
  // y[c * y_col_stride + r] = x[r * x_row_stride + c], in tiles that stay in L1.
  constexpr std::size_t tile = 16;
  for (std::size_t r0 = 0; r0 < rows; r0 += tile) {
    const std::size_t r1 = r0 + tile < rows ? r0 + tile : rows;
    for (std::size_t c0 = 0; c0 < cols; c0 += tile) {
      const std::size_t c1 = c0 + tile < cols ? c0 + tile : cols;
      for (std::size_t c = c0; c < c1; ++c) {
        T* out = y + static_cast<std::ptrdiff_t>(c) * y_col_stride;
        for (std::size_t r = r0; r < r1; ++r) out[r] = x[static_cast<std::ptrdiff_t>(r) * x_row_stride + c];
      }
    }
  }
}
}  // namespace detail

namespace transpose {

struct Params {
  DynShape input;
  DynShape output;                            // set by prepare()
  std::array<std::uint8_t, max_rank> perm{};  // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// `perm` must be a permutation of 0..rank-1 (negative entries count from the end); empty = reverse.
[[nodiscard]] inline Status prepare(Params& p, std::span<const std::int64_t> perm) {
  const std::size_t rank = p.input.rank();
  if (!perm.empty() && perm.size() != rank) {
    return error(ErrorCode::invalid_argument, "transpose: permutation of ", perm.size(), " axes for input ", p.input);
  }
  std::uint32_t seen = 0;
  p.output = p.input;
  for (std::size_t k = 0; k < rank; ++k) {
    const std::int64_t a =
        perm.empty() ? static_cast<std::int64_t>(rank - 1 - k) : detail::normalize_axis(perm[k], rank);
    if (a < 0 || (seen & (1u << a))) {
      return error(ErrorCode::invalid_argument, "transpose: entry ", k, " (", perm[k],
                   ") of the permutation is out of range or repeated for input ", p.input);
    }
    seen |= 1u << a;
    p.perm[k] = static_cast<std::uint8_t>(a);
    p.output[k] = p.input[static_cast<std::size_t>(a)];
  }
  return {};
}

template <class T>
inline void run(const Params& p, const T* x, T* y) noexcept {
  if (p.output.size() == 0) return;
  const std::size_t rank = p.input.rank();
  detail::StridedLoop<2> loop;
  for (std::size_t k = 0; k < rank; ++k) {
    loop.push(static_cast<std::size_t>(p.output[k]), {static_cast<std::ptrdiff_t>(p.input.stride(p.perm[k])),
                                                      static_cast<std::ptrdiff_t>(p.output.stride(k))});
  }
  const std::size_t n = loop.inner_extent();
  const std::ptrdiff_t in_step = loop.inner_stride(0);
  if (in_step == 1 || loop.rank < 2) {
    loop.for_each_row([&](const std::array<std::ptrdiff_t, 2>& offset) {
      if (in_step == 1) {
        std::memcpy(y + offset[1], x + offset[0], n * sizeof(T));
      } else {
        for (std::size_t i = 0; i < n; ++i)
          y[offset[1] + static_cast<std::ptrdiff_t>(i)] = x[offset[0] + static_cast<std::ptrdiff_t>(i) * in_step];
      }
    });
    return;
  }
  // The output's innermost axis walks x with a stride: find the axis that walks x contiguously and
  // transpose the (that axis, innermost axis) planes in tiles.
  std::size_t k = 0;
  while (k + 1 < loop.rank && loop.stride[0][k] != 1) ++k;
  if (k + 1 == loop.rank) {  // no contiguous axis in x (cannot happen for a permutation); gather
    loop.for_each_row([&](const std::array<std::ptrdiff_t, 2>& offset) {
      for (std::size_t i = 0; i < n; ++i)
        y[offset[1] + static_cast<std::ptrdiff_t>(i)] = x[offset[0] + static_cast<std::ptrdiff_t>(i) * in_step];
    });
    return;
  }
  detail::StridedLoop<2> outer;
  for (std::size_t d = 0; d + 1 < loop.rank; ++d) {
    if (d != k) outer.push(loop.extent[d], {loop.stride[0][d], loop.stride[1][d]});
  }
  const std::size_t rows = n, cols = loop.extent[k];
  const std::ptrdiff_t y_col_stride = loop.stride[1][k];
  // Visit every element of `outer` (for_each_row walks all but its innermost axis, so add it back).
  const std::size_t outer_inner = outer.inner_extent();
  const std::ptrdiff_t outer_in = outer.inner_stride(0), outer_out = outer.inner_stride(1);
  outer.for_each_row([&](const std::array<std::ptrdiff_t, 2>& offset) {
    for (std::size_t j = 0; j < outer_inner; ++j) {
      const auto jj = static_cast<std::ptrdiff_t>(j);
      detail::transpose_tile(x + offset[0] + jj * outer_in, in_step, y + offset[1] + jj * outer_out, y_col_stride, rows,
                             cols);
    }
  });
}

}  // namespace transpose
}  // namespace tinynn::ops
