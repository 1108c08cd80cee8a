// tinynn — batch normalisation for inference, over the channel (last, NHWC) axis.
//   y = (x - mean) / sqrt(var + eps) * gamma + beta  =  x * scale[c] + shift[c],
//   scale = gamma / sqrt(var + eps), shift = beta - mean * scale (affine() computes them).
#pragma once

#include <cmath>
#include <cstddef>

#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops {

namespace batch_norm {

/// The four per-channel vectors of a BatchNormalization node.
struct Weights {
  const float* gamma = nullptr;
  const float* beta = nullptr;
  const float* mean = nullptr;
  const float* variance = nullptr;
  float epsilon = 1e-5f;
};
struct Params {
  DynShape shape;                 // input and output, channels last
  ActivationParams activation{};  // fused after the affine map
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.shape.rank() == 0) return error(ErrorCode::invalid_argument, "batch_norm: input must have a channel axis");
  return {};
}

/// scale[c], shift[c] for c < channels; fails on a negative variance + epsilon.
[[nodiscard]] inline Status affine(const Weights& w, std::size_t channels, float* scale, float* shift) {
  for (std::size_t c = 0; c < channels; ++c) {
    const float v = w.variance[c] + w.epsilon;
    if (!(v > 0.0f)) {
      return error(ErrorCode::invalid_model, "batch_norm: variance + epsilon of channel ", c, " is ", v,
                   ", expected > 0");
    }
    scale[c] = w.gamma[c] / std::sqrt(v);
    shift[c] = w.beta[c] - w.mean[c] * scale[c];
  }
  return {};
}

/// Folds a batch norm that follows a convolution or dense layer into its weights and bias.
/// `weights` is seen as [outer, channels, inner] with the output channel in the middle:
/// OHWI conv / [out, in] dense: outer = 1, inner = H*W*I (or in); HWIO / [in, out] / depthwise
/// [1, H, W, C]: outer = H*W*I (or in, H*W), inner = 1. `bias` (channels floats) must exist; write
/// zeros into it first when the layer had none.
[[nodiscard]] inline Status fold(const Weights& w, std::size_t channels, float* weights, std::size_t outer,
                                 std::size_t inner, float* bias) {
  for (std::size_t c = 0; c < channels; ++c) {
    const float v = w.variance[c] + w.epsilon;
    if (!(v > 0.0f)) {
      return error(ErrorCode::invalid_model, "batch_norm fold: variance + epsilon of channel ", c, " is ", v,
                   ", expected > 0");
    }
    const float scale = w.gamma[c] / std::sqrt(v);
    for (std::size_t o = 0; o < outer; ++o) {
      float* row = weights + (o * channels + c) * inner;
      for (std::size_t i = 0; i < inner; ++i) row[i] *= scale;
    }
    bias[c] = (bias[c] - w.mean[c]) * scale + w.beta[c];
  }
  return {};
}

/// y = act(x * scale[c] + shift[c]); in place allowed.
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, const float* scale, const float* shift, float* y) noexcept {
  const auto c = static_cast<std::size_t>(p.shape[p.shape.rank() - 1]);
  if (c == 0) return;
  const std::size_t rows = p.shape.size() / c;
  for (std::size_t r = 0; r < rows; ++r, x += c, y += c) {
    for (std::size_t i = 0; i < c; ++i) y[i] = x[i] * scale[i] + shift[i];
    if (p.activation.kind != Activation::none) {
      for (std::size_t i = 0; i < c; ++i) y[i] = apply_activation(p.activation, y[i]);
    }
  }
}

inline void run(backend::BackendId id, const Params& p, const float* x, const float* scale, const float* shift,
                float* y) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, x, scale, shift, y); });
}

}  // namespace batch_norm
}  // namespace tinynn::ops
