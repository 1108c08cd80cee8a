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
#include <limits>

#include "tinynn/backends/avx2/quantized_gemm.hpp"
#include "tinynn/backends/avx512/quantized_gemm.hpp"
#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/backends/neon/quantized_gemm.hpp"
#include "tinynn/backends/scalar/quantized_gemm.hpp"
#include "tinynn/backends/sve/quantized_gemm.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/quantized/requantize.hpp"

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

// ---- the fused path: the GEMM requantizes its own accumulators (VNNI ISAs) ----

using backend::detail::QuantizedGemmEpilogue;

/// int32 entries of the epilogue tables for n output channels (4 tables of n16).
[[nodiscard]] constexpr std::size_t gemm_epilogue_table_entries(std::int32_t n) noexcept {
  return 4 * static_cast<std::size_t>(round_up(n, 16));
}

/// Whether backend `id` has a fused requantizing int8 GEMM on the running CPU.
[[nodiscard]] inline bool has_fused_gemm(backend::BackendId id) noexcept {
#if TINYNN_HAS_X86_KERNELS
  const CpuFeatures& f = cpu_features();
  return ((id == backend::BackendId::avx512 && f.avx512_vnni) ||
          ((id == backend::BackendId::avx512 || id == backend::BackendId::avx2) && f.avx_vnni));
#else
  (void)id;
  return false;
#endif
}

/// Fills `tables` (gemm_epilogue_table_entries(w.n)) and `e` for the output stage `stage` of a GEMM
/// whose activations carry input_zero_point. Returns false when the stage has values the int32
/// vector arithmetic cannot reproduce exactly (an offset bias - (128 + zp) * sum outside int32, a
/// negative multiplier, a single-rounding shift below 1, clamp bounds minus the zero point outside
/// int32): callers then take the unfused path, which handles every case as the scalar kernel.
[[nodiscard]] inline bool prepare_gemm_epilogue(const OutputStage& stage, const QuantizedPackedWeights& w,
                                                const std::int32_t* bias, std::int32_t input_zero_point,
                                                std::int32_t* tables, QuantizedGemmEpilogue& e) noexcept {
  const auto n16 = static_cast<std::size_t>(w.n16);
  std::int32_t* offsets = tables;
  std::int32_t* multipliers = tables + n16;
  std::int32_t* shift_a = tables + 2 * n16;
  std::int32_t* shift_b = tables + 3 * n16;
  const bool single = stage.rounding == Rounding::single_rounding;
  const std::int64_t correction = 128 + std::int64_t{input_zero_point};
  constexpr std::int64_t int32_min = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t int32_max = std::numeric_limits<std::int32_t>::max();
  for (std::size_t o = 0; o < n16; ++o) {
    if (o >= static_cast<std::size_t>(w.n)) {
      offsets[o] = multipliers[o] = shift_b[o] = 0;
      shift_a[o] = single ? 1 : 0;
      continue;
    }
    const std::int64_t offset = (bias ? std::int64_t{bias[o]} : 0) - correction * w.column_sums[o];
    const QuantizedMultiplier m = stage.multipliers[stage.per_channel ? o : 0];
    if (offset < int32_min || offset > int32_max || m.multiplier < 0) return false;
    offsets[o] = static_cast<std::int32_t>(offset);
    multipliers[o] = m.multiplier;
    if (single) {
      const std::int64_t total_shift = 31 - std::int64_t{m.shift};
      if (total_shift <= 0) return false;
      if (total_shift > 62) multipliers[o] = 0;  // the scalar kernel's result is 0: (0 + 1) >> 1
      shift_a[o] = total_shift > 62 ? 1 : static_cast<std::int32_t>(total_shift);
      shift_b[o] = 0;
    } else {
      const std::int64_t left = m.shift > 0 ? m.shift : 0, right = m.shift > 0 ? 0 : -std::int64_t{m.shift};
      shift_a[o] = static_cast<std::int32_t>(left > 32 ? 32 : left);
      shift_b[o] = static_cast<std::int32_t>(right > 31 ? 31 : right);
    }
  }
  const std::int64_t lo = std::int64_t{stage.range.min} - stage.zero_point;
  const std::int64_t hi = std::int64_t{stage.range.max} - stage.zero_point;
  if (lo < int32_min || hi > int32_max || lo > hi) return false;
  e = QuantizedGemmEpilogue{offsets,
                            multipliers,
                            shift_a,
                            shift_b,
                            w.n,
                            static_cast<std::int32_t>(lo),
                            static_cast<std::int32_t>(hi),
                            stage.zero_point,
                            single};
  return true;
}

