// tinynn — graph handlers of the elementwise ops. Float32 runs the ops/ kernels (ops/eltwise.hpp
// with NumPy broadcasting and a fused activation, ops/activation.hpp); integer tensors (shape
// arithmetic, mostly folded away) use the plain loops below. NHWC operands are broadcast in their
// physical order (the layout pass permutes constants to match).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/graph/kernel.hpp"
#include "tinynn/graph/op/tensor.hpp"
#include "tinynn/ops/activation.hpp"
#include "tinynn/ops/eltwise.hpp"

namespace tinynn::graph::op {

[[nodiscard]] inline bool binary_kind(std::string_view op, ops::BinaryOp& kind) noexcept {
  struct Entry {
    std::string_view name;
    ops::BinaryOp kind;
  };
  constexpr Entry entries[] = {{"Add", ops::BinaryOp::add}, {"Sub", ops::BinaryOp::sub},
                               {"Mul", ops::BinaryOp::mul}, {"Div", ops::BinaryOp::div},
                               {"Pow", ops::BinaryOp::pow}, {"PRelu", ops::BinaryOp::prelu},
                               {"Min", ops::BinaryOp::min}, {"Max", ops::BinaryOp::max},
                               {"Sum", ops::BinaryOp::add}, {"Mean", ops::BinaryOp::add}};
  for (const Entry& e : entries) {
    if (e.name == op) {
      kind = e.kind;
      return true;
    }
  }
  return false;
}

/// Integer binary op with broadcasting (integer Div truncates toward zero; x/0 gives 0).
template <class T>
inline void integer_binary(ops::BinaryOp kind, const T* a, const DynShape& sa, const T* b, const DynShape& sb, T* out,
                           const DynShape& so) noexcept {
  const auto stride_a = broadcast_strides(sa, so), stride_b = broadcast_strides(sb, so);
  const std::size_t count = so.size(), rank = so.rank();
  std::array<std::size_t, max_rank> index{};
  std::size_t ia = 0, ib = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const T x = a[ia], y = b[ib];
    T r;
    switch (kind) {
      case ops::BinaryOp::add: r = static_cast<T>(x + y); break;
      case ops::BinaryOp::sub: r = static_cast<T>(x - y); break;
      case ops::BinaryOp::mul: r = static_cast<T>(x * y); break;
      case ops::BinaryOp::div: r = y == 0 ? T{0} : static_cast<T>(x / y); break;
      case ops::BinaryOp::min: r = x < y ? x : y; break;
      case ops::BinaryOp::max: r = x > y ? x : y; break;
      default: r = x; break;
    }
    out[i] = r;
    for (std::size_t d = rank; d-- > 0;) {
      ++index[d];
      ia += stride_a[d];
      ib += stride_b[d];
      if (index[d] < static_cast<std::size_t>(so[d])) break;
      ia -= stride_a[d] * index[d];
      ib -= stride_b[d] * index[d];
      index[d] = 0;
    }
  }
}

inline Status binary_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
  const Value& a = c.in(0);
  const Value& b = c.in(1);
  const bool pow = c.node.op_type == "Pow";
  if (!pow && a.dtype != b.dtype) {
    return c.fail(ErrorCode::invalid_model, "operands have dtypes ", dtype_name(a.dtype), " and ", dtype_name(b.dtype));
  }
  if (pow && b.dtype != DType::f32)
    return c.fail(ErrorCode::unsupported, "exponent dtype ", dtype_name(b.dtype), " is not supported");
  DynShape out;
  if (c.node.op_type == "PRelu") {
    if (!broadcast_shapes(a.shape, b.shape, out) || !(out == a.shape)) {
      return c.fail(ErrorCode::invalid_model, "slope ", b.shape, " does not broadcast to ", a.shape);
    }
  } else if (!broadcast_shapes(a.shape, b.shape, out)) {
    return c.fail(ErrorCode::invalid_model, "shapes ", a.shape, " and ", b.shape, " do not broadcast");
  }
  c.set_output(0, a.dtype, out);
  return {};
}

