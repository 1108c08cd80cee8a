// tinynn — graph handlers of the TFLite builtin operators (domain "tflite", built by
// formats/tflite.hpp): float32, int8 (qi8: asymmetric activations, symmetric per-channel weights)
// and the older uint8 scheme, plus hybrid conv/FC (int8 weights, float activations: the weights are
// dequantized once at bind). Shapes are TFLite's own (NHWC); every value keeps Layout::canonical.
// Quantized ops call ops/quantized/*, float ops call the float kernels of ops/. Attributes carry
// TFLite's builtin option names.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/graph/kernel.hpp"
#include "tinynn/ops/activation.hpp"
#include "tinynn/ops/concat.hpp"
#include "tinynn/ops/conv2d.hpp"
#include "tinynn/ops/depthwise_conv2d.hpp"
#include "tinynn/ops/eltwise.hpp"
#include "tinynn/ops/fully_connected.hpp"
#include "tinynn/ops/pad.hpp"
#include "tinynn/ops/pool.hpp"
#include "tinynn/ops/quantized/activation.hpp"
#include "tinynn/ops/quantized/concat.hpp"
#include "tinynn/ops/quantized/conv2d.hpp"
#include "tinynn/ops/quantized/depthwise_conv2d.hpp"
#include "tinynn/ops/quantized/elementwise.hpp"
#include "tinynn/ops/quantized/fully_connected.hpp"
#include "tinynn/ops/quantized/lstm.hpp"
#include "tinynn/ops/quantized/lstm_integer.hpp"
#include "tinynn/ops/quantized/mean.hpp"
#include "tinynn/ops/quantized/pad.hpp"
#include "tinynn/ops/quantized/pool.hpp"
#include "tinynn/ops/quantized/quantize.hpp"
#include "tinynn/ops/quantized/softmax.hpp"
#include "tinynn/ops/reduce.hpp"
#include "tinynn/ops/resize.hpp"
#include "tinynn/ops/slice.hpp"
#include "tinynn/ops/softmax.hpp"
#include "tinynn/ops/split.hpp"
#include "tinynn/ops/transpose.hpp"

namespace tinynn::graph::op::tflite {

namespace q = tinynn::ops::quantized;

// ---- helpers ---------------------------------------------------------------------------------

[[nodiscard]] inline bool is_quantized_8bit(DType t) noexcept { return t == DType::qi8 || t == DType::u8; }

/// Products of two 8-bit values minus zero points are below 2^16: 32768 of them stay within int32.
inline constexpr std::int64_t max_quantized_depth = 32768;

/// The requantization rounding of a node: formats::tflite::ImportOptions::rounding, stored by the
/// importer as the node attribute "rounding" (0 = double rounding, TFLite's reference kernels and
/// TFLite Micro, the default; 1 = single rounding, TFLite built with TFLITE_SINGLE_ROUNDING).
[[nodiscard]] inline q::Rounding rounding_of(const Node& n) {
  return n.attr_int("rounding", 0) == 1 ? q::Rounding::single_rounding : q::Rounding::double_rounding;
}

/// TFLite fused activation (ActivationFunctionType) as a float epilogue.
[[nodiscard]] inline Result<ops::ActivationParams> float_activation(const Node& n, const Graph& g) {
  switch (n.attr_int("fused_activation_function", 0)) {
    case 0: return ops::ActivationParams::none();
    case 1: return ops::ActivationParams::relu();
    case 2: return ops::ActivationParams::clip(-1.0f, 1.0f);
    case 3: return ops::ActivationParams::relu6();
    case 4: return ops::ActivationParams{ops::Activation::tanh};
    default:
      return error(ErrorCode::unsupported, g.where(n), ": fused activation ",
                   n.attr_int("fused_activation_function", 0), " is not supported");
  }
}

/// The same activation as an integer range of the output.
template <class T>
[[nodiscard]] inline Result<q::QuantizedRange> quantized_activation(const Node& n, const Graph& g, QuantParams out) {
  switch (n.attr_int("fused_activation_function", 0)) {
    case 0: return q::activation_range<T>(q::FusedActivation::none, out.scale, out.zero_point);
    case 1: return q::activation_range<T>(q::FusedActivation::relu, out.scale, out.zero_point);
    case 2: return q::activation_range<T>(q::FusedActivation::relu_n1_to_1, out.scale, out.zero_point);
    case 3: return q::activation_range<T>(q::FusedActivation::relu6, out.scale, out.zero_point);
    default:
      return error(ErrorCode::unsupported, g.where(n), ": fused activation ",
                   n.attr_int("fused_activation_function", 0), " on a quantized op is not supported");
  }
}

/// Per-channel (or per-tensor) scales of a weight value.
[[nodiscard]] inline std::vector<float> weight_scales(const Value& v) {
  if (v.channel_quant && !v.channel_quant->scales.empty()) return v.channel_quant->scales;
  return {v.quant.scale};
}
[[nodiscard]] inline std::vector<std::int32_t> weight_zero_points(const Value& v) {
  if (v.channel_quant && !v.channel_quant->scales.empty()) {
    if (v.channel_quant->zero_points.empty()) return std::vector<std::int32_t>(v.channel_quant->scales.size(), 0);
    return v.channel_quant->zero_points;
  }
  return {v.quant.zero_point};
}

/// Dequantized copy of an int8/uint8 weight tensor, channel `axis` (hybrid models).
[[nodiscard]] inline std::vector<float> dequantized(const Value& v, std::size_t axis) {
  const std::vector<float> scales = weight_scales(v);
  const std::vector<std::int32_t> zps = weight_zero_points(v);
  const std::size_t count = v.element_count();
  std::vector<float> out(count);
  std::size_t inner = 1;
  for (std::size_t d = axis + 1; d < v.shape.rank(); ++d) inner *= static_cast<std::size_t>(v.shape[d]);
  const std::size_t channels = v.shape.rank() ? static_cast<std::size_t>(v.shape[axis]) : 1;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t c = scales.size() == 1 ? 0 : (i / inner) % channels;
    const std::int32_t raw = v.dtype == DType::u8 ? static_cast<std::int32_t>(v.data_as<std::uint8_t>()[i])
                                                  : static_cast<std::int32_t>(v.data_as<std::int8_t>()[i]);
    out[i] = static_cast<float>(static_cast<double>(scales[c]) * (raw - zps[c]));
  }
  return out;
}

/// Output size and leading padding of a TFLite SAME/VALID window (padding attr: 0 SAME, 1 VALID).
struct Window {
  std::int64_t out = 0;
  std::int32_t pad_before = 0, pad_after = 0;
};
[[nodiscard]] inline Window window(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t dilation,
                                   std::int64_t padding) noexcept {
  Window w;
  const std::int64_t effective = (kernel - 1) * dilation + 1;
  if (stride <= 0) return w;
  if (padding == 0) {
    w.out = (in + stride - 1) / stride;
    const ops::SamePadding s = ops::same_padding(in, kernel, stride, dilation);
    w.pad_before = s.before;
    w.pad_after = s.after;
  } else {
    w.out = in >= effective ? (in - effective) / stride + 1 : 0;
  }
  return w;
}

/// Checks that a computed output shape equals the one the file declares (when it declares one).
[[nodiscard]] inline Status set_checked_output(OpContext& c, std::size_t i, DType dtype, const DynShape& shape) {
  if (!c.has_output(i)) return {};
  Value& v = c.out(i);
  if (v.has_shape && v.shape.rank() == shape.rank()) {
    for (std::size_t d = 0; d < shape.rank(); ++d) {
      if (v.shape[d] >= 0 && v.shape[d] != shape[d] && !(v.shape[d] == 1 && d == 0)) {
        return c.fail(ErrorCode::invalid_model, "output '", v.name, "' is declared ", v.shape, ", computed ", shape);
      }
    }
  }
  c.set_output(i, dtype, shape);
  return {};
}

[[nodiscard]] inline Status require_dtype(const OpContext& c, std::size_t i, std::initializer_list<DType> allowed) {
  for (DType t : allowed) {
    if (c.in(i).dtype == t) return {};
  }
  return c.fail(ErrorCode::unsupported, "input ", i, " '", c.in(i).name, "' has dtype ", dtype_name(c.in(i).dtype),
                ", which this op does not support");
}

[[nodiscard]] inline Status require_rank(const OpContext& c, std::size_t i, std::size_t rank) {
  if (c.in(i).shape.rank() != rank) {
    return c.fail(ErrorCode::invalid_model, "input ", i, " '", c.in(i).name, "' has shape ", c.in(i).shape,
                  ", expected rank ", rank);
  }
  return {};
}

/// The output's declared dtype (TFLite files say what each op produces; QUANTIZE/DEQUANTIZE need it).
[[nodiscard]] inline DType declared_dtype(OpContext& c, std::size_t i) { return c.out(i).dtype; }

template <class T>
std::shared_ptr<T> share(T value) {
  return std::make_shared<T>(std::move(value));
}

// ---- CONV_2D, DEPTHWISE_CONV_2D ------------------------------------------------------------

inline Status conv_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 3));
  TINYNN_RETURN_IF_ERROR(require_rank(c, 0, 4));
  TINYNN_RETURN_IF_ERROR(require_rank(c, 1, 4));
  TINYNN_RETURN_IF_ERROR(require_dtype(c, 0, {DType::f32, DType::qi8, DType::u8}));
  if (!c.in(1).constant) return c.fail(ErrorCode::unsupported, "the filter must be a constant");
  const bool depthwise = c.node.op_type == "DEPTHWISE_CONV_2D";
  const DynShape& x = c.in(0).shape;
  const DynShape& w = c.in(1).shape;
  std::int64_t out_c = 0;
  if (depthwise) {
    if (w[0] != 1 || x[3] <= 0 || w[3] % x[3] != 0) {
      return c.fail(ErrorCode::invalid_model, "depthwise filter ", w, " does not fit input ", x);
    }
    out_c = w[3];
  } else {
    if (w[3] != x[3]) return c.fail(ErrorCode::unsupported, "filter ", w, " does not match input channels of ", x);
    out_c = w[0];
  }
  if (c.has_input(2) && (c.in(2).shape.size() != static_cast<std::size_t>(out_c))) {
    return c.fail(ErrorCode::invalid_model, "bias has ", c.in(2).shape.size(), " elements, expected ", out_c);
  }
  const std::int64_t kh = depthwise ? w[1] : w[1], kw = w[2];
  const Window wy = window(x[1], kh, c.node.attr_int("stride_h", 1), c.node.attr_int("dilation_h_factor", 1),
                           c.node.attr_int("padding", 0));
  const Window wx = window(x[2], kw, c.node.attr_int("stride_w", 1), c.node.attr_int("dilation_w_factor", 1),
                           c.node.attr_int("padding", 0));
  if (wy.out <= 0 || wx.out <= 0 || c.node.attr_int("stride_h", 1) <= 0 || c.node.attr_int("stride_w", 1) <= 0 ||
      c.node.attr_int("dilation_h_factor", 1) <= 0 || c.node.attr_int("dilation_w_factor", 1) <= 0) {
    return c.fail(ErrorCode::invalid_model, "window ", kh, "x", kw,
                  " with its strides and dilations gives no output for ", x);
  }
  const DType in = c.in(0).dtype;
  if (is_quantized_8bit(in) && (depthwise ? kh * kw : kh * kw * x[3]) > max_quantized_depth) {
    return c.fail(ErrorCode::unsupported, "quantized window of ", depthwise ? kh * kw : kh * kw * x[3],
                  " taps: the int32 accumulator could overflow (limit ", max_quantized_depth, ")");
  }
  if (is_quantized_8bit(in) && c.in(1).dtype != DType::qi8 && c.in(1).dtype != DType::u8 &&
      c.in(1).dtype != DType::i8) {
    return c.fail(ErrorCode::unsupported, "quantized input with ", dtype_name(c.in(1).dtype), " filter");
  }
  return set_checked_output(c, 0, in, DynShape{x[0], wy.out, wx.out, out_c});
}

