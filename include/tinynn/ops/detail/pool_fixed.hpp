// tinynn — max pooling with the window, stride and channel count known at compile time (static
// networks: nn::MaxPool2D), NHWC, no padding before the image (windows may be cut at the bottom/right
// edge, as in ceil mode). The fixed sizes let the compiler unroll the window and keep the C running
// maxima in registers: for narrow layers (SimpLeNet's 3 and 6 channels) this is several times faster
// than ops/pool2d's per-window row calls. Same result: NaN propagates, as in ops/pool2d.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/ops/common.hpp"

namespace tinynn::ops::detail {

template <int KH, int KW, int SH, int SW, int C>
void max_pool_fixed(std::int64_t batch, std::int64_t h, std::int64_t w, std::int64_t oh, std::int64_t ow,
                    const float* x, float* y, const ActivationParams& activation) noexcept {
  static_assert(KH > 0 && KW > 0 && SH > 0 && SW > 0 && C > 0);
  for (std::int64_t n = 0; n < batch; ++n) {
    const float* image = x + n * h * w * C;
    for (std::int64_t oy = 0; oy < oh; ++oy) {
      const std::int64_t iy0 = oy * SH;
      const std::int64_t rows = h - iy0 < KH ? h - iy0 : KH;
      for (std::int64_t ox = 0; ox < ow; ++ox, y += C) {
        const std::int64_t ix0 = ox * SW;
        const float* corner = image + (iy0 * w + ix0) * C;
        float m[C];
        for (int c = 0; c < C; ++c) m[c] = corner[c];
        if (rows == KH && w - ix0 >= KW) {
#pragma GCC unroll 8
          for (int ky = 0; ky < KH; ++ky) {
#pragma GCC unroll 8
            for (int kx = 0; kx < KW; ++kx) {
              const float* tap = corner + (ky * w + kx) * C;
              for (int c = 0; c < C; ++c) m[c] = (tap[c] > m[c] || tap[c] != tap[c]) ? tap[c] : m[c];
            }
          }
        } else {
          const std::int64_t cols = w - ix0 < KW ? w - ix0 : KW;
          for (std::int64_t ky = 0; ky < rows; ++ky) {
            for (std::int64_t kx = 0; kx < cols; ++kx) {
              const float* tap = corner + (ky * w + kx) * C;
              for (int c = 0; c < C; ++c) m[c] = (tap[c] > m[c] || tap[c] != tap[c]) ? tap[c] : m[c];
            }
          }
        }
        if (activation.kind == Activation::none) {
          for (int c = 0; c < C; ++c) y[c] = m[c];
        } else {
          for (int c = 0; c < C; ++c) y[c] = apply_activation(activation, m[c]);
        }
      }
    }
  }
}

}  // namespace tinynn::ops::detail
