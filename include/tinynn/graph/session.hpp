// tinynn — compiling a graph into a Session, and running it.
//
// compile(): resolve input shapes (dynamic dimensions from the options, else 1) -> check every op
// against the registry (one error lists all unsupported nodes) -> infer shapes node by node, folding
// every node whose inputs are all constant by running its own kernel -> passes (graph/passes.hpp)
// -> plan memory (graph/planner.hpp) -> bind one kernel per node (weights packed here, once).
// Session::run() copies the inputs into the arena and calls the bound kernels: no allocation.
// Sessions share nothing mutable: two sessions of one model may run on two threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/graph/passes.hpp"
#include "tinynn/graph/planner.hpp"
#include "tinynn/graph/registry.hpp"

namespace tinynn {

struct CompileOptions {
  int threads = 1;  // intra-op threads (the kernels are single-threaded today)
  /// Shapes for graph inputs with dynamic dimensions (or to check static ones); others default
  /// every unknown dimension to 1.
  std::vector<std::pair<std::string, DynShape>> input_shapes = {};
  /// Graph inputs to freeze at compile time (copied): shape-like inputs (a Reshape's shape, Slice
  /// starts...) then fold as constants. They are no longer inputs of the session.
  std::vector<std::pair<std::string, TensorRef>> constant_inputs = {};
  bool optimize = true;                                   // fusion and layout passes
  std::size_t max_arena_bytes = std::size_t{1} << 32;     // refuse plans beyond this
  std::size_t max_constant_bytes = std::size_t{1} << 31;  // refuse folded constants beyond this
};

/// One input of Session::run: a graph input's name and the tensor to read it from.
struct NamedTensor {
  std::string_view name;
  TensorRef tensor;
};

/// Name, dtype and shape of a session input or output.
struct TensorInfo {
  std::string name;
  DType dtype = DType::f32;
  DynShape shape;
};

class Session {
 public:
  Session() = default;
  Session(Session&&) noexcept = default;
  Session& operator=(Session&&) noexcept = default;

  /// Runs the graph on the given inputs (every graph input, by name). No allocation.
  Status run(std::span<const NamedTensor> inputs) {
    for (const NamedTensor& given : inputs) {
      const Slot* slot = nullptr;
      for (const Slot& s : inputs_) {
        if (s.info.name == given.name) slot = &s;
      }
      if (!slot) return error(ErrorCode::invalid_argument, "run: the model has no input '", given.name, "'");
      TINYNN_RETURN_IF_ERROR(check_input(*slot, given.tensor));
    }
    if (inputs.size() != inputs_.size()) {
      return error(ErrorCode::invalid_argument, "run: the model has ", inputs_.size(), " inputs, ", inputs.size(),
                   " given");
    }
    for (const NamedTensor& given : inputs) {
      for (const Slot& s : inputs_) {
        if (s.info.name == given.name && s.data && given.tensor.data != s.data) {
          std::memcpy(s.data, given.tensor.data, given.tensor.bytes());
        }
      }
    }
    run_steps();
    return {};
  }
  Status run(std::initializer_list<NamedTensor> inputs) { return run(std::span(inputs.begin(), inputs.size())); }
  /// Runs with inputs given by position.
  Status run_positional(std::span<const TensorRef> inputs) {
    if (inputs.size() != inputs_.size()) {
      return error(ErrorCode::invalid_argument, "run: the model has ", inputs_.size(), " inputs, ", inputs.size(),
                   " given");
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) TINYNN_RETURN_IF_ERROR(check_input(inputs_[i], inputs[i]));
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      // An empty input (zero elements) may come with a null pointer: nothing to copy.
      if (inputs_[i].data && inputs[i].data && inputs[i].data != inputs_[i].data && inputs[i].bytes() != 0)
        std::memcpy(inputs_[i].data, inputs[i].data, inputs[i].bytes());
    }
    run_steps();
    return {};
  }

