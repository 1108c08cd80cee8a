// tinynn — SVE binary elementwise kernel over one broadcast row (predicated loops: no scalar tails).
#pragma once

#include "tinynn/backends/scalar/eltwise.hpp"
#include "tinynn/backends/sve/math.hpp"

#if defined(__ARM_FEATURE_SVE)

namespace tinynn::backend::sve_impl {

template <ops::BinaryOp K>
inline void binary_row(const float* a, std::size_t a_step, const float* b, std::size_t b_step, float* out,
                       std::size_t n) noexcept {
  const V a0 = splat(a[0]), b0 = splat(b[0]);
  for (std::size_t i = 0; i < n; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, n);
    const V va = a_step ? svld1_f32(pg, a + i) : a0;
    const V vb = b_step ? svld1_f32(pg, b + i) : b0;
    svst1_f32(pg, out + i, binary_value<K>(va, vb));
  }
}

}  // namespace tinynn::backend::sve_impl

namespace tinynn::backend {

inline void binary(sve, ops::BinaryOp op, const float* a, std::size_t a_step, const float* b, std::size_t b_step,
                   float* out, std::size_t n, const ops::ActivationParams& act) noexcept {
  if (op == ops::BinaryOp::pow) {  // std::pow's exact special cases are not worth a vector version
    binary(scalar{}, op, a, a_step, b, b_step, out, n, act);
    return;
  }
  with_binary_kind(op, [&](auto kind) { sve_impl::binary_row<decltype(kind)::value>(a, a_step, b, b_step, out, n); });
  if (act.kind != ops::Activation::none) sve_impl::activation_loop(act, out, n);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_FEATURE_SVE)
