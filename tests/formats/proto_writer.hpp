// Test helper: a minimal protobuf writer to build ONNX messages field by field (tests only).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace proto_writer {

struct Message {
  std::vector<std::uint8_t> bytes;

  Message& varint_raw(std::uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<std::uint8_t>(v));
    return *this;
  }
  Message& tag(std::uint32_t field, std::uint32_t wire) { return varint_raw((std::uint64_t{field} << 3) | wire); }
  Message& varint(std::uint32_t field, std::uint64_t v) { return tag(field, 0).varint_raw(v); }
  Message& fixed32(std::uint32_t field, std::uint32_t v) {
    tag(field, 5);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  Message& f32(std::uint32_t field, float v) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    return fixed32(field, bits);
  }
  Message& fixed64(std::uint32_t field, std::uint64_t v) {
    tag(field, 1);
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  Message& bytes_field(std::uint32_t field, const void* data, std::size_t size) {
    tag(field, 2).varint_raw(size);
    const auto* p = static_cast<const std::uint8_t*>(data);
    bytes.insert(bytes.end(), p, p + size);
    return *this;
  }
  Message& str(std::uint32_t field, std::string_view s) { return bytes_field(field, s.data(), s.size()); }
  Message& msg(std::uint32_t field, const Message& m) { return bytes_field(field, m.bytes.data(), m.bytes.size()); }
  Message& packed_varints(std::uint32_t field, const std::vector<std::int64_t>& values) {
    Message inner;
    for (std::int64_t v : values) inner.varint_raw(static_cast<std::uint64_t>(v));
    return msg(field, inner);
  }
  Message& packed_floats(std::uint32_t field, const std::vector<float>& values) {
    return bytes_field(field, values.data(), values.size() * 4);
  }
};

// ONNX builders.
inline Message tensor(std::string_view name, int data_type, const std::vector<std::int64_t>& dims,
                      const std::vector<float>& raw_floats) {
  Message t;
  for (std::int64_t d : dims) t.varint(1, static_cast<std::uint64_t>(d));
  t.varint(2, static_cast<std::uint64_t>(data_type)).str(8, name);
  t.bytes_field(9, raw_floats.data(), raw_floats.size() * 4);
  return t;
}
inline Message value_info(std::string_view name, int elem_type, const std::vector<std::int64_t>& dims) {
  Message shape;
  for (std::int64_t d : dims) shape.msg(1, Message{}.varint(1, static_cast<std::uint64_t>(d)));
  Message tensor_type;
  tensor_type.varint(1, static_cast<std::uint64_t>(elem_type)).msg(2, shape);
  Message type;
  type.msg(1, tensor_type);
  Message info;
  info.str(1, name).msg(2, type);
  return info;
}
inline Message node(std::string_view op, std::vector<std::string> inputs, std::vector<std::string> outputs,
                    std::string_view name, std::vector<Message> attributes = {}) {
  Message n;
  for (auto& i : inputs) n.str(1, i);
  for (auto& o : outputs) n.str(2, o);
  n.str(3, name).str(4, op);
  for (auto& a : attributes) n.msg(5, a);
  return n;
}
inline Message attr_int(std::string_view name, std::int64_t v) {
  return Message{}.str(1, name).varint(20, 2).varint(3, static_cast<std::uint64_t>(v));
}
inline Message attr_float(std::string_view name, float v) { return Message{}.str(1, name).varint(20, 1).f32(2, v); }
inline Message attr_ints(std::string_view name, const std::vector<std::int64_t>& v) {
  return Message{}.str(1, name).varint(20, 7).packed_varints(8, v);
}
inline Message model(const Message& graph, int opset = 13) {
  Message m;
  m.varint(1, 8).msg(8, Message{}.str(1, "").varint(2, static_cast<std::uint64_t>(opset))).msg(7, graph);
  return m;
}

}  // namespace proto_writer
