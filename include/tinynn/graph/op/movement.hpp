// tinynn — graph handlers of the axis-based data-movement ops, over ops/ (any element type):
// Transpose (ops/transpose), Concat (ops/concat; NHWC-aware), Split (ops/split), Slice (ops/slice),
// Pad (ops/pad), and the internal ToLayout (NCHW <-> NHWC) the layout pass inserts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "tinynn/graph/kernel.hpp"
#include "tinynn/graph/op/nn.hpp"
#include "tinynn/graph/op/tensor.hpp"
#include "tinynn/ops/concat.hpp"
#include "tinynn/ops/pad.hpp"
#include "tinynn/ops/slice.hpp"
#include "tinynn/ops/split.hpp"
#include "tinynn/ops/transpose.hpp"

namespace tinynn::graph::op {

// ---------------------------------------------------------------------------------------------
// Transpose

inline Result<std::vector<std::int64_t>> transpose_perm(const Node& node, std::size_t rank) {
  std::vector<std::int64_t> perm = node.attr_ints("perm");
  if (perm.empty()) {
    for (std::size_t i = rank; i-- > 0;) perm.push_back(static_cast<std::int64_t>(i));
  }
  return perm;
}

inline Status transpose_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  auto perm = transpose_perm(c.node, c.in(0).shape.rank());
  ops::transpose::Params p;
  p.input = c.in(0).shape;
  Status status = ops::transpose::prepare(p, *perm);
  if (!status) return c.fail(ErrorCode::invalid_model, status.message());
  c.set_output(0, c.in(0).dtype, p.output);
  return {};
}
inline KernelResult transpose_bind(BindContext& c) {
  auto perm = transpose_perm(c.node, c.inputs[0].shape.rank());
  ops::transpose::Params p;
  p.input = c.inputs[0].shape;
  TINYNN_RETURN_IF_ERROR(ops::transpose::prepare(p, *perm).prepend(c.graph.where(c.node)));
  const void* x = c.inputs[0].data;
  void* y = c.outputs[0].data;
  return with_element_size(dtype_size(c.inputs[0].dtype), [&]<class T>() -> KernelResult {
    return make_kernel([=]() noexcept { ops::transpose::run(p, static_cast<const T*>(x), static_cast<T*>(y)); });
  });
}

// ---------------------------------------------------------------------------------------------
// ToLayout (internal): converts a 4-D value between NCHW and NHWC.