/// out [m][e.n] (rows ldo apart) = requantized u x w on the fused kernel of `id` (has_fused_gemm(id)).
inline void gemm_requantize(backend::BackendId id, const std::uint8_t* u, std::int32_t m, std::size_t lda,
                            const QuantizedPackedWeights& w, const QuantizedGemmEpilogue& e, std::int8_t* out,
                            std::size_t ldo) noexcept {
#if TINYNN_HAS_X86_KERNELS
  if (id == backend::BackendId::avx512 && cpu_features().avx512_vnni) {
    backend::detail::quantized_gemm_requantize_avx512vnni(u, m, lda, w, e, out, ldo);
    return;
  }
  backend::detail::quantized_gemm_requantize_avxvnni(u, m, lda, w, e, out, ldo);
#else
  (void)id, (void)u, (void)m, (void)lda, (void)w, (void)e, (void)out, (void)ldo;
#endif
}

// ---- what conv2d and fully connected share: the scratch of a row tile and its output pass ----

/// Rows of activations per GEMM call (a multiple of every row tile of the kernels).
inline constexpr std::int32_t gemm_tile_rows = 48;

/// Scratch bytes of one tile: uint8 rows of k4, int32 accumulators of n16, the epilogue tables.
[[nodiscard]] constexpr std::size_t gemm_tile_scratch_bytes(std::int32_t depth, std::int32_t units) noexcept {
  const auto k4 = static_cast<std::size_t>(round_up(depth, 4)), n16 = static_cast<std::size_t>(round_up(units, 16));
  return static_cast<std::size_t>(gemm_tile_rows) * (k4 + 4 * n16) + 4 * gemm_epilogue_table_entries(units) + 64;
}

/// The scratch of gemm_tile_scratch_bytes, carved once per call; `fused` says whether the
/// requantizing kernel runs (else the int32 GEMM and the scalar output stage).
struct GemmTile {
  std::uint8_t* rows = nullptr;
  std::int32_t* acc = nullptr;
  QuantizedGemmEpilogue epilogue{};
  bool fused = false;
};

inline GemmTile carve_gemm_tile(backend::BackendId id, std::byte* scratch, const QuantizedPackedWeights& w,
                                const OutputStage& stage, const std::int32_t* bias,
                                std::int32_t input_zero_point) noexcept {
  GemmTile t;
  t.rows = reinterpret_cast<std::uint8_t*>(scratch);
  const auto address = reinterpret_cast<std::uintptr_t>(t.rows + static_cast<std::size_t>(gemm_tile_rows) *
                                                                     static_cast<std::size_t>(w.k4));
  t.acc = reinterpret_cast<std::int32_t*>((address + 63) & ~static_cast<std::uintptr_t>(63));
  std::int32_t* tables = t.acc + static_cast<std::size_t>(gemm_tile_rows) * static_cast<std::size_t>(w.n16);
  t.fused = has_fused_gemm(id) && prepare_gemm_epilogue(stage, w, bias, input_zero_point, tables, t.epilogue);
  return t;
}

/// dst[i] = src[i] + 128 as uint8 (the GEMM's unsigned operand), 8 bytes a step.
inline void shift_to_unsigned(const std::int8_t* TINYNN_RESTRICT src, std::uint8_t* TINYNN_RESTRICT dst,
                              std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, src + i, 8);
    word ^= 0x8080808080808080u;
    std::memcpy(dst + i, &word, 8);
  }
  for (; i < n; ++i) dst[i] = static_cast<std::uint8_t>(src[i] ^ static_cast<std::int8_t>(0x80));
}

/// out [rows][w.n] (rows ldo apart) = the output stage of t.rows x w.
inline void gemm_tile_output(backend::BackendId id, const GemmTile& t, std::int32_t rows,
                             const QuantizedPackedWeights& w, const OutputStage& stage, const std::int32_t* bias,
                             std::int32_t input_zero_point, std::int8_t* out, std::size_t ldo) noexcept {
  const auto row_bytes = static_cast<std::size_t>(w.k4);
  if (t.fused) {
    gemm_requantize(id, t.rows, rows, row_bytes, w, t.epilogue, out, ldo);
    return;
  }
  gemm_u8s8(id, t.rows, rows, row_bytes, w, t.acc);
  const std::int32_t correction = 128 + input_zero_point;
  for (std::int32_t r = 0; r < rows; ++r) {
    const std::int32_t* a = t.acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16);
    for (std::int32_t o = 0; o < w.n; ++o) {
      const std::int64_t value =
          std::int64_t{a[o]} - std::int64_t{correction} * w.column_sums[o] + (bias ? bias[o] : 0);
      out[static_cast<std::size_t>(r) * ldo + static_cast<std::size_t>(o)] =
          static_cast<std::int8_t>(stage.apply(value, static_cast<std::size_t>(o)));
    }
  }
}

}  // namespace tinynn::ops::quantized
