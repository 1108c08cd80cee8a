// The ONNX importer over hand-built ModelProtos (independent of any ONNX library) and, when
// ../shared/models is present, over real PyTorch exports.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "proto_writer.hpp"
#include "tinynn/formats/npy.hpp"
#include "tinynn/formats/onnx.hpp"

using namespace tinynn;
namespace pw = proto_writer;

namespace {

pw::Message small_graph() {
  pw::Message g;
  g.msg(1, pw::node("Conv", {"x", "w", "b"}, {"y"}, "conv0",
                    {pw::attr_ints("pads", {1, 1, 1, 1}), pw::attr_int("group", 1)}));
  g.msg(1, pw::node("Relu", {"y"}, {"z"}, "relu0"));
  g.str(2, "g");
  g.msg(5, pw::tensor("w", 1, {2, 1, 3, 3}, std::vector<float>(18, 0.5f)));
  g.msg(5, pw::tensor("b", 1, {2}, {1.0f, -1.0f}));
  g.msg(11, pw::value_info("x", 1, {1, 1, 4, 4}));
  g.msg(12, pw::value_info("z", 1, {1, 2, 4, 4}));
  return g;
}

std::shared_ptr<std::vector<std::uint8_t>> owned(const pw::Message& m) {
  return std::make_shared<std::vector<std::uint8_t>>(m.bytes);
}

}  // namespace

TEST_CASE("onnx import: nodes, attributes, initializers, inputs, outputs, opset") {
  auto bytes = owned(pw::model(small_graph(), 13));
  auto graph = formats::onnx::import_model(*bytes, bytes, {});
  REQUIRE_MESSAGE(graph.ok(), graph.error().message());
  CHECK(graph->opset == 13);
  REQUIRE(graph->nodes.size() == 2);
  const graph::Node& conv = graph->nodes[0];
  CHECK(conv.op_type == "Conv");
  CHECK(conv.name == "conv0");
  CHECK(conv.attr_ints("pads") == std::vector<std::int64_t>{1, 1, 1, 1});
  CHECK(conv.attr_int("group", 0) == 1);
  REQUIRE(graph->inputs.size() == 1);
  const graph::Value& x = graph->values[static_cast<std::size_t>(graph->inputs[0])];
  CHECK(x.name == "x");
  CHECK(x.shape == DynShape{1, 1, 4, 4});
  const graph::Value& w = graph->values[static_cast<std::size_t>(conv.inputs[1])];
  CHECK(w.constant);
  CHECK(w.shape == DynShape{2, 1, 3, 3});
  CHECK(w.data_as<float>()[17] == 0.5f);
  const graph::Value& b = graph->values[static_cast<std::size_t>(conv.inputs[2])];
  CHECK(b.data_as<float>()[1] == -1.0f);
  REQUIRE(graph->outputs.size() == 1);
  CHECK(graph->values[static_cast<std::size_t>(graph->outputs[0])].name == "z");
}

TEST_CASE("onnx import: typed fields (float_data, int64_data, int32_data) and zero-copy raw_data") {
  pw::Message g;
  pw::Message f;
  f.varint(1, 3).varint(2, 1).str(8, "f").packed_floats(4, {1.0f, 2.0f, 3.0f});
  pw::Message l;
  l.varint(1, 2).varint(2, 7).str(8, "l").packed_varints(7, {-5, 1LL << 40});
  pw::Message i;
  i.varint(1, 2).varint(2, 6).str(8, "i").varint(5, static_cast<std::uint64_t>(-3)).varint(5, 9);
  g.msg(5, f).msg(5, l).msg(5, i);
  g.msg(1, pw::node("Sum", {"f", "f"}, {"s"}, "sum"));
  g.msg(12, pw::value_info("s", 1, {3}));
  auto bytes = owned(pw::model(g));
  auto graph = formats::onnx::import_model(*bytes, bytes, {});
  REQUIRE_MESSAGE(graph.ok(), graph.error().message());
  auto find = [&](std::string_view name) -> const graph::Value& {
    for (const auto& v : graph->values) {
      if (v.name == name) return v;
    }
    FAIL("missing value");
    return graph->values[0];
  };
  CHECK(find("f").data_as<float>()[2] == 3.0f);
  CHECK(find("l").data_as<std::int64_t>()[0] == -5);
  CHECK(find("l").data_as<std::int64_t>()[1] == (1LL << 40));
  CHECK(find("i").dtype == DType::i32);
  CHECK(find("i").data_as<std::int32_t>()[0] == -3);

  // raw_data of the first model: aligned floats are not copied.
  auto model = owned(pw::model(small_graph()));
  auto g2 = formats::onnx::import_model(*model, model, {});
  REQUIRE(g2.ok());
  for (const auto& v : g2->values) {
    if (!v.constant) continue;
    const auto* begin = reinterpret_cast<const std::byte*>(model->data());
    const bool inside = v.data >= begin && v.data < begin + model->size();
    CHECK(reinterpret_cast<std::uintptr_t>(v.data) % 4 == 0);  // copied when the file's bytes are unaligned
    if (inside) CHECK(v.keep_alive.get() == static_cast<const void*>(model.get()));  // zero-copy keeps the file alive
  }
}