inline Status to_layout_infer(OpContext& c) {
  c.set_output(0, c.in(0).dtype, c.in(0).shape);
  return {};
}
inline KernelResult to_layout_bind(BindContext& c) {
  const TensorRef x = c.inputs[0], y = c.outputs[0];
  const bool to_nhwc = c.output_layouts[0] == Layout::nhwc;
  const auto n = static_cast<std::size_t>(x.shape[0]), ch = static_cast<std::size_t>(x.shape[1]),
             hw = static_cast<std::size_t>(x.shape[2] * x.shape[3]);
  if (ch == 1 || hw == 1 || c.input_layouts[0] == c.output_layouts[0]) return identity_bind(c);  // same bytes
  return with_element_size(dtype_size(x.dtype), [&]<class T>() -> KernelResult {
    return make_kernel([=]() noexcept {
      if (to_nhwc) {
        nchw_to_nhwc(static_cast<const T*>(x.data), static_cast<T*>(y.data), n, ch, hw);
      } else {
        nhwc_to_nchw(static_cast<const T*>(x.data), static_cast<T*>(y.data), n, ch, hw);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Concat

/// The physical axis of a logical axis for a layout.
[[nodiscard]] constexpr std::int64_t physical_axis(std::int64_t axis, Layout layout) noexcept {
  if (layout != Layout::nhwc) return axis;
  constexpr std::int64_t map[4] = {0, 3, 1, 2};
  return axis >= 0 && axis < 4 ? map[axis] : axis;
}

inline Status concat_infer(OpContext& c) {
  if (c.input_count() == 0) return c.fail(ErrorCode::invalid_model, "has no inputs");
  std::vector<DynShape> shapes;
  for (std::size_t i = 0; i < c.input_count(); ++i) {
    if (!c.has_input(i)) return c.fail(ErrorCode::invalid_model, "input ", i, " is missing");
    if (c.in(i).dtype != c.in(0).dtype) return c.fail(ErrorCode::invalid_model, "inputs have different dtypes");
    shapes.push_back(c.in(i).shape);
  }
  ops::concat::Params p;
  p.axis = c.node.attr_int("axis", c.node.opset < 4 ? 1 : 0);
  Status status = ops::concat::prepare(p, shapes);
  if (!status) return c.fail(ErrorCode::invalid_model, status.message());
  c.set_output(0, c.in(0).dtype, p.output);
  return {};
}
inline KernelResult concat_bind(BindContext& c) {
  const Layout layout = c.output_layouts[0];
  std::vector<DynShape> shapes;
  std::vector<const void*> inputs;
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    shapes.push_back(physical_shape(c.inputs[i].shape, c.input_layouts[i]));
    inputs.push_back(c.inputs[i].data);
  }
  std::int64_t axis = c.node.attr_int("axis", c.node.opset < 4 ? 1 : 0);
  if (axis < 0) axis += static_cast<std::int64_t>(c.outputs[0].shape.rank());
  ops::concat::Params p;
  p.axis = physical_axis(axis, layout);
  TINYNN_RETURN_IF_ERROR(ops::concat::prepare(p, shapes).prepend(c.graph.where(c.node)));
  void* y = c.outputs[0].data;
  return with_element_size(dtype_size(c.outputs[0].dtype), [&]<class T>() -> KernelResult {
    std::vector<const T*> typed;
    for (const void* in : inputs) typed.push_back(static_cast<const T*>(in));
    return make_kernel([=]() noexcept { ops::concat::run<T>(p, typed, shapes, static_cast<T*>(y)); });
  });
}

// ---------------------------------------------------------------------------------------------
// Split

inline Result<std::vector<std::int64_t>> split_sizes(const OpContext* c, const Node& node, const Graph& g) {
  if (node.opset >= 13) {
    if (node.input(1) >= 0) {
      auto sizes = constant_ints(g.values[static_cast<std::size_t>(node.inputs[1])]);
      if (!sizes) return std::move(sizes).error();
      return sizes;
    }
    return std::vector<std::int64_t>{};
  }
  (void)c;
  if (node.opset < 13 && node.input(1) >= 0) {  // opset 2 allowed a split input too
    return constant_ints(g.values[static_cast<std::size_t>(node.inputs[1])]);
  }
  return node.attr_ints("split");
}

inline Status split_prepare(const Graph& g, const Node& node, const DynShape& input, ops::split::Params& p,
                            std::vector<DynShape>& outputs) {
  auto sizes = split_sizes(nullptr, node, g);
  if (!sizes) return error(sizes.error().code(), g.where(node), ": ", sizes.error().message());
  p.axis = node.attr_int("axis", 0);
  p.input = input;
  std::int64_t axis = p.axis;
  if (!normalize_axis(axis, static_cast<std::int64_t>(input.rank()))) {
    return error(ErrorCode::invalid_model, g.where(node), ": axis ", p.axis, " out of range");
  }
  const std::size_t count = node.outputs.size();
  if (count == 0) return error(ErrorCode::invalid_model, g.where(node), ": has no outputs");
  std::vector<std::int64_t> explicit_sizes = *sizes;
  if (explicit_sizes.empty() && node.opset >= 18 && node.find("num_outputs")) {
    const std::int64_t extent = input[static_cast<std::size_t>(axis)];
    const auto n = static_cast<std::int64_t>(count);
    const std::int64_t chunk = (extent + n - 1) / n;
    for (std::int64_t i = 0; i < n; ++i)
      explicit_sizes.push_back(std::min(chunk, std::max<std::int64_t>(0, extent - i * chunk)));
  }
  outputs.assign(count, DynShape{});
  if (!explicit_sizes.empty() && explicit_sizes.size() != count) {
    return error(ErrorCode::invalid_model, g.where(node), ": ", explicit_sizes.size(), " split sizes for ", count,
                 " outputs");
  }
  Status status = ops::split::prepare(p, explicit_sizes, outputs);
  if (!status) return error(ErrorCode::invalid_model, g.where(node), ": ", status.message());
  return {};
}

inline Status split_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 2));
  ops::split::Params p;
  std::vector<DynShape> outputs;
  TINYNN_RETURN_IF_ERROR(split_prepare(c.graph, c.node, c.in(0).shape, p, outputs));
  for (std::size_t i = 0; i < outputs.size(); ++i) c.set_output(i, c.in(0).dtype, outputs[i]);
  return {};
}
inline KernelResult split_bind(BindContext& c) {
  ops::split::Params p;
  std::vector<DynShape> shapes;
  TINYNN_RETURN_IF_ERROR(split_prepare(c.graph, c.node, c.inputs[0].shape, p, shapes));
  const void* x = c.inputs[0].data;
  std::vector<void*> outputs;
  std::vector<std::shared_ptr<AlignedBuffer>> unused;
  for (std::size_t i = 0; i < c.outputs.size(); ++i) {
    if (c.outputs[i].data) {
      outputs.push_back(c.outputs[i].data);
    } else {  // an output nobody wants still needs somewhere to go
      unused.push_back(std::make_shared<AlignedBuffer>(shapes[i].size() * dtype_size(c.inputs[0].dtype)));
      outputs.push_back(unused.back()->data());
    }
  }
  return with_element_size(dtype_size(c.inputs[0].dtype), [&]<class T>() -> KernelResult {
    std::vector<T*> typed;
    for (void* out : outputs) typed.push_back(static_cast<T*>(out));
    return make_kernel([=]() noexcept { ops::split::run<T>(p, static_cast<const T*>(x), typed, shapes); });
  });
}

// ---------------------------------------------------------------------------------------------
// Slice

inline Status slice_prepare(const Graph& g, const Node& node, const DynShape& input, ops::slice::Params& p) {
  std::vector<std::int64_t> starts, ends, axes, steps;
  if (node.opset < 10) {
    starts = node.attr_ints("starts");
    ends = node.attr_ints("ends");
    axes = node.attr_ints("axes");
  } else {
    auto read = [&](std::size_t i, std::vector<std::int64_t>& out) -> Status {
      if (node.input(i) < 0) return {};
      auto v = constant_ints(g.values[static_cast<std::size_t>(node.inputs[i])]);
      if (!v) return error(v.error().code(), g.where(node), ": input ", i, ": ", v.error().message());
      out = std::move(*v);
      return {};
    };
    TINYNN_RETURN_IF_ERROR(read(1, starts));
    TINYNN_RETURN_IF_ERROR(read(2, ends));
    TINYNN_RETURN_IF_ERROR(read(3, axes));
    TINYNN_RETURN_IF_ERROR(read(4, steps));
  }
  p.input = input;
  Status status = ops::slice::prepare(p, starts, ends, axes, steps);
  if (!status) return error(ErrorCode::invalid_model, g.where(node), ": ", status.message());
  return {};
}

inline Status slice_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 5));
  ops::slice::Params p;
  TINYNN_RETURN_IF_ERROR(slice_prepare(c.graph, c.node, c.in(0).shape, p));
  c.set_output(0, c.in(0).dtype, p.output);
  return {};
}
inline KernelResult slice_bind(BindContext& c) {
  ops::slice::Params p;
  TINYNN_RETURN_IF_ERROR(slice_prepare(c.graph, c.node, c.inputs[0].shape, p));
  const void* x = c.inputs[0].data;
  void* y = c.outputs[0].data;
  return with_element_size(dtype_size(c.inputs[0].dtype), [&]<class T>() -> KernelResult {
    return make_kernel([=]() noexcept { ops::slice::run<T>(p, static_cast<const T*>(x), static_cast<T*>(y)); });
  });
}