namespace detail {

/// Multipliers in*w[c]/out for each output channel, as TFLite computes them (double).
inline std::vector<q::QuantizedMultiplier> channel_multipliers(double input_scale, const std::vector<float>& w_scales,
                                                               double output_scale, q::Rounding rounding) {
  std::vector<q::QuantizedMultiplier> m(w_scales.size());
  for (std::size_t i = 0; i < w_scales.size(); ++i) {
    m[i] = q::quantize_multiplier(input_scale * static_cast<double>(w_scales[i]) / output_scale, rounding);
  }
  return m;
}

template <class T>
KernelResult quantized_conv_bind(BindContext& c, bool depthwise) {
  const Value& wv = *c.input_values[1];
  const QuantParams in_q = c.inputs[0].quant, out_q = c.outputs[0].quant;
  auto range = quantized_activation<T>(c.node, c.graph, out_q);
  if (!range) return std::move(range).error();
  const std::vector<float> scales = weight_scales(wv);
  const std::vector<std::int32_t> zps = weight_zero_points(wv);
  const bool per_channel = scales.size() > 1;
  const std::int32_t channel_axis = depthwise ? 3 : 0;
  if (per_channel) {
    if (!wv.channel_quant || wv.channel_quant->axis != channel_axis) {
      return c.fail(ErrorCode::unsupported, "per-channel filter quantization along dimension ",
                    wv.channel_quant ? wv.channel_quant->axis : -1, ", expected ", channel_axis);
    }
    for (std::int32_t z : zps) {
      if (z != 0) return c.fail(ErrorCode::unsupported, "per-channel filter with a non-zero zero point ", z);
    }
  }
  const DynShape x = c.inputs[0].shape, w = c.inputs[1].shape, y = c.outputs[0].shape;
  struct State {
    std::vector<q::QuantizedMultiplier> multipliers;
    q::Conv2DParams conv;
    q::DepthwiseConv2DParams dw;
  };
  auto s = std::make_shared<State>();
  s->multipliers = channel_multipliers(in_q.scale, scales, out_q.scale, rounding_of(c.node));
  const q::OutputStage stage{s->multipliers.data(), per_channel, out_q.zero_point, *range, rounding_of(c.node)};
  const auto stride_h = static_cast<std::int32_t>(c.node.attr_int("stride_h", 1));
  const auto stride_w = static_cast<std::int32_t>(c.node.attr_int("stride_w", 1));
  const auto dil_h = static_cast<std::int32_t>(c.node.attr_int("dilation_h_factor", 1));
  const auto dil_w = static_cast<std::int32_t>(c.node.attr_int("dilation_w_factor", 1));
  const Window wy = window(x[1], w[1], stride_h, dil_h, c.node.attr_int("padding", 0));
  const Window wx = window(x[2], w[2], stride_w, dil_w, c.node.attr_int("padding", 0));
  const auto i32 = [](std::int64_t v) { return static_cast<std::int32_t>(v); };
  const std::int32_t filter_zp = per_channel ? 0 : zps[0];
  if (depthwise) {
    s->dw = q::DepthwiseConv2DParams{i32(x[0]),
                                     i32(x[1]),
                                     i32(x[2]),
                                     i32(x[3]),
                                     i32(y[1]),
                                     i32(y[2]),
                                     i32(w[3] / x[3]),
                                     i32(w[1]),
                                     i32(w[2]),
                                     stride_h,
                                     stride_w,
                                     dil_h,
                                     dil_w,
                                     ops::Padding2D{wy.pad_before, wx.pad_before, wy.pad_after, wx.pad_after},
                                     in_q.zero_point,
                                     filter_zp,
                                     stage};
    TINYNN_RETURN_IF_ERROR(q::prepare(s->dw));
  } else {
    s->conv = q::Conv2DParams{i32(x[0]),
                              i32(x[1]),
                              i32(x[2]),
                              i32(x[3]),
                              i32(y[1]),
                              i32(y[2]),
                              i32(w[0]),
                              i32(w[1]),
                              i32(w[2]),
                              stride_h,
                              stride_w,
                              dil_h,
                              dil_w,
                              ops::Padding2D{wy.pad_before, wx.pad_before, wy.pad_after, wx.pad_after},
                              in_q.zero_point,
                              filter_zp,
                              stage};
    TINYNN_RETURN_IF_ERROR(q::prepare(s->conv));
  }
  const T* in = static_cast<const T*>(c.inputs[0].data);
  T* out = static_cast<T*>(c.outputs[0].data);
  const std::int32_t* bias = c.has_input(2) ? static_cast<const std::int32_t*>(c.inputs[2].data) : nullptr;
  if (c.has_input(2) && c.inputs[2].dtype != DType::i32) {
    return c.fail(ErrorCode::unsupported, "quantized bias of dtype ", dtype_name(c.inputs[2].dtype), ", expected i32");
  }
  [[maybe_unused]] const backend::BackendId isa = runtime_backend();
  if (wv.dtype == DType::u8) {
    const auto* filter = static_cast<const std::uint8_t*>(c.inputs[1].data);
    if (depthwise) return make_kernel([=] { q::depthwise_conv2d(backend::scalar{}, s->dw, in, filter, bias, out); });
    return make_kernel([=] { q::conv2d(backend::scalar{}, s->conv, in, filter, bias, out); });
  }
  const auto* filter = static_cast<const std::int8_t*>(c.inputs[1].data);
  if (depthwise) return make_kernel([=] { q::depthwise_conv2d(backend::scalar{}, s->dw, in, filter, bias, out); });
  if constexpr (std::is_same_v<T, std::int8_t>) {
    if (filter_zp == 0) {  // the int8 scheme: packed weights, im2col tiles, the SIMD int8 GEMM
      struct Gemm {
        std::vector<std::int8_t> packed;
        std::vector<std::int32_t> sums;
        std::vector<std::byte> scratch;
        q::QuantizedPackedWeights weights;
      };
      auto g = std::make_shared<Gemm>();
      const std::int32_t depth = s->conv.kernel_height * s->conv.kernel_width * s->conv.input_channels;
      g->packed.resize(q::packed_weights_bytes(s->conv.output_channels, depth));
      g->sums.resize(static_cast<std::size_t>(s->conv.output_channels));
      g->scratch.resize(q::conv2d_gemm_scratch_bytes(s->conv));
      g->weights = q::pack_conv2d_weights(s->conv, filter, g->packed.data(), g->sums.data());
      return make_kernel([=] { q::conv2d(isa, s->conv, in, g->weights, bias, out, g->scratch.data()); });
    }
  }
  return make_kernel([=] { q::conv2d(backend::scalar{}, s->conv, in, filter, bias, out); });
}

}  // namespace detail

inline KernelResult conv_bind(BindContext& c) {
  const bool depthwise = c.node.op_type == "DEPTHWISE_CONV_2D";
  const DType in = c.inputs[0].dtype;
  if (in == DType::qi8) return detail::quantized_conv_bind<std::int8_t>(c, depthwise);
  if (in == DType::u8) return detail::quantized_conv_bind<std::uint8_t>(c, depthwise);
  // float32 (hybrid: an int8/uint8 filter is dequantized once, here)
  const Value& wv = *c.input_values[1];
  std::vector<float> weights;
  if (wv.dtype == DType::f32) {
    weights.assign(wv.data_as<float>(), wv.data_as<float>() + wv.element_count());
  } else if (wv.dtype == DType::qi8 || wv.dtype == DType::i8 || wv.dtype == DType::u8) {
    weights = dequantized(wv, depthwise ? 3 : 0);
  } else {
    return c.fail(ErrorCode::unsupported, "float conv with a ", dtype_name(wv.dtype), " filter");
  }
  std::vector<float> bias;
  if (c.has_input(2)) {
    if (c.inputs[2].dtype != DType::f32) return c.fail(ErrorCode::unsupported, "float conv with a non-float bias");
    const auto* b = static_cast<const float*>(c.inputs[2].data);
    bias.assign(b, b + c.inputs[2].size());
  }
  auto act = float_activation(c.node, c.graph);
  if (!act) return std::move(act).error();
  const DynShape x = c.inputs[0].shape, w = c.inputs[1].shape;
  const auto stride_h = static_cast<std::int32_t>(c.node.attr_int("stride_h", 1));
  const auto stride_w = static_cast<std::int32_t>(c.node.attr_int("stride_w", 1));
  const auto dil_h = static_cast<std::int32_t>(c.node.attr_int("dilation_h_factor", 1));
  const auto dil_w = static_cast<std::int32_t>(c.node.attr_int("dilation_w_factor", 1));
  const Window wy = window(x[1], w[1], stride_h, dil_h, c.node.attr_int("padding", 0));
  const Window wx = window(x[2], w[2], stride_w, dil_w, c.node.attr_int("padding", 0));
  const ops::Padding2D pad{wy.pad_before, wx.pad_before, wy.pad_after, wx.pad_after};
  const backend::BackendId isa = runtime_backend();
  const float* input = static_cast<const float*>(c.inputs[0].data);
  float* output = static_cast<float*>(c.outputs[0].data);
  const float* bias_ptr = bias.empty() ? nullptr : bias.data();
  if (depthwise) {
    ops::depthwise_conv2d::Params p;
    p.batch = x[0];
    p.in_h = x[1];
    p.in_w = x[2];
    p.channels = x[3];
    p.multiplier = static_cast<std::int32_t>(w[3] / x[3]);
    p.kernel_h = static_cast<std::int32_t>(w[1]);
    p.kernel_w = static_cast<std::int32_t>(w[2]);
    p.stride_h = stride_h;
    p.stride_w = stride_w;
    p.dilation_h = dil_h;
    p.dilation_w = dil_w;
    p.padding = pad;
    p.activation = *act;
    TINYNN_RETURN_IF_ERROR(ops::depthwise_conv2d::prepare(p));
    auto packed = std::make_shared<std::vector<float>>(ops::depthwise_conv2d::packed_weights_size(p));
    ops::depthwise_conv2d::pack_weights(p, weights.data(), bias_ptr, packed->data());
    return make_kernel([=] { ops::depthwise_conv2d::run(isa, p, input, packed->data(), output); });
  }
  ops::conv2d::Params p;
  p.batch = x[0];
  p.in_h = x[1];
  p.in_w = x[2];
  p.in_c = x[3];
  p.out_c = w[0];
  p.kernel_h = static_cast<std::int32_t>(w[1]);
  p.kernel_w = static_cast<std::int32_t>(w[2]);
  p.stride_h = stride_h;
  p.stride_w = stride_w;
  p.dilation_h = dil_h;
  p.dilation_w = dil_w;
  p.padding = pad;
  p.activation = *act;
  TINYNN_RETURN_IF_ERROR(ops::conv2d::prepare(p));
  auto packed = std::make_shared<std::vector<float>>(ops::conv2d::packed_weights_size(p));
  ops::conv2d::pack_weights(p, weights.data(), bias_ptr, packed->data());
  auto scratch = std::make_shared<std::vector<float>>(ops::conv2d::scratch_size(p, isa) + 1);
  return make_kernel([=] { ops::conv2d::run(isa, p, input, packed->data(), output, scratch->data()); });
}

// ---- FULLY_CONNECTED -------------------------------------------------------------------------

inline Status fully_connected_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 3));
  TINYNN_RETURN_IF_ERROR(require_dtype(c, 0, {DType::f32, DType::qi8, DType::u8}));
  TINYNN_RETURN_IF_ERROR(require_rank(c, 1, 2));
  if (!c.in(1).constant) return c.fail(ErrorCode::unsupported, "the weights must be a constant");
  if (c.node.attr_int("weights_format", 0) != 0) {
    return c.fail(ErrorCode::unsupported, "shuffled FULLY_CONNECTED weights format");
  }
  const DynShape& x = c.in(0).shape;
  const std::int64_t units = c.in(1).shape[0], depth = c.in(1).shape[1];
  const std::size_t count = x.size();
  if (depth <= 0 || count % static_cast<std::size_t>(depth) != 0) {
    return c.fail(ErrorCode::invalid_model, "input ", x, " is not a multiple of the weights' depth ", depth);
  }
  if (c.has_input(2) && c.in(2).shape.size() != static_cast<std::size_t>(units)) {
    return c.fail(ErrorCode::invalid_model, "bias has ", c.in(2).shape.size(), " elements, expected ", units);
  }
  if (is_quantized_8bit(c.in(0).dtype) && depth > max_quantized_depth) {
    return c.fail(ErrorCode::unsupported, "quantized depth ", depth, ": the int32 accumulator could overflow (limit ",
                  max_quantized_depth, ")");
  }
  DynShape y;
  if (c.node.attr_int("keep_num_dims", 0) && x.rank() > 0 && x[x.rank() - 1] == depth) {
    y = x;
    y[y.rank() - 1] = units;
  } else {
    y = DynShape{static_cast<std::int64_t>(count) / depth, units};
  }
  return set_checked_output(c, 0, c.in(0).dtype, y);
}

inline KernelResult fully_connected_bind(BindContext& c) {
  const Value& wv = *c.input_values[1];
  const std::int64_t units = c.inputs[1].shape[0], depth = c.inputs[1].shape[1];
  const std::int64_t batch = static_cast<std::int64_t>(c.inputs[0].size()) / depth;
  const DType in = c.inputs[0].dtype;
  const backend::BackendId isa = runtime_backend();
  if (in == DType::qi8 || in == DType::u8) {
    const QuantParams in_q = c.inputs[0].quant, out_q = c.outputs[0].quant;
    const std::vector<float> scales = weight_scales(wv);
    const std::vector<std::int32_t> zps = weight_zero_points(wv);
    const bool per_channel = scales.size() > 1;
    if (per_channel) {
      for (std::int32_t z : zps) {
        if (z != 0) return c.fail(ErrorCode::unsupported, "per-channel weights with a non-zero zero point ", z);
      }
    }
    if (c.has_input(2) && c.inputs[2].dtype != DType::i32) {
      return c.fail(ErrorCode::unsupported, "quantized bias of dtype ", dtype_name(c.inputs[2].dtype),
                    ", expected i32");
    }
    struct State {
      std::vector<q::QuantizedMultiplier> multipliers;
      q::FullyConnectedParams p;
    };
    auto s = std::make_shared<State>();
    s->multipliers = detail::channel_multipliers(in_q.scale, scales, out_q.scale, rounding_of(c.node));
    const std::int32_t* bias = c.has_input(2) ? static_cast<const std::int32_t*>(c.inputs[2].data) : nullptr;
    auto bind = [&]<class T>() -> KernelResult {
      auto range = quantized_activation<T>(c.node, c.graph, out_q);
      if (!range) return std::move(range).error();
      s->p = q::FullyConnectedParams{
          static_cast<std::int32_t>(batch),
          static_cast<std::int32_t>(depth),
          static_cast<std::int32_t>(units),
          in_q.zero_point,
          per_channel ? 0 : zps[0],
          q::OutputStage{s->multipliers.data(), per_channel, out_q.zero_point, *range, rounding_of(c.node)}};
      TINYNN_RETURN_IF_ERROR(q::prepare(s->p));
      const T* x = static_cast<const T*>(c.inputs[0].data);
      T* y = static_cast<T*>(c.outputs[0].data);
      if (wv.dtype == DType::u8) {
        const auto* w = static_cast<const std::uint8_t*>(c.inputs[1].data);
        return make_kernel([=] { q::fully_connected(backend::scalar{}, s->p, x, w, bias, y); });
      }
      const auto* w = static_cast<const std::int8_t*>(c.inputs[1].data);
      if constexpr (std::is_same_v<T, std::int8_t>) {
        if (s->p.filter_zero_point == 0) {  // packed weights and the SIMD int8 GEMM
          struct Gemm {
            std::vector<std::int8_t> packed;
            std::vector<std::int32_t> sums;
            std::vector<std::byte> scratch;
            q::QuantizedPackedWeights weights;
          };
          auto g = std::make_shared<Gemm>();
          g->packed.resize(q::packed_weights_bytes(s->p.units, s->p.depth));
          g->sums.resize(static_cast<std::size_t>(s->p.units));
          g->scratch.resize(q::fully_connected_gemm_scratch_bytes(s->p));
          g->weights = q::pack_weights(w, s->p.units, s->p.depth, g->packed.data(), g->sums.data());
          return make_kernel([=] { q::fully_connected(isa, s->p, x, g->weights, bias, y, g->scratch.data()); });
        }
      }
      return make_kernel([=] { q::fully_connected(backend::scalar{}, s->p, x, w, bias, y); });
    };
    return in == DType::qi8 ? bind.template operator()<std::int8_t>() : bind.template operator()<std::uint8_t>();
  }
  std::vector<float> weights;
  if (wv.dtype == DType::f32) {
    weights.assign(wv.data_as<float>(), wv.data_as<float>() + wv.element_count());
  } else if (wv.dtype == DType::qi8 || wv.dtype == DType::i8 || wv.dtype == DType::u8) {
    weights = dequantized(wv, 0);
  } else {
    return c.fail(ErrorCode::unsupported, "float FULLY_CONNECTED with ", dtype_name(wv.dtype), " weights");
  }
  std::vector<float> bias;
  if (c.has_input(2)) {
    if (c.inputs[2].dtype != DType::f32) return c.fail(ErrorCode::unsupported, "float FULLY_CONNECTED, non-float bias");
    const auto* b = static_cast<const float*>(c.inputs[2].data);
    bias.assign(b, b + c.inputs[2].size());
  }
  auto act = float_activation(c.node, c.graph);
  if (!act) return std::move(act).error();
  ops::fully_connected::Params p;
  p.batch = batch;
  p.in_features = depth;
  p.out_features = units;
  p.activation = *act;
  TINYNN_RETURN_IF_ERROR(ops::fully_connected::prepare(p));
  auto packed = std::make_shared<std::vector<float>>(ops::fully_connected::packed_weights_size(p));
  ops::fully_connected::pack_weights(p, weights.data(), bias.empty() ? nullptr : bias.data(), packed->data());
  auto scratch = std::make_shared<std::vector<float>>(ops::fully_connected::scratch_size(p, isa) + 1);
  const float* x = static_cast<const float*>(c.inputs[0].data);
  float* y = static_cast<float*>(c.outputs[0].data);
  return make_kernel([=] { ops::fully_connected::run(isa, p, x, packed->data(), y, scratch->data()); });
}

