// tinynn — int8/uint8 2-D convolution, NHWC, TFLite integer semantics:
//   acc[n,y,x,o] = bias[o] + sum_{ky,kx,i} (in[n, y*s+ky*d-pad, x*s+kx*d-pad, i] - in_zp) * (w[o,ky,kx,i] - w_zp)
//   out = clamp(requantize(acc, M[o]) + out_zp)     (taps in the padding contribute nothing)
// Filter layout OHWI (TFLite's). int8 weights are symmetric (w_zp = 0) with per-channel M[o];
// the older uint8 scheme has a filter zero point and one M. Accumulation is exact int32, so every
// backend gives the same integers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/quantized/gemm.hpp"
#include "tinynn/ops/quantized/requantize.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::quantized {

struct Conv2DParams {
  std::int32_t batch = 1;
  std::int32_t input_height = 0, input_width = 0, input_channels = 0;
  std::int32_t output_height = 0, output_width = 0, output_channels = 0;
  std::int32_t kernel_height = 1, kernel_width = 1;
  std::int32_t stride_height = 1, stride_width = 1;
  std::int32_t dilation_height = 1, dilation_width = 1;
  Padding2D padding{};  // top and left are used; bottom/right are implied by the output size
  std::int32_t input_zero_point = 0;
  std::int32_t filter_zero_point = 0;  // 0 for int8 (symmetric weights); uint8 models carry one
  OutputStage output{};
};

/// Validates the geometry; run() trusts it.
[[nodiscard]] inline Status prepare(const Conv2DParams& p) {
  if (p.batch < 0 || p.input_height <= 0 || p.input_width <= 0 || p.input_channels <= 0 || p.output_channels <= 0 ||
      p.kernel_height <= 0 || p.kernel_width <= 0 || p.stride_height <= 0 || p.stride_width <= 0 ||
      p.dilation_height <= 0 || p.dilation_width <= 0 || p.output_height < 0 || p.output_width < 0) {
    return error(ErrorCode::invalid_argument, "quantized conv2d: non-positive dimension, kernel, stride or dilation");
  }
  if (p.output.multipliers == nullptr) {
    return error(ErrorCode::invalid_argument, "quantized conv2d: no requantization multipliers");
  }
  if (p.output.range.min > p.output.range.max) {
    return error(ErrorCode::invalid_argument, "quantized conv2d: empty activation range [", p.output.range.min, ", ",
                 p.output.range.max, "]");
  }
  return {};
}

/// Scratch bytes run() needs for backend B (the scalar kernel needs none).
template <backend::Backend B>
[[nodiscard]] constexpr std::size_t conv2d_scratch_bytes(const Conv2DParams&) noexcept {
  return 0;
}

/// The reference kernel (every backend falls back to it and must agree with it bit for bit).
template <class T, class W>
void conv2d(backend::scalar, const Conv2DParams& p, const T* TINYNN_RESTRICT input, const W* TINYNN_RESTRICT filter,
            const std::int32_t* TINYNN_RESTRICT bias, T* TINYNN_RESTRICT output) noexcept {
  const std::int32_t in_c = p.input_channels, out_c = p.output_channels;
  for (std::int32_t n = 0; n < p.batch; ++n) {
    for (std::int32_t oy = 0; oy < p.output_height; ++oy) {
      for (std::int32_t ox = 0; ox < p.output_width; ++ox) {
        const std::int32_t iy0 = oy * p.stride_height - p.padding.top;
        const std::int32_t ix0 = ox * p.stride_width - p.padding.left;
        T* out = output + ((static_cast<std::size_t>(n) * p.output_height + oy) * p.output_width + ox) * out_c;
        for (std::int32_t o = 0; o < out_c; ++o) {
          std::int32_t acc = 0;
          const W* w_o = filter + static_cast<std::size_t>(o) * p.kernel_height * p.kernel_width * in_c;
          for (std::int32_t ky = 0; ky < p.kernel_height; ++ky) {
            const std::int32_t iy = iy0 + ky * p.dilation_height;
            if (iy < 0 || iy >= p.input_height) continue;
            for (std::int32_t kx = 0; kx < p.kernel_width; ++kx) {
              const std::int32_t ix = ix0 + kx * p.dilation_width;
              if (ix < 0 || ix >= p.input_width) continue;
              const T* in = input + ((static_cast<std::size_t>(n) * p.input_height + iy) * p.input_width + ix) * in_c;
              const W* w = w_o + (static_cast<std::size_t>(ky) * p.kernel_width + kx) * in_c;
              for (std::int32_t i = 0; i < in_c; ++i) {
                acc += (static_cast<std::int32_t>(in[i]) - p.input_zero_point) *
                       (static_cast<std::int32_t>(w[i]) - p.filter_zero_point);
              }
            }
          }
          const std::int64_t total = std::int64_t{acc} + (bias ? bias[o] : 0);
          out[o] = static_cast<T>(p.output.apply(total, static_cast<std::size_t>(o)));
        }
      }
    }
  }
}

