// tinynn — runtime graph IR. A Graph is a list of Values (typed tensors: dtype, logical shape,
// optional constant data, optional quantization) and a list of Nodes in topological order, each
// naming its op (ONNX op_type/domain or an importer's own name, e.g. TFLite builtins), its input and
// output value indices and its attributes. Importers (formats/) build a Graph; passes (graph/passes)
// rewrite it; the planner and executor (graph/session) turn it into a Session.
//
// Shapes are logical (the importer's semantics, e.g. ONNX NCHW); a value's `layout` says how its
// elements are physically ordered once the layout pass has run (NHWC for 4-D activations between
// convolutions). Constant data is never copied needlessly: `data` may point into the model file's
// buffer (kept alive by `keep_alive`) or into storage the graph owns.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tinynn/dtype.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/quant.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"
#include "tinynn/tensor.hpp"

namespace tinynn::graph {

/// Physical element order of a value. `nhwc`: a logical 4-D [N, C, H, W] tensor stored as N, H, W, C.
enum class Layout : std::uint8_t { canonical, nhwc };

/// 64-byte-aligned owned bytes (constants the graph creates, arenas).
class AlignedBuffer {
 public:
  AlignedBuffer() noexcept = default;
  explicit AlignedBuffer(std::size_t bytes)
      : data_(static_cast<std::byte*>(::operator new (bytes ? bytes : 1, std::align_val_t{tensor_alignment}))),
        size_(bytes) {
    std::memset(data_, 0, bytes);
  }
  AlignedBuffer(AlignedBuffer&& other) noexcept : data_(other.data_), size_(other.size_) {
    other.data_ = nullptr;
    other.size_ = 0;
  }
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept {
    if (this != &other) {
      release();
      data_ = other.data_;
      size_ = other.size_;
      other.data_ = nullptr;
      other.size_ = 0;
    }
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() { release(); }

  [[nodiscard]] std::byte* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  void release() noexcept {
    if (data_) ::operator delete (data_, std::align_val_t{tensor_alignment});
    data_ = nullptr;
  }
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

/// Per-channel quantization owned by the graph (weights: symmetric, one scale per output channel).
struct ChannelQuant {
  std::vector<float> scales;
  std::vector<std::int32_t> zero_points;
  std::int32_t axis = 0;
};

struct Value {
  std::string name;
  DType dtype = DType::f32;
  DynShape shape;          // logical shape; a dimension < 0 is not known yet (dynamic)
  bool has_shape = false;  // false: rank unknown until shape inference
  bool constant = false;   // data holds the value (possibly empty tensor)
  const std::byte* data = nullptr;
  std::shared_ptr<const void> keep_alive;             // owner of `data` (file buffer or AlignedBuffer)
  QuantParams quant{};                                // per-tensor quantization (dtype qi8 / u8 quantized)
  std::shared_ptr<const ChannelQuant> channel_quant;  // per-channel, when present
  Layout layout = Layout::canonical;
  int producer = -1;  // node index, -1 for graph inputs and constants

  [[nodiscard]] bool shape_static() const noexcept {
    if (!has_shape) return false;
    for (std::int64_t d : shape) {
      if (d < 0) return false;
    }
    return true;
  }
  [[nodiscard]] std::size_t element_count() const noexcept { return shape.size(); }
  [[nodiscard]] std::size_t bytes() const noexcept { return shape.size() * dtype_size(dtype); }
  template <class T>
  [[nodiscard]] const T* data_as() const noexcept {
    return reinterpret_cast<const T*>(data);
  }
};

enum class AttrType : std::uint8_t { undefined, f, i, s, t, g, floats, ints, strings, tensors, graphs, other };

struct Attribute {
  std::string name;
  AttrType type = AttrType::undefined;
  float f = 0.0f;
  std::int64_t i = 0;
  std::string s;
  int tensor = -1;  // AttrType::t: index of a constant Value in the graph
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  std::vector<std::string> strings;
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;        // "" = ai.onnx
  int opset = 0;             // opset version of the node's domain
  std::vector<int> inputs;   // value indices; -1 = optional input left out
  std::vector<int> outputs;  // value indices; -1 = optional output not wanted
  std::vector<Attribute> attributes;
  ops::ActivationParams activation{};  // fused by the activation-fusion pass
  bool removed = false;

  [[nodiscard]] const Attribute* find(std::string_view key) const noexcept {
    for (const Attribute& a : attributes) {
      if (a.name == key) return &a;
    }
    return nullptr;
  }
  [[nodiscard]] std::int64_t attr_int(std::string_view key, std::int64_t fallback) const noexcept {
    const Attribute* a = find(key);
    return a && a->type == AttrType::i ? a->i : fallback;
  }
  [[nodiscard]] float attr_float(std::string_view key, float fallback) const noexcept {
    const Attribute* a = find(key);
    return a && a->type == AttrType::f ? a->f : fallback;
  }
  [[nodiscard]] std::string_view attr_string(std::string_view key, std::string_view fallback) const noexcept {
    const Attribute* a = find(key);
    return a && a->type == AttrType::s ? std::string_view(a->s) : fallback;
  }
  [[nodiscard]] std::vector<std::int64_t> attr_ints(std::string_view key) const {
    const Attribute* a = find(key);
    return a && a->type == AttrType::ints ? a->ints : std::vector<std::int64_t>{};
  }
  [[nodiscard]] std::vector<float> attr_floats(std::string_view key) const {
    const Attribute* a = find(key);
    return a && a->type == AttrType::floats ? a->floats : std::vector<float>{};
  }
  [[nodiscard]] int input(std::size_t i) const noexcept { return i < inputs.size() ? inputs[i] : -1; }
  [[nodiscard]] int output(std::size_t i) const noexcept { return i < outputs.size() ? outputs[i] : -1; }
};

struct Graph {
  std::string source;  // file name (or "<memory>") for messages
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<int> inputs;             // graph inputs (non-constant)
  std::vector<int> outputs;            // graph outputs
  int opset = 0;                       // default-domain opset
  std::shared_ptr<const void> buffer;  // the model bytes the constants may point into

  /// Adds a value; returns its index.
  int add_value(Value value) {
    values.push_back(std::move(value));
    return static_cast<int>(values.size() - 1);
  }

  /// Adds an owned constant of the given dtype/shape, zero-filled; returns its index and a pointer
  /// to write the data through.
  std::pair<int, std::byte*> add_constant(std::string name, DType dtype, const DynShape& shape) {
    auto storage = std::make_shared<AlignedBuffer>(shape.size() * dtype_size(dtype));
    Value value;
    value.name = std::move(name);
    value.dtype = dtype;
    value.shape = shape;
    value.has_shape = true;
    value.constant = true;
    value.data = storage->data();
    std::byte* writable = storage->data();
    value.keep_alive = std::move(storage);
    return {add_value(std::move(value)), writable};
  }

  /// The value a node's input i refers to (nullptr when absent).
  [[nodiscard]] const Value* input_of(const Node& node, std::size_t i) const noexcept {
    const int index = node.input(i);
    return index >= 0 ? &values[static_cast<std::size_t>(index)] : nullptr;
  }

  /// "file: node 'name' (OpType)" for messages.
  [[nodiscard]] std::string where(const Node& node) const {
    std::string text = source.empty() ? std::string() : source + ": ";
    text += "node '" + node.name + "' (" + node.op_type + ")";
    return text;
  }
};

/// Reads a constant integer tensor (int64/int32, any shape) as int64 values.
[[nodiscard]] inline Result<std::vector<std::int64_t>> constant_ints(const Value& value) {
  if (!value.constant || !value.has_shape) {
    return error(ErrorCode::unsupported, "tensor '", value.name, "' must be a constant (known at compile time)");
  }
  const std::size_t count = value.element_count();
  std::vector<std::int64_t> result(count);
  if (value.dtype == DType::i64) {
    if (count) std::memcpy(result.data(), value.data, count * 8);
  } else if (value.dtype == DType::i32) {
    for (std::size_t i = 0; i < count; ++i) {
      std::int32_t v;
      std::memcpy(&v, value.data + i * 4, 4);
      result[i] = v;
    }
  } else {
    return error(ErrorCode::invalid_model, "tensor '", value.name, "' has dtype ", dtype_name(value.dtype),
                 ", expected int64");
  }
  return result;
}

/// Reads a constant float tensor as floats (f32 only).
[[nodiscard]] inline Result<std::vector<float>> constant_floats(const Value& value) {
  if (!value.constant || !value.has_shape) {
    return error(ErrorCode::unsupported, "tensor '", value.name, "' must be a constant (known at compile time)");
  }
  if (value.dtype != DType::f32) {
    return error(ErrorCode::invalid_model, "tensor '", value.name, "' has dtype ", dtype_name(value.dtype),
                 ", expected f32");
  }
  std::vector<float> result(value.element_count());
  if (!result.empty()) std::memcpy(result.data(), value.data, result.size() * 4);
  return result;
}

}  // namespace tinynn::graph