// ---- AVERAGE_POOL_2D, MAX_POOL_2D ----------------------------------------------------------

inline Status pool_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  TINYNN_RETURN_IF_ERROR(require_rank(c, 0, 4));
  TINYNN_RETURN_IF_ERROR(require_dtype(c, 0, {DType::f32, DType::qi8, DType::u8}));
  const DynShape& x = c.in(0).shape;
  const std::int64_t fh = c.node.attr_int("filter_height", 1), fw = c.node.attr_int("filter_width", 1);
  const std::int64_t sh = c.node.attr_int("stride_h", 1), sw = c.node.attr_int("stride_w", 1);
  if (fh <= 0 || fw <= 0 || sh <= 0 || sw <= 0) {
    return c.fail(ErrorCode::invalid_model, "filter ", fh, "x", fw, " and stride ", sh, "x", sw, " must be positive");
  }
  const Window wy = window(x[1], fh, sh, 1, c.node.attr_int("padding", 0));
  const Window wx = window(x[2], fw, sw, 1, c.node.attr_int("padding", 0));
  if (wy.out <= 0 || wx.out <= 0) return c.fail(ErrorCode::invalid_model, "pooling window larger than input ", x);
  return set_checked_output(c, 0, c.in(0).dtype, DynShape{x[0], wy.out, wx.out, x[3]});
}

inline KernelResult pool_bind(BindContext& c) {
  const bool average = c.node.op_type == "AVERAGE_POOL_2D";
  const DynShape x = c.inputs[0].shape, y = c.outputs[0].shape;
  const auto fh = static_cast<std::int32_t>(c.node.attr_int("filter_height", 1));
  const auto fw = static_cast<std::int32_t>(c.node.attr_int("filter_width", 1));
  const auto sh = static_cast<std::int32_t>(c.node.attr_int("stride_h", 1));
  const auto sw = static_cast<std::int32_t>(c.node.attr_int("stride_w", 1));
  const Window wy = window(x[1], fh, sh, 1, c.node.attr_int("padding", 0));
  const Window wx = window(x[2], fw, sw, 1, c.node.attr_int("padding", 0));
  const ops::Padding2D pad{wy.pad_before, wx.pad_before, wy.pad_after, wx.pad_after};
  const DType t = c.inputs[0].dtype;
  if (t == DType::qi8 || t == DType::u8) {
    if (!(c.inputs[0].quant == c.outputs[0].quant)) {
      return c.fail(ErrorCode::unsupported, "quantized pooling with different input and output quantization");
    }
    auto bind = [&]<class T>() -> KernelResult {
      auto range = quantized_activation<T>(c.node, c.graph, c.outputs[0].quant);
      if (!range) return std::move(range).error();
      const auto i32 = [](std::int64_t v) { return static_cast<std::int32_t>(v); };
      const q::Pool2DParams p{i32(x[0]), i32(x[1]), i32(x[2]), i32(x[3]), i32(y[1]), i32(y[2]),
                              fh,        fw,        sh,        sw,        pad,       *range};
      TINYNN_RETURN_IF_ERROR(q::prepare(p));
      const T* in = static_cast<const T*>(c.inputs[0].data);
      T* out = static_cast<T*>(c.outputs[0].data);

      if (average) return make_kernel([=] { q::average_pool2d(backend::scalar{}, p, in, out); });
      return make_kernel([=] { q::max_pool2d(backend::scalar{}, p, in, out); });
    };
    return t == DType::qi8 ? bind.template operator()<std::int8_t>() : bind.template operator()<std::uint8_t>();
  }
  auto act = float_activation(c.node, c.graph);
  if (!act) return std::move(act).error();
  ops::pool2d::Params p;
  p.kind = average ? ops::PoolKind::average : ops::PoolKind::max;
  p.kernel_h = fh;
  p.kernel_w = fw;
  p.stride_h = sh;
  p.stride_w = sw;
  p.padding = pad;
  p.count_include_pad = false;  // TFLite averages over the in-bounds taps
  p.activation = *act;
  p.input = x;
  TINYNN_RETURN_IF_ERROR(ops::pool2d::prepare(p));
  if (!(p.output == y)) return c.fail(ErrorCode::internal, "pool output ", p.output, " != ", y);
  const float* in = static_cast<const float*>(c.inputs[0].data);
  float* out = static_cast<float*>(c.outputs[0].data);
  const backend::BackendId isa = runtime_backend();
  return make_kernel([=] { ops::pool2d::run(isa, p, in, out); });
}

// ---- SOFTMAX -------------------------------------------------------------------------------

inline Status same_shape_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  c.set_output(0, c.has_output(0) ? declared_dtype(c, 0) : c.in(0).dtype, c.in(0).shape);
  return {};
}

inline Status softmax_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  TINYNN_RETURN_IF_ERROR(require_dtype(c, 0, {DType::f32, DType::qi8, DType::u8}));
  if (c.in(0).shape.rank() == 0) return c.fail(ErrorCode::invalid_model, "softmax of a scalar");
  c.set_output(0, c.in(0).dtype, c.in(0).shape);
  return {};
}

inline KernelResult softmax_bind(BindContext& c) {
  const DynShape x = c.inputs[0].shape;
  const float beta = c.node.attr_float("beta", 1.0f);
  const DType t = c.inputs[0].dtype;
  if (t == DType::qi8 || t == DType::u8) {
    const std::size_t depth = static_cast<std::size_t>(x[x.rank() - 1]);
    const std::size_t rows = depth ? x.size() / depth : 0;
    const q::SoftmaxParams p = q::softmax_params(static_cast<std::int32_t>(rows), static_cast<std::int32_t>(depth),
                                                 beta, c.inputs[0].quant.scale);
    auto bind = [&]<class T>() -> KernelResult {
      TINYNN_RETURN_IF_ERROR(q::prepare_softmax_output<T>(c.outputs[0].quant.scale, c.outputs[0].quant.zero_point));
      const T* in = static_cast<const T*>(c.inputs[0].data);
      T* out = static_cast<T*>(c.outputs[0].data);
      return make_kernel([=] { q::softmax(backend::scalar{}, p, in, out); });
    };
    return t == DType::qi8 ? bind.template operator()<std::int8_t>() : bind.template operator()<std::uint8_t>();
  }
  if (beta != 1.0f) return c.fail(ErrorCode::unsupported, "float softmax with beta ", beta);
  ops::softmax::Params p;
  p.axis = -1;
  p.shape = x;
  TINYNN_RETURN_IF_ERROR(ops::softmax::prepare(p));
  const float* in = static_cast<const float*>(c.inputs[0].data);
  float* out = static_cast<float*>(c.outputs[0].data);
  const backend::BackendId isa = runtime_backend();
  return make_kernel([=] { ops::softmax::run(isa, p, in, out); });
}

// ---- LOGISTIC, TANH, RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, HARD_SWISH -----------------------

inline Status unary_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  TINYNN_RETURN_IF_ERROR(require_dtype(c, 0, {DType::f32, DType::qi8, DType::u8}));
  c.set_output(0, c.in(0).dtype, c.in(0).shape);
  return {};
}

inline KernelResult unary_bind(BindContext& c) {
  const std::string_view op = c.node.op_type;
  const float alpha = c.node.attr_float("alpha", 0.2f);
  ops::UnaryParams u = ops::UnaryParams::of(ops::UnaryOp::identity);
  float (*function)(float) = nullptr;
  if (op == "LOGISTIC") {
    u = ops::UnaryParams::of(ops::UnaryOp::sigmoid);
    function = q::activation_function::logistic;
  } else if (op == "TANH") {
    u = ops::UnaryParams::of(ops::UnaryOp::tanh);
    function = q::activation_function::tanh;
  } else if (op == "RELU") {
    u = ops::UnaryParams::of(ops::UnaryOp::relu);
    function = [](float v) { return v > 0.0f ? v : 0.0f; };
  } else if (op == "RELU6") {
    u = ops::UnaryParams::of(ops::UnaryOp::relu6);
    function = [](float v) { return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v); };
  } else if (op == "RELU_N1_TO_1") {
    u = ops::UnaryParams::clip(-1.0f, 1.0f);
    function = [](float v) { return v < -1.0f ? -1.0f : (v > 1.0f ? 1.0f : v); };
  } else if (op == "HARD_SWISH") {
    u = ops::UnaryParams::of(ops::UnaryOp::hard_swish);
    function = q::activation_function::hard_swish;
  } else if (op == "LEAKY_RELU") {
    u = ops::UnaryParams::leaky_relu(alpha);
  }
  const std::size_t n = c.inputs[0].size();
  const DType t = c.inputs[0].dtype;
  if (t == DType::qi8 || t == DType::u8) {
    const QuantParams in_q = c.inputs[0].quant, out_q = c.outputs[0].quant;
    auto bind = [&]<class T>() -> KernelResult {
      auto table = std::make_shared<q::LookupTable<T>>(
          function ? q::make_lookup_table<T>(in_q.scale, in_q.zero_point, out_q.scale, out_q.zero_point, function)
                   : q::make_lookup_table<T>(in_q.scale, in_q.zero_point, out_q.scale, out_q.zero_point,
                                             [alpha](float v) { return v >= 0.0f ? v : alpha * v; }));
      const T* in = static_cast<const T*>(c.inputs[0].data);
      T* out = static_cast<T*>(c.outputs[0].data);
      return make_kernel([=] { q::lookup(backend::scalar{}, *table, in, out, n); });
    };
    return t == DType::qi8 ? bind.template operator()<std::int8_t>() : bind.template operator()<std::uint8_t>();
  }
  TINYNN_RETURN_IF_ERROR(ops::unary::prepare(u));
  const float* in = static_cast<const float*>(c.inputs[0].data);
  float* out = static_cast<float*>(c.outputs[0].data);
  const backend::BackendId isa = runtime_backend();
  return make_kernel([=] { ops::unary::run(isa, u, in, out, n); });
}

// ---- ADD, SUB, MUL -------------------------------------------------------------------------

/// The checks every two-operand broadcasting op starts with: two inputs of one dtype among `allowed`.
[[nodiscard]] inline Status require_binary_inputs(OpContext& c, std::initializer_list<DType> allowed) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
  TINYNN_RETURN_IF_ERROR(require_dtype(c, 0, allowed));
  if (c.in(0).dtype != c.in(1).dtype) {
    return c.fail(ErrorCode::invalid_model, "inputs have dtypes ", dtype_name(c.in(0).dtype), " and ",
                  dtype_name(c.in(1).dtype));
  }
  return {};
}

/// Output 0: the broadcast of both input shapes, with input 0's dtype.
[[nodiscard]] inline Status set_broadcast_output(OpContext& c) {
  DynShape y;
  if (!broadcast_shapes(c.in(0).shape, c.in(1).shape, y) || y.rank() > max_rank) {
    return c.fail(ErrorCode::invalid_model, "shapes ", c.in(0).shape, " and ", c.in(1).shape, " do not broadcast");
  }
  return set_checked_output(c, 0, c.in(0).dtype, y);
}

inline Status binary_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(require_binary_inputs(c, {DType::f32, DType::qi8, DType::u8, DType::i32}));
  if (c.node.op_type == "DIV" && c.in(0).dtype != DType::f32) {
    return c.fail(ErrorCode::unsupported, "DIV of ", dtype_name(c.in(0).dtype), " (float32 only)");
  }
  return set_broadcast_output(c);
}

inline KernelResult binary_bind(BindContext& c) {
  const std::string_view op = c.node.op_type;
  const DType t = c.inputs[0].dtype;
  const DynShape a = c.inputs[0].shape, b = c.inputs[1].shape, y = c.outputs[0].shape;
  if (t == DType::qi8 || t == DType::u8) {
    if (y.rank() > q::max_broadcast_rank) return c.fail(ErrorCode::unsupported, "rank ", y.rank(), " quantized op");
    q::BinaryParams p;
    p.op = op == "ADD" ? q::BinaryOp::add : (op == "SUB" ? q::BinaryOp::sub : q::BinaryOp::mul);
    p.rank = y.rank() == 0 ? 1 : y.rank();
    for (std::size_t d = 0; d < p.rank; ++d) {
      const std::size_t ra = a.rank(), rb = b.rank(), ry = y.rank();
      p.out_dims[d] = ry == 0 ? 1 : y[d];
      p.a_dims[d] = d + ra >= p.rank && ra ? a[d + ra - p.rank] : 1;
      p.b_dims[d] = d + rb >= p.rank && rb ? b[d + rb - p.rank] : 1;
    }
    const QuantParams qa = c.inputs[0].quant, qb = c.inputs[1].quant, qy = c.outputs[0].quant;
    p.a_zero_point = qa.zero_point;
    p.b_zero_point = qb.zero_point;
    p.output_zero_point = qy.zero_point;
    p.rounding = rounding_of(c.node);
    q::set_scales(p, qa.scale, qb.scale, qy.scale);
    auto bind = [&]<class T>() -> KernelResult {
      auto range = quantized_activation<T>(c.node, c.graph, qy);
      if (!range) return std::move(range).error();
      p.range = *range;
      TINYNN_RETURN_IF_ERROR(q::prepare(p));
      const T* x0 = static_cast<const T*>(c.inputs[0].data);
      const T* x1 = static_cast<const T*>(c.inputs[1].data);
      T* out = static_cast<T*>(c.outputs[0].data);
      return make_kernel([=] { q::binary(backend::scalar{}, p, x0, x1, out); });
    };
    return t == DType::qi8 ? bind.template operator()<std::int8_t>() : bind.template operator()<std::uint8_t>();
  }
  if (t != DType::f32) return c.fail(ErrorCode::unsupported, dtype_name(t), " ", op);
  auto act = float_activation(c.node, c.graph);
  if (!act) return std::move(act).error();
  ops::binary::Params p;
  p.op = op == "ADD"   ? ops::BinaryOp::add
         : op == "SUB" ? ops::BinaryOp::sub
         : op == "DIV" ? ops::BinaryOp::div
                       : ops::BinaryOp::mul;
  p.activation = *act;
  p.a = a;
  p.b = b;
  TINYNN_RETURN_IF_ERROR(ops::binary::prepare(p));
  const float* x0 = static_cast<const float*>(c.inputs[0].data);
  const float* x1 = static_cast<const float*>(c.inputs[1].data);
  float* out = static_cast<float*>(c.outputs[0].data);
  const backend::BackendId isa = runtime_backend();
  return make_kernel([=] { ops::binary::run(isa, p, x0, x1, out); });
}

