// tinynn — 2-D convolution, NHWC: out[b][y][x][g*Cog + o] = act(bias[g*Cog + o] + sum over ky, kx, c
// of in[b][y*sh - pt + ky*dh][x*sw - pl + kx*dw][g*Cig + c] * w[g*Cog + o][ky][kx][c]) (zero outside).
//
// Weights OHWI: [out_c][kernel_h][kernel_w][in_c / groups] (TFLite's layout; the ONNX importer
// permutes OIHW), bias [out_c] (optional). pack_weights() turns them, once, into per-group GEMM
// panels (ops/gemm.hpp layout, K = kernel_h*kernel_w*in_c/groups ordered (ky, kx, c)).
// SIMD backends run an implicit GEMM: 1x1/stride-1/unpadded convolutions read the input as A in place;
// all others gather im2col rows block by block straight into the packed-A scratch (no full im2col
// buffer). The scalar backend convolves directly (no scratch: the Cortex-M path).
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/conv_direct.hpp"
#include "tinynn/ops/detail/conv_geometry.hpp"
#include "tinynn/ops/detail/gemm_driver.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"
#include "tinynn/status.hpp"
// Backend kernels.
#include "tinynn/backends/avx2/conv2d.hpp"
#include "tinynn/backends/avx512/conv2d.hpp"
#include "tinynn/backends/avx512/conv2d_direct.hpp"  // + avx2/, scalar/ direct kernels
#include "tinynn/backends/neon/conv2d.hpp"
#include "tinynn/backends/scalar/conv2d.hpp"
#include "tinynn/backends/sve/conv2d.hpp"

namespace tinynn::ops::conv2d {

struct Params {
  std::int64_t batch = 1, in_h = 0, in_w = 0, in_c = 0, out_c = 0;
  std::int32_t kernel_h = 1, kernel_w = 1;
  std::int32_t stride_h = 1, stride_w = 1;
  std::int32_t dilation_h = 1, dilation_w = 1;
  std::int32_t groups = 1;
  PaddingMode padding_mode = PaddingMode::explicit_padding;
  Padding2D padding;  // used when padding_mode is explicit_padding
  ActivationParams activation;
};

/// The padding actually applied (SAME resolved).
[[nodiscard]] constexpr Padding2D effective_padding(const Params& p) noexcept {
  return detail::conv_resolve_padding(p.padding_mode, p.padding, p.in_h, p.in_w, p.kernel_h, p.kernel_w, p.stride_h,
                                      p.stride_w, p.dilation_h, p.dilation_w);
}
[[nodiscard]] constexpr std::int64_t output_h(const Params& p) noexcept {
  const Padding2D pad = effective_padding(p);
  return window_output_size(p.in_h, p.kernel_h, p.stride_h, p.dilation_h, pad.top, pad.bottom);
}
[[nodiscard]] constexpr std::int64_t output_w(const Params& p) noexcept {
  const Padding2D pad = effective_padding(p);
  return window_output_size(p.in_w, p.kernel_w, p.stride_w, p.dilation_w, pad.left, pad.right);
}
[[nodiscard]] constexpr detail::ConvShape shape_of(const Params& p) noexcept {
  const Padding2D pad = effective_padding(p);
  detail::ConvShape s;
  s.batch = p.batch;
  s.in_h = p.in_h;
  s.in_w = p.in_w;
  s.in_c = p.in_c;
  s.out_h = output_h(p);
  s.out_w = output_w(p);
  s.out_c = p.out_c;
  s.kernel_h = p.kernel_h;
  s.kernel_w = p.kernel_w;
  s.stride_h = p.stride_h;
  s.stride_w = p.stride_w;
  s.dilation_h = p.dilation_h;
  s.dilation_w = p.dilation_w;
  s.pad_top = pad.top;
  s.pad_left = pad.left;
  s.groups = p.groups;
  return s;
}
/// GEMM depth per group: kernel_h * kernel_w * in_c / groups.
[[nodiscard]] constexpr std::int64_t gemm_depth(const Params& p) noexcept {
  return p.groups > 0 ? std::int64_t{p.kernel_h} * p.kernel_w * (p.in_c / p.groups) : 0;
}

/// Small / narrow convolutions and 1-4 pixel outputs take the direct path (ops/detail/conv_direct.hpp:
/// unpadded HWIO weights, no im2col); decided from the Params alone, so packing is backend-independent.
[[nodiscard]] constexpr bool uses_direct(const Params& p) noexcept {
  return p.groups > 0 && ops::detail::conv_direct_applies(shape_of(p));
}

/// Scratch floats run<B>() needs (0 for scalar).
template <backend::Backend B>
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  if (uses_direct(p)) return ops::detail::conv_direct_scratch_floats(shape_of(p), kernels::conv_direct_lanes(B{}));
  if constexpr (std::is_same_v<B, backend::scalar>) {
    return 0;
  } else {
    return detail::gemm_blocked_scratch_floats(p.batch * output_h(p) * output_w(p), gemm_depth(p));
  }
}
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p, backend::BackendId id) noexcept {
  if (uses_direct(p)) {
    const std::int64_t lanes = id == backend::BackendId::avx512 ? 16 : (id == backend::BackendId::avx2 ? 8 : 1);
    return ops::detail::conv_direct_scratch_floats(shape_of(p), lanes);
  }
  return id == backend::BackendId::scalar
             ? 0
             : detail::gemm_blocked_scratch_floats(p.batch * output_h(p) * output_w(p), gemm_depth(p));
}

