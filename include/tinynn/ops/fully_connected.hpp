// tinynn — fully connected (dense): out[b][o] = act(bias[o] + sum over i of in[b][i] * w[o][i]).
// Weights [out_features][in_features] (PyTorch Linear, TFLite FULLY_CONNECTED, ONNX Gemm transB=1),
// bias [out_features] (optional); packed once into GEMM panels (ops/gemm.hpp), run as a GEMM with M = batch.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/ops/gemm.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::fully_connected {

struct Params {
  std::int64_t batch = 1, in_features = 0, out_features = 0;
  ActivationParams activation;
};

[[nodiscard]] constexpr gemm::Params gemm_params(const Params& p) noexcept {
  gemm::Params g;
  g.m = p.batch;
  g.n = p.out_features;
  g.k = p.in_features;
  g.activation = p.activation;
  return g;
}

template <backend::Backend B>
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  return gemm::scratch_size<B>(gemm_params(p));
}
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p, backend::BackendId id) noexcept {
  return gemm::scratch_size(gemm_params(p), id);
}

[[nodiscard]] constexpr std::size_t packed_weights_size(const Params& p) noexcept {
  return gemm::packed_weights_size(gemm_params(p));
}

/// Packs [out][in] `weights` and `bias` (may be null) into `packed`.
constexpr void pack_weights(const Params& p, const float* weights, const float* bias, float* packed) noexcept {
  gemm::pack_weights(gemm_params(p), weights, gemm::WeightLayout::nk, bias, packed);
}

[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.batch < 0 || p.in_features < 0 || p.out_features <= 0) {
    return error(ErrorCode::invalid_argument, "fully_connected: batch=", p.batch, " in_features=", p.in_features,
                 " out_features=", p.out_features, " (out_features must be positive, the others non-negative)");
  }
  return Status::success();
}

/// input [batch][in_features], output [batch][out_features]; `scratch`: scratch_size<B>(p) floats.
template <backend::Backend B = backend::native>
void run(const Params& p, const float* input, const float* packed_weights, float* output, float* scratch) noexcept {
  gemm::run<B>(gemm_params(p), input, packed_weights, output, scratch);
}

inline void run(backend::BackendId id, const Params& p, const float* input, const float* packed_weights, float* output,
                float* scratch) noexcept {
  gemm::run(id, gemm_params(p), input, packed_weights, output, scratch);
}

}  // namespace tinynn::ops::fully_connected
