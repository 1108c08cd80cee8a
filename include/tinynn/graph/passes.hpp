// tinynn — graph passes, run by Session compile after shape inference and constant folding:
//   eliminate_identities   Identity/Dropout removed (consumers read the input directly)
//   fold_batch_norm        Conv/FullyConnected followed by BatchNormalization -> new weights and bias
//   fuse_matmul_add        MatMul(x, W) + Add(b) and Gemm with constant B -> FullyConnected
//   fuse_activations       Relu/Clip/LeakyRelu/Sigmoid/Tanh/HardSwish into the producing Conv/FC/Add
//   assign_layouts         4-D activations between NHWC ops stay NHWC; ToLayout nodes are inserted
//                          only where an op needs the logical (NCHW) order, so ONNX semantics stay exact
//                          at Flatten/Reshape/Transpose/Concat-axis boundaries
//   eliminate_dead         nodes whose outputs nobody reads
// Every pass keeps the graph valid (topological order, producers, shapes).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "tinynn/graph/registry.hpp"

namespace tinynn::graph {

namespace detail {

/// Number of readers of each value (graph outputs count as readers).
[[nodiscard]] inline std::vector<int> use_counts(const Graph& g) {
  std::vector<int> uses(g.values.size(), 0);
  for (const Node& n : g.nodes) {
    if (n.removed) continue;
    for (int in : n.inputs) {
      if (in >= 0) ++uses[static_cast<std::size_t>(in)];
    }
  }
  for (int out : g.outputs) ++uses[static_cast<std::size_t>(out)];
  return uses;
}

[[nodiscard]] inline bool is_graph_output(const Graph& g, int value) noexcept {
  for (int out : g.outputs) {
    if (out == value) return true;
  }
  return false;
}

/// Replaces every read of `from` by `to` (node inputs and graph outputs).
inline void replace_uses(Graph& g, int from, int to) {
  for (Node& n : g.nodes) {
    if (n.removed) continue;
    for (int& in : n.inputs) {
      if (in == from) in = to;
    }
  }
  for (int& out : g.outputs) {
    if (out == from) out = to;
  }
}

/// The single live node reading `value`, or -1.
[[nodiscard]] inline int single_consumer(const Graph& g, int value) {
  int found = -1;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.removed) continue;
    for (int in : n.inputs) {
      if (in == value) {
        if (found >= 0 && found != static_cast<int>(i)) return -1;
        found = static_cast<int>(i);
      }
    }
  }
  return found;
}

inline void renumber_producers(Graph& g) {
  for (Value& v : g.values) {
    if (!v.constant) v.producer = -1;
  }
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    for (int out : g.nodes[i].outputs) {
      if (out >= 0) g.values[static_cast<std::size_t>(out)].producer = static_cast<int>(i);
    }
  }
}

[[nodiscard]] inline bool is_op(const Node& n, std::string_view op_type, std::string_view domain = "") noexcept {
  return !n.removed && n.op_type == op_type && n.domain == domain;
}

}  // namespace detail

inline void eliminate_identities(Graph& g) {
  for (Node& n : g.nodes) {
    if (n.removed || n.domain != "") continue;
    if (n.op_type != "Identity" && n.op_type != "Dropout") continue;
    if (n.op_type == "Dropout" && n.output(1) >= 0 &&
        detail::use_counts(g)[static_cast<std::size_t>(n.outputs[1])] > 0) {
      continue;
    }
    const int in = n.input(0), out = n.output(0);
    if (in < 0 || out < 0) continue;
    // A graph output that would become a graph input or another output keeps its copy.
    if (detail::is_graph_output(g, out) &&
        (g.values[static_cast<std::size_t>(in)].producer < 0 || detail::is_graph_output(g, in))) {
      continue;
    }
    n.removed = true;
    detail::replace_uses(g, out, in);
  }
}

