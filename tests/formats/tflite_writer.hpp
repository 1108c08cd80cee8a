// Test helper: writes small TFLite flatbuffers from a description (tensors, operators with builtin
// options), so importer tests can build models op by op. Written from the FlatBuffers binary format
// (little-endian; a table starts with an int32 offset back to its vtable; the vtable lists uint16
// field offsets; vectors are a uint32 length then the elements; uoffsets point forward) and
// TFLite's schema.fbs field numbers. Objects are laid out front to back: a table's children follow
// it, so every uoffset is positive. Every scalar is aligned to its size.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tflite_writer {

struct Object;
using ObjectPtr = std::shared_ptr<Object>;

/// A table field: a scalar (its little-endian bytes) or an offset to another object.
struct Field {
  int id = 0;
  std::vector<std::uint8_t> bytes;
  ObjectPtr child;
};

struct Object {
  enum Kind { table, scalars, objects, string } kind = table;
  std::vector<Field> fields;      // table
  std::vector<std::uint8_t> raw;  // scalars (element bytes) or string
  std::size_t element_size = 1;   // scalars
  std::vector<ObjectPtr> elements;
};

template <class T>
std::vector<std::uint8_t> bytes_of(T value) {
  std::vector<std::uint8_t> b(sizeof(T));
  std::memcpy(b.data(), &value, sizeof(T));
  return b;
}

/// Builds tables field by field.
class Table {
 public:
  template <class T>
  Table& scalar(int id, T value) {
    object_->fields.push_back({id, bytes_of(value), nullptr});
    return *this;
  }
  Table& child(int id, ObjectPtr value) {
    object_->fields.push_back({id, {}, std::move(value)});
    return *this;
  }
  [[nodiscard]] ObjectPtr done() const { return object_; }

 private:
  ObjectPtr object_ = std::make_shared<Object>();
};

template <class T>
ObjectPtr vector_of(const std::vector<T>& values) {
  auto o = std::make_shared<Object>();
  o->kind = Object::scalars;
  o->element_size = sizeof(T);
  o->raw.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(o->raw.data(), values.data(), o->raw.size());
  return o;
}
inline ObjectPtr vector_of_bytes(const std::vector<std::uint8_t>& bytes) { return vector_of(bytes); }
inline ObjectPtr tables(std::vector<ObjectPtr> elements) {
  auto o = std::make_shared<Object>();
  o->kind = Object::objects;
  o->elements = std::move(elements);
  return o;
}
inline ObjectPtr string_of(const std::string& s) {
  auto o = std::make_shared<Object>();
  o->kind = Object::string;
  o->raw.assign(s.begin(), s.end());
  return o;
}

class Writer {
 public:
  std::vector<std::uint8_t> finish(const ObjectPtr& root, const char* identifier) {
    buffer_.assign(8, 0);
    std::memcpy(buffer_.data() + 4, identifier, 4);
    const std::size_t at = emit(*root);
    put<std::uint32_t>(0, static_cast<std::uint32_t>(at));
    return buffer_;
  }

 private:
  template <class T>
  void put(std::size_t at, T value) {
    std::memcpy(buffer_.data() + at, &value, sizeof(T));
  }
  void align(std::size_t alignment, std::size_t extra = 0) {
    while ((buffer_.size() + extra) % alignment) buffer_.push_back(0);
  }
  void patch_offset(std::size_t at, std::size_t target) {
    put<std::uint32_t>(at, static_cast<std::uint32_t>(target - at));
  }

