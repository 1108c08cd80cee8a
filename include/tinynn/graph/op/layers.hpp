// tinynn — graph handlers of pooling (ops/pool), BatchNormalization (ops/batch_norm), Softmax and
// LogSoftmax (ops/softmax), Reduce* (ops/reduce) and Resize (ops/resize). The NHWC kernels read
// NHWC operands directly; when an operand is in NCHW order (constant folding, or a rank the layout
// pass leaves alone) the kernel stages it through a buffer it owns, converted once per run.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/graph/kernel.hpp"
#include "tinynn/graph/op/nn.hpp"
#include "tinynn/ops/batch_norm.hpp"
#include "tinynn/ops/pool.hpp"
#include "tinynn/ops/reduce.hpp"
#include "tinynn/ops/resize.hpp"
#include "tinynn/ops/softmax.hpp"

namespace tinynn::graph::op {

/// Runs `compute(in_nhwc, out_nhwc)` on a 4-D float op whose operands may be in either layout.
struct NhwcStaging {
  const float* x = nullptr;
  float* y = nullptr;
  DynShape x_logical, y_logical;
  bool x_nhwc = true, y_nhwc = true;
  std::shared_ptr<std::vector<float>> x_buffer, y_buffer;

  NhwcStaging(const TensorRef& in, Layout in_layout, const TensorRef& out, Layout out_layout)
      : x(static_cast<const float*>(in.data)),
        y(static_cast<float*>(out.data)),
        x_logical(in.shape),
        y_logical(out.shape),
        x_nhwc(in_layout == Layout::nhwc),
        y_nhwc(out_layout == Layout::nhwc),
        x_buffer(std::make_shared<std::vector<float>>(x_nhwc ? 0 : in.size())),
        y_buffer(std::make_shared<std::vector<float>>(y_nhwc ? 0 : out.size())) {}

  template <class Compute>
  void run(Compute&& compute) const noexcept {
    const float* in = x;
    if (!x_nhwc) {
      nchw_to_nhwc(x, x_buffer->data(), static_cast<std::size_t>(x_logical[0]), static_cast<std::size_t>(x_logical[1]),
                   static_cast<std::size_t>(x_logical[2] * x_logical[3]));
      in = x_buffer->data();
    }
    float* out = y_nhwc ? y : y_buffer->data();
    compute(in, out);
    if (!y_nhwc) {
      nhwc_to_nchw(out, y, static_cast<std::size_t>(y_logical[0]), static_cast<std::size_t>(y_logical[1]),
                   static_cast<std::size_t>(y_logical[2] * y_logical[3]));
    }
  }
};

/// NCHW logical shape -> the NHWC shape the kernels take.
[[nodiscard]] inline DynShape nhwc_of(const DynShape& s) noexcept { return DynShape{s[0], s[2], s[3], s[1]}; }

// ---------------------------------------------------------------------------------------------
// MaxPool / AveragePool / GlobalAveragePool / GlobalMaxPool

inline Status pool_params(const Graph& g, const Node& n, const DynShape& x, ops::pool2d::Params& p) {
  if (x.rank() != 4)
    return error(ErrorCode::unsupported, g.where(n), ": only 2-D pooling is supported (input ", x, ")");
  p.kind = n.op_type == "MaxPool" || n.op_type == "GlobalMaxPool" ? ops::PoolKind::max : ops::PoolKind::average;
  p.input = nhwc_of(x);
  if (n.op_type == "GlobalAveragePool" || n.op_type == "GlobalMaxPool") {
    p.global = true;
  } else {
    ConvAttributes a;
    TINYNN_RETURN_IF_ERROR(read_window(n, g, -1, -1, a));
    if (n.op_type == "MaxPool" && n.attr_int("storage_order", 0) != 0) {
      return error(ErrorCode::unsupported, g.where(n), ": storage_order=1 is not supported");
    }
    resolve_same(a, x[2], x[3]);
    p.kernel_h = static_cast<std::int32_t>(a.kernel_h);
    p.kernel_w = static_cast<std::int32_t>(a.kernel_w);
    p.stride_h = static_cast<std::int32_t>(a.stride_h);
    p.stride_w = static_cast<std::int32_t>(a.stride_w);
    p.dilation_h = static_cast<std::int32_t>(a.dilation_h);
    p.dilation_w = static_cast<std::int32_t>(a.dilation_w);
    p.padding = {static_cast<std::int32_t>(a.pad_top), static_cast<std::int32_t>(a.pad_left),
                 static_cast<std::int32_t>(a.pad_bottom), static_cast<std::int32_t>(a.pad_right)};
    p.ceil_mode = n.attr_int("ceil_mode", 0) != 0;
    p.count_include_pad = n.attr_int("count_include_pad", 0) != 0;
  }
  p.activation = n.activation;
  Status status = ops::pool2d::prepare(p);
  if (!status) return error(ErrorCode::invalid_model, g.where(n), ": ", status.message());
  return {};
}

inline Status pool_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  if (c.has_output(1)) return c.fail(ErrorCode::unsupported, "the Indices output is not supported");
  ops::pool2d::Params p;
  TINYNN_RETURN_IF_ERROR(pool_params(c.graph, c.node, c.in(0).shape, p));
  c.set_output(0, DType::f32, DynShape{p.output[0], p.output[3], p.output[1], p.output[2]});
  return {};
}
inline Status global_pool_infer(OpContext& c) { return pool_infer(c); }

