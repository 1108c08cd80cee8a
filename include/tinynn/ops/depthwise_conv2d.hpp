// tinynn — depthwise 2-D convolution, NHWC, channel multiplier M: out[b][y][x][c*M + m] =
// act(bias[c*M + m] + sum over ky, kx of in[b][y*sh - pt + ky*dh][x*sw - pl + kx*dw][c] * w[ky][kx][c*M + m]).
//
// Weights [kernel_h][kernel_w][channels * multiplier] (TFLite's layout; ONNX [C*M][1][kh][kw] is
// permuted by the importer), bias [channels * multiplier] (optional). pack_weights() pads each tap's
// row to a multiple of 16 channels and appends the padded bias, so SIMD kernels never read past a row.
// No scratch on any backend. `output` must not alias `input`.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/conv_geometry.hpp"
#include "tinynn/status.hpp"
// Backend kernels.
#include "tinynn/backends/avx2/depthwise_conv2d.hpp"
#include "tinynn/backends/avx512/depthwise_conv2d.hpp"
#include "tinynn/backends/neon/depthwise_conv2d.hpp"
#include "tinynn/backends/scalar/depthwise_conv2d.hpp"
#include "tinynn/backends/sve/depthwise_conv2d.hpp"

namespace tinynn::ops::depthwise_conv2d {

struct Params {
  std::int64_t batch = 1, in_h = 0, in_w = 0, channels = 0;
  std::int32_t multiplier = 1;
  std::int32_t kernel_h = 3, kernel_w = 3;
  std::int32_t stride_h = 1, stride_w = 1;
  std::int32_t dilation_h = 1, dilation_w = 1;
  PaddingMode padding_mode = PaddingMode::explicit_padding;
  Padding2D padding;  // used when padding_mode is explicit_padding
  ActivationParams activation;
};

[[nodiscard]] constexpr std::int64_t out_channels(const Params& p) noexcept { return p.channels * p.multiplier; }
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
/// Floats between two taps' rows in the packed weights (out channels rounded up to 16).
[[nodiscard]] constexpr std::int64_t channel_stride(const Params& p) noexcept {
  return (out_channels(p) + 15) / 16 * 16;
}
[[nodiscard]] constexpr detail::ConvShape shape_of(const Params& p) noexcept {
  const Padding2D pad = effective_padding(p);
  detail::ConvShape s;
  s.batch = p.batch;
  s.in_h = p.in_h;
  s.in_w = p.in_w;
  s.in_c = p.channels;
  s.out_h = output_h(p);
  s.out_w = output_w(p);
  s.out_c = out_channels(p);
  s.kernel_h = p.kernel_h;
  s.kernel_w = p.kernel_w;
  s.stride_h = p.stride_h;
  s.stride_w = p.stride_w;
  s.dilation_h = p.dilation_h;
  s.dilation_w = p.dilation_w;
  s.pad_top = pad.top;
  s.pad_left = pad.left;
  s.groups = p.channels;
  return s;
}

/// No backend needs scratch.
template <backend::Backend B>
[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept {
  return 0;
}
[[nodiscard]] constexpr std::size_t scratch_size(const Params&, backend::BackendId) noexcept { return 0; }

/// Floats of packed weights + bias; the same for every backend.
[[nodiscard]] constexpr std::size_t packed_weights_size(const Params& p) noexcept {
  return static_cast<std::size_t>((std::int64_t{p.kernel_h} * p.kernel_w + 1) * channel_stride(p));
}

/// Packs [kh][kw][channels*multiplier] `weights` and `bias` (may be null) into `packed`.
constexpr void pack_weights(const Params& p, const float* weights, const float* bias, float* packed) noexcept {
  const std::int64_t stride = channel_stride(p);
  const std::int64_t out_c = out_channels(p);
  const std::int64_t taps = std::int64_t{p.kernel_h} * p.kernel_w;
  for (std::int64_t t = 0; t < taps; ++t) {
    for (std::int64_t o = 0; o < stride; ++o) packed[t * stride + o] = o < out_c ? weights[t * out_c + o] : 0.0f;
  }
  for (std::int64_t o = 0; o < stride; ++o) packed[taps * stride + o] = (bias != nullptr && o < out_c) ? bias[o] : 0.0f;
}

[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.batch < 0 || p.in_h <= 0 || p.in_w <= 0 || p.channels <= 0 || p.multiplier <= 0) {
    return error(ErrorCode::invalid_argument, "depthwise_conv2d: sizes must be positive: batch=", p.batch,
                 " in=", p.in_h, "x", p.in_w, "x", p.channels, " multiplier=", p.multiplier);
  }
  if (p.kernel_h <= 0 || p.kernel_w <= 0 || p.stride_h <= 0 || p.stride_w <= 0 || p.dilation_h <= 0 ||
      p.dilation_w <= 0) {
    return error(ErrorCode::invalid_argument, "depthwise_conv2d: kernel ", p.kernel_h, "x", p.kernel_w, ", stride ",
                 p.stride_h, "x", p.stride_w, ", dilation ", p.dilation_h, "x", p.dilation_w, " must all be positive");
  }
  const Padding2D pad = effective_padding(p);
  if (pad.top < 0 || pad.left < 0 || pad.bottom < 0 || pad.right < 0) {
    return error(ErrorCode::invalid_argument, "depthwise_conv2d: negative padding ", pad.top, ",", pad.left, ",",
                 pad.bottom, ",", pad.right);
  }
  if (output_h(p) <= 0 || output_w(p) <= 0) {
    return error(ErrorCode::invalid_argument, "depthwise_conv2d: input ", p.in_h, "x", p.in_w,
                 " is smaller than the dilated kernel plus padding");
  }
  return Status::success();
}

/// Runs on backend B. input [batch][in_h][in_w][channels], output [batch][out_h][out_w][channels*multiplier].
template <backend::Backend B = backend::native>
void run(const Params& p, const float* input, const float* packed_weights, float* output) noexcept {
  backend::require_compilable<B>();
  kernels::depthwise_conv2d_direct(B{}, shape_of(p), channel_stride(p), input, packed_weights, output, p.activation);
}

inline void run(backend::BackendId id, const Params& p, const float* input, const float* packed_weights,
                float* output) noexcept {
  backend::dispatch(id, [&](auto tag) noexcept { run<decltype(tag)>(p, input, packed_weights, output); });
}

}  // namespace tinynn::ops::depthwise_conv2d
