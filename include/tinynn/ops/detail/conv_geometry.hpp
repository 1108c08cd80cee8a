// tinynn — convolution geometry shared by conv2d and depthwise_conv2d: padding modes and the
// resolved shape (output size, effective padding) that drivers and backend kernels loop over.
#pragma once

#include <cstdint>

#include "tinynn/ops/common.hpp"

namespace tinynn::ops {

/// How a convolution's padding is given: explicit (Padding2D), or TensorFlow/ONNX SAME (extra
/// pixel after for same_upper, before for same_lower; output = ceil(input / stride)).
enum class PaddingMode : std::uint8_t { explicit_padding, same_upper, same_lower };

}  // namespace tinynn::ops

namespace tinynn::ops::detail {

/// Everything a convolution kernel needs, resolved (NHWC input [batch][in_h][in_w][in_c], output
/// [batch][out_h][out_w][out_c]; each group sees in_c/groups input and out_c/groups output channels).
struct ConvShape {
  std::int64_t batch = 0, in_h = 0, in_w = 0, in_c = 0;
  std::int64_t out_h = 0, out_w = 0, out_c = 0;
  std::int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  std::int64_t pad_top = 0, pad_left = 0;
  std::int64_t groups = 1;
};

[[nodiscard]] constexpr Padding2D conv_resolve_padding(PaddingMode mode, const Padding2D& explicit_padding,
                                                       std::int64_t in_h, std::int64_t in_w, std::int64_t kernel_h,
                                                       std::int64_t kernel_w, std::int64_t stride_h,
                                                       std::int64_t stride_w, std::int64_t dilation_h,
                                                       std::int64_t dilation_w) noexcept {
  if (mode == PaddingMode::explicit_padding) return explicit_padding;
  const bool lower = mode == PaddingMode::same_lower;
  const SamePadding v = same_padding(in_h, kernel_h, stride_h, dilation_h, lower);
  const SamePadding h = same_padding(in_w, kernel_w, stride_w, dilation_w, lower);
  return Padding2D{v.before, h.before, v.after, h.after};
}

}  // namespace tinynn::ops::detail
