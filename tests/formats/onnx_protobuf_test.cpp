// The protobuf wire reader: every encoding, and hostile input (truncation, overlong varints, lengths
// past the end) gives an error with the offset, never a read out of bounds.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "proto_writer.hpp"
#include "tinynn/formats/protobuf.hpp"

using namespace tinynn::formats::protobuf;
using proto_writer::Message;
using tinynn::Status;

TEST_CASE("protobuf varints round-trip at every width") {
  const std::uint64_t values[] = {0, 1, 127, 128, 300, 16383, 16384, (1ull << 35) + 7, ~0ull};
  for (std::uint64_t v : values) {
    Message m;
    m.varint_raw(v);
    std::size_t pos = 0;
    std::uint64_t got = 0;
    REQUIRE(read_varint(m.bytes, pos, got));
    CHECK(got == v);
    CHECK(pos == m.bytes.size());
  }
}

TEST_CASE("protobuf zigzag matches the definition") {
  for (std::int64_t v : std::vector<std::int64_t>{0, -1, 1, -2, 2147483647, -2147483648LL, INT64_MIN, INT64_MAX}) {
    const std::uint64_t encoded = zigzag_encode(v);
    // Definition: non-negative n -> 2n, negative n -> -2n-1.
    const std::uint64_t expected =
        v >= 0 ? static_cast<std::uint64_t>(v) * 2 : static_cast<std::uint64_t>(-(v + 1)) * 2 + 1;
    CHECK(encoded == expected);
    CHECK(zigzag_decode(encoded) == v);
  }
}

TEST_CASE("protobuf reader walks every wire type and skips unknown fields") {
  Message m;
  m.varint(1, 150).fixed32(2, 0x40490fdb).fixed64(3, 0x0102030405060708ull).str(4, "hello").varint(1000, 9);
  Reader r(m.bytes);
  Field f;
  REQUIRE(r.next(f).ok());
  CHECK(f.number == 1);
  CHECK(f.varint == 150);
  REQUIRE(r.next(f).ok());
  CHECK(f.wire == WireType::fixed32);
  CHECK(f.as_float() == doctest::Approx(3.14159265f));
  REQUIRE(r.next(f).ok());
  CHECK(f.varint == 0x0102030405060708ull);
  REQUIRE(r.next(f).ok());
  CHECK(f.as_string() == "hello");
  REQUIRE(r.next(f).ok());
  CHECK(f.number == 1000);
  CHECK(r.at_end());
}

TEST_CASE("protobuf packed and unpacked repeated fields read alike") {
  Message packed;
  packed.packed_varints(8, {1, 300, 5});
  Message unpacked;
  unpacked.varint(8, 1).varint(8, 300).varint(8, 5);
  for (auto* m : {&packed, &unpacked}) {
    Reader r(m->bytes);
    std::vector<std::uint64_t> values;
    while (!r.at_end()) {
      Field f;
      REQUIRE(r.next(f).ok());
      REQUIRE(for_each_varint(f, [&](std::uint64_t v) { values.push_back(v); }).ok());
    }
    CHECK(values == std::vector<std::uint64_t>{1, 300, 5});
  }
  Message floats;
  floats.packed_floats(7, {1.5f, -2.0f});
  Reader r(floats.bytes);
  Field f;
  REQUIRE(r.next(f).ok());
  std::vector<float> got;
  REQUIRE(for_each_fixed(f, 4, [&](std::uint64_t bits) {
            const auto b = static_cast<std::uint32_t>(bits);
            float v;
            std::memcpy(&v, &b, 4);
            got.push_back(v);
          }).ok());
  CHECK(got == std::vector<float>{1.5f, -2.0f});
}

TEST_CASE("protobuf hostile input: truncation, overlong varints, lengths past the end") {
  Message m;
  m.varint(1, 1u << 30).str(2, "some text").fixed64(3, 42);
  // Every strict prefix either parses as fewer fields or fails cleanly.
  for (std::size_t n = 0; n < m.bytes.size(); ++n) {
    std::vector<std::uint8_t> prefix(m.bytes.begin(), m.bytes.begin() + static_cast<std::ptrdiff_t>(n));
    Reader r(prefix);
    int fields = 0;
    bool failed = false;
    while (!r.at_end()) {
      Field f;
      if (!r.next(f).ok()) {
        failed = true;
        break;
      }
      ++fields;
    }
    CHECK((failed || fields < 3));
  }
  std::vector<std::uint8_t> overlong(11, 0xff);
  overlong.insert(overlong.begin(), 0x08);
  Reader r1(overlong);
  Field f;
  Status s = r1.next(f);
  CHECK_FALSE(s.ok());
  CHECK(std::string(s.message()).find("offset") != std::string::npos);
  // Length-delimited field claiming 1 GiB.
  Message huge;
  huge.tag(2, 2).varint_raw(1u << 30);
  Reader r2(huge.bytes);
  s = r2.next(f);
  REQUIRE_FALSE(s.ok());
  CHECK(std::string(s.message()).find("declares 1073741824 bytes") != std::string::npos);
  // Deprecated groups are rejected.
  Message group;
  group.tag(5, 3);
  Reader r3(group.bytes);
  CHECK_FALSE(r3.next(f).ok());
}
