// The shared PyTorch exports (../shared/models/onnx): load -> compile -> run, each output within
// 1e-4 of the output's largest magnitude of PyTorch's own output. Skipped when the folder is absent.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tinynn/runtime.hpp"

using namespace tinynn;

namespace {

std::filesystem::path models_folder() {
  const char* dir = std::getenv("TINYNN_MODELS_DIR");
  if (!dir) return {};
  return std::filesystem::path(dir) / "onnx";
}

void check_model(const std::string& name) {
  const std::filesystem::path folder = models_folder();
  if (folder.empty() || !std::filesystem::exists(folder / (name + ".onnx"))) {
    std::printf("skipped: TINYNN_MODELS_DIR/onnx/%s.onnx is absent\n", name.c_str());
    return;
  }
  const std::string base = (folder / name).string();
  auto model = load(base + ".onnx");
  REQUIRE_MESSAGE(model.ok(), model.error().message());
  auto session = model->compile();
  REQUIRE_MESSAGE(session.ok(), session.error().message());
  auto input = formats::npy::load(base + ".input_0.npy");
  auto reference = formats::npy::load(base + ".torch_output_0.npy");
  REQUIRE(input.ok());
  REQUIRE(reference.ok());
  REQUIRE(session->input_count() == 1);
  const Status status = session->run({{session->input_info(0).name, input->ref()}});
  REQUIRE_MESSAGE(status.ok(), status.message());
  const TensorRef out = session->output(0);
  REQUIRE(out.shape == reference->shape);
  const auto* got = static_cast<const float*>(out.data);
  const auto* want = reinterpret_cast<const float*>(reference->data.data());
  double largest = 0, worst = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    largest = std::max(largest, std::fabs(static_cast<double>(want[i])));
    worst = std::max(worst, std::fabs(static_cast<double>(want[i]) - got[i]));
  }
  std::printf("%s: max |error| %.3g, max |reference| %.3g, arena %zu bytes, %zu steps\n", name.c_str(), worst, largest,
              session->arena_bytes(), session->step_count());
  CHECK(worst <= 1e-4 * largest);
  // A second run on the same session gives the same result (no state leaks between runs).
  std::vector<float> first(got, got + out.size());
  REQUIRE(session->run({{session->input_info(0).name, input->ref()}}).ok());
  CHECK(std::equal(first.begin(), first.end(), got));
}

}  // namespace

TEST_CASE("model simplenet_v1") { check_model("simplenet_v1"); }
TEST_CASE("model cifar10_cnn") { check_model("cifar10_cnn"); }
TEST_CASE("model kws_dscnn_s") { check_model("kws_dscnn_s"); }
TEST_CASE("model kws_lstm") { check_model("kws_lstm"); }
TEST_CASE("model kws_gru") { check_model("kws_gru"); }
TEST_CASE("model mobilenet_v2") { check_model("mobilenet_v2"); }
TEST_CASE("model squeezenet1_1") { check_model("squeezenet1_1"); }
TEST_CASE("model resnet18") { check_model("resnet18"); }