inline KernelResult pool_bind(BindContext& c) {
  ops::pool2d::Params p;
  TINYNN_RETURN_IF_ERROR(pool_params(c.graph, c.node, c.inputs[0].shape, p));
  const NhwcStaging staging(c.inputs[0], c.input_layouts[0], c.outputs[0], c.output_layouts[0]);
  const backend::BackendId id = runtime_backend();
  return make_kernel(
      [=]() noexcept { staging.run([&](const float* x, float* y) noexcept { ops::pool2d::run(id, p, x, y); }); });
}
inline KernelResult global_pool_bind(BindContext& c) { return pool_bind(c); }

// ---------------------------------------------------------------------------------------------
// BatchNormalization (inference): y = (x - mean) / sqrt(var + eps) * scale + B, channel = axis 1

inline Status batch_norm_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(5, 5));
  if (c.node.attr_int("training_mode", 0) != 0 || c.has_output(1) || c.has_output(2)) {
    return c.fail(ErrorCode::unsupported, "training mode is not supported");
  }
  const Value& x = c.in(0);
  if (x.shape.rank() < 2) return c.fail(ErrorCode::invalid_model, "input ", x.shape, " has no channel axis");
  for (std::size_t i = 1; i < 5; ++i) {
    if (c.in(i).element_count() != static_cast<std::size_t>(x.shape[1]) || c.in(i).dtype != DType::f32) {
      return c.fail(ErrorCode::invalid_model, "parameter ", i, " has shape ", c.in(i).shape, ", expected ", x.shape[1],
                    " floats");
    }
  }
  c.set_output(0, DType::f32, x.shape);
  return {};
}

inline KernelResult batch_norm_bind(BindContext& c) {
  const TensorRef x = c.inputs[0], y = c.outputs[0];
  const auto channels = static_cast<std::size_t>(x.shape[1]);
  ops::batch_norm::Weights w;
  w.gamma = static_cast<const float*>(c.inputs[1].data);
  w.beta = static_cast<const float*>(c.inputs[2].data);
  w.mean = static_cast<const float*>(c.inputs[3].data);
  w.variance = static_cast<const float*>(c.inputs[4].data);
  w.epsilon = c.node.attr_float("epsilon", 1e-5f);
  auto scale = std::make_shared<std::vector<float>>(channels), shift = std::make_shared<std::vector<float>>(channels);
  bool constant = true;
  for (std::size_t i = 1; i < 5; ++i) constant = constant && c.input_values[i]->constant;
  if (constant)
    TINYNN_RETURN_IF_ERROR(
        ops::batch_norm::affine(w, channels, scale->data(), shift->data()).prepend(c.graph.where(c.node)));
  const bool nhwc = c.input_layouts[0] == Layout::nhwc || x.shape.rank() == 2;
  ops::batch_norm::Params p;
  p.shape = physical_shape(x.shape, c.input_layouts[0]);
  p.activation = c.node.activation;
  const std::size_t inner =
      x.shape.rank() > 2 && x.size() ? x.size() / static_cast<std::size_t>(x.shape[0]) / channels : 1;
  const auto outer = static_cast<std::size_t>(x.shape[0]);
  const backend::BackendId id = runtime_backend();
  const auto* xd = static_cast<const float*>(x.data);
  auto* yd = static_cast<float*>(y.data);
  const ops::ActivationParams activation = c.node.activation;
  return make_kernel([=]() noexcept {
    if (!constant) (void)ops::batch_norm::affine(w, channels, scale->data(), shift->data());
    if (nhwc) {
      ops::batch_norm::run(id, p, xd, scale->data(), shift->data(), yd);
      return;
    }
    // Channel-first (NCHW, NC...): the same affine map, channel by channel.
    for (std::size_t n = 0; n < outer; ++n)
      for (std::size_t ch = 0; ch < channels; ++ch) {
        const std::size_t base = (n * channels + ch) * inner;
        for (std::size_t i = 0; i < inner; ++i) {
          yd[base + i] = ops::apply_activation(activation, xd[base + i] * (*scale)[ch] + (*shift)[ch]);
        }
      }
  });
}

