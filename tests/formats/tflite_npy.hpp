// A minimal .npy reader for the TFLite model tests (little-endian C-order arrays of the dtypes the
// shared references use). Test-only.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace tflite_test {

struct Npy {
  std::string descr;  // "<f4", "|i1", "|u1", "<i2", "<i4", "<i8"
  std::vector<std::int64_t> shape;
  std::vector<std::uint8_t> data;
  [[nodiscard]] std::size_t count() const {
    std::size_t n = 1;
    for (auto d : shape) n *= static_cast<std::size_t>(d);
    return n;
  }
  [[nodiscard]] double at(std::size_t i) const {
    if (descr == "<f4") {
      float v;
      std::memcpy(&v, data.data() + 4 * i, 4);
      return v;
    }
    if (descr == "|i1") return static_cast<std::int8_t>(data[i]);
    if (descr == "|u1") return data[i];
    if (descr == "<i2") {
      std::int16_t v;
      std::memcpy(&v, data.data() + 2 * i, 2);
      return v;
    }
    if (descr == "<i4") {
      std::int32_t v;
      std::memcpy(&v, data.data() + 4 * i, 4);
      return v;
    }
    std::int64_t v;
    std::memcpy(&v, data.data() + 8 * i, 8);
    return static_cast<double>(v);
  }
};

inline bool read_npy(const std::filesystem::path& path, Npy& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) return false;
  std::size_t header_len = 0, start = 0;
  if (bytes[6] == 1) {
    header_len = bytes[8] | (bytes[9] << 8);
    start = 10;
  } else {
    header_len = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (static_cast<std::size_t>(bytes[11]) << 24);
    start = 12;
  }
  const std::string header(reinterpret_cast<const char*>(bytes.data() + start), header_len);
  const auto d = header.find("'descr': '");
  if (d == std::string::npos || header.find("'fortran_order': False") == std::string::npos) return false;
  out.descr = header.substr(d + 10, 3);
  const auto s = header.find("'shape': (");
  const auto e = header.find(')', s);
  out.shape.clear();
  std::string dims = header.substr(s + 10, e - s - 10);
  std::size_t pos = 0;
  while (pos < dims.size()) {
    while (pos < dims.size() && (dims[pos] == ' ' || dims[pos] == ',')) ++pos;
    if (pos >= dims.size()) break;
    std::size_t next = pos;
    while (next < dims.size() && dims[next] >= '0' && dims[next] <= '9') ++next;
    out.shape.push_back(std::stoll(dims.substr(pos, next - pos)));
    pos = next;
  }
  out.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(start + header_len), bytes.end());
  return true;
}

}  // namespace tflite_test
