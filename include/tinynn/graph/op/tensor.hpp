// tinynn — graph handlers of the data-movement and shape ops (ONNX semantics): Identity, Dropout,
// Shape, Size, Constant, ConstantOfShape, Reshape, Flatten, Squeeze, Unsqueeze, Cast, Gather,
// Expand, Range. They are dtype-generic (they move bytes), so they also fold int64 shape chains.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tinynn/graph/kernel.hpp"

namespace tinynn::graph::op {

/// Unsigned integer type of a given element size, to move elements of any dtype.
template <std::size_t Bytes>
using element_bits = std::conditional_t<
    Bytes == 1, std::uint8_t,
    std::conditional_t<Bytes == 2, std::uint16_t, std::conditional_t<Bytes == 4, std::uint32_t, std::uint64_t>>>;

/// Calls f.template operator()<T>() with T the unsigned type of `bytes` width.
template <class F>
decltype(auto) with_element_size(std::size_t bytes, F&& f) {
  switch (bytes) {
    case 1: return f.template operator()<std::uint8_t>();
    case 2: return f.template operator()<std::uint16_t>();
    case 4: return f.template operator()<std::uint32_t>();
    default: return f.template operator()<std::uint64_t>();
  }
}

// ---------------------------------------------------------------------------------------------
// Identity, Dropout (inference: identity; mask all true)

inline Status identity_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1));
  if (c.node.op_type == "Dropout") {
    // Opset 12+: training_mode is input 2; a training-mode Dropout is random, not inference.
    bool training = c.node.attr_int("is_test", 1) == 0 && c.node.opset < 7;
    if (c.has_input(2)) {
      const Value& mode = c.in(2);
      if (!mode.constant) return c.fail(ErrorCode::unsupported, "training_mode must be constant");
      training = mode.element_count() == 1 && *mode.data != std::byte{0};
    }
    if (training) return c.fail(ErrorCode::unsupported, "training mode (random dropout) is not supported");
  }
  c.set_output(0, c.in(0).dtype, c.in(0).shape);
  if (c.node.op_type == "Dropout") c.set_output(1, DType::boolean, c.in(0).shape);
  return {};
}
inline KernelResult identity_bind(BindContext& c) {
  void* dst = c.outputs[0].data;
  const void* src = c.inputs[0].data;
  const std::size_t bytes = c.outputs[0].bytes();
  void* mask = c.outputs.size() > 1 ? c.outputs[1].data : nullptr;
  const std::size_t mask_bytes = c.outputs.size() > 1 ? c.outputs[1].bytes() : 0;
  return make_kernel([=]() noexcept {
    if (dst != src && bytes) std::memmove(dst, src, bytes);
    if (mask) std::memset(mask, 1, mask_bytes);
  });
}

// ---------------------------------------------------------------------------------------------
// Shape (opset 15: start/end), Size. Their outputs only depend on shapes: always folded.

inline Status shape_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  const auto rank = static_cast<std::int64_t>(c.in(0).shape.rank());
  std::int64_t start = c.node.attr_int("start", 0), end = c.node.attr_int("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = start < 0 ? 0 : (start > rank ? rank : start);
  end = end < 0 ? 0 : (end > rank ? rank : end);
  c.set_output(0, DType::i64, DynShape{end > start ? end - start : 0});
  return {};
}
inline KernelResult shape_bind(BindContext& c) {
  const DynShape shape = c.inputs[0].shape;
  const auto rank = static_cast<std::int64_t>(shape.rank());
  std::int64_t start = c.node.attr_int("start", 0);
  if (start < 0) start += rank;
  start = start < 0 ? 0 : (start > rank ? rank : start);
  auto* out = static_cast<std::int64_t*>(c.outputs[0].data);
  const std::size_t count = c.outputs[0].size();
  return make_kernel([=]() noexcept {
    for (std::size_t i = 0; i < count; ++i) out[i] = shape[static_cast<std::size_t>(start) + i];
  });
}

inline Status size_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  c.set_output(0, DType::i64, DynShape{});
  return {};
}
inline KernelResult size_bind(BindContext& c) {
  const auto count = static_cast<std::int64_t>(c.inputs[0].size());
  auto* out = static_cast<std::int64_t*>(c.outputs[0].data);
  return make_kernel([=]() noexcept { *out = count; });
}

