// The FlatBuffers reader and the TFLite model reader: every shared model parses with the operator
// counts its SOURCES.md lists; hostile bytes (every truncation, byte flips, hand-made bad vtables
// and offsets) give errors, never crashes or out-of-bounds reads (run under ASan in the asan preset).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tinynn/formats/tflite.hpp"

using namespace tinynn;
namespace tfl = tinynn::formats::tflite;
namespace fb = tinynn::formats::flatbuffers;

namespace {

std::filesystem::path models_dir() {
  const char* env = std::getenv("TINYNN_MODELS_DIR");
  return env ? std::filesystem::path(env) / "tflite" : std::filesystem::path();
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::map<std::string, int> op_histogram(const tfl::Model& m) {
  std::map<std::string, int> h;
  for (const auto& op : m.operators) ++h[op.name()];
  return h;
}

// A tiny hand-assembled flatbuffer: root -> table with one int32 field (id 0) = 42.
std::vector<std::uint8_t> tiny_flatbuffer() {
  std::vector<std::uint8_t> b(24, 0);
  auto put32 = [&](std::size_t at, std::uint32_t v) { std::memcpy(b.data() + at, &v, 4); };
  auto put16 = [&](std::size_t at, std::uint16_t v) { std::memcpy(b.data() + at, &v, 2); };
  put32(0, 16);  // root table at 16
  // vtable at 8: 6 bytes vtable, 8 bytes table, field 0 at table offset 4
  put16(8, 6);
  put16(10, 8);
  put16(12, 4);
  put32(16, static_cast<std::uint32_t>(16 - 8));  // soffset: vtable = 16 - 8
  put32(20, 42);
  return b;
}

}  // namespace

TEST_CASE("flatbuffers: a hand-made table reads, and corruptions are errors") {
  auto good = tiny_flatbuffer();
  {
    fb::Reader r(good);
    const fb::Table t = r.root();
    REQUIRE(r.ok());
    CHECK(t.scalar<std::int32_t>(0, -1) == 42);
    CHECK(t.scalar<std::int32_t>(5, -1) == -1);  // beyond the vtable: absent
    CHECK(r.ok());
  }
  {
    auto bad = good;
    bad[0] = 200;  // root outside the buffer
    fb::Reader r(bad);
    (void)r.root();
    CHECK_FALSE(r.ok());
    CHECK(std::string(r.status().message()).find("outside") != std::string::npos);
  }
  {
    auto bad = good;
    bad[10] = 200;  // table size beyond the buffer
    fb::Reader r(bad);
    (void)r.root();
    CHECK_FALSE(r.ok());
  }
  {
    auto bad = good;
    bad[12] = 6;  // field 0 at offset 6 of an 8-byte table: a 4-byte read would overrun it
    fb::Reader r(bad);
    const fb::Table t = r.root();
    REQUIRE(r.ok());
    CHECK(t.scalar<std::int32_t>(0, -1) == -1);
    CHECK_FALSE(r.ok());
  }
  {
    auto bad = good;
    bad[16] = 0x80;  // vtable offset far away
    fb::Reader r(bad);
    (void)r.root();
    CHECK_FALSE(r.ok());
  }
  {
    auto bad = good;  // the int field read as an offset to a vector pointing past the end
    fb::Reader r(bad);
    const fb::Table t = r.root();
    const auto v = t.vector<std::int32_t>(0);
    CHECK(v.size() == 0);
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("tflite: every shared model parses with the operators SOURCES.md lists") {
  const auto dir = models_dir();
  if (dir.empty() || !std::filesystem::exists(dir)) {
    MESSAGE("skipped: TINYNN_MODELS_DIR/tflite not found");
    return;
  }
  int parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".tflite") continue;
    const auto bytes = read_file(entry.path());
    auto model = tfl::parse(bytes, entry.path().filename().string());
    INFO(entry.path().filename().string());
    REQUIRE_MESSAGE(model.ok(), model.error().message());
    CHECK(model->subgraph_count >= 1);
    CHECK(!model->inputs.empty());
    ++parsed;
  }
  CHECK(parsed == 25);
  auto load = [&](const char* name) {
    const auto bytes = read_file(dir / name);
    auto model = tfl::parse(bytes, name);
    REQUIRE_MESSAGE(model.ok(), model.error().message());
    return std::pair{bytes, *model};
  };
  {
    auto [bytes, m] = load("person_detect.tflite");
    CHECK(m.tensors.size() == 89);
    CHECK(m.operators.size() == 31);
    const auto h = op_histogram(m);
    CHECK(h.at("DEPTHWISE_CONV_2D") == 14);
    CHECK(h.at("CONV_2D") == 14);
    CHECK(h.at("AVERAGE_POOL_2D") == 1);
    CHECK(h.at("SOFTMAX") == 1);
    // The int32 biases carry quantized_dimension 3 on 1-D tensors: accepted as TFLite Micro does.
    int biases = 0;
    for (const auto& op : m.operators) {
      if (op.builtin != tfl::CONV_2D && op.builtin != tfl::DEPTHWISE_CONV_2D) continue;
      const tfl::Tensor& bias = m.tensors[static_cast<std::size_t>(op.inputs[2])];
      CHECK(bias.type == tfl::TensorType::int32);
      CHECK(bias.shape.rank() == 1);
      if (bias.scales.size() > 1) {
        CHECK(bias.quantized_dimension == 0);
        CHECK(bias.scales.size() == static_cast<std::size_t>(bias.shape[0]));
        ++biases;
      }
    }
    CHECK(biases > 0);
    const tfl::Tensor& input = m.tensors[static_cast<std::size_t>(m.inputs[0])];
    CHECK(input.type == tfl::TensorType::int8);
    CHECK(input.scales.size() == 1);
    CHECK(input.zero_points[0] == -1);
    CHECK(input.shape == DynShape{1, 96, 96, 1});
  }
  {
    auto [bytes, m] = load("mobilenet_v2_quantized_1x3x224x224.tflite");
    const auto h = op_histogram(m);
    CHECK(h.at("PAD") == 18);
    CHECK(h.at("CONV_2D") == 35);
    CHECK(h.at("ADD") == 10);
    CHECK(h.at("MEAN") == 1);
    CHECK(h.at("TRANSPOSE") == 1);
  }
  {
    auto [bytes, m] = load("audio_preprocessor_int8.tflite");
    const auto h = op_histogram(m);
    CHECK(h.at("CUSTOM:SignalWindow") == 1);
    CHECK(h.at("CAST") == 4);
    CHECK(m.operators.size() == 22);
  }
  {
    auto [bytes, m] = load("kws_ref_model.tflite");
    const tfl::Tensor& input = m.tensors[static_cast<std::size_t>(m.inputs[0])];
    REQUIRE(input.shape_signature.size() == 4);
    CHECK(input.shape_signature[0] == -1);  // dynamic batch
    CHECK(input.shape[0] == 1);
    // Conv options decode: the first CONV_2D has a stride and a fused activation.
    const tfl::Operator& conv = m.operators[0];
    CHECK(conv.builtin == tfl::CONV_2D);
    CHECK(conv.options.stride_h >= 1);
  }
}

TEST_CASE("tflite: every truncation and random corruption of a model is an error or a valid parse, never a crash") {
  const auto dir = models_dir();
  if (dir.empty() || !std::filesystem::exists(dir / "hello_world_int8.tflite")) {
    MESSAGE("skipped: TINYNN_MODELS_DIR/tflite not found");
    return;
  }
  const auto bytes = read_file(dir / "hello_world_int8.tflite");
  int failures = 0;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    std::vector<std::uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    auto model = tfl::parse(prefix, "truncated.tflite");
    failures += !model.ok();
  }
  CHECK(failures > static_cast<int>(bytes.size()) * 9 / 10);
  std::mt19937 rng(7);
  int corrupt_errors = 0;
  for (int t = 0; t < 3000; ++t) {
    auto copy = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) copy[rng() % copy.size()] = static_cast<std::uint8_t>(rng());
    auto model = tfl::parse(copy, "corrupt.tflite");
    corrupt_errors += !model.ok();
    if (model.ok()) {  // whatever parsed must be internally consistent
      for (const auto& op : model->operators)
        for (int i : op.inputs) CHECK(i < static_cast<int>(model->tensors.size()));
      for (const auto& tensor : model->tensors) {
        if (tensor.constant()) {
          CHECK(tensor.data.data() >= copy.data());
          CHECK(tensor.data.data() + tensor.data.size() <= copy.data() + copy.size());
        }
      }
    }
  }
  MESSAGE("3000 corrupted copies: ", corrupt_errors, " rejected, the rest parsed consistently");
  const auto not_tflite = tfl::parse(std::vector<std::uint8_t>{1, 2, 3}, "x.tflite");
  CHECK_FALSE(not_tflite.ok());
}