// ---------------------------------------------------------------------------------------------
// Softmax / LogSoftmax

inline Status softmax_params(const Graph& g, const Node& n, const DynShape& shape, ops::softmax::Params& p) {
  p.log = n.op_type == "LogSoftmax";
  p.flatten_from_axis = n.opset < 13;
  p.axis = n.attr_int("axis", n.opset < 13 ? 1 : -1);
  p.shape = shape;
  Status status = ops::softmax::prepare(p);
  if (!status) return error(ErrorCode::invalid_model, g.where(n), ": ", status.message());
  return {};
}
inline Status softmax_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  ops::softmax::Params p;
  TINYNN_RETURN_IF_ERROR(softmax_params(c.graph, c.node, c.in(0).shape, p));
  c.set_output(0, DType::f32, c.in(0).shape);
  return {};
}
inline KernelResult softmax_bind(BindContext& c) {
  ops::softmax::Params p;
  TINYNN_RETURN_IF_ERROR(softmax_params(c.graph, c.node, c.inputs[0].shape, p));
  const backend::BackendId id = runtime_backend();
  const auto* x = static_cast<const float*>(c.inputs[0].data);
  auto* y = static_cast<float*>(c.outputs[0].data);
  return make_kernel([=]() noexcept { ops::softmax::run(id, p, x, y); });
}

// ---------------------------------------------------------------------------------------------
// ReduceMean / ReduceSum / ReduceMax / ReduceMin

inline Status reduce_params(const Graph& g, const Node& n, const DynShape& shape, ops::reduce::Params& p) {
  const std::string_view op = n.op_type;
  p.op = op == "ReduceSum"   ? ops::ReduceOp::sum
         : op == "ReduceMax" ? ops::ReduceOp::max
         : op == "ReduceMin" ? ops::ReduceOp::min
                             : ops::ReduceOp::mean;
  p.keepdims = n.attr_int("keepdims", 1) != 0;
  p.input = shape;
  const int axes_input_since = op == "ReduceSum" ? 13 : 18;
  std::vector<std::int64_t> axes;
  if (n.opset >= axes_input_since) {
    if (n.input(1) >= 0) {
      auto a = constant_ints(g.values[static_cast<std::size_t>(n.inputs[1])]);
      if (!a) return error(a.error().code(), g.where(n), ": axes: ", a.error().message());
      axes = std::move(*a);
    }
  } else {
    axes = n.attr_ints("axes");
  }
  const bool noop = n.attr_int("noop_with_empty_axes", 0) != 0;
  Status status = ops::reduce::prepare(p, axes, noop);
  if (!status) return error(ErrorCode::invalid_model, g.where(n), ": ", status.message());
  return {};
}
inline Status reduce_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 2));
  ops::reduce::Params p;
  TINYNN_RETURN_IF_ERROR(reduce_params(c.graph, c.node, c.in(0).shape, p));
  c.set_output(0, DType::f32, p.output);
  return {};
}
inline KernelResult reduce_bind(BindContext& c) {
  ops::reduce::Params p;
  TINYNN_RETURN_IF_ERROR(reduce_params(c.graph, c.node, c.inputs[0].shape, p));
  const backend::BackendId id = runtime_backend();
  const auto* x = static_cast<const float*>(c.inputs[0].data);
  auto* y = static_cast<float*>(c.outputs[0].data);
  return make_kernel([=]() noexcept { ops::reduce::run(id, p, x, y); });
}

// ---------------------------------------------------------------------------------------------
// Resize (opset 10: X, scales; 11+: X, roi, scales, sizes), 4-D over H and W