/// Conv (constant weights) -> BatchNormalization (constant parameters): scale the weights and bias.
inline void fold_batch_norm(Graph& g) {
  for (Node& bn : g.nodes) {
    if (!detail::is_op(bn, "BatchNormalization") || bn.inputs.size() < 5) continue;
    if (bn.outputs.size() > 1 && (bn.output(1) >= 0 || bn.output(2) >= 0)) continue;  // training outputs
    const int x = bn.input(0);
    const Value& xv = g.values[static_cast<std::size_t>(x)];
    if (xv.producer < 0) continue;
    Node& conv = g.nodes[static_cast<std::size_t>(xv.producer)];
    const bool is_conv = detail::is_op(conv, "Conv");
    const bool is_fc = detail::is_op(conv, "FullyConnected", "tinynn");
    if (!is_conv && !is_fc) continue;
    if (conv.activation.kind != ops::Activation::none) continue;
    if (detail::single_consumer(g, x) < 0 || detail::is_graph_output(g, x)) continue;
    const Value& w = g.values[static_cast<std::size_t>(conv.input(1))];
    if (!w.constant || w.dtype != DType::f32) continue;
    if (is_fc && conv.attr_int("transB", 1) != 1) continue;
    const std::int64_t channels = w.shape[0];
    bool constant_params = true;
    for (std::size_t i = 1; i < 5; ++i) {
      const Value& p = g.values[static_cast<std::size_t>(bn.inputs[i])];
      constant_params = constant_params && p.constant && p.dtype == DType::f32 &&
                        static_cast<std::int64_t>(p.element_count()) == channels;
    }
    if (!constant_params) continue;
    if (conv.input(2) >= 0 && !g.values[static_cast<std::size_t>(conv.inputs[2])].constant) continue;
    const float epsilon = bn.attr_float("epsilon", 1e-5f);
    const float* scale = g.values[static_cast<std::size_t>(bn.inputs[1])].data_as<float>();
    const float* shift = g.values[static_cast<std::size_t>(bn.inputs[2])].data_as<float>();
    const float* mean = g.values[static_cast<std::size_t>(bn.inputs[3])].data_as<float>();
    const float* var = g.values[static_cast<std::size_t>(bn.inputs[4])].data_as<float>();
    const DynShape w_shape = w.shape;
    const std::size_t per_channel = w.element_count() / static_cast<std::size_t>(channels);
    const float* old_w = w.data_as<float>();
    const float* old_b =
        conv.input(2) >= 0 ? g.values[static_cast<std::size_t>(conv.inputs[2])].data_as<float>() : nullptr;
    auto [w_index, w_data] = g.add_constant(w.name + "/bn_folded", DType::f32, w_shape);
    auto [b_index, b_data] = g.add_constant(bn.name + "/bn_folded_bias", DType::f32, DynShape{channels});
    auto* new_w = reinterpret_cast<float*>(w_data);
    auto* new_b = reinterpret_cast<float*>(b_data);
    for (std::int64_t c = 0; c < channels; ++c) {
      const auto ci = static_cast<std::size_t>(c);
      const float s = scale[ci] / std::sqrt(var[ci] + epsilon);
      for (std::size_t k = 0; k < per_channel; ++k) new_w[ci * per_channel + k] = old_w[ci * per_channel + k] * s;
      new_b[ci] = ((old_b ? old_b[ci] : 0.0f) - mean[ci]) * s + shift[ci];
    }
    Node& producer = g.nodes[static_cast<std::size_t>(g.values[static_cast<std::size_t>(x)].producer)];
    producer.inputs[1] = w_index;
    if (producer.inputs.size() < 3) producer.inputs.resize(3, -1);
    producer.inputs[2] = b_index;
    const int y = bn.output(0);
    producer.outputs[0] = y;
    g.values[static_cast<std::size_t>(y)].producer = g.values[static_cast<std::size_t>(x)].producer;
    bn.removed = true;
  }
}