/// Floats of packed weights + bias; the same for every backend.
[[nodiscard]] constexpr std::size_t packed_weights_size(const Params& p) noexcept {
  if (p.groups <= 0) return 0;
  if (uses_direct(p)) return ops::detail::conv_direct_packed_floats(shape_of(p));
  return static_cast<std::size_t>(p.groups) * detail::gemm_packed_b_floats(p.out_c / p.groups, gemm_depth(p));
}

/// Packs OHWI `weights` and `bias` (out_c floats, may be null) into `packed`.
constexpr void pack_weights(const Params& p, const float* weights, const float* bias, float* packed) noexcept {
  if (uses_direct(p)) {
    ops::detail::conv_direct_pack(shape_of(p), weights, bias, packed);
    return;
  }
  const std::int64_t cout = p.out_c / p.groups;
  const std::int64_t depth = gemm_depth(p);
  const auto group_floats = static_cast<std::int64_t>(detail::gemm_packed_b_floats(cout, depth));
  for (std::int64_t g = 0; g < p.groups; ++g) {
    detail::gemm_pack_b(cout, depth, weights + g * cout * depth, depth, true,
                        bias != nullptr ? bias + g * cout : nullptr, packed + g * group_floats);
  }
}

/// Validates the parameters (sizes, strides, dilations, groups, padding) and the output size.
[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.batch < 0 || p.in_h <= 0 || p.in_w <= 0 || p.in_c <= 0 || p.out_c <= 0) {
    return error(ErrorCode::invalid_argument, "conv2d: sizes must be positive: batch=", p.batch, " in=", p.in_h, "x",
                 p.in_w, "x", p.in_c, " out_c=", p.out_c);
  }
  if (p.kernel_h <= 0 || p.kernel_w <= 0 || p.stride_h <= 0 || p.stride_w <= 0 || p.dilation_h <= 0 ||
      p.dilation_w <= 0) {
    return error(ErrorCode::invalid_argument, "conv2d: kernel ", p.kernel_h, "x", p.kernel_w, ", stride ", p.stride_h,
                 "x", p.stride_w, ", dilation ", p.dilation_h, "x", p.dilation_w, " must all be positive");
  }
  if (p.groups <= 0 || p.in_c % p.groups != 0 || p.out_c % p.groups != 0) {
    return error(ErrorCode::invalid_argument, "conv2d: groups=", p.groups, " must divide in_c=", p.in_c,
                 " and out_c=", p.out_c);
  }
  const Padding2D pad = effective_padding(p);
  if (pad.top < 0 || pad.left < 0 || pad.bottom < 0 || pad.right < 0) {
    return error(ErrorCode::invalid_argument, "conv2d: negative padding ", pad.top, ",", pad.left, ",", pad.bottom, ",",
                 pad.right);
  }
  if (output_h(p) <= 0 || output_w(p) <= 0) {
    return error(ErrorCode::invalid_argument, "conv2d: input ", p.in_h, "x", p.in_w,
                 " is smaller than the dilated kernel ", (p.kernel_h - 1) * p.dilation_h + 1, "x",
                 (p.kernel_w - 1) * p.dilation_w + 1, " plus padding");
  }
  return Status::success();
}