  [[nodiscard]] std::size_t input_count() const noexcept { return inputs_.size(); }
  [[nodiscard]] std::size_t output_count() const noexcept { return outputs_.size(); }
  [[nodiscard]] const TensorInfo& input_info(std::size_t i) const noexcept { return inputs_[i].info; }
  [[nodiscard]] const TensorInfo& output_info(std::size_t i) const noexcept { return outputs_[i].info; }
  /// The input buffer inside the arena (write an input there to avoid the copy, then run with it).
  [[nodiscard]] TensorRef input(std::size_t i) const noexcept {
    return TensorRef(inputs_[i].info.dtype, inputs_[i].info.shape, inputs_[i].data);
  }
  /// Output i of the last run (points into the session's arena: valid until the next run).
  [[nodiscard]] TensorRef output(std::size_t i) const noexcept {
    return TensorRef(outputs_[i].info.dtype, outputs_[i].info.shape, outputs_[i].data);
  }
  [[nodiscard]] Result<TensorRef> output(std::string_view name) const {
    for (std::size_t i = 0; i < outputs_.size(); ++i) {
      if (outputs_[i].info.name == name) return output(i);
    }
    return error(ErrorCode::invalid_argument, "the model has no output '", name, "'");
  }

  [[nodiscard]] std::size_t arena_bytes() const noexcept { return arena_.size(); }
  [[nodiscard]] std::size_t naive_bytes() const noexcept { return naive_bytes_; }
  [[nodiscard]] std::size_t step_count() const noexcept { return steps_.size(); }
  [[nodiscard]] backend::BackendId backend() const noexcept { return backend_; }
  /// The memory plan and the bound steps, one line each.
  [[nodiscard]] const std::string& plan_text() const noexcept { return plan_text_; }

 private:
  friend Result<Session> compile(const graph::Graph&, const CompileOptions&);

  struct Slot {
    TensorInfo info;
    std::byte* data = nullptr;
  };

  static Status check_input(const Slot& slot, const TensorRef& t) {
    if (t.dtype != slot.info.dtype || !(t.shape == slot.info.shape)) {
      return error(ErrorCode::invalid_argument, "run: input '", slot.info.name, "' is ", dtype_name(t.dtype), " ",
                   t.shape, ", the session was compiled for ", dtype_name(slot.info.dtype), " ", slot.info.shape);
    }
    if (!t.data && t.bytes())
      return error(ErrorCode::invalid_argument, "run: input '", slot.info.name, "' has no data");
    return {};
  }
  void run_steps() noexcept {
    for (const auto& step : steps_) step->run();
  }

  std::shared_ptr<const graph::Graph> graph_;  // compiled graph: owns folded constants
  graph::AlignedBuffer arena_;
  std::vector<std::unique_ptr<graph::Kernel>> steps_;
  std::vector<Slot> inputs_, outputs_;
  std::size_t naive_bytes_ = 0;
  backend::BackendId backend_ = backend::BackendId::scalar;
  std::string plan_text_;
};

