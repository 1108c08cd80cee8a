// tinynn — NEON (xsimd) binary elementwise kernel over one broadcast row.
#pragma once

#include "tinynn/backends/neon/math.hpp"
#include "tinynn/backends/scalar/eltwise.hpp"

#if defined(__ARM_NEON) && defined(__aarch64__)

namespace tinynn::backend::neon_impl {

/// out[i] = a[i or 0] op b[i or 0]: AVector / BVector say which operands advance.
template <ops::BinaryOp K, bool AVector, bool BVector>
inline void binary_loop(const float* a, const float* b, float* out, std::size_t n) noexcept {
  const V a0 = splat(a[0]), b0 = splat(b[0]);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    store(out + i, binary_value<K>(AVector ? load(a + i) : a0, BVector ? load(b + i) : b0));
  }
  if (i < n) {
    float buffer_a[lanes] = {}, buffer_b[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) {
      buffer_a[j] = AVector ? a[i + j] : a[0];
      buffer_b[j] = BVector ? b[i + j] : b[0];
    }
    store(buffer_a, binary_value<K>(load(buffer_a), load(buffer_b)));
    for (std::size_t j = 0; i + j < n; ++j) out[i + j] = buffer_a[j];
  }
}

template <ops::BinaryOp K>
inline void binary_row(const float* a, std::size_t a_step, const float* b, std::size_t b_step, float* out,
                       std::size_t n) noexcept {
  if (a_step && b_step) {
    binary_loop<K, true, true>(a, b, out, n);
  } else if (a_step) {
    binary_loop<K, true, false>(a, b, out, n);
  } else if (b_step) {
    binary_loop<K, false, true>(a, b, out, n);
  } else {
    binary_loop<K, false, false>(a, b, out, n);
  }
}

}  // namespace tinynn::backend::neon_impl

namespace tinynn::backend {

inline void binary(neon, ops::BinaryOp op, const float* a, std::size_t a_step, const float* b, std::size_t b_step,
                   float* out, std::size_t n, const ops::ActivationParams& act) noexcept {
  if (op == ops::BinaryOp::pow) {  // std::pow's exact special cases are not worth a vector version
    binary(scalar{}, op, a, a_step, b, b_step, out, n, act);
    return;
  }
  with_binary_kind(op, [&](auto kind) { neon_impl::binary_row<decltype(kind)::value>(a, a_step, b, b_step, out, n); });
  if (act.kind != ops::Activation::none) neon_impl::activation_loop(act, out, n);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_NEON) && defined(__aarch64__)
