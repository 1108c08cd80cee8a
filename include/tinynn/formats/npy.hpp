// tinynn — NumPy .npy reader and writer (format versions 1-3, little-endian, C order) for the
// tools and tests: float32, float16, int8/16/32/64, uint8 and bool arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tinynn/graph/ir.hpp"

namespace tinynn::formats::npy {

/// An array read from a .npy file: owns its (64-byte aligned) data.
struct Array {
  DType dtype = DType::f32;
  DynShape shape;
  graph::AlignedBuffer data;

  [[nodiscard]] TensorRef ref() const noexcept { return TensorRef(dtype, shape, data.data()); }
};

namespace detail {

[[nodiscard]] inline bool descr_to_dtype(std::string_view descr, DType& dtype) {
  struct Entry {
    std::string_view descr;
    DType dtype;
  };
  constexpr Entry entries[] = {{"<f4", DType::f32}, {"<f2", DType::f16}, {"|i1", DType::i8},    {"<i2", DType::i16},
                               {"<i4", DType::i32}, {"<i8", DType::i64}, {"|u1", DType::u8},    {"|b1", DType::boolean},
                               {"i1", DType::i8},   {"u1", DType::u8},   {"b1", DType::boolean}};
  for (const Entry& e : entries) {
    if (e.descr == descr) {
      dtype = e.dtype;
      return true;
    }
  }
  return false;
}

[[nodiscard]] constexpr std::string_view dtype_to_descr(DType dtype) noexcept {
  switch (dtype) {
    case DType::f32: return "<f4";
    case DType::f16: return "<f2";
    case DType::i8:
    case DType::qi8: return "|i1";
    case DType::i16: return "<i2";
    case DType::i32: return "<i4";
    case DType::i64: return "<i8";
    case DType::u8: return "|u1";
    case DType::boolean: return "|b1";
  }
  return "";
}

/// The text after `'key':` in the header dictionary, trimmed.
[[nodiscard]] inline std::string_view dict_value(std::string_view header, std::string_view key) {
  // Find 'key' (quoted) without building a string: GCC 12 at -O3 warns falsely (-Wrestrict) on "'" + key.
  std::size_t at = header.find(key);
  while (at != std::string_view::npos &&
         (at == 0 || header[at - 1] != '\'' || at + key.size() >= header.size() || header[at + key.size()] != '\'')) {
    at = header.find(key, at + 1);
  }
  if (at == std::string_view::npos) return {};
  std::size_t pos = header.find(':', at + key.size() + 1);
  if (pos == std::string_view::npos) return {};
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  return header.substr(pos);
}

}  // namespace detail

/// Parses a .npy file held in memory; the data is copied into the returned array.
[[nodiscard]] inline Result<Array> parse(std::span<const std::uint8_t> bytes, std::string_view source = "<npy>") {
  auto fail = [&](std::string_view what) { return error(ErrorCode::invalid_argument, source, ": ", what); };
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) return fail("not a .npy file (bad magic)");
  const std::uint8_t major = bytes[6];
  std::size_t header_length = 0, header_start = 0;
  if (major == 1) {
    header_length = bytes[8] | (std::size_t{bytes[9]} << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return fail("truncated header");
    header_length =
        bytes[8] | (std::size_t{bytes[9]} << 8) | (std::size_t{bytes[10]} << 16) | (std::size_t{bytes[11]} << 24);
    header_start = 12;
  } else {
    return fail("unsupported .npy version");
  }
  if (header_length > bytes.size() - header_start) return fail("truncated header");
  const std::string_view header(reinterpret_cast<const char*>(bytes.data()) + header_start, header_length);
  Array array;
  std::string_view descr = detail::dict_value(header, "descr");
  if (descr.size() < 2 || descr[0] != '\'') return fail("header has no 'descr'");
  descr = descr.substr(1, descr.find('\'', 1) == std::string_view::npos ? 0 : descr.find('\'', 1) - 1);
  if (!detail::descr_to_dtype(descr, array.dtype)) {
    return error(ErrorCode::unsupported, source, ": element type '", descr, "' is not supported");
  }
  if (detail::dict_value(header, "fortran_order").substr(0, 4) == "True") return fail("Fortran order is not supported");
  std::string_view shape_text = detail::dict_value(header, "shape");
  if (shape_text.empty() || shape_text[0] != '(') return fail("header has no 'shape'");
  std::vector<std::int64_t> dims;
  std::int64_t current = -1;
  for (std::size_t i = 1; i < shape_text.size() && shape_text[i] != ')'; ++i) {
    const char c = shape_text[i];
    if (c >= '0' && c <= '9') {
      if (current > (std::int64_t{1} << 40)) return fail("dimension too large");
      current = (current < 0 ? 0 : current * 10) + (c - '0');
    } else if (c == ',') {
      if (current >= 0) dims.push_back(current);
      current = -1;
    }
  }
  if (current >= 0) dims.push_back(current);
  auto shape = DynShape::from(dims);
  if (!shape) return fail(shape.error().message());
  array.shape = *shape;
  const std::size_t payload = bytes.size() - header_start - header_length;
  const std::size_t needed = array.shape.size() * dtype_size(array.dtype);
  if (payload < needed) {
    return error(ErrorCode::invalid_argument, source, ": data has ", payload, " bytes, shape ", array.shape, " needs ",
                 needed);
  }
  array.data = graph::AlignedBuffer(needed);
  if (needed) std::memcpy(array.data.data(), bytes.data() + header_start + header_length, needed);
  return array;
}

/// Reads a whole file into memory.
[[nodiscard]] inline Result<std::vector<std::uint8_t>> read_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return error(ErrorCode::io_error, path, ": cannot open file");
  std::vector<std::uint8_t> bytes;
  std::uint8_t chunk[65536];
  std::size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return error(ErrorCode::io_error, path, ": read error");
  return bytes;
}