namespace graph::detail {

/// Builds the bind context of a node: logical shapes, layouts, data pointers from `address`.
template <class Address>
BindContext make_bind_context(const Graph& g, const Node& n, Address&& address) {
  BindContext c{g, n, {}, {}, {}, {}, {}};
  for (int in : n.inputs) {
    if (in < 0) {
      c.inputs.emplace_back();
      c.input_layouts.push_back(Layout::canonical);
      c.input_values.push_back(nullptr);
      continue;
    }
    const Value& v = g.values[static_cast<std::size_t>(in)];
    c.inputs.emplace_back(v.dtype, v.shape, address(in), v.quant);
    c.input_layouts.push_back(v.layout);
    c.input_values.push_back(&v);
  }
  for (int out : n.outputs) {
    if (out < 0) {
      c.outputs.emplace_back();
      c.output_layouts.push_back(Layout::canonical);
      continue;
    }
    const Value& v = g.values[static_cast<std::size_t>(out)];
    c.outputs.emplace_back(v.dtype, v.shape, address(out), v.quant);
    c.output_layouts.push_back(v.layout);
  }
  return c;
}

/// The input value whose buffer a node's output 0 can share (Reshape-like ops, and ToLayout where
/// both layouts have the same bytes), or -1.
inline int alias_source(const Graph& g, const Node& n) {
  if (n.inputs.empty() || n.outputs.empty() || n.inputs[0] < 0 || n.outputs[0] < 0) return -1;
  const OpEntry* entry = find_op(n.domain, n.op_type, n.opset);
  if (!entry || !(entry->flags & op_alias)) return -1;
  const Value& in = g.values[static_cast<std::size_t>(n.inputs[0])];
  const Value& out = g.values[static_cast<std::size_t>(n.outputs[0])];
  if (in.constant || out.constant || in.dtype != out.dtype || in.bytes() != out.bytes()) return -1;
  if (n.op_type == "ToLayout") {
    if (in.shape.rank() != 4) return -1;
    const bool same_bytes = in.layout == out.layout || in.shape[1] == 1 || in.shape[2] * in.shape[3] == 1;
    if (!same_bytes) return -1;
  } else if (in.layout != Layout::canonical || out.layout != Layout::canonical) {
    return -1;
  }
  return n.inputs[0];
}

/// Runs a node whose inputs are all constant, making its outputs constants.
inline Status fold_node(Graph& g, Node& n, const OpEntry& entry, const CompileOptions& options) {
  std::vector<std::shared_ptr<AlignedBuffer>> storage(n.outputs.size());
  for (std::size_t k = 0; k < n.outputs.size(); ++k) {
    if (n.outputs[k] < 0) continue;
    const Value& v = g.values[static_cast<std::size_t>(n.outputs[k])];
    if (v.bytes() > options.max_constant_bytes) {
      return error(ErrorCode::out_of_memory, g.where(n), ": folding would create a constant of ", v.bytes(),
                   " bytes (limit ", options.max_constant_bytes, ")");
    }
    storage[k] = std::make_shared<AlignedBuffer>(v.bytes());
  }
  auto address = [&](int value) -> void* {
    const Value& v = g.values[static_cast<std::size_t>(value)];
    if (v.constant) return const_cast<std::byte*>(v.data);
    for (std::size_t k = 0; k < n.outputs.size(); ++k) {
      if (n.outputs[k] == value) return storage[k]->data();
    }
    return nullptr;
  };
  BindContext c = make_bind_context(g, n, address);
  auto kernel = entry.bind(c);
  if (!kernel) return std::move(kernel).error();
  (*kernel)->run();
  for (std::size_t k = 0; k < n.outputs.size(); ++k) {
    if (n.outputs[k] < 0) continue;
    Value& v = g.values[static_cast<std::size_t>(n.outputs[k])];
    v.constant = true;
    v.data = storage[k]->data();
    v.keep_alive = std::move(storage[k]);
    v.producer = -1;
  }
  n.removed = true;
  return {};
}

inline Status freeze_inputs(Graph& g, const CompileOptions& options) {
  for (const auto& frozen : options.constant_inputs) {
    const std::string& name = frozen.first;
    const TensorRef& tensor = frozen.second;
    auto found = std::find_if(g.inputs.begin(), g.inputs.end(),
                              [&](int in) { return g.values[static_cast<std::size_t>(in)].name == name; });
    if (found == g.inputs.end())
      return error(ErrorCode::invalid_argument, g.source, ": the model has no input '", name, "'");
    Value& v = g.values[static_cast<std::size_t>(*found)];
    if (v.dtype != tensor.dtype) {
      return error(ErrorCode::invalid_argument, g.source, ": input '", name, "' is ", dtype_name(v.dtype), ", given ",
                   dtype_name(tensor.dtype));
    }
    auto storage = std::make_shared<AlignedBuffer>(tensor.bytes());
    if (tensor.bytes()) std::memcpy(storage->data(), tensor.data, tensor.bytes());
    v.shape = tensor.shape;
    v.has_shape = true;
    v.constant = true;
    v.data = storage->data();
    v.keep_alive = std::move(storage);
    g.inputs.erase(found);
  }
  return {};
}

inline Status resolve_inputs(Graph& g, const CompileOptions& options) {
  for (const auto& [name, shape] : options.input_shapes) {
    bool found = false;
    for (int in : g.inputs) found = found || g.values[static_cast<std::size_t>(in)].name == name;
    if (!found) return error(ErrorCode::invalid_argument, g.source, ": the model has no input '", name, "'");
  }
  for (int in : g.inputs) {
    Value& v = g.values[static_cast<std::size_t>(in)];
    const DynShape* given = nullptr;
    for (const auto& [name, shape] : options.input_shapes) {
      if (name == v.name) given = &shape;
    }
    if (given) {
      if (v.has_shape && v.shape.rank() != given->rank()) {
        return error(ErrorCode::invalid_argument, g.source, ": input '", v.name, "' has rank ", v.shape.rank(),
                     ", given shape ", *given);
      }
      for (std::size_t d = 0; v.has_shape && d < given->rank(); ++d) {
        if (v.shape[d] >= 0 && v.shape[d] != (*given)[d]) {
          return error(ErrorCode::invalid_argument, g.source, ": input '", v.name, "' has shape ", v.shape,
                       ", given shape ", *given);
        }
      }
      v.shape = *given;
      v.has_shape = true;
    } else if (!v.has_shape) {
      return error(ErrorCode::invalid_argument, g.source, ": input '", v.name,
                   "' declares no shape: give one in CompileOptions::input_shapes");
    } else {
      for (std::size_t d = 0; d < v.shape.rank(); ++d) {
        if (v.shape[d] < 0) v.shape[d] = 1;
      }
    }
    for (std::int64_t d : v.shape) {
      if (d < 0) return error(ErrorCode::invalid_argument, g.source, ": input '", v.name, "' has a negative dimension");
    }
    auto count = v.shape.element_count();
    if (!count) return error(ErrorCode::invalid_model, g.source, ": input '", v.name, "': ", count.error().message());
  }
  return {};
}

inline Status check_supported(const Graph& g) {
  std::string missing;
  std::size_t count = 0;
  for (const Node& n : g.nodes) {
    if (find_op(n.domain, n.op_type, n.opset)) continue;
    ++count;
    if (count > 1) missing += ", ";
    missing += "'" + n.name + "' (" + (n.domain.empty() ? "" : n.domain + ".") + n.op_type + ", opset " +
               std::to_string(n.opset);
    if (const OpEntry* any = find_op_any_opset(n.domain, n.op_type)) {
      missing += ": supported for opsets " + std::to_string(any->since) + "-" + std::to_string(any->until);
    }
    missing += ")";
  }
  if (count == 0) return {};
  return error(ErrorCode::unsupported, g.source, ": ", count, " unsupported node", count > 1 ? "s" : "", ": ", missing);
}

/// After a node's shape inference: every output the node names must be one the op produces, and every
/// output the op produces must be named unless the op accepts it left out (kernels write through the
/// output pointers they are given: an unnamed required output would be a null buffer).
inline Status check_outputs(const Graph& g, const Node& n, std::uint64_t produced) {
  int count = 0;
  for (std::uint64_t bits = produced; bits != 0; bits >>= 1) ++count;
  const std::uint64_t omittable = omittable_outputs(n.domain, n.op_type);
  for (std::size_t k = 0; k < n.outputs.size(); ++k) {
    const bool made = k < 64 && ((produced >> k) & 1u) != 0;
    if (n.outputs[k] >= 0) {
      const Value& v = g.values[static_cast<std::size_t>(n.outputs[k])];
      if (!made && !v.constant) {
        return error(ErrorCode::invalid_model, g.where(n), ": names ", n.outputs.size(), " outputs, but ", n.op_type,
                     " produces ", count, " here (output ", k, " '", v.name, "' has nothing to hold)");
      }
    } else if (made && (k >= 64 || ((omittable >> k) & 1u) == 0)) {
      return error(ErrorCode::invalid_model, g.where(n), ": output ", k, " of ", n.op_type,
                   " is required but has an empty name");
    }
  }
  return {};
}

/// Shape inference with constant folding, node by node.
inline Status infer_and_fold(Graph& g, const CompileOptions& options) {
  for (Node& n : g.nodes) {
    const OpEntry* entry = find_op(n.domain, n.op_type, n.opset);
    for (int in : n.inputs) {
      if (in < 0) continue;
      const Value& v = g.values[static_cast<std::size_t>(in)];
      if (!v.has_shape) {
        return error(ErrorCode::internal, g.where(n), ": input '", v.name, "' has no inferred shape");
      }
    }
    if (n.input(0) >= 0 && entry->dtypes != any_dtype) {
      const DType t = g.values[static_cast<std::size_t>(n.inputs[0])].dtype;
      if ((entry->dtypes & dtype_bit(t)) == 0) {
        return error(ErrorCode::unsupported, g.where(n), ": input dtype ", dtype_name(t), " is not supported");
      }
    }
    if (n.op_type != "Constant" && (n.inputs.empty() || n.inputs[0] < 0)) {
      return error(ErrorCode::invalid_model, g.where(n), ": the required first input is missing");
    }
    if (entry->dtypes == float_only) {  // float ops: float data, integer parameters (axes, sizes, lengths)
      for (std::size_t k = 0; k < n.inputs.size(); ++k) {
        if (n.inputs[k] < 0) continue;
        const DType t = g.values[static_cast<std::size_t>(n.inputs[k])].dtype;
        if (t != DType::f32 && t != DType::i64 && t != DType::i32) {
          return error(ErrorCode::unsupported, g.where(n), ": input ", k, " has dtype ", dtype_name(t),
                       ", expected f32");
        }
      }
    }
    OpContext context{g, n};
    TINYNN_RETURN_IF_ERROR(entry->infer(context));
    TINYNN_RETURN_IF_ERROR(check_outputs(g, n, context.produced));
    bool all_constant = true;
    bool has_outputs = false;
    for (int out : n.outputs) {
      if (out < 0) continue;
      has_outputs = true;
      Value& v = g.values[static_cast<std::size_t>(out)];
      if (v.constant) continue;  // Constant: set by infer
      all_constant = false;
      if (!v.has_shape) return error(ErrorCode::internal, g.where(n), ": output '", v.name, "' has no inferred shape");
      auto count = v.shape.element_count();
      if (!count)
        return error(ErrorCode::invalid_model, g.where(n), ": output '", v.name, "': ", count.error().message());
    }
    if (!has_outputs || all_constant) {
      n.removed = true;  // Constant nodes, or nodes with nothing to compute
      continue;
    }
    bool inputs_constant = true;
    for (int in : n.inputs)
      inputs_constant = inputs_constant && (in < 0 || g.values[static_cast<std::size_t>(in)].constant);
    if (inputs_constant || (entry->flags & op_shape_only)) TINYNN_RETURN_IF_ERROR(fold_node(g, n, *entry, options));
  }
  return {};
}

}  // namespace graph::detail

