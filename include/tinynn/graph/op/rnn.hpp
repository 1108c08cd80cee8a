// tinynn — graph handlers of LSTM, GRU and RNN over ops/rnn.hpp: ONNX attributes (direction,
// hidden_size, activations with alpha/beta, clip, input_forget, linear_before_reset, layout) and
// optional inputs (B, sequence_lens, initial_h, initial_c, P) become kernel Params and Weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/graph/kernel.hpp"
#include "tinynn/ops/rnn.hpp"

namespace tinynn::graph::op {

/// Gates per direction of each recurrent op: LSTM 4, GRU 3, RNN 1; activations per direction 3, 2, 1.
struct RecurrentKind {
  std::int64_t gates;
  std::int64_t activations;
};
[[nodiscard]] inline RecurrentKind recurrent_kind(std::string_view op) noexcept {
  if (op == "LSTM") return {4, 3};
  if (op == "GRU") return {3, 2};
  return {1, 1};
}

inline Status recurrent_shape(const Graph& g, const Node& n, const DynShape& x, const DynShape& w,
                              ops::recurrent::Shape& s) {
  const RecurrentKind kind = recurrent_kind(n.op_type);
  const std::string_view direction = n.attr_string("direction", "forward");
  if (direction == "forward") {
    s.direction = ops::recurrent::Direction::forward;
  } else if (direction == "reverse") {
    s.direction = ops::recurrent::Direction::reverse;
  } else if (direction == "bidirectional") {
    s.direction = ops::recurrent::Direction::bidirectional;
  } else {
    return error(ErrorCode::invalid_model, g.where(n), ": direction '", direction,
                 "' is not forward, reverse or bidirectional");
  }
  if (x.rank() != 3 || w.rank() != 3)
    return error(ErrorCode::invalid_model, g.where(n), ": X ", x, " and W ", w, " must be 3-D");
  s.batch_first = n.attr_int("layout", 0) != 0;
  s.seq_length = s.batch_first ? x[1] : x[0];
  s.batch = s.batch_first ? x[0] : x[1];
  s.input_size = x[2];
  s.hidden_size = n.attr_int("hidden_size", w[1] / kind.gates);
  s.clip = n.attr_float("clip", 0.0f);
  if (w[0] != s.directions() || w[1] != kind.gates * s.hidden_size || w[2] != s.input_size) {
    return error(ErrorCode::invalid_model, g.where(n), ": W has shape ", w, ", expected [", s.directions(), ", ",
                 kind.gates * s.hidden_size, ", ", s.input_size, "]");
  }
  return {};
}

/// Named activations (with activation_alpha/beta consumed in order) into `out[direction][k]`.
template <std::size_t K>
inline Status recurrent_activations(const Graph& g, const Node& n, ops::recurrent::Activation (&out)[2][K],
                                    std::int64_t directions, std::int64_t& count) {
  const Attribute* names = n.find("activations");
  count = 0;
  if (!names || names->strings.empty()) return {};
  const std::vector<float> alphas = n.attr_floats("activation_alpha"), betas = n.attr_floats("activation_beta");
  count = static_cast<std::int64_t>(names->strings.size());
  if (count != static_cast<std::int64_t>(K) * directions) {
    return error(ErrorCode::invalid_model, g.where(n), ": ", count, " activations, expected ",
                 K * static_cast<std::size_t>(directions));
  }
  for (std::size_t i = 0; i < names->strings.size(); ++i) {
    const float* alpha = i < alphas.size() ? &alphas[i] : nullptr;
    const float* beta = i < betas.size() ? &betas[i] : nullptr;
    auto a = ops::recurrent::activation_from_name(names->strings[i], alpha, beta);
    if (!a) return error(a.error().code(), g.where(n), ": ", a.error().message());
    out[i / K][i % K] = *a;
  }
  return {};
}

inline Status recurrent_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(3, c.node.op_type == "LSTM" ? 8 : 6));
  TINYNN_RETURN_IF_ERROR(c.require_float({0, 1, 2, 3, 5, 6, 7}));
  ops::recurrent::Shape s;
  TINYNN_RETURN_IF_ERROR(recurrent_shape(c.graph, c.node, c.in(0).shape, c.in(1).shape, s));
  const RecurrentKind kind = recurrent_kind(c.node.op_type);
  const DynShape r = c.in(2).shape;
  if (!(r == DynShape{s.directions(), kind.gates * s.hidden_size, s.hidden_size})) {
    return c.fail(ErrorCode::invalid_model, "R has shape ", r, ", expected [", s.directions(), ", ",
                  kind.gates * s.hidden_size, ", ", s.hidden_size, "]");
  }
  if (c.has_input(3) &&
      c.in(3).element_count() != static_cast<std::size_t>(s.directions() * 2 * kind.gates * s.hidden_size)) {
    return c.fail(ErrorCode::invalid_model, "B has shape ", c.in(3).shape);
  }
  if (c.has_input(4) && (c.in(4).dtype != DType::i32 || c.in(4).element_count() != static_cast<std::size_t>(s.batch))) {
    return c.fail(ErrorCode::invalid_model, "sequence_lens must be ", s.batch, " int32 values");
  }
  const DynShape state = s.batch_first ? DynShape{s.batch, s.directions(), s.hidden_size}
                                       : DynShape{s.directions(), s.batch, s.hidden_size};
  for (std::size_t i : {std::size_t{5}, std::size_t{6}}) {
    if (c.has_input(i) && c.in(i).element_count() != state.size()) {
      return c.fail(ErrorCode::invalid_model, "initial state ", i, " has shape ", c.in(i).shape, ", expected ", state);
    }
  }
  if (c.has_input(7) && c.in(7).element_count() != static_cast<std::size_t>(s.directions() * 3 * s.hidden_size)) {
    return c.fail(ErrorCode::invalid_model, "P has shape ", c.in(7).shape);
  }
  const DynShape y = s.batch_first ? DynShape{s.batch, s.seq_length, s.directions(), s.hidden_size}
                                   : DynShape{s.seq_length, s.directions(), s.batch, s.hidden_size};
  c.set_output(0, DType::f32, y);
  c.set_output(1, DType::f32, state);
  c.set_output(2, DType::f32, state);
  return {};
}