// ---------------------------------------------------------------------------------------------
// Constant: value (tensor) | value_float(s) | value_int(s)

inline Status constant_infer(OpContext& c) {
  const Node& n = c.node;
  if (!c.has_output(0)) return {};
  Value& out = c.out(0);
  if (const Attribute* a = n.find("value"); a && a->tensor >= 0) {
    const Value& t = c.graph.values[static_cast<std::size_t>(a->tensor)];
    out.dtype = t.dtype;
    out.shape = t.shape;
    out.has_shape = true;
    out.constant = true;
    out.data = t.data;
    out.keep_alive = t.keep_alive;
    return {};
  }
  DType dtype;
  DynShape shape;
  std::vector<std::byte> bytes;
  if (const Attribute* a = n.find("value_float")) {
    dtype = DType::f32;
    bytes.resize(4);
    std::memcpy(bytes.data(), &a->f, 4);
  } else if (const Attribute* af = n.find("value_floats")) {
    dtype = DType::f32;
    shape = DynShape{static_cast<std::int64_t>(af->floats.size())};
    bytes.resize(af->floats.size() * 4);
    if (!bytes.empty()) std::memcpy(bytes.data(), af->floats.data(), bytes.size());
  } else if (const Attribute* ai = n.find("value_int")) {
    dtype = DType::i64;
    bytes.resize(8);
    std::memcpy(bytes.data(), &ai->i, 8);
  } else if (const Attribute* ais = n.find("value_ints")) {
    dtype = DType::i64;
    shape = DynShape{static_cast<std::int64_t>(ais->ints.size())};
    bytes.resize(ais->ints.size() * 8);
    if (!bytes.empty()) std::memcpy(bytes.data(), ais->ints.data(), bytes.size());
  } else {
    return c.fail(ErrorCode::unsupported, "needs a 'value', 'value_float(s)' or 'value_int(s)' attribute");
  }
  auto storage = std::make_shared<AlignedBuffer>(bytes.size());
  if (!bytes.empty()) std::memcpy(storage->data(), bytes.data(), bytes.size());
  out.dtype = dtype;
  out.shape = shape;
  out.has_shape = true;
  out.constant = true;
  out.data = storage->data();
  out.keep_alive = std::move(storage);
  return {};
}
inline KernelResult constant_bind(BindContext& c) { return c.fail(ErrorCode::internal, "Constant is never bound"); }

// ---------------------------------------------------------------------------------------------
// ConstantOfShape

inline Status constant_of_shape_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  auto dims = c.constant_ints(0);
  if (!dims) return std::move(dims).error();
  auto shape = DynShape::from(*dims);
  if (!shape) return c.fail(ErrorCode::invalid_model, shape.error().message());
  DType dtype = DType::f32;
  if (const Attribute* a = c.node.find("value"); a && a->tensor >= 0) {
    const Value& t = c.graph.values[static_cast<std::size_t>(a->tensor)];
    if (t.element_count() != 1) return c.fail(ErrorCode::invalid_model, "'value' must hold one element");
    dtype = t.dtype;
  }
  c.set_output(0, dtype, *shape);
  return {};
}
inline KernelResult constant_of_shape_bind(BindContext& c) {
  std::uint64_t pattern = 0;
  const std::size_t element = dtype_size(c.outputs[0].dtype);
  if (const Attribute* a = c.node.find("value"); a && a->tensor >= 0) {
    std::memcpy(&pattern, c.graph.values[static_cast<std::size_t>(a->tensor)].data, element);
  }
  void* out = c.outputs[0].data;
  const std::size_t count = c.outputs[0].size();
  return make_kernel([=]() noexcept {
    auto* bytes = static_cast<std::byte*>(out);
    for (std::size_t i = 0; i < count; ++i) std::memcpy(bytes + i * element, &pattern, element);
  });
}

// ---------------------------------------------------------------------------------------------
// Reshape, Flatten, Squeeze, Unsqueeze: the output is the input's bytes under a new shape.

inline KernelResult copy_bind(BindContext& c) { return identity_bind(c); }