TEST_CASE("onnx import: errors name the file, the tensor or node, and what was expected") {
  formats::onnx::ImportOptions options;
  options.source = "bad.onnx";
  {
    pw::Message g;
    g.msg(5, pw::tensor("w", 1, {2, 3}, {1.0f, 2.0f}));  // 2 floats for 6 elements
    auto bytes = owned(pw::model(g));
    auto graph = formats::onnx::import_model(*bytes, bytes, options);
    REQUIRE_FALSE(graph.ok());
    const std::string message = graph.error().message();
    CHECK(message.find("bad.onnx") != std::string::npos);
    CHECK(message.find("initializer 'w'") != std::string::npos);
    CHECK(message.find("expected 24") != std::string::npos);
  }
  {
    pw::Message g;
    g.msg(1, pw::node("Relu", {"nowhere"}, {"y"}, "r"));
    g.msg(12, pw::value_info("y", 1, {1}));
    auto bytes = owned(pw::model(g));
    auto graph = formats::onnx::import_model(*bytes, bytes, options);
    REQUIRE_FALSE(graph.ok());
    CHECK(std::string(graph.error().message()).find("node 'r' (Relu) input 'nowhere'") != std::string::npos);
  }
  {
    pw::Message g;
    pw::Message t;
    for (int d = 0; d < 4; ++d) t.varint(1, 1ull << 40);  // 2^160 elements
    t.varint(2, 1).str(8, "huge").bytes_field(9, "", 0);
    g.msg(5, t);
    auto bytes = owned(pw::model(g));
    auto graph = formats::onnx::import_model(*bytes, bytes, options);
    REQUIRE_FALSE(graph.ok());
    CHECK(std::string(graph.error().message()).find("huge") != std::string::npos);
  }
  {
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o'});
    auto graph = formats::onnx::import_model(*bytes, bytes, options);
    CHECK_FALSE(graph.ok());
  }
}

TEST_CASE("onnx import: every truncation of a valid model fails cleanly or imports") {
  const pw::Message m = pw::model(small_graph());
  for (std::size_t n = 0; n < m.bytes.size(); ++n) {
    auto bytes =
        std::make_shared<std::vector<std::uint8_t>>(m.bytes.begin(), m.bytes.begin() + static_cast<std::ptrdiff_t>(n));
    auto graph = formats::onnx::import_model(*bytes, bytes, {});
    if (graph.ok()) CHECK(graph->nodes.size() <= 2);
  }
}

TEST_CASE("onnx import: the shared PyTorch models") {
  const char* dir = std::getenv("TINYNN_MODELS_DIR");
  const std::filesystem::path folder = dir ? std::filesystem::path(dir) / "onnx" : std::filesystem::path();
  if (!dir || !std::filesystem::is_directory(folder)) {
    MESSAGE("skipped: TINYNN_MODELS_DIR/onnx is absent");
    return;
  }
  int models = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".onnx") continue;
    auto bytes = formats::npy::read_file(entry.path().string());
    REQUIRE(bytes.ok());
    auto shared = std::make_shared<std::vector<std::uint8_t>>(std::move(*bytes));
    auto graph = formats::onnx::import_model(*shared, shared, {});
    REQUIRE_MESSAGE(graph.ok(), graph.error().message());
    CHECK(graph->opset == 13);
    CHECK(graph->inputs.size() == 1);
    CHECK(graph->outputs.size() == 1);
    CHECK_FALSE(graph->nodes.empty());
    ++models;
  }
  CHECK(models == 8);
}
