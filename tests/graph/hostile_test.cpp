// Hostile ConvTranspose / Conv attributes that the ONNX fuzzer found: each must be refused at compile
// time with an error naming the node and what was expected, never reach a kernel (where they read
// out of bounds). The fuzzer's inputs themselves are replayed as seeds from fuzz/regressions/.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proto_writer.hpp"
#include "tinynn/runtime.hpp"

namespace pw = proto_writer;
using namespace tinynn;

namespace {

// x [1, 1, 3, 6] -> op(x, w[, b]) -> y
std::string compile_error(std::string_view op, const std::vector<std::int64_t>& w_dims,
                          std::vector<pw::Message> attributes, const std::vector<std::int64_t>& b_dims = {}) {
  pw::Message g;
  g.msg(11, pw::value_info("x", 1, {1, 1, 3, 6}));
  std::size_t w_count = 1;
  for (std::int64_t d : w_dims) w_count *= static_cast<std::size_t>(d);
  g.msg(5, pw::tensor("w", 1, w_dims, std::vector<float>(w_count, 0.5f)));
  std::vector<std::string> inputs{"x", "w"};
  if (!b_dims.empty()) {
    g.msg(5, pw::tensor("b", 1, b_dims, std::vector<float>(static_cast<std::size_t>(b_dims[0]), 0.25f)));
    inputs.push_back("b");
  }
  g.msg(1, pw::node(op, inputs, {"y"}, "hostile", std::move(attributes)));
  g.msg(12, pw::value_info("y", 1, {}));
  auto model = load_from_memory(pw::model(g).bytes);
  REQUIRE(model.ok());
  auto session = model->compile();
  if (session.ok()) return {};
  return session.error().message();
}

}  // namespace

TEST_CASE("ConvTranspose: an empty weight kernel with kernel_shape 3x3 is refused") {
  const std::string m = compile_error("ConvTranspose", {1, 2, 3, 0}, {pw::attr_ints("kernel_shape", {3, 3})});
  INFO(m);
  CHECK(m.find("hostile") != std::string::npos);
  CHECK(m.find("non-empty kernel") != std::string::npos);
}

TEST_CASE("Conv: an empty weight kernel is refused") {
  const std::string m = compile_error("Conv", {2, 1, 0, 3}, {});
  INFO(m);
  CHECK(m.find("hostile") != std::string::npos);
  CHECK(m.find("non-empty kernel") != std::string::npos);
}

TEST_CASE("ConvTranspose: a bias that does not match the output channels is refused") {
  const std::string m = compile_error("ConvTranspose", {1, 2, 3, 3}, {}, {1});
  INFO(m);
  CHECK(m.find("bias has 1 elements, expected 2") != std::string::npos);
}

TEST_CASE("ConvTranspose: output_shape with one entry is refused") {
  const std::string m = compile_error("ConvTranspose", {1, 2, 3, 3}, {pw::attr_ints("output_shape", {9})});
  INFO(m);
  CHECK(m.find("output_shape has 1 entries") != std::string::npos);
}

TEST_CASE("ConvTranspose: well-formed attributes still compile") {
  CHECK(compile_error("ConvTranspose", {1, 2, 3, 3}, {pw::attr_ints("output_shape", {5, 8})}, {2}).empty());
}

namespace {

// x [2, 3] -> op -> outputs (names as given; "" = left out)
std::string compile_error_outputs(std::string_view op, const std::vector<std::string>& outputs,
                                  std::vector<pw::Message> attributes = {}) {
  pw::Message g;
  g.msg(11, pw::value_info("x", 1, {2, 3}));
  g.msg(1, pw::node(op, {"x"}, outputs, "hostile", std::move(attributes)));
  for (const std::string& name : outputs) {
    if (!name.empty()) g.msg(12, pw::value_info(name, 1, {}));
  }
  auto model = load_from_memory(pw::model(g).bytes);
  REQUIRE(model.ok());
  auto session = model->compile();
  if (session.ok()) {
    // Compiled: it must also run, and a unary op's output must hold its result.
    std::vector<float> x{-1.0f, 0.0f, 0.5f, 1.0f, 2.0f, 3.0f};
    TensorRef input(DType::f32, {2, 3}, x.data());
    auto status = session->run({{"x", input}});
    REQUIRE(status.ok());
    return {};
  }
  return session.error().message();
}

}  // namespace

// The ONNX fuzzer's input (fuzz/regressions/onnx_erf_unnamed_output.onnx): an Erf whose required
// output 0 had an empty name got no buffer, and the kernel stored through a null pointer.
TEST_CASE("Erf: a required output with an empty name is refused, naming the node") {
  const std::string m = compile_error_outputs("Erf", {"", "y_h"});
  INFO(m);
  CHECK(m.find("hostile") != std::string::npos);
  CHECK(m.find("output 0 of Erf is required but has an empty name") != std::string::npos);
}

TEST_CASE("Relu: a node whose only output is unnamed is refused") {
  const std::string m = compile_error_outputs("Relu", {""});
  INFO(m);
  CHECK(m.find("output 0 of Relu is required but has an empty name") != std::string::npos);
}

TEST_CASE("Sigmoid: more outputs than the op has are refused") {
  const std::string m = compile_error_outputs("Sigmoid", {"y", "extra"});
  INFO(m);
  CHECK(m.find("names 2 outputs, but Sigmoid produces 1") != std::string::npos);
  CHECK(m.find("'extra'") != std::string::npos);
}

TEST_CASE("Split: an unnamed middle output is refused") {
  const std::string m = compile_error_outputs("Split", {"a", "", "c"}, {pw::attr_int("axis", 1)});
  INFO(m);
  CHECK(m.find("output 1 of Split is required but has an empty name") != std::string::npos);
}

TEST_CASE("Dropout: the optional mask may be left unnamed; Abs with one named output compiles") {
  CHECK(compile_error_outputs("Dropout", {"y", ""}).empty());
  CHECK(compile_error_outputs("Abs", {"y"}).empty());
}