// ---- shape-only ops: RESHAPE, SQUEEZE, EXPAND_DIMS (data is copied unchanged) ----------------

inline Status reshape_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 2));
  std::vector<std::int64_t> target;
  const std::string_view op = c.node.op_type;
  const DynShape& x = c.in(0).shape;
  DynShape y;
  if (op == "RESHAPE") {
    if (c.has_input(1) && c.in(1).constant) {
      auto s = c.constant_ints(1);
      if (!s) return std::move(s).error();
      target = *s;
    } else if (c.node.find("new_shape")) {
      target = c.node.attr_ints("new_shape");
    } else if (c.has_output(0) && c.out(0).has_shape) {
      for (std::int64_t d : c.out(0).shape) target.push_back(d);
    } else {
      return c.fail(ErrorCode::unsupported, "the new shape is neither a constant nor declared");
    }
    std::int64_t known = 1, unknown = -1;
    for (std::size_t i = 0; i < target.size(); ++i) {
      if (target[i] == -1 && unknown < 0) {
        unknown = static_cast<std::int64_t>(i);
      } else if (target[i] < 0) {
        return c.fail(ErrorCode::invalid_model, "new shape has dimension ", target[i]);
      } else {
        known *= target[i] ? target[i] : 1;
      }
    }
    if (unknown >= 0)
      target[static_cast<std::size_t>(unknown)] = known ? static_cast<std::int64_t>(x.size()) / known : 0;
    auto shape = DynShape::from(target);
    if (!shape) return c.fail(ErrorCode::invalid_model, shape.error().message());
    y = *shape;
  } else if (op == "SQUEEZE") {
    const std::vector<std::int64_t> dims = c.node.attr_ints("squeeze_dims");
    for (std::size_t d = 0; d < x.rank(); ++d) {
      bool drop = false;
      if (dims.empty()) {
        drop = x[d] == 1;
      } else {
        for (std::int64_t a : dims)
          drop = drop || (a < 0 ? a + static_cast<std::int64_t>(x.rank()) : a) == static_cast<std::int64_t>(d);
      }
      if (!drop) (void)y.push_back(x[d]);
    }
  } else {  // EXPAND_DIMS: axis from the constant input 1
    if (!c.has_input(1)) return c.fail(ErrorCode::invalid_model, "EXPAND_DIMS needs an axis input");
    auto axis = c.constant_ints(1);
    if (!axis) return std::move(axis).error();
    if (axis->size() != 1) return c.fail(ErrorCode::invalid_model, "EXPAND_DIMS axis must be a scalar");
    std::int64_t a = (*axis)[0];
    if (a < 0) a += static_cast<std::int64_t>(x.rank()) + 1;
    if (a < 0 || a > static_cast<std::int64_t>(x.rank()) || x.rank() >= max_rank) {
      return c.fail(ErrorCode::invalid_model, "EXPAND_DIMS axis ", (*axis)[0], " out of range for ", x);
    }
    for (std::size_t d = 0; d <= x.rank(); ++d) {
      if (static_cast<std::int64_t>(d) == a) (void)y.push_back(1);
      if (d < x.rank()) (void)y.push_back(x[d]);
    }
  }
  if (y.size() != x.size()) {
    return c.fail(ErrorCode::invalid_model, "cannot reshape ", x, " (", x.size(), " elements) to ", y);
  }
  c.set_output(0, c.in(0).dtype, y);
  if (c.has_output(0)) c.out(0).quant = c.in(0).quant;
  return {};
}

inline KernelResult copy_bind(BindContext& c) {
  const void* src = c.inputs[0].data;
  void* dst = c.outputs[0].data;
  const std::size_t bytes = c.outputs[0].bytes();
  return make_kernel([=] {
    if (dst != src && bytes) std::memmove(dst, src, bytes);
  });
}

// ---- QUANTIZE, DEQUANTIZE ------------------------------------------------------------------

inline Status quantize_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  if (!c.has_output(0)) return {};
  const DType out = declared_dtype(c, 0);
  if (c.node.op_type == "DEQUANTIZE") {
    TINYNN_RETURN_IF_ERROR(require_dtype(c, 0, {DType::qi8, DType::u8, DType::i8}));
    if (out != DType::f32) return c.fail(ErrorCode::unsupported, "DEQUANTIZE to ", dtype_name(out));
  } else {
    TINYNN_RETURN_IF_ERROR(require_dtype(c, 0, {DType::f32, DType::qi8, DType::u8}));
    if (out != DType::qi8 && out != DType::u8) return c.fail(ErrorCode::unsupported, "QUANTIZE to ", dtype_name(out));
  }
  c.set_output(0, out, c.in(0).shape);
  return {};
}

inline KernelResult quantize_bind(BindContext& c) {
  const DType in = c.inputs[0].dtype, out = c.outputs[0].dtype;
  const std::size_t n = c.inputs[0].size();
  const QuantParams qi = c.inputs[0].quant, qo = c.outputs[0].quant;
  const void* x = c.inputs[0].data;
  void* y = c.outputs[0].data;

  if (out == DType::f32) {
    if (in == DType::u8) {
      return make_kernel([=] {
        q::dequantize(backend::scalar{}, static_cast<const std::uint8_t*>(x), static_cast<float*>(y), n, qi.scale,
                      qi.zero_point);
      });
    }
    return make_kernel([=] {
      q::dequantize(backend::scalar{}, static_cast<const std::int8_t*>(x), static_cast<float*>(y), n, qi.scale,
                    qi.zero_point);
    });
  }
  if (in == DType::f32) {
    if (out == DType::u8) {
      return make_kernel([=] {
        q::quantize(backend::scalar{}, static_cast<const float*>(x), static_cast<std::uint8_t*>(y), n, qo.scale,
                    qo.zero_point);
      });
    }
    return make_kernel([=] {
      q::quantize(backend::scalar{}, static_cast<const float*>(x), static_cast<std::int8_t*>(y), n, qo.scale,
                  qo.zero_point);
    });
  }
  const q::RequantizeParams p =
      q::requantize_params(qi.scale, qi.zero_point, qo.scale, qo.zero_point, rounding_of(c.node));
  auto requant = [&]<class In, class Out>() {
    return make_kernel(
        [=] { q::requantize(backend::scalar{}, p, static_cast<const In*>(x), static_cast<Out*>(y), n); });
  };
  if (in == DType::u8 && out == DType::u8) return requant.template operator()<std::uint8_t, std::uint8_t>();
  if (in == DType::u8) return requant.template operator()<std::uint8_t, std::int8_t>();
  if (out == DType::u8) return requant.template operator()<std::int8_t, std::uint8_t>();
  return requant.template operator()<std::int8_t, std::int8_t>();
}

// ---- MEAN ------------------------------------------------------------------------------------

inline Status mean_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
  TINYNN_RETURN_IF_ERROR(require_dtype(c, 0, {DType::f32, DType::qi8, DType::u8}));
  auto axes = c.constant_ints(1);
  if (!axes) return std::move(axes).error();
  const DynShape& x = c.in(0).shape;
  bool reduce[max_rank] = {};
  for (std::int64_t a : *axes) {
    if (!normalize_axis(a, static_cast<std::int64_t>(x.rank())))
      return c.fail(ErrorCode::invalid_model, "axis ", a, " out of range for ", x);
    reduce[a] = true;
  }
  DynShape y;
  const bool keep = c.node.attr_int("keep_dims", 0) != 0;
  for (std::size_t d = 0; d < x.rank(); ++d) {
    if (!reduce[d]) {
      (void)y.push_back(x[d]);
    } else if (keep) {
      (void)y.push_back(1);
    }
  }
  return set_checked_output(c, 0, c.in(0).dtype, y);
}

inline KernelResult mean_bind(BindContext& c) {
  auto axes = constant_ints(*c.input_values[1]);
  if (!axes) return std::move(axes).error();
  const DynShape x = c.inputs[0].shape;
  const DType t = c.inputs[0].dtype;
  if (t == DType::qi8 || t == DType::u8) {
    if (x.rank() > q::max_reduce_rank) return c.fail(ErrorCode::unsupported, "quantized MEAN of rank ", x.rank());
    q::MeanParams p;
    p.rank = x.rank();
    for (std::size_t d = 0; d < x.rank(); ++d) p.input_dims[d] = x[d];
    for (std::int64_t a : *axes) {
      (void)normalize_axis(a, static_cast<std::int64_t>(x.rank()));
      p.reduce[a] = true;
    }
    const QuantParams qi = c.inputs[0].quant, qo = c.outputs[0].quant;
    p.input_zero_point = qi.zero_point;
    p.output_zero_point = qo.zero_point;
    p.rounding = rounding_of(c.node);
    p.multiplier = q::quantize_multiplier(static_cast<double>(qi.scale) / static_cast<double>(qo.scale), p.rounding);
    p.range = t == DType::qi8 ? q::QuantizedRange{-128, 127} : q::QuantizedRange{0, 255};
    TINYNN_RETURN_IF_ERROR(q::prepare(p));
    if (t == DType::qi8) {
      const auto* in = static_cast<const std::int8_t*>(c.inputs[0].data);
      auto* out = static_cast<std::int8_t*>(c.outputs[0].data);
      return make_kernel([=] { q::mean(backend::scalar{}, p, in, out); });
    }
    const auto* in = static_cast<const std::uint8_t*>(c.inputs[0].data);
    auto* out = static_cast<std::uint8_t*>(c.outputs[0].data);
    return make_kernel([=] { q::mean(backend::scalar{}, p, in, out); });
  }
  ops::reduce::Params p;
  p.op = ops::ReduceOp::mean;
  p.keepdims = c.node.attr_int("keep_dims", 0) != 0;
  p.input = x;
  TINYNN_RETURN_IF_ERROR(ops::reduce::prepare(p, *axes));
  const float* in = static_cast<const float*>(c.inputs[0].data);
  float* out = static_cast<float*>(c.outputs[0].data);
  const backend::BackendId isa = runtime_backend();
  return make_kernel([=] { ops::reduce::run(isa, p, in, out); });
}

// ---- PAD, PADV2 --------------------------------------------------------------------------------

inline Result<std::vector<std::int64_t>> onnx_pads(const Value& paddings, std::size_t rank) {
  auto values = constant_ints(paddings);
  if (!values) return std::move(values).error();
  if (values->size() != 2 * rank) {
    return error(ErrorCode::invalid_model, "paddings '", paddings.name, "' has ", values->size(), " values, expected ",
                 2 * rank);
  }
  std::vector<std::int64_t> pads(2 * rank);
  for (std::size_t d = 0; d < rank; ++d) {
    pads[d] = (*values)[2 * d];
    pads[d + rank] = (*values)[2 * d + 1];
  }
  return pads;
}

inline Status pad_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 3));
  auto pads = onnx_pads(c.in(1), c.in(0).shape.rank());
  if (!pads) return c.fail(pads.error().code(), pads.error().message());
  ops::pad::Params p;
  p.input = c.in(0).shape;
  TINYNN_RETURN_IF_ERROR(ops::pad::prepare(p, *pads));
  for (std::size_t d = 0; d < p.input.rank(); ++d) {
    if (p.before[d] < 0 || p.after[d] < 0) return c.fail(ErrorCode::invalid_model, "negative padding");
  }
  return set_checked_output(c, 0, c.in(0).dtype, p.output);
}

inline KernelResult pad_bind(BindContext& c) {
  auto pads = onnx_pads(*c.input_values[1], c.inputs[0].shape.rank());
  if (!pads) return c.fail(pads.error().code(), pads.error().message());
  ops::pad::Params p;
  p.input = c.inputs[0].shape;
  TINYNN_RETURN_IF_ERROR(ops::pad::prepare(p, *pads));
  const DType t = c.inputs[0].dtype;
  const void* x = c.inputs[0].data;
  void* y = c.outputs[0].data;
  const bool has_value = c.has_input(2);
  if (t == DType::f32) {
    float value = 0.0f;
    if (has_value) std::memcpy(&value, c.inputs[2].data, 4);
    return make_kernel([=] { ops::pad::run(p, static_cast<const float*>(x), static_cast<float*>(y), value); });
  }
  if (t == DType::qi8 || t == DType::u8 || t == DType::i8) {
    // PAD fills with the output zero point (real 0.0); PADV2 with its quantized constant.
    std::uint8_t value = static_cast<std::uint8_t>(c.outputs[0].quant.zero_point);
    if (has_value) std::memcpy(&value, c.inputs[2].data, 1);
    return make_kernel(
        [=] { ops::pad::run(p, static_cast<const std::uint8_t*>(x), static_cast<std::uint8_t*>(y), value); });
  }
  if (t == DType::i32) {
    std::int32_t value = 0;
    if (has_value) std::memcpy(&value, c.inputs[2].data, 4);
    return make_kernel(
        [=] { ops::pad::run(p, static_cast<const std::int32_t*>(x), static_cast<std::int32_t*>(y), value); });
  }
  return c.fail(ErrorCode::unsupported, "PAD of ", dtype_name(t));
}

// ---- TRANSPOSE -----------------------------------------------------------------------------

inline Status transpose_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
  auto perm = c.constant_ints(1);
  if (!perm) return std::move(perm).error();
  ops::transpose::Params p;
  p.input = c.in(0).shape;
  TINYNN_RETURN_IF_ERROR(ops::transpose::prepare(p, *perm));
  c.set_output(0, c.in(0).dtype, p.output);
  if (c.has_output(0)) c.out(0).quant = c.in(0).quant;
  return {};
}

