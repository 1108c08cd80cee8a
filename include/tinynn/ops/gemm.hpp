// tinynn — GEMM: C[M x N] = act(A[M x K] * B[K x N] + bias[N]).
// A, C row-major (rows lda / ldc floats apart); B (and bias) pre-packed once by pack_weights().
//
// Packed B layout (every backend reads the same one, see ops/detail/gemm_kernel.hpp): 16-column
// panels, panel p = B[0..K)[16p..16p+16) row by row (zero past N), then the bias padded to 16.
// Backends with a micro-kernel pack A per block into `scratch`; the scalar backend needs none.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/gemm_driver.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"
#include "tinynn/status.hpp"
// Backend kernels (each compiles to nothing where its ISA cannot be targeted).
#include "tinynn/backends/avx2/gemm.hpp"
#include "tinynn/backends/avx512/gemm.hpp"
#include "tinynn/backends/neon/gemm.hpp"
#include "tinynn/backends/scalar/gemm.hpp"
#include "tinynn/backends/sve/gemm.hpp"

namespace tinynn::ops::gemm {

struct Params {
  std::int64_t m = 0, n = 0, k = 0;
  std::int64_t lda = 0;  // 0: K (dense A)
  std::int64_t ldc = 0;  // 0: N (dense C)
  ActivationParams activation;
};

/// How the B handed to pack_weights() is laid out: [K][N] (kn) or [N][K] (nk, i.e. B transposed:
/// dense [out][in] weights, ONNX Gemm transB=1, conv OHWI weights).
enum class WeightLayout : std::uint8_t { kn, nk };

[[nodiscard]] constexpr std::int64_t effective_lda(const Params& p) noexcept { return p.lda > 0 ? p.lda : p.k; }
[[nodiscard]] constexpr std::int64_t effective_ldc(const Params& p) noexcept { return p.ldc > 0 ? p.ldc : p.n; }

/// Scratch floats run<B>() needs (0 for scalar).
template <backend::Backend B>
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  if constexpr (std::is_same_v<B, backend::scalar>) {
    return 0;
  } else {
    return detail::gemm_blocked_scratch_floats(p.m, p.k);
  }
}
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p, backend::BackendId id) noexcept {
  return id == backend::BackendId::scalar ? 0 : detail::gemm_blocked_scratch_floats(p.m, p.k);
}

/// Floats of packed B (+ bias); the same for every backend.
[[nodiscard]] constexpr std::size_t packed_weights_size(const Params& p) noexcept {
  return detail::gemm_packed_b_floats(p.n, p.k);
}

/// Packs B (rows `ldb` floats apart, 0: dense) and bias (N floats, may be null) into `packed`.
/// constexpr: static networks can pack at compile time; graphs pack once at session compile.
constexpr void pack_weights(const Params& p, const float* b, WeightLayout layout, const float* bias, float* packed,
                            std::int64_t ldb = 0) noexcept {
  const bool nk = layout == WeightLayout::nk;
  const std::int64_t ld = ldb > 0 ? ldb : (nk ? p.k : p.n);
  detail::gemm_pack_b(p.n, p.k, b, ld, nk, bias, packed);
}

/// Validates the problem: non-negative sizes, strides at least as wide as the rows.
[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.m < 0 || p.n < 0 || p.k < 0) {
    return error(ErrorCode::invalid_argument, "gemm: negative size M=", p.m, " N=", p.n, " K=", p.k);
  }
  if (p.lda != 0 && p.lda < p.k) {
    return error(ErrorCode::invalid_argument, "gemm: lda=", p.lda, " is smaller than K=", p.k);
  }
  if (p.ldc != 0 && p.ldc < p.n) {
    return error(ErrorCode::invalid_argument, "gemm: ldc=", p.ldc, " is smaller than N=", p.n);
  }
  return Status::success();
}

/// Runs on backend B (compile-time choice). `scratch`: scratch_size<B>(p) floats (may be null if 0).
template <backend::Backend B = backend::native>
void run(const Params& p, const float* a, const float* packed_b, float* c, float* scratch) noexcept {
  backend::require_compilable<B>();
  const detail::GemmKernelShape shape = kernels::gemm_kernel_shape(B{});
  if (shape.mr == 0) {
    kernels::gemm_direct(B{}, p.m, p.n, p.k, a, effective_lda(p), packed_b, c, effective_ldc(p), p.activation);
    return;
  }
  const std::int64_t panels = detail::gemm_panel_count(p.n);
  const int direct_rows = panels <= 4 ? kernels::gemm_direct_rows(B{}, static_cast<int>(panels)) : 0;
  if (direct_rows > 0 && p.m >= 2 * direct_rows) {
    // Narrow N: packing A would cost about as much as the FMAs it feeds; read it in place.
    const auto direct = [](int tile_panels, const detail::GemmDirectTile& tile) noexcept {
      kernels::gemm_direct_tile(B{}, tile_panels, tile);
    };
    detail::gemm_direct_blocked(direct, direct_rows, p.m, p.n, p.k, detail::GemmRowSource{a, effective_lda(p)},
                                packed_b, c, effective_ldc(p), p.activation);
    return;
  }
  const auto kernel = [](int rows, int panels, const detail::GemmTile& tile) noexcept {
    kernels::gemm_tile(B{}, rows, panels, tile);
  };
  detail::gemm_blocked(kernel, shape, p.m, p.n, p.k,
                       detail::GemmRowPacker{a, effective_lda(p), kernels::gemm_pack_rows_fn(B{})}, packed_b, c,
                       effective_ldc(p), p.activation, scratch);
}

/// Runs on a backend chosen at run time (ask backend_available(id) / runtime_backend() first).
inline void run(backend::BackendId id, const Params& p, const float* a, const float* packed_b, float* c,
                float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) noexcept { run<decltype(tag)>(p, a, packed_b, c, scratch); });
}

}  // namespace tinynn::ops::gemm