/// Compiles a graph into a runnable session (see the file comment).
[[nodiscard]] inline Result<Session> compile(const graph::Graph& source, const CompileOptions& options = {}) {
  using namespace graph;
  auto compiled = std::make_shared<Graph>(source);
  Graph& g = *compiled;
  std::vector<std::string> output_names;
  for (int out : g.outputs) output_names.push_back(g.values[static_cast<std::size_t>(out)].name);
  TINYNN_RETURN_IF_ERROR(graph::detail::check_supported(g));
  TINYNN_RETURN_IF_ERROR(graph::detail::freeze_inputs(g, options));
  TINYNN_RETURN_IF_ERROR(graph::detail::resolve_inputs(g, options));
  TINYNN_RETURN_IF_ERROR(graph::detail::infer_and_fold(g, options));
  eliminate_dead(g);
  eliminate_identities(g);
  if (options.optimize) {
    fuse_matmul_add(g);
    fold_batch_norm(g);
    fuse_activations(g);
    eliminate_dead(g);
    assign_layouts(g);
  }
  eliminate_dead(g);

  // Buffers: graph inputs and the outputs of live nodes.
  const int end = static_cast<int>(g.nodes.size());
  std::vector<int> buffer_of(g.values.size(), -1);
  std::vector<BufferRequest> requests;
  std::vector<int> buffer_values;
  auto request = [&](int value, int first) {
    if (value < 0 || buffer_of[static_cast<std::size_t>(value)] >= 0) return;
    const Value& v = g.values[static_cast<std::size_t>(value)];
    if (v.constant) return;
    buffer_of[static_cast<std::size_t>(value)] = static_cast<int>(requests.size());
    requests.push_back({v.bytes(), first, first});
    buffer_values.push_back(value);
  };
  for (int in : g.inputs) request(in, -1);
  std::vector<bool> aliased(g.nodes.size(), false);
  for (int step = 0; step < end; ++step) {
    const Node& n = g.nodes[static_cast<std::size_t>(step)];
    const int source = graph::detail::alias_source(g, n);
    if (source >= 0 && buffer_of[static_cast<std::size_t>(source)] >= 0 &&
        buffer_of[static_cast<std::size_t>(n.outputs[0])] < 0) {
      // The output is the input's buffer; reads of either extend the one lifetime below.
      buffer_of[static_cast<std::size_t>(n.outputs[0])] = buffer_of[static_cast<std::size_t>(source)];
      aliased[static_cast<std::size_t>(step)] = true;
    }
    for (int out : n.outputs) request(out, step);
    for (int in : n.inputs) {
      if (in >= 0 && buffer_of[static_cast<std::size_t>(in)] >= 0) {
        BufferRequest& r = requests[static_cast<std::size_t>(buffer_of[static_cast<std::size_t>(in)])];
        if (r.last_step < step) r.last_step = step;
      }
    }
  }
  for (int out : g.outputs) {
    if (buffer_of[static_cast<std::size_t>(out)] >= 0)
      requests[static_cast<std::size_t>(buffer_of[static_cast<std::size_t>(out)])].last_step = end;
  }
  // Graph inputs stay valid through the whole run (callers may read them back).
  for (int in : g.inputs) {
    if (buffer_of[static_cast<std::size_t>(in)] >= 0)
      requests[static_cast<std::size_t>(buffer_of[static_cast<std::size_t>(in)])].last_step = end;
  }
  const MemoryPlan plan = plan_memory(requests);
  if (plan.arena_bytes > options.max_arena_bytes) {
    return error(ErrorCode::out_of_memory, g.source, ": the memory plan needs ", plan.arena_bytes,
                 " bytes, more than the limit of ", options.max_arena_bytes);
  }

  Session session;
  session.arena_ = AlignedBuffer(plan.arena_bytes);
  session.naive_bytes_ = plan.naive_bytes;
  session.backend_ = runtime_backend();
  std::byte* base = session.arena_.data();
  auto address = [&](int value) -> void* {
    const Value& v = g.values[static_cast<std::size_t>(value)];
    if (v.constant) return const_cast<std::byte*>(v.data);
    const int b = buffer_of[static_cast<std::size_t>(value)];
    return b >= 0 ? base + plan.offsets[static_cast<std::size_t>(b)] : nullptr;
  };
  std::string& text = session.plan_text_;
  text = "arena " + std::to_string(plan.arena_bytes) + " bytes (" + std::to_string(plan.naive_bytes) +
         " without reuse), backend " + std::string(backend::name_of(session.backend_)) + "\n";
  for (std::size_t b = 0; b < requests.size(); ++b) {
    const Value& v = g.values[static_cast<std::size_t>(buffer_values[b])];
    text += "  buffer @" + std::to_string(plan.offsets[b]) + " " + std::to_string(requests[b].bytes) + " B steps " +
            std::to_string(requests[b].first_step) + ".." + std::to_string(requests[b].last_step) + "  '" + v.name +
            "' " + std::string(dtype_name(v.dtype)) + " " + std::string(v.shape.str().view()) +
            (v.layout == Layout::nhwc ? " NHWC" : "") + "\n";
  }
  for (std::size_t step = 0; step < g.nodes.size(); ++step) {
    const Node& n = g.nodes[step];
    const OpEntry* entry = find_op(n.domain, n.op_type, n.opset);
    if (!entry) return error(ErrorCode::internal, g.where(n), ": no registry entry after the passes");
    if (aliased[step]) {
      text += "  alias: " + n.op_type + " '" + n.name + "' output shares its input's buffer\n";
      continue;
    }
    BindContext c = graph::detail::make_bind_context(g, n, address);
    auto kernel = entry->bind(c);
    if (!kernel) return std::move(kernel).error();
    session.steps_.push_back(std::move(*kernel));
    text += "  step " + std::to_string(session.steps_.size() - 1) + ": " + n.op_type + " '" + n.name + "'" +
            (n.activation.kind != ops::Activation::none ? " +activation" : "") + "\n";
  }
  for (int in : g.inputs) {
    const Value& v = g.values[static_cast<std::size_t>(in)];
    session.inputs_.push_back({{v.name, v.dtype, v.shape}, static_cast<std::byte*>(address(in))});
  }
  for (std::size_t i = 0; i < g.outputs.size(); ++i) {
    const Value& v = g.values[static_cast<std::size_t>(g.outputs[i])];
    session.outputs_.push_back({{output_names[i], v.dtype, v.shape}, static_cast<std::byte*>(address(g.outputs[i]))});
  }
  session.graph_ = std::move(compiled);
  return session;
}

}  // namespace tinynn
