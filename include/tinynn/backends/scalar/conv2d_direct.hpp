// tinynn — scalar direct convolution (ops/detail/conv_direct.hpp): per output pixel, a chunk of up to
// 4 output channels accumulates in registers while the kernel window reads the NHWC input in place.
// HWIO unpadded weights, no scratch, no heap: the Cortex-M path for small convolutions and dense layers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/conv_direct.hpp"
#include "tinynn/ops/detail/conv_geometry.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

namespace tinynn::kernels {

namespace detail {

template <int CB>
void conv_direct_scalar_chunk(const ops::detail::ConvShape& s, const float* input, const float* packed, float* output,
                              std::ptrdiff_t co0, const ops::detail::GemmEpilogue& e) noexcept {
  // ptrdiff_t (32-bit on Cortex-M) for the index arithmetic of the inner loops.
  const auto in_h = static_cast<std::ptrdiff_t>(s.in_h), in_w = static_cast<std::ptrdiff_t>(s.in_w);
  const auto cin = static_cast<std::ptrdiff_t>(s.in_c), cout = static_cast<std::ptrdiff_t>(s.out_c);
  const auto kh = static_cast<std::ptrdiff_t>(s.kernel_h), kw = static_cast<std::ptrdiff_t>(s.kernel_w);
  const auto sh = static_cast<std::ptrdiff_t>(s.stride_h), sw = static_cast<std::ptrdiff_t>(s.stride_w);
  const auto dh = static_cast<std::ptrdiff_t>(s.dilation_h), dw = static_cast<std::ptrdiff_t>(s.dilation_w);
  const auto pt = static_cast<std::ptrdiff_t>(s.pad_top), pl = static_cast<std::ptrdiff_t>(s.pad_left);
  const auto out_h = static_cast<std::ptrdiff_t>(s.out_h), out_w = static_cast<std::ptrdiff_t>(s.out_w);
  const float* bias = packed + kh * kw * cin * cout + co0;
  for (std::ptrdiff_t b = 0; b < static_cast<std::ptrdiff_t>(s.batch); ++b) {
    const float* in_b = input + b * in_h * in_w * cin;
    for (std::ptrdiff_t oy = 0; oy < out_h; ++oy) {
      for (std::ptrdiff_t ox = 0; ox < out_w; ++ox) {
        float acc[CB];
        for (int c = 0; c < CB; ++c) acc[c] = bias[c];
        for (std::ptrdiff_t ky = 0; ky < kh; ++ky) {
          const std::ptrdiff_t iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= in_h) continue;
          for (std::ptrdiff_t kx = 0; kx < kw; ++kx) {
            const std::ptrdiff_t ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= in_w) continue;
            const float* src = in_b + (iy * in_w + ix) * cin;
            const float* w = packed + (ky * kw + kx) * cin * cout + co0;
            for (std::ptrdiff_t ci = 0; ci < cin; ++ci) {
              const float a = src[ci];
              for (int c = 0; c < CB; ++c) acc[c] += a * w[c];
              w += cout;
            }
          }
        }
        float* dst = output + ((b * out_h + oy) * out_w + ox) * cout + co0;
        for (int c = 0; c < CB; ++c) {
          float v = acc[c];
          if (e.leaky && v < 0.0f) v *= e.alpha;
          v = v < e.lo ? e.lo : v;
          dst[c] = v > e.hi ? e.hi : v;
        }
      }
    }
  }
}

}  // namespace detail

/// Floats per vector of this backend's direct-convolution kernels (1: channel-vector only, no scratch).
[[nodiscard]] constexpr std::int64_t conv_direct_lanes(backend::scalar) noexcept { return 1; }

/// The channel-vector direct convolution, chunks of up to 4 output channels (4 instantiations: this
/// is also the Cortex-M code, where flash counts).
inline void conv_direct_channels_scalar(const ops::detail::ConvShape& s, const float* input, const float* packed,
                                        float* output, const ops::ActivationParams& activation) noexcept {
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  const std::int64_t chunks = (s.out_c + 3) / 4;
  const std::int64_t cb_full = (s.out_c + chunks - 1) / chunks;
  for (std::int64_t co0 = 0; co0 < s.out_c; co0 += cb_full) {
    const std::int64_t cb = s.out_c - co0 < cb_full ? s.out_c - co0 : cb_full;
    const auto c0 = static_cast<std::ptrdiff_t>(co0);
    switch (cb) {
      case 1: detail::conv_direct_scalar_chunk<1>(s, input, packed, output, c0, e); break;
      case 2: detail::conv_direct_scalar_chunk<2>(s, input, packed, output, c0, e); break;
      case 3: detail::conv_direct_scalar_chunk<3>(s, input, packed, output, c0, e); break;
      default: detail::conv_direct_scalar_chunk<4>(s, input, packed, output, c0, e); break;
    }
  }
  if (e.scalar_pass) {
    const std::int64_t total = s.batch * s.out_h * s.out_w * s.out_c;
    for (std::int64_t i = 0; i < total; ++i) output[i] = ops::apply_activation(activation, output[i]);
  }
}

/// `packed`: ops::detail::conv_direct_pack() (HWIO + bias). No scratch.
inline void conv2d_direct_small(backend::scalar, const ops::detail::ConvShape& s, const float* input,
                                const float* packed, float* output, const ops::ActivationParams& activation,
                                float*) noexcept {
  conv_direct_channels_scalar(s, input, packed, output, activation);
}

}  // namespace tinynn::kernels
