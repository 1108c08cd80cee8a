// tinynn — scalar Conv2D: direct convolution over the packed (GEMM-panel) weights, NHWC, no scratch,
// no heap; the Cortex-M path. One output pixel at a time, 16 output channels (one panel) per pass.
#pragma once

#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/conv_geometry.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

namespace tinynn::kernels {

/// `packed`: per group, gemm_pack_b() of that group's [out_c/groups][kh*kw*in_c/groups] weights.
inline void conv2d_direct(backend::scalar, const ops::detail::ConvShape& s, const float* input, const float* packed,
                          float* output, const ops::ActivationParams& activation) noexcept {
  constexpr std::int64_t width = ops::detail::gemm_panel_width;
  const std::int64_t cin = s.in_c / s.groups;
  const std::int64_t cout = s.out_c / s.groups;
  const std::int64_t depth = s.kernel_h * s.kernel_w * cin;
  const std::int64_t panels = ops::detail::gemm_panel_count(cout);
  const auto group_floats = static_cast<std::int64_t>(ops::detail::gemm_packed_b_floats(cout, depth));
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        float* out_pixel = output + ((b * s.out_h + oy) * s.out_w + ox) * s.out_c;
        for (std::int64_t g = 0; g < s.groups; ++g) {
          const float* weights = packed + g * group_floats;
          const float* bias = weights + panels * width * depth;
          for (std::int64_t p = 0; p < panels; ++p) {
            const float* panel = weights + p * depth * width;
            float acc[width];
            for (std::int64_t j = 0; j < width; ++j) acc[j] = bias[p * width + j];
            for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
              const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
              if (iy < 0 || iy >= s.in_h) continue;
              for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
                const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
                if (ix < 0 || ix >= s.in_w) continue;
                const float* src = input + ((b * s.in_h + iy) * s.in_w + ix) * s.in_c + g * cin;
                const float* w = panel + (ky * s.kernel_w + kx) * cin * width;
                for (std::int64_t ci = 0; ci < cin; ++ci) {
                  const float a = src[ci];
                  for (std::int64_t j = 0; j < width; ++j) acc[j] += a * w[ci * width + j];
                }
              }
            }
            const std::int64_t cols = cout - p * width < width ? cout - p * width : width;
            float* dst = out_pixel + g * cout + p * width;
            for (std::int64_t j = 0; j < cols; ++j) dst[j] = ops::apply_activation(activation, acc[j]);
          }
        }
      }
    }
  }
}

}  // namespace tinynn::kernels
