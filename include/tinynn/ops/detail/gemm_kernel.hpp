// tinynn — the contract between the GEMM/conv drivers in ops/ and the per-backend micro-kernels in
// backends/<tag>/gemm.hpp: the packed-B layout (the same for every backend, so weights packed once
// serve any backend the CPU has), the packed-A layout, and the fused epilogue in clamp form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "tinynn/ops/common.hpp"

namespace tinynn::ops::detail {

/// Packed B (weights) is a sequence of panels of gemm_panel_width columns: panel p holds
/// B[k][16p + j] at p*K*16 + k*16 + j (columns past N are zero), followed by the bias padded to
/// panels*16 (zeros where absent). Every backend reads this one layout.
inline constexpr std::int64_t gemm_panel_width = 16;

[[nodiscard]] constexpr std::int64_t gemm_panel_count(std::int64_t n) noexcept {
  return (n + gemm_panel_width - 1) / gemm_panel_width;
}

/// Floats of one packed B for an N x K problem (panels plus padded bias).
[[nodiscard]] constexpr std::size_t gemm_packed_b_floats(std::int64_t n, std::int64_t k) noexcept {
  const std::int64_t padded = gemm_panel_count(n) * gemm_panel_width;
  return static_cast<std::size_t>(padded * k + padded);
}

/// Packs B into `dst` (gemm_packed_b_floats(n, k) floats). `b` is either [K][N] (b_is_nk false)
/// or [N][K] (b_is_nk true: dense/conv weights), rows `ldb` floats apart; `bias` (N floats) may be null.
constexpr void gemm_pack_b(std::int64_t n, std::int64_t k, const float* b, std::int64_t ldb, bool b_is_nk,
                           const float* bias, float* dst) noexcept {
  const std::int64_t panels = gemm_panel_count(n);
  for (std::int64_t p = 0; p < panels; ++p) {
    float* panel = dst + p * k * gemm_panel_width;
    for (std::int64_t kk = 0; kk < k; ++kk) {
      for (std::int64_t j = 0; j < gemm_panel_width; ++j) {
        const std::int64_t col = p * gemm_panel_width + j;
        float value = 0.0f;
        if (col < n) value = b_is_nk ? b[col * ldb + kk] : b[kk * ldb + col];
        panel[kk * gemm_panel_width + j] = value;
      }
    }
  }
  float* packed_bias = dst + panels * gemm_panel_width * k;
  for (std::int64_t col = 0; col < panels * gemm_panel_width; ++col) {
    packed_bias[col] = (bias != nullptr && col < n) ? bias[col] : 0.0f;
  }
}

/// The fused activation as the micro-kernels apply it: y = clamp(x, lo, hi), or leaky
/// (x >= 0 ? x : alpha x) when `leaky`. Sigmoid, tanh and hard-swish are not clamp-like: the drivers
/// apply them with apply_activation() after the kernel (`scalar_pass`).
struct GemmEpilogue {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  float alpha = 0.0f;
  bool leaky = false;
  bool scalar_pass = false;
};

[[nodiscard]] constexpr GemmEpilogue gemm_epilogue(const ActivationParams& a) noexcept {
  GemmEpilogue e;
  switch (a.kind) {
    case Activation::none: break;
    case Activation::relu: e.lo = 0.0f; break;
    case Activation::relu6:
      e.lo = 0.0f;
      e.hi = 6.0f;
      break;
    case Activation::clip:
      e.lo = a.min;
      e.hi = a.max;
      break;
    case Activation::leaky_relu:
      e.leaky = true;
      e.alpha = a.alpha;
      break;
    case Activation::sigmoid:
    case Activation::tanh:
    case Activation::hard_swish: e.scalar_pass = true; break;
  }
  return e;
}

/// One micro-kernel call: C[rows x 16*panels] (+)= A[rows x kc] * B[kc x 16*panels].
/// A is packed as [kc][rows]; B points at row k0 of the first panel, further panels are
/// `b_panel_stride` floats apart. `first`: start from the bias (else from C); `last`: apply the
/// epilogue. The kernel writes all 16*panels columns (the driver gives it a temporary at the N edge).
struct GemmTile {
  std::int64_t kc = 0;
  const float* a = nullptr;
  const float* b = nullptr;
  std::int64_t b_panel_stride = 0;
  const float* bias = nullptr;
  float* c = nullptr;
  std::int64_t ldc = 0;
  bool first = true;
  bool last = true;
  GemmEpilogue epilogue;
};

/// One direct micro-kernel call (A not packed): the depth of the k block splits into `segments`
/// runs of segment_len[s] contiguous floats; rows[s * R + r] points at row r's run s (R = the
/// kernel's row count; never null: padding points at gemm_zeros). tile.b/c/bias/first/last as above
/// (tile.a, tile.kc unused); all 16*panels columns and all R rows are written.
struct GemmDirectTile {
  GemmTile tile;
  std::int64_t segments = 0;
  const std::int64_t* segment_len = nullptr;
  const float* const* rows = nullptr;
};

/// Zeros a direct tile reads for padding taps and missing rows (segments are at most this long).
inline constexpr std::int64_t gemm_direct_max_segment = 256;
alignas(64) inline constexpr float gemm_zeros[gemm_direct_max_segment] = {};

/// Packs `rows` (<= 16) rows of `kc` contiguous floats, row r at src[r] (nullptr: a row of
/// zeros, e.g. convolution padding), as [kc][rows] at `dst`. Backends supply faster versions
/// (kernels::gemm_pack_rows_fn); this one is the portable reference.
using GemmPackRowsFn = void (*)(int rows, const float* const* src, std::int64_t kc, float* dst) noexcept;

inline void gemm_pack_rows_portable(int rows, const float* const* src, std::int64_t kc, float* dst) noexcept {
  for (int r = 0; r < rows; ++r) {
    const float* row = src[r];
    if (row == nullptr) {
      for (std::int64_t kk = 0; kk < kc; ++kk) dst[kk * rows + r] = 0.0f;
    } else {
      for (std::int64_t kk = 0; kk < kc; ++kk) dst[kk * rows + r] = row[kk];
    }
  }
}

/// What a backend's blocked GEMM micro-kernel handles: up to `mr` rows and `panels` panels per call
/// (mr == 0: the backend has no blocked kernel and runs the direct scalar loops).
struct GemmKernelShape {
  int mr = 0;
  int panels = 1;
};

}  // namespace tinynn::ops::detail