[[nodiscard]] inline Result<Array> load(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) return std::move(bytes).error();
  return parse(*bytes, path);
}

/// The .npy bytes of a tensor (version 1.0 header, padded to 64 bytes).
[[nodiscard]] inline std::vector<std::uint8_t> serialize(const TensorRef& tensor) {
  std::string header =
      "{'descr': '" + std::string(detail::dtype_to_descr(tensor.dtype)) + "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < tensor.shape.rank(); ++i) {
    header += std::to_string(tensor.shape[i]);
    if (tensor.shape.rank() == 1 || i + 1 < tensor.shape.rank()) header += ",";
    if (i + 1 < tensor.shape.rank()) header += " ";
  }
  header += "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  // One allocation, filled with memcpy (GCC 12 -O3 misreads chained inserts as overflows).
  std::vector<std::uint8_t> bytes(10 + header.size() + tensor.bytes());
  const std::uint8_t magic[10] = {0x93,
                                  'N',
                                  'U',
                                  'M',
                                  'P',
                                  'Y',
                                  1,
                                  0,
                                  static_cast<std::uint8_t>(header.size() & 0xff),
                                  static_cast<std::uint8_t>(header.size() >> 8)};
  std::memcpy(bytes.data(), magic, sizeof magic);
  std::memcpy(bytes.data() + 10, header.data(), header.size());
  if (tensor.bytes()) std::memcpy(bytes.data() + 10 + header.size(), tensor.data, tensor.bytes());
  return bytes;
}

[[nodiscard]] inline Status save(const std::string& path, const TensorRef& tensor) {
  const std::vector<std::uint8_t> bytes = serialize(tensor);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return error(ErrorCode::io_error, path, ": cannot create file");
  const std::size_t written = std::fwrite(bytes.data(), 1, bytes.size(), file);
  const bool closed = std::fclose(file) == 0;
  if (written != bytes.size() || !closed) return error(ErrorCode::io_error, path, ": write error");
  return {};
}

}  // namespace tinynn::formats::npy