inline KernelResult transpose_bind(BindContext& c) {
  auto perm = constant_ints(*c.input_values[1]);
  if (!perm) return std::move(perm).error();
  ops::transpose::Params p;
  p.input = c.inputs[0].shape;
  TINYNN_RETURN_IF_ERROR(ops::transpose::prepare(p, *perm));
  const void* x = c.inputs[0].data;
  void* y = c.outputs[0].data;
  switch (dtype_size(c.inputs[0].dtype)) {
    case 1:
      return make_kernel(
          [=] { ops::transpose::run(p, static_cast<const std::uint8_t*>(x), static_cast<std::uint8_t*>(y)); });
    case 2:
      return make_kernel(
          [=] { ops::transpose::run(p, static_cast<const std::uint16_t*>(x), static_cast<std::uint16_t*>(y)); });
    case 4:
      return make_kernel(
          [=] { ops::transpose::run(p, static_cast<const std::uint32_t*>(x), static_cast<std::uint32_t*>(y)); });
    default:
      return make_kernel(
          [=] { ops::transpose::run(p, static_cast<const std::uint64_t*>(x), static_cast<std::uint64_t*>(y)); });
  }
}

// ---- CONCATENATION, SPLIT --------------------------------------------------------------------

inline Status concat_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1));
  std::vector<DynShape> shapes;
  for (std::size_t i = 0; i < c.input_count(); ++i) {
    if (!c.has_input(i)) return c.fail(ErrorCode::invalid_model, "missing input ", i);
    if (c.in(i).dtype != c.in(0).dtype) return c.fail(ErrorCode::invalid_model, "inputs of different dtypes");
    shapes.push_back(c.in(i).shape);
  }
  ops::concat::Params p;
  p.axis = c.node.attr_int("axis", 0);
  TINYNN_RETURN_IF_ERROR(ops::concat::prepare(p, shapes));
  if (c.node.attr_int("fused_activation_function", 0) != 0) {
    return c.fail(ErrorCode::unsupported, "CONCATENATION with a fused activation");
  }
  return set_checked_output(c, 0, c.in(0).dtype, p.output);
}

inline KernelResult concat_bind(BindContext& c) {
  std::vector<DynShape> shapes;
  for (const TensorRef& t : c.inputs) shapes.push_back(t.shape);
  ops::concat::Params p;
  p.axis = c.node.attr_int("axis", 0);
  TINYNN_RETURN_IF_ERROR(ops::concat::prepare(p, shapes));
  const DType t = c.inputs[0].dtype;
  const auto axis = static_cast<std::size_t>(p.axis);
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= static_cast<std::size_t>(p.output[d]);
  for (std::size_t d = axis + 1; d < p.output.rank(); ++d) inner *= static_cast<std::size_t>(p.output[d]);
  if (t == DType::qi8 || t == DType::u8) {
    auto bind = [&]<class T>() -> KernelResult {
      auto inputs = std::make_shared<std::vector<q::ConcatInput<T>>>();
      for (const TensorRef& in : c.inputs) {
        inputs->push_back({static_cast<const T*>(in.data), static_cast<std::size_t>(in.shape[axis]) * inner,
                           in.quant.scale, in.quant.zero_point});
      }
      const QuantParams qo = c.outputs[0].quant;
      T* y = static_cast<T*>(c.outputs[0].data);
      return make_kernel([=] {
        q::concatenation(backend::scalar{}, inputs->data(), inputs->size(), outer, qo.scale, qo.zero_point, y);
      });
    };
    return t == DType::qi8 ? bind.template operator()<std::int8_t>() : bind.template operator()<std::uint8_t>();
  }
  auto pointers = std::make_shared<std::vector<const std::byte*>>();
  for (const TensorRef& in : c.inputs) pointers->push_back(static_cast<const std::byte*>(in.data));
  auto shared_shapes = share(shapes);
  std::byte* y = static_cast<std::byte*>(c.outputs[0].data);
  const std::size_t element = dtype_size(t);
  return make_kernel([=] {
    // Byte rows: the generic concat with a 1-byte element type and the inner size scaled by the element size.
    std::size_t offset = 0;
    const std::size_t out_row = static_cast<std::size_t>(p.output[axis]) * inner * element;
    for (std::size_t k = 0; k < pointers->size(); ++k) {
      const std::size_t row = static_cast<std::size_t>((*shared_shapes)[k][axis]) * inner * element;
      for (std::size_t o = 0; o < outer && row; ++o)
        std::memcpy(y + o * out_row + offset, (*pointers)[k] + o * row, row);
      offset += row;
    }
  });
}

inline Status split_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
  auto axis = c.constant_ints(0);
  if (!axis) return std::move(axis).error();
  if (axis->size() != 1) return c.fail(ErrorCode::invalid_model, "SPLIT axis must be a scalar");
  ops::split::Params p;
  p.axis = (*axis)[0];
  p.input = c.in(1).shape;
  std::vector<DynShape> outs(c.node.outputs.size());
  const std::int64_t parts = static_cast<std::int64_t>(outs.size());
  std::int64_t a = p.axis;
  if (!normalize_axis(a, static_cast<std::int64_t>(p.input.rank())) || parts == 0 || p.input[a] % parts != 0) {
    return c.fail(ErrorCode::invalid_model, "cannot split ", p.input, " into ", parts, " along axis ", p.axis);
  }
  TINYNN_RETURN_IF_ERROR(ops::split::prepare(p, {}, outs));
  for (std::size_t k = 0; k < outs.size(); ++k) {
    TINYNN_RETURN_IF_ERROR(set_checked_output(c, k, c.in(1).dtype, outs[k]));
  }
  return {};
}

inline KernelResult split_bind(BindContext& c) {
  auto axis = constant_ints(*c.input_values[0]);
  if (!axis) return std::move(axis).error();
  ops::split::Params p;
  p.axis = (*axis)[0];
  p.input = c.inputs[1].shape;
  auto outs = std::make_shared<std::vector<DynShape>>(c.outputs.size());
  TINYNN_RETURN_IF_ERROR(ops::split::prepare(p, {}, *outs));
  auto pointers = std::make_shared<std::vector<std::uint8_t*>>();
  auto scratch = std::make_shared<std::vector<std::uint8_t>>();
  for (std::size_t k = 0; k < c.outputs.size(); ++k) {
    pointers->push_back(static_cast<std::uint8_t*>(c.outputs[k].data));
  }
  if (dtype_size(c.inputs[1].dtype) != 1) {
    if (c.inputs[1].dtype != DType::f32 && c.inputs[1].dtype != DType::i32) {
      return c.fail(ErrorCode::unsupported, "SPLIT of ", dtype_name(c.inputs[1].dtype));
    }
    const float* x = static_cast<const float*>(c.inputs[1].data);
    auto fp = std::make_shared<std::vector<float*>>();
    for (auto* ptr : *pointers) fp->push_back(reinterpret_cast<float*>(ptr));
    return make_kernel([=] { ops::split::run(p, x, std::span<float* const>(*fp), std::span<const DynShape>(*outs)); });
  }
  const auto* x = static_cast<const std::uint8_t*>(c.inputs[1].data);
  return make_kernel(
      [=] { ops::split::run(p, x, std::span<std::uint8_t* const>(*pointers), std::span<const DynShape>(*outs)); });
}

// ---- RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR --------------------------------------------------

inline Status resize_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
  TINYNN_RETURN_IF_ERROR(require_rank(c, 0, 4));
  TINYNN_RETURN_IF_ERROR(require_dtype(c, 0, {DType::f32, DType::qi8, DType::u8}));
  auto size = c.constant_ints(1);
  if (!size) return std::move(size).error();
  if (size->size() != 2 || (*size)[0] <= 0 || (*size)[1] <= 0) {
    return c.fail(ErrorCode::invalid_model, "size must be two positive values");
  }
  const DynShape& x = c.in(0).shape;
  return set_checked_output(c, 0, c.in(0).dtype, DynShape{x[0], (*size)[0], (*size)[1], x[3]});
}

inline KernelResult resize_bind(BindContext& c) {
  const bool bilinear = c.node.op_type == "RESIZE_BILINEAR";
  const bool align = c.node.attr_int("align_corners", 0) != 0, half = c.node.attr_int("half_pixel_centers", 0) != 0;
  ops::resize::Params p;
  p.mode = bilinear ? ops::ResizeMode::linear : ops::ResizeMode::nearest;
  p.transform =
      align ? ops::CoordinateTransform::align_corners
            : (half ? (bilinear ? ops::CoordinateTransform::half_pixel : ops::CoordinateTransform::tf_half_pixel_for_nn)
                    : ops::CoordinateTransform::asymmetric);
  p.rounding = align ? ops::NearestRounding::round_prefer_ceil : ops::NearestRounding::floor;
  p.input = c.inputs[0].shape;
  const DynShape y = c.outputs[0].shape;
  TINYNN_RETURN_IF_ERROR(ops::resize::prepare(p, y[1], y[2]));
  const backend::BackendId isa = runtime_backend();
  const DType t = c.inputs[0].dtype;
  if (t == DType::f32) {
    const float* x = static_cast<const float*>(c.inputs[0].data);
    float* out = static_cast<float*>(c.outputs[0].data);
    return make_kernel([=] { ops::resize::run(isa, p, x, out); });
  }
  // 8-bit: interpolate the integers in float (input and output share quantization, as TFLite
  // requires) and round half away from zero. Float staging buffers are allocated here, once.
  if (!(c.inputs[0].quant == c.outputs[0].quant)) {
    return c.fail(ErrorCode::unsupported, "quantized resize with different input and output quantization");
  }
  auto staging = std::make_shared<std::vector<float>>(c.inputs[0].size() + c.outputs[0].size());
  const std::size_t n_in = c.inputs[0].size(), n_out = c.outputs[0].size();
  auto bind = [&]<class T>() -> KernelResult {
    const T* x = static_cast<const T*>(c.inputs[0].data);
    T* out = static_cast<T*>(c.outputs[0].data);
    return make_kernel([=] {
      float* fin = staging->data();
      float* fout = fin + n_in;
      for (std::size_t i = 0; i < n_in; ++i) fin[i] = static_cast<float>(x[i]);
      ops::resize::run(isa, p, fin, fout);
      for (std::size_t i = 0; i < n_out; ++i) {
        out[i] = static_cast<T>(
            q::clamp_i32(static_cast<std::int32_t>(std::round(fout[i])), q::quantized_min<T>, q::quantized_max<T>));
      }
    });
  };
  return t == DType::qi8 ? bind.template operator()<std::int8_t>() : bind.template operator()<std::uint8_t>();
}

// ---- ARG_MAX ---------------------------------------------------------------------------------

inline Status arg_max_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
  auto axis = c.constant_ints(1);
  if (!axis) return std::move(axis).error();
  std::int64_t a = axis->empty() ? -1 : (*axis)[0];
  const DynShape& x = c.in(0).shape;
  if (axis->size() != 1 || !normalize_axis(a, static_cast<std::int64_t>(x.rank()))) {
    return c.fail(ErrorCode::invalid_model, "ARG_MAX axis must be one value in range of ", x);
  }
  DynShape y;
  for (std::size_t d = 0; d < x.rank(); ++d) {
    if (static_cast<std::int64_t>(d) != a) (void)y.push_back(x[d]);
  }
  const DType out = c.has_output(0) ? declared_dtype(c, 0) : DType::i64;
  if (out != DType::i64 && out != DType::i32) return c.fail(ErrorCode::unsupported, "ARG_MAX to ", dtype_name(out));
  return set_checked_output(c, 0, out, y);
}

inline KernelResult arg_max_bind(BindContext& c) {
  auto axis = constant_ints(*c.input_values[1]);
  if (!axis) return std::move(axis).error();
  std::int64_t a = (*axis)[0];
  const DynShape x = c.inputs[0].shape;
  (void)normalize_axis(a, static_cast<std::int64_t>(x.rank()));
  std::size_t outer = 1, inner = 1;
  for (std::int64_t d = 0; d < a; ++d) outer *= static_cast<std::size_t>(x[d]);
  for (std::size_t d = static_cast<std::size_t>(a) + 1; d < x.rank(); ++d) inner *= static_cast<std::size_t>(x[d]);
  const auto n = static_cast<std::size_t>(x[a]);
  const bool wide = c.outputs[0].dtype == DType::i64;
  void* y = c.outputs[0].data;
  auto bind = [&]<class T>() -> KernelResult {
    const T* in = static_cast<const T*>(c.inputs[0].data);
    return make_kernel([=] {
      for (std::size_t o = 0; o < outer; ++o) {
        for (std::size_t i = 0; i < inner; ++i) {
          std::size_t best = 0;
          for (std::size_t k = 1; k < n; ++k) {
            if (in[(o * n + k) * inner + i] > in[(o * n + best) * inner + i]) best = k;
          }
          if (wide) {
            static_cast<std::int64_t*>(y)[o * inner + i] = static_cast<std::int64_t>(best);
          } else {
            static_cast<std::int32_t*>(y)[o * inner + i] = static_cast<std::int32_t>(best);
          }
        }
      }
    });
  };
  switch (c.inputs[0].dtype) {
    case DType::f32: return bind.template operator()<float>();
    case DType::u8: return bind.template operator()<std::uint8_t>();
    case DType::qi8:
    case DType::i8: return bind.template operator()<std::int8_t>();
    case DType::i32: return bind.template operator()<std::int32_t>();
    default: return c.fail(ErrorCode::unsupported, "ARG_MAX of ", dtype_name(c.inputs[0].dtype));
  }
}

// ---- UNIDIRECTIONAL_SEQUENCE_LSTM (float; hybrid int8 weights are dequantized at bind) ------