/// A float or integer binary kernel over physical shapes.
inline KernelResult bind_binary(BindContext& c, ops::BinaryOp kind, const TensorRef& a, Layout la, const TensorRef& b,
                                Layout lb, const TensorRef& y, Layout ly, ops::ActivationParams activation) {
  const DynShape sa = physical_shape(a.shape, la), sb = physical_shape(b.shape, lb), so = physical_shape(y.shape, ly);
  if (y.dtype == DType::f32) {
    ops::binary::Params p;
    p.op = kind;
    p.activation = activation;
    p.a = sa;
    p.b = sb;
    TINYNN_RETURN_IF_ERROR(ops::binary::prepare(p).prepend(c.graph.where(c.node)));
    const backend::BackendId id = runtime_backend();
    const auto* ad = static_cast<const float*>(a.data);
    const auto* bd = static_cast<const float*>(b.data);
    auto* yd = static_cast<float*>(y.data);
    return make_kernel([=]() noexcept { ops::binary::run(id, p, ad, bd, yd); });
  }
  auto integer = [&]<class T>() -> KernelResult {
    const T* ad = static_cast<const T*>(a.data);
    const T* bd = static_cast<const T*>(b.data);
    T* yd = static_cast<T*>(y.data);
    return make_kernel([=]() noexcept { integer_binary<T>(kind, ad, sa, bd, sb, yd, so); });
  };
  switch (y.dtype) {
    case DType::i64: return integer.template operator()<std::int64_t>();
    case DType::i32: return integer.template operator()<std::int32_t>();
    case DType::i16: return integer.template operator()<std::int16_t>();
    case DType::i8: return integer.template operator()<std::int8_t>();
    case DType::u8: return integer.template operator()<std::uint8_t>();
    default: return c.fail(ErrorCode::unsupported, "dtype ", dtype_name(y.dtype), " is not supported");
  }
}

inline KernelResult binary_bind(BindContext& c) {
  ops::BinaryOp kind{};
  if (!binary_kind(c.node.op_type, kind)) return c.fail(ErrorCode::internal, "not a binary op");
  return bind_binary(c, kind, c.inputs[0], c.input_layouts[0], c.inputs[1], c.input_layouts[1], c.outputs[0],
                     c.output_layouts[0], c.node.activation);
}

// ---------------------------------------------------------------------------------------------
// Variadic Min / Max / Sum / Mean: a chain of binary kernels through the output buffer.

inline Status variadic_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1));
  DynShape out = c.in(0).shape;
  for (std::size_t i = 1; i < c.input_count(); ++i) {
    if (c.in(i).dtype != c.in(0).dtype) return c.fail(ErrorCode::invalid_model, "inputs have different dtypes");
    DynShape next;
    if (!broadcast_shapes(out, c.in(i).shape, next)) return c.fail(ErrorCode::invalid_model, "inputs do not broadcast");
    out = next;
  }
  c.set_output(0, c.in(0).dtype, out);
  return {};
}