inline Status reshape_infer(OpContext& c) {
  const Value& x = c.in(0);
  std::vector<std::int64_t> dims;
  if (c.node.opset < 5) {
    dims = c.node.attr_ints("shape");
  } else {
    TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
    auto shape = c.constant_ints(1);
    if (!shape) return std::move(shape).error();
    dims = std::move(*shape);
  }
  const bool allow_zero = c.node.attr_int("allowzero", 0) != 0;
  std::int64_t known = 1;
  int infer_at = -1;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 0 && !allow_zero) {
      if (i >= x.shape.rank())
        return c.fail(ErrorCode::invalid_model, "shape entry ", i, " is 0 but the input has rank ", x.shape.rank());
      dims[i] = x.shape[i];
    }
    if (dims[i] == -1) {
      if (infer_at >= 0) return c.fail(ErrorCode::invalid_model, "shape has more than one -1");
      infer_at = static_cast<int>(i);
      continue;
    }
    if (dims[i] < 0) return c.fail(ErrorCode::invalid_model, "shape entry ", dims[i], " is negative");
    if (dims[i] != 0 && known > (std::int64_t{1} << 50) / dims[i])
      return c.fail(ErrorCode::invalid_model, "shape overflows");
    known *= dims[i];
  }
  const auto total = static_cast<std::int64_t>(x.element_count());
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0) {
      return c.fail(ErrorCode::invalid_model, "cannot reshape ", x.shape, " (", total, " elements) with a -1 entry");
    }
    dims[static_cast<std::size_t>(infer_at)] = total / known;
  } else if (known != total) {
    return c.fail(ErrorCode::invalid_model, "cannot reshape ", x.shape, " (", total, " elements) to ", known,
                  " elements");
  }
  auto shape = DynShape::from(dims);
  if (!shape) return c.fail(ErrorCode::unsupported, shape.error().message());
  c.set_output(0, x.dtype, *shape);
  return {};
}

inline Status flatten_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  const Value& x = c.in(0);
  std::int64_t axis = c.node.attr_int("axis", 1);
  const auto rank = static_cast<std::int64_t>(x.shape.rank());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) return c.fail(ErrorCode::invalid_model, "axis ", axis, " out of range for rank ", rank);
  std::int64_t outer = 1, inner = 1;
  for (std::int64_t i = 0; i < rank; ++i) (i < axis ? outer : inner) *= x.shape[static_cast<std::size_t>(i)];
  c.set_output(0, x.dtype, DynShape{outer, inner});
  return {};
}

inline Status squeeze_infer(OpContext& c) {
  const Value& x = c.in(0);
  std::vector<std::int64_t> axes;
  if (c.node.opset >= 13 && c.has_input(1)) {
    auto a = c.constant_ints(1);
    if (!a) return std::move(a).error();
    axes = std::move(*a);
  } else {
    axes = c.node.attr_ints("axes");
  }
  const auto rank = static_cast<std::int64_t>(x.shape.rank());
  std::vector<char> drop(static_cast<std::size_t>(rank), 0);
  for (std::int64_t axis : axes) {
    if (!normalize_axis(axis, rank)) return c.fail(ErrorCode::invalid_model, "axis ", axis, " out of range");
    if (x.shape[static_cast<std::size_t>(axis)] != 1) {
      return c.fail(ErrorCode::invalid_model, "cannot squeeze axis ", axis, " of shape ", x.shape);
    }
    drop[static_cast<std::size_t>(axis)] = 1;
  }
  DynShape shape;
  for (std::size_t i = 0; i < x.shape.rank(); ++i) {
    const bool squeeze = axes.empty() ? x.shape[i] == 1 : drop[i] != 0;
    if (!squeeze) (void)shape.push_back(x.shape[i]);
  }
  c.set_output(0, x.dtype, shape);
  return {};
}

inline Status unsqueeze_infer(OpContext& c) {
  const Value& x = c.in(0);
  std::vector<std::int64_t> axes;
  if (c.node.opset >= 13) {
    TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
    auto a = c.constant_ints(1);
    if (!a) return std::move(a).error();
    axes = std::move(*a);
  } else {
    axes = c.node.attr_ints("axes");
  }
  const auto rank = static_cast<std::int64_t>(x.shape.rank() + axes.size());
  if (rank > static_cast<std::int64_t>(max_rank))
    return c.fail(ErrorCode::unsupported, "rank ", rank, " above ", max_rank);
  std::vector<char> inserted(static_cast<std::size_t>(rank), 0);
  for (std::int64_t axis : axes) {
    if (!normalize_axis(axis, rank)) return c.fail(ErrorCode::invalid_model, "axis ", axis, " out of range");
    if (inserted[static_cast<std::size_t>(axis)]) return c.fail(ErrorCode::invalid_model, "axis ", axis, " repeated");
    inserted[static_cast<std::size_t>(axis)] = 1;
  }
  DynShape shape;
  std::size_t next = 0;
  for (std::int64_t i = 0; i < rank; ++i)
    (void)shape.push_back(inserted[static_cast<std::size_t>(i)] ? 1 : x.shape[next++]);
  c.set_output(0, x.dtype, shape);
  return {};
}

