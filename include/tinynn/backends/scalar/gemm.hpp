// tinynn — scalar GEMM kernels: portable C++ (no SIMD, no heap, no exceptions), also for Cortex-M.
// C[M x N] = act(A[M x K] * B + bias) with B packed in 16-column panels (ops/detail/gemm_kernel.hpp).
// A is read in place (no packing, no scratch), four rows at a time so that each B row is loaded once.
#pragma once

#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

namespace tinynn::kernels {

/// The scalar backend has no blocked micro-kernel: the drivers call gemm_direct() instead.
[[nodiscard]] constexpr ops::detail::GemmKernelShape gemm_kernel_shape(backend::scalar) noexcept { return {0, 1}; }

/// C = act(A B + bias). `a`: rows `lda` floats apart; `packed_b`: gemm_pack_b() output for (n, k).
inline void gemm_direct(backend::scalar, std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
                        std::int64_t lda, const float* packed_b, float* c, std::int64_t ldc,
                        const ops::ActivationParams& activation) noexcept {
  constexpr std::int64_t width = ops::detail::gemm_panel_width;
  constexpr std::int64_t block_rows = 4;
  const std::int64_t panels = ops::detail::gemm_panel_count(n);
  const float* bias = packed_b + panels * width * k;
  for (std::int64_t row0 = 0; row0 < m; row0 += block_rows) {
    const std::int64_t rows = m - row0 < block_rows ? m - row0 : block_rows;
    for (std::int64_t p = 0; p < panels; ++p) {
      const float* panel = packed_b + p * k * width;
      float acc[block_rows][width];
      for (std::int64_t r = 0; r < block_rows; ++r) {
        for (std::int64_t j = 0; j < width; ++j) acc[r][j] = bias[p * width + j];
      }
      for (std::int64_t kk = 0; kk < k; ++kk) {
        const float* b_row = panel + kk * width;
        for (std::int64_t r = 0; r < rows; ++r) {
          const float a_value = a[(row0 + r) * lda + kk];
          for (std::int64_t j = 0; j < width; ++j) acc[r][j] += a_value * b_row[j];
        }
      }
      const std::int64_t cols = n - p * width < width ? n - p * width : width;
      for (std::int64_t r = 0; r < rows; ++r) {
        float* c_row = c + (row0 + r) * ldc + p * width;
        for (std::int64_t j = 0; j < cols; ++j) c_row[j] = ops::apply_activation(activation, acc[r][j]);
      }
    }
  }
}

/// The A-panel packer the blocked drivers use on backend `Tag`; backends with a faster one
/// (a SIMD transpose) overload this for their tag.
template <class Tag>
[[nodiscard]] constexpr ops::detail::GemmPackRowsFn gemm_pack_rows_fn(Tag) noexcept {
  return &ops::detail::gemm_pack_rows_portable;
}

/// Rows per direct (unpacked-A) tile for `panels` panels; 0: backend `Tag` has no direct kernel.
template <class Tag>
[[nodiscard]] constexpr int gemm_direct_rows(Tag, int /*panels*/) noexcept {
  return 0;
}
/// Never called for a backend whose gemm_direct_rows() is 0.
template <class Tag>
inline void gemm_direct_tile(Tag, int /*panels*/, const ops::detail::GemmDirectTile& /*tile*/) noexcept {}

/// The portable micro-kernel (the reference the SIMD kernels are tested against, and the blocked
/// driver's kernel when it runs with the scalar tag in tests).
inline void gemm_tile(backend::scalar, int rows, int panels, const ops::detail::GemmTile& t) noexcept {
  constexpr std::int64_t width = ops::detail::gemm_panel_width;
  for (int p = 0; p < panels; ++p) {
    const float* panel = t.b + p * t.b_panel_stride;
    for (int r = 0; r < rows; ++r) {
      float acc[width];
      float* c_row = t.c + r * t.ldc + p * width;
      for (std::int64_t j = 0; j < width; ++j) acc[j] = t.first ? t.bias[p * width + j] : c_row[j];
      for (std::int64_t kk = 0; kk < t.kc; ++kk) {
        const float a_value = t.a[kk * rows + r];
        for (std::int64_t j = 0; j < width; ++j) acc[j] += a_value * panel[kk * width + j];
      }
      for (std::int64_t j = 0; j < width; ++j) {
        float v = acc[j];
        if (t.last) {
          const ops::detail::GemmEpilogue& e = t.epilogue;
          if (e.leaky) v = v >= 0.0f ? v : e.alpha * v;
          v = v < e.lo ? e.lo : (v > e.hi ? e.hi : v);
        }
        c_row[j] = v;
      }
    }
  }
}

}  // namespace tinynn::kernels
