// tinynn — the blocked GEMM driver shared by gemm, conv2d and fully_connected on backends with a
// micro-kernel (avx2, avx512, neon, sve): cache blocking over K (kc) and M (mc), A packed per block
// into scratch by a caller-supplied packer (plain rows for GEMM, an implicit im2col gather for
// convolutions), then micro-kernel calls over the B panels that stay in L1 while A streams from L2.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

namespace tinynn::ops::detail {

inline constexpr std::int64_t gemm_kc = 256;       // K block: one B panel slice (kc x 32 floats) fits L1
inline constexpr std::int64_t gemm_mc_rows = 128;  // M block bound: the packed A block (mc x kc) fits L2
inline constexpr int gemm_max_mr = 16;
inline constexpr int gemm_max_panels = 2;

/// Floats of scratch the blocked driver needs (the packed A block).
[[nodiscard]] constexpr std::size_t gemm_blocked_scratch_floats(std::int64_t m, std::int64_t k) noexcept {
  const std::int64_t rows = m < gemm_mc_rows ? m : gemm_mc_rows;
  const std::int64_t depth = k < gemm_kc ? k : gemm_kc;
  return static_cast<std::size_t>(rows * depth);
}

/// Packs rows [row0, row0 + rows) x columns [k0, k0 + kc) of a row-major A as [kc][rows].
struct GemmRowPacker {
  const float* a;
  std::int64_t lda;
  GemmPackRowsFn pack_rows = &gemm_pack_rows_portable;
  void operator()(std::int64_t row0, std::int64_t rows, std::int64_t k0, std::int64_t kc, float* dst) const noexcept {
    const float* src[gemm_max_mr];
    for (std::int64_t r = 0; r < rows; ++r) src[r] = a + (row0 + r) * lda + k0;
    pack_rows(static_cast<int>(rows), src, kc, dst);
  }
};

/// C[M x N] = act(A B + bias) through `kernel(rows, panels, tile)` (a backend micro-kernel).
template <class Kernel, class PackA>
void gemm_blocked(const Kernel& kernel, GemmKernelShape shape, std::int64_t m, std::int64_t n, std::int64_t k,
                  const PackA& pack_a, const float* packed_b, float* c, std::int64_t ldc,
                  const ActivationParams& activation, float* scratch) noexcept {
  if (m <= 0 || n <= 0) return;
  const GemmEpilogue epilogue = gemm_epilogue(activation);
  const std::int64_t mr = shape.mr;
  const std::int64_t mc_max = mr * (gemm_mc_rows / mr);
  const std::int64_t panels = gemm_panel_count(n);
  const float* bias = packed_b + panels * gemm_panel_width * k;
  const std::int64_t k_steps = k > 0 ? k : 1;  // K == 0: one pass that writes act(bias)
  // One tile descriptor, set up once and updated per call: rebuilding it per tile (byte-wide
  // stores read back as wider loads) stalled store forwarding for ~5% of a large GEMM.
  GemmTile tile;
  tile.epilogue = epilogue;
  tile.b_panel_stride = k * gemm_panel_width;
  for (std::int64_t k0 = 0; k0 < k_steps; k0 += gemm_kc) {
    const std::int64_t kc = k - k0 < gemm_kc ? (k > 0 ? k - k0 : 0) : gemm_kc;
    const bool first = k0 == 0;
    const bool last = k0 + gemm_kc >= k;
    tile.kc = kc;
    tile.first = first;
    tile.last = last;
    for (std::int64_t m0 = 0; m0 < m; m0 += mc_max) {
      const std::int64_t mc = m - m0 < mc_max ? m - m0 : mc_max;
      float* a_block = scratch;
      for (std::int64_t i = 0; i < mc; i += mr) {
        const std::int64_t h = mc - i < mr ? mc - i : mr;
        if (kc > 0) pack_a(m0 + i, h, k0, kc, a_block);
        a_block += h * kc;
      }
      for (std::int64_t p0 = 0; p0 < panels; p0 += shape.panels) {
        const std::int64_t np = panels - p0 < shape.panels ? panels - p0 : shape.panels;
        const std::int64_t col0 = p0 * gemm_panel_width;
        const std::int64_t width = np * gemm_panel_width;
        const std::int64_t cols = n - col0 < width ? n - col0 : width;
        const float* a_panel = scratch;
        for (std::int64_t i = 0; i < mc; i += mr) {
          const std::int64_t h = mc - i < mr ? mc - i : mr;
          tile.a = a_panel;
          tile.b = packed_b + p0 * k * gemm_panel_width + k0 * gemm_panel_width;
          tile.bias = bias + col0;
          float* c_tile = c + (m0 + i) * ldc + col0;
          if (cols == width) {
            tile.c = c_tile;
            tile.ldc = ldc;
            kernel(static_cast<int>(h), static_cast<int>(np), tile);
          } else {
            alignas(64) float temp[gemm_max_mr * gemm_max_panels * gemm_panel_width];
            if (!first) {
              for (std::int64_t r = 0; r < h; ++r) {
                for (std::int64_t j = 0; j < cols; ++j) temp[r * width + j] = c_tile[r * ldc + j];
              }
            }
            tile.c = temp;
            tile.ldc = width;
            kernel(static_cast<int>(h), static_cast<int>(np), tile);
            for (std::int64_t r = 0; r < h; ++r) {
              for (std::int64_t j = 0; j < cols; ++j) c_tile[r * ldc + j] = temp[r * width + j];
            }
          }
          if (last && epilogue.scalar_pass) {
            for (std::int64_t r = 0; r < h; ++r) {
              for (std::int64_t j = 0; j < cols; ++j)
                c_tile[r * ldc + j] = apply_activation(activation, c_tile[r * ldc + j]);
            }
          }
          a_panel += h * kc;
        }
      }
    }
  }
}

// ---- Direct path: A read in place (no packing), for narrow N (at most 4 panels = 64 columns) ----

inline constexpr int gemm_direct_max_rows = 8;
inline constexpr std::int64_t gemm_direct_max_segments = 64;

/// Row source of a plain row-major A for the direct path: one segment per k block.
struct GemmRowSource {
  const float* a;
  std::int64_t lda;
  /// Fills rows[s * tile_rows + r] and segment_len[s] for rows [row0, row0 + count) (rows past
  /// `count` repeat a real row: their results are discarded) and depth [k0, k0 + kc); returns the
  /// number of segments.
  std::int64_t operator()(std::int64_t row0, std::int64_t count, int tile_rows, std::int64_t k0, std::int64_t kc,
                          const float** rows, std::int64_t* segment_len) const noexcept {
    for (int r = 0; r < tile_rows; ++r) rows[r] = a + (row0 + (r < count ? r : 0)) * lda + k0;
    segment_len[0] = kc;
    return 1;
  }
};

/// The depth block of the direct path: the B chunk (kc x 16*panels floats) stays within ~32 KB of L1.
[[nodiscard]] constexpr std::int64_t gemm_direct_kc(std::int64_t panels) noexcept {
  return panels >= 4 ? 128 : (panels == 3 ? 160 : gemm_direct_max_segment);
}

/// C[M x N] = act(A B + bias) for N <= 64 through `kernel(panels, direct_tile)`, `tile_rows` rows a call,
/// A rows supplied in place by `source` (GemmRowSource or an implicit-im2col equivalent).
template <class Kernel, class RowSource>
void gemm_direct_blocked(const Kernel& kernel, int tile_rows, std::int64_t m, std::int64_t n, std::int64_t k,
                         const RowSource& source, const float* packed_b, float* c, std::int64_t ldc,
                         const ActivationParams& activation) noexcept {
  if (m <= 0 || n <= 0) return;
  const std::int64_t panels = gemm_panel_count(n);
  const std::int64_t width = panels * gemm_panel_width;
  const std::int64_t kc_max = gemm_direct_kc(panels);
  const float* bias = packed_b + panels * gemm_panel_width * k;
  const GemmEpilogue epilogue = gemm_epilogue(activation);
  const float* rows[gemm_direct_max_rows * gemm_direct_max_segments];
  std::int64_t segment_len[gemm_direct_max_segments];
  GemmDirectTile d;
  d.rows = rows;
  d.segment_len = segment_len;
  d.tile.epilogue = epilogue;
  d.tile.b_panel_stride = k * gemm_panel_width;
  d.tile.bias = bias;
  const std::int64_t k_steps = k > 0 ? k : 1;  // K == 0: one pass that writes act(bias)
  for (std::int64_t k0 = 0; k0 < k_steps; k0 += kc_max) {
    const std::int64_t kc = k - k0 < kc_max ? (k > 0 ? k - k0 : 0) : kc_max;
    d.tile.first = k0 == 0;
    d.tile.last = k0 + kc_max >= k;
    d.tile.b = packed_b + k0 * gemm_panel_width;
    for (std::int64_t row0 = 0; row0 < m; row0 += tile_rows) {
      const std::int64_t count = m - row0 < tile_rows ? m - row0 : tile_rows;
      d.segments = kc > 0 ? source(row0, count, tile_rows, k0, kc, rows, segment_len) : 0;
      float* c_tile = c + row0 * ldc;
      if (count == tile_rows && n == width) {
        d.tile.c = c_tile;
        d.tile.ldc = ldc;
        kernel(static_cast<int>(panels), d);
      } else {
        alignas(64) float temp[gemm_direct_max_rows * 4 * gemm_panel_width];
        if (!d.tile.first) {
          for (std::int64_t r = 0; r < count; ++r) {
            for (std::int64_t j = 0; j < n; ++j) temp[r * width + j] = c_tile[r * ldc + j];
          }
        }
        d.tile.c = temp;
        d.tile.ldc = width;
        kernel(static_cast<int>(panels), d);
        for (std::int64_t r = 0; r < count; ++r) {
          for (std::int64_t j = 0; j < n; ++j) c_tile[r * ldc + j] = temp[r * width + j];
        }
      }
      if (d.tile.last && epilogue.scalar_pass) {
        for (std::int64_t r = 0; r < count; ++r) {
          for (std::int64_t j = 0; j < n; ++j) c_tile[r * ldc + j] = apply_activation(activation, c_tile[r * ldc + j]);
        }
      }
    }
  }
}

}  // namespace tinynn::ops::detail