// ---------------------------------------------------------------------------------------------
// Cast

/// IEEE half <-> float (round to nearest even), for f16 data.
[[nodiscard]] inline float half_to_float(std::uint16_t h) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000) << 16;
  std::uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff, bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {
      exponent = 127 - 15 + 1;
      while ((mantissa & 0x400) == 0) {
        mantissa <<= 1;
        --exponent;
      }
      bits = sign | (exponent << 23) | ((mantissa & 0x3ff) << 13);
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
[[nodiscard]] inline std::uint16_t float_to_half(float f) noexcept {
  std::uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const std::uint16_t sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000);
  const std::uint32_t abs = bits & 0x7fffffff;
  if (abs >= 0x7f800000) return static_cast<std::uint16_t>(sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
  if (abs >= 0x477ff000) return static_cast<std::uint16_t>(sign | 0x7c00);  // overflow -> inf
  if (abs < 0x38800000) {                                                   // subnormal or zero
    const float magic = 0.5f;
    float value;
    std::memcpy(&value, &abs, 4);
    value += magic;
    std::uint32_t v;
    std::memcpy(&v, &value, 4);
    return static_cast<std::uint16_t>(sign | (v - 0x3f000000u));
  }
  const std::uint32_t mantissa_odd = (abs >> 13) & 1;
  const std::uint32_t rounded = abs + 0xc8000fff + mantissa_odd;
  return static_cast<std::uint16_t>(sign | (rounded >> 13));
}

/// Reads element i of a buffer of `dtype` as double (exact for every tinynn dtype but i64 > 2^53).
[[nodiscard]] inline double load_as_double(DType dtype, const void* data, std::size_t i) noexcept {
  switch (dtype) {
    case DType::f32: return static_cast<const float*>(data)[i];
    case DType::i8:
    case DType::qi8: return static_cast<const std::int8_t*>(data)[i];
    case DType::u8: return static_cast<const std::uint8_t*>(data)[i];
    case DType::boolean: return static_cast<const std::uint8_t*>(data)[i] != 0;
    case DType::i16: return static_cast<const std::int16_t*>(data)[i];
    case DType::i32: return static_cast<const std::int32_t*>(data)[i];
    case DType::i64: return static_cast<double>(static_cast<const std::int64_t*>(data)[i]);
    case DType::f16: return half_to_float(static_cast<const std::uint16_t*>(data)[i]);
  }
  return 0.0;
}

template <class To>
[[nodiscard]] To saturating_integer(double v) noexcept {
  if (std::isnan(v)) return 0;
  constexpr double lo = static_cast<double>(std::numeric_limits<To>::min());
  constexpr double hi = static_cast<double>(std::numeric_limits<To>::max());
  if (v <= lo) return std::numeric_limits<To>::min();
  if (v >= hi) return std::numeric_limits<To>::max();
  return static_cast<To>(v);
}

inline void store_from_double(DType dtype, void* data, std::size_t i, double v) noexcept {
  switch (dtype) {
    case DType::f32: static_cast<float*>(data)[i] = static_cast<float>(v); return;
    case DType::i8:
    case DType::qi8: static_cast<std::int8_t*>(data)[i] = saturating_integer<std::int8_t>(v); return;
    case DType::u8: static_cast<std::uint8_t*>(data)[i] = saturating_integer<std::uint8_t>(v); return;
    case DType::boolean: static_cast<std::uint8_t*>(data)[i] = v != 0.0; return;
    case DType::i16: static_cast<std::int16_t*>(data)[i] = saturating_integer<std::int16_t>(v); return;
    case DType::i32: static_cast<std::int32_t*>(data)[i] = saturating_integer<std::int32_t>(v); return;
    case DType::i64: static_cast<std::int64_t*>(data)[i] = saturating_integer<std::int64_t>(v); return;
    case DType::f16: static_cast<std::uint16_t*>(data)[i] = float_to_half(static_cast<float>(v)); return;
  }
}

inline Status cast_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(1, 1));
  const std::int64_t to = c.node.attr_int("to", 0);
  DType dtype;
  switch (to) {
    case 1: dtype = DType::f32; break;
    case 2: dtype = DType::u8; break;
    case 3: dtype = DType::i8; break;
    case 5: dtype = DType::i16; break;
    case 6: dtype = DType::i32; break;
    case 7: dtype = DType::i64; break;
    case 9: dtype = DType::boolean; break;
    case 10: dtype = DType::f16; break;
    default: return c.fail(ErrorCode::unsupported, "cast to element type ", to, " is not supported");
  }
  c.set_output(0, dtype, c.in(0).shape);
  return {};
}
inline KernelResult cast_bind(BindContext& c) {
  const TensorRef in = c.inputs[0], out = c.outputs[0];
  const std::size_t count = in.size();
  if (in.dtype == out.dtype) return identity_bind(c);
  if (in.dtype == DType::i64 && out.dtype == DType::i32) {
    return make_kernel([=]() noexcept {
      for (std::size_t i = 0; i < count; ++i)
        static_cast<std::int32_t*>(out.data)[i] =
            static_cast<std::int32_t>(static_cast<const std::int64_t*>(in.data)[i]);
    });
  }
  if (in.dtype == DType::i32 && out.dtype == DType::i64) {
    return make_kernel([=]() noexcept {
      for (std::size_t i = 0; i < count; ++i)
        static_cast<std::int64_t*>(out.data)[i] = static_cast<const std::int32_t*>(in.data)[i];
    });
  }
  return make_kernel([=]() noexcept {
    for (std::size_t i = 0; i < count; ++i)
      store_from_double(out.dtype, out.data, i, load_as_double(in.dtype, in.data, i));
  });
}

