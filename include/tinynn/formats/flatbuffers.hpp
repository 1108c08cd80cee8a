// tinynn — a thin, verifying FlatBuffers reader (read-only, zero-copy, no schema compiler).
// Every access is checked against the buffer before use: the root offset, each table's position
// and alignment, its vtable (position, size, evenness), each field's extent inside its table, each
// offset's target, vector lengths (with overflow checks) and alignment, and strings (terminator
// included). A bad access returns an empty value and records the first error with its byte offset
// in the Reader, so a caller reads a whole structure and checks `reader.ok()` once.
//
// Wire format (flatbuffers.dev "internals"): little endian; uoffset = u32 forward offset from where
// it is stored; a table starts with an soffset (i32) to its vtable (vtable = table - soffset); a
// vtable is u16 vtable_bytes, u16 table_bytes, then one u16 per field (0 = absent, else the field's
// offset inside the table); vectors and strings are u32 length then elements (strings add a NUL).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "tinynn/status.hpp"

namespace tinynn::formats::flatbuffers {

/// Little-endian load of an unaligned scalar (memcpy, then byte-swap on big-endian hosts).
template <class T>
[[nodiscard]] inline T load_le(const std::uint8_t* p) noexcept {
  T value;
  std::memcpy(&value, p, sizeof(T));
  if constexpr (sizeof(T) > 1 && std::endian::native == std::endian::big) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    for (std::size_t i = 0; i < sizeof(T) / 2; ++i) {
      const unsigned char t = bytes[i];
      bytes[i] = bytes[sizeof(T) - 1 - i];
      bytes[sizeof(T) - 1 - i] = t;
    }
    std::memcpy(&value, bytes, sizeof(T));
  }
  return value;
}

class Reader;

/// A vector of scalars inside the buffer (already bounds-checked).
template <class T>
struct Vector {
  const std::uint8_t* data = nullptr;
  std::uint32_t count = 0;
  std::size_t offset = 0;  // byte offset of the first element in the buffer

  [[nodiscard]] std::uint32_t size() const noexcept { return count; }
  [[nodiscard]] bool empty() const noexcept { return count == 0; }
  [[nodiscard]] T operator[](std::uint32_t i) const noexcept {
    TINYNN_ASSERT(i < count);
    return load_le<T>(data + static_cast<std::size_t>(i) * sizeof(T));
  }
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept {
    return {data, static_cast<std::size_t>(count) * sizeof(T)};
  }
};

class Table;

/// A vector of tables (each element an offset to a table, verified when accessed).
struct TableVector {
  Reader* reader = nullptr;
  std::size_t offset = 0;  // first element
  std::uint32_t count = 0;

  [[nodiscard]] std::uint32_t size() const noexcept { return count; }
  [[nodiscard]] inline Table operator[](std::uint32_t i) const noexcept;
};

/// A vector of strings.
struct StringVector {
  Reader* reader = nullptr;
  std::size_t offset = 0;
  std::uint32_t count = 0;
  [[nodiscard]] std::uint32_t size() const noexcept { return count; }
  [[nodiscard]] inline std::string_view operator[](std::uint32_t i) const noexcept;
};

class Table {
 public:
  Table() noexcept = default;
  Table(Reader* reader, std::size_t position, std::size_t vtable, std::uint16_t vtable_bytes,
        std::uint16_t table_bytes) noexcept
      : reader_(reader), position_(position), vtable_(vtable), vtable_bytes_(vtable_bytes), table_bytes_(table_bytes) {}

  /// False for an absent or invalid table (then every field reads as absent).
  [[nodiscard]] bool valid() const noexcept { return reader_ != nullptr; }
  explicit operator bool() const noexcept { return valid(); }
  [[nodiscard]] std::size_t position() const noexcept { return position_; }

  /// Whether field `id` (its declaration index in the schema; a union takes two ids) is present.
  [[nodiscard]] inline bool has(unsigned id) const noexcept { return field_offset(id) != 0; }

  /// A scalar field (bool, integers, float, double), `fallback` when absent.
  template <class T>
  [[nodiscard]] inline T scalar(unsigned id, T fallback) const noexcept;

  [[nodiscard]] inline Table table(unsigned id) const noexcept;
  template <class T>
  [[nodiscard]] inline Vector<T> vector(unsigned id) const noexcept;
  [[nodiscard]] inline TableVector tables(unsigned id) const noexcept;
  [[nodiscard]] inline StringVector strings(unsigned id) const noexcept;
  [[nodiscard]] inline std::string_view string(unsigned id) const noexcept;

 private:
  [[nodiscard]] inline std::uint16_t field_offset(unsigned id) const noexcept;
  /// Position of the object a uoffset field points to, or 0 with an error recorded.
  [[nodiscard]] inline std::size_t indirect(unsigned id, std::size_t alignment) const noexcept;