inline KernelResult variadic_bind(BindContext& c) {
  ops::BinaryOp kind{};
  if (!binary_kind(c.node.op_type, kind)) return c.fail(ErrorCode::internal, "not a variadic op");
  const TensorRef y = c.outputs[0];
  const Layout ly = c.output_layouts[0];
  std::vector<std::unique_ptr<Kernel>> chain;
  // First: y = broadcast(x0) (via x0 op identity-free copy), then y = y op xi.
  const TensorRef x0 = c.inputs[0];
  const DynShape s0 = physical_shape(x0.shape, c.input_layouts[0]), so = physical_shape(y.shape, ly);
  const bool single = c.inputs.size() == 1;
  for (std::size_t i = 1; i < c.inputs.size(); ++i) {
    const TensorRef lhs = i == 1 ? x0 : y;
    const Layout ll = i == 1 ? c.input_layouts[0] : ly;
    auto k = bind_binary(c, kind, lhs, ll, c.inputs[i], c.input_layouts[i], y, ly, {});
    if (!k) return std::move(k).error();
    chain.push_back(std::move(*k));
  }
  const bool mean = c.node.op_type == "Mean";
  const float scale = 1.0f / static_cast<float>(c.inputs.size());
  const std::size_t count = y.size();
  auto shared = std::make_shared<std::vector<std::unique_ptr<Kernel>>>(std::move(chain));
  return make_kernel([=]() noexcept {
    if (single) broadcast_copy(TensorRef(x0.dtype, s0, x0.data), y.data, so);
    for (auto& k : *shared) k->run();
    if (mean && y.dtype == DType::f32) {
      auto* yd = static_cast<float*>(y.data);
      for (std::size_t i = 0; i < count; ++i) yd[i] *= scale;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Unary

inline Result<ops::UnaryParams> unary_params(const Graph& g, const Node& n) {
  using ops::UnaryOp;
  using ops::UnaryParams;
  const std::string_view op = n.op_type;
  if (op == "Relu") return UnaryParams::of(UnaryOp::relu);
  if (op == "LeakyRelu") return UnaryParams::leaky_relu(n.attr_float("alpha", 0.01f));
  if (op == "Elu") return UnaryParams::elu(n.attr_float("alpha", 1.0f));
  if (op == "Selu")
    return UnaryParams::selu(n.attr_float("alpha", 1.67326319217681884765625f),
                             n.attr_float("gamma", 1.05070102214813232421875f));
  if (op == "Sigmoid") return UnaryParams::of(UnaryOp::sigmoid);
  if (op == "HardSigmoid") return UnaryParams::hard_sigmoid(n.attr_float("alpha", 0.2f), n.attr_float("beta", 0.5f));
  if (op == "HardSwish") return UnaryParams::of(UnaryOp::hard_swish);
  if (op == "Tanh") return UnaryParams::of(UnaryOp::tanh);
  if (op == "Sqrt") return UnaryParams::of(UnaryOp::sqrt);
  if (op == "Exp") return UnaryParams::of(UnaryOp::exp);
  if (op == "Log") return UnaryParams::of(UnaryOp::log);
  if (op == "Abs") return UnaryParams::of(UnaryOp::abs);
  if (op == "Neg") return UnaryParams::of(UnaryOp::neg);
  if (op == "Reciprocal") return UnaryParams::of(UnaryOp::reciprocal);
  if (op == "Softplus") return UnaryParams::of(UnaryOp::softplus);
  if (op == "Erf") return UnaryParams::of(UnaryOp::erf);
  if (op == "Gelu") {
    return UnaryParams::of(n.attr_string("approximate", "none") == "tanh" ? UnaryOp::gelu_tanh : UnaryOp::gelu_erf);
  }
  if (op == "Clip") {
    float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    if (n.opset < 11) {
      lo = n.attr_float("min", lo);
      hi = n.attr_float("max", hi);
    } else {
      for (std::size_t k = 1; k < 3; ++k) {
        if (n.input(k) < 0) continue;
        const Value& v = g.values[static_cast<std::size_t>(n.inputs[k])];
        if (!v.constant) continue;  // read at run time (unary_bind)
        if (v.dtype != DType::f32 || v.element_count() != 1)
          return error(ErrorCode::invalid_model, g.where(n), ": min/max must be float scalars");
        (k == 1 ? lo : hi) = *v.data_as<float>();
      }
    }
    return UnaryParams::clip(lo, hi);
  }
  return error(ErrorCode::internal, g.where(n), ": not a unary op");
}

inline Status unary_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 3));
  if (c.in(0).dtype == DType::f32) {
    auto p = unary_params(c.graph, c.node);
    if (!p) return std::move(p).error();
    if (c.node.op_type != "Clip" || p->alpha <= p->beta) {
      Status status = ops::unary::prepare(*p);
      if (!status) return c.fail(ErrorCode::invalid_model, status.message());
    }
  }
  c.set_output(0, c.in(0).dtype, c.in(0).shape);
  return {};
}

inline KernelResult unary_bind(BindContext& c) {
  const TensorRef x = c.inputs[0], y = c.outputs[0];
  const std::size_t count = x.size();
  if (x.dtype != DType::f32) {  // Abs / Neg on integers
    const bool neg = c.node.op_type == "Neg";
    auto integer = [&]<class T>() -> KernelResult {
      const T* xd = static_cast<const T*>(x.data);
      T* yd = static_cast<T*>(y.data);
      return make_kernel([=]() noexcept {
        for (std::size_t i = 0; i < count; ++i)
          yd[i] = neg ? static_cast<T>(-xd[i]) : (xd[i] < 0 ? static_cast<T>(-xd[i]) : xd[i]);
      });
    };
    switch (x.dtype) {
      case DType::i64: return integer.template operator()<std::int64_t>();
      case DType::i32: return integer.template operator()<std::int32_t>();
      case DType::i16: return integer.template operator()<std::int16_t>();
      case DType::i8: return integer.template operator()<std::int8_t>();
      default: return c.fail(ErrorCode::unsupported, "dtype ", dtype_name(x.dtype), " is not supported");
    }
  }
  auto p = unary_params(c.graph, c.node);
  if (!p) return std::move(p).error();
  const ops::UnaryParams params = *p;
  if (c.node.op_type == "Clip" && c.node.opset >= 11 &&
      ((c.has_input(1) && !c.input_values[1]->constant) || (c.has_input(2) && !c.input_values[2]->constant))) {
    const float* lo = c.has_input(1) ? static_cast<const float*>(c.inputs[1].data) : nullptr;
    const float* hi = c.has_input(2) ? static_cast<const float*>(c.inputs[2].data) : nullptr;
    const backend::BackendId id = runtime_backend();
    const auto* xd = static_cast<const float*>(x.data);
    auto* yd = static_cast<float*>(y.data);
    return make_kernel([=]() noexcept {
      const float a = lo ? *lo : params.alpha, b = hi ? *hi : params.beta;
      if (a > b) {
        for (std::size_t i = 0; i < count; ++i) yd[i] = b;
        return;
      }
      ops::unary::run(id, ops::UnaryParams::clip(a, b), xd, yd, count);
    });
  }
  const bool inverted_clip = params.kind == ops::UnaryOp::clip && params.alpha > params.beta;
  const backend::BackendId id = runtime_backend();
  const auto* xd = static_cast<const float*>(x.data);
  auto* yd = static_cast<float*>(y.data);
  if (inverted_clip) {  // ONNX: min > max gives max everywhere
    const float hi = params.beta;
    return make_kernel([=]() noexcept {
      for (std::size_t i = 0; i < count; ++i) yd[i] = hi;
    });
  }
  return make_kernel([=]() noexcept { ops::unary::run(id, params, xd, yd, count); });
}

}  // namespace tinynn::graph::op