inline Status lstm_infer(OpContext& c) {
  if (c.input_count() < 20 || c.input_count() > 24) {
    return c.fail(ErrorCode::invalid_model, "has ", c.input_count(), " inputs, expected 20 to 24");
  }
  for (std::size_t i : {0, 2, 3, 4, 6, 7, 8, 18, 19}) {
    if (!c.has_input(i)) return c.fail(ErrorCode::invalid_model, "required input ", i, " is missing");
  }
  TINYNN_RETURN_IF_ERROR(require_rank(c, 0, 3));
  if (c.in(0).dtype != DType::f32 && c.in(0).dtype != DType::qi8) {
    return c.fail(ErrorCode::unsupported, "UNIDIRECTIONAL_SEQUENCE_LSTM with ", dtype_name(c.in(0).dtype),
                  " activations (float32, hybrid and the int8 integer LSTM are supported)");
  }
  for (std::size_t i = 20; i < c.input_count(); ++i) {
    if (c.has_input(i)) return c.fail(ErrorCode::unsupported, "layer-normalized LSTM");
  }
  if (c.in(0).dtype == DType::qi8) {
    // Integer LSTM (8x8_16): int8 weights, int32 biases, int8 output state, int16 cell state.
    for (std::size_t i : {1, 2, 3, 4, 5, 6, 7, 8, 16}) {
      if (c.has_input(i) && c.in(i).dtype != DType::qi8) {
        return c.fail(ErrorCode::unsupported, "integer LSTM weight ", i, " has dtype ", dtype_name(c.in(i).dtype));
      }
    }
    for (std::size_t i : {9, 10, 11}) {
      if (c.has_input(i) && c.in(i).dtype != DType::i16) {
        return c.fail(ErrorCode::unsupported, "integer LSTM peephole weight ", i, " has dtype ",
                      dtype_name(c.in(i).dtype), ", expected int16");
      }
    }
    for (std::size_t i : {12, 13, 14, 15, 17}) {
      if (c.has_input(i) && c.in(i).dtype != DType::i32) {
        return c.fail(ErrorCode::unsupported, "integer LSTM bias ", i, " has dtype ", dtype_name(c.in(i).dtype));
      }
    }
    if (c.in(18).dtype != DType::qi8 || c.in(19).dtype != DType::i16) {
      return c.fail(ErrorCode::unsupported, "integer LSTM states are ", dtype_name(c.in(18).dtype), " and ",
                    dtype_name(c.in(19).dtype), ", expected int8 and int16");
    }
  }
  for (std::size_t i = 1; i < 18; ++i) {
    if (c.has_input(i) && !c.in(i).constant) return c.fail(ErrorCode::unsupported, "non-constant LSTM weight ", i);
  }
  const DynShape& x = c.in(0).shape;
  const DynShape& wf = c.in(2).shape;  // input_to_forget [units, input]
  const DynShape& rf = c.in(6).shape;  // recurrent_to_forget [units, output]
  if (wf.rank() != 2 || rf.rank() != 2 || wf[1] != x[2] || rf[0] != wf[0]) {
    return c.fail(ErrorCode::invalid_model, "LSTM weights ", wf, " and ", rf, " do not fit input ", x);
  }
  const bool time_major = c.node.attr_int("time_major", 0) != 0;
  const std::int64_t batch = time_major ? x[1] : x[0], time = time_major ? x[0] : x[1];
  const DynShape y = time_major ? DynShape{time, batch, rf[1]} : DynShape{batch, time, rf[1]};
  return set_checked_output(c, 0, c.in(0).dtype, y);
}

namespace detail {

/// The integer LSTM: multipliers from the model's scales, zero points folded into the biases.
inline KernelResult integer_lstm_bind(BindContext& c) {
  const DynShape x = c.inputs[0].shape;
  const bool time_major = c.node.attr_int("time_major", 0) != 0;
  const q::Rounding rounding = rounding_of(c.node);
  struct State {
    q::IntegerLstmParams p;
    q::IntegerLstmWeights w;
    std::vector<std::int32_t> biases[9];  // input part x4, recurrent part x4, projection
    std::vector<std::int8_t> initial_h, h;
    std::vector<std::int16_t> initial_c, cell;
    std::vector<std::byte> scratch;
  };
  auto s = std::make_shared<State>();
  q::IntegerLstmParams& p = s->p;
  const DynShape wf = c.inputs[2].shape, rf = c.inputs[6].shape;
  p.batch = static_cast<std::int32_t>(time_major ? x[1] : x[0]);
  p.time = static_cast<std::int32_t>(time_major ? x[0] : x[1]);
  p.input = static_cast<std::int32_t>(x[2]);
  p.units = static_cast<std::int32_t>(wf[0]);
  p.output = static_cast<std::int32_t>(rf[1]);
  p.time_major = time_major;
  p.rounding = rounding;
  p.cifg = !c.has_input(1);
  p.peephole = c.has_input(10);
  p.projection = c.has_input(16);
  if (c.node.attr_int("fused_activation_function", 4) != 4) {
    return c.fail(ErrorCode::unsupported, "integer LSTM with activation ",
                  c.node.attr_int("fused_activation_function", 4), " (tanh only)");
  }
  auto per_tensor_scale = [&](std::size_t i, double& scale) -> Status {
    const Value& v = *c.input_values[i];
    if (v.channel_quant && v.channel_quant->scales.size() > 1) {
      return c.fail(ErrorCode::unsupported, "integer LSTM input ", i, " '", v.name, "' is quantized per channel");
    }
    if (!(v.quant.scale > 0.0f)) return c.fail(ErrorCode::invalid_model, "integer LSTM input ", i, " has no scale");
    if (v.quant.zero_point != 0 && i != 0 && i != 18) {
      return c.fail(ErrorCode::unsupported, "integer LSTM weight ", i, " has zero point ", v.quant.zero_point);
    }
    scale = v.quant.scale;
    return {};
  };
  double input_scale = 0, state_scale = 0, cell_scale = 0;
  TINYNN_RETURN_IF_ERROR(per_tensor_scale(0, input_scale));
  TINYNN_RETURN_IF_ERROR(per_tensor_scale(18, state_scale));
  cell_scale = c.inputs[19].quant.scale;
  if (!q::power_of_two_exponent(cell_scale, p.cell_scale)) {
    return c.fail(ErrorCode::unsupported, "integer LSTM cell state scale ", cell_scale, " is not a power of two");
  }
  const std::int32_t input_zp = c.inputs[0].quant.zero_point, state_zp = c.inputs[18].quant.zero_point;
  // Hidden (pre-projection) quantization: the 5th intermediate tensor; the output state's otherwise.
  const double hidden_scale =
      c.node.find("intermediate_scale_4") ? c.node.attr_float("intermediate_scale_4", 0.0f) : state_scale;
  p.hidden_zero_point = c.node.find("intermediate_scale_4")
                            ? static_cast<std::int32_t>(c.node.attr_int("intermediate_zero_point_4", 0))
                            : state_zp;
  if (!(hidden_scale > 0.0)) return c.fail(ErrorCode::invalid_model, "integer LSTM hidden scale ", hidden_scale);
  p.output_zero_point = state_zp;
  constexpr double gate_scale = 1.0 / 4096.0;  // Q3.12 gate pre-activations
  const std::int32_t rows = p.units;
  for (int g = 0; g < 4; ++g) {
    if (g == 0 && p.cifg) continue;
    const auto gi = static_cast<std::size_t>(g);
    double wx = 0, wh = 0;
    TINYNN_RETURN_IF_ERROR(per_tensor_scale(1 + gi, wx));
    TINYNN_RETURN_IF_ERROR(per_tensor_scale(5 + gi, wh));
    p.input_to_gate[g] = q::quantize_multiplier(wx * input_scale / gate_scale, rounding);
    p.recurrent_to_gate[g] = q::quantize_multiplier(wh * state_scale / gate_scale, rounding);
    const auto* w_x = static_cast<const std::int8_t*>(c.inputs[1 + gi].data);
    const auto* w_h = static_cast<const std::int8_t*>(c.inputs[5 + gi].data);
    if (c.inputs[1 + gi].shape != DynShape{rows, p.input} || c.inputs[5 + gi].shape != DynShape{rows, p.output}) {
      return c.fail(ErrorCode::invalid_model, "integer LSTM gate ", g, " weights ", c.inputs[1 + gi].shape, " and ",
                    c.inputs[5 + gi].shape, " do not fit ", rows, " units, input ", p.input, ", output ", p.output);
    }
    const std::int32_t* bias = nullptr;
    if (c.has_input(12 + gi)) {
      if (c.inputs[12 + gi].size() != static_cast<std::size_t>(rows)) {
        return c.fail(ErrorCode::invalid_model, "integer LSTM gate ", g, " bias ", c.inputs[12 + gi].shape);
      }
      bias = static_cast<const std::int32_t*>(c.inputs[12 + gi].data);
    }
    s->biases[gi].resize(static_cast<std::size_t>(rows));
    s->biases[4 + gi].resize(static_cast<std::size_t>(rows));
    q::fold_zero_point(w_x, rows, p.input, bias, input_zp, s->biases[gi].data());
    q::fold_zero_point(w_h, rows, p.output, nullptr, state_zp, s->biases[4 + gi].data());
    s->w.input_to_gate[g] = w_x;
    s->w.recurrent_to_gate[g] = w_h;
    s->w.input_bias[g] = s->biases[gi].data();
    s->w.recurrent_bias[g] = s->biases[4 + gi].data();
    if (p.peephole && g != 2) {
      const std::size_t i = g == 0 ? 9 : (g == 1 ? 10 : 11);
      if (!c.has_input(i)) return c.fail(ErrorCode::invalid_model, "integer LSTM peephole input ", i, " missing");
      if (c.inputs[i].size() != static_cast<std::size_t>(rows)) {
        return c.fail(ErrorCode::invalid_model, "integer LSTM peephole ", i, " has shape ", c.inputs[i].shape);
      }
      const double wc = c.inputs[i].quant.scale;
      p.cell_to_gate[g] = q::quantize_multiplier(std::ldexp(wc, p.cell_scale) / gate_scale, rounding);
      s->w.cell_to_gate[g] = static_cast<const std::int16_t*>(c.inputs[i].data);
    }
  }
  p.hidden = q::quantize_multiplier(std::ldexp(1.0, -30) / hidden_scale, rounding);
  if (p.projection) {
    double wp = 0;
    TINYNN_RETURN_IF_ERROR(per_tensor_scale(16, wp));
    if (c.inputs[16].shape != DynShape{p.output, rows}) {
      return c.fail(ErrorCode::invalid_model, "integer LSTM projection ", c.inputs[16].shape);
    }
    p.projection_multiplier = q::quantize_multiplier(wp * hidden_scale / state_scale, rounding);
    const auto* w_p = static_cast<const std::int8_t*>(c.inputs[16].data);
    s->biases[8].resize(static_cast<std::size_t>(p.output));
    q::fold_zero_point(w_p, p.output, rows,
                       c.has_input(17) ? static_cast<const std::int32_t*>(c.inputs[17].data) : nullptr,
                       p.hidden_zero_point, s->biases[8].data());
    s->w.projection = w_p;
    s->w.projection_bias = s->biases[8].data();
    const float proj_clip = c.node.attr_float("proj_clip", 0.0f);
    if (proj_clip > 0.0f) {
      p.projection_clip =
          static_cast<std::int8_t>(std::clamp(static_cast<double>(proj_clip) / state_scale, -128.0, 127.0));
    }
  }
  // The cell clip applies whenever cell_clip > 0 (TFLite Micro; see the note).
  const float cell_clip = c.node.attr_float("cell_clip", 0.0f);
  if (cell_clip > 0.0f) {
    p.cell_clip = static_cast<std::int16_t>(std::clamp(static_cast<double>(cell_clip) / cell_scale, -32768.0, 32767.0));
  }
  TINYNN_RETURN_IF_ERROR(q::prepare(p, s->w));
  const std::size_t h_size = static_cast<std::size_t>(p.batch) * static_cast<std::size_t>(p.output);
  const std::size_t c_size = static_cast<std::size_t>(p.batch) * static_cast<std::size_t>(p.units);
  if (c.inputs[18].size() != h_size || c.inputs[19].size() != c_size) {
    return c.fail(ErrorCode::invalid_model, "LSTM state tensors ", c.inputs[18].shape, " and ", c.inputs[19].shape,
                  " do not match batch ", p.batch, ", output ", p.output, ", units ", p.units);
  }
  const auto* h0 = static_cast<const std::int8_t*>(c.inputs[18].data);
  const auto* c0 = static_cast<const std::int16_t*>(c.inputs[19].data);
  s->initial_h.assign(h0, h0 + h_size);
  s->initial_c.assign(c0, c0 + c_size);
  s->h.resize(h_size);
  s->cell.resize(c_size);
  s->scratch.resize(q::lstm_integer_scratch_bytes(p));
  const auto* in = static_cast<const std::int8_t*>(c.inputs[0].data);
  auto* out = static_cast<std::int8_t*>(c.outputs[0].data);
  return make_kernel([s, in, out] {
    std::memcpy(s->h.data(), s->initial_h.data(), s->h.size());
    std::memcpy(s->cell.data(), s->initial_c.data(), s->cell.size() * sizeof(std::int16_t));
    q::lstm_integer(backend::scalar{}, s->p, s->w, in, s->h.data(), s->cell.data(), out, s->scratch.data());
  });
}

}  // namespace detail

inline KernelResult lstm_bind(BindContext& c) {
  if (c.inputs[0].dtype == DType::qi8) return detail::integer_lstm_bind(c);
  const DynShape x = c.inputs[0].shape;
  const bool time_major = c.node.attr_int("time_major", 0) != 0;
  struct State {
    q::LstmParams p;
    q::LstmWeights w;
    std::vector<std::vector<float>> owned;  // float copies of every weight (dequantized when int8)
    std::vector<float> initial_h, initial_c, h, c, scratch;
  };
  auto s = std::make_shared<State>();
  s->owned.resize(24);
  auto weight = [&](std::size_t i) -> const float* {
    if (!c.has_input(i)) return nullptr;
    const Value& v = *c.input_values[i];
    if (v.dtype == DType::f32) {
      s->owned[i].assign(v.data_as<float>(), v.data_as<float>() + v.element_count());
    } else {
      s->owned[i] = dequantized(v, 0);
    }
    return s->owned[i].data();
  };
  for (int g = 0; g < 4; ++g) {
    s->w.input_to_gate[g] = weight(1 + static_cast<std::size_t>(g));
    s->w.recurrent_to_gate[g] = weight(5 + static_cast<std::size_t>(g));
    s->w.bias[g] = weight(12 + static_cast<std::size_t>(g));
  }
  for (int k = 0; k < 3; ++k) s->w.peephole[k] = weight(9 + static_cast<std::size_t>(k));
  s->w.projection = weight(16);
  s->w.projection_bias = weight(17);
  const DynShape wf = c.inputs[2].shape, rf = c.inputs[6].shape;
  s->p.batch = static_cast<std::int32_t>(time_major ? x[1] : x[0]);
  s->p.time = static_cast<std::int32_t>(time_major ? x[0] : x[1]);
  s->p.input = static_cast<std::int32_t>(x[2]);
  s->p.units = static_cast<std::int32_t>(wf[0]);
  s->p.output = static_cast<std::int32_t>(rf[1]);
  s->p.time_major = time_major;
  s->p.cell_clip = c.node.attr_float("cell_clip", 0.0f);
  s->p.proj_clip = c.node.attr_float("proj_clip", 0.0f);
  switch (c.node.attr_int("fused_activation_function", 4)) {
    case 0: s->p.activation = q::LstmActivation::none; break;
    case 1: s->p.activation = q::LstmActivation::relu; break;
    case 3: s->p.activation = q::LstmActivation::relu6; break;
    case 4: s->p.activation = q::LstmActivation::tanh; break;
    default: return c.fail(ErrorCode::unsupported, "LSTM activation ", c.node.attr_int("fused_activation_function", 4));
  }
  TINYNN_RETURN_IF_ERROR(q::prepare(s->p, s->w));
  const std::size_t h_size = static_cast<std::size_t>(s->p.batch) * static_cast<std::size_t>(s->p.output);
  const std::size_t c_size = static_cast<std::size_t>(s->p.batch) * static_cast<std::size_t>(s->p.units);
  if (c.inputs[18].size() != h_size || c.inputs[19].size() != c_size || c.inputs[18].dtype != DType::f32 ||
      c.inputs[19].dtype != DType::f32) {
    return c.fail(ErrorCode::invalid_model, "LSTM state tensors ", c.inputs[18].shape, " and ", c.inputs[19].shape,
                  " do not match batch ", s->p.batch, ", output ", s->p.output, ", units ", s->p.units);
  }
  // Every run starts from the initial state (a fresh interpreter; variable tensors start at zero).
  const auto* h0 = static_cast<const float*>(c.inputs[18].data);
  const auto* c0 = static_cast<const float*>(c.inputs[19].data);
  s->initial_h.assign(h0, h0 + h_size);
  s->initial_c.assign(c0, c0 + c_size);
  s->h.resize(h_size);
  s->c.resize(c_size);
  s->scratch.resize(q::lstm_scratch_size(s->p));
  const float* in = static_cast<const float*>(c.inputs[0].data);
  float* out = static_cast<float*>(c.outputs[0].data);
  return make_kernel([s, in, out] {
    std::memcpy(s->h.data(), s->initial_h.data(), s->h.size() * sizeof(float));
    std::memcpy(s->c.data(), s->initial_c.data(), s->c.size() * sizeof(float));
    q::lstm(backend::scalar{}, s->p, s->w, in, s->h.data(), s->c.data(), out, s->scratch.data());
  });
}