// ---------------------------------------------------------------------------------------------
// Gather (axis): out = data indexed along axis by indices (negative indices count from the end).

inline Status gather_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
  const Value& data = c.in(0);
  const Value& indices = c.in(1);
  if (indices.dtype != DType::i64 && indices.dtype != DType::i32) {
    return c.fail(ErrorCode::invalid_model, "indices have dtype ", dtype_name(indices.dtype), ", expected int64/int32");
  }
  std::int64_t axis = c.node.attr_int("axis", 0);
  if (!normalize_axis(axis, static_cast<std::int64_t>(data.shape.rank()))) {
    return c.fail(ErrorCode::invalid_model, "axis ", axis, " out of range for rank ", data.shape.rank());
  }
  if (data.shape[static_cast<std::size_t>(axis)] == 0 && indices.element_count() > 0) {
    return c.fail(ErrorCode::invalid_model, "gathers from an empty axis");
  }
  if (indices.constant) {
    auto idx = constant_ints(indices);
    if (!idx) return std::move(idx).error();
    const std::int64_t extent = data.shape[static_cast<std::size_t>(axis)];
    for (std::int64_t i : *idx) {
      if (i < -extent || i >= extent)
        return c.fail(ErrorCode::invalid_model, "index ", i, " out of range [", -extent, ", ", extent, ")");
    }
  }
  DynShape shape;
  for (std::size_t i = 0; i < static_cast<std::size_t>(axis); ++i) (void)shape.push_back(data.shape[i]);
  for (std::int64_t d : indices.shape) {
    if (!shape.push_back(d)) return c.fail(ErrorCode::unsupported, "output rank above ", max_rank);
  }
  for (std::size_t i = static_cast<std::size_t>(axis) + 1; i < data.shape.rank(); ++i) {
    if (!shape.push_back(data.shape[i])) return c.fail(ErrorCode::unsupported, "output rank above ", max_rank);
  }
  c.set_output(0, data.dtype, shape);
  return {};
}
inline KernelResult gather_bind(BindContext& c) {
  const TensorRef data = c.inputs[0], indices = c.inputs[1], out = c.outputs[0];
  auto axis = static_cast<std::size_t>(c.node.attr_int("axis", 0) < 0
                                           ? c.node.attr_int("axis", 0) + static_cast<std::int64_t>(data.shape.rank())
                                           : c.node.attr_int("axis", 0));
  std::size_t outer = 1, inner = 1;
  for (std::size_t i = 0; i < axis; ++i) outer *= static_cast<std::size_t>(data.shape[i]);
  for (std::size_t i = axis + 1; i < data.shape.rank(); ++i) inner *= static_cast<std::size_t>(data.shape[i]);
  const auto extent = data.shape[axis];
  const std::size_t count = indices.size();
  const std::size_t chunk = inner * dtype_size(data.dtype);
  const bool wide = indices.dtype == DType::i64;
  return make_kernel([=]() noexcept {
    const auto* src = static_cast<const std::byte*>(data.data);
    auto* dst = static_cast<std::byte*>(out.data);
    for (std::size_t o = 0; o < outer; ++o) {
      for (std::size_t k = 0; k < count; ++k) {
        std::int64_t index = wide ? static_cast<const std::int64_t*>(indices.data)[k]
                                  : static_cast<const std::int32_t*>(indices.data)[k];
        if (index < 0) index += extent;
        if (index < 0 || index >= extent) index = 0;  // validated at compile for constants
        std::memcpy(dst, src + (o * static_cast<std::size_t>(extent) + static_cast<std::size_t>(index)) * chunk, chunk);
        dst += chunk;
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Expand: broadcast to a shape (bidirectional: the result may be larger than the given shape).

/// Copies `in` broadcast to `out_shape` (element size generic).
inline void broadcast_copy(const TensorRef& in, void* out, const DynShape& out_shape) noexcept {
  const auto strides = broadcast_strides(in.shape, out_shape);
  const std::size_t rank = out_shape.rank();
  const std::size_t count = out_shape.size();
  with_element_size(dtype_size(in.dtype), [&]<class T>() {
    const T* src = static_cast<const T*>(in.data);
    T* dst = static_cast<T*>(out);
    std::array<std::size_t, max_rank> index{};
    std::size_t offset = 0;
    for (std::size_t i = 0; i < count; ++i) {
      dst[i] = src[offset];
      for (std::size_t d = rank; d-- > 0;) {
        ++index[d];
        offset += strides[d];
        if (index[d] < static_cast<std::size_t>(out_shape[d])) break;
        offset -= strides[d] * index[d];
        index[d] = 0;
      }
    }
  });
}

inline Status expand_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
  auto dims = c.constant_ints(1);
  if (!dims) return std::move(dims).error();
  auto target = DynShape::from(*dims);
  if (!target) return c.fail(ErrorCode::invalid_model, target.error().message());
  DynShape shape;
  if (!broadcast_shapes(c.in(0).shape, *target, shape)) {
    return c.fail(ErrorCode::invalid_model, "cannot expand ", c.in(0).shape, " to ", *target);
  }
  c.set_output(0, c.in(0).dtype, shape);
  return {};
}
inline KernelResult expand_bind(BindContext& c) {
  const TensorRef in = c.inputs[0], out = c.outputs[0];
  return make_kernel([=]() noexcept { broadcast_copy(in, out.data, out.shape); });
}

// ---------------------------------------------------------------------------------------------
// Range (start, limit, delta), folded in practice.

inline Status range_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(3, 3));
  for (std::size_t i = 0; i < 3; ++i) {
    if (!c.in(i).constant || c.in(i).element_count() != 1)
      return c.fail(ErrorCode::unsupported, "inputs must be constant scalars");
  }
  const double start = load_as_double(c.in(0).dtype, c.in(0).data, 0),
               limit = load_as_double(c.in(1).dtype, c.in(1).data, 0),
               delta = load_as_double(c.in(2).dtype, c.in(2).data, 0);
  if (delta == 0) return c.fail(ErrorCode::invalid_model, "delta is 0");
  const double n = std::ceil((limit - start) / delta);
  if (!(n < 1e8)) return c.fail(ErrorCode::invalid_model, "range too long");
  c.set_output(0, c.in(0).dtype, DynShape{n > 0 ? static_cast<std::int64_t>(n) : 0});
  return {};
}
inline KernelResult range_bind(BindContext& c) {
  const TensorRef out = c.outputs[0];
  const DType dtype = c.inputs[0].dtype;
  const double start = load_as_double(dtype, c.inputs[0].data, 0), delta = load_as_double(dtype, c.inputs[2].data, 0);
  return make_kernel([=]() noexcept {
    for (std::size_t i = 0; i < out.size(); ++i)
      store_from_double(dtype, out.data, i, start + static_cast<double>(i) * delta);
  });
}

}  // namespace tinynn::graph::op