  std::size_t emit(const Object& o) {
    switch (o.kind) {
      case Object::string: {
        align(4);
        const std::size_t at = buffer_.size();
        buffer_.resize(at + 4);
        put<std::uint32_t>(at, static_cast<std::uint32_t>(o.raw.size()));
        buffer_.insert(buffer_.end(), o.raw.begin(), o.raw.end());
        buffer_.push_back(0);
        return at;
      }
      case Object::scalars: {
        align(std::max<std::size_t>(o.element_size, 4), 4);  // elements aligned to their size
        align(4);
        const std::size_t at = buffer_.size();
        buffer_.resize(at + 4);
        put<std::uint32_t>(at, static_cast<std::uint32_t>(o.raw.size() / o.element_size));
        buffer_.insert(buffer_.end(), o.raw.begin(), o.raw.end());
        return at;
      }
      case Object::objects: {
        align(4);
        const std::size_t at = buffer_.size();
        buffer_.resize(at + 4 + 4 * o.elements.size());
        put<std::uint32_t>(at, static_cast<std::uint32_t>(o.elements.size()));
        for (std::size_t i = 0; i < o.elements.size(); ++i) patch_offset(at + 4 + 4 * i, emit(*o.elements[i]));
        return at;
      }
      case Object::table: break;
    }
    // Table layout: soffset, then each field aligned to its size (offset fields: 4 bytes).
    int max_id = -1;
    std::vector<std::size_t> field_at(o.fields.size());
    std::size_t size = 4;
    for (std::size_t i = 0; i < o.fields.size(); ++i) {
      const Field& f = o.fields[i];
      max_id = std::max(max_id, f.id);
      const std::size_t width = f.child ? 4 : f.bytes.size();
      while (size % width) ++size;
      field_at[i] = size;
      size += width;
    }
    const std::size_t vtable_size = 4 + 2 * static_cast<std::size_t>(max_id + 1);
    align(2);
    const std::size_t vtable = buffer_.size();
    buffer_.resize(vtable + vtable_size, 0);
    put<std::uint16_t>(vtable, static_cast<std::uint16_t>(vtable_size));
    put<std::uint16_t>(vtable + 2, static_cast<std::uint16_t>(size));
    for (std::size_t i = 0; i < o.fields.size(); ++i) {
      put<std::uint16_t>(vtable + 4 + 2 * static_cast<std::size_t>(o.fields[i].id),
                         static_cast<std::uint16_t>(field_at[i]));
    }
    align(8);
    const std::size_t table = buffer_.size();
    buffer_.resize(table + size, 0);
    put<std::int32_t>(table, static_cast<std::int32_t>(table - vtable));
    for (std::size_t i = 0; i < o.fields.size(); ++i) {
      if (!o.fields[i].child)
        std::memcpy(buffer_.data() + table + field_at[i], o.fields[i].bytes.data(), o.fields[i].bytes.size());
    }
    for (std::size_t i = 0; i < o.fields.size(); ++i) {
      if (o.fields[i].child) patch_offset(table + field_at[i], emit(*o.fields[i].child));
    }
    return table;
  }

  std::vector<std::uint8_t> buffer_;
};

// ---- TFLite models ------------------------------------------------------------------------------

/// schema.fbs TensorType values used by tests.
enum Type : std::int8_t { float32 = 0, int32 = 2, uint8 = 3, int64 = 4, boolean = 6, int16 = 7, int8 = 9 };

struct TensorSpec {
  TensorSpec() = default;
  TensorSpec(std::vector<std::int32_t> dims, std::int8_t tensor_type, std::vector<std::uint8_t> constant = {})
      : shape(std::move(dims)), type(tensor_type), data(std::move(constant)) {}
  std::vector<std::int32_t> shape;
  std::int8_t type = float32;
  std::vector<std::uint8_t> data;  // constant data (empty: an activation)
  std::vector<float> scales;       // quantization (empty: none)
  std::vector<std::int64_t> zero_points;
  std::int32_t quantized_dimension = 0;
  bool is_variable = false;
  std::string name;
};

