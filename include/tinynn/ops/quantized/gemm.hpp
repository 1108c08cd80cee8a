// tinynn — the int8 GEMM behind quantized conv2d and fully connected on SIMD backends:
//   acc[m][n] = sum_k u[m][k] * w[n][k],   u = activation + 128 (as uint8), w int8 weights
// The "+128" maps int8 activations onto the unsigned operand of vpdpbusd / the AVX2 madd path; it is
// undone exactly with the column sums of the weights: sum (x - zp) w = acc - (128 + zp) sum w.
// Weights are packed once (backend-independent layout: N rounded up to 16, K up to 4, stored as
// [N/16][K/4][16 channels][4 bytes]) so one vector load holds 4 k-steps of 16 output channels.
// All arithmetic is exact int32, so every backend gives the same integers as the scalar one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinynn/backends/avx2/quantized_gemm.hpp"
#include "tinynn/backends/avx512/quantized_gemm.hpp"
#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/backends/neon/quantized_gemm.hpp"
#include "tinynn/backends/scalar/quantized_gemm.hpp"
#include "tinynn/backends/sve/quantized_gemm.hpp"
#include "tinynn/backends/tags.hpp"

namespace tinynn::ops::quantized {

using backend::detail::QuantizedPackedWeights;

[[nodiscard]] constexpr std::int32_t round_up(std::int32_t value, std::int32_t multiple) noexcept {
  return (value + multiple - 1) / multiple * multiple;
}

/// Bytes of packed weights for an [n][k] int8 matrix.
[[nodiscard]] constexpr std::size_t packed_weights_bytes(std::int32_t n, std::int32_t k) noexcept {
  return static_cast<std::size_t>(round_up(n, 16)) * static_cast<std::size_t>(round_up(k, 4));
}

/// Packs w [n][k] (row-major int8) into `packed` (packed_weights_bytes) and writes the n column
/// sums sum_k w[n][k] into `sums`. Padding is zero.
inline QuantizedPackedWeights pack_weights(const std::int8_t* w, std::int32_t n, std::int32_t k, std::int8_t* packed,
                                           std::int32_t* sums) noexcept {
  const std::int32_t n16 = round_up(n, 16), k4 = round_up(k, 4);
  std::memset(packed, 0, packed_weights_bytes(n, k));
  for (std::int32_t o = 0; o < n; ++o) {
    std::int32_t sum = 0;
    for (std::int32_t i = 0; i < k; ++i) {
      const std::int8_t v = w[static_cast<std::size_t>(o) * k + i];
      sum += v;
      const std::size_t block = static_cast<std::size_t>(o / 16), step = static_cast<std::size_t>(i / 4);
      packed[((block * (k4 / 4) + step) * 16 + static_cast<std::size_t>(o % 16)) * 4 +
             static_cast<std::size_t>(i % 4)] = v;
    }
    sums[o] = sum;
  }
  return {packed, sums, n, k, n16, k4};
}

/// Whether the running CPU has a SIMD int8 GEMM, and which (for messages and the bench).
[[nodiscard]] inline const char* gemm_isa(backend::BackendId id) noexcept {
#if TINYNN_HAS_X86_KERNELS
  const CpuFeatures& f = cpu_features();
  if (id == backend::BackendId::avx512 && f.avx512_vnni) return "avx512-vnni";
  if ((id == backend::BackendId::avx512 || id == backend::BackendId::avx2) && f.avx_vnni) return "avx-vnni";
  if (id == backend::BackendId::avx512 || id == backend::BackendId::avx2) return "avx2";
#endif
#if defined(__ARM_FEATURE_SVE)
  if (id == backend::BackendId::sve && cpu_features().sve) return "sve-sdot";
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
#if defined(__ARM_FEATURE_DOTPROD)
  if (id == backend::BackendId::neon && cpu_features().neon_dotprod) return "neon-sdot";
#endif
  if (id == backend::BackendId::neon) return "neon";
#endif
  (void)id;
  return "scalar";
}

/// acc [m][w.n16] = u [m][w.k4] (lda bytes between rows) times the packed weights, on backend `id`
/// (which the CPU must support: pass runtime_backend()). Rows of u hold the activation + 128; the
/// k padding of u must be zero (any value works when the weights' padding is zero, which it is).
inline void gemm_u8s8(backend::BackendId id, const std::uint8_t* u, std::int32_t m, std::size_t lda,
                      const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
#if TINYNN_HAS_X86_KERNELS
  const CpuFeatures& f = cpu_features();
  if (id == backend::BackendId::avx512 && f.avx512_vnni) {
    backend::detail::quantized_gemm_avx512vnni(u, m, lda, w, acc);
    return;
  }
  if ((id == backend::BackendId::avx512 || id == backend::BackendId::avx2) && f.avx_vnni) {
    backend::detail::quantized_gemm_avxvnni(u, m, lda, w, acc);
    return;
  }
  if (id == backend::BackendId::avx512 || id == backend::BackendId::avx2) {
    backend::detail::quantized_gemm_avx2(u, m, lda, w, acc);
    return;
  }
#endif
#if defined(__ARM_FEATURE_SVE)
  if (id == backend::BackendId::sve && cpu_features().sve) {
    backend::detail::quantized_gemm_sve(u, m, lda, w, acc);
    return;
  }
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
#if defined(__ARM_FEATURE_DOTPROD)
  if (id == backend::BackendId::neon && cpu_features().neon_dotprod) {
    backend::detail::quantized_gemm_neon_dot(u, m, lda, w, acc);
    return;
  }
#endif
  if (id == backend::BackendId::neon) {
    backend::detail::quantized_gemm_neon(u, m, lda, w, acc);
    return;
  }
#endif
  (void)id;
  backend::detail::quantized_gemm_scalar(u, m, lda, w, acc);
}

/// Names a specific kernel, for tests that compare every kernel the CPU has with scalar (and to run
/// plain NEON on a CPU that also has dotprod).
enum class GemmKernel : std::uint8_t { scalar, avx2, avx_vnni, avx512_vnni, neon, neon_dotprod, sve };

/// Whether kernel k is compiled into this binary and the running CPU can execute it.
[[nodiscard]] inline bool gemm_kernel_available(GemmKernel k) noexcept {
  [[maybe_unused]] const CpuFeatures& f = cpu_features();
  switch (k) {
    case GemmKernel::scalar: return true;
#if TINYNN_HAS_X86_KERNELS
    case GemmKernel::avx2: return f.avx2;
    case GemmKernel::avx_vnni: return f.avx2 && f.avx_vnni;
    case GemmKernel::avx512_vnni: return f.avx512 && f.avx512_vnni;
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
    case GemmKernel::neon: return f.neon;
#if defined(__ARM_FEATURE_DOTPROD)
    case GemmKernel::neon_dotprod: return f.neon && f.neon_dotprod;
#endif
#endif
#if defined(__ARM_FEATURE_SVE)
    case GemmKernel::sve: return f.sve;
#endif
    default: return false;
  }
}

/// Runs one specific kernel (the caller checked gemm_kernel_available()).
inline void gemm_u8s8(GemmKernel k, const std::uint8_t* u, std::int32_t m, std::size_t lda,
                      const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
  switch (k) {
#if TINYNN_HAS_X86_KERNELS
    case GemmKernel::avx2: backend::detail::quantized_gemm_avx2(u, m, lda, w, acc); return;
    case GemmKernel::avx_vnni: backend::detail::quantized_gemm_avxvnni(u, m, lda, w, acc); return;
    case GemmKernel::avx512_vnni: backend::detail::quantized_gemm_avx512vnni(u, m, lda, w, acc); return;
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
    case GemmKernel::neon: backend::detail::quantized_gemm_neon(u, m, lda, w, acc); return;
#if defined(__ARM_FEATURE_DOTPROD)
    case GemmKernel::neon_dotprod: backend::detail::quantized_gemm_neon_dot(u, m, lda, w, acc); return;
#endif
#endif
#if defined(__ARM_FEATURE_SVE)
    case GemmKernel::sve: backend::detail::quantized_gemm_sve(u, m, lda, w, acc); return;
#endif
    default: backend::detail::quantized_gemm_scalar(u, m, lda, w, acc); return;
  }
}

}  // namespace tinynn::ops::quantized