/// MatMul(x, W[K,N] constant) [+ Add(bias[N] constant)] and Gemm(constant B) -> FullyConnected.
inline void fuse_matmul_add(Graph& g) {
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (detail::is_op(n, "Gemm")) {
      if (n.inputs.size() < 2 || n.attr_int("transA", 0) != 0) continue;
      if (n.attr_float("alpha", 1.0f) != 1.0f) continue;
      const Value& b = g.values[static_cast<std::size_t>(n.inputs[1])];
      if (!b.constant || b.shape.rank() != 2) continue;
      const std::int64_t out_features = n.attr_int("transB", 0) ? b.shape[0] : b.shape[1];
      if (n.input(2) >= 0) {
        const Value& c = g.values[static_cast<std::size_t>(n.inputs[2])];
        if (!c.constant || static_cast<std::int64_t>(c.element_count()) != out_features ||
            c.shape[c.shape.rank() - 1] != out_features || n.attr_float("beta", 1.0f) != 1.0f) {
          continue;
        }
      }
      n.op_type = "FullyConnected";
      n.domain = "tinynn";
      n.opset = 1;
      const std::int64_t trans_b = n.attr_int("transB", 0);
      n.attributes.clear();
      n.attributes.push_back(Attribute{"transB", AttrType::i, 0.0f, trans_b, {}, -1, {}, {}, {}});
      continue;
    }
    if (!detail::is_op(n, "MatMul") || n.inputs.size() != 2) continue;
    const Value& w = g.values[static_cast<std::size_t>(n.inputs[1])];
    const Value& x = g.values[static_cast<std::size_t>(n.inputs[0])];
    if (!w.constant || w.shape.rank() != 2 || x.shape.rank() < 2) continue;
    const std::int64_t out_features = w.shape[1];
    int bias = -1;
    const int y = n.output(0);
    const int consumer = detail::is_graph_output(g, y) ? -1 : detail::single_consumer(g, y);
    if (consumer >= 0) {
      Node& add = g.nodes[static_cast<std::size_t>(consumer)];
      if (detail::is_op(add, "Add") && add.inputs.size() == 2) {
        const int other = add.inputs[0] == y ? add.inputs[1] : add.inputs[0];
        const Value& b = g.values[static_cast<std::size_t>(other)];
        if (other != y && b.constant && b.dtype == DType::f32 && b.shape.rank() >= 1 &&
            static_cast<std::int64_t>(b.element_count()) == out_features &&
            b.shape[b.shape.rank() - 1] == out_features && b.shape.rank() <= x.shape.rank()) {
          bias = other;
          n.outputs[0] = add.outputs[0];
          add.removed = true;
        }
      }
    }
    n.op_type = "FullyConnected";
    n.domain = "tinynn";
    n.opset = 1;
    n.inputs.push_back(bias);
    n.attributes.push_back(Attribute{"transB", AttrType::i, 0.0f, 0, {}, -1, {}, {}, {}});
  }
  detail::renumber_producers(g);
}

/// The fused-activation form of an activation node, if it has one.
[[nodiscard]] inline bool activation_of(const Graph& g, const Node& n, ops::ActivationParams& out) {
  if (n.domain != "") return false;
  if (n.op_type == "Relu") {
    out = ops::ActivationParams::relu();
    return true;
  }
  if (n.op_type == "LeakyRelu") {
    out = ops::ActivationParams::leaky_relu(n.attr_float("alpha", 0.01f));
    return true;
  }
  if (n.op_type == "Sigmoid") {
    out = ops::ActivationParams{ops::Activation::sigmoid};
    return true;
  }
  if (n.op_type == "Tanh") {
    out = ops::ActivationParams{ops::Activation::tanh};
    return true;
  }
  if (n.op_type == "HardSwish") {
    out = ops::ActivationParams{ops::Activation::hard_swish};
    return true;
  }
  if (n.op_type == "Clip") {
    float lo = -INFINITY, hi = INFINITY;
    if (n.opset < 11) {
      lo = n.attr_float("min", lo);
      hi = n.attr_float("max", hi);
    } else {
      for (std::size_t k = 1; k < 3; ++k) {
        if (n.input(k) < 0) continue;
        const Value& v = g.values[static_cast<std::size_t>(n.inputs[k])];
        if (!v.constant || v.dtype != DType::f32 || v.element_count() != 1) return false;
        (k == 1 ? lo : hi) = *v.data_as<float>();
      }
    }
    out = lo == 0.0f && hi == 6.0f       ? ops::ActivationParams::relu6()
          : lo == 0.0f && hi == INFINITY ? ops::ActivationParams::relu()
                                         : ops::ActivationParams::clip(lo, hi);
    return true;
  }
  return false;
}