inline KernelResult recurrent_bind(BindContext& c) {
  ops::recurrent::Shape s;
  TINYNN_RETURN_IF_ERROR(recurrent_shape(c.graph, c.node, c.inputs[0].shape, c.inputs[1].shape, s));
  auto data = [&](std::size_t i) -> const float* {
    return c.has_input(i) ? static_cast<const float*>(c.inputs[i].data) : nullptr;
  };
  auto out = [&](std::size_t i) -> float* {
    return i < c.outputs.size() ? static_cast<float*>(c.outputs[i].data) : nullptr;
  };
  ops::recurrent::Sequence io;
  io.x = data(0);
  io.lengths = c.has_input(4) ? static_cast<const std::int32_t*>(c.inputs[4].data) : nullptr;
  io.initial_h = data(5);
  io.initial_c = c.node.op_type == "LSTM" ? data(6) : nullptr;
  io.y = out(0);
  io.y_h = out(1);
  io.y_c = c.node.op_type == "LSTM" ? out(2) : nullptr;
  const backend::BackendId id = runtime_backend();
  std::int64_t count = 0;
  // Weights are packed once here when W, R, B (and P) are constants; otherwise into the same
  // buffer at every run (no allocation either way).
  const bool constant_weights = [&] {
    for (std::size_t i : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}}) {
      if (c.has_input(i) && !c.input_values[i]->constant) return false;
    }
    return true;
  }();
  if (c.node.op_type == "LSTM") {
    ops::lstm::Params p;
    p.shape = s;
    p.input_forget = c.node.attr_int("input_forget", 0) != 0;
    TINYNN_RETURN_IF_ERROR(recurrent_activations(c.graph, c.node, p.activations, s.directions(), count));
    TINYNN_RETURN_IF_ERROR(ops::lstm::prepare(p, count).prepend(c.graph.where(c.node)));
    const ops::lstm::Weights w{data(1), data(2), data(3), data(7)};
    auto packed = std::make_shared<std::vector<float>>(ops::lstm::packed_size(p));
    auto scratch = std::make_shared<std::vector<float>>(ops::lstm::scratch_size(p));
    if (constant_weights) ops::lstm::pack(p, w, packed->data());
    const bool peepholes = w.p != nullptr;
    return make_kernel([=]() noexcept {
      if (!constant_weights) ops::lstm::pack(p, w, packed->data());
      ops::lstm::run_packed(id, p, packed->data(), peepholes, io, scratch->data());
    });
  }
  if (c.node.op_type == "GRU") {
    ops::gru::Params p;
    p.shape = s;
    p.linear_before_reset = c.node.attr_int("linear_before_reset", 0) != 0;
    TINYNN_RETURN_IF_ERROR(recurrent_activations(c.graph, c.node, p.activations, s.directions(), count));
    TINYNN_RETURN_IF_ERROR(ops::gru::prepare(p, count).prepend(c.graph.where(c.node)));
    const ops::gru::Weights w{data(1), data(2), data(3)};
    auto packed = std::make_shared<std::vector<float>>(ops::gru::packed_size(p));
    auto scratch = std::make_shared<std::vector<float>>(ops::gru::scratch_size(p));
    if (constant_weights) ops::gru::pack(p, w, packed->data());
    return make_kernel([=]() noexcept {
      if (!constant_weights) ops::gru::pack(p, w, packed->data());
      ops::gru::run_packed(id, p, packed->data(), io, scratch->data());
    });
  }
  ops::rnn::Params p;
  p.shape = s;
  ops::recurrent::Activation activations[2][1] = {{p.activations[0]}, {p.activations[1]}};
  TINYNN_RETURN_IF_ERROR(recurrent_activations(c.graph, c.node, activations, s.directions(), count));
  p.activations[0] = activations[0][0];
  p.activations[1] = activations[1][0];
  TINYNN_RETURN_IF_ERROR(ops::rnn::prepare(p, count).prepend(c.graph.where(c.node)));
  const ops::rnn::Weights w{data(1), data(2), data(3)};
  auto packed = std::make_shared<std::vector<float>>(ops::rnn::packed_size(p));
  auto scratch = std::make_shared<std::vector<float>>(ops::rnn::scratch_size(p));
  if (constant_weights) ops::rnn::pack(p, w, packed->data());
  return make_kernel([=]() noexcept {
    if (!constant_weights) ops::rnn::pack(p, w, packed->data());
    ops::rnn::run_packed(id, p, packed->data(), io, scratch->data());
  });
}

}  // namespace tinynn::graph::op
