// tinynn — 2-D max and average pooling, NHWC.
//   max:     y[n,oh,ow,c] = max over the window of x[n, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw, c]
//   average: the window's sum / (count of positions inside the input, or inside input+padding).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "tinynn/backends/avx2/pool.hpp"
#include "tinynn/backends/avx512/pool.hpp"
#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/neon/pool.hpp"
#include "tinynn/backends/scalar/pool.hpp"
#include "tinynn/backends/sve/pool.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops {

enum class PoolKind : std::uint8_t { max, average };
namespace pool2d {

struct Params {
  PoolKind kind = PoolKind::max;
  std::int32_t kernel_h = 1, kernel_w = 1;
  std::int32_t stride_h = 1, stride_w = 1;
  std::int32_t dilation_h = 1, dilation_w = 1;
  Padding2D padding{};
  bool ceil_mode = false;
  bool count_include_pad = false;  // average: divide by the window's size within input+padding
  bool global = false;             // prepare() sets the kernel to the whole input, no padding
  ActivationParams activation{};   // fused after pooling
  DynShape input;                  // [N, H, W, C]
  DynShape output;                 // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Validates `p` against p.input and sets p.output (and, for global pooling, the kernel).
[[nodiscard]] inline Status prepare(Params& p) {
  if (p.input.rank() != 4) {
    return error(ErrorCode::invalid_argument, "pool2d: input must be NHWC (rank 4), found shape ", p.input);
  }
  if (p.global) {
    p.kernel_h = static_cast<std::int32_t>(p.input[1]);
    p.kernel_w = static_cast<std::int32_t>(p.input[2]);
    p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
    p.padding = {};
    p.ceil_mode = false;
  }
  if (p.kernel_h < 1 || p.kernel_w < 1 || p.stride_h < 1 || p.stride_w < 1 || p.dilation_h < 1 || p.dilation_w < 1) {
    return error(ErrorCode::invalid_argument, "pool2d: kernel ", p.kernel_h, "x", p.kernel_w, ", stride ", p.stride_h,
                 "x", p.stride_w, ", dilation ", p.dilation_h, "x", p.dilation_w, " must all be >= 1");
  }
  const Padding2D& pad = p.padding;
  if (pad.top < 0 || pad.left < 0 || pad.bottom < 0 || pad.right < 0) {
    return error(ErrorCode::invalid_argument, "pool2d: negative padding (top ", pad.top, ", left ", pad.left,
                 ", bottom ", pad.bottom, ", right ", pad.right, ")");
  }
  if (pad.top >= (p.kernel_h - 1) * p.dilation_h + 1 || pad.bottom >= (p.kernel_h - 1) * p.dilation_h + 1 ||
      pad.left >= (p.kernel_w - 1) * p.dilation_w + 1 || pad.right >= (p.kernel_w - 1) * p.dilation_w + 1) {
    return error(ErrorCode::invalid_argument, "pool2d: padding (top ", pad.top, ", left ", pad.left, ", bottom ",
                 pad.bottom, ", right ", pad.right, ") must be smaller than the kernel extent ", p.kernel_h, "x",
                 p.kernel_w);
  }
  const std::int64_t oh =
      window_output_size(p.input[1], p.kernel_h, p.stride_h, p.dilation_h, pad.top, pad.bottom, p.ceil_mode);
  const std::int64_t ow =
      window_output_size(p.input[2], p.kernel_w, p.stride_w, p.dilation_w, pad.left, pad.right, p.ceil_mode);
  if ((oh <= 0 || ow <= 0) && p.input.size() != 0) {
    return error(ErrorCode::invalid_argument, "pool2d: kernel ", p.kernel_h, "x", p.kernel_w,
                 " does not fit the padded input ", p.input);
  }
  p.output = DynShape{p.input[0], oh < 0 ? 0 : oh, ow < 0 ? 0 : ow, p.input[3]};
  return {};
}

/// Pools x (p.input) into y (p.output).
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, float* y) noexcept {
  backend::require_compilable<B>();
  const std::int64_t batch = p.input[0], h = p.input[1], w = p.input[2];
  const auto c = static_cast<std::size_t>(p.input[3]);
  const std::int64_t oh = p.output[1], ow = p.output[2];
  const bool is_max = p.kind == PoolKind::max;
  for (std::int64_t n = 0; n < batch; ++n) {
    const float* image = x + static_cast<std::size_t>(n * h * w) * c;
    for (std::int64_t oy = 0; oy < oh; ++oy) {
      const std::int64_t y0 = oy * p.stride_h - p.padding.top;
      for (std::int64_t ox = 0; ox < ow; ++ox, y += c) {
        const std::int64_t x0 = ox * p.stride_w - p.padding.left;
        const float init = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
        for (std::size_t i = 0; i < c; ++i) y[i] = init;
        std::int64_t inside = 0, padded = 0;
        // Taps of one kernel row: those inside the padded input count for count_include_pad; the
        // ones inside the input form one run [kx_begin, kx_end) handed to the backend at once.
        std::int32_t kx_begin = p.kernel_w, kx_end = 0, kx_padded = 0;
        for (std::int32_t kx = 0; kx < p.kernel_w; ++kx) {
          const std::int64_t ix = x0 + std::int64_t{kx} * p.dilation_w;
          if (ix >= w + p.padding.right) break;
          kx_padded = kx + 1;
          if (ix >= 0 && ix < w) {
            if (kx < kx_begin) kx_begin = kx;
            kx_end = kx + 1;
          }
        }
        const auto taps = static_cast<std::size_t>(kx_end > kx_begin ? kx_end - kx_begin : 0);
        const auto tap_stride = static_cast<std::ptrdiff_t>(p.dilation_w) * static_cast<std::ptrdiff_t>(c);
        for (std::int32_t ky = 0; ky < p.kernel_h; ++ky) {
          const std::int64_t iy = y0 + std::int64_t{ky} * p.dilation_h;
          if (iy >= h + p.padding.bottom) break;
          padded += kx_padded;
          if (iy < 0 || iy >= h || taps == 0) continue;
          inside += static_cast<std::int64_t>(taps);
          const float* first =
              image + static_cast<std::size_t>(iy * w + x0 + std::int64_t{kx_begin} * p.dilation_w) * c;
          if (is_max) {
            backend::pool_max_taps(B{}, y, first, taps, tap_stride, c);
          } else {
            backend::pool_sum_taps(B{}, y, first, taps, tap_stride, c);
          }
        }
        const std::int64_t count = p.count_include_pad ? padded : inside;
        const float scale = is_max ? 1.0f : (count > 0 ? 1.0f / static_cast<float>(count) : 0.0f);
        backend::pool_finish_row(B{}, y, scale, c, p.activation);
      }
    }
  }
}

inline void run(backend::BackendId id, const Params& p, const float* x, float* y) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, x, y); });
}

}  // namespace pool2d
}  // namespace tinynn::ops