namespace detail {

/// Implicit im2col: packs GEMM rows (output pixels) x depth range [k0, k0 + kc) of one group as [kc][rows].
/// The depth splits into kernel taps of cin contiguous input floats: each tap is one call of the
/// backend's row packer with a pointer per output pixel (nullptr where the tap falls in the padding).
struct ConvIm2colPacker {
  const ops::detail::ConvShape* s;
  const float* input;
  std::int64_t group;
  ops::detail::GemmPackRowsFn pack_rows = &ops::detail::gemm_pack_rows_portable;
  void operator()(std::int64_t row0, std::int64_t rows, std::int64_t k0, std::int64_t kc, float* dst) const noexcept {
    const std::int64_t cin = s->in_c / s->groups;
    std::int64_t base_y[ops::detail::gemm_max_mr];
    std::int64_t base_x[ops::detail::gemm_max_mr];
    const float* image[ops::detail::gemm_max_mr];
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t pixel = row0 + r;
      const std::int64_t ox = pixel % s->out_w;
      const std::int64_t oy = (pixel / s->out_w) % s->out_h;
      const std::int64_t b = pixel / (s->out_w * s->out_h);
      base_y[r] = oy * s->stride_h - s->pad_top;
      base_x[r] = ox * s->stride_w - s->pad_left;
      image[r] = input + b * s->in_h * s->in_w * s->in_c + group * cin;
    }
    std::int64_t kk = k0;
    std::int64_t segment = k0 / cin;
    std::int64_t offset = k0 % cin;
    while (kk < k0 + kc) {
      const std::int64_t len = cin - offset < k0 + kc - kk ? cin - offset : k0 + kc - kk;
      const std::int64_t dy = (segment / s->kernel_w) * s->dilation_h;
      const std::int64_t dx = (segment % s->kernel_w) * s->dilation_w;
      const float* src[ops::detail::gemm_max_mr];
      for (std::int64_t r = 0; r < rows; ++r) {
        const std::int64_t iy = base_y[r] + dy;
        const std::int64_t ix = base_x[r] + dx;
        const bool inside = iy >= 0 && iy < s->in_h && ix >= 0 && ix < s->in_w;
        src[r] = inside ? image[r] + (iy * s->in_w + ix) * s->in_c + offset : nullptr;
      }
      pack_rows(static_cast<int>(rows), src, len, dst + (kk - k0) * rows);
      kk += len;
      ++segment;
      offset = 0;
    }
  }
};

/// Implicit im2col for the direct path: per kernel tap, a pointer per output pixel into the input
/// (gemm_zeros where the tap falls in the padding); nothing is copied.
struct ConvRowSource {
  const ops::detail::ConvShape* s;
  const float* input;
  std::int64_t group;
  std::int64_t operator()(std::int64_t row0, std::int64_t count, int tile_rows, std::int64_t k0, std::int64_t kc,
                          const float** rows, std::int64_t* segment_len) const noexcept {
    const std::int64_t cin = s->in_c / s->groups;
    std::int64_t base_y[ops::detail::gemm_direct_max_rows];
    std::int64_t base_x[ops::detail::gemm_direct_max_rows];
    const float* image[ops::detail::gemm_direct_max_rows];
    // Pixel coordinates by stepping from row0 (one division per tile, not three per row).
    std::int64_t ox = row0 % s->out_w;
    std::int64_t oy = (row0 / s->out_w) % s->out_h;
    std::int64_t b = row0 / (s->out_w * s->out_h);
    for (int r = 0; r < tile_rows; ++r) {
      base_y[r] = oy * s->stride_h - s->pad_top;
      base_x[r] = ox * s->stride_w - s->pad_left;
      image[r] = input + b * s->in_h * s->in_w * s->in_c + group * cin;
      if (r + 1 >= count) continue;  // rows past `count` repeat the last real one (results discarded)
      if (++ox == s->out_w) {
        ox = 0;
        if (++oy == s->out_h) {
          oy = 0;
          ++b;
        }
      }
    }
    std::int64_t kk = k0;
    std::int64_t segment = k0 / cin;
    std::int64_t offset = k0 % cin;
    std::int64_t n = 0;
    while (kk < k0 + kc) {
      const std::int64_t len = cin - offset < k0 + kc - kk ? cin - offset : k0 + kc - kk;
      const std::int64_t dy = (segment / s->kernel_w) * s->dilation_h;
      const std::int64_t dx = (segment % s->kernel_w) * s->dilation_w;
      for (int r = 0; r < tile_rows; ++r) {
        const std::int64_t iy = base_y[r] + dy;
        const std::int64_t ix = base_x[r] + dx;
        const bool inside = iy >= 0 && iy < s->in_h && ix >= 0 && ix < s->in_w;
        rows[n * tile_rows + r] = inside ? image[r] + (iy * s->in_w + ix) * s->in_c + offset : ops::detail::gemm_zeros;
      }
      segment_len[n++] = len;
      kk += len;
      ++segment;
      offset = 0;
    }
    return n;
  }
};

}  // namespace detail