// ---- STRIDED_SLICE, SHAPE, PACK, UNPACK (dtype-agnostic data movement) ------------------------

/// A TFLite STRIDED_SLICE resolved against an input shape, as TensorFlow defines it (sparse spec
/// to dense): the ellipsis stands for every input dimension no other entry consumes (possibly
/// none; only the first ellipsis counts, and it wins over a new-axis bit at the same index), a
/// new-axis entry adds a dimension of size 1, dimensions past the spec are taken whole. Per
/// resulting ("effective") dimension: the first index, the step and the element count. Shrunk
/// dimensions take one element and are left out of the output shape.
struct StridedSlice {
  std::size_t rank = 0;
  std::int64_t dims[max_rank] = {};  // effective input dimensions
  std::int64_t start[max_rank] = {}, step[max_rank] = {}, count[max_rank] = {};
  DynShape output;
};

struct StridedSliceSpec {
  std::vector<std::int64_t> begin, end, strides;
  std::int64_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_axis_mask = 0;
  bool offset = false;
};

[[nodiscard]] inline Result<StridedSlice> resolve_strided_slice(const DynShape& x, const StridedSliceSpec& s) {
  const auto n = static_cast<std::int64_t>(s.begin.size());
  if (s.end.size() != s.begin.size() || s.strides.size() != s.begin.size() || n > 31) {
    return error(ErrorCode::invalid_model, "begin, end and strides have ", s.begin.size(), ", ", s.end.size(), " and ",
                 s.strides.size(), " values (equal counts <= 31 expected)");
  }
  auto bit = [](std::int64_t mask, std::int64_t i) { return ((mask >> i) & 1) != 0; };
  const auto rank = static_cast<std::int64_t>(x.rank());
  std::int64_t first_ellipsis = -1, consumed = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (bit(s.ellipsis_mask, i)) {
      if (first_ellipsis < 0) first_ellipsis = i;
    } else if (!bit(s.new_axis_mask, i)) {
      ++consumed;
    }
  }
  if (consumed > rank) {
    return error(ErrorCode::invalid_model, "the slice spec indexes ", consumed, " dimensions of a rank-", rank,
                 " input");
  }
  StridedSlice r;
  std::int64_t input_dim = 0;
  auto add = [&](std::int64_t dim, std::int64_t start, std::int64_t step, std::int64_t count, bool keep) -> Status {
    if (r.rank >= max_rank) return error(ErrorCode::unsupported, "strided slice of rank > ", max_rank);
    r.dims[r.rank] = dim;
    r.start[r.rank] = start;
    r.step[r.rank] = step;
    r.count[r.rank] = count;
    ++r.rank;
    if (keep) (void)r.output.push_back(count);
    return {};
  };
  auto whole = [&]() -> Status {
    const std::int64_t dim = x[static_cast<std::size_t>(input_dim++)];
    return add(dim, 0, 1, dim, true);
  };
  for (std::int64_t i = 0; i < n; ++i) {
    if (bit(s.ellipsis_mask, i)) {
      if (i == first_ellipsis) {
        for (std::int64_t k = 0; k < rank - consumed; ++k) TINYNN_RETURN_IF_ERROR(whole());
      }
      continue;
    }
    if (bit(s.new_axis_mask, i)) {
      TINYNN_RETURN_IF_ERROR(add(1, 0, 1, 1, true));
      continue;
    }
    const std::int64_t dim = x[static_cast<std::size_t>(input_dim++)];
    const auto o = static_cast<std::size_t>(i);
    const std::int64_t stride = s.strides[o], begin = s.begin[o];
    const std::int64_t end = s.offset ? s.end[o] + begin : s.end[o];
    if (stride == 0) return error(ErrorCode::invalid_model, "stride 0 in slice entry ", i);
    if (stride < -(std::int64_t{1} << 31) || stride > (std::int64_t{1} << 31)) {
      return error(ErrorCode::invalid_model, "stride ", stride, " out of range");
    }
    if (bit(s.shrink_axis_mask, i)) {
      const std::int64_t index = begin < 0 ? begin + dim : begin;
      if (index < 0 || index >= dim) {
        return error(ErrorCode::invalid_model, "shrunk slice entry ", i, " index ", begin, " is outside [0, ", dim,
                     ")");
      }
      TINYNN_RETURN_IF_ERROR(add(dim, index, 1, 1, false));
      continue;
    }
    auto clamp = [&](std::int64_t v) {
      return stride > 0 ? std::clamp<std::int64_t>(v, 0, dim) : std::clamp<std::int64_t>(v, -1, dim - 1);
    };
    const std::int64_t first =
        bit(s.begin_mask, i) ? (stride > 0 ? 0 : dim - 1) : clamp(begin < 0 ? begin + dim : begin);
    const std::int64_t last = bit(s.end_mask, i) ? (stride > 0 ? dim : -1) : clamp(end < 0 ? end + dim : end);
    const std::int64_t span = stride > 0 ? last - first : first - last;
    const std::int64_t step = stride > 0 ? stride : -stride;
    TINYNN_RETURN_IF_ERROR(add(dim, first, stride, span > 0 ? (span + step - 1) / step : 0, true));
  }
  while (input_dim < rank) TINYNN_RETURN_IF_ERROR(whole());
  return r;
}

/// Copies the slice element by element (T = an unsigned type of the element's size).
template <class T>
inline void strided_slice_run(const StridedSlice& s, const T* x, T* y) noexcept {
  if (s.rank == 0) {
    *y = *x;
    return;
  }
  for (std::size_t d = 0; d < s.rank; ++d) {
    if (s.count[d] == 0) return;
  }
  std::int64_t in_stride[max_rank] = {};
  std::int64_t acc = 1;
  for (std::size_t d = s.rank; d-- > 0;) {
    in_stride[d] = acc;
    acc *= s.dims[d];
  }
  std::int64_t index[max_rank] = {};
  const std::size_t last = s.rank - 1;
  for (;;) {
    std::int64_t base = 0;
    for (std::size_t d = 0; d < last; ++d) base += (s.start[d] + index[d] * s.step[d]) * in_stride[d];
    for (std::int64_t j = 0; j < s.count[last]; ++j) {
      *y++ = x[base + (s.start[last] + j * s.step[last]) * in_stride[last]];
    }
    std::size_t d = last;
    for (;;) {
      if (d == 0) return;
      --d;
      if (++index[d] < s.count[d]) break;
      index[d] = 0;
    }
  }
}

[[nodiscard]] inline Result<StridedSliceSpec> strided_slice_spec(const Node& n, const Value& begin, const Value& end,
                                                                 const Value& strides) {
  StridedSliceSpec s;
  auto b = constant_ints(begin);
  if (!b) return std::move(b).error();
  auto e = constant_ints(end);
  if (!e) return std::move(e).error();
  auto st = constant_ints(strides);
  if (!st) return std::move(st).error();
  s.begin = *b;
  s.end = *e;
  s.strides = *st;
  s.begin_mask = n.attr_int("begin_mask", 0);
  s.end_mask = n.attr_int("end_mask", 0);
  s.ellipsis_mask = n.attr_int("ellipsis_mask", 0);
  s.new_axis_mask = n.attr_int("new_axis_mask", 0);
  s.shrink_axis_mask = n.attr_int("shrink_axis_mask", 0);
  s.offset = n.attr_int("offset", 0) != 0;
  return s;
}

/// Binds a kernel that moves elements of `size` bytes with F<T>, T an unsigned type of that size.
template <class Make>
[[nodiscard]] inline KernelResult by_element_size(const BindContext& c, std::size_t size, Make make) {
  switch (size) {
    case 1: return make.template operator()<std::uint8_t>();
    case 2: return make.template operator()<std::uint16_t>();
    case 4: return make.template operator()<std::uint32_t>();
    case 8: return make.template operator()<std::uint64_t>();
    default: return c.fail(ErrorCode::unsupported, "elements of ", size, " bytes");
  }
}

inline Status strided_slice_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(4, 4));
  auto spec = strided_slice_spec(c.node, c.in(1), c.in(2), c.in(3));
  if (!spec) return c.fail(spec.error().code(), spec.error().message());
  auto s = resolve_strided_slice(c.in(0).shape, *spec);
  if (!s) return c.fail(s.error().code(), s.error().message());
  TINYNN_RETURN_IF_ERROR(set_checked_output(c, 0, c.in(0).dtype, s->output));
  if (c.has_output(0)) c.out(0).quant = c.in(0).quant;
  return {};
}

inline KernelResult strided_slice_bind(BindContext& c) {
  auto spec = strided_slice_spec(c.node, *c.input_values[1], *c.input_values[2], *c.input_values[3]);
  if (!spec) return std::move(spec).error();
  auto s = resolve_strided_slice(c.inputs[0].shape, *spec);
  if (!s) return c.fail(s.error().code(), s.error().message());
  const StridedSlice slice = *s;
  const void* x = c.inputs[0].data;
  void* y = c.outputs[0].data;
  return by_element_size(c, dtype_size(c.inputs[0].dtype), [&]<class T>() -> KernelResult {
    return make_kernel([=] { strided_slice_run(slice, static_cast<const T*>(x), static_cast<T*>(y)); });
  });
}

inline Status shape_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  const DType out = c.node.attr_int("out_type", 2) == 4 ? DType::i64 : DType::i32;
  return set_checked_output(c, 0, out, DynShape{static_cast<std::int64_t>(c.in(0).shape.rank())});
}

inline KernelResult shape_bind(BindContext& c) {
  const DynShape x = c.inputs[0].shape;
  const bool wide = c.outputs[0].dtype == DType::i64;
  void* y = c.outputs[0].data;
  return make_kernel([=] {
    for (std::size_t d = 0; d < x.rank(); ++d) {
      if (wide) {
        static_cast<std::int64_t*>(y)[d] = x[d];
      } else {
        static_cast<std::int32_t*>(y)[d] = static_cast<std::int32_t>(x[d]);
      }
    }
  });
}

/// PACK / UNPACK geometry: the packed tensor is [outer][count][inner] (inner in elements).
struct PackGeometry {
  std::size_t outer = 1, count = 0, inner = 1;
};

inline Status pack_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1));
  const DynShape& x = c.in(0).shape;
  for (std::size_t i = 0; i < c.input_count(); ++i) {
    if (!c.has_input(i)) return c.fail(ErrorCode::invalid_model, "missing input ", i);
    if (c.in(i).dtype != c.in(0).dtype || c.in(i).shape != x) {
      return c.fail(ErrorCode::invalid_model, "input ", i, " is ", dtype_name(c.in(i).dtype), " ", c.in(i).shape,
                    ", input 0 is ", dtype_name(c.in(0).dtype), " ", x);
    }
    if (is_quantized_8bit(c.in(0).dtype) && !(c.in(i).quant == c.in(0).quant)) {
      return c.fail(ErrorCode::unsupported, "PACK of quantized inputs with different scales or zero points");
    }
  }
  std::int64_t axis = c.node.attr_int("axis", 0);
  if (!normalize_axis(axis, static_cast<std::int64_t>(x.rank()) + 1) || x.rank() >= max_rank) {
    return c.fail(ErrorCode::invalid_model, "PACK axis ", c.node.attr_int("axis", 0), " out of range for ", x);
  }
  DynShape y;
  for (std::size_t d = 0; d <= x.rank(); ++d) {
    if (static_cast<std::int64_t>(d) == axis) (void)y.push_back(static_cast<std::int64_t>(c.input_count()));
    if (d < x.rank()) (void)y.push_back(x[d]);
  }
  TINYNN_RETURN_IF_ERROR(set_checked_output(c, 0, c.in(0).dtype, y));
  if (c.has_output(0)) c.out(0).quant = c.in(0).quant;
  return {};
}

inline Status unpack_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  const DynShape& x = c.in(0).shape;
  std::int64_t axis = c.node.attr_int("axis", 0);
  if (!normalize_axis(axis, static_cast<std::int64_t>(x.rank()))) {
    return c.fail(ErrorCode::invalid_model, "UNPACK axis ", c.node.attr_int("axis", 0), " out of range for ", x);
  }
  if (x[static_cast<std::size_t>(axis)] != static_cast<std::int64_t>(c.node.outputs.size())) {
    return c.fail(ErrorCode::invalid_model, "UNPACK of ", x, " along axis ", axis, " has ", c.node.outputs.size(),
                  " outputs");
  }
  DynShape y;
  for (std::size_t d = 0; d < x.rank(); ++d) {
    if (static_cast<std::int64_t>(d) != axis) (void)y.push_back(x[d]);
  }
  for (std::size_t k = 0; k < c.node.outputs.size(); ++k) {
    TINYNN_RETURN_IF_ERROR(set_checked_output(c, k, c.in(0).dtype, y));
    if (c.has_output(k)) c.out(k).quant = c.in(0).quant;
  }
  return {};
}

