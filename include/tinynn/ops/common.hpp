// tinynn — what every operator shares: fused activations (the epilogue of conv/dense/GEMM kernels
// and the standalone activation layers), 2-D padding and output-size arithmetic (NHWC throughout).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "tinynn/status.hpp"

namespace tinynn::ops {

/// Activations that fuse into a producer's epilogue. `clip` uses [min, max] (ReLU6 is clip 0..6).
enum class Activation : std::uint8_t { none, relu, relu6, clip, leaky_relu, sigmoid, tanh, hard_swish };

struct ActivationParams {
  Activation kind = Activation::none;
  float alpha = 0.01f;  // leaky_relu slope
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();

  friend constexpr bool operator==(const ActivationParams&, const ActivationParams&) = default;

  static constexpr ActivationParams none() noexcept { return {}; }
  static constexpr ActivationParams relu() noexcept { return {Activation::relu, 0.0f, 0.0f}; }
  static constexpr ActivationParams relu6() noexcept { return {Activation::relu6, 0.0f, 0.0f, 6.0f}; }
  static constexpr ActivationParams clip(float lo, float hi) noexcept { return {Activation::clip, 0.0f, lo, hi}; }
  static constexpr ActivationParams leaky_relu(float slope) noexcept { return {Activation::leaky_relu, slope}; }
};

/// The scalar definition of every fused activation; SIMD epilogues must agree with it.
[[nodiscard]] inline float apply_activation(const ActivationParams& p, float x) noexcept {
  switch (p.kind) {
    case Activation::none: return x;
    case Activation::relu: return x > 0.0f ? x : 0.0f;
    case Activation::relu6: return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case Activation::clip: return x < p.min ? p.min : (x > p.max ? p.max : x);
    case Activation::leaky_relu: return x >= 0.0f ? x : p.alpha * x;
    case Activation::sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case Activation::tanh: return std::tanh(x);
    case Activation::hard_swish: {
      const float r = x + 3.0f;
      const float c = r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r);
      return x * c / 6.0f;
    }
  }
  return x;
}

/// Explicit padding of the two spatial dimensions, in elements.
struct Padding2D {
  std::int32_t top = 0, left = 0, bottom = 0, right = 0;
  friend constexpr bool operator==(const Padding2D&, const Padding2D&) = default;
};

/// Output size of a sliding window over `input` (floor mode unless ceil_mode).
[[nodiscard]] constexpr std::int64_t window_output_size(std::int64_t input, std::int64_t kernel, std::int64_t stride,
                                                        std::int64_t dilation, std::int64_t pad_before,
                                                        std::int64_t pad_after, bool ceil_mode = false) noexcept {
  const std::int64_t effective = (kernel - 1) * dilation + 1;
  const std::int64_t span = input + pad_before + pad_after - effective;
  if (span < 0 || stride <= 0) return 0;
  std::int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  // ONNX/PyTorch ceil mode: the last window must start inside the input or the leading padding.
  if (ceil_mode && (out - 1) * stride >= input + pad_before) --out;
  return out;
}

/// SAME padding (TensorFlow/ONNX SAME_UPPER: the extra pixel goes after; SAME_LOWER: before).
struct SamePadding {
  std::int32_t before = 0, after = 0;
};
[[nodiscard]] constexpr SamePadding same_padding(std::int64_t input, std::int64_t kernel, std::int64_t stride,
                                                 std::int64_t dilation, bool lower = false) noexcept {
  const std::int64_t out = (input + stride - 1) / stride;
  const std::int64_t effective = (kernel - 1) * dilation + 1;
  std::int64_t total = (out - 1) * stride + effective - input;
  if (total < 0) total = 0;
  const auto small = static_cast<std::int32_t>(total / 2);
  const auto large = static_cast<std::int32_t>(total - total / 2);
  return lower ? SamePadding{large, small} : SamePadding{small, large};
}

}  // namespace tinynn::ops
