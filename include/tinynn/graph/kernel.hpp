// tinynn — what an op handler sees. Every registered op has two functions:
//   infer(OpContext&)  validates attributes and inputs, sets each output's dtype and logical shape
//                      (constant inputs, e.g. a Reshape's shape, are readable here);
//   bind(BindContext&) returns a Kernel whose run() computes the op on buffers whose addresses are
//                      fixed at session compile time (no argument passing, no allocation per run).
// Constant folding runs the same bind() on constant inputs, so every op folds for free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tinynn/graph/ir.hpp"

namespace tinynn::graph {

/// A bound computation: all buffer addresses are captured at bind time.
struct Kernel {
  virtual ~Kernel() = default;
  virtual void run() noexcept = 0;
};

template <class F>
struct FunctionKernel final : Kernel {
  explicit FunctionKernel(F fn) : function(std::move(fn)) {}
  void run() noexcept override { function(); }
  F function;
};

template <class F>
[[nodiscard]] std::unique_ptr<Kernel> make_kernel(F function) {
  return std::make_unique<FunctionKernel<F>>(std::move(function));
}

using KernelResult = Result<std::unique_ptr<Kernel>>;

struct OpContext {
  Graph& graph;
  Node& node;
  std::uint64_t produced = 0;  // bit i: infer produced output i (whether or not the node names it)

  [[nodiscard]] std::size_t input_count() const noexcept { return node.inputs.size(); }
  [[nodiscard]] bool has_input(std::size_t i) const noexcept { return node.input(i) >= 0; }
  [[nodiscard]] const Value& in(std::size_t i) const noexcept {
    return graph.values[static_cast<std::size_t>(node.inputs[i])];
  }
  [[nodiscard]] bool has_output(std::size_t i) const noexcept { return node.output(i) >= 0; }
  [[nodiscard]] Value& out(std::size_t i) noexcept { return graph.values[static_cast<std::size_t>(node.outputs[i])]; }

  /// Sets output i (when the node has it) to dtype and shape.
  void set_output(std::size_t i, DType dtype, const DynShape& shape) noexcept {
    if (i < 64) produced |= std::uint64_t{1} << i;
    if (!has_output(i)) return;
    Value& v = out(i);
    v.dtype = dtype;
    v.shape = shape;
    v.has_shape = true;
  }

  template <class... Pieces>
  [[nodiscard]] Status fail(ErrorCode code, const Pieces&... pieces) const {
    return error(code, graph.where(node), ": ", pieces...);
  }
  /// Fails unless at least `min` inputs are present (the first `min` must all be given).
  [[nodiscard]] Status require_inputs(std::size_t min, std::size_t max = 64) const {
    if (node.inputs.size() < min || node.inputs.size() > max) {
      return fail(ErrorCode::invalid_model, "has ", node.inputs.size(), " inputs, expected ", min,
                  min == max ? "" : " or more");
    }
    for (std::size_t i = 0; i < min; ++i) {
      if (node.inputs[i] < 0) return fail(ErrorCode::invalid_model, "required input ", i, " is missing");
    }
    return {};
  }
  /// Fails unless each listed input (when present) is float32.
  [[nodiscard]] Status require_float(std::initializer_list<std::size_t> indices) const {
    for (std::size_t i : indices) {
      if (has_input(i) && in(i).dtype != DType::f32) {
        return fail(ErrorCode::invalid_model, "input ", i, " has dtype ", dtype_name(in(i).dtype), ", expected f32");
      }
    }
    return {};
  }
  /// Constant integer input i (int64/int32), for shape-like inputs.
  [[nodiscard]] Result<std::vector<std::int64_t>> constant_ints(std::size_t i) const {
    auto values = graph::constant_ints(in(i));
    if (!values) return fail(values.error().code(), "input ", i, ": ", values.error().message());
    return values;
  }
};

/// Operands of a kernel being bound: logical shapes, physical layouts, fixed data pointers.
struct BindContext {
  const Graph& graph;
  const Node& node;
  std::vector<TensorRef> inputs;   // data == nullptr for a missing optional input
  std::vector<TensorRef> outputs;  // data == nullptr for an unwanted optional output
  std::vector<Layout> input_layouts;
  std::vector<Layout> output_layouts;
  std::vector<const Value*> input_values;

  [[nodiscard]] bool has_input(std::size_t i) const noexcept { return i < input_values.size() && input_values[i]; }
  template <class... Pieces>
  [[nodiscard]] Status fail(ErrorCode code, const Pieces&... pieces) const {
    return error(code, graph.where(node), ": ", pieces...);
  }
};

using InferFn = Status (*)(OpContext&);
using BindFn = KernelResult (*)(BindContext&);

// ---- shape helpers shared by op handlers ----

/// Normalizes a possibly negative axis into [0, rank); false when out of range.
[[nodiscard]] constexpr bool normalize_axis(std::int64_t& axis, std::int64_t rank) noexcept {
  if (axis < -rank || axis >= rank) return false;
  if (axis < 0) axis += rank;
  return true;
}

/// Multidirectional (NumPy) broadcast of two shapes; false when incompatible.
[[nodiscard]] inline bool broadcast_shapes(const DynShape& a, const DynShape& b, DynShape& out) noexcept {
  const std::size_t rank = a.rank() > b.rank() ? a.rank() : b.rank();
  out = DynShape{};
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i + a.rank() >= rank ? a[i + a.rank() - rank] : 1;
    const std::int64_t db = i + b.rank() >= rank ? b[i + b.rank() - rank] : 1;
    std::int64_t d;
    if (da == db || db == 1) {
      d = da;
    } else if (da == 1) {
      d = db;
    } else {
      return false;
    }
    if (!out.push_back(d)) return false;
  }
  return true;
}

/// Element strides of `shape` broadcast to `target` (0 along broadcast dimensions), right-aligned.
[[nodiscard]] inline std::array<std::size_t, max_rank> broadcast_strides(const DynShape& shape,
                                                                         const DynShape& target) noexcept {
  std::array<std::size_t, max_rank> strides{};
  const std::size_t offset = target.rank() - shape.rank();
  std::size_t running = 1;
  for (std::size_t i = shape.rank(); i-- > 0;) {
    strides[i + offset] = shape[i] == 1 ? 0 : running;
    running *= static_cast<std::size_t>(shape[i]);
  }
  return strides;
}

/// Logical NCHW shape -> physical shape for a layout (rank-4 only for nhwc).
[[nodiscard]] inline DynShape physical_shape(const DynShape& logical, Layout layout) noexcept {
  if (layout != Layout::nhwc || logical.rank() != 4) return logical;
  return DynShape{logical[0], logical[2], logical[3], logical[1]};
}

}  // namespace tinynn::graph