inline void fuse_activations(Graph& g) {
  for (Node& act : g.nodes) {
    if (act.removed || act.inputs.empty() || act.input(0) < 0) continue;
    ops::ActivationParams params;
    if (!activation_of(g, act, params)) continue;
    const int x = act.inputs[0];
    const Value& xv = g.values[static_cast<std::size_t>(x)];
    if (xv.producer < 0 || xv.dtype != DType::f32) continue;
    Node& producer = g.nodes[static_cast<std::size_t>(xv.producer)];
    const bool fusable = detail::is_op(producer, "Conv") || detail::is_op(producer, "FullyConnected", "tinynn") ||
                         detail::is_op(producer, "Add");
    if (!fusable || producer.activation.kind != ops::Activation::none) continue;
    if (detail::is_graph_output(g, x) || detail::single_consumer(g, x) < 0) continue;
    producer.activation = params;
    producer.outputs[0] = act.outputs[0];
    g.values[static_cast<std::size_t>(act.outputs[0])].producer = xv.producer;
    act.removed = true;
  }
}

/// Physically permutes a constant of rank <= 4 (broadcastable to 4-D) to NHWC; returns the new value.
[[nodiscard]] inline int nhwc_constant(Graph& g, int value) {
  const Value& v = g.values[static_cast<std::size_t>(value)];
  DynShape logical;
  for (std::size_t i = v.shape.rank(); i < 4; ++i) (void)logical.push_back(1);
  for (std::int64_t d : v.shape) (void)logical.push_back(d);
  const std::int64_t n = logical[0], c = logical[1], h = logical[2], w = logical[3];
  const std::size_t element = dtype_size(v.dtype);
  const std::string name = v.name + "/nhwc";
  const std::byte* src = v.data;
  auto [index, dst] = g.add_constant(name, v.dtype, logical);
  for (std::int64_t in = 0; in < n; ++in)
    for (std::int64_t ic = 0; ic < c; ++ic)
      for (std::int64_t ih = 0; ih < h; ++ih)
        for (std::int64_t iw = 0; iw < w; ++iw) {
          const auto from = static_cast<std::size_t>(((in * c + ic) * h + ih) * w + iw);
          const auto to = static_cast<std::size_t>(((in * h + ih) * w + iw) * c + ic);
          std::memcpy(dst + to * element, src + from * element, element);
        }
  g.values[static_cast<std::size_t>(index)].layout = Layout::nhwc;
  return index;
}