// ---------------------------------------------------------------------------------------------
// Pad

inline Status pad_prepare(const Graph& g, const Node& node, const DynShape& input, ops::pad::Params& p,
                          std::uint64_t& value_bits, DType dtype) {
  std::vector<std::int64_t> pads, axes;
  value_bits = 0;
  const std::size_t element = dtype_size(dtype);
  if (node.opset < 11) {
    pads = node.attr_ints(node.opset < 2 ? "paddings" : "pads");
    const float value = node.attr_float("value", 0.0f);
    if (dtype == DType::f32) std::memcpy(&value_bits, &value, 4);
  } else {
    if (node.input(1) < 0) return error(ErrorCode::invalid_model, g.where(node), ": pads input is missing");
    auto v = constant_ints(g.values[static_cast<std::size_t>(node.inputs[1])]);
    if (!v) return error(v.error().code(), g.where(node), ": pads: ", v.error().message());
    pads = std::move(*v);
    if (node.input(2) >= 0) {
      const Value& cv = g.values[static_cast<std::size_t>(node.inputs[2])];
      if (!cv.constant) return error(ErrorCode::unsupported, g.where(node), ": constant_value must be constant");
      if (cv.element_count() >= 1) std::memcpy(&value_bits, cv.data, element);
    }
    if (node.input(3) >= 0) {
      auto a = constant_ints(g.values[static_cast<std::size_t>(node.inputs[3])]);
      if (!a) return error(a.error().code(), g.where(node), ": axes: ", a.error().message());
      axes = std::move(*a);
    }
  }
  const std::string_view mode = node.attr_string("mode", "constant");
  if (mode == "constant") {
    p.mode = ops::PadMode::constant;
  } else if (mode == "reflect") {
    p.mode = ops::PadMode::reflect;
  } else if (mode == "edge") {
    p.mode = ops::PadMode::edge;
  } else if (mode == "wrap") {
    p.mode = ops::PadMode::wrap;
  } else {
    return error(ErrorCode::unsupported, g.where(node), ": mode '", mode, "' is not supported");
  }
  p.input = input;
  Status status = ops::pad::prepare(p, pads, axes);
  if (!status) return error(ErrorCode::invalid_model, g.where(node), ": ", status.message());
  return {};
}

inline Status pad_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 4));
  ops::pad::Params p;
  std::uint64_t bits;
  TINYNN_RETURN_IF_ERROR(pad_prepare(c.graph, c.node, c.in(0).shape, p, bits, c.in(0).dtype));
  c.set_output(0, c.in(0).dtype, p.output);
  return {};
}
inline KernelResult pad_bind(BindContext& c) {
  ops::pad::Params p;
  std::uint64_t bits;
  TINYNN_RETURN_IF_ERROR(pad_prepare(c.graph, c.node, c.inputs[0].shape, p, bits, c.inputs[0].dtype));
  const void* x = c.inputs[0].data;
  void* y = c.outputs[0].data;
  return with_element_size(dtype_size(c.inputs[0].dtype), [&]<class T>() -> KernelResult {
    T value;
    std::memcpy(&value, &bits, sizeof(T));
    return make_kernel([=]() noexcept { ops::pad::run<T>(p, static_cast<const T*>(x), static_cast<T*>(y), value); });
  });
}

}  // namespace tinynn::graph::op