inline KernelResult pack_bind(BindContext& c) {
  const bool pack = c.node.op_type == "PACK";
  const DynShape x = c.inputs[0].shape;  // PACK: one part; UNPACK: the whole
  std::int64_t axis = c.node.attr_int("axis", 0);
  (void)normalize_axis(axis, static_cast<std::int64_t>(x.rank()) + (pack ? 1 : 0));
  PackGeometry g;
  g.count = pack ? c.inputs.size() : c.outputs.size();
  for (std::int64_t d = 0; d < axis; ++d) g.outer *= static_cast<std::size_t>(x[static_cast<std::size_t>(d)]);
  for (std::size_t d = static_cast<std::size_t>(axis) + (pack ? 0 : 1); d < x.rank(); ++d)
    g.inner *= static_cast<std::size_t>(x[d]);
  auto parts = std::make_shared<std::vector<std::byte*>>();
  for (const TensorRef& t : pack ? c.inputs : c.outputs) parts->push_back(static_cast<std::byte*>(t.data));
  std::byte* whole = static_cast<std::byte*>(pack ? c.outputs[0].data : c.inputs[0].data);
  const std::size_t row = g.inner * dtype_size(c.inputs[0].dtype);
  return make_kernel([=] {
    for (std::size_t o = 0; o < g.outer; ++o) {
      for (std::size_t k = 0; k < g.count; ++k) {
        std::byte* packed = whole + (o * g.count + k) * row;
        std::byte* part = (*parts)[k];
        if (!part || !row) continue;
        if (pack) {
          std::memcpy(packed, part + o * row, row);
        } else {
          std::memcpy(part + o * row, packed, row);
        }
      }
    }
  });
}

// ---- CAST ----------------------------------------------------------------------------------

inline Status cast_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  const std::initializer_list<DType> types = {DType::f32, DType::i32, DType::i64,    DType::i16,
                                              DType::u8,  DType::i8,  DType::boolean};
  TINYNN_RETURN_IF_ERROR(require_dtype(c, 0, types));
  if (!c.has_output(0)) return {};
  const DType out = declared_dtype(c, 0);
  if (std::find(types.begin(), types.end(), out) == types.end()) {
    return c.fail(ErrorCode::unsupported, "CAST to ", dtype_name(out));
  }
  c.set_output(0, out, c.in(0).shape);
  return {};
}

namespace detail {

/// One element as a double (floats) or an int64 (integers and bool).
struct CastValue {
  bool is_float = false;
  double f = 0.0;
  std::int64_t i = 0;
};
inline CastValue cast_load(DType t, const void* p, std::size_t k) noexcept {
  switch (t) {
    case DType::f32: return {true, static_cast<const float*>(p)[k], 0};
    case DType::i32: return {false, 0.0, static_cast<const std::int32_t*>(p)[k]};
    case DType::i64: return {false, 0.0, static_cast<const std::int64_t*>(p)[k]};
    case DType::i16: return {false, 0.0, static_cast<const std::int16_t*>(p)[k]};
    case DType::u8: return {false, 0.0, static_cast<const std::uint8_t*>(p)[k]};
    case DType::boolean: return {false, 0.0, static_cast<const std::uint8_t*>(p)[k] != 0};
    default: return {false, 0.0, static_cast<const std::int8_t*>(p)[k]};
  }
}
/// Float to integer: truncation toward zero, saturated to the int64 range (NaN -> 0), then the
/// integer conversion of C++ (modulo 2^bits), as static_cast does for in-range values.
inline std::int64_t cast_to_int(const CastValue& v) noexcept {
  if (!v.is_float) return v.i;
  if (!(v.f == v.f)) return 0;
  if (v.f >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
  if (v.f <= -9.2e18) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(v.f);
}
inline void cast_store(DType t, void* p, std::size_t k, const CastValue& v) noexcept {
  switch (t) {
    case DType::f32: static_cast<float*>(p)[k] = v.is_float ? static_cast<float>(v.f) : static_cast<float>(v.i); break;
    case DType::boolean: static_cast<std::uint8_t*>(p)[k] = (v.is_float ? v.f != 0.0 : v.i != 0) ? 1 : 0; break;
    case DType::i32: static_cast<std::int32_t*>(p)[k] = static_cast<std::int32_t>(cast_to_int(v)); break;
    case DType::i64: static_cast<std::int64_t*>(p)[k] = cast_to_int(v); break;
    case DType::i16: static_cast<std::int16_t*>(p)[k] = static_cast<std::int16_t>(cast_to_int(v)); break;
    case DType::u8: static_cast<std::uint8_t*>(p)[k] = static_cast<std::uint8_t>(cast_to_int(v)); break;
    default: static_cast<std::int8_t*>(p)[k] = static_cast<std::int8_t>(cast_to_int(v)); break;
  }
}

}  // namespace detail

inline KernelResult cast_bind(BindContext& c) {
  const DType in = c.inputs[0].dtype, out = c.outputs[0].dtype;
  const std::size_t n = c.inputs[0].size();
  const void* x = c.inputs[0].data;
  void* y = c.outputs[0].data;
  return make_kernel([=] {
    for (std::size_t k = 0; k < n; ++k) detail::cast_store(out, y, k, detail::cast_load(in, x, k));
  });
}

// ---- MINIMUM, MAXIMUM (f32, i32, and int8/uint8 with equal quantization: raw values compare) ----

inline Status minmax_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(require_binary_inputs(c, {DType::f32, DType::qi8, DType::u8, DType::i8, DType::i32}));
  if (is_quantized_8bit(c.in(0).dtype)) {
    const QuantParams qa = c.in(0).quant, qb = c.in(1).quant;
    if (!(qa == qb) || (c.has_output(0) && !(c.out(0).quant == qa))) {
      return c.fail(ErrorCode::unsupported, c.node.op_type, " of quantized tensors with differing quantization");
    }
  }
  return set_broadcast_output(c);
}

/// Broadcast strides (0 along broadcast dimensions) of `x` right-aligned to `y`.
inline void broadcast_strides(const DynShape& x, const DynShape& y, std::size_t* strides) noexcept {
  std::size_t acc = 1;
  for (std::size_t d = y.rank(); d-- > 0;) {
    const std::size_t back = y.rank() - 1 - d;
    if (back < x.rank()) {
      const auto dim = static_cast<std::size_t>(x[x.rank() - 1 - back]);
      strides[d] = dim == 1 ? 0 : acc;
      acc *= dim;
    } else {
      strides[d] = 0;
    }
  }
}

inline KernelResult minmax_bind(BindContext& c) {
  const bool is_max = c.node.op_type == "MAXIMUM";
  const DynShape y = c.outputs[0].shape;
  struct Geometry {
    std::size_t rank = 0, dims[max_rank] = {}, sa[max_rank] = {}, sb[max_rank] = {};
  } g;
  g.rank = y.rank();
  for (std::size_t d = 0; d < y.rank(); ++d) g.dims[d] = static_cast<std::size_t>(y[d]);
  broadcast_strides(c.inputs[0].shape, y, g.sa);
  broadcast_strides(c.inputs[1].shape, y, g.sb);
  if (c.inputs[0].dtype == DType::f32) {
    ops::binary::Params p;
    p.op = is_max ? ops::BinaryOp::max : ops::BinaryOp::min;
    p.a = c.inputs[0].shape;
    p.b = c.inputs[1].shape;
    TINYNN_RETURN_IF_ERROR(ops::binary::prepare(p));
    const float* x0 = static_cast<const float*>(c.inputs[0].data);
    const float* x1 = static_cast<const float*>(c.inputs[1].data);
    float* out = static_cast<float*>(c.outputs[0].data);
    const backend::BackendId isa = runtime_backend();
    return make_kernel([=] { ops::binary::run(isa, p, x0, x1, out); });
  }
  const std::size_t total = y.size();
  const void* a = c.inputs[0].data;
  const void* b = c.inputs[1].data;
  void* out = c.outputs[0].data;
  auto bind = [&]<class T>() -> KernelResult {
    return make_kernel([=] {
      const T* pa = static_cast<const T*>(a);
      const T* pb = static_cast<const T*>(b);
      T* py = static_cast<T*>(out);
      std::size_t index[max_rank] = {};
      for (std::size_t k = 0; k < total; ++k) {
        std::size_t ia = 0, ib = 0;
        for (std::size_t d = 0; d < g.rank; ++d) {
          ia += index[d] * g.sa[d];
          ib += index[d] * g.sb[d];
        }
        const T va = pa[ia], vb = pb[ib];
        py[k] = is_max ? (va < vb ? vb : va) : (vb < va ? vb : va);
        for (std::size_t d = g.rank; d-- > 0;) {
          if (++index[d] < g.dims[d]) break;
          index[d] = 0;
        }
      }
    });
  };
  switch (c.inputs[0].dtype) {
    case DType::f32: return bind.template operator()<float>();
    case DType::i32: return bind.template operator()<std::int32_t>();
    case DType::u8: return bind.template operator()<std::uint8_t>();
    default: return bind.template operator()<std::int8_t>();
  }
}

// ---- the op list -----------------------------------------------------------------------------

struct Handler {
  std::string_view op_type;
  InferFn infer;
  BindFn bind;
  std::string_view notes;
};

// clang-format off
inline constexpr Handler handlers[] = {
  {"CONV_2D",                 conv_infer,            conv_bind,            "f32, int8 per-channel, uint8, hybrid (int8 filter, f32 activations)"},
  {"DEPTHWISE_CONV_2D",       conv_infer,            conv_bind,            "f32, int8 per-channel, uint8, hybrid"},
  {"FULLY_CONNECTED",         fully_connected_infer, fully_connected_bind, "f32, int8, uint8, hybrid; keep_num_dims"},
  {"AVERAGE_POOL_2D",         pool_infer,            pool_bind,            "f32, int8, uint8"},
  {"MAX_POOL_2D",             pool_infer,            pool_bind,            "f32, int8, uint8"},
  {"SOFTMAX",                 softmax_infer,         softmax_bind,         "f32 (beta 1), int8/uint8 (TFLite fixed point, any beta)"},
  {"LOGISTIC",                unary_infer,           unary_bind,           "f32; int8/uint8 by lookup table"},
  {"TANH",                    unary_infer,           unary_bind,           "f32; int8/uint8 by lookup table"},
  {"RELU",                    unary_infer,           unary_bind,           "f32; int8/uint8 by lookup table"},
  {"RELU6",                   unary_infer,           unary_bind,           "f32; int8/uint8 by lookup table"},
  {"RELU_N1_TO_1",            unary_infer,           unary_bind,           "f32; int8/uint8 by lookup table"},
  {"LEAKY_RELU",              unary_infer,           unary_bind,           "f32; int8/uint8 by lookup table"},
  {"HARD_SWISH",              unary_infer,           unary_bind,           "f32; int8/uint8 by lookup table"},
  {"ADD",                     binary_infer,          binary_bind,          "f32, int8, uint8; broadcasting"},
  {"SUB",                     binary_infer,          binary_bind,          "f32, int8, uint8; broadcasting"},
  {"MUL",                     binary_infer,          binary_bind,          "f32, int8, uint8; broadcasting"},
  {"RESHAPE",                 reshape_infer,         copy_bind,            "shape input or new_shape option"},
  {"SQUEEZE",                 reshape_infer,         copy_bind,            ""},
  {"EXPAND_DIMS",             reshape_infer,         copy_bind,            ""},
  {"QUANTIZE",                quantize_infer,        quantize_bind,        "f32 -> int8/uint8; int8 <-> uint8 requantize"},
  {"DEQUANTIZE",              quantize_infer,        quantize_bind,        "int8/uint8 -> f32"},
  {"MEAN",                    mean_infer,            mean_bind,            "f32, int8, uint8 (TFLite integer mean)"},
  {"PAD",                     pad_infer,             pad_bind,             "pads with the zero point"},
  {"PADV2",                   pad_infer,             pad_bind,             "constant value input"},
  {"TRANSPOSE",               transpose_infer,       transpose_bind,       "constant perm"},
  {"CONCATENATION",           concat_infer,          concat_bind,          "int8/uint8 inputs with differing scales rescaled"},
  {"SPLIT",                   split_infer,           split_bind,           "equal parts"},
  {"RESIZE_BILINEAR",         resize_infer,          resize_bind,          "align_corners, half_pixel_centers"},
  {"RESIZE_NEAREST_NEIGHBOR", resize_infer,          resize_bind,          "align_corners, half_pixel_centers"},
  {"ARG_MAX",                 arg_max_infer,         arg_max_bind,         "int32/int64 output, first index on ties"},
  {"DIV",                     binary_infer,          binary_bind,          "f32; broadcasting"},
  {"MINIMUM",                 minmax_infer,          minmax_bind,          "f32, i32, int8/uint8 (equal quantization); broadcasting"},
  {"MAXIMUM",                 minmax_infer,          minmax_bind,          "f32, i32, int8/uint8 (equal quantization); broadcasting"},
  {"STRIDED_SLICE",           strided_slice_infer,   strided_slice_bind,   "any dtype; constant begin/end/strides, all masks, negative strides, offset"},
  {"SHAPE",                   shape_infer,           shape_bind,           "int32/int64 output"},
  {"PACK",                    pack_infer,            pack_bind,            "any dtype (quantized: equal quantization)"},
  {"UNPACK",                  unpack_infer,          pack_bind,            "any dtype"},
  {"CAST",                    cast_infer,            cast_bind,            "f32, i32, i64, i16, u8, i8, bool (float -> int truncates, saturating)"},
  {"UNIDIRECTIONAL_SEQUENCE_LSTM", lstm_infer,       lstm_bind,            "float32, hybrid (int8 weights), int8 integer LSTM (8x8_16: CIFG, peephole, projection); not layer norm"},
};
// clang-format on

[[nodiscard]] constexpr const Handler* find_handler(std::string_view op_type) noexcept {
  for (const Handler& h : handlers) {
    if (h.op_type == op_type) return &h;
  }
  return nullptr;
}

/// Registry entry points: dispatch on the node's op type.
inline Status infer(OpContext& c) {
  const Handler* h = find_handler(c.node.op_type);
  if (!h) return c.fail(ErrorCode::unsupported, "TFLite operator ", c.node.op_type, " is not supported");
  return h->infer(c);
}
inline KernelResult bind(BindContext& c) {
  const Handler* h = find_handler(c.node.op_type);
  if (!h) return c.fail(ErrorCode::unsupported, "TFLite operator ", c.node.op_type, " is not supported");
  return h->bind(c);
}

}  // namespace tinynn::graph::op::tflite
