// tinynn — a thin, bounds-checked protobuf wire-format reader (proto2/proto3 encoding: varints,
// zigzag, fixed32/64, length-delimited fields, packed repeated fields, unknown-field skipping).
// It never allocates: a Reader walks a byte span and hands out sub-spans. Every length is checked
// against the bytes left before use, so a hostile buffer gives an error naming the offset, never a
// read past the end. Groups (wire types 3/4, deprecated) are rejected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "tinynn/status.hpp"

namespace tinynn::formats::protobuf {

enum class WireType : std::uint8_t { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

/// One field as read from the wire. `varint` holds the value of varint/fixed32/fixed64 fields;
/// `bytes` the payload of a length-delimited field. `offset` is where the field's tag starts,
/// counted from the start of the outermost buffer (for messages).
struct Field {
  std::uint32_t number = 0;
  WireType wire = WireType::varint;
  std::uint64_t varint = 0;
  std::span<const std::uint8_t> bytes;
  std::size_t offset = 0;

  [[nodiscard]] std::int64_t as_int64() const noexcept { return static_cast<std::int64_t>(varint); }
  [[nodiscard]] std::int32_t as_int32() const noexcept {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(varint));
  }
  [[nodiscard]] float as_float() const noexcept {
    const auto bits = static_cast<std::uint32_t>(varint);
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }
  [[nodiscard]] double as_double() const noexcept {
    double value;
    std::memcpy(&value, &varint, sizeof value);
    return value;
  }
  [[nodiscard]] std::string_view as_string() const noexcept {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
};

[[nodiscard]] constexpr std::int64_t zigzag_decode(std::uint64_t value) noexcept {
  return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

[[nodiscard]] constexpr std::uint64_t zigzag_encode(std::int64_t value) noexcept {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

/// Reads one varint at `data[pos]`, advancing `pos`; at most 10 bytes, and the tenth may only
/// carry the top bit. Returns false on truncation or overlong encoding.
[[nodiscard]] constexpr bool read_varint(std::span<const std::uint8_t> data, std::size_t& pos,
                                         std::uint64_t& value) noexcept {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= data.size()) return false;
    const std::uint8_t byte = data[pos++];
    if (shift == 63 && byte > 1) return false;
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

/// Walks the fields of one message.
class Reader {
 public:
  constexpr Reader() noexcept = default;
  /// `base_offset` is the position of `data` in the outermost buffer (for error messages).
  constexpr explicit Reader(std::span<const std::uint8_t> data, std::size_t base_offset = 0) noexcept
      : data_(data), base_(base_offset) {}

  [[nodiscard]] constexpr bool at_end() const noexcept { return pos_ >= data_.size(); }
  [[nodiscard]] constexpr std::size_t offset() const noexcept { return base_ + pos_; }

  /// Reads the next field; call only when !at_end().
  [[nodiscard]] Status next(Field& field) {
    field = Field{};
    field.offset = base_ + pos_;
    std::uint64_t tag = 0;
    if (!read_varint(data_, pos_, tag)) return truncated("field tag");
    if (tag > 0xffffffffu)
      return error(ErrorCode::invalid_model, "protobuf: field tag ", tag, " at offset ", field.offset,
                   " is out of range");
    field.number = static_cast<std::uint32_t>(tag >> 3);
    if (field.number == 0) return error(ErrorCode::invalid_model, "protobuf: field number 0 at offset ", field.offset);
    const auto wire = static_cast<std::uint32_t>(tag & 7);
    switch (wire) {
      case 0:
        field.wire = WireType::varint;
        if (!read_varint(data_, pos_, field.varint)) return truncated("varint");
        return {};
      case 1:
        field.wire = WireType::fixed64;
        if (data_.size() - pos_ < 8) return truncated("fixed64");
        field.varint = load_le(8);
        return {};
      case 5:
        field.wire = WireType::fixed32;
        if (data_.size() - pos_ < 4) return truncated("fixed32");
        field.varint = load_le(4);
        return {};
      case 2: {
        field.wire = WireType::length_delimited;
        std::uint64_t length = 0;
        if (!read_varint(data_, pos_, length)) return truncated("length");
        if (length > data_.size() - pos_) {
          return error(ErrorCode::invalid_model, "protobuf: field ", field.number, " at offset ", field.offset,
                       " declares ", length, " bytes but only ", data_.size() - pos_, " remain");
        }
        field.bytes = data_.subspan(pos_, static_cast<std::size_t>(length));
        pos_ += static_cast<std::size_t>(length);
        return {};
      }
      default:
        return error(ErrorCode::invalid_model, "protobuf: field ", field.number, " at offset ", field.offset,
                     " has unsupported wire type ", wire);
    }
  }

  /// Offset (in the outermost buffer) of the payload of a length-delimited field.
  [[nodiscard]] std::size_t payload_offset(const Field& field) const noexcept {
    return base_ + static_cast<std::size_t>(field.bytes.data() - data_.data());
  }

 private:
  [[nodiscard]] Status truncated(std::string_view what) const {
    return error(ErrorCode::invalid_model, "protobuf: truncated ", what, " at offset ", base_ + pos_);
  }
  std::uint64_t load_le(std::size_t bytes) noexcept {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < bytes; ++i) value |= static_cast<std::uint64_t>(data_[pos_ + i]) << (8 * i);
    pos_ += bytes;
    return value;
  }

  std::span<const std::uint8_t> data_;
  std::size_t base_ = 0;
  std::size_t pos_ = 0;
};

/// Calls `sink(std::uint64_t)` for every varint of a repeated varint field, packed or not.
template <class Sink>
[[nodiscard]] Status for_each_varint(const Field& field, Sink&& sink) {
  if (field.wire == WireType::varint) {
    sink(field.varint);
    return {};
  }
  if (field.wire != WireType::length_delimited) {
    return error(ErrorCode::invalid_model, "protobuf: field ", field.number, " at offset ", field.offset,
                 " should hold varints");
  }
  std::size_t pos = 0;
  while (pos < field.bytes.size()) {
    std::uint64_t value = 0;
    if (!read_varint(field.bytes, pos, value)) {
      return error(ErrorCode::invalid_model, "protobuf: truncated packed varint in field ", field.number, " at offset ",
                   field.offset);
    }
    sink(value);
  }
  return {};
}

/// Number of varints in a packed field (to size a container before filling it).
[[nodiscard]] inline std::size_t packed_varint_count(const Field& field) noexcept {
  if (field.wire != WireType::length_delimited) return 1;
  std::size_t count = 0;
  for (std::uint8_t byte : field.bytes) count += (byte & 0x80) == 0;
  return count;
}

/// Calls `sink(std::uint64_t bits)` for every fixed-width element (4 or 8 bytes) of a repeated
/// fixed32/fixed64/float/double field, packed or not.
template <class Sink>
[[nodiscard]] Status for_each_fixed(const Field& field, std::size_t width, Sink&& sink) {
  const WireType single = width == 4 ? WireType::fixed32 : WireType::fixed64;
  if (field.wire == single) {
    sink(field.varint);
    return {};
  }
  if (field.wire != WireType::length_delimited || field.bytes.size() % width != 0) {
    return error(ErrorCode::invalid_model, "protobuf: field ", field.number, " at offset ", field.offset,
                 " should hold ", width, "-byte elements");
  }
  for (std::size_t pos = 0; pos < field.bytes.size(); pos += width) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value |= static_cast<std::uint64_t>(field.bytes[pos + i]) << (8 * i);
    sink(value);
  }
  return {};
}

}  // namespace tinynn::formats::protobuf