/// Layout assignment (see the file comment). Inserts ToLayout nodes; cached per value and target.
inline void assign_layouts(Graph& g) {
  std::vector<Node> nodes;
  nodes.reserve(g.nodes.size() + 8);
  std::map<std::pair<int, int>, int> converted;  // (value, target layout) -> converted value
  auto convert = [&](int value, Layout target) -> int {
    Value& v = g.values[static_cast<std::size_t>(value)];
    if (v.layout == target || v.shape.rank() != 4) return value;
    const auto key = std::make_pair(value, static_cast<int>(target));
    if (auto found = converted.find(key); found != converted.end()) return found->second;
    Value copy;
    copy.name = v.name + (target == Layout::nhwc ? "/nhwc" : "/nchw");
    copy.dtype = v.dtype;
    copy.shape = v.shape;
    copy.has_shape = true;
    copy.layout = target;
    const int index = g.add_value(std::move(copy));
    Node node;
    node.name = g.values[static_cast<std::size_t>(value)].name + (target == Layout::nhwc ? "/to_nhwc" : "/to_nchw");
    node.op_type = "ToLayout";
    node.domain = "tinynn";
    node.opset = 1;
    node.inputs = {value};
    node.outputs = {index};
    nodes.push_back(std::move(node));
    converted[key] = index;
    return index;
  };
  for (Node& n : g.nodes) {
    if (n.removed) continue;
    const OpEntry* entry = find_op(n.domain, n.op_type, n.opset);
    const OpLayout kind = entry ? entry->layout : OpLayout::canonical;
    auto set_outputs = [&](Layout layout) {
      for (int out : n.outputs) {
        if (out >= 0 && g.values[static_cast<std::size_t>(out)].shape.rank() == 4) {
          g.values[static_cast<std::size_t>(out)].layout = layout;
        }
      }
    };
    auto all_canonical = [&] {
      for (int& in : n.inputs) {
        if (in >= 0) in = convert(in, Layout::canonical);
      }
    };
    if (kind == OpLayout::nhwc && n.input(0) >= 0 &&
        g.values[static_cast<std::size_t>(n.inputs[0])].shape.rank() == 4) {
      n.inputs[0] = convert(n.inputs[0], Layout::nhwc);
      for (std::size_t k = 1; k < n.inputs.size(); ++k) {
        if (n.inputs[k] >= 0) n.inputs[k] = convert(n.inputs[k], Layout::canonical);
      }
      set_outputs(Layout::nhwc);
    } else if (kind == OpLayout::elementwise || kind == OpLayout::concat) {
      // NHWC when some 4-D input already is NHWC and every other input can follow.
      bool any_nhwc = false, possible = true;
      const Value* first = nullptr;
      for (int in : n.inputs) {
        if (in < 0) continue;
        const Value& v = g.values[static_cast<std::size_t>(in)];
        if (v.layout == Layout::nhwc) any_nhwc = true;
        if (v.constant && kind == OpLayout::elementwise) {
          possible = possible && v.shape.rank() <= 4 && v.layout == Layout::canonical;
        } else {
          possible = possible && v.shape.rank() == 4;
          if (!first) first = &v;
        }
      }
      const Value* out = n.output(0) >= 0 ? &g.values[static_cast<std::size_t>(n.outputs[0])] : nullptr;
      possible = possible && out && out->shape.rank() == 4;
      if (any_nhwc && possible) {
        for (int& in : n.inputs) {
          if (in < 0) continue;
          if (g.values[static_cast<std::size_t>(in)].constant && kind == OpLayout::elementwise) {
            in = nhwc_constant(g, in);
          } else {
            in = convert(in, Layout::nhwc);
          }
        }
        set_outputs(Layout::nhwc);
      } else {
        all_canonical();
      }
    } else {
      all_canonical();
    }
    nodes.push_back(std::move(n));
  }
  // Graph outputs in the logical layout.
  for (int& out : g.outputs) out = convert(out, Layout::canonical);
  g.nodes = std::move(nodes);
  detail::renumber_producers(g);
}

inline void eliminate_dead(Graph& g) {
  std::vector<char> needed(g.values.size(), 0);
  for (int out : g.outputs) needed[static_cast<std::size_t>(out)] = 1;
  for (std::size_t i = g.nodes.size(); i-- > 0;) {
    Node& n = g.nodes[i];
    if (n.removed) continue;
    bool used = false;
    for (int out : n.outputs) used = used || (out >= 0 && needed[static_cast<std::size_t>(out)]);
    if (!used) {
      n.removed = true;
      continue;
    }
    for (int in : n.inputs) {
      if (in >= 0) needed[static_cast<std::size_t>(in)] = 1;
    }
  }
  std::vector<Node> live;
  live.reserve(g.nodes.size());
  for (Node& n : g.nodes) {
    if (!n.removed) live.push_back(std::move(n));
  }
  g.nodes = std::move(live);
  detail::renumber_producers(g);
}

}  // namespace tinynn::graph