inline Status resize_params(const Graph& g, const Node& n, const DynShape& x, ops::resize::Params& p) {
  if (x.rank() != 4) return error(ErrorCode::unsupported, g.where(n), ": only 4-D Resize is supported");
  const std::string_view mode = n.attr_string("mode", "nearest");
  if (mode == "nearest") {
    p.mode = ops::ResizeMode::nearest;
  } else if (mode == "linear" || mode == "bilinear") {
    p.mode = ops::ResizeMode::linear;
  } else {
    return error(ErrorCode::unsupported, g.where(n), ": mode '", mode, "' is not supported");
  }
  const std::string_view transform =
      n.attr_string("coordinate_transformation_mode", n.opset < 11 ? "asymmetric" : "half_pixel");
  if (transform == "half_pixel") {
    p.transform = ops::CoordinateTransform::half_pixel;
  } else if (transform == "pytorch_half_pixel") {
    p.transform = ops::CoordinateTransform::pytorch_half_pixel;
  } else if (transform == "align_corners") {
    p.transform = ops::CoordinateTransform::align_corners;
  } else if (transform == "asymmetric") {
    p.transform = ops::CoordinateTransform::asymmetric;
  } else if (transform == "tf_half_pixel_for_nn") {
    p.transform = ops::CoordinateTransform::tf_half_pixel_for_nn;
  } else {
    return error(ErrorCode::unsupported, g.where(n), ": coordinate_transformation_mode '", transform,
                 "' is not supported");
  }
  const std::string_view rounding = n.attr_string("nearest_mode", n.opset < 11 ? "floor" : "round_prefer_floor");
  p.rounding = rounding == "round_prefer_ceil" ? ops::NearestRounding::round_prefer_ceil
               : rounding == "floor"           ? ops::NearestRounding::floor
               : rounding == "ceil"            ? ops::NearestRounding::ceil
                                               : ops::NearestRounding::round_prefer_floor;
  if (n.opset < 11 && mode == "nearest") p.rounding = ops::NearestRounding::floor;
  if (n.find("antialias") && n.attr_int("antialias", 0) != 0)
    return error(ErrorCode::unsupported, g.where(n), ": antialias is not supported");
  if (!n.attr_ints("axes").empty()) return error(ErrorCode::unsupported, g.where(n), ": axes is not supported");
  if (n.attr_string("keep_aspect_ratio_policy", "stretch") != "stretch") {
    return error(ErrorCode::unsupported, g.where(n), ": keep_aspect_ratio_policy is not supported");
  }
  p.input = nhwc_of(x);
  const int scales_index = n.opset < 11 ? 1 : 2;
  std::int64_t out_h = 0, out_w = 0;
  if (n.opset >= 11 && n.input(3) >= 0 && g.values[static_cast<std::size_t>(n.inputs[3])].element_count() > 0) {
    auto sizes = constant_ints(g.values[static_cast<std::size_t>(n.inputs[3])]);
    if (!sizes) return error(sizes.error().code(), g.where(n), ": sizes: ", sizes.error().message());
    if (sizes->size() != 4 || (*sizes)[0] != x[0] || (*sizes)[1] != x[1]) {
      return error(ErrorCode::unsupported, g.where(n), ": only H and W may be resized");
    }
    out_h = (*sizes)[2];
    out_w = (*sizes)[3];
  } else {
    if (n.input(static_cast<std::size_t>(scales_index)) < 0)
      return error(ErrorCode::invalid_model, g.where(n), ": neither scales nor sizes given");
    const Value& s = g.values[static_cast<std::size_t>(n.inputs[static_cast<std::size_t>(scales_index)])];
    if (!s.constant) return error(ErrorCode::unsupported, g.where(n), ": scales must be constant");
    if (s.dtype != DType::f32 || s.element_count() != 4)
      return error(ErrorCode::invalid_model, g.where(n), ": scales must be 4 floats");
    const float* scales = s.data_as<float>();
    if (scales[0] != 1.0f || scales[1] != 1.0f)
      return error(ErrorCode::unsupported, g.where(n), ": only H and W may be resized");
    if (!(scales[2] > 0.0f && scales[3] > 0.0f && scales[2] < 65536.0f && scales[3] < 65536.0f)) {
      return error(ErrorCode::invalid_model, g.where(n), ": scales must be positive");
    }
    p.scale_h = scales[2];
    p.scale_w = scales[3];
  }
  Status status = ops::resize::prepare(p, out_h, out_w);
  if (!status) return error(ErrorCode::invalid_model, g.where(n), ": ", status.message());
  return {};
}
inline Status resize_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 4));
  ops::resize::Params p;
  TINYNN_RETURN_IF_ERROR(resize_params(c.graph, c.node, c.in(0).shape, p));
  c.set_output(0, DType::f32, DynShape{p.output[0], p.output[3], p.output[1], p.output[2]});
  return {};
}
inline KernelResult resize_bind(BindContext& c) {
  ops::resize::Params p;
  TINYNN_RETURN_IF_ERROR(resize_params(c.graph, c.node, c.inputs[0].shape, p));
  const NhwcStaging staging(c.inputs[0], c.input_layouts[0], c.outputs[0], c.output_layouts[0]);
  const backend::BackendId id = runtime_backend();
  return make_kernel(
      [=]() noexcept { staging.run([&](const float* x, float* y) noexcept { ops::resize::run(id, p, x, y); }); });
}

}  // namespace tinynn::graph::op