  Reader* reader_ = nullptr;
  std::size_t position_ = 0;
  std::size_t vtable_ = 0;
  std::uint16_t vtable_bytes_ = 0;
  std::uint16_t table_bytes_ = 0;
};

class Reader {
 public:
  /// `source` names the buffer in messages (a file name).
  explicit Reader(std::span<const std::uint8_t> buffer, std::string_view source = "<memory>")
      : buffer_(buffer), source_(source) {}

  [[nodiscard]] bool ok() const noexcept { return status_.ok(); }
  [[nodiscard]] const Status& status() const noexcept { return status_; }
  [[nodiscard]] std::span<const std::uint8_t> buffer() const noexcept { return buffer_; }

  /// Records the first error (later ones are consequences of it).
  template <class... Pieces>
  void fail(std::size_t offset, const Pieces&... pieces) {
    if (status_.ok())
      status_ = error(ErrorCode::invalid_model, source_, ": flatbuffer offset ", offset, ": ", pieces...);
  }

  /// The root table; `identifier` (4 characters, e.g. "TFL3") is checked when not empty.
  [[nodiscard]] Table root(std::string_view identifier = {}) {
    if (buffer_.size() < 8) {
      fail(0, "buffer of ", buffer_.size(), " bytes is too small for a flatbuffer (at least 8)");
      return {};
    }
    if (!identifier.empty() && std::memcmp(buffer_.data() + 4, identifier.data(), 4) != 0) {
      fail(4, "file identifier is not '", identifier, "'");
      return {};
    }
    return table_at(load_le<std::uint32_t>(buffer_.data()), 0);
  }

  /// Whether [offset, offset + bytes) lies in the buffer (overflow-safe).
  [[nodiscard]] bool in_bounds(std::size_t offset, std::size_t bytes) const noexcept {
    return offset <= buffer_.size() && bytes <= buffer_.size() - offset;
  }

  /// The table at `position` (from a uoffset stored at `from`), verified.
  [[nodiscard]] Table table_at(std::size_t position, std::size_t from) {
    if (position % 4 != 0) {
      fail(from, "table at ", position, " is not 4-byte aligned");
      return {};
    }
    if (!in_bounds(position, 4)) {
      fail(from, "table at ", position, " lies outside the ", buffer_.size(), "-byte buffer");
      return {};
    }
    const auto soffset = load_le<std::int32_t>(buffer_.data() + position);
    const std::int64_t vtable = static_cast<std::int64_t>(position) - soffset;
    if (vtable < 0 || vtable % 2 != 0 || !in_bounds(static_cast<std::size_t>(vtable), 4)) {
      fail(position, "vtable at ", vtable, " lies outside the buffer or is misaligned");
      return {};
    }
    const auto vt = static_cast<std::size_t>(vtable);
    const auto vtable_bytes = load_le<std::uint16_t>(buffer_.data() + vt);
    const auto table_bytes = load_le<std::uint16_t>(buffer_.data() + vt + 2);
    if (vtable_bytes < 4 || vtable_bytes % 2 != 0 || !in_bounds(vt, vtable_bytes)) {
      fail(vt, "vtable size ", vtable_bytes, " is invalid or exceeds the buffer");
      return {};
    }
    if (table_bytes < 4 || !in_bounds(position, table_bytes)) {
      fail(position, "table size ", table_bytes, " is invalid or exceeds the buffer");
      return {};
    }
    return Table(this, position, vt, vtable_bytes, table_bytes);
  }

  /// Checks a vector header at `position` and returns its element count (0 on error).
  [[nodiscard]] std::uint32_t vector_at(std::size_t position, std::size_t element_bytes, std::size_t from,
                                        bool is_string = false) {
    if (!in_bounds(position, 4)) {
      fail(from, "vector at ", position, " lies outside the ", buffer_.size(), "-byte buffer");
      return 0;
    }
    const auto count = load_le<std::uint32_t>(buffer_.data() + position);
    const std::uint64_t bytes = static_cast<std::uint64_t>(count) * element_bytes + (is_string ? 1 : 0);
    if (bytes > buffer_.size() || !in_bounds(position + 4, static_cast<std::size_t>(bytes))) {
      fail(position, is_string ? "string" : "vector", " of ", count, " elements of ", element_bytes,
           " bytes exceeds the buffer");
      return 0;
    }
    if (is_string && buffer_[position + 4 + count] != 0) {
      fail(position, "string of ", count, " bytes is not NUL-terminated");
      return 0;
    }
    return count;
  }

 private:
  std::span<const std::uint8_t> buffer_;
  std::string_view source_;
  Status status_;
};

inline std::uint16_t Table::field_offset(unsigned id) const noexcept {
  if (!reader_) return 0;
  const std::size_t entry = 4 + 2 * static_cast<std::size_t>(id);
  if (entry + 2 > vtable_bytes_) return 0;  // field newer than the writer's schema: absent
  const auto offset = load_le<std::uint16_t>(reader_->buffer().data() + vtable_ + entry);
  return offset;
}