/// Runs on backend B. input [batch][in_h][in_w][in_c], output [batch][out_h][out_w][out_c];
/// `scratch`: scratch_size<B>(p) floats.
template <backend::Backend B = backend::native>
void run(const Params& p, const float* input, const float* packed_weights, float* output, float* scratch) noexcept {
  backend::require_compilable<B>();
  const ops::detail::ConvShape s = shape_of(p);
  if (ops::detail::conv_direct_applies(s)) {
    kernels::conv2d_direct_small(B{}, s, input, packed_weights, output, p.activation, scratch);
    return;
  }
  const ops::detail::GemmKernelShape kshape = kernels::gemm_kernel_shape(B{});
  if (kshape.mr == 0) {
    kernels::conv2d_direct(B{}, s, input, packed_weights, output, p.activation);
    return;
  }
  const std::int64_t cin = s.in_c / s.groups;
  const std::int64_t cout = s.out_c / s.groups;
  const std::int64_t depth = gemm_depth(p);
  const std::int64_t m = s.batch * s.out_h * s.out_w;
  const auto group_floats = static_cast<std::int64_t>(ops::detail::gemm_packed_b_floats(cout, depth));
  const auto kernel = [](int rows, int panels, const ops::detail::GemmTile& tile) noexcept {
    kernels::gemm_tile(B{}, rows, panels, tile);
  };
  const ops::detail::GemmPackRowsFn pack_rows = kernels::gemm_pack_rows_fn(B{});
  const bool pointwise = s.kernel_h == 1 && s.kernel_w == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 &&
                         s.pad_left == 0 && s.out_h == s.in_h && s.out_w == s.in_w;
  const std::int64_t panels = ops::detail::gemm_panel_count(cout);
  const int direct_rows = panels <= 4 ? kernels::gemm_direct_rows(B{}, static_cast<int>(panels)) : 0;
  // Narrow N (<= 64 output channels a group): read the input in place, tap by tap, instead of
  // packing im2col rows (taps of at least 8 channels keep the segment table small).
  const bool direct = direct_rows > 0 && m >= 2 * direct_rows && cin >= 8;
  const auto direct_kernel = [](int tile_panels, const ops::detail::GemmDirectTile& tile) noexcept {
    kernels::gemm_direct_tile(B{}, tile_panels, tile);
  };
  for (std::int64_t g = 0; g < s.groups; ++g) {
    const float* weights = packed_weights + g * group_floats;
    float* out = output + g * cout;
    if (direct && pointwise) {
      ops::detail::gemm_direct_blocked(direct_kernel, direct_rows, m, cout, depth,
                                       ops::detail::GemmRowSource{input + g * cin, s.in_c}, weights, out, s.out_c,
                                       p.activation);
    } else if (direct) {
      ops::detail::gemm_direct_blocked(direct_kernel, direct_rows, m, cout, depth, detail::ConvRowSource{&s, input, g},
                                       weights, out, s.out_c, p.activation);
    } else if (pointwise) {
      ops::detail::gemm_blocked(kernel, kshape, m, cout, depth,
                                ops::detail::GemmRowPacker{input + g * cin, s.in_c, pack_rows}, weights, out, s.out_c,
                                p.activation, scratch);
    } else {
      ops::detail::gemm_blocked(kernel, kshape, m, cout, depth, detail::ConvIm2colPacker{&s, input, g, pack_rows},
                                weights, out, s.out_c, p.activation, scratch);
    }
  }
}

/// Runs on a backend chosen at run time (ask backend_available(id) / runtime_backend() first).
inline void run(backend::BackendId id, const Params& p, const float* input, const float* packed_weights, float* output,
                float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) noexcept { run<decltype(tag)>(p, input, packed_weights, output, scratch); });
}

}  // namespace tinynn::ops::conv2d
