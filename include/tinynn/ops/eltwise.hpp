// tinynn — binary elementwise operations with NumPy (ONNX multidirectional) broadcasting.
//   out[i] = act(a[bcast_a(i)] op b[bcast_b(i)]),  op in {add, sub, mul, div, min, max, pow, prelu};
//   shapes align at the right, and each dimension pair must be equal or contain a 1.
#pragma once

#include <array>
#include <cstddef>

#include "tinynn/backends/avx2/eltwise.hpp"
#include "tinynn/backends/avx512/eltwise.hpp"
#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/neon/eltwise.hpp"
#include "tinynn/backends/scalar/eltwise.hpp"
#include "tinynn/backends/sve/eltwise.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/elementwise_kinds.hpp"
#include "tinynn/ops/detail/nd.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops {

/// The NumPy broadcast of two shapes, or an error naming the first incompatible dimension pair.
[[nodiscard]] inline Result<DynShape> broadcast_shapes(const DynShape& a, const DynShape& b) {
  const std::size_t rank = a.rank() > b.rank() ? a.rank() : b.rank();
  DynShape out;
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i + a.rank() >= rank ? a[i + a.rank() - rank] : 1;
    const std::int64_t db = i + b.rank() >= rank ? b[i + b.rank() - rank] : 1;
    if (da != db && da != 1 && db != 1) {
      return error(ErrorCode::invalid_argument, "shapes ", a, " and ", b, " do not broadcast: dimension ", i,
                   " of the result is ", da, " in one and ", db, " in the other");
    }
    (void)out.push_back(da == 1 ? db : da);
  }
  return out;
}

namespace detail {
/// Row-major strides of `s` seen from an output of rank `rank` (0 where s broadcasts).
inline std::array<std::ptrdiff_t, max_rank> broadcast_strides(const DynShape& s, std::size_t rank) noexcept {
  std::array<std::ptrdiff_t, max_rank> strides{};
  std::ptrdiff_t running = 1;
  for (std::size_t k = s.rank(); k-- > 0;) {
    const std::size_t axis = k + rank - s.rank();
    strides[axis] = s[k] == 1 ? 0 : running;
    running *= static_cast<std::ptrdiff_t>(s[k]);
  }
  return strides;
}
}  // namespace detail

namespace binary {

struct Params {
  BinaryOp op = BinaryOp::add;
  ActivationParams activation{};  // fused after the operation
  DynShape a, b;                  // input shapes
  DynShape output;                // set by prepare(): the broadcast shape
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Checks that p.a and p.b broadcast and sets p.output.
[[nodiscard]] inline Status prepare(Params& p) {
  auto out = broadcast_shapes(p.a, p.b);
  if (!out) return out.status();
  p.output = *out;
  return {};
}

/// out = act(a op b) with broadcasting; out may alias an input of the output's shape.
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* a, const float* b, float* out) noexcept {
  backend::require_compilable<B>();
  const DynShape& shape = p.output;
  if (shape.size() == 0) return;
  const std::size_t rank = shape.rank();
  const auto sa = detail::broadcast_strides(p.a, rank);
  const auto sb = detail::broadcast_strides(p.b, rank);
  detail::StridedLoop<3> loop;
  for (std::size_t i = 0; i < rank; ++i) {
    loop.push(static_cast<std::size_t>(shape[i]), {sa[i], sb[i], static_cast<std::ptrdiff_t>(shape.stride(i))});
  }
  const std::size_t n = loop.inner_extent();
  const auto step_a = static_cast<std::size_t>(loop.inner_stride(0));
  const auto step_b = static_cast<std::size_t>(loop.inner_stride(1));
  loop.for_each_row([&](const std::array<std::ptrdiff_t, 3>& offset) {
    backend::binary(B{}, p.op, a + offset[0], step_a, b + offset[1], step_b, out + offset[2], n, p.activation);
  });
}

inline void run(backend::BackendId id, const Params& p, const float* a, const float* b, float* out) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, a, b, out); });
}

}  // namespace binary
}  // namespace tinynn::ops
