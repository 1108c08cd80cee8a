// tinynn — NEON GEMM micro-kernel (AArch64, through xsimd's batch<float, neon64>): up to 6 rows x 16
// columns (one packed-B panel = 4 vectors per row) in 24 accumulators; per k step 4 B loads and 6
// broadcast-FMA groups. Compiled where the target has NEON (AArch64 always does).
#pragma once

#include <cstdint>
#include <utility>

#include "tinynn/backends/scalar/gemm.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

#if defined(__ARM_NEON) && defined(__aarch64__)
#include <xsimd/xsimd.hpp>

namespace tinynn::kernels {

namespace detail {

template <int R>
void gemm_tile_neon(const ops::detail::GemmTile& t) noexcept {
  using batch = xsimd::batch<float, xsimd::neon64>;
  constexpr int V = 4;  // vectors per 16-column panel
  batch acc[R][V];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) acc[r][v] = t.first ? batch::load_unaligned(t.bias + 4 * v) : batch(0.0f);
  }
  for (std::int64_t kk = 0; kk < t.kc; ++kk) {
    batch b[V];
    for (int v = 0; v < V; ++v) b[v] = batch::load_unaligned(t.b + kk * 16 + 4 * v);
    for (int r = 0; r < R; ++r) {
      const batch a(t.a[kk * R + r]);
      for (int v = 0; v < V; ++v) acc[r][v] = xsimd::fma(a, b[v], acc[r][v]);
    }
  }
  const ops::detail::GemmEpilogue& e = t.epilogue;
  const batch lo(e.lo), hi(e.hi), alpha(e.alpha), zero(0.0f);
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) {
      float* c = t.c + r * t.ldc + 4 * v;
      batch x = acc[r][v];
      if (!t.first) x = x + batch::load_unaligned(c);
      if (t.last) {
        if (e.leaky) x = xsimd::select(x < zero, x * alpha, x);
        x = xsimd::min(xsimd::max(x, lo), hi);
      }
      x.store_unaligned(c);
    }
  }
}

template <int... R>
void gemm_tile_neon_rows(int rows, const ops::detail::GemmTile& t, std::integer_sequence<int, R...>) noexcept {
  (void)((rows == R + 1 ? (gemm_tile_neon<R + 1>(t), true) : false) || ...);
}

}  // namespace detail

[[nodiscard]] constexpr ops::detail::GemmKernelShape gemm_kernel_shape(backend::neon) noexcept { return {6, 1}; }

inline void gemm_tile(backend::neon, int rows, int /*panels: always 1*/, const ops::detail::GemmTile& t) noexcept {
  detail::gemm_tile_neon_rows(rows, t, std::make_integer_sequence<int, 6>{});
}

}  // namespace tinynn::kernels

#endif  // __ARM_NEON && __aarch64__