template <class T>
inline T Table::scalar(unsigned id, T fallback) const noexcept {
  const std::uint16_t offset = field_offset(id);
  if (offset == 0) return fallback;
  if (static_cast<std::size_t>(offset) + sizeof(T) > table_bytes_) {
    reader_->fail(position_, "field ", id, " at table offset ", offset, " exceeds the table's ", table_bytes_,
                  " bytes");
    return fallback;
  }
  if constexpr (std::is_same_v<T, bool>) {
    return reader_->buffer()[position_ + offset] != 0;
  } else {
    return load_le<T>(reader_->buffer().data() + position_ + offset);
  }
}

inline std::size_t Table::indirect(unsigned id, std::size_t alignment) const noexcept {
  const std::uint16_t offset = field_offset(id);
  if (offset == 0) return 0;
  if (static_cast<std::size_t>(offset) + 4 > table_bytes_) {
    reader_->fail(position_, "offset field ", id, " exceeds the table's ", table_bytes_, " bytes");
    return 0;
  }
  const std::size_t at = position_ + offset;
  const std::uint64_t target = static_cast<std::uint64_t>(at) + load_le<std::uint32_t>(reader_->buffer().data() + at);
  if (target >= reader_->buffer().size()) {
    reader_->fail(at, "field ", id, " points to ", target, ", outside the ", reader_->buffer().size(), "-byte buffer");
    return 0;
  }
  if (target % alignment != 0) {
    reader_->fail(at, "field ", id, " points to ", target, ", not ", alignment, "-byte aligned");
    return 0;
  }
  return static_cast<std::size_t>(target);
}

inline Table Table::table(unsigned id) const noexcept {
  const std::size_t target = indirect(id, 4);
  if (target == 0) return {};
  return reader_->table_at(target, position_);
}

template <class T>
inline Vector<T> Table::vector(unsigned id) const noexcept {
  static_assert(std::is_arithmetic_v<T>, "Table::vector<T> reads vectors of scalars");
  const std::size_t target = indirect(id, 4);
  if (target == 0) return {};
  const std::uint32_t count = reader_->vector_at(target, sizeof(T), position_);
  if (count && (target + 4) % alignof(T) != 0) {
    reader_->fail(target, "vector elements at ", target + 4, " are not ", alignof(T), "-byte aligned");
    return {};
  }
  return {reader_->buffer().data() + target + 4, count, target + 4};
}

inline TableVector Table::tables(unsigned id) const noexcept {
  const std::size_t target = indirect(id, 4);
  if (target == 0) return {};
  const std::uint32_t count = reader_->vector_at(target, 4, position_);
  return {reader_, target + 4, count};
}

inline StringVector Table::strings(unsigned id) const noexcept {
  const std::size_t target = indirect(id, 4);
  if (target == 0) return {};
  const std::uint32_t count = reader_->vector_at(target, 4, position_);
  return {reader_, target + 4, count};
}

namespace detail {
inline std::string_view string_at(Reader& reader, std::size_t target, std::size_t from) {
  const std::uint32_t count = reader.vector_at(target, 1, from, true);
  if (!reader.ok()) return {};
  return {reinterpret_cast<const char*>(reader.buffer().data() + target + 4), count};
}
inline std::size_t element_target(Reader& reader, std::size_t element) {
  const std::uint64_t target =
      static_cast<std::uint64_t>(element) + load_le<std::uint32_t>(reader.buffer().data() + element);
  if (target >= reader.buffer().size()) {
    reader.fail(element, "vector element points to ", target, ", outside the buffer");
    return 0;
  }
  return static_cast<std::size_t>(target);
}
}  // namespace detail

inline std::string_view Table::string(unsigned id) const noexcept {
  const std::size_t target = indirect(id, 4);
  if (target == 0) return {};
  return detail::string_at(*reader_, target, position_);
}

inline Table TableVector::operator[](std::uint32_t i) const noexcept {
  if (!reader || i >= count) return {};
  const std::size_t element = offset + static_cast<std::size_t>(i) * 4;
  const std::size_t target = detail::element_target(*reader, element);
  if (target == 0) return {};
  return reader->table_at(target, element);
}

inline std::string_view StringVector::operator[](std::uint32_t i) const noexcept {
  if (!reader || i >= count) return {};
  const std::size_t element = offset + static_cast<std::size_t>(i) * 4;
  const std::size_t target = detail::element_target(*reader, element);
  if (target == 0 || target % 4 != 0) {
    if (target) reader->fail(element, "string at ", target, " is not 4-byte aligned");
    return {};
  }
  return detail::string_at(*reader, target, element);
}

}  // namespace tinynn::formats::flatbuffers
