// tinynn — SVE unary elementwise kernel (predicated loops: no scalar tails).
#pragma once

#include "tinynn/backends/scalar/activation.hpp"
#include "tinynn/backends/sve/math.hpp"

#if defined(__ARM_FEATURE_SVE)

namespace tinynn::backend::sve_impl {

template <ops::UnaryOp K>
inline void unary_loop(const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, n);
    svst1_f32(pg, y + i, unary_value<K>(p, svld1_f32(pg, x + i)));
  }
}

}  // namespace tinynn::backend::sve_impl

namespace tinynn::backend {

inline void unary(sve, const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  with_unary_kind(p.kind, [&](auto kind) { sve_impl::unary_loop<decltype(kind)::value>(p, x, y, n); });
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_FEATURE_SVE)