// ---- the GEMM path (int8 activations, symmetric int8 weights): im2col tiles + packed int8 GEMM ----

/// Scratch bytes of the GEMM path: one im2col tile (uint8), its int32 accumulators, the epilogue.
[[nodiscard]] constexpr std::size_t conv2d_gemm_scratch_bytes(const Conv2DParams& p) noexcept {
  return gemm_tile_scratch_bytes(p.kernel_height * p.kernel_width * p.input_channels, p.output_channels);
}

/// Packs OHWI int8 filters for the GEMM path (packed_weights_bytes(out_c, KH*KW*C) bytes, out_c sums).
inline QuantizedPackedWeights pack_conv2d_weights(const Conv2DParams& p, const std::int8_t* filter, std::int8_t* packed,
                                                  std::int32_t* sums) noexcept {
  return pack_weights(filter, p.output_channels, p.kernel_height * p.kernel_width * p.input_channels, packed, sums);
}

/// The GEMM path on backend `id` (any backend the CPU runs; scalar runs the scalar packed GEMM).
/// Requires p.filter_zero_point == 0. Bit-exact with conv2d(backend::scalar, ...).
inline void conv2d(backend::BackendId id, const Conv2DParams& p, const std::int8_t* TINYNN_RESTRICT input,
                   const QuantizedPackedWeights& w, const std::int32_t* TINYNN_RESTRICT bias,
                   std::int8_t* TINYNN_RESTRICT output, std::byte* scratch) noexcept {
  const std::int32_t c = p.input_channels, k4 = w.k4;
  const std::size_t row_bytes = static_cast<std::size_t>(k4);
  const GemmTile gemm = carve_gemm_tile(id, scratch, w, p.output, bias, p.input_zero_point);
  std::uint8_t* tile = gemm.rows;
  const auto pad_byte = static_cast<std::uint8_t>(p.input_zero_point + 128);  // real 0.0, shifted
  const std::int64_t pixels = static_cast<std::int64_t>(p.batch) * p.output_height * p.output_width;
  for (std::int64_t first = 0; first < pixels; first += gemm_tile_rows) {
    const auto rows = static_cast<std::int32_t>(pixels - first < gemm_tile_rows ? pixels - first : gemm_tile_rows);
    for (std::int32_t r = 0; r < rows; ++r) {
      const std::int64_t pixel = first + r;
      const auto ox = static_cast<std::int32_t>(pixel % p.output_width);
      const auto oy = static_cast<std::int32_t>((pixel / p.output_width) % p.output_height);
      const auto n = static_cast<std::int32_t>(pixel / (static_cast<std::int64_t>(p.output_width) * p.output_height));
      std::uint8_t* dst = tile + static_cast<std::size_t>(r) * row_bytes;
      for (std::int32_t ky = 0; ky < p.kernel_height; ++ky) {
        const std::int32_t iy = oy * p.stride_height - p.padding.top + ky * p.dilation_height;
        for (std::int32_t kx = 0; kx < p.kernel_width; ++kx, dst += c) {
          const std::int32_t ix = ox * p.stride_width - p.padding.left + kx * p.dilation_width;
          if (iy < 0 || iy >= p.input_height || ix < 0 || ix >= p.input_width) {
            std::memset(dst, pad_byte, static_cast<std::size_t>(c));
            continue;
          }
          const std::int8_t* src =
              input + ((static_cast<std::size_t>(n) * p.input_height + iy) * p.input_width + ix) * c;
          shift_to_unsigned(src, dst, static_cast<std::size_t>(c));
        }
      }
      const std::int32_t k = p.kernel_height * p.kernel_width * c;
      std::memset(tile + static_cast<std::size_t>(r) * row_bytes + k, 0, static_cast<std::size_t>(k4 - k));
    }
    gemm_tile_output(id, gemm, rows, w, p.output, bias, p.input_zero_point,
                     output + static_cast<std::size_t>(first) * static_cast<std::size_t>(p.output_channels),
                     static_cast<std::size_t>(p.output_channels));
  }
}

}  // namespace tinynn::ops::quantized
