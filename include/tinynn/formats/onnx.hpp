// tinynn — ONNX importer: ModelProto bytes -> graph::Graph. Reads ModelProto, GraphProto, NodeProto,
// AttributeProto (every attribute type; sub-graphs are recorded, not imported), TensorProto (typed
// fields and raw_data, little endian, external data files beside the model), ValueInfoProto and the
// opset imports, with the protobuf reader of protobuf.hpp. Weights stay in the model buffer when
// their alignment allows (zero-copy) and are copied once otherwise. Every count, size and name
// reference is checked; errors name the file, the node or tensor, and the byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tinynn/formats/protobuf.hpp"
#include "tinynn/graph/ir.hpp"

namespace tinynn::formats::onnx {

/// ONNX TensorProto.DataType codes.
enum class OnnxType : std::int32_t {
  undefined = 0,
  float32 = 1,
  uint8 = 2,
  int8 = 3,
  uint16 = 4,
  int16 = 5,
  int32 = 6,
  int64 = 7,
  string = 8,
  boolean = 9,
  float16 = 10,
  float64 = 11,
  uint32 = 12,
  uint64 = 13,
  complex64 = 14,
  complex128 = 15,
  bfloat16 = 16,
};

[[nodiscard]] constexpr std::string_view onnx_type_name(std::int64_t code) noexcept {
  constexpr std::string_view names[] = {"UNDEFINED", "FLOAT",  "UINT8",     "INT8",       "UINT16",  "INT16",
                                        "INT32",     "INT64",  "STRING",    "BOOL",       "FLOAT16", "DOUBLE",
                                        "UINT32",    "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
  return code >= 0 && code <= 16 ? names[code] : "unknown";
}

/// The tinynn dtype of an ONNX element type, or an `unsupported` error.
[[nodiscard]] inline Result<DType> dtype_from_onnx(std::int64_t code) {
  switch (static_cast<OnnxType>(code)) {
    case OnnxType::float32: return DType::f32;
    case OnnxType::uint8: return DType::u8;
    case OnnxType::int8: return DType::i8;
    case OnnxType::int16: return DType::i16;
    case OnnxType::int32: return DType::i32;
    case OnnxType::int64: return DType::i64;
    case OnnxType::boolean: return DType::boolean;
    case OnnxType::float16: return DType::f16;
    default:
      return error(ErrorCode::unsupported, "element type ", onnx_type_name(code), " (", code,
                   ") is not supported by tinynn");
  }
}

struct ImportOptions {
  std::string source = "<memory>";  // file name for messages
  std::string directory;            // folder of the model, for external data ("" = no external data)
  std::size_t max_external_bytes = std::size_t{1} << 34;
};

namespace detail {

using protobuf::Field;
using protobuf::Reader;
using protobuf::WireType;
using Bytes = std::span<const std::uint8_t>;

/// A parsed TensorProto, before it becomes a graph Value.
struct TensorProto {
  std::string name;
  std::vector<std::int64_t> dims;
  std::int64_t data_type = 0;
  Bytes raw;
  bool has_raw = false;
  std::vector<Field> typed;  // float_data / int32_data / int64_data / double_data / uint64_data fields
  std::vector<std::pair<std::string, std::string>> external;
  bool external_location = false;
  std::size_t offset = 0;
};

class Importer {
 public:
  Importer(Bytes bytes, std::shared_ptr<const void> keep_alive, ImportOptions options)
      : bytes_(bytes), keep_(std::move(keep_alive)), options_(std::move(options)) {}

  Result<graph::Graph> run() {
    graph_.source = options_.source;
    graph_.buffer = keep_;
    Bytes graph_bytes;
    std::size_t graph_offset = 0;
    bool has_graph = false;
    Reader reader(bytes_);
    while (!reader.at_end()) {
      Field f;
      TINYNN_RETURN_IF_ERROR(prefixed(reader.next(f), "ModelProto"));
      if (f.number == 7 && f.wire == WireType::length_delimited) {
        graph_bytes = f.bytes;
        graph_offset = reader.payload_offset(f);
        has_graph = true;
      } else if (f.number == 8 && f.wire == WireType::length_delimited) {
        TINYNN_RETURN_IF_ERROR(parse_opset(f.bytes, reader.payload_offset(f)));
      } else if (f.number == 1 && f.wire == WireType::varint) {
        ir_version_ = f.as_int64();
      }
    }
    if (!has_graph) return fail(ErrorCode::invalid_model, "ModelProto has no graph (not an ONNX model?)");
    if (default_opset_ == 0) default_opset_ = 1;  // ONNX: a model without opset_import is opset 1
    graph_.opset = default_opset_;
    TINYNN_RETURN_IF_ERROR(parse_graph(graph_bytes, graph_offset));
    return std::move(graph_);
  }

 private:
  Status prefixed(Status status, std::string_view what) const {
    if (!status.ok()) status.prepend(options_.source + ": " + std::string(what));
    return status;
  }
  template <class... Pieces>
  Status fail(ErrorCode code, const Pieces&... pieces) const {
    return error(code, options_.source, ": ", pieces...);
  }

  Status parse_opset(Bytes bytes, std::size_t offset) {
    Reader reader(bytes, offset);
    std::string domain;
    std::int64_t version = 0;
    while (!reader.at_end()) {
      Field f;
      TINYNN_RETURN_IF_ERROR(prefixed(reader.next(f), "opset_import"));
      if (f.number == 1 && f.wire == WireType::length_delimited) domain = std::string(f.as_string());
      if (f.number == 2 && f.wire == WireType::varint) version = f.as_int64();
    }
    if (version < 0 || version > 1000)
      return fail(ErrorCode::invalid_model, "opset_import version ", version, " out of range");
    if (domain.empty() || domain == "ai.onnx") default_opset_ = static_cast<int>(version);
    opsets_[domain] = static_cast<int>(version);
    return {};
  }

  Status parse_graph(Bytes bytes, std::size_t offset) {
    std::vector<std::pair<Bytes, std::size_t>> nodes, initializers, inputs, outputs, value_infos;
    Reader reader(bytes, offset);
    while (!reader.at_end()) {
      Field f;
      TINYNN_RETURN_IF_ERROR(prefixed(reader.next(f), "GraphProto"));
      if (f.wire != WireType::length_delimited) continue;
      const std::pair<Bytes, std::size_t> item{f.bytes, reader.payload_offset(f)};
      switch (f.number) {
        case 1: nodes.push_back(item); break;
        case 5: initializers.push_back(item); break;
        case 11: inputs.push_back(item); break;
        case 12: outputs.push_back(item); break;
        case 13: value_infos.push_back(item); break;
        case 15: return fail(ErrorCode::unsupported, "sparse_initializer (graph field 15) is not supported");
        default: break;
      }
    }
    for (auto& [b, o] : initializers) {
      TensorProto t;
      TINYNN_RETURN_IF_ERROR(parse_tensor(b, o, t));
      if (t.name.empty()) return fail(ErrorCode::invalid_model, "initializer at offset ", o, " has no name");
      auto value = make_constant(t, "initializer '" + t.name + "'");
      if (!value) return std::move(value).error();
      if (names_.count(t.name)) return fail(ErrorCode::invalid_model, "initializer '", t.name, "' is defined twice");
      names_[t.name] = graph_.add_value(std::move(*value));
    }
    for (auto& [b, o] : inputs) {
      graph::Value v;
      TINYNN_RETURN_IF_ERROR(parse_value_info(b, o, v));
      if (names_.count(v.name)) continue;  // IR < 4: initializers are listed as inputs too
      const int index = graph_.add_value(std::move(v));
      names_[graph_.values.back().name] = index;
      graph_.inputs.push_back(index);
    }
    for (auto& [b, o] : value_infos) {
      graph::Value v;
      Status status = parse_value_info(b, o, v);
      if (status.code() == ErrorCode::unsupported) continue;  // only a hint: shapes are inferred anyway
      TINYNN_RETURN_IF_ERROR(std::move(status));
      declared_[v.name] = std::move(v);
    }
    for (auto& [b, o] : nodes) TINYNN_RETURN_IF_ERROR(parse_node(b, o));
    for (auto& [b, o] : outputs) {
      graph::Value v;
      TINYNN_RETURN_IF_ERROR(parse_value_info(b, o, v));
      auto found = names_.find(v.name);
      if (found == names_.end()) {
        return fail(ErrorCode::invalid_model, "graph output '", v.name, "' is not produced by any node");
      }
      graph::Value& target = graph_.values[static_cast<std::size_t>(found->second)];
      if (!target.has_shape && v.has_shape && !target.constant) {
        target.shape = v.shape;
        target.has_shape = true;
        target.dtype = v.dtype;
      }
      graph_.outputs.push_back(found->second);
    }
    TINYNN_RETURN_IF_ERROR(check_dangling());
    return sort_nodes();
  }

  /// Orders nodes so that every value is produced before use (ONNX requires it, not every writer
  /// obeys); a cycle is an error.
  Status sort_nodes() {
    auto& nodes = graph_.nodes;
    std::vector<int> ready(graph_.values.size(), 0);
    for (std::size_t v = 0; v < graph_.values.size(); ++v) ready[v] = graph_.values[v].producer < 0;
    std::vector<graph::Node> ordered;
    ordered.reserve(nodes.size());
    std::vector<char> done(nodes.size(), 0);
    bool progress = true;
    while (ordered.size() < nodes.size() && progress) {
      progress = false;
      for (std::size_t n = 0; n < nodes.size(); ++n) {
        if (done[n]) continue;
        bool inputs_ready = true;
        for (int in : nodes[n].inputs) inputs_ready = inputs_ready && (in < 0 || ready[static_cast<std::size_t>(in)]);
        if (!inputs_ready) continue;
        for (int out : nodes[n].outputs) {
          if (out >= 0) ready[static_cast<std::size_t>(out)] = 1;
        }
        done[n] = 1;
        ordered.push_back(std::move(nodes[n]));
        progress = true;
      }
    }
    if (ordered.size() < nodes.size()) {
      for (std::size_t n = 0; n < nodes.size(); ++n) {
        if (!done[n])
          return fail(ErrorCode::invalid_model, "node '", nodes[n].name, "' (", nodes[n].op_type,
                      ") is part of a cycle");
      }
    }
    nodes = std::move(ordered);
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      for (int out : nodes[n].outputs) {
        if (out >= 0) graph_.values[static_cast<std::size_t>(out)].producer = static_cast<int>(n);
      }
    }
    return {};
  }

  Status parse_value_info(Bytes bytes, std::size_t offset, graph::Value& value) {
    Reader reader(bytes, offset);
    Bytes type;
    std::size_t type_offset = 0;
    bool has_type = false;
    while (!reader.at_end()) {
      Field f;
      TINYNN_RETURN_IF_ERROR(prefixed(reader.next(f), "ValueInfoProto"));
      if (f.number == 1 && f.wire == WireType::length_delimited) value.name = std::string(f.as_string());
      if (f.number == 2 && f.wire == WireType::length_delimited) {
        type = f.bytes;
        type_offset = reader.payload_offset(f);
        has_type = true;
      }
    }
    if (value.name.empty()) return fail(ErrorCode::invalid_model, "value info at offset ", offset, " has no name");
    if (!has_type) return {};
    // TypeProto: tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1, dim_param = 2 } } }
    Reader type_reader(type, type_offset);
    while (!type_reader.at_end()) {
      Field f;
      TINYNN_RETURN_IF_ERROR(prefixed(type_reader.next(f), "TypeProto of '" + value.name + "'"));
      if (f.wire != WireType::length_delimited) continue;
      if (f.number != 1) {
        return fail(ErrorCode::unsupported, "'", value.name, "' has a non-tensor type (sequence, map or optional)");
      }
      Reader tensor_reader(f.bytes, type_reader.payload_offset(f));
      while (!tensor_reader.at_end()) {
        Field tf;
        TINYNN_RETURN_IF_ERROR(prefixed(tensor_reader.next(tf), "tensor type of '" + value.name + "'"));
        if (tf.number == 1 && tf.wire == WireType::varint) {
          auto dtype = dtype_from_onnx(tf.as_int64());
          if (!dtype) return fail(ErrorCode::unsupported, "tensor '", value.name, "': ", dtype.error().message());
          value.dtype = *dtype;
        } else if (tf.number == 2 && tf.wire == WireType::length_delimited) {
          value.has_shape = true;
          Reader shape_reader(tf.bytes, tensor_reader.payload_offset(tf));
          while (!shape_reader.at_end()) {
            Field df;
            TINYNN_RETURN_IF_ERROR(prefixed(shape_reader.next(df), "shape of '" + value.name + "'"));
            if (df.number != 1 || df.wire != WireType::length_delimited) continue;
            std::int64_t dim = -1;
            Reader dim_reader(df.bytes, shape_reader.payload_offset(df));
            while (!dim_reader.at_end()) {
              Field d;
              TINYNN_RETURN_IF_ERROR(prefixed(dim_reader.next(d), "dimension of '" + value.name + "'"));
              if (d.number == 1 && d.wire == WireType::varint) dim = d.as_int64() < 0 ? -1 : d.as_int64();
            }
            if (!value.shape.push_back(dim)) {
              return fail(ErrorCode::unsupported, "tensor '", value.name, "' has rank above ", max_rank);
            }
          }
        }
      }
    }
    return {};
  }

  Status parse_tensor(Bytes bytes, std::size_t offset, TensorProto& t) {
    t.offset = offset;
    Reader reader(bytes, offset);
    while (!reader.at_end()) {
      Field f;
      TINYNN_RETURN_IF_ERROR(prefixed(reader.next(f), "TensorProto"));
      switch (f.number) {
        case 1: {
          TINYNN_RETURN_IF_ERROR(protobuf::for_each_varint(f, [&](std::uint64_t v) {
            if (t.dims.size() <= max_rank) t.dims.push_back(static_cast<std::int64_t>(v));
          }));
          break;
        }
        case 2:
          if (f.wire == WireType::varint) t.data_type = f.as_int64();
          break;
        case 8:
          if (f.wire == WireType::length_delimited) t.name = std::string(f.as_string());
          break;
        case 9:
          if (f.wire == WireType::length_delimited) {
            t.raw = f.bytes;
            t.has_raw = true;
          }
          break;
        case 4:
        case 5:
        case 7:
        case 10:
        case 11: t.typed.push_back(f); break;
        case 6: return fail(ErrorCode::unsupported, "tensor '", t.name, "': string tensors are not supported");
        case 3: return fail(ErrorCode::unsupported, "tensor '", t.name, "': segmented tensors are not supported");
        case 13: {
          std::string key, val;
          Reader entry(f.bytes, reader.payload_offset(f));
          while (!entry.at_end()) {
            Field e;
            TINYNN_RETURN_IF_ERROR(prefixed(entry.next(e), "external_data entry"));
            if (e.number == 1 && e.wire == WireType::length_delimited) key = std::string(e.as_string());
            if (e.number == 2 && e.wire == WireType::length_delimited) val = std::string(e.as_string());
          }
          t.external.emplace_back(std::move(key), std::move(val));
          break;
        }
        case 14:
          if (f.wire == WireType::varint) t.external_location = f.varint == 1;
          break;
        default: break;
      }
    }
    return {};
  }

  /// Reads `length` bytes at `offset` of an external data file beside the model.
  Result<std::shared_ptr<graph::AlignedBuffer>> read_external(const TensorProto& t, std::size_t expected,
                                                              std::string_view what) {
    std::string location;
    std::uint64_t offset = 0, length = expected;
    bool has_length = false;
    for (const auto& entry : t.external) {
      const std::string& key = entry.first;
      const std::string& val = entry.second;
      auto parse = [&](std::uint64_t& out) {
        out = 0;
        for (char c : val) {
          if (c < '0' || c > '9' || out > (std::uint64_t{1} << 50)) return false;
          out = out * 10 + static_cast<std::uint64_t>(c - '0');
        }
        return !val.empty();
      };
      if (key == "location") location = val;
      if (key == "offset" && !parse(offset))
        return fail(ErrorCode::invalid_model, what, ": bad external offset '", val, "'");
      if (key == "length") {
        if (!parse(length)) return fail(ErrorCode::invalid_model, what, ": bad external length '", val, "'");
        has_length = true;
      }
    }
    if (location.empty()) return fail(ErrorCode::invalid_model, what, ": external data without a location");
    if (location.front() == '/' || location.find("..") != std::string::npos) {
      return fail(ErrorCode::invalid_model, what, ": external data location '", location,
                  "' must be a relative path inside the model's folder");
    }
    if (has_length && length != expected) {
      return fail(ErrorCode::invalid_model, what, ": external data length ", length, " but the tensor needs ", expected,
                  " bytes");
    }
    if (options_.directory.empty() && options_.source == "<memory>") {
      return fail(ErrorCode::unsupported, what, ": external data needs the model loaded from a file");
    }
    if (expected > options_.max_external_bytes)
      return fail(ErrorCode::out_of_memory, what, ": external tensor of ", expected, " bytes is too large");
    const std::string path = (options_.directory.empty() ? std::string(".") : options_.directory) + "/" + location;
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) return fail(ErrorCode::io_error, what, ": cannot open external data file '", path, "'");
    std::fseek(file, 0, SEEK_END);
    const long size = std::ftell(file);
    if (size < 0 || offset > static_cast<std::uint64_t>(size) || expected > static_cast<std::uint64_t>(size) - offset) {
      std::fclose(file);
      return fail(ErrorCode::invalid_model, what, ": external data '", path, "' has ", size, " bytes, needs ", expected,
                  " at offset ", offset);
    }
    auto buffer = std::make_shared<graph::AlignedBuffer>(expected);
    std::fseek(file, static_cast<long>(offset), SEEK_SET);
    const std::size_t got = expected ? std::fread(buffer->data(), 1, expected, file) : 0;
    std::fclose(file);
    if (got != expected) return fail(ErrorCode::io_error, what, ": short read from '", path, "'");
    return buffer;
  }

  Result<graph::Value> make_constant(const TensorProto& t, const std::string& what) {
    graph::Value value;
    value.name = t.name;
    auto dtype = dtype_from_onnx(t.data_type);
    if (!dtype) return fail(ErrorCode::unsupported, what, ": ", dtype.error().message());
    value.dtype = *dtype;
    if (t.dims.size() > max_rank) return fail(ErrorCode::unsupported, what, ": rank above ", max_rank);
    auto shape = DynShape::from(t.dims);
    if (!shape) return fail(ErrorCode::invalid_model, what, ": ", shape.error().message());
    value.shape = *shape;
    value.has_shape = true;
    value.constant = true;
    const std::size_t count = value.shape.size();
    const std::size_t element = dtype_size(value.dtype);
    if (count > (std::size_t{1} << 60) / 8) return fail(ErrorCode::out_of_memory, what, ": too many elements");
    const std::size_t bytes = count * element;
    if (t.external_location || !t.external.empty()) {
      auto buffer = read_external(t, bytes, what);
      if (!buffer) return std::move(buffer).error();
      value.data = (*buffer)->data();
      value.keep_alive = std::move(*buffer);
      return value;
    }
    if (t.has_raw) {
      if (t.raw.size() != bytes) {
        return fail(ErrorCode::invalid_model, what, " (", dtype_name(value.dtype), " ", value.shape, "): raw_data has ",
                    t.raw.size(), " bytes, expected ", bytes);
      }
      if (reinterpret_cast<std::uintptr_t>(t.raw.data()) % element == 0 && keep_) {
        value.data = reinterpret_cast<const std::byte*>(t.raw.data());  // zero-copy
        value.keep_alive = keep_;
      } else {
        auto buffer = std::make_shared<graph::AlignedBuffer>(bytes);
        if (bytes) std::memcpy(buffer->data(), t.raw.data(), bytes);
        value.data = buffer->data();
        value.keep_alive = std::move(buffer);
      }
      return value;
    }
    // Typed fields: count elements first (bounded by the field bytes), then convert.
    std::size_t found = 0;
    for (const Field& f : t.typed) {
      const bool fixed4 = f.number == 4, fixed8 = f.number == 10;
      found += fixed4   ? (f.wire == WireType::length_delimited ? f.bytes.size() / 4 : 1)
               : fixed8 ? (f.wire == WireType::length_delimited ? f.bytes.size() / 8 : 1)
                        : protobuf::packed_varint_count(f);
    }
    if (found != count) {
      return fail(ErrorCode::invalid_model, what, " (", dtype_name(value.dtype), " ", value.shape, "): holds ", found,
                  " elements, expected ", count);
    }
    auto buffer = std::make_shared<graph::AlignedBuffer>(bytes);
    std::byte* out = buffer->data();
    std::size_t index = 0;
    auto store = [&](std::uint64_t bits, bool is_float_field) {
      if (index >= count) return;
      std::byte* dst = out + index * element;
      switch (value.dtype) {
        case DType::f32: {
          std::uint32_t b = static_cast<std::uint32_t>(bits);
          if (!is_float_field) {
            const float v = static_cast<float>(static_cast<std::int64_t>(bits));
            std::memcpy(&b, &v, 4);
          }
          std::memcpy(dst, &b, 4);
          break;
        }
        case DType::i64: {
          std::int64_t v = static_cast<std::int64_t>(bits);
          std::memcpy(dst, &v, 8);
          break;
        }
        case DType::i32: {
          std::int32_t v = static_cast<std::int32_t>(bits);
          std::memcpy(dst, &v, 4);
          break;
        }
        case DType::i16:
        case DType::f16: {
          std::uint16_t v = static_cast<std::uint16_t>(bits);
          std::memcpy(dst, &v, 2);
          break;
        }
        default: {
          std::uint8_t v = static_cast<std::uint8_t>(bits);
          std::memcpy(dst, &v, 1);
          break;
        }
      }
      ++index;
    };
    for (const Field& f : t.typed) {
      if (f.number == 4) {
        TINYNN_RETURN_IF_ERROR(protobuf::for_each_fixed(f, 4, [&](std::uint64_t b) { store(b, true); }));
      } else if (f.number == 10) {
        return fail(ErrorCode::unsupported, what, ": double_data is not supported");
      } else {
        TINYNN_RETURN_IF_ERROR(protobuf::for_each_varint(f, [&](std::uint64_t b) { store(b, false); }));
      }
    }
    value.data = buffer->data();
    value.keep_alive = std::move(buffer);
    return value;
  }

  Status parse_attribute(Bytes bytes, std::size_t offset, graph::Node& node, graph::Attribute& a) {
    Reader reader(bytes, offset);
    std::int64_t declared_type = 0;
    const std::string where = "node '" + node.name + "' (" + node.op_type + ") attribute";
    while (!reader.at_end()) {
      Field f;
      TINYNN_RETURN_IF_ERROR(prefixed(reader.next(f), where));
      const bool ld = f.wire == WireType::length_delimited;
      switch (f.number) {
        case 1:
          if (ld) a.name = std::string(f.as_string());
          break;
        case 20: declared_type = f.as_int64(); break;
        case 2:
          if (f.wire == WireType::fixed32) {
            a.f = f.as_float();
            if (!declared_type) a.type = graph::AttrType::f;
          }
          break;
        case 3:
          if (f.wire == WireType::varint) {
            a.i = f.as_int64();
            if (!declared_type) a.type = graph::AttrType::i;
          }
          break;
        case 4:
          if (ld) a.s = std::string(f.as_string());
          break;
        case 5:
          if (ld) {
            TensorProto t;
            TINYNN_RETURN_IF_ERROR(parse_tensor(f.bytes, reader.payload_offset(f), t));
            auto value = make_constant(t, where + " '" + a.name + "' tensor");
            if (!value) return std::move(value).error();
            a.tensor = graph_.add_value(std::move(*value));
          }
          break;
        case 7: {
          TINYNN_RETURN_IF_ERROR(protobuf::for_each_fixed(f, 4, [&](std::uint64_t b) {
            const auto bits = static_cast<std::uint32_t>(b);
            float v;
            std::memcpy(&v, &bits, 4);
            a.floats.push_back(v);
          }));
          break;
        }
        case 8: {
          TINYNN_RETURN_IF_ERROR(
              protobuf::for_each_varint(f, [&](std::uint64_t v) { a.ints.push_back(static_cast<std::int64_t>(v)); }));
          break;
        }
        case 9:
          if (ld) a.strings.emplace_back(f.as_string());
          break;
        default: break;
      }
    }
    using graph::AttrType;
    switch (declared_type) {
      case 0:
        if (a.type == AttrType::undefined) {
          a.type = a.tensor >= 0        ? AttrType::t
                   : !a.floats.empty()  ? AttrType::floats
                   : !a.ints.empty()    ? AttrType::ints
                   : !a.strings.empty() ? AttrType::strings
                   : !a.s.empty()       ? AttrType::s
                                        : AttrType::undefined;
        }
        break;
      case 1: a.type = AttrType::f; break;
      case 2: a.type = AttrType::i; break;
      case 3: a.type = AttrType::s; break;
      case 4: a.type = AttrType::t; break;
      case 5: a.type = AttrType::g; break;
      case 6: a.type = AttrType::floats; break;
      case 7: a.type = AttrType::ints; break;
      case 8: a.type = AttrType::strings; break;
      case 9: a.type = AttrType::tensors; break;
      case 10: a.type = AttrType::graphs; break;
      default: a.type = AttrType::other; break;
    }
    if (a.type == AttrType::t && a.tensor < 0) {
      return fail(ErrorCode::invalid_model, where, " '", a.name, "' is declared TENSOR but holds none");
    }
    return {};
  }

  Status parse_node(Bytes bytes, std::size_t offset) {
    graph::Node node;
    std::vector<std::string> inputs, outputs;
    std::vector<std::pair<Bytes, std::size_t>> attributes;
    Reader reader(bytes, offset);
    while (!reader.at_end()) {
      Field f;
      TINYNN_RETURN_IF_ERROR(prefixed(reader.next(f), "NodeProto at offset " + std::to_string(offset)));
      if (f.wire != WireType::length_delimited) continue;
      switch (f.number) {
        case 1: inputs.emplace_back(f.as_string()); break;
        case 2: outputs.emplace_back(f.as_string()); break;
        case 3: node.name = std::string(f.as_string()); break;
        case 4: node.op_type = std::string(f.as_string()); break;
        case 7: node.domain = std::string(f.as_string()); break;
        case 5: attributes.emplace_back(f.bytes, reader.payload_offset(f)); break;
        default: break;
      }
    }
    if (node.domain == "ai.onnx") node.domain.clear();
    if (node.name.empty()) node.name = node.op_type + "_" + std::to_string(graph_.nodes.size());
    if (node.op_type.empty()) return fail(ErrorCode::invalid_model, "node '", node.name, "' has no op_type");
    auto opset = opsets_.find(node.domain);
    node.opset = opset != opsets_.end() ? opset->second : (node.domain.empty() ? default_opset_ : 1);
    for (auto& [b, o] : attributes) {
      graph::Attribute a;
      TINYNN_RETURN_IF_ERROR(parse_attribute(b, o, node, a));
      node.attributes.push_back(std::move(a));
    }
    const int node_index = static_cast<int>(graph_.nodes.size());
    for (const std::string& name : inputs) {
      if (name.empty()) {
        node.inputs.push_back(-1);
        continue;
      }
      auto found = names_.find(name);
      if (found == names_.end()) {
        // Maybe produced by a later node (unsorted graph): create the value now, bind it later.
        graph::Value v;
        v.name = name;
        v.producer = -2;
        const int index = graph_.add_value(std::move(v));
        names_[name] = index;
        node.inputs.push_back(index);
        continue;
      }
      node.inputs.push_back(found->second);
    }
    for (const std::string& name : outputs) {
      if (name.empty()) {
        node.outputs.push_back(-1);
        continue;
      }
      auto found = names_.find(name);
      int index;
      if (found != names_.end()) {
        graph::Value& existing = graph_.values[static_cast<std::size_t>(found->second)];
        if (existing.producer != -2) {
          return fail(ErrorCode::invalid_model, "node '", node.name, "' (", node.op_type, ") output '", name,
                      "' is already defined");
        }
        index = found->second;
      } else {
        graph::Value v;
        v.name = name;
        index = graph_.add_value(std::move(v));
        names_[name] = index;
      }
      graph::Value& value = graph_.values[static_cast<std::size_t>(index)];
      value.producer = node_index;
      auto declared = declared_.find(name);
      if (declared != declared_.end()) {
        value.dtype = declared->second.dtype;
        value.shape = declared->second.shape;
        value.has_shape = declared->second.has_shape;
      }
      node.outputs.push_back(index);
    }
    graph_.nodes.push_back(std::move(node));
    return {};
  }

 public:
  /// A standalone TensorProto (e.g. a conformance input_0.pb) as an owned constant value.
  Result<graph::Value> parse_standalone_tensor(Bytes bytes) {
    TensorProto t;
    TINYNN_RETURN_IF_ERROR(parse_tensor(bytes, 0, t));
    return make_constant(t, "tensor '" + t.name + "'");
  }

  /// Values named as inputs that nothing produces (reported after every node is parsed).
  Status check_dangling() const {
    for (const graph::Node& node : graph_.nodes) {
      for (int in : node.inputs) {
        if (in >= 0 && graph_.values[static_cast<std::size_t>(in)].producer == -2) {
          return fail(ErrorCode::invalid_model, "node '", node.name, "' (", node.op_type, ") input '",
                      graph_.values[static_cast<std::size_t>(in)].name,
                      "' is not a graph input, an initializer or any node's output");
        }
      }
    }
    return {};
  }

 private:
  Bytes bytes_;
  std::shared_ptr<const void> keep_;
  ImportOptions options_;
  graph::Graph graph_;
  std::int64_t ir_version_ = 0;
  int default_opset_ = 0;
  std::unordered_map<std::string, int> opsets_;
  std::unordered_map<std::string, int> names_;
  std::unordered_map<std::string, graph::Value> declared_;
};

}  // namespace detail

/// Imports an ONNX model held in `bytes`. `keep_alive` owns those bytes (constants may point into
/// them); pass nullptr to have every constant copied.
[[nodiscard]] inline Result<graph::Graph> import_model(std::span<const std::uint8_t> bytes,
                                                       std::shared_ptr<const void> keep_alive,
                                                       ImportOptions options = {}) {
  detail::Importer importer(bytes, std::move(keep_alive), std::move(options));
  return importer.run();
}

/// Parses one serialized TensorProto (the conformance suites' input_*.pb / output_*.pb files) into
/// a constant Value (data copied, owned by the value).
[[nodiscard]] inline Result<graph::Value> parse_tensor(std::span<const std::uint8_t> bytes,
                                                       std::string_view source = "<tensor>") {
  ImportOptions options;
  options.source = std::string(source);
  detail::Importer importer(bytes, nullptr, options);
  return importer.parse_standalone_tensor(bytes);
}

}  // namespace tinynn::formats::onnx