template <class T>
std::vector<std::uint8_t> raw_bytes(const std::vector<T>& values) {
  std::vector<std::uint8_t> b(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(b.data(), values.data(), b.size());
  return b;
}

struct OperatorSpec {
  OperatorSpec(std::int32_t code, std::vector<std::int32_t> in, std::vector<std::int32_t> out,
               std::vector<std::int32_t> extra = {}, std::uint8_t type = 0, ObjectPtr table = nullptr)
      : builtin(code),
        inputs(std::move(in)),
        outputs(std::move(out)),
        intermediates(std::move(extra)),
        options_type(type),
        options(std::move(table)) {}
  std::int32_t builtin = 0;
  std::vector<std::int32_t> inputs, outputs, intermediates;
  std::uint8_t options_type = 0;  // BuiltinOptions union index
  ObjectPtr options;              // the options table (Table{}.scalar(...).done())
};

/// A schema-v3 model with one subgraph.
inline std::vector<std::uint8_t> model(const std::vector<TensorSpec>& tensors, const std::vector<OperatorSpec>& ops,
                                       const std::vector<std::int32_t>& inputs,
                                       const std::vector<std::int32_t>& outputs) {
  std::vector<std::int32_t> codes;
  std::vector<ObjectPtr> op_tables;
  for (const OperatorSpec& op : ops) {
    auto it = std::find(codes.begin(), codes.end(), op.builtin);
    const auto index = static_cast<std::uint32_t>(it - codes.begin());
    if (it == codes.end()) codes.push_back(op.builtin);
    Table t;
    t.scalar<std::uint32_t>(0, index).child(1, vector_of(op.inputs)).child(2, vector_of(op.outputs));
    if (op.options) t.scalar<std::uint8_t>(3, op.options_type).child(4, op.options);
    if (!op.intermediates.empty()) t.child(8, vector_of(op.intermediates));
    op_tables.push_back(t.done());
  }
  std::vector<ObjectPtr> code_tables;
  for (std::int32_t code : codes) {
    code_tables.push_back(Table{}
                              .scalar<std::int8_t>(0, static_cast<std::int8_t>(std::min(code, 127)))
                              .scalar<std::int32_t>(2, 1)
                              .scalar<std::int32_t>(3, code)
                              .done());
  }
  std::vector<ObjectPtr> buffers = {Table{}.done()};
  std::vector<ObjectPtr> tensor_tables;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const TensorSpec& s = tensors[i];
    std::uint32_t buffer = 0;
    if (!s.data.empty()) {
      buffer = static_cast<std::uint32_t>(buffers.size());
      buffers.push_back(Table{}.child(0, vector_of_bytes(s.data)).done());
    }
    Table t;
    t.child(0, vector_of(s.shape))
        .scalar<std::int8_t>(1, s.type)
        .scalar<std::uint32_t>(2, buffer)
        .child(3, string_of(s.name.empty() ? "t" + std::to_string(i) : s.name));
    if (!s.scales.empty()) {
      std::vector<std::int64_t> zps = s.zero_points;
      zps.resize(s.scales.size(), 0);
      t.child(4, Table{}
                     .child(2, vector_of(s.scales))
                     .child(3, vector_of(zps))
                     .scalar<std::int32_t>(6, s.quantized_dimension)
                     .done());
    }
    if (s.is_variable) t.scalar<std::uint8_t>(5, 1);
    tensor_tables.push_back(t.done());
  }
  const ObjectPtr subgraph = Table{}
                                 .child(0, tables(tensor_tables))
                                 .child(1, vector_of(inputs))
                                 .child(2, vector_of(outputs))
                                 .child(3, tables(op_tables))
                                 .child(4, string_of("main"))
                                 .done();
  const ObjectPtr root = Table{}
                             .scalar<std::uint32_t>(0, 3)
                             .child(1, tables(code_tables))
                             .child(2, tables({subgraph}))
                             .child(3, string_of("tinynn test"))
                             .child(4, tables(buffers))
                             .done();
  return Writer{}.finish(root, "TFL3");
}

}  // namespace tflite_writer
