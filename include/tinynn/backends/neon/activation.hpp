// tinynn — NEON (xsimd) unary elementwise kernel (same text as the other fixed-width backends).
#pragma once

#include "tinynn/backends/neon/math.hpp"
#include "tinynn/backends/scalar/activation.hpp"

#if defined(__ARM_NEON) && defined(__aarch64__)

namespace tinynn::backend::neon_impl {

template <ops::UnaryOp K>
inline void unary_loop(const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, unary_value<K>(p, load(x + i)));
  if (i < n) {
    float buffer[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) buffer[j] = x[i + j];
    store(buffer, unary_value<K>(p, load(buffer)));
    for (std::size_t j = 0; i + j < n; ++j) y[i + j] = buffer[j];
  }
}

}  // namespace tinynn::backend::neon_impl

namespace tinynn::backend {

inline void unary(neon, const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  with_unary_kind(p.kind, [&](auto kind) { neon_impl::unary_loop<decltype(kind)::value>(p, x, y, n); });
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_NEON) && defined(__aarch64__)
